"""Whole-process timing of `pk later` with 500 booked help slots in the store, beside a bare
`python -c pass` and `pk later` on an empty store.

Target (issue 3): under 300 ms median with 500 booked slots.

    python bench/bench_later.py [--runs 15]

The store is built through the library (one transaction), not 500 CLI calls: 500 booked requests,
each with its promise, half of them in the past months and half packed into the coming weeks, so
the slot search has to step around many bookings. The store is restored before every run.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from _timing import median_ms  # noqa: E402  (bench/ is on sys.path when run as a script)

from promisekeeper import helplater, ledger  # noqa: E402
from promisekeeper.config import WorkTime  # noqa: E402
from promisekeeper.storage.store import REQUESTS, Store, Transaction, load_file  # noqa: E402

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=BERLIN)
PEOPLE = ["Dana", "Sam", "Lee", "Priya", "Jordan", "Mika"]


def build_store(path: Path, count: int = 500, seed: int = 3) -> None:
    """`count` booked slots of 30–60 minutes on working days, the newer half from today on."""
    rng = random.Random(seed)
    work = WorkTime()
    past = count // 2
    # Walk working days backwards for the past half and forwards for the rest, several per day.
    days = [NOW.date() - timedelta(days=d) for d in range(1, 200)]
    past_days = [d for d in days if work.is_workday(d)]
    ahead = (NOW.date() + timedelta(days=d) for d in range(60))
    future_days = [d for d in ahead if work.is_workday(d)]
    with Store(path).write("bench") as tx:
        for n in range(count):
            pool = past_days if n < past else future_days
            index = (n if n < past else n - past) // 5
            day = pool[index % len(pool)]
            hour = 9 + (n % 5) + (1 if n % 5 >= 3 else 0)  # 9, 10, 11, 13, 14
            start = datetime(day.year, day.month, day.day, hour, 0, tzinfo=BERLIN)
            need = timedelta(minutes=rng.choice([30, 45, 60]))
            slot = helplater.Interval(start.astimezone(UTC), (start + need).astimezone(UTC))
            created = start - timedelta(days=2)
            rid = tx.insert(
                REQUESTS,
                {
                    "uuid": f"bench-{n}",
                    "title": f"Help session {n}",
                    "person": rng.choice(PEOPLE),
                    "team": None,
                    "need_minutes": int(need.total_seconds() // 60),
                    "reason": None,
                    "created": created.astimezone(UTC).isoformat(),
                    "status": "booked" if n >= past else "done",
                    "proposed": [helplater._span(slot)],
                    "slot": helplater._span(slot),
                    "forced": False,
                    "promise_id": None,
                    "buffer_minutes": 0,
                    "tz": "Europe/Berlin",
                    "history": [],
                },
            )
            promise = ledger.add(
                tx,
                title=f"Help session {n}",
                person="Dana",
                direction="to",
                due=slot.end,
                now=created,
                request_id=rid,
            )
            record = tx.record(REQUESTS, rid) or {}
            tx.put(REQUESTS, rid, {**record, "promise_id": promise.id})


def in_process_ms(db: Path, runs: int) -> float:
    """The part `pk later` adds over starting Python and the CLI: read the store, search, record."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        tx = Transaction(db, load_file(db), "bench")  # never committed
        tx.promises()
        helplater.expire(tx, NOW)
        helplater.create(
            tx,
            title="Walk Dana through the new expense form",
            person="Dana",
            need=timedelta(minutes=45),
            now=NOW,
            work=WorkTime(),
            tz=BERLIN,
        )
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()

    python = sys.executable
    later = [
        python,
        "-m",
        "promisekeeper",
        "later",
        "Walk Dana through the new expense form",
        "--for",
        "Dana",
        "--need",
        "45m",
    ]
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT / "src"),
            "PK_NOW": NOW.isoformat(),
            "PK_CONFIG": str(Path(tmp) / "none.toml"),
            "TZ": "Europe/Berlin",
            "NO_COLOR": "1",
        }
        bare = median_ms([python, "-c", "pass"], env, args.runs, None)
        print(f"python -c pass:                  {bare:7.1f} ms")
        startup = median_ms([python, "-m", "promisekeeper", "--version"], env, args.runs, None)
        print(f"pk --version (CLI start-up):     {startup:7.1f} ms")
        empty = Path(tmp) / "empty.json"
        ms_empty = median_ms(later, {**env, "PK_DB": str(empty)}, args.runs, empty)
        print(f"pk later, empty store:           {ms_empty:7.1f} ms")
        db = Path(tmp) / "booked.json"
        build_store(db)
        booked = sum(1 for r in Store(db).read().table(REQUESTS).all() if r["status"] == "booked")
        ms = median_ms(later, {**env, "PK_DB": str(db)}, args.runs, db)
        size = db.stat().st_size / 1024
        print(
            f"pk later, 500 slots ({booked} ahead, {size:,.0f} KiB): {ms:7.1f} ms   "
            f"{ms / bare:4.2f}x python -c pass, {ms - ms_empty:+.1f} ms vs empty"
        )
        print(f"  in-process load + search + record: {in_process_ms(db, args.runs):6.1f} ms")
        print(f"target < 300 ms median: {'ok' if ms < 300 else 'MISSED'}")


if __name__ == "__main__":
    main()
