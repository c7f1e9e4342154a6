"""Whole-process timings of `pk sync` against a local Radicale (issue 11, "Sync through CalDAV").

    python bench/bench_sync.py [--runs 5] [--first-runs 3] [--size 1000] [--radicale-mtime-cache]

Targets, on medians:
- the first sync of 1,000 open promises (1,000 PUTs) under 60 s;
- a sync with nothing changed on either side under 1 s;
- a sync after one local change (`pk done ID`, not timed) under 1.5 s.

The store is written directly (`bench_ledger.write_store`): 1,000 open promises, seeded. Each
timed first sync goes to a fresh collection with the same store put back and its sync state
removed. Radicale runs on 127.0.0.1 with its storage in a temp folder, as in tests/servers.py.
The load average and `python -c pass` are printed beside them, and the CPU time of each pk
process: on a busy machine the wall times mean little. The first sync's wall time is mostly the
server's: for each new item Radicale checks every stored item for the same UID, so its PUTs
slow down as the collection grows (`--radicale-mtime-cache` turns on its own remedy).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from datetime import timedelta
from pathlib import Path

from _timing import run_once
from bench_ledger import NOW, PK, environment, write_store  # also puts src/ on sys.path

from promisekeeper.model import Promise, iso

TARGETS_MS = {"first": 60_000, "unchanged": 1_000, "one change": 1_500}


def open_promises(count: int, seed: int = 11) -> list[Promise]:
    """`count` open promises due over the next three weeks, deterministic for a seed."""
    rng = random.Random(seed)
    out = []
    for pid in range(1, count + 1):
        created = NOW - timedelta(days=rng.uniform(0, 30))
        due = NOW + timedelta(days=rng.randint(1, 21), hours=rng.randint(0, 8))
        p = Promise(
            id=pid,
            uuid=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            title=f"Promise {pid}",
            person=rng.choice(("Dana", "Sam", "Ana", "Lee", "Kim")),
            direction=rng.choice(("to", "from")),
            due=due,
            created=created,
            tags=tuple(rng.sample(("q4", "ops", "hiring", "budget"), rng.randint(0, 2))),
        ).with_event("created", created, due=iso(due))
        out.append(p)
    return out


def start_radicale(root: Path, mtime_cache: bool = False) -> tuple[subprocess.Popen, str]:
    """A Radicale without authentication on a free loopback port; (process, root URL).
    `mtime_cache`: Radicale's speed-up for big collections (its item cache checked by mtime
    and size, not by hashing every file, which it does for each new item's UID check)."""
    storage = root / "radicale-storage"
    storage.mkdir(parents=True)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    args = ["--server-hosts", f"127.0.0.1:{port}", "--storage-filesystem-folder", str(storage)]
    args += ["--auth-type", "none", "--logging-level", "error"]
    if mtime_cache:
        args += ["--storage-use-mtime-and-size-for-item-cache", "true"]
    process = subprocess.Popen(
        [sys.executable, "-m", "radicale", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return process, f"http://127.0.0.1:{port}/"
        time.sleep(0.05)
    process.kill()
    raise RuntimeError("radicale did not start within 20 s")


def make_calendar(root_url: str, name: str) -> str:
    for method, path in (("MKCOL", "me/"), ("MKCALENDAR", f"me/{name}/")):
        request = urllib.request.Request(root_url + path, method=method)
        with contextlib.suppress(urllib.error.HTTPError):
            urllib.request.urlopen(request, timeout=10).close()
    return f"{root_url}me/{name}/"


def timed(command: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """(wall ms, CPU ms of the pk process, stdout) of one run. The CPU time (user + system)
    stands apart from the machine's load, which the wall time does not."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    sample = run_once(command, env)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000
    return sample.ms, cpu, sample.stdout


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed no-change/one-change runs")
    parser.add_argument("--first-runs", type=int, default=3, help="timed first syncs")
    parser.add_argument("--size", type=int, default=1_000, help="open promises")
    parser.add_argument(
        "--radicale-mtime-cache",
        action="store_true",
        help="start Radicale with its item cache checked by mtime and size (faster PUTs)",
    )
    args = parser.parse_args()

    print(f"load average before: {load()}  ({os.cpu_count()} CPUs)")
    tmp = Path(tempfile.mkdtemp(prefix="pk-bench-sync-"))
    process, root_url = start_radicale(tmp / "radicale", args.radicale_mtime_cache)
    try:
        env = environment(tmp)
        store = tmp / "promises.json"
        env["PK_DB"] = str(store)
        config = Path(env["PK_CONFIG"])
        promises = open_promises(args.size)
        sync = [*PK, "sync"]
        timings: dict[str, list[float]] = {"first": [], "unchanged": [], "one change": []}
        cpu: dict[str, list[float]] = {name: [] for name in timings}
        for run in range(args.first_runs):
            url = make_calendar(root_url, f"promises-{run}")
            config.write_text(f'timezone = "Europe/Berlin"\n[sync]\nurl = "{url}"\n')
            write_store(store, promises)
            Path(str(store) + ".sync").unlink(missing_ok=True)
            wall, used, out = timed(sync, env)
            assert f"Sent {args.size}" in out, out
            timings["first"].append(wall)
            cpu["first"].append(used)
        run_once(sync, env)  # settle: the first no-change run after a first sync
        for _ in range(args.runs):
            wall, used, out = timed(sync, env)
            assert out.startswith("Sent 0, applied 0"), out
            timings["unchanged"].append(wall)
            cpu["unchanged"].append(used)
        for pid in range(1, args.runs + 1):
            run_once([*PK, "done", str(pid)], env)
            wall, used, out = timed(sync, env)
            assert out.startswith("Sent 1, applied 0"), out
            timings["one change"].append(wall)
            cpu["one change"].append(used)
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(tmp, ignore_errors=True)

    print(f"pk sync, {args.size:,} open promises, local Radicale; medians (wall; pk's CPU):")
    for name, samples in timings.items():
        median = statistics.median(samples)
        target = TARGETS_MS[name]
        verdict = "ok" if median < target else "OVER"
        runs = ", ".join(f"{s:.0f}" for s in samples)
        used = statistics.median(cpu[name])
        print(
            f"  {name:<11} {median:9.0f} ms  target < {target:,} ms  {verdict}  "
            f"(CPU {used:.0f} ms; runs {runs})"
        )
    floor = statistics.median(timed([sys.executable, "-c", "pass"], env)[0] for _ in range(5))
    print(f"floor: python -c pass {floor:.0f} ms; load average after: {load()}")


if __name__ == "__main__":
    main()
