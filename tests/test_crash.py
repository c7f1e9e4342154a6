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

from promisekeeper.storage.layout import SCHEMA_VERSION, load_file
from promisekeeper.storage.store import PROMISES

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


def old_history_store(path: Path, count: int) -> set[str]:
    """`count` promises done in September (archive material) and 20 open ones."""
    record = {
        "person": "Dana",
        "direction": "to",
        "team": None,
        "tags": [],
        "due": "2026-09-10T15:00:00+00:00",
        "created": "2026-09-01T08:00:00+00:00",
        "status": "done",
        "done_at": "2026-09-09T12:00:00+00:00",
        "notes": [{"at": "2026-09-02T08:00:00+00:00", "text": "n" * 300}],
        "history": [{"at": "2026-09-01T08:00:00+00:00", "type": "created", "due": "x"}],
    }
    promises = {
        str(n): {**record, "uuid": f"u{n}", "title": f"promise {n}"} for n in range(1, count + 1)
    }
    for n in range(count + 1, count + 21):
        promises[str(n)] = {
            **record,
            "uuid": f"u{n}",
            "title": f"open {n}",
            "status": "open",
            "done_at": None,
            "due": "2026-11-27T15:00:00+00:00",
        }
    meta = {"schema": SCHEMA_VERSION, "generation": 1, "next_id": {PROMISES: count + 21}}
    path.write_text(json.dumps({"_meta": {"1": meta}, PROMISES: promises, "requests": {}}))
    return set(p["uuid"] for p in promises.values())


@pytest.mark.slow
def test_a_kill_during_the_move_to_the_archive_loses_and_doubles_nothing(db_path, tmp_path):
    """SIGKILL the first write of a store full of old history (it moves 3,000 promises to the
    archive) at many moments: after every kill, each promise is listed exactly once."""
    template = tmp_path / "template.json"
    uuids = old_history_store(template, 3000)
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    archive_file = db_path.with_name(db_path.name + ".archive")
    caught_between = 0
    for attempt in range(24):
        for leftover in db_path.parent.glob(db_path.name + "*"):
            leftover.unlink()
        db_path.write_bytes(template.read_bytes())
        writer = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "promisekeeper",
                "add",
                f"new {attempt}",
                "--to",
                "Sam",
                "--due",
                "fri",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(0.15 + 0.02 * attempt)
        writer.send_signal(signal.SIGKILL)
        writer.wait(timeout=30)
        listing = subprocess.run(
            [sys.executable, "-m", "promisekeeper", "list", "--all", "--json"],
            env=env,
            capture_output=True,
            timeout=60,
        )
        assert listing.returncode == 0, listing.stderr
        seen = [p["uuid"] for p in json.loads(listing.stdout)]
        assert len(seen) == len(set(seen)), "a promise listed twice"
        assert uuids <= set(seen), "a promise lost"
        hot = set(json.loads(db_path.read_text())[PROMISES])
        if archive_file.exists() and len(hot) > 1000:
            caught_between += 1  # archived lines written, hot file not yet committed
        # The next command completes whatever the kill interrupted.
        done = subprocess.run(
            [sys.executable, "-m", "promisekeeper", "add", "after", "--to", "Sam", "--due", "fri"],
            env=env,
            capture_output=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        assert len(json.loads(db_path.read_text())[PROMISES]) <= 23
        final = json.loads(
            subprocess.run(
                [sys.executable, "-m", "promisekeeper", "list", "--all", "--json"],
                env=env,
                capture_output=True,
                timeout=60,
            ).stdout
        )
        assert uuids <= {p["uuid"] for p in final}
        assert len(final) == len({p["uuid"] for p in final})
    print(f"caught between the archive append and the hot commit {caught_between} time(s)")
