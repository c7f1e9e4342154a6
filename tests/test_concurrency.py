"""Many pk processes on one store at once: 8 writers x 100 adds while 4 readers run `pk list --json`
and `pk prompt` in a loop. Nothing lost, ids unique and increasing, no reader ever sees an error.

Each writer and reader is a real OS process (its own interpreter, its own lock handle). A writer
runs its 100 adds through the `pk` command object in a loop rather than starting 100 interpreters:
the same code from argument parsing to the store, without 800 interpreter start-ups (and Typer's
per-start command building) on 2 cores. The prompt is run as a fresh
`python -m promisekeeper prompt` process each time, as a shell would; readers pause 100 ms between
rounds, as a prompt waits for Enter.
"""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import SRC

from promisekeeper.errors import StoreBusy
from promisekeeper.storage.files import sidecar
from promisekeeper.storage.store import Store

WRITERS = 8
ADDS = 100
READERS = 4

WRITER = """
import io, re, sys, contextlib
from typer.main import get_command
from promisekeeper.cli import app
pk = get_command(app)
worker = sys.argv[1]
ids = []
for i in range(int(sys.argv[2])):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        try:
            pk.main(["add", f"w{worker}-{i}", "--to", "Dana", "--due", "fri"], prog_name="pk")
        except SystemExit as exc:
            if exc.code not in (0, None):
                sys.exit(f"add {i} exited {exc.code}")
    ids.append(int(re.match(r"Promised #(\\d+) ", out.getvalue()).group(1)))
print(" ".join(map(str, ids)))
"""

READER = """
import contextlib, io, json, os, subprocess, sys, time
from typer.main import get_command
from promisekeeper.cli import app
pk = get_command(app)
stop, use_prompt = sys.argv[1], sys.argv[2] == "1"
seen, reads, prompts, problems = set(), 0, 0, []
while not os.path.exists(stop) or reads == 0:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            pk.main(["list", "--json"], prog_name="pk")
            code = 0
        except SystemExit as exc:
            code = exc.code or 0
    if code or err.getvalue():
        problems.append(f"list exited {code}: {err.getvalue()!r}")
        continue
    ids = [p["id"] for p in json.loads(out.getvalue())]
    if len(ids) != len(set(ids)):
        problems.append("duplicate ids")
    if not seen <= set(ids):
        problems.append(f"promises vanished: {sorted(seen - set(ids))[:5]}")
    seen |= set(ids)
    reads += 1
    if use_prompt:
        run = subprocess.run([sys.executable, "-m", "promisekeeper", "prompt"], capture_output=True)
        if run.returncode or run.stderr:
            problems.append(f"prompt exited {run.returncode}: {run.stderr!r}")
        prompts += 1
    time.sleep(0.1)
print(json.dumps({"reads": reads, "prompts": prompts, "problems": problems[:10]}))
"""


def _spawn(script: str, *args: str, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", script, *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.slow
def test_800_adds_from_8_processes_with_4_readers(db_path, tmp_path):
    env = {**os.environ, "PYTHONPATH": str(SRC), "PK_LOCK_TIMEOUT": "120"}
    stop = tmp_path / "stop"
    started = time.monotonic()
    readers = [_spawn(READER, str(stop), "1", env=env) for _ in range(READERS)]
    writers = [_spawn(WRITER, str(w), str(ADDS), env=env) for w in range(WRITERS)]
    per_writer = []
    for writer in writers:
        out, err = writer.communicate(timeout=600)
        assert writer.returncode == 0, err
        per_writer.append([int(n) for n in out.split()])
    stop.touch()
    reports = []
    for reader in readers:
        out, err = reader.communicate(timeout=120)
        assert reader.returncode == 0, err
        assert err == ""
        reports.append(json.loads(out))
    elapsed = time.monotonic() - started

    promises = Store(db_path).read().promises()
    assert len(promises) == WRITERS * ADDS
    assert sorted(p.id for p in promises) == list(range(1, WRITERS * ADDS + 1))
    assert {p.title for p in promises} == {f"w{w}-{i}" for w in range(WRITERS) for i in range(ADDS)}
    for ids in per_writer:  # each writer saw its own ids strictly increase
        assert ids == sorted(ids) and len(set(ids)) == ADDS
    for report in reports:
        assert report["problems"] == []
        assert report["reads"] > 0
        assert report["prompts"] > 0
    print(
        f"800 adds, {sum(r['reads'] for r in reports)} lists, "
        f"{sum(r['prompts'] for r in reports)} prompts in {elapsed:.1f}s"
    )


def test_a_writer_kept_waiting_gives_up_with_75_and_readers_do_not_wait(proc, db_path):
    assert proc("add", "first", "--to", "Dana", "--due", "fri").returncode == 0
    with open(sidecar(db_path, ".lock"), "a+b") as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
        started = time.monotonic()
        busy = proc("add", "x", "--to", "A", "--due", "fri", env={"PK_LOCK_TIMEOUT": "0.5"})
        waited = time.monotonic() - started
        assert busy.returncode == StoreBusy.exit_code
        assert busy.stderr.decode() == (
            "pk: the store is busy (locked by another pk); try again in a moment\n"
        )
        assert waited >= 0.5
        listing = proc("list", "--json", env={"PK_LOCK_TIMEOUT": "30"}, timeout=20)
        assert listing.returncode == 0 and len(json.loads(listing.stdout)) == 1
        prompt = proc("prompt", env={"PK_LOCK_TIMEOUT": "30"}, timeout=20)
        assert prompt.returncode == 0 and prompt.stderr == b""
    assert [p.title for p in Store(Path(db_path)).read().promises()] == ["first"]
