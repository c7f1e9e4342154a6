"""Settings from config.toml: the timezone and the working time that `eod`, slots and standups use.

A missing file means the defaults (Mon–Fri 09:00–17:00, local zone). Only the stdlib is used so the
settings can be read anywhere without cost.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta, tzinfo
from pathlib import Path
from types import MappingProxyType
from typing import NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .errors import ConfigError
from .timewords import DAY_ABBR, parse_duration
from .timewords import WEEKDAYS as WEEKDAY_NAMES

# The short names, Mon=0, for `work.days` defaults; every spelling lives in timewords.WEEKDAYS.
WEEKDAYS = tuple(name.lower() for name in DAY_ABBR)
DEFAULT_START = time(9, 0)
DEFAULT_END = time(17, 0)
# A pattern, not a compiled one: only a config that names hours or lunch needs it (re caches it).
_RANGE = r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$"

# The settings are NamedTuples, not frozen dataclasses: every command creates these classes at
# start-up, and a dataclass costs ~1.3 ms each to create (and `dataclasses` ~12 ms to import,
# with `inspect`) against ~0.2 ms. Equal, immutable and printable all the same.


class WorkTime(NamedTuple):
    """When the user works. `hours` maps weekday (Mon=0) to (start, end); absent means a day off."""

    hours: Mapping[int, tuple[time, time]] = MappingProxyType(
        {d: (DEFAULT_START, DEFAULT_END) for d in range(5)}
    )
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


class CalendarSettings(NamedTuple):
    """`[calendar]`: where the user's meetings live (read only, never written)."""

    busy: tuple[str, ...] = ()
    username: str | None = None
    password_command: str | None = None
    refresh: timedelta = timedelta(minutes=15)
    timeout: timedelta = timedelta(seconds=10)


class SyncSettings(NamedTuple):
    """`[sync]`: the CalDAV collection (or vdir folder) that holds pk's own items."""

    url: str | None = None
    username: str | None = None
    password_command: str | None = None
    history_days: int = 30
    timeout: timedelta = timedelta(seconds=10)


class Settings(NamedTuple):
    """Everything config.toml says, read once per command."""

    tz: tzinfo
    work: WorkTime = WorkTime()
    calendar: CalendarSettings = CalendarSettings()
    sync: SyncSettings = SyncSettings()
    # Promises due within `soon` are shown before they are late (prompt, list, standup).
    soon: timedelta = timedelta(hours=4)
    # Closed promises older than this leave the hot store for the archive.
    archive_after: timedelta = timedelta(days=30)
    # The VALARM before an open promise's deadline in exported/synced items; None = off.
    reminder: timedelta | None = timedelta(hours=1)
    max_due_per_day: int = 5

    def fingerprint(self) -> str:
        """A short string that changes exactly when what is overdue, due today or due soon may:
        the zone, the working hours, the days off and `soon`. Store it beside the prompt index and
        rebuild the index when it differs (`pk prompt` must not show yesterday's "due today")."""
        # crc32, not hashlib: zlib is loaded at start-up anyway, hashlib costs ~5 ms to import on
        # every command that opens the store. A collision only keeps an index one rebuild longer.
        import zlib

        zone = getattr(self.tz, "key", None) or str(self.tz)
        hours = sorted((day, f"{a:%H:%M}-{b:%H:%M}") for day, (a, b) in self.work.hours.items())
        days_off = sorted(day.isoformat() for day in self.work.days_off)
        text = repr((zone, hours, days_off, int(self.soon.total_seconds())))
        return f"{zlib.crc32(text.encode()):08x}"

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


def _parse_time(value: object, where: str) -> time:
    # TOML's own local time (`start = 09:00:00`) arrives as a time already.
    if isinstance(value, time):
        return value.replace(second=0, microsecond=0)
    if not isinstance(value, str):
        raise ConfigError(f'{where} must be a time such as "09:00", got {value!r}')
    try:
        hour, minute = (int(part) for part in value.strip().split(":"))
        return time(hour, minute)
    except ValueError as exc:
        raise ConfigError(f"{where}: expected HH:MM, got {value!r}") from exc


def _parse_range(value: object, where: str) -> tuple[time, time]:
    match = re.match(_RANGE, value) if isinstance(value, str) else None
    if not match:
        raise ConfigError(f'{where}: expected a range such as "09:00-17:00", got {value!r}')
    start = _parse_time(f"{match[1]}:{match[2]}", where)
    end = _parse_time(f"{match[3]}:{match[4]}", where)
    if end <= start:
        raise ConfigError(f"{where}: the end must be after the start, got {value!r}")
    return start, end


