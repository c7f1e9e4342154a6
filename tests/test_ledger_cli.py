"""Every ledger command end to end through the CLI, on a temp store at a pinned instant
(Monday 23 Nov 2026 10:00 Europe/Berlin)."""

from __future__ import annotations

import json
import re

import pytest


def add(pk, title="Send Q3 headcount numbers", *extra: str) -> dict:
    args = ["add", title, *extra]
    if "--to" not in extra and "--from" not in extra:
        args += ["--to", "Dana"]
    if "--due" not in extra:
        args += ["--due", "fri 3pm"]
    return pk.json(*args)


def test_add_echoes_the_resolved_deadline(pk):
    result = pk(
        "add",
        "Send Q3 headcount numbers",
        "--to",
        "Dana",
        "--team",
        "Finance",
        "--due",
        "fri 3pm",
        "--tag",
        "payroll",
    )
    assert "Promised #1 “Send Q3 headcount numbers” → Dana" in result.stdout
    assert "due Fri 27 Nov 15:00 — in 4 days" in result.stdout


def test_add_stores_everything_a_promise_has(pk):
    created = add(pk, "Send Q3 headcount numbers", "--team", "Finance", "--tag", "payroll")
    assert created["id"] == 1
    assert created["person"] == "Dana"
    assert created["direction"] == "to"
    assert created["team"] == "Finance"
    assert created["tags"] == ["payroll"]
    assert created["due"] == "2026-11-27T14:00:00+00:00"
    assert created["created"] == "2026-11-23T09:00:00+00:00"
    assert created["status"] == "open"
    assert len(created["uuid"]) == 36
    assert [e["type"] for e in created["history"]] == ["created"]


def test_waiting_on_is_shown_with_a_left_arrow(pk):
    pk("add", "Updated floor plan", "--from", "Sam", "--due", "tomorrow")
    listing = pk("list").stdout
    assert "← Sam" in listing
    assert "Updated floor plan" in listing


@pytest.mark.parametrize(
    "args, message",
    [
        (["add", "x", "--due", "fri"], "say who"),
        (["add", "x", "--to", "A", "--from", "B", "--due", "fri"], "say who"),
        (["add", "   ", "--to", "A", "--due", "fri"], "title is empty"),
        (["add", "x", "--to", "A", "--due", "01/02/2026"], "ambiguous"),
        (["add", "x", "--to", "A", "--due", "call bob about 2 invoices"], "tomorrow"),
        (["add", "x", "--to", "A", "--due", "last monday"], "tomorrow"),
        (["add", "x", "--to", "A", "--due", "2026-11-20"], "--past"),
    ],
)
def test_add_refuses_bad_input_with_one_line_and_writes_nothing(pk, db_path, args, message):
    result = pk(*args, code=2)
    assert message in result.stderr
    assert result.stderr.startswith("pk: ")
    assert result.stderr.count("\n") == 1
    assert result.stdout == ""
    assert not db_path.exists()


def test_past_deadline_is_allowed_with_past(pk):
    created = pk.json("add", "Late already", "--to", "Dana", "--due", "2026-11-20", "--past")
    assert created["overdue"] is True


def test_bare_pk_lists_open_promises_soonest_first(pk):
    add(pk, "Later one", "--due", "next fri")
    add(pk, "Sooner one", "--due", "tomorrow")
    listing = pk().stdout
    assert listing.index("Sooner one") < listing.index("Later one")
    assert listing == pk("list").stdout


def test_empty_list_says_so_in_a_friendly_line(pk):
    assert pk("list").stdout.startswith("No open promises.")
    assert pk("overdue").stdout.startswith("Nothing is overdue.")


def test_list_filters(pk):
    add(pk, "For Dana", "--team", "Finance", "--tag", "payroll", "--due", "tomorrow")
    add(pk, "For Lee", "--to", "Lee", "--team", "Ops", "--due", "next fri")
    add(pk, "From Sam", "--from", "Sam", "--due", "fri")
    add(pk, "Late one", "--to", "Lee", "--due", "2026-11-20 09:00", "--past")
    titles = lambda *a: [p["title"] for p in pk.json("list", *a)]  # noqa: E731
    assert titles("--to", "dana") == ["For Dana"]
    assert titles("--from", "Sam") == ["From Sam"]
    assert titles("--team", "ops") == ["For Lee"]
    assert titles("--tag", "payroll") == ["For Dana"]
    assert titles("--overdue") == ["Late one"]
    assert titles("--due-before", "thu") == ["Late one", "For Dana"]
    assert pk("list", "--to", "Nobody").stdout.startswith("Nothing matches")


def test_done_records_on_time_and_all_shows_it(pk):
    add(pk)
    assert "Kept #1 “Send Q3 headcount numbers” on time." in pk("done", "1").stdout
    assert pk.json("list") == []
    (shown,) = pk.json("list", "--all")
    assert shown["status"] == "done"
    assert shown["kept_on_time"] is True
    assert shown["history"][-1]["type"] == "done"


def test_done_late_records_how_late(pk):
    pk("add", "Late report", "--to", "Dana", "--due", "2026-11-21 10:00", "--past")
    result = pk("done", "1")
    assert "2 days late" in result.stdout
    shown = pk.json("show", "1")
    assert shown["kept_on_time"] is False
    assert shown["history"][-1]["late_seconds"] == 2 * 86400


