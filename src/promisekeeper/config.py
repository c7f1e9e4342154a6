"""Settings from config.toml: the timezone and the working time that `eod`, slots and standups use.

A missing file means the defaults (Mon–Fri 09:00–17:00, local zone). Only the stdlib is used so the
settings can be read anywhere without cost.
"""

from __future__ import annotations

import contextlib
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from pathlib import Path
from types import MappingProxyType
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .errors import ConfigError

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DEFAULT_START = time(9, 0)
DEFAULT_END = time(17, 0)
_RANGE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
_DURATION = re.compile(
    r"^\s*(?:(\d+)\s*d)?\s*(?:(\d+)\s*h)?\s*(?:(\d+)\s*m(?:in)?)?\s*(?:(\d+)\s*s)?\s*$",
    re.IGNORECASE,
)


def _default_hours() -> Mapping[int, tuple[time, time]]:
    return MappingProxyType({d: (DEFAULT_START, DEFAULT_END) for d in range(5)})


@dataclass(frozen=True)
class WorkTime:
    """When the user works. `hours` maps weekday (Mon=0) to (start, end); absent means a day off."""

    hours: Mapping[int, tuple[time, time]] = field(default_factory=_default_hours)
    lunch: tuple[time, time] | None = None
    days_off: frozenset[date] = frozenset()
    slot: timedelta = timedelta(minutes=30)
    buffer: timedelta = timedelta(0)

    def hours_on(self, day: date) -> tuple[time, time] | None:
        """Working hours on that calendar day, or None on a weekend or day off."""
        if day in self.days_off:
            return None
        return self.hours.get(day.weekday())

    def is_workday(self, day: date) -> bool:
        return self.hours_on(day) is not None

    def end_of_day(self, day: date) -> time:
        """The end of working hours that day; the usual end when the day is not a working day."""
        hours = self.hours_on(day) or self.hours.get(day.weekday())
        if hours:
            return hours[1]
        ends = [end for _, end in self.hours.values()]
        return max(set(ends), key=ends.count) if ends else DEFAULT_END

    def previous_workday(self, day: date) -> date:
        """The last working day strictly before `day` (Monday → Friday)."""
        for back in range(1, 15):
            candidate = day - timedelta(days=back)
            if self.is_workday(candidate):
                return candidate
        return day - timedelta(days=1)

    def next_workdays(self, day: date, count: int) -> list[date]:
        """The next `count` working days strictly after `day`."""
        found: list[date] = []
        candidate = day
        for _ in range(count * 7 + 14):
            candidate += timedelta(days=1)
            if self.is_workday(candidate):
                found.append(candidate)
                if len(found) == count:
                    break
        return found


@dataclass(frozen=True)
class CalendarSettings:
    """`[calendar]`: where the user's meetings live (read only, never written)."""

    busy: tuple[str, ...] = ()
    username: str | None = None
    password_command: str | None = None
    refresh: timedelta = timedelta(minutes=15)
    timeout: timedelta = timedelta(seconds=10)


@dataclass(frozen=True)
class SyncSettings:
    """`[sync]`: the CalDAV collection (or vdir folder) that holds pk's own items."""

    url: str | None = None
    username: str | None = None
    password_command: str | None = None
    history_days: int = 30
    timeout: timedelta = timedelta(seconds=10)


