"""`pk list`, `pk overdue`, `pk standup` and `pk done ID...` without Typer (`cli/fast.py`): the
forms it takes, the forms it leaves to Typer, and the same bytes, exit code and saved change as
the Typer commands for every form it takes.

Each form runs both ways under the same capture (Click's test isolation: stdout is not a
terminal, so tables turn into plain lines unless `--table` asks for one)."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from promisekeeper.cli import app
from promisekeeper.cli.fast import fast_form, run_fast

RUNNER = CliRunner()


def through_typer(args: list[str]) -> tuple[int, str, str]:
    result = RUNNER.invoke(app, args, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def through_fast_path(args: list[str]) -> tuple[int, str, str]:
    with RUNNER.isolation() as (out, err, *_):
        code = 0
        try:
            assert run_fast(args), f"the fast path refused {args}"
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        sys.stdout.flush()
        sys.stderr.flush()
        return code, out.getvalue().decode(), err.getvalue().decode()


@pytest.fixture
def ledger(pk) -> None:
    """Late, due today, due soon, later, waiting-on, and one closed promise."""
    pk("add", "Q3 headcount numbers", "--to", "Dana", "--team", "Finance", "--due", "fri 3pm")
    pk("add", "Time cards", "--to", "Payroll", "--due", "2026-11-20 12:00", "--past", "-t", "pay")
    pk("add", "Floor plan", "--from", "Sam", "--due", "2026-11-19", "--past")
    pk("add", "Budget draft", "--to", "Lee", "--due", "today 11:30")
    pk("add", "Offsite agenda", "--to", "Lee", "--due", "today 17:00")
    pk("add", "Old report", "--to", "Kim", "--due", "tomorrow")
    pk("done", "6")


FORMS = [
    ["--version"],
    [],
    ["list"],
    ["overdue"],
    ["list", "--plain"],
    ["list", "--json"],
    ["list", "--table"],
    ["overdue", "--json"],
    ["overdue", "--plain"],
    ["overdue", "--table"],
    ["list", "--json", "--plain"],  # refused: one line, exit 2
    ["overdue", "--table", "--json"],
    ["standup"],
    ["standup", "--json"],
]


@pytest.mark.parametrize("args", FORMS, ids=lambda a: " ".join(a) or "(bare)")
def test_every_fast_form_prints_what_typer_prints(ledger, args: list[str]) -> None:
    expected = through_typer(args)
    assert through_fast_path(args) == expected
    assert expected[1] or expected[2]  # a comparison of two silences would prove nothing


def test_the_fast_path_prints_the_ledger(ledger) -> None:
    code, out, _ = through_fast_path(["overdue", "--plain"])
    assert code == 0
    assert [line.split()[0] for line in out.splitlines()] == ["#3", "#2"]  # longest-late first
    _, listed, _ = through_fast_path(["list"])
    assert "#6" not in listed and listed.count("\n") == 5


@pytest.mark.parametrize("args", [["list"], ["overdue"], ["overdue", "--json"]])
def test_an_empty_ledger_says_so_the_same_way(args: list[str]) -> None:
    assert through_fast_path(args) == through_typer(args)


def test_db_option_before_the_command(ledger, db_path: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("PK_DB", str(tmp_path / "elsewhere.json"))  # --db must win over it
    for args in (["--db", str(db_path), "overdue"], [f"--db={db_path}", "list", "--plain"]):
        fast = through_fast_path(args)
        assert fast == through_typer(args)
        assert "Time cards" in fast[1]
    bare = through_fast_path(["--db", str(db_path)])  # bare `pk --db PATH` lists
    assert "Q3 headcount numbers" in bare[1]


def test_a_damaged_store_fails_the_same_way(db_path: Path) -> None:
    db_path.write_text('{"promises": {"1": {"title": ')
    fast = through_fast_path(["list"])
    assert fast == through_typer(["list"])
    assert fast[0] != 0 and fast[2].startswith("pk: ") and fast[2].count("\n") == 1


def test_a_bad_config_fails_the_same_way(isolated: Path) -> None:
    (isolated / "config.toml").write_text("sooon = '2h'\n")
    fast = through_fast_path(["overdue"])
    assert fast == through_typer(["overdue"])
    assert fast[0] == 78 and "sooon" in fast[2]


@pytest.mark.parametrize(
    ("args", "form"),
    [
        ([], ("list", None, {"flags": frozenset()})),
        (["overdue", "--plain"], ("overdue", None, {"flags": frozenset({"--plain"})})),
        (["--db", "a.json", "--db=b.json", "list"], ("list", "b.json", {"flags": frozenset()})),
        (["--db", "~/p.json"], ("list", "~/p.json", {"flags": frozenset()})),
        (["done", "3"], ("done", None, {"pids": [3], "json_": False})),
        (["done", "--json", "12", "007"], ("done", None, {"pids": [12, 7], "json_": True})),
        (["standup", "--json"], ("standup", None, {"json_": True})),
        (
            ["add", "Q3", "-t", "a", "--to", "Dana", "--tag", "b", "-d", "fri", "-q"],
            (
                "add",
                None,
                {"title": "Q3", "to": "Dana", "due": "fri", "tags": ["a", "b"], "quiet": True},
            ),
        ),
    ],
)
def test_forms_it_takes(args: list[str], form) -> None:
    assert fast_form(args) == form


@pytest.mark.parametrize(
    "args",
    [
        ["list", "--to", "Dana"],  # an option with a value: Typer parses those
        ["list", "-p", "Dana"],
        ["list", "--help"],
        ["overdue", "-h"],
        ["--version", "list"],
        ["list", "--version"],
        ["--help"],
        ["list", "--json", "--json"],
        ["overdue", "now"],
        ["list", "--all"],
        ["add", "x"],
        ["--db"],
        ["--db", "", "list"],
        ["--db", "--json", "list"],
        ["lists"],  # a typo gets Typer's "no such command"
        ["done"],  # no id: Typer says what is missing
        ["done", "+3"],  # int() takes these; Click's message for them stays Click's
        ["done", "3_000"],
        ["done", "\u0663"],
        ["done", "3", "--plain"],
        ["done", "--", "3"],
        ["done", "-3"],
        ["done", "3", "--help"],
        ["list", "3"],
        ["standup", "--format", "markdown"],
        ["standup", "--plain"],
        ["standup", "2"],
        ["add", "Q3", "--to", "Dana"],  # no --due: Typer names what is missing
        ["add", "--to", "Dana", "--due", "fri"],  # no title
        ["add", "Q3", "more", "--to", "Dana", "--due", "fri"],
        ["add", "Q3", "--to", "Dana", "--due", "fri", "--due", "mon"],  # Click keeps the last
        ["add", "Q3", "--to=Dana", "--due", "fri"],
        ["add", "Q3", "--to", "Dana", "--due", "-1d"],
        ["add", "Q3", "--to", "Dana", "--due", "fri", "--every", "week"],
        ["add", "Q3", "--to", "Dana", "--due", "fri", "--json", "--json"],
        ["add", "--", "-5% forecast", "--to", "Dana", "--due", "fri"],
        ["add", "Q3", "--to", "Dana", "--due", "fri", "--help"],
        ["add", "Q3", "--to", "Dana", "--due"],
    ],
)
def test_forms_it_leaves_to_typer(args: list[str]) -> None:
    assert fast_form(args) is None
    assert run_fast(args) is False


def test_shell_completion_always_goes_to_typer(monkeypatch) -> None:
    monkeypatch.setenv("_PK_COMPLETE", "complete_bash")
    assert fast_form(["list"]) is not None
    assert run_fast(["list"]) is False


def test_a_filter_still_works_through_typer(ledger, proc) -> None:
    """The real entry point: a form the fast path refuses is run by Typer, not dropped."""
    done = proc("list", "--to", "Lee", "--plain")
    assert done.returncode == 0
    assert [line.split("  ")[1] for line in done.stdout.decode().splitlines()] == [
        "Budget draft",
        "Offsite agenda",
    ]


DONE_FORMS = [
    ["done", "1"],  # on time
    ["done", "2"],  # late
    ["done", "3"],  # what Sam owed: delivered, with the nudge to thank
    ["done", "4", "5", "--json"],
    ["done", "--json", "1"],
    ["done", "1", "6"],  # 6 is closed already: nothing changes, exit 1
    ["done", "99"],
    ["done", "0"],
    ["done", "9007199254740993"],  # beyond 2**53: not an id
]


@pytest.mark.parametrize("args", DONE_FORMS, ids=" ".join)
def test_done_prints_and_saves_what_typer_does(ledger, db_path: Path, args) -> None:
    before = db_path.read_bytes()
    expected = through_typer(args)
    after_typer = db_path.read_bytes()
    db_path.write_bytes(before)
    assert through_fast_path(args) == expected
    assert db_path.read_bytes() == after_typer  # the same change, byte for byte
    assert expected[1] or expected[2]


def test_done_through_the_real_entry_point(ledger, proc) -> None:
    done = proc("done", "1")
    assert (done.returncode, done.stdout) == (
        0,
        "Kept #1 “Q3 headcount numbers” on time.\n".encode(),
    )
    assert proc("done", "1").returncode != 0  # closed already


ADD_FORMS = [
    ["add", "Budget draft", "--to", "Dana", "--due", "fri 3pm"],
    ["add", "Budget draft", "--to", "Dana", "--due", "fri", "--team", "Finance", "-t", "q3"],
    ["add", "Floor plan", "--from", "Sam", "-d", "tomorrow", "--json"],
    ["add", "Budget", "--to", "Dana", "--due", "fri", "--effort", "3h", "--tag", "a", "-t", "b"],
    ["add", "Late one", "--to", "Kim", "--due", "2026-11-20", "--past", "-q"],
    ["add", "Late one", "--to", "Kim", "--due", "2026-11-20"],  # refused: in the past
    ["add", "Vague", "--to", "Kim", "--due", "soonish"],  # refused: no such date
    ["add", "Both", "--to", "Kim", "--from", "Sam", "--due", "fri"],  # refused: which way?
    ["add", "Busy friday", "--to", "Lee", "--due", "fri 3pm", "--effort", "30h"],  # heads-up
]


def without_uuid(run: tuple[int, str, str]) -> tuple[int, str, str]:
    code, out, err = run
    return code, re.sub(r'"uuid": "[0-9a-f-]{36}"', '"uuid": "…"', out), err


def saved(db_path: Path) -> list[dict]:
    """The saved promises without what is new on every run (a random uuid)."""
    records = json.loads(db_path.read_text())["promises"]
    return [{k: v for k, v in r.items() if k != "uuid"} for r in records.values()]


@pytest.mark.parametrize("args", ADD_FORMS, ids=" ".join)
def test_add_prints_and_saves_what_typer_does(ledger, db_path: Path, args) -> None:
    before = db_path.read_bytes()
    expected = through_typer(args)
    after_typer = saved(db_path)
    db_path.write_bytes(before)
    assert without_uuid(through_fast_path(args)) == without_uuid(expected)
    assert saved(db_path) == after_typer
    assert expected[1] or expected[2]


def test_add_through_the_real_entry_point(proc) -> None:
    done = proc("add", "Q3 numbers", "--to", "Dana", "--due", "fri")
    assert done.returncode == 0
    assert done.stdout.decode().startswith("Promised #1 “Q3 numbers” → Dana")
