"""Whole-process timings of `pk add`, `pk list` and `pk overdue` on stores of 1,000 and 10,000
promises (about 2% open), beside a bare `python -c pass`.

Targets (issue 2): each command under 250 ms median at 10,000 promises, and the 10,000 store no
more than 1.5x the time of the 1,000 one.

    python bench/bench_ledger.py [--runs 15]

Prints medians in milliseconds and the ratios; run it on a quiet machine and quote one run.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from _timing import median_ms  # noqa: E402  (bench/ is on sys.path when run as a script)

from promisekeeper.model import Promise  # noqa: E402
from promisekeeper.storage.store import Store  # noqa: E402

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
PEOPLE = ["Dana", "Sam", "Lee", "Priya", "Ops", "Payroll", "Jordan", "Mika"]
TEAMS = ["Finance", "Ops", "HR", None]


def build_store(path: Path, count: int, open_share: float = 0.02, seed: int = 7) -> None:
    """A realistic store: mostly closed promises with a little history, a few open ones."""
    rng = random.Random(seed)
    store = Store(path)
    with store.write("bench") as tx:
        for n in range(count):
            created = NOW - timedelta(days=rng.randint(1, 400), hours=rng.randint(0, 8))
            due = created + timedelta(days=rng.randint(1, 14))
            is_open = rng.random() < open_share
            done_at = None if is_open else due + timedelta(hours=rng.randint(-48, 24))
            promise = Promise(
                id=0,
                uuid=str(uuid.UUID(int=rng.getrandbits(128))),
                title=f"Deliverable number {n} for the monthly review",
                person=rng.choice(PEOPLE),
                direction="to" if rng.random() < 0.7 else "from",
                due=due if not is_open else NOW + timedelta(days=rng.randint(-3, 10)),
                created=created,
                team=rng.choice(TEAMS),
                tags=("bench",),
                status="open" if is_open else "done",
                done_at=done_at,
            ).with_event("created", created, due=due.isoformat())
            if done_at:
                promise = promise.with_event("done", done_at, on_time=done_at <= due)
            tx.add_promise(promise)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()

    python = sys.executable
    pk = [python, "-m", "promisekeeper"]
    results: dict[tuple[int, str], float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        base_env = {
            **os.environ,
            "PYTHONPATH": str(ROOT / "src"),
            "PK_NOW": "2026-11-23T10:00:00+01:00",
            "PK_CONFIG": str(Path(tmp) / "none.toml"),
            "NO_COLOR": "1",
        }
        bare = median_ms([python, "-c", "pass"], base_env, args.runs)
        print(f"python -c pass: {bare:7.1f} ms")
        for count in (1_000, 10_000):
            db = Path(tmp) / f"store-{count}.json"
            build_store(db, count)
            env = {**base_env, "PK_DB": str(db)}
            size_kib = db.stat().st_size / 1024
            print(f"\nstore of {count:,} promises ({size_kib:,.0f} KiB)")
            commands = {
                "add": [*pk, "add", "Bench promise", "--to", "Dana", "--due", "fri"],
                "list": [*pk, "list"],
                "overdue": [*pk, "overdue"],
            }
            for name, command in commands.items():
                ms = median_ms(command, env, args.runs, reset=db if name == "add" else None)
                results[(count, name)] = ms
                print(f"  pk {name:8s} {ms:7.1f} ms   {ms / bare:4.2f}x python -c pass")
    print("\n10,000 vs 1,000 (target <= 1.5x; each under 250 ms at 10,000):")
    for name in ("add", "list", "overdue"):
        big, small = results[(10_000, name)], results[(1_000, name)]
        verdict = "ok" if big < 250 and big / small <= 1.5 else "MISSED"
        print(f"  pk {name:8s} {big / small:4.2f}x   {big:6.1f} ms   {verdict}")


if __name__ == "__main__":
    main()
