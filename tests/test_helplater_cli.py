"""Help later end to end through the CLI: later → book → slots → done, clashes, re-booking through
`pk move`, cancelling, expiry, and every refusal the issue names — at the pinned instant
(Monday 23 Nov 2026 10:00 Europe/Berlin)."""

from __future__ import annotations

import json

import pytest

LATER = [
    "later",
    "Walk Dana through the new expense form",
    "--for",
    "Dana",
    "--team",
    "Finance",
    "--need",
    "45m",
    "--reason",
    "I'm with a customer until noon",
]


@pytest.fixture
def lunch(isolated):
    """Working days with a lunch break, as many users configure them."""
    (isolated / "config.toml").write_text(
        'timezone = "Europe/Berlin"\n[work]\nlunch = "12:00-13:00"\n'
    )


def spans(record: dict) -> list[tuple[str, str]]:
    return [(p["start"], p["end"]) for p in record["proposed"]]


def test_later_book_slots_done_end_to_end(pk, lunch):
    request = pk.json(*LATER)
    assert request["id"] == 1
    assert request["status"] == "proposed"
    assert request["need_minutes"] == 45
    assert request["reason"] == "I'm with a customer until noon"
    # Mon 10:00 (morning), Mon 13:00 (after lunch), Tue 09:00: three half-days, soonest first.
    assert spans(request) == [
        ("2026-11-23T09:00:00+00:00", "2026-11-23T09:45:00+00:00"),
        ("2026-11-23T12:00:00+00:00", "2026-11-23T12:45:00+00:00"),
        ("2026-11-24T08:00:00+00:00", "2026-11-24T08:45:00+00:00"),
    ]

    booked = pk("book", "1", "2")
    assert "Booked #1 “Walk Dana through the new expense form” with Dana" in booked.stdout
    assert "Mon 23 Nov 13:00–13:45" in booked.stdout
    assert "Thank you, Dana" in booked.stderr

    promises = pk.json("list")
    assert len(promises) == 1
    promise = promises[0]
    assert promise["direction"] == "to"
    assert promise["person"] == "Dana"
    assert promise["team"] == "Finance"
    assert promise["due"] == "2026-11-23T12:45:00+00:00"  # the end of the slot
    assert promise["request_id"] == 1

    view = pk("slots").stdout
    assert "Mon 23 Nov (today)" in view
    assert "13:00–13:45" in view and "Dana" in view and "booked" in view
    assert "free: 10:00–12:00, 13:45–17:00" in view

    pk("done", str(promise["id"]))
    day = pk.json("slots")["days"][0]
    assert [(b["request_id"], b["status"]) for b in day["booked"]] == [(1, "done")]
    assert "done" in pk("slots").stdout


def test_message_names_person_reason_and_each_slot_politely(pk, lunch):
    message = pk(*LATER, "--message-only").stdout
    assert message.startswith("Hi Dana,\n")
    assert "I'm with a customer until noon" in message
    assert "45 minutes" in message
    for line in (
        "1. Mon 23 Nov 10:00–10:45 CET",
        "2. Mon 23 Nov 13:00–13:45 CET",
        "3. Tue 24 Nov 09:00–09:45 CET",
    ):
        assert line in message.splitlines()
    assert "Please" in message and "Thank you" in message
    # Plain: nothing but the message, for a clipboard tool.
    assert "Request #" not in message and "\x1b" not in message


def test_message_without_a_reason_does_not_invent_one(pk):
    message = pk("later", "Budget questions", "--for", "Lee", "--message-only").stdout
    assert "I can't help right away, but" in message
    assert "30 minutes" in message  # the configured default slot


def test_later_prints_request_offers_and_message(pk, lunch):
    result = pk(*LATER)
    assert "Request #1 for Dana (Finance): “Walk Dana through the new expense form”, 45m" in (
        result.stdout
    )
    assert "  2. Mon 23 Nov 13:00–13:45" in result.stdout
    assert "Message to send:" in result.stdout
    assert "pk book 1 N" in result.stderr