def test_overdue_view_shows_how_late(pk):
    pk("add", "Late report", "--to", "Dana", "--due", "2026-11-23 07:00", "--past")
    add(pk, "Not late")
    listing = pk("overdue").stdout
    assert "Late report" in listing and "3h late" in listing
    assert "Not late" not in listing
    assert [p["title"] for p in pk.json("overdue")] == ["Late report"]


def test_move_keeps_history_and_requires_a_reason(pk):
    add(pk)
    pk("move", "1", "next tue", code=2)
    result = pk("move", "1", "next tue", "--reason", "waiting on the audit file")
    assert "Moved #1" in result.stdout and "due Tue 1 Dec 17:00" in result.stdout
    assert "Hi Dana" in result.stderr and "thank you" in result.stderr
    shown = pk.json("show", "1")
    moved = shown["history"][-1]
    assert moved["type"] == "moved"
    assert moved["from"] == "2026-11-27T14:00:00+00:00"
    assert moved["to"] == "2026-12-01T16:00:00+00:00"
    assert moved["reason"] == "waiting on the audit file"
    assert shown["renegotiations"] == 1
    text = pk("show", "1").stdout
    assert "deadline moved Fri 27 Nov 15:00 → Tue 1 Dec 17:00 — waiting on the audit file" in text
    assert re.search(r"renegotiated\s+1 time\s", text)


def test_note_drop_reopen(pk):
    add(pk)
    pk("note", "1", "sent draft to Dana for a first look")
    pk("drop", "1", "--reason", "Dana no longer needs it")
    assert pk.json("list") == []
    pk("done", "1", code=4)
    pk("reopen", "1")
    shown = pk.json("show", "1")
    assert shown["status"] == "open"
    assert shown["notes"][0]["text"] == "sent draft to Dana for a first look"
    assert [e["type"] for e in shown["history"]] == ["created", "note", "dropped", "reopened"]
    assert shown["history"][2]["reason"] == "Dana no longer needs it"
    pk("reopen", "1", code=4)


def test_edit_changes_fields_and_records_them(pk):
    add(pk, "Old title", "--tag", "a")
    edited = pk.json(
        "edit",
        "1",
        "--title",
        "New title",
        "--from",
        "Sam",
        "--team",
        "Ops",
        "--tag",
        "b",
        "--tag",
        "c",
    )
    assert (edited["title"], edited["person"], edited["direction"]) == ("New title", "Sam", "from")
    assert edited["team"] == "Ops" and edited["tags"] == ["b", "c"]
    changes = edited["history"][-1]["changes"]
    assert changes["title"] == {"from": "Old title", "to": "New title"}
    pk("edit", "1", code=2)  # nothing to change


def test_search_finds_titles_notes_and_reasons(pk):
    add(pk, "Send Q3 headcount numbers")
    add(pk, "Floor plan")
    pk("note", "2", "ask facilities about the annex")
    assert [p["id"] for p in pk.json("search", "headcount")] == [1]
    assert [p["id"] for p in pk.json("search", "ANNEX")] == [2]
    assert pk("search", "nothing-like-this").stdout.startswith("Nothing matches")


@pytest.mark.parametrize("command", ["show", "done", "drop", "reopen", "note"])
def test_unknown_id_is_one_line_exit_3(pk, command):
    args = [command, "99"] + (["text"] if command == "note" else [])
    result = pk(*args, code=3)
    assert result.stderr == "pk: no promise #99 (see `pk list --all`)\n"


def test_ids_are_never_reused(pk):
    add(pk, "one")
    add(pk, "two")
    assert add(pk, "three")["id"] == 3


def test_rich_markup_in_titles_is_printed_literally(pk):
    add(pk, "[blink]urgent[/blink] [red]x")
    assert "[blink]urgent[/blink] [red]x" in pk("list").stdout
    assert "[blink]urgent[/blink]" in pk("show", "1").stdout


def test_colours_mark_overdue_red_and_due_today_yellow(pk):
    pk("add", "Late", "--to", "A", "--due", "2026-11-23 08:00", "--past")
    pk("add", "Today", "--to", "A", "--due", "eod")
    env = {"NO_COLOR": "", "FORCE_COLOR": "1", "TTY_COMPATIBLE": "1"}
    coloured = pk("list", env=env).stdout
    assert "\x1b[31m" in coloured  # red
    assert "\x1b[33m" in coloured  # yellow
    assert "\x1b[" not in pk("list").stdout  # NO_COLOR=1 from the fixture


def test_plain_output_has_no_box_characters(pk):
    add(pk, "Send Q3 headcount numbers", "--team", "Finance", "--tag", "payroll")
    plain = pk("list", "--plain").stdout
    assert plain == (
        "#1  Send Q3 headcount numbers  → Dana [Finance]  due Fri 27 Nov 15:00 — in 4 days"
        " #payroll\n"
    )


def test_version(pk):
    from promisekeeper import __version__

    assert pk("--version").stdout == f"pk {__version__}\n"


def test_store_is_plain_tinydb_json_with_a_schema(pk, db_path):
    add(pk)
    data = json.loads(db_path.read_text())
    assert data["_meta"]["1"]["schema"] == 1
    assert data["promises"]["1"]["title"] == "Send Q3 headcount numbers"
    from tinydb import TinyDB

    with TinyDB(db_path) as db:
        assert db.table("promises").get(doc_id=1)["person"] == "Dana"


def test_db_option_and_env_choose_the_store(pk, tmp_path):
    other = tmp_path / "other.json"
    pk("--db", str(other), "add", "Elsewhere", "--to", "A", "--due", "fri")
    assert other.exists()
    assert pk.json("list") == []
    assert len(pk.json("--db", str(other), "list")) == 1
