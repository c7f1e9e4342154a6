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

from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from itertools import accumulate
from typing import NamedTuple

from ..config import Settings
from ..dates import wall_clock
from ..model import parse_iso
from ..storage.store import View
from .slots import Interval, working_windows

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
    for pid, record in view.open_records():
        if record.get("direction") != "to":
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


class Tally:
    """My open promises, counted once for the many deadlines a heads-up tries (the deadline, then
    up to LOOK_AHEAD_DAYS candidate days): each promise's local day is worked out once, not once
    per deadline, and the deadlines are kept in order with running sums, so "due by" is a bisect
    rather than a pass over every open promise."""

    def __init__(self, promises: Iterable[Due], tz: tzinfo) -> None:
        ordered = sorted(promises, key=lambda p: p.due)  # aware: ordered by the instant
        self.dues = [p.due for p in ordered]
        # Converted per distinct deadline: most promises share a few (17:00 is the default time).
        self.per_day: Counter[date] = Counter()
        for due, count in Counter(self.dues).items():
            self.per_day[due.astimezone(tz).date()] += count
        # [k] is the sum over the first k promises in deadline order.
        self.stated = list(accumulate((p.effort_minutes or 0 for p in ordered), initial=0))
        self.unstated = list(
            accumulate((1 if p.effort_minutes is None else 0 for p in ordered), initial=0)
        )

    def due_by(self, deadline: datetime) -> tuple[int, int, int]:
        """How many are due at or before `deadline`, their stated minutes, how many state none."""
        count = bisect_right(self.dues, deadline)
        return count, self.stated[count], self.unstated[count]


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
    start = now.astimezone(UTC)
    windows = _working_windows(settings, start, deadline)
    return _load(Tally(promises, settings.tz), help_slots, windows, deadline, start, settings, busy)


def _working_windows(settings: Settings, start: datetime, deadline: datetime) -> list[Interval]:
    """The working windows on the local days from `start`'s to `deadline`'s."""
    tz = settings.tz
    last = max(deadline.astimezone(UTC), start).astimezone(tz).date()
    return working_windows(settings.work, tz, start.astimezone(tz).date(), last)


def _load(
    tally: Tally,
    help_slots: Sequence[Interval],
    windows: Sequence[Interval],
    deadline: datetime,
    start: datetime,
    settings: Settings,
    busy: Sequence[Interval],
) -> Load:
    """`load` over a tally and the working windows from `start`'s day on (UTC): the windows may
    run past the deadline (`lighter_day` shares them across its candidate days), so they are cut
    to [start, deadline] here."""
    day = deadline.astimezone(settings.tz).date()
    end = max(deadline.astimezone(UTC), start)
    working = busy_time = timedelta(0)
    for window in windows:
        lo, hi = max(window.start, start), min(window.end, end)
        if hi > lo:
            working += hi - lo
            # Only busy time inside working hours takes working time away.
            busy_time += _overlap(busy, lo, hi)
    by_deadline, stated, unstated = tally.due_by(deadline)
    return Load(
        deadline=deadline,
        day=day,
        on_day=tally.per_day[day],
        by_deadline=by_deadline,
        stated_minutes=stated,
        unstated=unstated,
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
    tally, start = Tally(promises, settings.tz), now.astimezone(UTC)
    windows = _working_windows(settings, start, deadline)
    figures = _load(tally, help_slots, windows, deadline, start, settings, busy)
    if not figures.too_much:
        return None
    return HeadsUp(figures, lighter_day(tally, help_slots, figures, now, settings, busy))


def lighter_day(
    tally: Tally,
    help_slots: Sequence[Interval],
    current: Load,
    now: datetime,
    settings: Settings,
    busy: Sequence[Interval] = (),
) -> date | None:
    """The first working day after the deadline's where a deadline at the end of the working day
    raises no heads-up (the promise moved there: one fewer on its old day, one more on this)."""
    tz, work = settings.tz, settings.work
    start = now.astimezone(UTC)
    # The working windows from today up to the day being tried, extended as the days are tried:
    # each day's hours are converted to UTC once, not once for every later candidate.
    windows: list[Interval] = []
    covered = start.astimezone(tz).date() - timedelta(days=1)
    for day in work.next_workdays(current.day, LOOK_AHEAD_DAYS)[:LOOK_AHEAD_DAYS]:
        if day > covered:
            windows += working_windows(work, tz, covered + timedelta(days=1), day)
            covered = day
        on_day = working_windows(work, tz, day, day)
        end = on_day[-1].end if on_day else wall_clock(datetime.combine(day, time(23, 59)), tz)
        there = _load(tally, help_slots, windows, end, start, settings, busy)
        # The promise being placed is counted on its current day; on `day` it would be one more.
        if there.on_day + 1 <= settings.max_due_per_day and not there.over_time:
            return day
    return None
