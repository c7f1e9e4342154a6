"""Timing of `read_busy` (calendar/sources.py) with 3 local ICS sources of 2,000 events each:
cold (parse and expand, write the cache), warm (the cache only), and with no sources; in-process
medians, then whole processes (`python -c` importing the module and reading once) to show what
the cache costs a command such as `pk later`.

Target (issue 10): `pk later` with 3 warm sources under 1.5x its time with no sources.

    python bench/bench_calendar_cache.py [--runs 30]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from _timing import median_ms  # noqa: E402  (bench/ is on sys.path when run as a script)

from promisekeeper.calendar.sources import read_busy  # noqa: E402
from promisekeeper.config import CalendarSettings, Settings  # noqa: E402

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=BERLIN)
EVENTS = 2000


def meetings_ics(
    seed: int,
    count: int = EVENTS,
    *,
    now: datetime = NOW,
    back: int = 30,
    span: int = 210,
    lengths: tuple[int, ...] = (15, 30, 45, 60, 90),
) -> bytes:
    """`count` events from `back` days before `now` over `span` days, in working hours, a tenth
    of them weekly series (so expansion is part of the cold cost). bench_later.py uses it too."""
    rng = random.Random(seed)
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//bench//EN"]
    stamp = "%Y%m%dT%H%M%S"
    for index in range(count):
        day = now - timedelta(days=back) + timedelta(days=rng.randrange(span))
        start = day.replace(hour=rng.randrange(8, 17), minute=rng.choice((0, 15, 30, 45)))
        end = start + timedelta(minutes=rng.choice(lengths))
        lines += [
            "BEGIN:VEVENT",
            f"UID:bench-{seed}-{index}@example.com",
            "DTSTAMP:20261101T000000Z",
            f"SUMMARY:Meeting {index} of source {seed}",
            f"DTSTART;TZID=Europe/Berlin:{start.strftime(stamp)}",
            f"DTEND;TZID=Europe/Berlin:{end.strftime(stamp)}",
        ]
        if index % 10 == 0:
            lines.append("RRULE:FREQ=WEEKLY;COUNT=12")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode()


def write_source(path: Path, seed: int, count: int = EVENTS) -> None:
    path.write_bytes(meetings_ics(seed, count))


def median_call_ms(call, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


PROCESS = """
import sys
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo
from promisekeeper.calendar.sources import read_busy
from promisekeeper.config import CalendarSettings, Settings
now = datetime(2026, 11, 23, 10, tzinfo=ZoneInfo("Europe/Berlin"))
busy = tuple(a for a in sys.argv[2:])
s = Settings(tz=now.tzinfo, calendar=CalendarSettings(busy=busy))
read_busy(s, now, now + timedelta(days=21), now, cache_dir=sys.argv[1])
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        paths = []
        for seed in range(3):
            path = root / f"source-{seed}.ics"
            write_source(path, seed)
            paths.append(str(path))
        cache = root / "cache"
        with_sources = Settings(tz=BERLIN, calendar=CalendarSettings(busy=tuple(paths)))
        without = Settings(tz=BERLIN)
        start, end = NOW, NOW + timedelta(days=21)

        began = time.perf_counter()
        cold = read_busy(with_sources, start, end, NOW, cache_dir=cache)
        cold_ms = (time.perf_counter() - began) * 1000
        assert not cold.warnings, cold.warnings
        warm_ms = median_call_ms(
            lambda: read_busy(with_sources, start, end, NOW, cache_dir=cache), args.runs
        )
        none_ms = median_call_ms(
            lambda: read_busy(without, start, end, NOW, cache_dir=cache), args.runs
        )
        in_window = len(read_busy(with_sources, start, end, NOW, cache_dir=cache).busy)
        print(f"3 sources x {EVENTS} events; {in_window} busy intervals in the 21-day window")
        print(f"in-process  cold (parse + expand + cache): {cold_ms:8.1f} ms (once)")
        print(
            f"in-process  warm cache:                    {warm_ms:8.2f} ms (median of {args.runs})"
        )
        print(f"in-process  no sources:                    {none_ms:8.3f} ms")

        env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
        base = [sys.executable, "-c", PROCESS, str(cache)]
        runs = max(args.runs // 3, 5)
        process_none = median_ms(base, env, runs)
        process_warm = median_ms(base + paths, env, runs)
        print(
            f"process     no sources:                    {process_none:8.1f} ms (median of {runs})"
        )
        print(f"process     warm cache:                    {process_warm:8.1f} ms")
        print(f"process     ratio warm / none:             {process_warm / process_none:8.2f}x")


if __name__ == "__main__":
    main()
