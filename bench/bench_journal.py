"""The cost of one journal append when the journal already holds ~1,000 records (its bound).

    python bench/bench_journal.py [--runs 200]

Fills a journal with 100 entries of 10 realistic promise records each (before and after), then
times `journal.append` of a one-record change; prints the median in milliseconds. The journal
is put back to the filled state before each timed append, so each one sees the same file.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from promisekeeper.storage import journal  # noqa: E402
from promisekeeper.storage.journal import Change  # noqa: E402


def record(n: int) -> dict:
    return {
        "uuid": f"00000000-0000-4000-8000-{n:012d}",
        "title": f"Send the quarterly numbers, version {n}",
        "person": "Dana",
        "direction": "to",
        "team": "Finance",
        "tags": ["q4", "numbers"],
        "due": "2026-11-27T16:00:00+00:00",
        "created": "2026-11-23T09:00:00+00:00",
        "status": "open",
        "done_at": None,
        "notes": [{"at": "2026-11-23T09:00:00+00:00", "text": "sent a draft"}],
        "history": [
            {"at": "2026-11-23T09:00:00+00:00", "type": "created", "due": "2026-11-27T16:00:00"},
        ],
        "request_id": None,
        "series": None,
        "thanked_at": None,
        "thank_note": None,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "promises.json"
        for generation in range(1, 101):
            changes = [
                Change("promises", generation * 10 + k, record(k), {**record(k), "status": "done"})
                for k in range(10)
            ]
            journal.append(store, generation, "bulk", changes)
        path = journal.journal_path(store)
        filled = Path(tmp) / "filled"
        shutil.copyfile(path, filled)
        records = sum(len(e.changes) for e in journal.load(store))
        times = []
        for run in range(args.runs):
            shutil.copyfile(filled, path)
            change = [Change("promises", 5000 + run, None, record(run))]
            start = time.perf_counter()
            journal.append(store, 101, "add", change)
            times.append((time.perf_counter() - start) * 1000)
        size = filled.stat().st_size / 1024
        print(
            f"journal of {records} records ({size:.0f} KiB): one append, median "
            f"{statistics.median(times):.2f} ms over {args.runs} runs"
        )


if __name__ == "__main__":
    main()
