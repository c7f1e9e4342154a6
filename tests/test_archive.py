"""Closed history leaves the hot file: the archive beside the store (storage/archive.py).

The clock is pinned (conftest: Mon 23 Nov 2026 10:00 Berlin); old history is made by running
commands with PK_NOW months earlier, as a user would have run them then.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from promisekeeper.storage import archive

SEPTEMBER = {"PK_NOW": "2026-09-01T10:00:00+02:00"}
OCTOBER_END = {"PK_NOW": "2026-10-30T10:00:00+01:00"}


def hot_ids(db: Path) -> set[int]:
    return {int(k) for k in json.loads(db.read_text())["promises"]}


def archive_lines(db: Path) -> list[dict]:
    path = archive.archive_path(db)
    return [json.loads(x) for x in path.read_text().splitlines() if x.strip()]


@pytest.fixture
def history(pk, db_path: Path) -> Path:
    """#1 done and #2 dropped in September (old), #3 done late October (recent), #4 open."""
    pk("add", "Q3 numbers", "--to", "Dana", "--due", "2026-09-02", env=SEPTEMBER)
    pk("add", "Old slides", "--to", "Lee", "--due", "2026-09-03", env=SEPTEMBER)
    pk("done", "1", env=SEPTEMBER)
    pk("drop", "2", "--reason", "not needed", env=SEPTEMBER)
    pk("add", "Floor plan", "--from", "Sam", "--due", "2026-10-31", env=OCTOBER_END)
    pk("done", "3", env=OCTOBER_END)
    pk("add", "Budget", "--to", "Dana", "--due", "fri")  # today: the first write since
    return db_path


def test_old_closed_promises_move_out_of_the_hot_file(history: Path) -> None:
    assert hot_ids(history) == {3, 4}  # recent history and open promises stay
    assert [line["id"] for line in archive_lines(history)] == [1, 2]


def test_views_that_need_history_read_the_archive(pk, history: Path) -> None:
    everything = pk.json("list", "--all")
    assert [p["id"] for p in everything] == [1, 2, 3, 4]
    assert [p["id"] for p in pk.json("list")] == [4]
    assert pk.json("show", "1")["title"] == "Q3 numbers"
    assert "Q3 numbers" in pk("search", "Q3").stdout
    total = pk.json("stats", "--weeks", "20")["total"]
    assert total["kept_on_time"] + total["kept_late"] >= 1 and total["dropped"] >= 1


def test_export_round_trip_includes_the_archive(pk, history: Path, tmp_path: Path) -> None:
    exported = json.loads(pk("export", "--format", "json").stdout)
    assert [p["id"] for p in exported["promises"]] == [1, 2, 3, 4]
    fresh = tmp_path / "fresh.json"
    out = tmp_path / "export.json"
    out.write_text(pk("export", "--format", "json").stdout)
    pk("import", str(out), env={"PK_DB": str(fresh)})
    again = pk("export", "--format", "json", env={"PK_DB": str(fresh)}).stdout
    assert json.loads(again)["promises"] == exported["promises"]


def test_ids_stay_unique_across_both(pk, history: Path) -> None:
    added = pk.json("add", "New one", "--to", "Kim", "--due", "fri")
    assert added["id"] == 5


def test_a_reopened_archived_promise_comes_back_hot(pk, history: Path) -> None:
    pk("reopen", "1")
    assert 1 in hot_ids(history)
    assert [p["id"] for p in pk.json("list")] == [1, 4]
    assert [p["id"] for p in pk.json("list", "--all")] == [1, 2, 3, 4]  # once, not twice
    pk("undo")
    assert pk.json("show", "1")["status"] == "done"


def test_removing_an_archived_promise_leaves_no_trace(pk, history: Path) -> None:
    """Undo (or `pk delete`) of a change to a promise that has since been archived removes it
    from the archive too: a tombstone line, written after the hot commit."""
    from promisekeeper.storage.files import PROMISES
    from promisekeeper.storage.store import Store

    with Store(history).write("undo add") as tx:
        assert tx.record(PROMISES, 1)["title"] == "Q3 numbers"  # found in the archive
        tx.remove(PROMISES, 1)
    assert [p["id"] for p in pk.json("list", "--all")] == [2, 3, 4]
    assert archive_lines(history)[-1]["promise"].get(archive.TOMBSTONE)
    pk("show", "1", code=3)


def test_a_promise_in_both_places_counts_once_and_the_move_completes(pk, history: Path) -> None:
    """A kill between the archive append and the hot commit leaves #3 in both places."""
    record = json.loads(history.read_text())["promises"]["3"]
    with archive.archive_path(history).open("ab") as handle:
        handle.write(json.dumps({"id": 3, "promise": record}).encode() + b"\n")
    assert [p["id"] for p in pk.json("list", "--all")] == [1, 2, 3, 4]
    doctor = pk("doctor", code=None)
    assert "both in the store and in the archive" in doctor.stdout
    # Once #3 is old enough, the next write moves it for good (appended again: last line wins).
    pk(
        "add",
        "Later",
        "--to",
        "Kim",
        "--due",
        "2026-12-31",
        env={"PK_NOW": "2026-12-15T10:00:00+01:00"},
    )
    assert 3 not in hot_ids(history)
    assert [p["id"] for p in pk.json("list", "--all")].count(3) == 1