# What config.toml may hold. A key nobody reads is almost always a typo that silently changes
# nothing ("timzone"), so every unknown key is an error that names the keys allowed.
_TOP_KEYS = ("timezone", "soon", "archive_after", "reminder", "max_due_per_day")
_SECTIONS = {
    "work": ("start", "end", "days", "hours", "lunch", "days_off", "slot", "buffer"),
    "calendar": ("busy", "username", "password_command", "refresh", "timeout"),
    "sync": ("url", "username", "password_command", "history_days", "timeout"),
}
# The longest leave one range of days off may name; a typo in the year would otherwise build a
# set of millions of days.
_MAX_LEAVE_DAYS = 400


class _Reader:
    """Typed access to one table of config.toml; every refusal names the file and the key."""

    def __init__(self, raw: Mapping[str, object], source: str, section: str | None) -> None:
        self.raw, self.source, self.section = raw, source, section

    def name(self, key: str) -> str:
        return f"{self.section}.{key}" if self.section else key

    def fail(self, key: str, what: str) -> ConfigError:
        value = self.raw[key]
        return ConfigError(f"{self.source}: {self.name(key)} must be {what}, got {value!r}")

    def check_keys(self, allowed: tuple[str, ...], shown: tuple[str, ...]) -> None:
        for key in self.raw:
            if key not in allowed:
                close = _close_key(str(key), allowed)
                hint = f"; did you mean '{close}'?" if close else ""
                raise ConfigError(
                    f"{self.source}: unknown key '{self.name(str(key))}' "
                    f"(allowed: {', '.join(shown)}){hint}"
                )

    def text(self, key: str) -> str | None:
        value = self.raw.get(key)
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            raise self.fail(key, "a non-empty string")
        return value

    def duration(self, key: str, default: timedelta) -> timedelta:
        value = self.raw.get(key)
        if value is None:
            return default
        if not isinstance(value, str):
            raise self.fail(key, 'a duration in quotes such as "30m", "4h" or "30d"')
        try:
            return parse_duration(value)
        except ValueError as exc:
            raise ConfigError(f"{self.source}: {self.name(key)}: {exc}") from None

    def whole(self, key: str, default: int) -> int:
        value = self.raw.get(key)
        if value is None:
            return default
        # bool is an int in Python; `true` is not a count.
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise self.fail(key, "a whole number, 0 or more")
        return value

    def table(self, key: str) -> Mapping[str, object]:
        value = self.raw.get(key, {})
        if not isinstance(value, Mapping):
            raise ConfigError(f"{self.source}: [{self.name(key)}] must be a table, got {value!r}")
        return value

    def strings(self, key: str, what: str) -> list[str]:
        value = self.raw.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(key, what)
        return value


def _close_key(word: str, allowed: tuple[str, ...]) -> str | None:
    """The allowed key `word` was probably meant to be, if any."""
    import difflib  # only on the error path: the prompt reads settings and must stay cheap

    found = difflib.get_close_matches(word.lower(), allowed, n=1, cutoff=0.6)
    return found[0] if found else None


def _weekday(value: object, where: str) -> int:
    """Mon=0 for any spelling in the one names table ("mon", "Monday", "thurs")."""
    key = value.strip().lower() if isinstance(value, str) else None
    if key is None or key not in WEEKDAY_NAMES:
        raise ConfigError(
            f"{where}: unknown weekday {value!r} (use mon, tue, wed, thu, fri, sat, sun)"
        )
    return WEEKDAY_NAMES[key]


def _days_off(reader: _Reader) -> frozenset[date]:
    """`days_off = ["2026-12-08", "2026-12-24..2027-01-01"]`: single dates and inclusive ranges."""
    what = 'a list of dates such as ["2026-12-08", "2026-12-24..2027-01-01"]'
    value = reader.raw.get("days_off", [])
    if not isinstance(value, list):
        raise reader.fail("days_off", what)
    found: set[date] = set()
    where = f"{reader.source}: {reader.name('days_off')}"
    for item in value:
        if isinstance(item, date) and not isinstance(item, datetime):
            found.add(item)  # a TOML date: days_off = [2026-12-08]
            continue
        if not isinstance(item, str):
            raise ConfigError(f"{where}: {item!r} is not a date; use {what}")
        first_text, dots, last_text = item.strip().partition("..")
        try:
            first = date.fromisoformat(first_text.strip())
            last = date.fromisoformat(last_text.strip()) if dots else first
        except ValueError:
            raise ConfigError(f"{where}: {item!r} is not a date or range; use {what}") from None
        if last < first:
            raise ConfigError(f"{where}: {item!r} ends before it starts")
        if (last - first).days >= _MAX_LEAVE_DAYS:
            raise ConfigError(f"{where}: {item!r} is longer than {_MAX_LEAVE_DAYS} days")
        found.update(first + timedelta(days=n) for n in range((last - first).days + 1))
    return frozenset(found)


