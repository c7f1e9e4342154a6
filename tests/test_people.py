"""`pk people`, `pk nudge` and `pk capture` at the pinned instant, Mon 23 Nov 2026 10:00 Berlin."""

from __future__ import annotations

import pytest

from promisekeeper.cli import people_cmds


@pytest.fixture
def ledger(pk, monkeypatch) -> None:
    """Dana: two of mine kept (one on time, one late), one open and late, one moved; Sam owes me
    two (one late, one delivered on time and thanked); Lee is in Finance."""
    monkeypatch.setenv("PK_NOW", "2026-11-16T09:00:00+01:00")
    pk("add", "Q3 numbers", "--to", "Dana", "--team", "Finance", "--due", "2026-11-17 12:00")
    pk("add", "Slides", "--to", "dana", "--due", "2026-11-18 12:00")
    pk("add", "Audit file", "--from", "Sam", "--due", "2026-11-19 12:00")
    pk("add", "Floor plan", "--from", "Sam", "--due", "2026-11-20 12:00")
    pk("add", "Budget", "--to", "Lee", "--team", "Finance", "--due", "2026-11-20 12:00")
    monkeypatch.setenv("PK_NOW", "2026-11-17T11:00:00+01:00")
    pk("done", "1")  # on time
    pk("move", "2", "2026-11-19 12:00", "--reason", "waiting on the audit file")
    monkeypatch.setenv("PK_NOW", "2026-11-19T11:00:00+01:00")
    pk("done", "4")
    pk("thank", "4", "--note", "saved my week")
    monkeypatch.setenv("PK_NOW", "2026-11-20T09:00:00+01:00")
    pk("done", "2")  # a day late
    monkeypatch.setenv("PK_NOW", "2026-11-23T10:00:00+01:00")
    pk("add", "Headcount", "--to", "Dana", "--due", "fri")


def row(data: dict, name: str) -> dict:
    return next(r for r in data["people"] if (r.get("person") or r.get("team")) == name)


def test_people_json_counts_both_directions(pk, ledger) -> None:
    data = pk.json("people")
    assert [r["person"] for r in data["people"]] == ["Dana", "Lee", "Sam"]
    dana = row(data, "Dana")
    assert dana["team"] == "Finance"
    assert dana["to"] == {
        "open": 1,
        "overdue": 0,
        "kept_on_time": 1,
        "kept_late": 1,
        "dropped": 0,
        "on_time_rate": 0.5,
        "renegotiations": 1,
        "nudges": 0,
    }
    sam = row(data, "Sam")
    assert sam["from"]["open"] == 1 and sam["from"]["overdue"] == 1
    assert sam["from"]["kept_on_time"] == 1 and sam["from"]["on_time_rate"] == 0.5
    assert sam["thanks"] == 1 and sam["last_thanked"] == "2026-11-19T10:00:00+00:00"
    assert data["since"] == "2026-08-25T08:00:00+00:00"  # 90 days back, by default


def test_the_window_leaves_older_deadlines_out_of_the_rates(pk, ledger) -> None:
    dana = row(pk.json("people", "--since", "2026-11-19"), "Dana")
    # The on-time one was due on the 17th: out of the window; the late one (due the 19th) in.
    assert (dana["to"]["kept_on_time"], dana["to"]["kept_late"]) == (0, 1)
    assert dana["to"]["on_time_rate"] == 0.0
    assert dana["to"]["renegotiations"] == 0  # moved on the 17th


def test_people_by_team(pk, ledger) -> None:
    data = pk.json("people", "--by", "team")
    assert [r["team"] for r in data["people"]] == ["Finance", None]
    assert row(data, "Finance")["to"]["open"] == 1  # Lee's budget; Dana's later ones have no team


def test_people_table_and_plain(pk, ledger) -> None:
    table = pk("people").stdout
    assert "People, since Tue 25 Aug" in table and "Finance" in table
    plain = pk("people", "--plain").stdout
    assert "Sam  last thanked: Thu 19 Nov 11:00" in plain
    assert "  they owe: 1 open (1 late); kept 1 on time, 0 late, 0 dropped — 50% on time" in plain


def test_one_relationship_matches_the_name_in_any_case(pk, ledger) -> None:
    data = pk.json("people", "DANA")
    assert data["person"]["person"] == "Dana"
    assert [p["title"] for p in data["open"]] == ["Headcount"]
    assert [p["title"] for p in data["settled"]] == ["Q3 numbers", "Slides"]
    assert pk.json("people", "sam")["thanked"][0]["thank_note"] == "saved my week"
    text = pk("people", "dana", "--plain").stdout
    assert "Open, both ways\n#6  Headcount  → Dana" in text
    assert "kept 1 on time, 1 late" in text


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("Dnaa", "pk: no promises with 'Dnaa'; did you mean Dana?\n"),
        ("Zed", "pk: no promises with 'Zed' (see `pk people` for everyone)\n"),
    ],
)
def test_an_unknown_name_is_not_found_with_suggestions(pk, ledger, name, message) -> None:
    assert pk("people", name, code=3).stderr == message


