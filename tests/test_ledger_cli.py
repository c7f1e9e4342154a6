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
        "#1  Send Q3 headcount numbers  → Dana [Finance]  due Fri 27 Nov 15:00 — in 4 days 5h"
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


# --- mistakes that undo: delete, correcting a deadline, one tag, bulk done and drop ----------


def test_delete_outside_a_terminal_needs_yes_and_changes_nothing(pk):
    add(pk)
    result = pk("delete", "1", code=2)
    assert result.stderr.count("\n") == 1
    assert "not a terminal" in result.stderr and "add --yes" in result.stderr
    assert "#1 “Send Q3 headcount numbers” → Dana" in result.stderr
    assert [p["id"] for p in pk.json("list")] == [1]


def test_delete_asks_on_a_terminal(pk, monkeypatch):
    from promisekeeper.cli import change_cmds

    monkeypatch.setattr(change_cmds, "stdin_is_terminal", lambda: True)
    add(pk)
    refused = pk.runner.invoke(pk_app(), ["delete", "1"], input="n\n")
    assert refused.exit_code == 1 and "Delete #1 “Send Q3 headcount numbers”" in refused.stderr
    assert [p["id"] for p in pk.json("list")] == [1]
    accepted = pk.runner.invoke(pk_app(), ["delete", "1"], input="y\n")
    assert accepted.exit_code == 0, accepted.stderr
    assert pk.json("list", "--all") == []


def pk_app():
    from promisekeeper.cli import app

    return app


def test_delete_removes_it_from_everything_and_undo_brings_it_back(pk):
    kept = add(pk, "Real promise")
    mistake = add(pk, "Typed into the wrong tool")
    pk("done", "2", env={"PK_NOW": "2026-11-28T10:00:00+01:00"})  # kept late: a bad statistic
    result = pk("delete", "2", "--yes")
    assert result.stdout == "Deleted #2 “Typed into the wrong tool”.\n"
    assert [p["id"] for p in pk.json("list", "--all")] == [kept["id"]]
    assert pk("show", "2", code=3)
    assert pk("search", "wrong").stdout.startswith("Nothing matches")
    stats = pk.json("stats", env={"PK_NOW": "2026-12-01T10:00:00+01:00"})["total"]
    assert (stats["due"], stats["kept_late"], stats["overdue"]) == (1, 0, 1)  # only #1
    pk("undo")
    assert pk.json("show", "2")["title"] == mistake["title"]


def test_delete_of_several_is_one_change_and_an_unknown_id_changes_nothing(pk):
    add(pk, "one")
    add(pk, "two")
    result = pk("delete", "1", "9", "--yes", code=3)
    assert result.stderr == "pk: no promise #9 (see `pk list --all`)\n"
    assert len(pk.json("list")) == 2
    assert pk.json("delete", "1", "2", "--yes")["deleted"][1]["title"] == "two"
    pk("undo")
    assert [p["title"] for p in pk.json("list")] == ["one", "two"]


def test_deleting_a_help_slot_removes_its_request_too(pk, db_path):
    pk("later", "Walk Dana through the form", "--for", "Dana", "--need", "30m")
    pk("book", "1", "1")
    pk("delete", "1", "--yes")
    stored = json.loads(db_path.read_text())
    assert stored["promises"] == {} and stored["requests"] == {}
    assert "Walk Dana" not in pk("slots").stdout
    pk("undo")  # both come back, still linked
    stored = json.loads(db_path.read_text())
    assert stored["requests"]["1"]["promise_id"] == 1 and stored["promises"]["1"]["request_id"] == 1


def test_edit_due_within_an_hour_is_a_correction_not_a_renegotiation(pk):
    add(pk)  # fri 3pm, logged at 10:00
    soon_after = {"PK_NOW": "2026-11-23T10:45:00+01:00"}
    result = pk("edit", "1", "--due", "thu 3pm", env=soon_after)
    assert "due Thu 26 Nov 15:00" in result.stdout
    assert "Tell" not in result.stderr  # nothing to send: the colleague never saw the typo
    shown = pk.json("show", "1", env=soon_after)
    assert shown["due"] == "2026-11-26T14:00:00+00:00"
    assert shown["renegotiations"] == 0
    event = shown["history"][-1]
    assert event == {
        "at": "2026-11-23T09:45:00+00:00",
        "type": "corrected",
        "from": "2026-11-27T14:00:00+00:00",
        "to": "2026-11-26T14:00:00+00:00",
    }
    text = pk("show", "1", env=soon_after).stdout
    assert "deadline corrected Fri 27 Nov 15:00 → Thu 26 Nov 15:00" in " ".join(text.split())


def test_edit_due_after_an_hour_points_to_move(pk):
    add(pk)
    later = {"PK_NOW": "2026-11-23T11:00:01+01:00"}
    result = pk("edit", "1", "--due", "thu 3pm", env=later, code=4)
    assert "more than an hour ago" in result.stderr
    assert 'pk move 1 WHEN --reason "..."' in result.stderr
    assert pk.json("show", "1")["due"] == "2026-11-27T14:00:00+00:00"


def test_edit_adds_and_removes_one_tag_at_a_time(pk):
    add(pk, "Numbers", "--tag", "payroll", "--tag", "q3")
    edited = pk.json("edit", "1", "--add-tag", "urgent", "--add-tag", "#finance")
    assert edited["tags"] == ["payroll", "q3", "urgent", "finance"]
    edited = pk.json("edit", "1", "--remove-tag", "Q3", "--add-tag", "payroll")
    assert edited["tags"] == ["payroll", "urgent", "finance"]
    result = pk("edit", "1", "--remove-tag", "nope", code=2)
    assert "#1 has no tag 'nope'" in result.stderr
    assert (
        "--tag replaces every tag" in pk("edit", "1", "--tag", "a", "--add-tag", "b", code=2).stderr
    )


def test_bulk_done_is_one_change_one_undo(pk):
    for title in ("a", "b", "c"):
        add(pk, title)
    result = pk("done", "1", "2", "3")
    assert result.stdout.splitlines() == [
        "Kept #1 “a” on time.",
        "Kept #2 “b” on time.",
        "Kept #3 “c” on time.",
    ]
    assert pk.json("list") == []
    assert pk("undo").stdout.count("(done → open)") == 3
    assert [p["id"] for p in pk.json("list")] == [1, 2, 3]


@pytest.mark.parametrize(
    ("ids", "code", "message"),
    [
        (("1", "7"), 3, "pk: no promise #7 (see `pk list --all`); nothing was changed\n"),
        (
            ("1", "3"),
            4,
            "pk: #3 is done; `pk reopen 3` first to complete it; nothing was changed\n",
        ),
    ],
)
def test_bulk_done_with_an_unknown_or_closed_id_changes_nothing(pk, ids, code, message):
    for title in ("a", "b", "c"):
        add(pk, title)
    pk("done", "3")
    assert pk("done", *ids, code=code).stderr == message
    assert [p["id"] for p in pk.json("list")] == [1, 2]


def test_bulk_drop_keeps_the_reason_for_each_and_undoes_at_once(pk):
    add(pk, "a")
    add(pk, "b")
    dropped = pk.json("drop", "1", "2", "--reason", "project cancelled")
    assert [p["status"] for p in dropped] == ["dropped", "dropped"]
    assert all(p["history"][-1]["reason"] == "project cancelled" for p in dropped)
    assert "nothing was changed" in pk("drop", "1", "2", code=4).stderr
    pk("undo")
    assert [p["id"] for p in pk.json("list")] == [1, 2]