def test_within_after_and_offer(pk, lunch):
    request = pk.json(*LATER, "--within", "2d", "--after", "tomorrow 10am", "--offer", "5")
    assert len(request["proposed"]) == 5
    starts = [p["start"] for p in request["proposed"]]
    assert starts == sorted(starts)
    assert starts[0] == "2026-11-24T09:00:00+00:00"  # Tue 10:00 local
    assert all(p["end"] <= "2026-11-25T23:00:00+00:00" for p in request["proposed"])


def test_nothing_fits_says_so_and_suggests_widening(pk, db_path):
    pk("later", "Big one", "--for", "Sam", "--need", "7h")
    pk("book", "1", "1")  # Mon 10:00–17:00 is now taken
    before = db_path.read_bytes()
    result = pk("later", "Quick one", "--for", "Lee", "--need", "30m", "--within", "1d", code=4)
    assert "no free 30m slot" in result.stderr
    assert "--within" in result.stderr
    assert result.stderr.count("\n") == 1
    assert db_path.read_bytes() == before


def test_booking_a_clashing_time_is_refused_then_forced(pk, db_path, lunch):
    pk(*LATER)
    pk("book", "1", "2")  # Mon 13:00–13:45
    pk("later", "Review the draft", "--for", "Sam", "--need", "1h")
    before = db_path.read_bytes()
    refused = pk("book", "2", "today 1:30pm", code=4)
    assert refused.stderr.startswith("pk: Mon 23 Nov 13:30–14:30 can't be booked")
    assert "#1 “Walk Dana through the new expense form” with Dana" in refused.stderr
    assert "--force" in refused.stderr
    assert refused.stderr.count("\n") == 1
    assert db_path.read_bytes() == before

    forced = pk.json("book", "2", "today 1:30pm", "--force")
    assert forced["request"]["status"] == "booked"
    assert forced["request"]["forced"] is True
    assert forced["request"]["history"][-1]["forced"] is True
    assert "forced" in pk("slots").stdout


def test_booking_outside_working_hours_needs_force(pk, db_path, lunch):
    pk(*LATER)
    before = db_path.read_bytes()
    result = pk("book", "1", "today 12:15", code=4)
    assert "outside your working hours" in result.stderr
    assert db_path.read_bytes() == before
    assert pk.json("book", "1", "today 12:15", "--force")["request"]["forced"] is True


def test_an_offered_option_that_was_booked_since_is_a_clash(pk):
    pk("later", "One", "--for", "Dana")
    pk("later", "Two", "--for", "Sam")  # offered the same free times
    pk("book", "1", "1")
    result = pk("book", "2", "1", code=4)
    assert "clashes with #1 “One” with Dana" in result.stderr


@pytest.mark.parametrize(
    "args, code, message",
    [
        (["later", "x", "--for", "Lee", "--need", "0m"], 2, "longer than zero"),
        (["later", "x", "--for", "Lee", "--need", "-30m"], 2, "can't be negative"),
        (["later", "x", "--for", "Lee", "--need", "9h"], 2, "longer than a working day"),
        (["later", "x", "--for", "Lee", "--need", "soon"], 2, "not a duration"),
        (["later", "x", "--for", "Lee", "--within", "soon"], 2, "--within"),
        (["later", "x", "--for", "Lee", "--offer", "0"], 2, "offer between 1 and 10"),
        (["later", "  ", "--for", "Lee"], 2, "title is empty"),
        (["book", "99", "1"], 3, "no request #99"),
        (["book", "1", "4"], 2, "offered 3 slots; pick 1 to 3"),
        (["book", "1", "0"], 2, "pick 1 to 3"),
        (["book", "1", "someday"], 2, "can't read 'someday'"),
        (["book", "2", "1"], 4, "request #2 is cancelled"),
        (["cancel-slot", "2"], 4, "already cancelled"),
        (["cancel-slot", "99"], 3, "no request #99"),
    ],
)
def test_refusals_are_one_line_and_change_nothing(pk, db_path, args, code, message):
    pk("later", "Budget questions", "--for", "Lee")
    pk("later", "Old question", "--for", "Sam")
    pk("cancel-slot", "2", "--reason", "Sam solved it")
    before = db_path.read_bytes()
    result = pk(*args, code=code)
    assert message in result.stderr
    assert result.stderr.startswith("pk: ")
    assert result.stderr.count("\n") == 1
    assert result.stdout == ""
    assert db_path.read_bytes() == before


