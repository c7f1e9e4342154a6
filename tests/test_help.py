"""Help text is documentation: every command has a --help with an example (a test keeps it so)."""

from __future__ import annotations

import pytest
from typer.main import get_command

from promisekeeper.cli import app

COMMANDS = sorted(get_command(app).commands)  # type: ignore[attr-defined]


def test_the_ledger_commands_exist():
    expected = {"add", "list", "overdue", "show", "move", "note", "done", "drop", "reopen"}
    assert expected | {"edit", "search"} <= set(COMMANDS)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_with_an_example(pk, command):
    text = pk(command, "--help").stdout
    assert "Example" in text, f"`pk {command} --help` shows no example"
    assert f"pk {command}" in text
    assert text.count("\n") > 4


def test_top_level_help_lists_the_commands(pk):
    text = pk("--help").stdout
    for command in ("add", "list", "overdue", "move", "done"):
        assert command in text


def test_short_help_flag(pk):
    assert pk("add", "-h").stdout == pk("add", "--help").stdout


def test_unknown_command_and_option_are_one_line_usage_errors(pk):
    result = pk("frobnicate", code=2)
    assert result.stderr.startswith("pk: No such command 'frobnicate'")
    assert result.stderr.count("\n") == 1
    result = pk("list", "--bogus", code=2)
    assert result.stderr == "pk: No such option: --bogus (see `pk list --help`)\n"


def test_a_negative_id_is_refused_as_usage_not_a_traceback(pk):
    result = pk("show", "-5", code=2)
    assert result.stderr.startswith("pk: ")
    result = pk("show", "--", "-5", code=2)
    assert result.stderr == "pk: not a promise id: -5\n"
