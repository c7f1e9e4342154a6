"""Promise is a slotted, frozen dataclass: it must still copy, pickle, replace and round-trip
through its stored form and the --json contract exactly as before."""

from __future__ import annotations

import copy
import dataclasses
import pickle
from datetime import UTC, datetime, timedelta

import pytest

from promisekeeper.model import Promise
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
    with pytest.raises(dataclasses.FrozenInstanceError):
        promise.title = "changed"  # type: ignore[misc]


def test_a_slotted_promise_round_trips_through_its_stored_form():
    promise = full()
    assert Promise.from_dict(promise.id, promise.to_dict()) == promise
    assert Promise.from_dict(promise.id, promise.to_dict()).to_dict() == promise.to_dict()


@pytest.mark.parametrize(
    "clone",
    [copy.copy, copy.deepcopy, lambda p: pickle.loads(pickle.dumps(p)), dataclasses.replace],
    ids=["copy", "deepcopy", "pickle", "replace"],
)
def test_a_slotted_promise_copies_whole(clone):
    promise = full()
    assert clone(promise) == promise
    assert dataclasses.replace(promise, title="Other").title == "Other"


def test_the_json_contract_of_a_slotted_promise_is_unchanged():
    promise = full()
    assert promise_json(promise, NOW) == {
        "id": 7,
        **promise.to_dict(),
        "overdue": False,
        "kept_on_time": True,
        "renegotiations": 1,
    }
