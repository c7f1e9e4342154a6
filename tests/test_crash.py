"""SIGKILL a `pk add` while it writes a large store, again and again: the store is always valid
JSON holding the complete old or the complete new state, and the next run removes the orphans."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import SRC

from promisekeeper.storage.store import PROMISES, SCHEMA_VERSION, load_file

KILLS = 32
PROMISES_IN_STORE = 4000  # about 3 MB: the write takes long enough to be caught in the act


def big_store(path: Path) -> None:
    record = {
        "uuid": "",
        "title": "",
        "person": "Dana",
        "direction": "to",
        "team": "Finance",
        "tags": ["payroll"],
        "due": "2026-11-27T16:00:00+00:00",
        "created": "2026-11-23T09:00:00+00:00",
        "status": "open",
        "done_at": None,
        "notes": [{"at": "2026-11-23T09:00:00+00:00", "text": "n" * 200}],
        "history": [{"at": "2026-11-23T09:00:00+00:00", "type": "created", "due": "x"}],
    }
    promises = {
        str(n): {**record, "uuid": f"u{n}", "title": f"promise {n}"}
        for n in range(1, PROMISES_IN_STORE + 1)
    }
    meta = {"schema": SCHEMA_VERSION, "generation": 1, "next_id": {PROMISES: len(promises) + 1}}
    path.write_text(json.dumps({"_meta": {"1": meta}, PROMISES: promises, "requests": {}}))


def temps(directory: Path, name: str) -> list[str]:
    return [n for n in os.listdir(directory) if n.startswith(f".{name}.tmp-")]


@pytest.mark.slow
def test_a_writer_killed_mid_write_leaves_the_old_or_the_new_store_whole(db_path):
    big_store(db_path)
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    directory, name = db_path.parent, db_path.name
    state = load_file(db_path)[PROMISES]
    caught_mid_write = 0
    for attempt in range(KILLS * 3):
        title = f"new {attempt}"
        writer = subprocess.Popen(
            [sys.executable, "-m", "promisekeeper", "add", title, "--to", "Sam", "--due", "fri"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        # Its own temp file for the store (not the .bak staging link): the write has started.
        own = f".{name}.tmp-{writer.pid}-"
        deadline = time.monotonic() + 60
        while writer.poll() is None and time.monotonic() < deadline:
            if any(n.startswith(own) for n in os.listdir(directory)):
                os.kill(writer.pid, signal.SIGKILL)
                break
        writer.wait(timeout=60)
        killed = writer.returncode == -signal.SIGKILL
        left = [n for n in temps(directory, name) if n.startswith(own)]
        if killed and left:
            caught_mid_write += 1
        # Only this writer's temp files may remain: earlier orphans were cleaned by this run.
        assert all(n.startswith(own) for n in temps(directory, name)), (own, temps(directory, name))

        after = json.loads(db_path.read_text(encoding="utf-8"))[PROMISES]  # always valid JSON
        new = {k: v for k, v in after.items() if k not in state}
        if after == state:
            assert killed  # a finished writer must have saved its promise
        else:
            assert {k: v for k, v in after.items() if k in state} == state
            assert [v["title"] for v in new.values()] == [title]
            state = after
        if caught_mid_write >= KILLS:
            break
    assert caught_mid_write >= KILLS, f"only {caught_mid_write} kills landed mid-write"

    finished = subprocess.run(
        [sys.executable, "-m", "promisekeeper", "add", "last", "--to", "Sam", "--due", "fri"],
        env=env,
        capture_output=True,
        timeout=60,
    )
    assert finished.returncode == 0, finished.stderr
    assert temps(directory, name) == []
    assert len(load_file(db_path)[PROMISES]) == len(state) + 1
