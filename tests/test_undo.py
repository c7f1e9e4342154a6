"""The undo journal: a stack. Undo reverts the newest change not undone, again and again; redo
re-applies; a new change clears what could be redone. Ids stay consumed, the journal is bounded,
appends are cheap, and it can never corrupt or block the store."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from promisekeeper.errors import Conflict
from promisekeeper.storage import journal, undo
from promisekeeper.storage.store import Store

ADD = ("add", "Send numbers", "--to", "Dana", "--due", "fri")
# Bulk records for the journal's bounds, in a table of their own: the store checks the shape of
# promises and requests on every write, and these tests are about counting, not about shapes.
SCRATCH = "scratch"


def journal_file(db_path):
    return journal.journal_path(db_path)


def test_undo_of_an_add_removes_it_and_the_id_stays_used(pk, db_path):
    pk(*ADD)
    result = pk("undo")
    assert result.stdout == "Undid add: #1 “Send numbers” → Dana (removed)\n"
    assert pk.json("list", "--all") == []
    assert pk.json("add", "Other", "--to", "Sam", "--due", "fri")["id"] == 2


def test_redo_brings_back_an_undone_add_with_the_same_id(pk, db_path):
    original = pk.json(*ADD)
    original.pop("heads_up")  # not part of the promise: what add said about capacity
    pk("undo")
    result = pk("redo")
    assert result.stdout == "Redid add: #1 “Send numbers” → Dana (added)\n"
    assert pk.json("show", "1") == original
    # And undo again: the redone change is the newest not undone.
    assert pk("undo").stdout.startswith("Undid add: #1")
    assert pk.json("list", "--all") == []


def test_undo_again_goes_further_back_instead_of_redoing(pk):
    """Undo is a stack: the second undo reverts the change before, it does not undo the undo."""
    pk(*ADD)
    pk("add", "Floor plan", "--from", "Sam", "--due", "tomorrow")
    pk("done", "1")
    assert pk("undo").stdout.startswith("Undid done: #1")
    assert pk("undo").stdout.startswith("Undid add: #2 “Floor plan”")
    assert pk("undo").stdout.startswith("Undid add: #1 “Send numbers”")
    assert pk.json("list", "--all") == []
    result = pk("undo", code=Conflict.exit_code)
    assert result.stderr == "pk: nothing to undo; `pk redo` re-applies what was undone\n"
    # Redo walks back up in order.
    assert pk("redo").stdout.startswith("Redid add: #1")
    assert pk("redo").stdout.startswith("Redid add: #2")
    assert pk("redo").stdout.startswith("Redid done: #1")
    assert pk.json("show", "1")["status"] == "done"
    assert "nothing to redo" in pk("redo", code=Conflict.exit_code).stderr


def test_a_new_change_after_an_undo_clears_what_could_be_redone(pk):
    pk(*ADD)
    pk("done", "1")
    pk("undo")
    pk("note", "1", "started")
    assert "nothing to redo" in pk("redo", code=Conflict.exit_code).stderr
    assert pk.json("show", "1")["status"] == "open"
    # The stack below the new change is intact: undo reverts the note, then the add.
    assert pk("undo").stdout.startswith("Undid note: #1")
    assert pk("undo").stdout.startswith("Undid add: #1")


def test_undo_is_bounded_by_the_journal(db_path, monkeypatch):
    monkeypatch.setattr(journal, "KEEP", 3)
    store = Store(db_path)
    for n in range(5):
        with store.write("add") as tx:
            tx.insert(SCRATCH, {"n": n})
    for _ in range(3):
        with store.write("undo") as tx:
            undo.undo(tx)
    with store.write("undo") as tx, pytest.raises(Conflict, match="nothing to undo"):
        undo.undo(tx)
    assert [n for _, n in ((k, r["n"]) for k, r in store.read().records(SCRATCH))] == [0, 1]


def test_undo_of_a_move_restores_deadline_and_history(pk):
    before = pk.json(*ADD)
    before.pop("heads_up")
    pk("move", "1", "next tue", "--reason", "audit")
    assert pk("undo").stdout.startswith("Undid move: #1 “Send numbers” → Dana")
    assert pk.json("show", "1") == before


@pytest.mark.parametrize(
    "change",
    [
        ("done", "1"),
        ("drop", "1", "--reason", "not needed"),
        ("note", "1", "sent a draft"),
        ("edit", "1", "--title", "New title", "--team", "Finance"),
    ],
)
def test_every_change_is_undone_exactly(pk, change):
    before = pk.json(*ADD)
    assert before.pop("heads_up") is None  # add's JSON also says whether capacity is tight
    pk(*change)
    assert pk.json("show", "1") != before
    pk("undo")
    assert pk.json("show", "1") == before


def test_undo_list_shows_recent_changes_newest_first(pk):
    pk(*ADD)
    pk("add", "Floor plan", "--from", "Sam", "--due", "tomorrow")
    pk("done", "1")
    lines = pk("undo", "--list").stdout.splitlines()
    assert len(lines) == 3
    assert lines[0].split()[0] == "3" and "done: #1 “Send numbers” → Dana" in lines[0]
    assert "← `pk undo` reverts it" in lines[0]
    assert "add: #2 “Floor plan” ← Sam (added)" in lines[1]
    assert "Mon 23 Nov 10:00" in lines[2]
    listed = pk.json("undo", "--list")
    assert [e["generation"] for e in listed] == [3, 2, 1]
    assert [e["operation"] for e in listed] == ["done", "add", "add"]
    assert listed[0]["current"] and not listed[1]["current"]
    change = listed[0]["changes"][0]
    assert change["before"]["status"] == "open" and change["after"]["status"] == "done"


def test_undo_with_an_empty_journal_says_so(pk, db_path):
    result = pk("undo", code=Conflict.exit_code)
    assert result.stderr == "pk: nothing to undo\n"
    assert not db_path.exists()
    assert pk("undo", "--list").stdout == "No changes journalled yet.\n"


def test_journal_keeps_the_last_100(db_path):
    store = Store(db_path)
    for n in range(105):
        with store.write("add") as tx:
            tx.insert(SCRATCH, {"n": n})
    entries = journal.load(db_path)
    assert len(entries) == journal.KEEP == 100
    assert [e.generation for e in entries] == list(range(6, 106))


def test_journal_is_bounded_by_records_too(db_path, monkeypatch):
    """Every write rewrites the journal: thousands of records in it would slow every `pk add`."""
    monkeypatch.setattr(journal, "MAX_RECORDS", 10)
    store = Store(db_path)
    for n in range(4):
        with store.write("bulk") as tx:
            for k in range(4):
                tx.insert(SCRATCH, {"n": n, "k": k})
    entries = journal.load(db_path)
    assert [len(e.changes) for e in entries] == [4, 4]  # 12 would be over the bound
    assert entries[-1].generation == 4


def test_a_change_too_large_to_journal_is_refused_by_undo_not_mistaken(pk, db_path, monkeypatch):
    monkeypatch.setattr(journal, "MAX_RECORDS", 3)
    pk(*ADD)
    with Store(db_path).write("import") as tx:
        for k in range(5):
            tx.insert(SCRATCH, {"k": k})
    (entry,) = [e for e in journal.load(db_path) if e.operation == "import"]
    assert entry.too_large == 5 and entry.changes == ()
    before = db_path.read_bytes()
    result = pk("undo", code=Conflict.exit_code)
    assert "too large to undo" in result.stderr and "pk doctor --restore" in result.stderr
    assert db_path.read_bytes() == before
    assert "5 records (too large to undo)" in pk("undo", "--list").stdout


def test_a_damaged_journal_never_blocks_or_corrupts_the_store(pk, db_path):
    pk(*ADD)
    journal_file(db_path).write_bytes(b"\x00garbage{")
    store_before = db_path.read_bytes()
    result = pk("undo", code=Conflict.exit_code)
    assert "undo journal" in result.stderr and "damaged" in result.stderr
    assert result.stderr.count("\n") == 1
    assert db_path.read_bytes() == store_before
    # Writes carry on and start a fresh journal, which undo can use.
    pk("add", "Second", "--to", "Sam", "--due", "fri")
    assert [e.generation for e in journal.load(db_path)] == [2]
    pk("undo")
    assert [p["id"] for p in pk.json("list")] == [1]


@pytest.mark.parametrize(
    "content",
    [
        b'{"version": 1, "entries": [{"generation": "x"}]}',
        b'{"version": 99, "entries": []}',
        b"[]",
        b'{"version": 1, "entries": [{"generation": 1, "operation": "add", "changes": [1]}]}',
    ],
)
def test_journal_of_the_wrong_shape_is_refused_not_trusted(pk, db_path, content):
    pk(*ADD)
    journal_file(db_path).write_bytes(content)
    pk("undo", code=Conflict.exit_code)
    assert len(pk.json("list")) == 1


def test_a_journal_that_cannot_be_written_does_not_fail_the_change(pk, db_path):
    journal_file(db_path).mkdir()
    pk(*ADD)
    assert [p["title"] for p in pk.json("list")] == ["Send numbers"]


def test_a_change_missing_from_the_journal_is_not_confused_with_an_older_one(pk, db_path):
    """A crash between the store write and the journal write: undo must not revert the add."""
    pk(*ADD)
    pk("done", "1")
    path = journal_file(db_path)
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join(lines[:-1]))  # the journal line of `done` was lost
    result = pk("undo", code=Conflict.exit_code)
    assert "latest change to the store is not in the undo journal" in result.stderr
    assert pk.json("show", "1")["status"] == "done"


def test_a_gap_in_the_journal_stops_the_stack_there(pk, db_path):
    """The latest change can be undone, but not past a change the journal never recorded."""
    pk(*ADD)
    pk("done", "1")
    path = journal_file(db_path)
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join(lines[:-1]))  # `done` lost: generation 2 is missing
    pk("note", "1", "sent")  # generation 3 is journalled
    assert pk("undo").stdout.startswith("Undid note: #1")
    result = pk("undo", code=Conflict.exit_code)
    assert "missing from the undo journal" in result.stderr
    assert pk.json("show", "1")["status"] == "done"
    assert "cannot be undone" in pk("undo", "--list").stdout.splitlines()[1]


def test_redo_refuses_when_a_record_changed_since_the_undo(pk, db_path):
    pk(*ADD)
    pk("done", "1")
    pk("undo")
    data = json.loads(db_path.read_text())
    data["promises"]["1"]["title"] = "Edited by hand"  # same generation: only records tell
    db_path.write_text(json.dumps(data))
    result = pk("redo", code=Conflict.exit_code)
    assert "promise #1 is not as the journal left it; nothing was redone" in result.stderr
    assert pk.json("show", "1")["status"] == "open"


def test_a_torn_last_line_is_skipped_and_the_next_append_starts_a_new_line(pk, db_path):
    """Appends are not fsynced: a crash can leave half a line. It costs that entry only."""
    pk(*ADD)
    pk("note", "1", "draft")
    path = journal_file(db_path)
    raw = path.read_bytes()
    path.write_bytes(raw[: len(raw) - 20])  # the note's line cut in half, no newline
    pk("note", "1", "final")
    assert [e.operation for e in journal.load(db_path)] == ["add", "note"]
    assert pk("undo").stdout.startswith("Undid note: #1")
    assert "missing from the undo journal" in pk("undo", code=Conflict.exit_code).stderr


def test_an_append_does_not_rewrite_the_journal(pk, db_path):
    """The cost of a write must not grow with the journal: the file only grows at its end."""
    pk(*ADD)
    path = journal_file(db_path)
    before = path.read_bytes()
    pk("note", "1", "draft")
    after = path.read_bytes()
    assert after.startswith(before) and after.count(b"\n") == before.count(b"\n") + 1


def test_the_journal_is_compacted_once_past_its_bounds(db_path, monkeypatch):
    monkeypatch.setattr(journal, "KEEP", 3)
    store = Store(db_path)
    for n in range(10):
        with store.write("add") as tx:
            tx.insert(SCRATCH, {"n": n})
    assert journal_file(db_path).read_bytes().count(b"\n") <= 2 * 3 + 1
    assert [e.generation for e in journal.load(db_path)] == [8, 9, 10]


def test_a_version_1_journal_is_read_and_upgraded(pk, db_path):
    pk(*ADD)
    entry = journal.load(db_path)[0].to_dict()
    del entry["at"]
    journal_file(db_path).write_text(json.dumps({"version": 1, "entries": [entry]}))
    assert "Mon 23 Nov 10:00" in pk("undo", "--list").stdout  # its time from the history
    pk("note", "1", "draft")
    assert journal_file(db_path).read_bytes().startswith(b'{"version":2,')
    assert pk("undo").stdout.startswith("Undid note")
    assert pk("undo").stdout.startswith("Undid add")


def test_each_entry_stores_when_it_ran_from_the_stores_clock(db_path):
    when = datetime(2026, 11, 23, 9, 30, 15, tzinfo=UTC)
    with Store(db_path, now=when).write("add") as tx:
        tx.insert(SCRATCH, {"n": 1})
    assert journal.load(db_path)[0].at == "2026-11-23T09:30:15+00:00"


def test_a_record_edited_by_hand_is_not_overwritten_by_undo(pk, db_path):
    pk(*ADD)
    data = json.loads(db_path.read_text())
    data["promises"]["1"]["title"] = "Edited by hand"  # same generation: the journal can't tell
    db_path.write_text(json.dumps(data))
    result = pk("undo", code=Conflict.exit_code)
    assert "promise #1 is not as the journal left it" in result.stderr
    assert pk.json("show", "1")["title"] == "Edited by hand"


def test_undo_json_names_what_was_reverted(pk):
    pk(*ADD)
    result = pk.json("undo")
    assert result["recorded_as"] == "undo add"
    assert result["reverted"]["operation"] == "add"
    assert result["reverted"]["changes"][0]["before"] is None
    redone = pk.json("redo")
    assert redone["recorded_as"] == "redo add" and redone["redone"]["generation"] == 1


def test_undo_list_says_what_undo_and_redo_would_do_and_when(pk):
    pk(*ADD)
    pk("add", "Floor plan", "--from", "Sam", "--due", "tomorrow")
    pk("done", "1")
    pk("undo")
    lines = pk("undo", "--list").stdout.splitlines()
    assert "[undone]" in lines[0] and "← `pk redo` re-applies it" in lines[0]
    assert "Mon 23 Nov 10:00" in lines[0]  # when the change ran, also once undone
    assert "add: #2 “Floor plan”" in lines[1] and "← `pk undo` reverts it" in lines[1]
    assert "←" not in lines[2].split("Dana", 1)[1]
    listed = pk.json("undo", "--list")
    assert [(e["generation"], e["undone"], e["next"]) for e in listed] == [
        (3, True, "redo"),
        (2, False, "undo"),
        (1, False, None),
    ]
    assert listed[0]["at"] == "2026-11-23T09:00:00+00:00"
    assert listed[0]["undone_at"] == "2026-11-23T09:00:00+00:00"


def test_undo_shows_stored_escape_sequences_inert(pk, db_path):
    pk(*ADD)
    data = json.loads(db_path.read_text())
    data["promises"]["1"]["title"] = "evil \x1b]0;owned\x07 [blink]x[/blink]"
    db_path.write_text(json.dumps(data))
    # The journal still describes the add with the old title, so list is the safe view here.
    listing = pk("undo", "--list").stdout
    assert "\x1b" not in listing and "\x07" not in listing
    journal_file(db_path).unlink()
    pk("edit", "1", "--team", "Ops")
    out = pk("undo").stdout + pk("undo", "--list").stdout
    assert "\x1b" not in out and "\x07" not in out
    assert "\\x1b]0;owned\\x07 [blink]x[/blink]" in out


def test_undo_and_redo_of_done_on_a_series_say_what_they_did(pk):
    """A redo restores what the undo removed: describing it by the undo's changes said
    `#2 ... (removed)` while #2 was back."""
    pk("add", "Weekly", "--to", "Payroll", "--due", "fri 12:00", "--every", "week on fri")
    pk("done", "1")  # schedules #2
    undone = pk("undo").stdout
    assert (
        undone
        == "Undid done: #1 “Weekly” → Payroll (done → open), #2 “Weekly” → Payroll (removed)\n"
    )
    assert [p["id"] for p in pk.json("list", "--all")] == [1]
    redone = pk("redo").stdout
    assert (
        redone == "Redid done: #1 “Weekly” → Payroll (open → done), #2 “Weekly” → Payroll (added)\n"
    )
    assert [p["id"] for p in pk.json("list", "--all")] == [1, 2]


def test_undo_list_rows_keep_the_time_column(pk):
    pk(*ADD)
    pk("undo")
    pk("redo")
    pk("note", "1", "x")
    lines = pk("undo", "--list").stdout.splitlines()
    assert [line.split()[1] for line in lines] == ["Mon", "Mon"]


def test_a_change_too_large_to_undo_stops_the_stack_below_newer_changes(pk, db_path, monkeypatch):
    monkeypatch.setattr(journal, "MAX_RECORDS", 3)
    pk(*ADD)
    with Store(db_path).write("import") as tx:
        for k in range(5):
            tx.insert(SCRATCH, {"k": k})
    pk("note", "1", "after the import")
    assert pk("undo").stdout.startswith("Undid note: #1")
    before = db_path.read_bytes()
    result = pk("undo", code=Conflict.exit_code)
    assert "(import, 5 records) is too large to undo" in result.stderr
    assert (
        "`pk doctor --restore` only puts back the state before the latest change" in result.stderr
    )
    assert db_path.read_bytes() == before
    listed = pk.json("undo", "--list")
    assert [(e["operation"], e["next"]) for e in listed] == [
        ("note", "redo"),
        ("import", "blocked"),
        ("add", None),
    ]
