"""Reading the user's busy sources (read only): local .ics files, vdir folders, published ICS
addresses and CalDAV calendars, each cached on disk with its validator.

`read_busy` is what `pk later`, `pk book` and `pk slots` call; `check_sources` is `pk calendar
check`. Neither ever raises for a source that cannot be read: the reason becomes one warning line
and the last cached copy (if any) is used instead.

Speed: a cache younger than `[calendar] refresh` is used as it is — no network, and for a vdir or
a URL not even a look at the source; a single file is checked with one stat. The cache holds the
expanded intervals as flat lists of epoch seconds, loaded with orjson; the calendar libraries are
imported only when a source has to be parsed or fetched.

Secrets: the password (`PK_CALENDAR_PASSWORD`, else the first line printed by `password_command`,
run without a shell) stays in memory; it is never printed, never written to the cache, never put
on a command line. Source names in messages and in the cache have any user:password@ and query
string removed.

The parts, by concern: `cache` (the cache file and its search), `readers` (one source of each
kind, read afresh), `web` (HTTP, PROPFIND and the CalDAV client), `password`. This module decides,
per source, between the cached copy and the source, and is the only one callers import.
"""

from __future__ import annotations

import os
import urllib.parse
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

from ..config import Settings
from ..paths import cache_directory
from .busy import Busy, SourceError
from .cache import (
    Entry,
    busy_in,
    cache_params,
    cache_path,
    entry_from,
    load_entry,
    store_entry,
)
from .password import Password, run_password_command
from .readers import SourceReader, Unchanged, file_validator, is_url, local_kind, local_path

__all__ = [
    "BusyResult",
    "SourceReport",
    "cache_directory",
    "check_sources",
    "read_busy",
    "run_password_command",
    "source_label",
]

# What one read expands and caches, around the time of the read: enough for every window the
# commands ask for (past slots in `pk slots`, offers weeks ahead), so most reads hit the cache.
WINDOW_BACK = timedelta(days=7)
WINDOW_AHEAD = timedelta(days=120)


@dataclass(frozen=True)
class SourceReport:
    """How one source went: `kind` is file, vdir, ics-url or caldav ("url" when a URL could not
    be told apart because it never answered). `fetched_at` is when the data used was read."""

    source: str
    ok: bool
    kind: str
    events_this_week: int
    error: str | None = None
    fetched_at: datetime | None = None
    from_cache: bool = False


@dataclass
class BusyResult:
    """Busy intervals of every source in the asked window (sorted), warning lines, one report
    per configured source."""

    busy: list[Busy] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    sources: list[SourceReport] = field(default_factory=list)


def source_label(source: str) -> str:
    """The source as it may be shown and stored: no user:password@, no query string (published
    calendar addresses sometimes carry a token there)."""
    if not is_url(source):
        return source
    parts = urllib.parse.urlsplit(source)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = host + (f":{parts.port}" if parts.port else "")
    query = "…" if parts.query else ""
    return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, query, ""))


def read_busy(
    settings: Settings,
    start: datetime,
    end: datetime,
    now: datetime,
    *,
    refresh: bool = False,
    cache_dir: str | os.PathLike[str] | None = None,
) -> BusyResult:
    """Busy intervals of every `[calendar] busy` source that overlap [start, end).

    A cached copy younger than `settings.calendar.refresh` is used without reading the source
    (a local file is still checked with one stat); `refresh=True` reads every source. Never
    raises for a source: a failure is a warning and the last cached copy is used."""
    result = BusyResult()
    if not settings.calendar.busy:
        return result
    reader = _Reader(settings, now, cache_directory(cache_dir))
    week = _this_week(settings, now)
    for source in settings.calendar.busy:
        busy, report, warnings = reader.read(source, start, end, refresh, week)
        result.busy.extend(busy)
        result.warnings.extend(warnings)
        result.sources.append(report)
    result.busy.sort(key=lambda b: (b.start, b.end, b.summary))
    return result


def check_sources(
    settings: Settings, now: datetime, cache_dir: str | os.PathLike[str] | None = None
) -> list[SourceReport]:
    """Read every source once, now (`pk calendar check`): one report each, with the number of
    busy intervals this week (Monday to Sunday in the user's zone) or why it failed."""
    first, last = _this_week(settings, now)
    result = read_busy(settings, first, last, now, refresh=True, cache_dir=cache_dir)
    return result.sources


# ---------------------------------------------------------------------------------------------
# One source at a time: the cached copy, or the source itself


