"""Whole-process timing of `pk later` with 500 booked help slots in the store, beside a bare
`python -c pass` and `pk later` on an empty store; then with the user's calendars as busy sources:
none, 3 warm cached sources of 2,000 events each, and one cold CalDAV source on a local Radicale.

Targets: issue 3, under 300 ms median with 500 booked slots; issue 10, `pk later` with 3 warm
sources under 1.5x its time with no sources.

    python bench/bench_later.py [--runs 15]

The store is built through the library (one transaction), not 500 CLI calls: 500 booked requests,
each with its promise, half of them in the past months and half packed into the coming weeks, so
the slot search has to step around many bookings. The store is restored before every run. The
warm sources are published ICS addresses on a local HTTP server, read once before timing: a warm
run makes no request at all. The cold CalDAV run deletes the cache before each run.
"""

from __future__ import annotations

import argparse
import http.server
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tests"))  # the Radicale starter the tests use

from _timing import compile_sources, median_ms  # noqa: E402  (bench/ is on sys.path when run as a script)
from bench_calendar_cache import meetings_ics  # noqa: E402

from promisekeeper.config import WorkTime  # noqa: E402
from promisekeeper.core import helplater, ledger  # noqa: E402
from promisekeeper.storage.layout import load_file  # noqa: E402
from promisekeeper.storage.store import REQUESTS, Store, Transaction  # noqa: E402

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


def write_source(seed: int, count: int = 2000) -> bytes:
    """`count` meetings of 15–30 minutes over two years around NOW (a tenth weekly series), so
    the weeks `pk later` searches hold some 8 meetings a day from three sources, not a wall."""
    return meetings_ics(seed, count, now=NOW, back=365, span=730, lengths=(15, 30))


def serve(files: dict[str, bytes]) -> tuple[str, http.server.ThreadingHTTPServer]:
    """Published ICS files on loopback; the hits are counted to show a warm run makes none."""

    class Handler(http.server.BaseHTTPRequestHandler):
        hits = 0

        def do_GET(self) -> None:
            Handler.hits += 1
            body = files.get(self.path, b"")
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "text/calendar")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}", server


def config(path: Path, busy: list[str]) -> Path:
    path.write_text(f'timezone = "Europe/Berlin"\n[calendar]\nbusy = {json.dumps(busy)}\n')
    return path


def cold_ms(command: list[str], env: dict[str, str], runs: int, db: Path, cache: Path) -> float:
    """Median wall time with the cache deleted (and the store removed) before each run."""
    times = []
    for _ in range(runs):
        shutil.rmtree(cache, ignore_errors=True)
        db.unlink(missing_ok=True)
        start = time.perf_counter()
        subprocess.run(
            command, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def calendars(later: list[str], env: dict[str, str], tmp: Path, runs: int) -> None:
    """`pk later` with no sources, 3 warm sources of 2,000 events, one cold CalDAV source."""
    from servers import start_radicale

    later = [*later, "--within", "2w"]
    cache = tmp / "cache"
    db = tmp / "calendar-store.json"
    env = {**env, "XDG_CACHE_HOME": str(cache), "PK_DB": str(db)}
    none = median_ms(later, {**env, "PK_CONFIG": str(config(tmp / "none.toml", []))}, runs, db)
    print(f"pk later, no busy sources:       {none:7.1f} ms")

    base, server = serve({f"/cal{n}.ics": write_source(n) for n in range(3)})
    try:
        warm_env = {
            **env,
            "PK_CONFIG": str(config(tmp / "warm.toml", [f"{base}/cal{n}.ics" for n in range(3)])),
        }
        subprocess.run(later, env=warm_env, check=True, capture_output=True)  # fills the cache
        db.unlink(missing_ok=True)
        hits = server.RequestHandlerClass.hits  # type: ignore[attr-defined]
        warm = median_ms(later, warm_env, runs, db)
        made = server.RequestHandlerClass.hits - hits  # type: ignore[attr-defined]
    finally:
        server.shutdown()
    print(
        f"pk later, 3 warm sources x 2,000: {warm:7.1f} ms   {warm / none:4.2f}x no sources "
        f"({made} requests while timed)"
    )
    print(f"target < 1.5x no sources: {'ok' if warm < 1.5 * none else 'MISSED'}")

    radicale = start_radicale(tmp / "radicale")
    try:
        url = radicale.make_calendar("work")
        source = write_source(7, count=300).decode()
        head, _, rest = source.partition("BEGIN:VEVENT")
        for index, body in enumerate(rest.split("BEGIN:VEVENT")):
            item = head + "BEGIN:VEVENT" + body.replace("END:VCALENDAR\r\n", "")
            radicale.put("work", f"item-{index}.ics", item + "END:VCALENDAR\r\n")
        cold_env = {**env, "PK_CONFIG": str(config(tmp / "caldav.toml", [url]))}
        cold = cold_ms(later, cold_env, runs, db, cache)
    finally:
        radicale.stop()
    print(f"pk later, cold CalDAV (300 events on Radicale): {cold:7.1f} ms   {cold / none:4.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    compile_sources(ROOT / "src")

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
        env.pop("PK_CALENDAR_PASSWORD", None)
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
        calendars(later, env, Path(tmp), args.runs)


if __name__ == "__main__":
    main()
