"""Capacity: is a new deadline realistic next to everything else already due by then?

Pure functions over the open promises I made, the booked help slots and (later) calendar busy
time; no store writes, no clock. `pk add`, `pk move` and `pk book` ask `heads_up` after the change
and print a one-line warning when it returns something. It never refuses and never prompts:
over-committing is the user's call, made knowingly.

Two signs of too much:
- time: the stated effort of my open promises due by the deadline, plus the booked help slots
  before it (plus calendar busy time), is more than the working time left until the deadline.
  A promise without a stated effort is counted, not guessed at;
- count: the deadline's day has more than `max_due_per_day` of my promises due.
A promise that is a help slot (`request_id`) is counted as its slot, not twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple

from ..config import Settings
from ..dates import wall_clock
from ..model import parse_iso
from ..storage.store import PROMISES, View
from .slots import Interval, free_windows, working_windows

LOOK_AHEAD_DAYS = 60  # how far the next lighter day is looked for

# The records below are NamedTuples, not dataclasses: `pk add` imports this module for its
# heads-up, and a frozen dataclass compiles its methods at import (about a millisecond each).


class Due(NamedTuple):
    """One of my open promises, as capacity sees it."""

    id: int
    due: datetime
    effort_minutes: int | None = None


class Load(NamedTuple):
    """What is due by `deadline`, against the time there is. Minutes throughout."""

    deadline: datetime
    day: date  # the deadline's local day
    on_day: int  # my promises due that day
    by_deadline: int  # my open promises due by the deadline (overdue ones included)
    stated_minutes: int  # their stated effort
    unstated: int  # how many of them state none
    help_minutes: int  # booked help slots between now and the deadline
    busy_minutes: int  # calendar busy time in working hours before the deadline
    free_minutes: int  # working time from now to the deadline, less the busy time
    max_per_day: int

    @property
    def over_time(self) -> bool:
        return self.stated_minutes + self.help_minutes > self.free_minutes

    @property
    def over_count(self) -> bool:
        return self.on_day > self.max_per_day

    @property
    def too_much(self) -> bool:
        return self.over_time or self.over_count


class HeadsUp(NamedTuple):
    """The load that raised it, and the first working day after it that would not."""

    load: Load
    lighter_day: date | None


def dues(view: View) -> list[Due]:
    """My open promises that are not help slots, read from the raw records: only the deadline and
    effort are parsed, so this stays cheap on a store of thousands."""
    found = []
    for pid, record in view.records(PROMISES):
        if record.get("status", "open") != "open" or record.get("direction") != "to":
            continue
        if record.get("request_id") is not None:
            continue  # counted as its booked slot
        try:
            due = parse_iso(record["due"])
        except (KeyError, TypeError, ValueError):
            continue  # a damaged record is `pk doctor`'s to report, not a heads-up's
        effort = record.get("effort_minutes")
        found.append(Due(pid, due, effort if type(effort) is int and effort > 0 else None))
    return found


def _minutes(span: timedelta) -> int:
    return int(span.total_seconds() // 60)


def _overlap(intervals: Iterable[Interval], start: datetime, end: datetime) -> timedelta:
    total = timedelta(0)
    for iv in intervals:
        lo, hi = max(iv.start, start), min(iv.end, end)
        if hi > lo:
            total += hi - lo
    return total


def load(
    promises: Sequence[Due],
    help_slots: Sequence[Interval],
    *,
    deadline: datetime,
    now: datetime,
    settings: Settings,
    busy: Sequence[Interval] = (),
) -> Load:
    """The figures for a deadline. `help_slots` are the booked slots; `busy` the calendar's."""
    tz = settings.tz
    day = deadline.astimezone(tz).date()
    start = now.astimezone(UTC)
    end = max(deadline.astimezone(UTC), start)
    by = [p for p in promises if p.due <= deadline]
    windows = free_windows(settings.work, tz, (), start=start, end=end) if end > start else []
    working = sum((w.length for w in windows), timedelta(0))
    busy_time = sum(
        (_overlap(busy, w.start, w.end) for w in windows), timedelta(0)
    )  # only busy time inside working hours takes working time away
    return Load(
        deadline=deadline,
        day=day,
        on_day=sum(1 for p in promises if p.due.astimezone(tz).date() == day),
        by_deadline=len(by),
        stated_minutes=sum(p.effort_minutes or 0 for p in by),
        unstated=sum(1 for p in by if p.effort_minutes is None),
        help_minutes=_minutes(_overlap(help_slots, start, end)),
        busy_minutes=_minutes(busy_time),
        free_minutes=max(0, _minutes(working - busy_time)),
        max_per_day=settings.max_due_per_day,
    )


def heads_up(
    promises: Sequence[Due],
    help_slots: Sequence[Interval],
    *,
    deadline: datetime,
    now: datetime,
    settings: Settings,
    busy: Sequence[Interval] = (),
) -> HeadsUp | None:
    """A heads-up when `deadline` (already among `promises` / `help_slots`) is too much, with the
    next lighter working day; None when it fits."""
    figures = load(promises, help_slots, deadline=deadline, now=now, settings=settings, busy=busy)
    if not figures.too_much:
        return None
    return HeadsUp(figures, lighter_day(promises, help_slots, figures, now, settings, busy))


def lighter_day(
    promises: Sequence[Due],
    help_slots: Sequence[Interval],
    current: Load,
    now: datetime,
    settings: Settings,
    busy: Sequence[Interval] = (),
) -> date | None:
    """The first working day after the deadline's where a deadline at the end of the working day
    raises no heads-up (the promise moved there: one fewer on its old day, one more on this)."""
    tz, work = settings.tz, settings.work
    for day in work.next_workdays(current.day, LOOK_AHEAD_DAYS)[:LOOK_AHEAD_DAYS]:
        windows = working_windows(work, tz, day, day)
        end = windows[-1].end if windows else wall_clock(datetime.combine(day, time(23, 59)), tz)
        there = load(promises, help_slots, deadline=end, now=now, settings=settings, busy=busy)
        # The promise being placed is counted on its current day; on `day` it would be one more.
        if there.on_day + 1 <= settings.max_due_per_day and not there.over_time:
            return day
    return None