def test_people_on_an_empty_store(pk) -> None:
    assert pk.json("people")["people"] == []
    assert "No one yet" in pk("people").stdout
    assert "there are no promises yet" in pk("people", "Dana", code=3).stderr


def test_people_refuses_a_bad_grouping(pk) -> None:
    assert "--by person or --by team" in pk("people", "--by", "floor", code=2).stderr


# --- nudge --------------------------------------------------------------------------------------


def test_nudge_drafts_a_courteous_follow_up_and_counts(pk, ledger) -> None:
    result = pk("nudge", "3")
    assert result.stdout == (
        "Nudged Sam about #3 “Audit file” (the first nudge).\n"
        'Tell Sam: "Hi Sam, could you please let me know where \u201cAudit file\u201d stands? '
        "We had agreed on Thu 19 Nov 12:00. If another date works better for you, just tell me "
        "which one and I'll plan around it. Thank you!\"\n"
    )
    again = pk.json("nudge", "3")
    assert again["nudges"] == 2
    assert [e["type"] for e in again["history"]][-2:] == ["nudged", "nudged"]
    assert row(pk.json("people"), "Sam")["from"]["nudges"] == 2
    assert "nudged (follow-up 2)" in pk("show", "3").stdout


def test_nudge_before_the_deadline_asks_if_the_date_still_works(pk) -> None:
    pk("add", "Floor plan", "--from", "Sam", "--due", "fri 3pm")
    message = pk.json("nudge", "1")["message"]
    assert message == (
        "Hi Sam, a quick check on \u201cFloor plan\u201d, which we agreed for Fri 27 Nov 15:00: "
        "please let me know if that date still works for you. Thank you!"
    )


def test_nudge_refuses_my_own_promise_and_suggests_move(pk, ledger) -> None:
    result = pk("nudge", "6", code=4)
    assert result.stderr.startswith("pk: #6 is your promise to Dana; nudges are for what others")
    assert "pk move 6" in result.stderr
    assert "is done" in pk("nudge", "4", code=4).stderr
    assert pk("nudge", "99", code=3).stderr.startswith("pk: no promise #99")


# --- capture ------------------------------------------------------------------------------------


def test_capture_with_yes_logs_it(pk) -> None:
    result = pk("capture", "--yes", "I'll send Dana the Q3 headcount numbers by fri 3pm")
    assert result.stdout == (
        "Promised #1 “Send the Q3 headcount numbers” → Dana, due Fri 27 Nov 15:00 — in 4 days 5h\n"
    )
    shown = pk.json("show", "1")
    assert (shown["person"], shown["direction"]) == ("Dana", "to")


def test_capture_takes_the_sentence_as_separate_words(pk) -> None:
    data = pk.json("capture", "-y", "Sam", "will", "get", "me", "the", "floor", "plan", "by", "tue")
    assert (data["person"], data["direction"], data["title"]) == (
        "Sam",
        "from",
        "Get the floor plan",
    )
    assert data["heads_up"] is None


def test_capture_without_a_terminal_or_yes_refuses_and_logs_nothing(pk) -> None:
    result = pk("capture", "I owe Lee the budget review by fri", code=2)
    assert result.stderr == (
        "pk: Reads: promise to Lee, “Budget review”, due Fri 27 Nov 17:00 — in 4 days 7h — not "
        "logged: add --yes to log it without asking\n"
    )
    assert pk.json("list") == []


@pytest.mark.parametrize(("answer", "logged"), [("y\n", 1), ("\n", 1), ("n\n", 0)])
def test_capture_asks_on_a_terminal(pk, monkeypatch, answer: str, logged: int) -> None:
    monkeypatch.setattr(people_cmds, "stdin_is_terminal", lambda: True)
    result = pk.runner.invoke(
        __import__("promisekeeper.cli", fromlist=["app"]).app,
        ["capture", "Sam owes me the slides by fri 3pm"],
        input=answer,
        catch_exceptions=False,
    )
    assert result.exit_code == 0
    assert "Reads: Sam owes you, “Slides”, due Fri 27 Nov 15:00" in result.stderr
    assert "Log it? [Y/n]" in result.stderr
    assert len(pk.json("list")) == logged


def test_capture_refuses_what_it_cannot_read(pk) -> None:
    result = pk("capture", "--yes", "send the notes sometime", code=2)
    assert "write one of:" in result.stderr
    assert pk("capture", "-y", "I'll call Dana by last fri", code=2).stderr.startswith("pk: ")
    assert pk.json("capture", "-y", "--past", "I'll call Dana by 2026-11-20")["overdue"] is True