def test_cancel_frees_the_time_drops_the_promise_and_keeps_history(pk, lunch):
    pk(*LATER)
    pk("book", "1", "1")
    assert pk.json("slots")["days"][0]["booked"]
    result = pk("cancel-slot", "1", "--reason", "Dana solved it")
    assert "Mon 23 Nov 10:00–10:45 is free again" in result.stdout
    day = pk.json("slots")["days"][0]
    assert day["booked"] == []
    assert day["free"][0] == {
        "start": "2026-11-23T09:00:00+00:00",
        "end": "2026-11-23T11:00:00+00:00",
    }
    promise = pk.json("list", "--all")[0]
    assert promise["status"] == "dropped"
    assert pk.json("slots")["pending"] == []  # cancelled is not waiting for an answer


def test_cancelled_request_keeps_its_history(pk, db_path, lunch):
    pk(*LATER)
    pk("book", "1", "1")
    pk("cancel-slot", "1", "--reason", "Dana solved it")
    stored = json.loads(db_path.read_text())["requests"]["1"]
    assert stored["status"] == "cancelled"
    assert [e["type"] for e in stored["history"]] == ["created", "booked", "cancelled"]
    assert stored["history"][-1]["reason"] == "Dana solved it"
    assert stored["slot"] is not None  # what was booked stays on record


def test_move_on_the_promise_rebooks_the_slot(pk, db_path, lunch):
    pk(*LATER)
    pk("book", "1", "2")  # Mon 13:00–13:45, promise #1 due 13:45
    pk("move", "1", "today 3pm", "--reason", "the customer call runs long")
    stored = json.loads(db_path.read_text())["requests"]["1"]
    assert stored["slot"] == {
        "start": "2026-11-23T13:15:00+00:00",
        "end": "2026-11-23T14:00:00+00:00",
    }
    assert stored["history"][-1]["type"] == "rebooked"
    assert "14:15–15:00" in pk("slots").stdout


def test_move_into_a_clash_is_refused_and_changes_nothing(pk, db_path, lunch):
    pk(*LATER)
    pk("book", "1", "2")  # Mon 13:00–13:45
    pk("later", "Review the draft", "--for", "Sam", "--need", "1h")
    pk("book", "2", "tomorrow 9am")  # Tue 09:00–10:00
    before = db_path.read_bytes()
    result = pk("move", "1", "tomorrow 9:30am", "--reason", "clash", code=4)
    assert "clashes with #2 “Review the draft” with Sam" in result.stderr
    assert db_path.read_bytes() == before


@pytest.mark.parametrize(
    "when, why",
    [
        ("today 7pm", "after the working day"),
        ("today 12:30", "into lunch"),
        ("sat 11am", "on a day off"),
    ],
)
def test_move_outside_working_hours_is_refused_and_changes_nothing(pk, db_path, lunch, when, why):
    pk(*LATER)
    pk("book", "1", "2")  # Mon 13:00–13:45
    before = db_path.read_bytes()
    result = pk("move", "1", when, "--reason", why, code=4)
    assert "outside your working hours" in result.stderr
    assert "pk book 1 WHEN --force" in result.stderr
    assert result.stderr.count("\n") == 1
    assert db_path.read_bytes() == before


def test_move_across_the_spring_dst_change_keeps_local_working_hours(pk, db_path):
    pk("later", "Budget questions", "--for", "Lee", "--need", "30m")
    pk("book", "1", "1")
    # Mon 29 Mar 2027, the day after clocks go forward: 09:00–09:30 local is 07:00 UTC.
    pk("move", "1", "2027-03-29 09:30", "--reason", "after the quarter closes")
    stored = json.loads(db_path.read_text())["requests"]["1"]
    assert stored["slot"] == {
        "start": "2027-03-29T07:00:00+00:00",
        "end": "2027-03-29T07:30:00+00:00",
    }
    assert stored["forced"] is False
    # 08:30 local the same morning is before the working day, whatever the offset was in winter.
    pk("move", "1", "2027-03-29 08:30", "--reason", "earlier", code=4)


