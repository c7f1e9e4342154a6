"""Promise is a NamedTuple (it was a slotted, frozen dataclass, whose module costs `pk list` ~7 ms
to import): it must still copy, pickle, replace and round-trip through its stored form and the
--json contract exactly as before, and refuse to change in place."""

from __future__ import annotations

import copy
import pickle
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from promisekeeper.model import Promise, parse_iso
from promisekeeper.views.contract import promise_json

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def full() -> Promise:
    return Promise(
        id=7,
        uuid="u-7",
        title="Send numbers",
        person="Dana",
        direction="from",
        due=NOW + timedelta(days=2),
        created=NOW,
        team="Finance",
        tags=("payroll", "q3"),
        status="done",
        done_at=NOW + timedelta(days=1),
        notes=({"at": "2026-11-23T09:00:00+00:00", "text": "n"},),
        request_id=4,
        series={"id": "s1", "rule": "week on fri"},
        thanked_at=NOW + timedelta(days=1, hours=1),
        thank_note="thanks",
        effort_minutes=90,
    ).with_event("moved", NOW, reason="later")


def test_a_promise_has_no_per_instance_attribute_table():
    promise = full()
    assert not hasattr(promise, "__dict__")
    with pytest.raises(AttributeError):
        promise.title = "changed"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        del promise.title  # type: ignore[misc]
    with pytest.raises(AttributeError):
        promise.extra = 1  # type: ignore[attr-defined]


def test_a_slotted_promise_round_trips_through_its_stored_form():
    promise = full()
    assert Promise.from_dict(promise.id, promise.to_dict()) == promise
    assert Promise.from_dict(promise.id, promise.to_dict()).to_dict() == promise.to_dict()


@pytest.mark.parametrize(
    "clone",
    [copy.copy, copy.deepcopy, lambda p: pickle.loads(pickle.dumps(p)), lambda p: p._replace()],
    ids=["copy", "deepcopy", "pickle", "replace"],
)
def test_a_slotted_promise_copies_whole(clone):
    promise = full()
    assert clone(promise) == promise and type(clone(promise)) is Promise
    changed = promise._replace(title="Other")
    assert (changed.title, promise.title) == ("Other", "Send numbers")
    assert changed != promise


def test_the_json_contract_of_a_slotted_promise_is_unchanged():
    promise = full()
    assert promise_json(promise, NOW) == {
        "id": 7,
        **promise.to_dict(),
        "overdue": False,
        "kept_on_time": True,
        "renegotiations": 1,
    }


def test_a_promise_read_through_its_slots_is_frozen_and_whole():
    """`from_dict` builds the tuple from its values in field order rather than by keyword."""
    promise = Promise.from_dict(7, full().to_dict())
    assert [getattr(promise, name) for name in Promise._fields] == [
        getattr(full(), name) for name in Promise._fields
    ]
    assert not hasattr(promise, "__dict__")
    with pytest.raises(AttributeError):
        promise.due = NOW  # type: ignore[misc]


# --- reading records: what `from_dict` accepts and refuses, against the reading it replaced ---


def reference_from_dict(pid: int, data: Any) -> Promise:
    """`Promise.from_dict` as it was before it skipped empty lists and filled the slots itself."""
    if not isinstance(data, dict):
        raise ValueError("record is not an object")
    try:
        direction = data["direction"]
        status = data.get("status", "open")
        if direction not in ("to", "from"):
            raise ValueError(f"direction {direction!r}")
        if status not in ("open", "done", "dropped"):
            raise ValueError(f"status {status!r}")
        for key in ("uuid", "title", "person"):
            if not isinstance(data[key], str):
                raise ValueError(f"{key} is not text")
        tags = data.get("tags") or []
        notes = data.get("notes") or []
        history = data.get("history") or []
        if not (isinstance(tags, list) and all(isinstance(t, str) for t in tags)):
            raise ValueError("tags")
        if not (isinstance(notes, list) and all(isinstance(n, dict) for n in notes)):
            raise ValueError("notes")
        if not (isinstance(history, list) and all(isinstance(e, dict) for e in history)):
            raise ValueError("history")
        request_id = data.get("request_id")
        if request_id is not None and not isinstance(request_id, int):
            raise ValueError("request_id")
        effort = data.get("effort_minutes")
        if effort is not None and (type(effort) is not int or effort <= 0):
            raise ValueError("effort_minutes")
        return Promise(
            id=pid,
            uuid=data["uuid"],
            title=data["title"],
            person=data["person"],
            direction=direction,
            due=parse_iso(data["due"]),
            created=parse_iso(data["created"]),
            team=data.get("team"),
            tags=tuple(tags),
            status=status,
            done_at=parse_iso(data["done_at"]) if data.get("done_at") else None,
            notes=tuple(notes),
            history=tuple(history),
            request_id=request_id,
            series=data.get("series"),
            thanked_at=parse_iso(data["thanked_at"]) if data.get("thanked_at") else None,
            thank_note=data.get("thank_note"),
            effort_minutes=effort,
        )
    except KeyError as exc:
        raise ValueError(f"missing field {exc.args[0]!r}") from exc
    except (TypeError, AttributeError) as exc:
        raise ValueError(f"malformed field: {exc}") from exc


def outcome(read: Any, data: Any) -> Any:
    try:
        return read(3, data)
    except ValueError as exc:
        return f"ValueError: {exc}"


# Values a hand-edited or foreign file may hold, in any field.
ODD = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-2, max_value=2),
    st.sampled_from(["", "to", "from", "open", "done", "x", "2026-11-23T09:00:00+00:00"]),
    st.sampled_from(["2026-11-23T09:00:00", "2026-11-23", "not a time"]),
    st.lists(st.one_of(st.text(max_size=3), st.integers(), st.dictionaries(st.text(), st.none()))),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(sorted(full().to_dict())), st.none() | ODD), max_size=4))
def test_a_record_is_read_or_refused_as_before(changes) -> None:
    """Each change sets a field to an odd value, or (None) removes it: the same promise, or the
    same refusal naming the same first bad field."""
    data = full().to_dict()
    for key, value in changes:
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    assert outcome(Promise.from_dict, data) == outcome(reference_from_dict, data)
    assert outcome(Promise.from_dict, []) == outcome(reference_from_dict, [])