def _work(reader: _Reader) -> WorkTime:
    reader.check_keys(_SECTIONS["work"], _SECTIONS["work"])
    start = _parse_time(reader.raw.get("start", "09:00"), f"{reader.source}: work.start")
    end = _parse_time(reader.raw.get("end", "17:00"), f"{reader.source}: work.end")
    if end <= start:
        raise ConfigError(f"{reader.source}: work.end must be after work.start")
    days = reader.strings("days", 'a list of weekdays such as ["mon", "tue", "wed"]')
    hours: dict[int, tuple[time, time]] = {}
    default_days = list(WEEKDAYS[:5]) if "days" not in reader.raw else days
    for day in default_days:
        hours[_weekday(day, f"{reader.source}: work.days")] = (start, end)
    per_day = reader.table("hours")
    for day, span in per_day.items():
        where = f"{reader.source}: work.hours.{day}"
        weekday = _weekday(day, f"{reader.source}: [work.hours]")
        if span in ("", "off", False):
            hours.pop(weekday, None)
        else:
            hours[weekday] = _parse_range(span, where)
    lunch_text = reader.raw.get("lunch")
    lunch = _parse_range(lunch_text, f"{reader.source}: work.lunch") if lunch_text else None
    slot = reader.duration("slot", timedelta(minutes=30))
    if slot <= timedelta(0):
        raise ConfigError(f"{reader.source}: work.slot must be longer than zero")
    return WorkTime(
        hours=MappingProxyType(hours),
        lunch=lunch,
        days_off=_days_off(reader),
        slot=slot,
        buffer=reader.duration("buffer", timedelta(0)),
    )


def settings_from_dict(raw: Mapping[str, object], source: str = "config") -> Settings:
    """Build Settings from parsed TOML. An unknown key or section, or a value of the wrong type,
    is a ConfigError naming `source`, the key and what is allowed."""
    top = _Reader(raw, source, None)
    top.check_keys((*_TOP_KEYS, *_SECTIONS), (*_TOP_KEYS, *(f"[{s}]" for s in _SECTIONS)))
    tz: tzinfo
    if (name := top.text("timezone")) is not None:
        try:
            tz = ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ConfigError(f"{source}: unknown timezone {name!r} (try Europe/Berlin)") from exc
    else:
        tz = local_zone()
    cal = _Reader(top.table("calendar"), source, "calendar")
    cal.check_keys(_SECTIONS["calendar"], _SECTIONS["calendar"])
    sync = _Reader(top.table("sync"), source, "sync")
    sync.check_keys(_SECTIONS["sync"], _SECTIONS["sync"])
    reminder: timedelta | None
    if isinstance(raw.get("reminder"), str) and str(raw["reminder"]).strip().lower() == "off":
        reminder = None
    else:
        reminder = top.duration("reminder", timedelta(hours=1))
    return Settings(
        tz=tz,
        work=_work(_Reader(top.table("work"), source, "work")),
        calendar=CalendarSettings(
            busy=tuple(cal.strings("busy", "a list of calendar URLs or files, in quotes")),
            username=cal.text("username"),
            password_command=cal.text("password_command"),
            refresh=cal.duration("refresh", timedelta(minutes=15)),
            timeout=cal.duration("timeout", timedelta(seconds=10)),
        ),
        sync=SyncSettings(
            url=sync.text("url"),
            username=sync.text("username"),
            password_command=sync.text("password_command"),
            history_days=sync.whole("history_days", 30),
            timeout=sync.duration("timeout", timedelta(seconds=10)),
        ),
        soon=top.duration("soon", timedelta(hours=4)),
        archive_after=top.duration("archive_after", timedelta(days=30)),
        reminder=reminder,
        max_due_per_day=top.whole("max_due_per_day", 5),
    )


def load_settings(path: Path | None = None) -> Settings:
    """Read config.toml (or `PK_CONFIG`); a missing file means defaults."""
    from .config_file import read_config
    from .paths import config_path

    path = path or config_path()
    raw = read_config(path)
    return settings_from_dict({}) if raw is None else settings_from_dict(raw, source=str(path))
