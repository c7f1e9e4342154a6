"""Working time, free-slot search and clash detection: pure functions, no store, no clock.

Working hours are wall-clock times in the user's zone, so each day is built on the local calendar
and converted to UTC there: on a DST night a 01:00–04:00 window is two hours long, not three, and a
09:00 start is 09:00 on either side of the change. Everything after that is UTC interval arithmetic,
which is what makes clash detection across a DST change correct.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

from ..config import WorkTime
from ..dates import wall_clock
from ..errors import BadInput

GRID = timedelta(minutes=15)
DEFAULT_WITHIN = "1w"
MAX_OFFER = 10
# Compiled on first use (re caches it): only `pk offer` reads --within, and `pk add` imports
# this module for its heads-up.
_WITHIN = r"^\s*(?P<n>\d{1,3})\s*(?P<unit>w|wk|wks|weeks?|d|days?|workdays?)\s*$"


class Interval:
    """A half-open span [start, end) of aware datetimes; `ref` names what occupies it. Immutable;
    equal, hashed and ordered by (start, end) alone.

    Written out, not a frozen ordered dataclass: `pk add` loads it for every capacity heads-up,
    and such a dataclass compiles ten methods at import (~1.5 ms a command)."""

    __slots__ = ("end", "ref", "start")
    start: datetime
    end: datetime
    ref: Any

    def __init__(self, start: datetime, end: datetime, ref: Any = None) -> None:
        object.__setattr__(self, "start", start)
        object.__setattr__(self, "end", end)
        object.__setattr__(self, "ref", ref)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"an Interval is immutable: cannot set {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"an Interval is immutable: cannot delete {name!r}")

    def __repr__(self) -> str:
        return f"Interval(start={self.start!r}, end={self.end!r}, ref={self.ref!r})"

    def __hash__(self) -> int:
        return hash((self.start, self.end))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Interval):
            return NotImplemented
        return (self.start, self.end) == (other.start, other.end)

    def __lt__(self, other: Interval) -> bool:
        return (self.start, self.end) < (other.start, other.end)

    def __le__(self, other: Interval) -> bool:
        return (self.start, self.end) <= (other.start, other.end)

    def __gt__(self, other: Interval) -> bool:
        return (self.start, self.end) > (other.start, other.end)

    def __ge__(self, other: Interval) -> bool:
        return (self.start, self.end) >= (other.start, other.end)

    @property
    def length(self) -> timedelta:
        return self.end.astimezone(UTC) - self.start.astimezone(UTC)

    def overlaps(self, other: Interval, gap: timedelta = timedelta(0)) -> bool:
        """True when the two share time, or come closer than `gap` to each other."""
        return self.start < other.end + gap and other.start < self.end + gap


def _at(day: date, clock: time, tz: tzinfo) -> datetime:
    # A working-hours boundary inside a DST gap (02:30 on a spring-forward night) moves forward by
    # the gap, like the clocks do; a repeated time means its first occurrence.
    return wall_clock(datetime.combine(day, clock), tz).astimezone(UTC)


def _day_spans(work: WorkTime, day: date) -> list[tuple[time, time]]:
    """The day's working hours as local (start, end) pairs, the lunch break cut out."""
    hours = work.hours_on(day)
    if hours is None:
        return []
    start, end = hours
    if work.lunch is None:
        return [hours]
    lunch_start, lunch_end = work.lunch
    if lunch_end <= start or lunch_start >= end:
        return [hours]
    spans = []
    if lunch_start > start:
        spans.append((start, lunch_start))
    if lunch_end < end:
        spans.append((lunch_end, end))
    return spans


def working_windows(work: WorkTime, tz: tzinfo, first: date, last: date) -> list[Interval]:
    """Working time on each local calendar day from `first` to `last` (inclusive), in UTC."""
    windows: list[Interval] = []
    day = first
    while day <= last:
        for start, end in _day_spans(work, day):
            begin, finish = _at(day, start, tz), _at(day, end, tz)
            if finish > begin:
                windows.append(Interval(begin, finish))
        day += timedelta(days=1)
    return windows


def longest_stretch(work: WorkTime) -> timedelta:
    """The longest unbroken working time any weekday has: nothing longer can ever be booked."""
    longest = timedelta(0)
    # A plain week of the configured hours (days off aside), measured on the wall clock.
    monday = date(2001, 1, 1)
    for offset in range(7):
        day = monday + timedelta(days=offset)
        if day.weekday() not in work.hours:
            continue
        for start, end in _day_spans(WorkTime(hours=work.hours, lunch=work.lunch), day):
            span = datetime.combine(day, end) - datetime.combine(day, start)
            longest = max(longest, span)
    return longest


def subtract(
    windows: Iterable[Interval], busy: Iterable[Interval], gap: timedelta
) -> list[Interval]:
    """`windows` minus every busy interval widened by `gap` on both sides."""
    blocks = sorted((b.start - gap, b.end + gap) for b in busy)
    free: list[Interval] = []
    for window in windows:
        cursor = window.start
        for start, end in blocks:
            if end <= cursor:
                continue
            if start >= window.end:
                break
            if start > cursor:
                free.append(Interval(cursor, start))
            cursor = max(cursor, end)
            if cursor >= window.end:
                break
        if cursor < window.end:
            free.append(Interval(cursor, window.end))
    return free


def free_windows(
    work: WorkTime,
    tz: tzinfo,
    booked: Sequence[Interval],
    *,
    start: datetime,
    end: datetime,
) -> list[Interval]:
    """Working time between `start` and `end` that no booked slot (with the buffer) takes."""
    first = start.astimezone(tz).date()
    last = end.astimezone(tz).date()
    clipped = []
    for window in working_windows(work, tz, first, last):
        lo, hi = max(window.start, start.astimezone(UTC)), min(window.end, end.astimezone(UTC))
        if hi > lo:
            clipped.append(Interval(lo, hi))
    return subtract(clipped, booked, work.buffer)


