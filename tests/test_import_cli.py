"""`pk import --from taskwarrior|todo.txt`: the CLI over the pure readers — one transaction, the
history at the tools' own times, nothing imported twice, a report of what was skipped and why.
Pinned at Mon 23 Nov 2026 10:00 Berlin."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_import_other import TW_EXPORT

TODO = """\
(A) 2026-11-20 Send numbers +budget due:2026-11-27 person:Dana
x 2026-11-21 2026-11-18 Review slides due:2026-11-20 person:Lee
Floor plan @waiting due:2026-11-30 person:Sam
Call the printer +office
# a comment
"""


@pytest.fixture
def tw_file(tmp_path: Path) -> Path:
    path = tmp_path / "tasks.json"
    path.write_text(TW_EXPORT)
    return path


@pytest.fixture
def todo_file(tmp_path: Path) -> Path:
    path = tmp_path / "todo.txt"
    path.write_text(TODO)
    return path


def test_taskwarrior_import_creates_promises_with_their_history(pk, tw_file: Path) -> None:
    report = pk.json(
        "import",
        "--from",
        "taskwarrior",
        str(tw_file),
        "--person-from",
        "person",
        "--person",
        "Priya",
    )
    titles = [p["title"] for p in report["imported"]]
    assert titles == [
        "Send Q3 headcount numbers",
        "Review budget draft",
        "Book the offsite venue",
        "Floor plan",
        "Weekly report",
    ]
    assert [p["id"] for p in report["imported"]] == [1, 2, 3, 4, 5]
    reasons = {s["reason"] for s in report["skipped"]}
    assert len(report["skipped"]) == 2 and any("due" in r for r in reasons)
    review = pk.json("show", "2")
    assert [e["type"] for e in review["history"]] == ["created", "done"]
    assert review["history"][0]["at"] == "2026-11-18T10:00:00+00:00"
    assert review["history"][0]["source"] == "taskwarrior:6a2d3b9f-9e4c-4b62-8f1b-2c3d4e5f6071"
    assert review["done_at"] == "2026-11-25T15:30:00+00:00" and review["kept_on_time"] is True
    venue = pk.json("show", "3")
    assert venue["status"] == "dropped"
    assert venue["history"][-1]["at"] == "2026-11-30T12:00:00+00:00"
    first = pk.json("show", "1")
    assert [e["type"] for e in first["history"]] == ["created", "note"]
    assert "(imported from taskwarrior)" in pk("show", "1").stdout
    assert pk.json("show", "4")["direction"] == "from"  # tagged waiting: Sam owes me


def test_importing_again_skips_what_came_before(pk, tw_file: Path) -> None:
    pk("import", "--from", "taskwarrior", str(tw_file), "--person", "Priya")
    again = pk.json("import", "--from", "taskwarrior", str(tw_file), "--person", "Priya")
    assert again["imported"] == []
    assert sum(s["reason"] == "imported before" for s in again["skipped"]) == 5
    assert len(pk.json("list", "--all")) == 5


def test_dry_run_changes_nothing_and_says_what_it_would_do(pk, tw_file: Path, db_path) -> None:
    result = pk("import", "--from", "taskwarrior", str(tw_file), "--person", "P", "--dry-run")
    lines = result.stdout.splitlines()
    assert lines[0] == "Would import 5 promises from taskwarrior, skipped 2."
    assert lines[1].startswith("  Send Q3 headcount numbers  → P")
    assert any(line.startswith("  skipped 'Water the plants'") for line in lines)
    assert not db_path.exists() or pk.json("list", "--all") == []
    data = pk.json("import", "--from", "taskwarrior", str(tw_file), "--person", "P", "--dry-run")
    assert data["dry_run"] is True and data["imported"][0]["id"] is None


def test_todotxt_import_and_report(pk, todo_file: Path) -> None:
    result = pk("import", "--from", "todo.txt", str(todo_file))
    assert result.stdout.splitlines()[0] == "Imported 3 promises from todo.txt, skipped 1."
    assert "  skipped 'Call the printer +office' (line 4): " in result.stdout
    promises = {p["title"]: p for p in pk.json("list", "--all")}
    assert promises["Review slides"]["status"] == "done"
    assert promises["Floor plan"]["direction"] == "from"
    assert promises["Send numbers"]["due"] == "2026-11-27T16:00:00+00:00"  # end of the workday
    # The lines moved and one was ticked off since: still the same items, nothing added.
    todo_file.write_text("# moved\n" + TODO.replace("(A) 2026-11-20 Send", "(B) 2026-11-20 Send"))
    again = pk.json("import", "--from", "todotxt", str(todo_file))
    assert again["imported"] == []


def test_import_reads_stdin_for_a_dash(pk) -> None:
    result = pk.runner.invoke(
        __import__("promisekeeper.cli", fromlist=["app"]).app,
        ["import", "--from", "todo.txt", "-", "--person", "Dana", "--json"],
        input="Send numbers due:2026-11-27\n",
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.stderr
    assert pk.json("show", "1")["person"] == "Dana"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "omnifocus"], "--from 'omnifocus'? choose one of pk, taskwarrior, todo.txt"),
        (["--from", "taskwarrior", "--merge"], "--merge is for pk's own exports"),
        (["--dry-run"], "--person, --person-from and --dry-run are for --from"),
        (["--from", "todo.txt", "--person-from", "project"], "--person-from is for Taskwarrior"),
    ],
)
def test_import_refuses_options_that_do_not_fit(pk, tw_file: Path, args, message) -> None:
    result = pk("import", str(tw_file), *args, code=2)
    assert result.stderr.startswith("pk: " + message)


def test_not_a_taskwarrior_export_is_refused(pk, tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text("hello")
    assert pk("import", "--from", "taskwarrior", str(path), code=2).stderr.startswith("pk: ")