def test_a_torn_last_line_is_ignored_then_cut(pk, history: Path) -> None:
    path = archive.archive_path(history)
    with path.open("ab") as handle:
        handle.write(b'{"id": 9, "promise": {"uuid": "x", "tit')
    assert [p["id"] for p in pk.json("list", "--all")] == [1, 2, 3, 4]
    assert "cut short" in pk("doctor", code=None).stdout
    pk(
        "add",
        "Later",
        "--to",
        "Kim",
        "--due",
        "2026-12-31",
        env={"PK_NOW": "2026-12-15T10:00:00+01:00"},
    )
    assert path.read_bytes().endswith(b"\n")
    assert all(line["id"] != 9 for line in archive_lines(history))
    assert not archive.scan(history).bad


def test_a_garbage_line_is_a_doctor_problem(pk, history: Path) -> None:
    with archive.archive_path(history).open("ab") as handle:
        handle.write(b"not json\n")
    assert "not promise records" in pk("doctor", code=None).stdout


def test_hot_commands_never_open_the_archive(history: Path) -> None:
    """`pk list`, `pk add`, `pk done` and `pk overdue` read only the hot file."""
    probe = (
        "import sys\n"
        "def hook(event, args):\n"
        "    if event == 'open' and str(args[0]).endswith('.archive'):\n"
        "        sys.stderr.write('OPENED-ARCHIVE\\n')\n"
        "sys.addaudithook(hook)\n"
        "from promisekeeper.__main__ import main\n"
        "main(sys.argv[1:])\n"
    )
    src = str(Path(__file__).resolve().parents[1] / "src")
    import os

    env = {**os.environ, "PYTHONPATH": src}
    for args in (["list"], ["overdue"], ["add", "X", "--to", "Y", "--due", "fri"], ["done", "4"]):
        result = subprocess.run(
            [sys.executable, "-c", probe, *args], env=env, capture_output=True, timeout=60
        )
        assert result.returncode == 0, result.stderr
        assert b"OPENED-ARCHIVE" not in result.stderr, args
    shown = subprocess.run(
        [sys.executable, "-c", probe, "show", "1"], env=env, capture_output=True, timeout=60
    )
    assert b"OPENED-ARCHIVE" in shown.stderr  # the probe does see an archive read


def test_closed_at_reads_done_and_dropped() -> None:
    done = {"status": "done", "done_at": "2026-09-01T08:00:00+00:00", "due": "x"}
    dropped = {
        "status": "dropped",
        "due": "2026-09-02T15:00:00+00:00",
        "history": [{"type": "dropped", "at": "2026-09-03T08:00:00+00:00"}],
    }
    assert archive.closed_at(done).isoformat() == "2026-09-01T08:00:00+00:00"
    assert archive.closed_at(dropped).isoformat() == "2026-09-03T08:00:00+00:00"
    assert archive.closed_at({"status": "open"}) is None


def test_due_for_archive_decides_by_time_not_by_text() -> None:
    """`done_at` is compared as text only to keep a later one hot; every other form is parsed,
    so a time written with another offset, with microseconds or at the cutoff's own second is
    judged by the time it means."""
    from datetime import UTC, datetime, timedelta

    now = datetime(2026, 11, 23, 9, 0, 0, 500_000, tzinfo=UTC)
    cutoff = "2026-10-24T09:00:00+00:00"  # now - 30 days, to the second

    def done(at: str) -> dict:
        return {"status": "done", "done_at": at, "due": "2026-10-01T15:00:00+00:00"}

    records = list(
        enumerate(
            [
                done("2026-10-24T09:00:01+00:00"),  # 1: after the cutoff: stays
                done("2026-10-24T08:59:59+00:00"),  # 2: before: moves
                done(cutoff),  # 3: the cutoff's second, half a second before it: moves
                done("2026-10-24T10:30:00+02:00"),  # 4: 08:30 UTC, its text "later": moves
                done("2026-10-24T03:30:00-06:00"),  # 5: 09:30 UTC, its text "earlier": stays
                done("2026-10-24T08:59:59.900000+00:00"),  # 6: microseconds, before: moves
                {"status": "dropped", "due": "2026-09-01T15:00:00+00:00", "history": []},  # 7
                {"status": "open", "done_at": None, "due": "2026-09-01T15:00:00+00:00"},  # 8
            ],
            start=1,
        )
    )
    chosen = [pid for pid, _ in archive.due_for_archive(records, now, timedelta(days=30))]
    assert chosen == [2, 3, 4, 6, 7]
