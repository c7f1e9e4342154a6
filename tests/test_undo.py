"""The undo journal: one entry per change, undo reverts the latest, undo of an undo redoes, ids
stay consumed, the journal is bounded and can never corrupt or block the store."""

from __future__ import annotations

import json

import pytest

from promisekeeper.errors import Conflict
from promisekeeper.storage import journal
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


def test_undo_of_an_undo_redoes_with_the_same_id(pk, db_path):
    original = pk.json(*ADD)
    pk("undo")
    result = pk("undo")
    assert result.stdout == "Redid add: #1 “Send numbers” → Dana (added)\n"
    assert pk.json("show", "1") == original
    # And once more: undo the redo.
    assert pk("undo").stdout.startswith("Undid add: #1")
    assert pk.json("list", "--all") == []


def test_undo_of_a_move_restores_deadline_and_history(pk):
    before = pk.json(*ADD)
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
    assert "latest" in lines[0]
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
    data = json.loads(journal_file(db_path).read_text())
    data["entries"].pop()  # the journal entry of `done` was lost
    journal_file(db_path).write_text(json.dumps(data))
    result = pk("undo", code=Conflict.exit_code)
    assert "latest change to the store is not in the undo journal" in result.stderr
    assert pk.json("show", "1")["status"] == "done"


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
    redone = pk("undo").stdout
    assert (
        redone == "Redid done: #1 “Weekly” → Payroll (open → done), #2 “Weekly” → Payroll (added)\n"
    )
    assert [p["id"] for p in pk.json("list", "--all")] == [1, 2]


def test_undo_list_rows_for_undo_and_redo_keep_the_time_column(pk):
    pk(*ADD)
    pk("undo")
    pk("undo")
    lines = pk("undo", "--list").stdout.splitlines()
    assert [line.split()[1] for line in lines] == ["—", "—", "Mon"]
    assert "redo add: #1 “Send numbers” → Dana (added)" in lines[0]
    assert "undo add: #1 “Send numbers” → Dana (removed)" in lines[1]
