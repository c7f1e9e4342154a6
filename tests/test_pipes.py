"""`pk list | head -1`, and every command whose reader has gone: exit quietly, no traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
from conftest import SRC

from promisekeeper.model import Promise
from promisekeeper.storage.store import Store

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
MANY = 600  # a table well over a pipe buffer (64 KiB), so the reader leaves mid-output


@pytest.fixture
def full_store(db_path):
    with Store(db_path).write("add") as tx:
        for n in range(MANY):
            tx.add_promise(
                Promise(
                    id=0,
                    uuid=f"u{n}",
                    title=f"Promise number {n} with a reasonably long title",
                    person="Dana",
                    direction="to",
                    due=NOW + timedelta(days=1 + n % 30),
                    created=NOW,
                    history=({"at": "2026-11-23T09:00:00+00:00", "type": "created"},),
                )
            )
    return db_path


def env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(SRC)}


@pytest.mark.parametrize("args", ["list", "list --plain", "list --json --all", "search promise"])
def test_pk_into_head_exits_quietly(full_store, args):
    pk = f"{sys.executable} -m promisekeeper"
    run = subprocess.run(
        ["bash", "-c", f'set -o pipefail; {pk} {args} | head -1; echo "rc=${{PIPESTATUS[0]}}" >&2'],
        env=env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert len(run.stdout.splitlines()) == 1
    assert run.stderr == "rc=0\n"


COMMANDS = [
    ["list"],
    ["list", "--json"],
    ["list", "--plain"],
    ["overdue"],
    ["show", "1"],
    ["show", "1", "--json"],
    ["search", "promise"],
    ["undo", "--list"],
    ["doctor"],
    ["--help"],
    ["add", "--help"],
    ["--version"],
    ["standup"],
    ["stats"],
    ["export", "--format", "json"],
    ["note", "1", "written although nobody reads the answer"],
    ["add", "Saved even so", "--to", "Sam", "--due", "fri"],
]


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_every_command_writing_to_a_closed_pipe_exits_quietly(full_store, args):
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before pk writes a byte
    try:
        run = subprocess.run(
            [sys.executable, "-m", "promisekeeper", *args],
            env=env(),
            stdout=write_end,
            stderr=subprocess.PIPE,
            timeout=60,
        )
    finally:
        os.close(write_end)
    assert run.stderr == b""
    assert run.returncode == 0
    if args[0] == "add" and args[1] != "--help":
        titles = {p.title for p in Store(full_store).read().promises()}
        assert "Saved even so" in titles  # the change was saved before the output failed