def test_reopen_after_done_books_the_slot_again(pk, db_path, lunch):
    pk(*LATER)
    pk("book", "1", "1")  # Mon 10:00–10:45
    pk("done", "1")
    pk("reopen", "1")
    stored = json.loads(db_path.read_text())["requests"]["1"]
    assert stored["status"] == "booked"
    assert [e["type"] for e in stored["history"]][-2:] == ["done", "reopened"]
    booked = pk.json("slots")["days"][0]["booked"]
    assert [(b["request_id"], b["status"]) for b in booked] == [(1, "booked")]
    pk("done", "1")  # and completing it again completes the request again
    assert json.loads(db_path.read_text())["requests"]["1"]["status"] == "done"


def test_reopen_after_drop_books_the_slot_again(pk, db_path, lunch):
    pk(*LATER)
    pk("book", "1", "1")
    pk("drop", "1", "--reason", "Dana no longer needs it")
    pk("reopen", "1")
    assert json.loads(db_path.read_text())["requests"]["1"]["status"] == "booked"
    assert pk.json("slots")["days"][0]["free"][0]["start"] == "2026-11-23T09:45:00+00:00"


def test_reopen_when_the_slot_was_taken_meanwhile_keeps_the_request_cancelled(pk, db_path, lunch):
    pk(*LATER)
    pk("book", "1", "1")  # Mon 10:00–10:45
    pk("done", "1")
    pk("later", "Review the draft", "--for", "Sam")
    pk("book", "2", "today 10am")  # the time is free again once #1 is done
    pk("reopen", "1")
    assert {p["id"]: p["status"] for p in pk.json("list")} == {1: "open", 2: "open"}
    stored = json.loads(db_path.read_text())["requests"]
    assert stored["1"]["status"] == "cancelled"
    assert stored["1"]["history"][-1]["reason"] == (
        "promise reopened, but its slot clashes with #2"
    )
    assert stored["2"]["status"] == "booked"


def test_book_again_rebooks_and_moves_the_promise(pk, lunch):
    pk(*LATER)
    pk("book", "1", "1")
    moved = pk.json("book", "1", "3")
    assert moved["request"]["slot"]["start"] == "2026-11-24T08:00:00+00:00"
    assert moved["promise"]["id"] == 1  # the same promise, not a second one
    assert moved["promise"]["due"] == "2026-11-24T08:45:00+00:00"
    assert moved["promise"]["renegotiations"] == 1
    assert len(pk.json("list")) == 1
    pk("book", "1", "3", code=2)  # already booked for that time


def test_drop_on_the_promise_cancels_the_request(pk, lunch):
    pk(*LATER)
    pk("book", "1", "1")
    pk("drop", "1", "--reason", "Dana no longer needs it")
    assert pk.json("slots")["days"][0]["booked"] == []


def test_past_unbooked_requests_show_as_expired_not_pending(pk, lunch):
    pk(*LATER)
    wednesday = {"PK_NOW": "2026-11-25T10:00:00+01:00"}
    result = json.loads(pk("slots", "--json", env=wednesday).stdout)
    assert result["pending"] == []
    assert [(r["id"], r["status"]) for r in result["expired"]] == [(1, "expired")]
    view = pk("slots", env=wednesday).stdout
    # Not waiting for an answer any more: none of its times can be taken.
    assert "Waiting for an answer" not in view
    assert "Expired unanswered" in view and "expired" in view.split("Expired unanswered")[1]
    refused = pk("book", "1", "1", env=wednesday, code=4)
    assert "has passed" in refused.stderr
    # A new time agreed later can still be booked.
    assert pk.json("book", "1", "thu 10am", env=wednesday)["request"]["status"] == "booked"


def test_later_records_expiry_of_old_requests(pk, db_path, lunch):
    pk(*LATER)
    pk("later", "Another", "--for", "Sam", env={"PK_NOW": "2026-11-25T10:00:00+01:00"})
    stored = json.loads(db_path.read_text())["requests"]["1"]
    assert stored["status"] == "expired"
    assert stored["history"][-1]["type"] == "expired"


