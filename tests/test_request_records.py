"""Help-later request records written by hand or by an older pk: one check (`request_problem`)
names a malformed one as corrupt in the views, on every write and in `pk doctor`, instead of an
internal error; and stored text reaches the terminal inert."""

from __future__ import annotations

import json

import pytest

from promisekeeper.core.helplater import request_problem
from promisekeeper.errors import StoreCorrupt
from promisekeeper.storage.files import sidecar

CORRUPT = StoreCorrupt.exit_code
SPAN = {"start": "2026-11-24T08:00:00+00:00", "end": "2026-11-24T08:30:00+00:00"}
GOOD = {
    "uuid": "r1",
    "title": "Budget questions",
    "person": "Lee",
    "team": None,
    "need_minutes": 30,
    "reason": None,
    "created": "2026-11-23T09:00:00+00:00",
    "status": "proposed",
    "proposed": [SPAN],
    "slot": None,
    "forced": False,
    "promise_id": None,
    "history": [],
}

BAD = [
    ({"slot": {"start": "x"}}, "slot: start 'x' is not an ISO time"),
    ({"slot": {"start": SPAN["start"]}}, "slot: end None is not an ISO time"),
    ({"slot": "tomorrow"}, "slot: 'tomorrow' is not a {start, end} object"),
    ({"slot": {"start": SPAN["end"], "end": SPAN["start"]}}, "slot: ends before it starts"),
    ({"proposed": None}, "proposed None is not a list"),
    ({"proposed": [{"start": "2026-11-24T08:00:00", "end": SPAN["end"]}]}, "proposed #1: start"),
    ({"proposed": [SPAN, 3]}, "proposed #2: 3 is not a {start, end} object"),
    ({"status": "maybe"}, "status 'maybe' is not one of"),
    ({"status": "booked"}, "booked without a slot"),
    ({"need_minutes": "30"}, "need_minutes '30' is not a whole number"),
    ({"need_minutes": True}, "need_minutes True"),
    ({"need_minutes": 0}, "need_minutes 0"),
    ({"buffer_minutes": "5"}, "buffer_minutes '5'"),
    ({"person": None}, "person missing or not text"),
    ({"title": 7}, "title missing or not text"),
    ({"team": ["Finance"]}, "team ['Finance'] is not text"),
    ({"promise_id": "1"}, "promise_id '1' is not a promise id"),
    ({"history": {}}, "history is not a list"),
]


@pytest.mark.parametrize("change, words", BAD)
def test_request_problem_names_what_is_wrong(change, words):
    problem = request_problem({**GOOD, **change})
    assert problem is not None and words in problem


@pytest.mark.parametrize(
    "change",
    [
        {},
        {"status": "booked", "slot": SPAN, "promise_id": 3},
        {"team": "Finance", "reason": "busy", "buffer_minutes": 0, "tz": "Europe/Berlin"},
        {"proposed": []},
    ],
)
def test_request_problem_accepts_what_pk_writes(change):
    assert request_problem({**GOOD, **change}) is None


def test_request_problem_refuses_a_non_object():
    assert request_problem([GOOD]) == "not an object"


def write_request(db_path, change: dict) -> bytes:
    store = {
        "_meta": {"1": {"schema": 1, "generation": 1, "next_id": {"requests": 2}}},
        "promises": {},
        "requests": {"1": {**GOOD, **change}},
    }
    db_path.write_text(json.dumps(store))
    return db_path.read_bytes()


COMMANDS = [
    ["slots"],
    ["slots", "--json"],
    ["later", "Review", "--for", "Sam"],
    ["book", "1", "1"],
    ["cancel-slot", "1"],
    ["add", "Send numbers", "--to", "Dana", "--due", "fri"],
]


@pytest.mark.parametrize("change", [{"slot": {"start": "x"}}, {"proposed": None}])
@pytest.mark.parametrize("args", COMMANDS)
def test_a_malformed_request_is_named_corrupt_not_an_internal_error(pk, db_path, change, args):
    before = write_request(db_path, change)
    result = pk(*args, code=CORRUPT)
    assert result.stderr.startswith(f"pk: {db_path} is not a valid promisekeeper store (request 1:")
    assert "pk doctor" in result.stderr
    assert result.stderr.count("\n") == 1
    assert result.stdout == ""
    assert db_path.read_bytes() == before


def test_a_well_formed_hand_written_request_still_works(pk, db_path):
    write_request(db_path, {})
    assert pk.json("slots")["pending"][0]["id"] == 1
    assert pk.json("book", "1", "1")["request"]["status"] == "booked"


@pytest.mark.parametrize("change, words", BAD[:8])
def test_doctor_reports_a_malformed_request(pk, db_path, change, words):
    write_request(db_path, change)
    result = pk("doctor", "--json", code=CORRUPT)
    found = {f["check"]: f for f in json.loads(result.stdout)["findings"]}
    assert found["records"]["level"] == "problem"
    assert "request #1: " in found["records"]["message"]
    assert words in found["records"]["message"]


def test_repair_leaves_out_a_malformed_request_like_a_malformed_promise(pk, db_path):
    store = {
        "_meta": {"1": {"schema": 1, "generation": 1, "next_id": {"requests": 3}}},
        "promises": {},
        "requests": {"1": {**GOOD, "proposed": None}, "2": {**GOOD, "uuid": "r2"}},
    }
    db_path.write_text(json.dumps(store))
    result = pk("doctor", "--repair")
    assert "left out: request #1 (proposed None is not a list of times)" in result.stdout
    assert "kept 0 promises, 1 request" in result.stdout
    repaired = sidecar(db_path, ".repaired")
    pending = pk.json("--db", str(repaired), "slots")["pending"]
    assert [r["id"] for r in pending] == [2]
    pk("--db", str(repaired), "doctor")  # the copy is healthy


# --- stored text from another tool or an older pk reaches the terminal inert ---------------

EVIL = "\x1b[31mEVIL\u202e"


def assert_inert(result) -> None:
    for stream in (result.stdout, result.stderr):
        assert "\x1b" not in stream and "\u202e" not in stream, stream
    assert "EVIL" in result.stdout + result.stderr  # shown, escaped, not hidden


def test_a_cancelled_requests_person_is_escaped_in_the_refusal(pk, db_path):
    write_request(db_path, {"person": EVIL, "status": "cancelled"})
    result = pk("book", "1", "1", code=4)
    assert "--for \\x1b[31mEVIL\\u202e" in result.stderr
    assert_inert(result)


def test_a_booked_persons_name_is_escaped_in_a_clash_and_in_the_views(pk, db_path):
    write_request(db_path, {"person": EVIL, "status": "booked", "slot": SPAN, "title": EVIL})
    assert_inert(pk("slots"))
    assert_inert(pk("slots", "--json"))
    later = pk("later", "Review", "--for", "Sam", "--after", "tomorrow 9am", "--offer", "1")
    assert "\x1b" not in later.stdout + later.stderr
    clash = pk("book", "2", "tomorrow 9am", code=4)  # Tue 09:00 Berlin: the booked slot
    assert "clashes with #1" in clash.stderr
    assert_inert(clash)