@dataclass(frozen=True)
class Settings:
    tz: tzinfo
    work: WorkTime = field(default_factory=WorkTime)
    calendar: CalendarSettings = field(default_factory=CalendarSettings)
    sync: SyncSettings = field(default_factory=SyncSettings)
    # Promises due within `soon` are shown before they are late (prompt, list, standup).
    soon: timedelta = timedelta(hours=4)
    # Closed promises older than this leave the hot store for the archive.
    archive_after: timedelta = timedelta(days=30)
    # The VALARM before an open promise's deadline in exported/synced items; None = off.
    reminder: timedelta | None = timedelta(hours=1)
    max_due_per_day: int = 5

    def now(self) -> datetime:
        """The clock, read once per command by the CLI. `PK_NOW` (ISO 8601) pins it for scripts."""
        pinned = os.environ.get("PK_NOW")
        if pinned:
            try:
                value = datetime.fromisoformat(pinned)
            except ValueError as exc:
                raise ConfigError(f"PK_NOW is not an ISO 8601 date-time: {pinned!r}") from exc
            if value.tzinfo is None:
                value = value.replace(tzinfo=self.tz)
            return value.astimezone(self.tz)
        return datetime.now(self.tz)


def local_zone() -> tzinfo:
    """The user's IANA zone: $TZ, then /etc/localtime, then whatever offset the OS reports."""
    candidates: list[str] = []
    if tz_env := os.environ.get("TZ"):
        candidates.append(tz_env.lstrip(":"))
    with contextlib.suppress(OSError):
        target = os.readlink("/etc/localtime")
        if "zoneinfo/" in target:
            candidates.append(target.split("zoneinfo/", 1)[1])
    with contextlib.suppress(OSError):
        candidates.append(Path("/etc/timezone").read_text().strip())
    for name in candidates:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            continue
    fallback = datetime.now().astimezone().tzinfo
    return fallback if fallback is not None else ZoneInfo("UTC")


def parse_duration(text: str) -> timedelta:
    """`30m`, `1h`, `1h30m`, `90m`, `2h 15m`, `30d`, `10s`. Zero is allowed; callers decide if
    it makes sense."""
    match = _DURATION.match(text or "")
    if not text or not text.strip() or not match or not any(match.groups()):
        raise ValueError(f"not a duration: {text!r} (try 30m, 1h, 1h30m)")
    days, hours, minutes, seconds = (int(g) if g else 0 for g in match.groups())
    return timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)


def _parse_time(text: str, where: str) -> time:
    try:
        hour, minute = (int(part) for part in str(text).strip().split(":"))
        return time(hour, minute)
    except ValueError as exc:
        raise ConfigError(f"{where}: expected HH:MM, got {text!r}") from exc


def _parse_range(text: str, where: str) -> tuple[time, time]:
    match = _RANGE.match(str(text))
    if not match:
        raise ConfigError(f"{where}: expected HH:MM-HH:MM, got {text!r}")
    start = _parse_time(f"{match[1]}:{match[2]}", where)
    end = _parse_time(f"{match[3]}:{match[4]}", where)
    if end <= start:
        raise ConfigError(f"{where}: the end must be after the start, got {text!r}")
    return start, end


