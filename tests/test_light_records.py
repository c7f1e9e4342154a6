"""Records that `pk add` and `pk done` import are written out (or NamedTuples) instead of
dataclasses, which compile their methods at import: they must still behave as the dataclasses did.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from promisekeeper.core.slots import Interval, parse_within
from promisekeeper.errors import BadInput
from promisekeeper.storage.journal import Entry, Journal


def at(hour: int) -> datetime:
    return datetime(2026, 11, 23, hour, tzinfo=UTC)


def test_an_interval_is_equal_hashed_and_ordered_by_its_times_alone() -> None:
    meeting = Interval(at(9), at(10), ref=["a list: not hashable, not comparable"])
    same_time = Interval(at(9), at(10), ref="a slot")
    later = Interval(at(9), at(11))
    assert meeting == same_time and hash(meeting) == hash(same_time)
    assert meeting != later and meeting != (at(9), at(10))
    assert sorted([later, same_time, meeting]) == [same_time, meeting, later]
    assert sorted([later, meeting])[0].ref == meeting.ref  # a tie never compares the refs
    assert meeting < later <= later and later > meeting >= same_time
    assert len({meeting, same_time, later}) == 2


def test_an_interval_is_immutable() -> None:
    slot = Interval(at(9), at(10))
    with pytest.raises(AttributeError):
        slot.start = at(8)  # type: ignore[misc]
    with pytest.raises(AttributeError):
        del slot.end
    assert "Interval(start=" in repr(slot)


def test_within_is_read_without_a_module_level_pattern() -> None:
    assert parse_within("2d") == (2, "workdays")
    assert parse_within(" 2 WEEKS ") == (2, "weeks")
    assert parse_within("3 workdays") == (3, "workdays")
    with pytest.raises(BadInput):
        parse_within("0d")


def test_a_journal_entry_round_trips_and_its_inverse_swaps_before_and_after() -> None:
    change = {"table": "promises", "id": 1, "before": None, "after": {"title": "x"}}
    entry = Entry(7, "add", (change,), at="2026-11-23T09:00:00+00:00")
    assert Entry.from_dict(entry.to_dict()) == entry
    assert entry.inverse().changes[0]["before"] == {"title": "x"}
    assert entry.inverse().operation == "add" and entry.changes[0]["before"] is None
    with pytest.raises(AttributeError):
        entry.undone = True  # type: ignore[misc]


def test_a_new_journal_starts_empty_and_each_its_own() -> None:
    first, second = Journal(), Journal()
    first.entries.append(Entry(1, "add", ()))
    assert second.entries == [] and second.last is None and second.chain_start is None


@pytest.mark.parametrize(
    "slips", [[5], [3, 1], [1, 2, 3, 4], [7, 1, 4], [1, 2], [10, 0, 0, 3, 9, 11], [2**40, 1]]
)
def test_the_median_slip_is_what_statistics_median_gave(slips: list[int]) -> None:
    import statistics

    from promisekeeper.core.report import Counts

    counts = Counts()
    counts.slips.extend(slips)
    assert counts.median_slip == int(statistics.median(slips))


def test_counts_compare_by_value_like_the_dataclass_did() -> None:
    from promisekeeper.core.report import Counts

    one, other = Counts(), Counts()
    assert one == other
    other.slips.append(60)
    assert one != other and "slips=[60]" in repr(other)
