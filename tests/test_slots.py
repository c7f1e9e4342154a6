"""The free-slot finder and clash detection as pure functions: a table of calendars, DST nights,
the window and duration rules, and a property test over random calendars."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from types import MappingProxyType
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from promisekeeper.config import WorkTime
from promisekeeper.core.slots import (
    Interval,
    clashes,
    find_slots,
    free_windows,
    outside_hours,
    parse_within,
    window_end,
)
from promisekeeper.errors import BadInput

BERLIN = ZoneInfo("Europe/Berlin")
WEEKDAYS = MappingProxyType({d: (time(9), time(17)) for d in range(5)})


def at(text: str) -> datetime:
    """A Berlin wall-clock time: "2026-11-23 10:00"."""
    return datetime.fromisoformat(text).replace(tzinfo=BERLIN)


def busy(start: str, end: str) -> Interval:
    return Interval(at(start).astimezone(UTC), at(end).astimezone(UTC), ref=1)


def shown(found: list[Interval]) -> list[str]:
    """Offers as Berlin wall-clock text with the UTC offset, so DST mistakes show."""
    return [
        f"{s.start.astimezone(BERLIN):%a %d %b %H:%M%z}-{s.end.astimezone(BERLIN):%H:%M}"
        for s in found
    ]


def work(**changes) -> WorkTime:
    return WorkTime(hours=WEEKDAYS, **changes)


CALENDARS = [
    pytest.param(
        work(),
        [],
        "2026-11-23 10:00",
        45,
        "2026-11-25 00:00",
        [
            "Mon 23 Nov 10:00+0100-10:45",
            "Mon 23 Nov 12:00+0100-12:45",
            "Tue 24 Nov 09:00+0100-09:45",
        ],
        id="full-day: one offer per half-day, soonest first",
    ),
    pytest.param(
        work(),
        [],
        "2026-11-23 10:07",
        30,
        "2026-11-24 00:00",
        [
            "Mon 23 Nov 10:15+0100-10:45",
            "Mon 23 Nov 10:45+0100-11:15",
            "Mon 23 Nov 12:00+0100-12:30",
        ],
        id="never in the past, on the quarter-hour grid",
    ),
    pytest.param(
        work(lunch=(time(12), time(13))),
        [],
        "2026-11-23 11:15",
        60,
        "2026-11-24 00:00",
        [
            "Mon 23 Nov 13:00+0100-14:00",
            "Mon 23 Nov 14:00+0100-15:00",
            "Mon 23 Nov 15:00+0100-16:00",
        ],
        id="lunch break: no slot straddles it",
    ),
    pytest.param(
        work(),
        [],
        "2026-11-27 16:30",
        30,
        "2026-12-01 00:00",
        [
            "Fri 27 Nov 16:30+0100-17:00",
            "Mon 30 Nov 09:00+0100-09:30",
            "Mon 30 Nov 12:00+0100-12:30",
        ],
        id="weekend skipped",
    ),
    pytest.param(
        work(days_off=frozenset({date(2026, 11, 24)})),
        [],
        "2026-11-23 16:00",
        60,
        "2026-11-26 00:00",
        [
            "Mon 23 Nov 16:00+0100-17:00",
            "Wed 25 Nov 09:00+0100-10:00",
            "Wed 25 Nov 12:00+0100-13:00",
        ],
        id="day off skipped",
    ),
    pytest.param(
        work(),
        [],
        "2026-10-23 16:00",
        30,
        "2026-10-27 00:00",
        [
            "Fri 23 Oct 16:00+0200-16:30",
            "Mon 26 Oct 09:00+0100-09:30",
            "Mon 26 Oct 12:00+0100-12:30",
        ],
        id="DST ends over the weekend: 09:00 stays 09:00 local",
    ),
    pytest.param(
        work(),
        [],
        "2026-03-27 16:00",
        30,
        "2026-03-31 00:00",
        [
            "Fri 27 Mar 16:00+0100-16:30",
            "Mon 30 Mar 09:00+0200-09:30",
            "Mon 30 Mar 12:00+0200-12:30",
        ],
        id="DST starts over the weekend",
    ),
    pytest.param(
        WorkTime(hours=MappingProxyType({6: (time(1), time(4))})),
        [],
        "2026-03-28 12:00",
        120,
        "2026-03-30 00:00",
        ["Sun 29 Mar 01:00+0100-04:00"],
        id="spring-forward night: 01:00-04:00 is two hours long",
    ),
    pytest.param(
        WorkTime(hours=MappingProxyType({6: (time(1), time(4))})),
        [],
        "2026-10-24 12:00",
        180,
        "2026-10-26 00:00",
        ["Sun 25 Oct 01:00+0200-03:00"],
        id="fall-back night: three hours from 01:00 end at 03:00",
    ),
    pytest.param(
        work(buffer=timedelta(minutes=15)),
        [busy("2026-11-23 10:30", "2026-11-23 11:00")],
        "2026-11-23 10:00",
        30,
        "2026-11-24 00:00",
        [
            "Mon 23 Nov 11:15+0100-11:45",
            "Mon 23 Nov 12:00+0100-12:30",
            "Mon 23 Nov 12:30+0100-13:00",
        ],
        id="buffer kept on both sides of a booked slot",
    ),
    pytest.param(
        work(),
        [busy("2026-11-23 10:30", "2026-11-23 11:00")],
        "2026-11-23 10:00",
        30,
        "2026-11-24 00:00",
        [
            "Mon 23 Nov 10:00+0100-10:30",
            "Mon 23 Nov 11:00+0100-11:30",
            "Mon 23 Nov 12:00+0100-12:30",
        ],
        id="no buffer: back to back is fine",
    ),
    pytest.param(
        work(),
        [busy("2026-11-23 09:00", "2026-11-23 16:45")],
        "2026-11-23 10:00",
        30,
        "2026-11-24 00:00",
        [],
        id="everything booked",
    ),
]


@pytest.mark.parametrize("worktime, booked, now, minutes, until, expected", CALENDARS)
def test_offers_on_a_calendar(worktime, booked, now, minutes, until, expected):
    found = find_slots(
        worktime,
        BERLIN,
        booked,
        now=at(now),
        need=timedelta(minutes=minutes),
        until=at(until),
    )
    assert shown(found) == expected


def test_offers_are_sorted_by_time():
    found = find_slots(
        work(),
        BERLIN,
        [],
        now=at("2026-11-23 10:00"),
        need=timedelta(minutes=30),
        until=at("2026-11-28 00:00"),
        offer=5,
    )
    assert found == sorted(found)
    half_days = {
        (s.start.astimezone(BERLIN).date(), s.start.astimezone(BERLIN).hour >= 12) for s in found
    }
    assert len(half_days) == 5


def test_after_moves_the_start():
    found = find_slots(
        work(),
        BERLIN,
        [],
        now=at("2026-11-23 10:00"),
        need=timedelta(minutes=30),
        until=at("2026-11-26 00:00"),
        after=at("2026-11-24 10:00"),
    )
    assert shown(found)[0] == "Tue 24 Nov 10:00+0100-10:30"


@pytest.mark.parametrize(
    "minutes, message",
    [
        (0, "longer than zero"),
        (-30, "longer than zero"),
        (8 * 60 + 15, "longer than a working day"),
    ],
)
def test_impossible_durations_are_refused(minutes, message):
    with pytest.raises(BadInput, match=message):
        find_slots(
            work(),
            BERLIN,
            [],
            now=at("2026-11-23 10:00"),
            need=timedelta(minutes=minutes),
            until=at("2026-11-30 00:00"),
        )


def test_a_whole_working_day_fits_but_not_across_lunch():
    whole = find_slots(
        work(),
        BERLIN,
        [],
        now=at("2026-11-23 10:00"),
        need=timedelta(hours=8),
        until=at("2026-11-25 00:00"),
    )
    assert shown(whole) == ["Tue 24 Nov 09:00+0100-17:00"]
    with pytest.raises(BadInput, match=r"longest stretch is 4h"):
        find_slots(
            work(lunch=(time(12), time(13))),
            BERLIN,
            [],
            now=at("2026-11-23 10:00"),
            need=timedelta(hours=5),
            until=at("2026-11-25 00:00"),
        )


@pytest.mark.parametrize(
    "now, within, end",
    [
        ("2026-11-23 10:00", "2d", "2026-11-25 00:00"),  # today counts: Mon, Tue
        ("2026-11-23 17:30", "2d", "2026-11-26 00:00"),  # after hours: Tue, Wed
        ("2026-11-27 10:00", "2d", "2026-12-01 00:00"),  # Fri, then Mon (weekend skipped)
        ("2026-11-23 10:00", "1w", "2026-12-01 00:00"),  # to the end of next Monday
        ("2026-11-23 10:00", "2 days", "2026-11-25 00:00"),
    ],
)
def test_window_end(now, within, end):
    assert window_end(work(), BERLIN, at(now), within) == at(end)


@pytest.mark.parametrize("text", ["", "0d", "soon", "2x", "-1d", "1d2w"])
def test_bad_within_is_refused(text):
    with pytest.raises(BadInput, match="--within"):
        parse_within(text)


def test_clashes_include_the_buffer():
    booked = [busy("2026-11-23 14:00", "2026-11-23 15:00")]
    back_to_back = Interval(at("2026-11-23 15:00"), at("2026-11-23 15:30"))
    assert clashes(back_to_back, booked, timedelta(0)) == []
    assert clashes(back_to_back, booked, timedelta(minutes=10)) == booked
    inside = Interval(at("2026-11-23 14:30"), at("2026-11-23 14:45"))
    assert clashes(inside, booked, timedelta(0)) == booked


@pytest.mark.parametrize(
    "start, end, outside",
    [
        ("2026-11-23 09:00", "2026-11-23 12:00", False),
        ("2026-11-23 13:00", "2026-11-23 17:00", False),
        ("2026-11-23 16:30", "2026-11-23 17:15", True),
        ("2026-11-23 11:30", "2026-11-23 12:30", True),  # across lunch
        ("2026-11-28 10:00", "2026-11-28 10:30", True),  # Saturday
    ],
)
def test_outside_hours(start, end, outside):
    worktime = work(lunch=(time(12), time(13)))
    assert outside_hours(Interval(at(start), at(end)), worktime, BERLIN) is outside


def test_free_windows_leave_out_booked_time_and_lunch():
    free = free_windows(
        work(lunch=(time(12), time(13))),
        BERLIN,
        [busy("2026-11-23 14:00", "2026-11-23 15:00")],
        start=at("2026-11-23 10:00"),
        end=at("2026-11-24 00:00"),
    )
    assert [(f.start.astimezone(BERLIN).hour, f.end.astimezone(BERLIN).hour) for f in free] == [
        (10, 12),
        (13, 14),
        (15, 17),
    ]


# --- property: whatever the calendar, no offer overlaps a booking or leaves working time --------

BASE = datetime(2026, 10, 19, 0, 0, tzinfo=UTC)  # spans the October DST change


@st.composite
def calendars(draw):
    lunch = draw(st.sampled_from([None, (time(12), time(13)), (time(12, 30), time(13, 15))]))
    buffer = timedelta(minutes=draw(st.sampled_from([0, 5, 10, 15, 30])))
    days_off = frozenset(
        date(2026, 10, 19) + timedelta(days=d)
        for d in draw(st.lists(st.integers(0, 13), max_size=3))
    )
    booked = []
    for _ in range(draw(st.integers(0, 30))):
        start = BASE + timedelta(minutes=5 * draw(st.integers(0, 14 * 24 * 12)))
        booked.append(Interval(start, start + timedelta(minutes=draw(st.integers(5, 240))), 1))
    now = BASE + timedelta(minutes=draw(st.integers(0, 7 * 24 * 60)))
    need = timedelta(minutes=draw(st.integers(1, 14)) * 15)  # fits the shortest stretch
    until = now + timedelta(days=draw(st.integers(1, 7)))
    offer = draw(st.integers(1, 6))
    worktime = WorkTime(hours=WEEKDAYS, lunch=lunch, days_off=days_off, buffer=buffer)
    return worktime, booked, now, need, until, offer


@settings(max_examples=150, deadline=None)
@given(calendars())
def test_no_offer_overlaps_a_booking_or_leaves_working_hours(calendar):
    worktime, booked, now, need, until, offer = calendar
    found = find_slots(worktime, BERLIN, booked, now=now, need=need, until=until, offer=offer)
    assert len(found) <= offer
    for slot in found:
        local_start, local_end = slot.start.astimezone(BERLIN), slot.end.astimezone(BERLIN)
        assert slot.length == need
        assert now <= slot.start and slot.end <= until
        assert local_start.minute % 15 == 0 and local_start.second == 0
        # Working hours, checked by hand rather than with the finder's own helpers.
        assert local_start.date() == local_end.date()
        assert local_start.weekday() < 5 and local_start.date() not in worktime.days_off
        assert time(9) <= local_start.time() and local_end.time() <= time(17)
        if worktime.lunch:
            lunch_start, lunch_end = worktime.lunch
            assert local_end.time() <= lunch_start or local_start.time() >= lunch_end
        for b in booked:
            assert slot.end + worktime.buffer <= b.start or b.end + worktime.buffer <= slot.start
        assert not any(slot.overlaps(other) for other in found if other is not slot)