def settings_from_dict(raw: Mapping[str, object], source: str = "config") -> Settings:
    """Build Settings from parsed TOML. Unknown keys are ignored so newer configs still load."""
    tz: tzinfo
    if name := raw.get("timezone"):
        try:
            tz = ZoneInfo(str(name))
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ConfigError(f"{source}: unknown timezone {name!r} (try Europe/Berlin)") from exc
    else:
        tz = local_zone()
    work_raw = raw.get("work", {})
    if not isinstance(work_raw, Mapping):
        raise ConfigError(f"{source}: [work] must be a table")
    start = _parse_time(work_raw.get("start", "09:00"), f"{source}: work.start")
    end = _parse_time(work_raw.get("end", "17:00"), f"{source}: work.end")
    if end <= start:
        raise ConfigError(f"{source}: work.end must be after work.start")
    days = work_raw.get("days", list(WEEKDAYS[:5]))
    hours: dict[int, tuple[time, time]] = {}
    for day in days:
        key = str(day).strip().lower()[:3]
        if key not in WEEKDAYS:
            raise ConfigError(f"{source}: work.days: unknown weekday {day!r}")
        hours[WEEKDAYS.index(key)] = (start, end)
    per_day = work_raw.get("hours", {})
    if not isinstance(per_day, Mapping):
        raise ConfigError(f"{source}: [work.hours] must be a table")
    for day, span in per_day.items():
        key = str(day).strip().lower()[:3]
        if key not in WEEKDAYS:
            raise ConfigError(f"{source}: work.hours: unknown weekday {day!r}")
        if span in ("", "off", None, False):
            hours.pop(WEEKDAYS.index(key), None)
        else:
            hours[WEEKDAYS.index(key)] = _parse_range(span, f"{source}: work.hours.{key}")
    lunch = (
        _parse_range(work_raw["lunch"], f"{source}: work.lunch") if work_raw.get("lunch") else None
    )
    try:
        days_off = frozenset(
            d if isinstance(d, date) else date.fromisoformat(str(d))
            for d in work_raw.get("days_off", [])
        )
    except ValueError as exc:
        raise ConfigError(f"{source}: work.days_off: dates are YYYY-MM-DD") from exc
    try:
        slot = parse_duration(str(work_raw.get("slot", "30m")))
        buffer = parse_duration(str(work_raw.get("buffer", "0m")))
    except ValueError as exc:
        raise ConfigError(f"{source}: {exc}") from exc
    if slot <= timedelta(0):
        raise ConfigError(f"{source}: work.slot must be longer than zero")
    return Settings(
        tz=tz,
        work=WorkTime(
            hours=MappingProxyType(hours),
            lunch=lunch,
            days_off=days_off,
            slot=slot,
            buffer=buffer,
        ),
        **_extras(raw, source),
    )


def _duration_key(raw: Mapping[str, object], key: str, default: str, source: str) -> timedelta:
    try:
        return parse_duration(str(raw.get(key, default)))
    except ValueError as exc:
        raise ConfigError(f"{source}: {key}: {exc}") from exc


def _extras(raw: Mapping[str, object], source: str) -> dict[str, object]:
    """The top-level keys and the [calendar] / [sync] sections."""
    cal = raw.get("calendar", {})
    sync = raw.get("sync", {})
    if not isinstance(cal, Mapping) or not isinstance(sync, Mapping):
        raise ConfigError(f"{source}: [calendar] and [sync] must be tables")
    busy = cal.get("busy", [])
    if isinstance(busy, str):
        busy = [busy]
    reminder_text = str(raw.get("reminder", "1h"))
    return {
        "calendar": CalendarSettings(
            busy=tuple(str(b) for b in busy),  # type: ignore[union-attr]
            username=cal.get("username"),  # type: ignore[arg-type]
            password_command=cal.get("password_command"),  # type: ignore[arg-type]
            refresh=_duration_key(cal, "refresh", "15m", source),
            timeout=_duration_key(cal, "timeout", "10s", source),
        ),
        "sync": SyncSettings(
            url=sync.get("url"),  # type: ignore[arg-type]
            username=sync.get("username"),  # type: ignore[arg-type]
            password_command=sync.get("password_command"),  # type: ignore[arg-type]
            history_days=int(sync.get("history_days", 30)),  # type: ignore[call-overload]
            timeout=_duration_key(sync, "timeout", "10s", source),
        ),
        "soon": _duration_key(raw, "soon", "4h", source),
        "archive_after": _duration_key(raw, "archive_after", "30d", source),
        "reminder": None
        if reminder_text.strip().lower() == "off"
        else _duration_key(raw, "reminder", "1h", source),
        "max_due_per_day": int(raw.get("max_due_per_day", 5)),  # type: ignore[call-overload]
    }


def load_settings(path: Path | None = None) -> Settings:
    """Read config.toml (or `PK_CONFIG`); a missing file means defaults."""
    from .paths import config_path

    path = path or config_path()
    try:
        with open(path, "rb") as handle:
            raw = tomllib.load(handle)
    except FileNotFoundError:
        return settings_from_dict({})
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from exc
    return settings_from_dict(raw, source=str(path))
