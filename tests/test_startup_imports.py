"""Each command imports only what it needs: the everyday commands never load the calendar
libraries, dateutil, tomllib (without a config file), secrets, help-later, series or reports.

Checked in a fresh interpreter, after the command ran, through `sys.modules`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import SRC

PROBE = """
import json, sys
from promisekeeper.__main__ import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
sys.stdout.flush()
sys.stderr.write("\\nMODULES " + json.dumps(sorted(sys.modules)) + "\\n")
"""

CALENDAR_LIBS = ("icalendar", "caldav", "recurring_ical_events", "x_wr_timezone")
NEVER_ON_HOT_PATHS = (
    *CALENDAR_LIBS,
    "dateutil",
    "secrets",
    "promisekeeper.core.helplater",
    "promisekeeper.core.helplater_records",
    "promisekeeper.core.series",
    "promisekeeper.core.recurrence",
    "promisekeeper.core.report",
    "promisekeeper.storage.journal",
)


def modules_after(args: list[str], env: dict[str, str]) -> set[str]:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        env={**os.environ, "PYTHONPATH": str(SRC), **env},
        capture_output=True,
        timeout=60,
    )
    line = result.stderr.decode().rsplit("MODULES ", 1)[1]
    return set(json.loads(line))


def loaded(modules: set[str], names: tuple[str, ...]) -> list[str]:
    return sorted(n for n in names if n in modules or any(m.startswith(n + ".") for m in modules))


@pytest.fixture
def far_ahead(pk) -> None:
    """One promise due in four months (its words count months) and one due this week."""
    pk("add", "Yearly review", "--to", "Dana", "--due", "2027-03-26")
    pk("add", "Q3 numbers", "--to", "Dana", "--due", "fri")


@pytest.mark.parametrize(
    "args",
    [["list"], ["overdue"], ["add", "Budget", "--to", "Lee", "--due", "fri 3pm"], ["show", "1"]],
)
def test_everyday_commands_stay_light(far_ahead, args: list[str]) -> None:
    modules = modules_after(args, {})
    # A write journals its change for undo; a read never loads the journal.
    allowed = ["promisekeeper.storage.journal"] if args[0] == "add" else []
    assert loaded(modules, NEVER_ON_HOT_PATHS) == allowed


def test_done_on_a_plain_promise_loads_neither_help_later_nor_series(far_ahead) -> None:
    modules = modules_after(["done", "2"], {})
    assert loaded(modules, NEVER_ON_HOT_PATHS) == ["promisekeeper.storage.journal"]


def test_no_config_file_means_no_toml_parser(far_ahead, isolated: Path) -> None:
    """Nor a config whose parse is cached (test_config_cache.py): the commands of `far_ahead`
    read this one already."""
    env = {"PK_CONFIG": str(isolated / "absent.toml"), "TZ": "Europe/Berlin"}
    assert "tomllib" not in modules_after(["list"], env)
    assert "tomllib" not in modules_after(["list"], {})
    (isolated / "config.toml").write_text('timezone = "Europe/Berlin"\nsoon = "3h"\n')
    assert "tomllib" in modules_after(["list"], {})  # the probe sees it when a file is parsed


def test_the_probe_sees_a_heavy_import_when_there_is_one(pk) -> None:
    pk("add", "Q3 numbers", "--to", "Dana", "--due", "fri", "--every", "week")
    modules = modules_after(["done", "1"], {})
    assert "promisekeeper.core.series" in modules


@pytest.mark.parametrize(
    "args", [["list"], ["overdue"], ["list", "--json"], ["overdue", "--plain"]]
)
def test_lists_into_a_pipe_never_load_rich(far_ahead, args: list[str]) -> None:
    """Plain lines and JSON need no table; Rich costs more at start-up than the rest of it."""
    assert loaded(modules_after(args, {}), ("rich", "promisekeeper.views.render")) == []


@pytest.mark.parametrize("args", [[], ["list"], ["overdue"], ["list", "--json"]])
def test_lists_load_neither_orjson_nor_dataclasses(far_ahead, args: list[str]) -> None:
    """`import orjson` loads dataclasses (with inspect), uuid (with platform) and json: ~13 ms,
    a third of `pk list`. The open promises are parsed by the standard library instead
    (`lightjson.light_loads`), and the records on the way are NamedTuples and plain classes."""
    heavy = ("orjson", "dataclasses", "inspect", "uuid", "tinydb")
    assert loaded(modules_after(args, {}), heavy) == []


def test_a_write_does_load_orjson(far_ahead) -> None:
    assert "orjson" in modules_after(["done", "2"], {})


def test_a_table_does_load_rich(far_ahead) -> None:
    assert "rich" in modules_after(["list", "--table"], {})


@pytest.mark.parametrize(
    "args", [[], ["list"], ["overdue"], ["list", "--json"], ["overdue", "--table"]]
)
def test_everyday_lists_start_without_typer(far_ahead, args: list[str]) -> None:
    """Typer and Click cost more to import than `pk list` spends on its work (`cli/fast.py`)."""
    assert loaded(modules_after(args, {}), ("typer", "click", "promisekeeper.cli.core")) == []


@pytest.mark.parametrize(
    "args",
    [["done", "2"], ["standup"], ["add", "Budget", "--to", "Lee", "--due", "fri"], ["--version"]],
)
def test_add_done_and_standup_start_without_typer(far_ahead, args: list[str]) -> None:
    assert loaded(modules_after(args, {}), ("typer", "click", "rich")) == []


@pytest.mark.parametrize(
    "args",
    [["list"], ["done", "2"], ["standup"], ["add", "Budget", "--to", "Lee", "--due", "fri"]],
)
def test_everyday_commands_change_records_without_tinydb(far_ahead, args: list[str]) -> None:
    """The file stays TinyDB's JSON (test_ledger_cli reads it with TinyDB), but a transaction
    sets its one record itself: TinyDB's update rebuilds the whole table, and its import costs
    ~8 ms of a `pk add`."""
    assert loaded(modules_after(args, {}), ("tinydb",)) == []


def test_a_list_with_a_filter_goes_through_typer(far_ahead) -> None:
    modules = modules_after(["list", "--to", "Dana"], {})
    assert "typer" in modules and "promisekeeper.cli.ledger_cmds" in modules