class _Reader:
    """The decision for each source of one `read_busy`: the cached copy as it is, or the source
    read afresh (`SourceReader`), or, when that fails, the cached copy with a warning."""

    def __init__(self, settings: Settings, now: datetime, cache_dir: Path) -> None:
        self.settings = settings
        self.now = now
        self.cache_dir = cache_dir
        timeout = max(settings.calendar.timeout.total_seconds(), 0.1)
        password = Password(settings.calendar.password_command, timeout)
        self.sources = SourceReader(settings, timeout, password)
        self.params = cache_params(settings)

    # -- the decision: cache or source ---------------------------------------------------------

    def read(
        self,
        source: str,
        start: datetime,
        end: datetime,
        refresh: bool,
        week: tuple[datetime, datetime],
    ) -> tuple[list[Busy], SourceReport, list[str]]:
        label = source_label(source)
        path = cache_path(self.cache_dir, source)
        entry = load_entry(path)
        if entry is not None and entry.params != self.params:
            entry = None  # another zone or working time: the intervals would be placed wrongly
        lo, hi = start.timestamp(), end.timestamp()
        age = self.now.timestamp() - entry.fetched if entry else None
        young = age is not None and 0 <= age < self.settings.calendar.refresh.total_seconds()
        if (
            entry
            and young
            and not refresh
            and entry.covers(lo, hi)
            and self._still_same(source, entry)
        ):
            report = self._report(label, entry, week, ok=True, from_cache=True)
            return busy_in(entry, lo, hi, label), report, []
        window = (
            min(start, self.now - WINDOW_BACK).astimezone(UTC),
            max(end, self.now + WINDOW_AHEAD).astimezone(UTC),
        )
        # A validator says "unchanged" about the window the copy was expanded for: enough when
        # that window holds the asked one (the fetch window itself slides with `now`).
        prior = entry if entry and entry.covers(lo, hi) else None
        try:
            known = entry.kind if entry else None
            outcome = self.sources.fetch(source, label, prior, window, known)
        except SourceError as exc:
            return self._failed(label, entry, str(exc), lo, hi, week, source)
        if isinstance(outcome, Unchanged):
            assert prior is not None
            prior.fetched = self.now.timestamp()
            fresh_entry = prior
        else:
            fresh_entry = entry_from(
                outcome.kind, outcome.busy, outcome.validator, window, self.now, self.params
            )
        store_entry(path, fresh_entry, label)
        notes = [f"calendar {label}: {note}" for note in getattr(outcome, "notes", [])]
        report = self._report(label, fresh_entry, week, ok=True, from_cache=False)
        return busy_in(fresh_entry, lo, hi, label), report, notes

    def _failed(
        self,
        label: str,
        entry: Entry | None,
        why: str,
        lo: float,
        hi: float,
        week: tuple[datetime, datetime],
        source: str,
    ) -> tuple[list[Busy], SourceReport, list[str]]:
        if entry is None:
            warning = f"calendar {label}: {why}; no copy cached"
            kind = "url" if is_url(source) else (local_kind(source) or "file")
            return [], SourceReport(label, False, kind, 0, why), [warning]
        ago = _age(self.now.timestamp() - entry.fetched)
        warning = f"calendar {label}: {why}; using the copy from {ago}"
        report = self._report(label, entry, week, ok=False, from_cache=True, error=why)
        return busy_in(entry, lo, hi, label), report, [warning]

    def _report(
        self,
        label: str,
        entry: Entry,
        week: tuple[datetime, datetime],
        *,
        ok: bool,
        from_cache: bool,
        error: str | None = None,
    ) -> SourceReport:
        lo, hi = week[0].timestamp(), week[1].timestamp()
        count = len(entry.overlapping(lo, hi))
        fetched = datetime.fromtimestamp(entry.fetched, UTC)
        return SourceReport(label, ok, entry.kind, count, error, fetched, from_cache)

    def _still_same(self, source: str, entry: Entry) -> bool:
        """Within the refresh time only a single file is looked at, with one stat: cheap, and an
        edited file is seen at once."""
        if entry.kind != "file":
            return True
        try:
            return file_validator(local_path(source)) == entry.validator
        except OSError:
            return False


def _this_week(settings: Settings, now: datetime) -> tuple[datetime, datetime]:
    today = now.astimezone(settings.tz).date()
    monday = today - timedelta(days=today.weekday())
    first = datetime.combine(monday, time(0, 0), settings.tz)
    return first, datetime.combine(monday + timedelta(days=7), time(0, 0), settings.tz)


def _age(seconds: float) -> str:
    seconds = max(seconds, 0)
    if seconds < 60:
        return "less than a minute ago"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    if seconds < 48 * 3600:
        return f"{int(seconds // 3600)} h ago"
    return f"{int(seconds // 86400)} days ago"
