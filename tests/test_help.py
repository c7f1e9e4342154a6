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
    # The example itself, not the usage line (which always names the command): a line after the
    # "Example" heading that runs this very command.
    examples = text.split("Example", 1)[1]
    lines = [line.strip() for line in examples.splitlines()]
    assert any(line.startswith(f"pk {command}") for line in lines), examples
    assert text.count("\n") > 4


def test_top_level_help_lists_the_commands(pk):
    text = pk("--help").stdout
    for command in ("add", "list", "overdue", "move", "done"):
        assert command in text


def test_top_level_help_lists_the_everyday_commands_first(pk):
    """The order is COMMAND_MODULES': the commands that read, then those that change a promise,
    then each concern's."""
    listing = pk("--help").stdout.split("Commands:")[1]
    names = [line.split()[0] for line in listing.splitlines() if line.strip()]
    reading = ["add", "list", "overdue", "show", "search"]
    changing = ["move", "note", "done", "drop", "reopen", "edit", "delete"]
    assert names[:13] == [*reading, *changing, "people"]


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


def test_the_lazy_command_map_names_every_command_and_its_module():
    """`pk CMD` imports only the module COMMAND_MODULES names for CMD; a command missing from
    the map, or mapped to the wrong module, would not exist when run from the shell."""
    from promisekeeper.cli import COMMAND_MODULES

    group = get_command(app)
    registered = {
        name: command.callback.__module__.rsplit(".", 1)[-1]
        for name, command in group.commands.items()  # type: ignore[attr-defined]
    }
    mapped = {name: module for module, names in COMMAND_MODULES.items() for name in names}
    assert registered == mapped


@pytest.mark.parametrize(
    "args, word",
    [
        ([], "list"),
        (["--db", "x.json"], "list"),
        (["--db=x.json", "add", "t"], "add"),
        (["--db", "x.json", "cancel-slot", "3"], "cancel-slot"),
        (["--help"], None),
        (["--version"], None),
        (["frobnicate"], None),
    ],
)
def test_command_word_finds_the_command_after_global_options(args, word):
    from promisekeeper.cli import command_word

    assert command_word(args) == word


def test_a_command_run_as_a_process_loads_only_its_own_module(proc):
    code = (
        "import sys\n"
        "from promisekeeper.cli import load_app\n"
        "load_app(['list'])\n"
        "print(sorted(m for m in sys.modules if m.startswith('promisekeeper.cli.')))\n"
    )
    import subprocess
    import sys as _sys

    from conftest import SRC

    out = subprocess.run(
        [_sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(SRC)},
        check=True,
    ).stdout
    assert "promisekeeper.cli.ledger_cmds" in out
    assert "promisekeeper.cli.report_cmds" not in out
    assert "promisekeeper.cli.later_cmds" not in out