def test_waiting_requests_are_listed_in_slots(pk, lunch):
    pk(*LATER)
    view = pk("slots").stdout
    assert "Waiting for an answer" in view
    assert "proposed" in view


def test_slots_free_and_week(pk, lunch):
    pk(*LATER)
    pk("book", "1", "1")
    free = pk("slots", "--free").stdout.splitlines()
    assert free[0] == "Mon 23 Nov (today)     10:45–12:00, 13:00–17:00"
    assert len(free) == 5  # Mon–Fri of this week
    week = pk.json("slots", "--week")
    assert week["to"] == "2026-11-29"
    friday = pk.json("slots", "--week", env={"PK_NOW": "2026-11-27T10:00:00+01:00"})
    assert [d["date"] for d in friday["days"]] == [
        "2026-11-27",
        "2026-11-30",
        "2026-12-01",
        "2026-12-02",
        "2026-12-03",
    ]


def test_dst_change_offers_local_nine_oclock(pk):
    friday = {"PK_NOW": "2026-10-23T16:20:00+02:00"}  # clocks go back on Sunday 25 Oct
    request = pk.json("later", "Onboarding", "--for", "Kim", env=friday)
    assert spans(request)[:2] == [
        ("2026-10-23T14:30:00+00:00", "2026-10-23T15:00:00+00:00"),  # Fri 16:30 CEST
        ("2026-10-26T08:00:00+00:00", "2026-10-26T08:30:00+00:00"),  # Mon 09:00 CET
    ]
    message = pk("later", "Onboarding", "--for", "Kim", "--message-only", env=friday).stdout
    assert "Mon 26 Oct 09:00–09:30 CET" in message


def test_request_json_shape_is_stable(pk):
    request = pk.json("later", "Budget questions", "--for", "Lee")
    for key in (
        "id",
        "uuid",
        "title",
        "person",
        "team",
        "need_minutes",
        "reason",
        "created",
        "status",
        "proposed",
        "slot",
        "forced",
        "promise_id",
        "history",
    ):
        assert key in request
    assert request["slot"] is None and request["promise_id"] is None


@pytest.mark.parametrize("command", ["later", "book", "slots", "cancel-slot"])
def test_every_command_has_help_with_an_example(pk, command):
    assert "Example" in pk(command, "--help").stdout


def test_move_keeps_the_slots_length_and_the_message_gives_start_and_end(pk, db_path, lunch):
    pk(*LATER)
    pk("book", "1", "2")  # Mon 13:00–13:45
    # The need recorded at `later` is not the length of the time agreed: a slot moves whole.
    data = json.loads(db_path.read_text())
    data["requests"]["1"]["need_minutes"] = 30
    db_path.write_text(json.dumps(data))
    result = pk("move", "1", "today 4pm", "--reason", "the customer call runs long")
    stored = json.loads(db_path.read_text())["requests"]["1"]
    assert stored["slot"] == {
        "start": "2026-11-23T14:15:00+00:00",
        "end": "2026-11-23T15:00:00+00:00",
    }
    message = " ".join(result.stderr.split())
    assert "from Mon 23 Nov 13:00–13:45 to Mon 23 Nov 15:15–16:00" in message, message
    assert "Sorry for the change, and thank you for your patience." in message


def test_a_help_slot_done_after_it_ended_was_kept_on_time(pk, lunch):
    pk(*LATER)
    pk("book", "1", "2")  # Mon 13:00–13:45, the promise is due 13:45
    evening = {"PK_NOW": "2026-11-23T17:30:00+01:00"}
    done = pk("done", "1", env=evening)
    assert done.stdout == "Kept #1 “Walk Dana through the new expense form” on time.\n"
    assert pk.json("show", "1", env=evening)["kept_on_time"] is True
    assert "done, on time" in pk("show", "1", env=evening).stdout
    total = pk.json("stats", env={"PK_NOW": "2026-11-24T10:00:00+01:00"})["total"]
    assert (total["kept_on_time"], total["kept_late"]) == (1, 0)
