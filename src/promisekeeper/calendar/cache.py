"""The on-disk cache of one busy source: its file format (flat lists of epoch seconds, loaded
with orjson), what it depends on, atomic private writes, and the search for intervals in a window.

The cache is disposable: a missing, old or broken file is no copy, never an error.
"""

from __future__ import annotations

import bisect
import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from ..config import Settings
from ..paths import write_cache_file
from .busy import Busy

CACHE_VERSION = 1
KINDS = ("file", "vdir", "ics-url", "caldav")


def cache_path(cache_dir: Path, source: str) -> Path:
    """The cache file of `source` (named by a hash: the name holds no part of the address)."""
    return cache_dir / f"busy-{hashlib.sha256(source.encode()).hexdigest()[:32]}.json"


@dataclass
class Entry:
    """A cached copy of one source, as stored: flat lists, epoch seconds."""

    kind: str
    fetched: float
    window: tuple[float, float]
    params: str
    validator: dict[str, Any]
    starts: list[int]
    ends: list[int]
    summaries: list[str]
    all_day: list[int]
    # The longest interval, in seconds: with `starts` sorted it bounds where a search for
    # intervals overlapping a window has to begin.
    longest: int = 0

    def overlapping(self, lo: float, hi: float) -> list[int]:
        """Indexes of the intervals overlapping [lo, hi), found by bisection: a warm cache
        of thousands of events costs a few comparisons, not a loop over all of them."""
        first = bisect.bisect_left(self.starts, lo - self.longest)
        last = bisect.bisect_left(self.starts, hi)
        ends = self.ends
        return [i for i in range(first, last) if ends[i] > lo]

    def covers(self, start: float, end: float) -> bool:
        return self.window[0] <= start and end <= self.window[1]


def cache_params(settings: Settings) -> str:
    """What the cached intervals depend on besides the source: all-day events follow the
    working hours, floating times the zone."""
    work = settings.work
    tz = getattr(settings.tz, "key", None) or str(settings.tz)
    hours = sorted((d, a.isoformat(), b.isoformat()) for d, (a, b) in work.hours.items())
    days_off = sorted(d.isoformat() for d in work.days_off)
    return hashlib.sha256(orjson.dumps([CACHE_VERSION, tz, hours, days_off])).hexdigest()[:16]


def load_entry(path: Path) -> Entry | None:
    """The cached copy, or None when there is none or it is not one we can use (an old format,
    a truncated file): the cache is disposable, never an error."""
    try:
        raw = orjson.loads(path.read_bytes())
        if raw.get("version") != CACHE_VERSION:
            return None
        entry = Entry(
            kind=raw["kind"],
            fetched=float(raw["fetched"]),
            window=(float(raw["window"][0]), float(raw["window"][1])),
            params=raw["params"],
            validator=raw["validator"],
            starts=raw["start"],
            ends=raw["end"],
            summaries=raw["summary"],
            all_day=raw["all_day"],
            longest=int(raw["longest"]),
        )
    except (OSError, orjson.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError):
        return None
    lengths = {len(entry.starts), len(entry.ends), len(entry.summaries), len(entry.all_day)}
    return entry if len(lengths) == 1 and entry.kind in KINDS else None


def entry_from(
    kind: str,
    busy: list[Busy],
    validator: dict[str, Any],
    window: tuple[datetime, datetime],
    now: datetime,
    params: str,
) -> Entry:
    """The cached copy of a source just read: its intervals sorted by start, as epoch seconds."""
    ordered = sorted(busy, key=lambda b: (b.start, b.end, b.summary))
    return Entry(
        kind=kind,
        fetched=now.timestamp(),
        window=(window[0].timestamp(), window[1].timestamp()),
        params=params,
        validator=validator,
        starts=[int(b.start.timestamp()) for b in ordered],
        ends=[int(b.end.timestamp()) for b in ordered],
        summaries=[b.summary for b in ordered],
        all_day=[int(b.all_day) for b in ordered],
        longest=max(
            (int(b.end.timestamp()) - int(b.start.timestamp()) for b in ordered), default=0
        ),
    )


def store_entry(path: Path, entry: Entry, label: str) -> None:
    """Write the cache atomically (temp file + replace), private to the user: meeting titles
    are personal. A cache that cannot be written only costs speed."""
    record = {
        "version": CACHE_VERSION,
        "source": label,
        "kind": entry.kind,
        "fetched": entry.fetched,
        "window": list(entry.window),
        "params": entry.params,
        "validator": entry.validator,
        "start": entry.starts,
        "end": entry.ends,
        "summary": entry.summaries,
        "all_day": entry.all_day,
        "longest": entry.longest,
    }
    write_cache_file(path, orjson.dumps(record), ".busy-")


def busy_in(entry: Entry, lo: float, hi: float, label: str) -> list[Busy]:
    """The cached intervals overlapping [lo, hi): filtered on the integers first, so only the
    few in the window become objects."""
    stamp = datetime.fromtimestamp
    starts, ends, summaries, all_day = entry.starts, entry.ends, entry.summaries, entry.all_day
    return [
        Busy(stamp(starts[i], UTC), stamp(ends[i], UTC), summaries[i], label, bool(all_day[i]))
        for i in entry.overlapping(lo, hi)
    ]