def _on_grid(moment: datetime, tz: tzinfo) -> datetime:
    """The first quarter hour of the local clock at or after `moment`."""
    local = moment.astimezone(tz)
    past = timedelta(
        minutes=local.minute % 15, seconds=local.second, microseconds=local.microsecond
    )
    if not past:
        return moment.astimezone(UTC)
    return (moment.astimezone(UTC) - past + GRID).replace(microsecond=0)


def candidates(free: Iterable[Interval], tz: tzinfo, need: timedelta) -> list[Interval]:
    """Every quarter-hour start inside a free window that leaves room for `need`."""
    found = []
    for window in free:
        start = _on_grid(window.start, tz)
        while start + need <= window.end:
            found.append(Interval(start, start + need))
            start += GRID
    return found


def _half_day(slot: Interval, tz: tzinfo) -> tuple[date, bool]:
    local = slot.start.astimezone(tz)
    return local.date(), local.hour >= 12


def spread(options: Sequence[Interval], tz: tzinfo, count: int) -> list[Interval]:
    """Up to `count` of `options` (sorted), soonest first but in distinct half-days where possible,
    so three offers are not three adjacent quarter hours. Offers never overlap each other."""
    chosen: list[Interval] = []
    seen: set[tuple[date, bool]] = set()
    for option in options:
        if len(chosen) == count:
            break
        key = _half_day(option, tz)
        if key not in seen and not any(option.overlaps(c) for c in chosen):
            seen.add(key)
            chosen.append(option)
    for option in options:
        if len(chosen) >= count:
            break
        if not any(option.overlaps(c) for c in chosen):
            chosen.append(option)
    return sorted(chosen)


def check_need(need: timedelta, work: WorkTime) -> None:
    """Refuse a duration no slot can have: zero, negative, or longer than any working stretch."""
    if need <= timedelta(0):
        raise BadInput("the time needed must be longer than zero (e.g. --need 30m)")
    longest = longest_stretch(work)
    if need > longest:
        raise BadInput(
            f"{minutes_words(need)} is longer than a working day allows "
            f"(the longest stretch is {minutes_words(longest)}); split the help into shorter slots"
        )
    if need.total_seconds() % 60:
        raise BadInput("give the time needed in whole minutes (e.g. 45m)")


def find_slots(
    work: WorkTime,
    tz: tzinfo,
    booked: Sequence[Interval],
    *,
    now: datetime,
    need: timedelta,
    until: datetime,
    after: datetime | None = None,
    offer: int = 3,
    busy: Sequence[Interval] = (),
) -> list[Interval]:
    """Free slots of length `need` between max(now, after) and `until`: inside working hours, clear
    of booked slots and of `busy` time (the user's meetings) by the buffer, on the quarter-hour
    grid, spread over half-days. May be empty."""
    check_need(need, work)
    if not 1 <= offer <= MAX_OFFER:
        raise BadInput(f"offer between 1 and {MAX_OFFER} slots, not {offer}")
    start = max(now, after) if after is not None else now
    if until <= start:
        return []
    # A meeting is kept clear of like a booked slot: the buffer is the user's breathing room
    # between any two things, whoever booked them.
    free = free_windows(work, tz, [*booked, *busy], start=start, end=until)
    return spread(candidates(free, tz, need), tz, offer)


def clashes(slot: Interval, booked: Iterable[Interval], buffer: timedelta) -> list[Interval]:
    """The booked intervals `slot` overlaps, or comes closer to than `buffer`."""
    return sorted(b for b in booked if slot.overlaps(b, buffer))


def outside_hours(slot: Interval, work: WorkTime, tz: tzinfo) -> bool:
    """True unless `slot` lies wholly inside one stretch of working time (lunch and days off are
    outside)."""
    first = slot.start.astimezone(tz).date()
    last = slot.end.astimezone(tz).date()
    return not any(
        w.start <= slot.start and slot.end <= w.end
        for w in working_windows(work, tz, first - timedelta(days=1), last)
    )


def parse_within(text: str) -> tuple[int, str]:
    """`2d` (working days), `1w` (calendar weeks): (count, "workdays" | "weeks")."""
    match = re.match(_WITHIN, text or "", re.IGNORECASE)
    if not match or int(match["n"]) == 0:
        raise BadInput(f"can't read --within {text!r}; try 2d (working days) or 1w, 2w")
    weeks = match["unit"].lower().startswith("w") and not match["unit"].lower().startswith("work")
    return int(match["n"]), "weeks" if weeks else "workdays"


def window_end(work: WorkTime, tz: tzinfo, start: datetime, within: str) -> datetime:
    """Where the search stops: the end of the Nth working day from `start` (its own day counts
    while it has working time left), or N calendar weeks from `start`, to the end of that day."""
    count, unit = parse_within(within)
    local = start.astimezone(tz)
    day = local.date()
    if unit == "weeks":
        last = day + timedelta(weeks=count)
    else:
        today_left = any(w.end > start for w in working_windows(work, tz, day, day))
        days = ([day] if today_left else []) + work.next_workdays(day, count)
        last = days[count - 1] if len(days) >= count else day + timedelta(days=count)
    return _at(last + timedelta(days=1), time(0), tz)


def minutes_words(span: timedelta) -> str:
    """45m, 1h, 1h 30m: how the length of a slot is said."""
    minutes = int(span.total_seconds() // 60)
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest}m"
    return f"{hours}h {rest}m" if rest else f"{hours}h"
