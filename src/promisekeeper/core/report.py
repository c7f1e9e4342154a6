"""The standup and the reliability statistics, as plain data. No printing, no clock: `now` and the
settings come in, records come out; `views.report` turns them into text.

On-time rate, the one definition used everywhere (README, `pk stats --help`): of the promises whose
FINAL deadline fell in the period and that are settled — kept, dropped, or still open past the
deadline — the share kept by that deadline. Promises not yet due are left out (they may still be
kept). A renegotiated promise counts once, by its final deadline; its moves are counted beside it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any, NamedTuple

from ..config import Settings
from ..dates import wall_clock
from ..model import Promise, parse_iso

# The records are NamedTuples and a plain class, not dataclasses, and the median is worked out
# here, not by `statistics` (which loads fractions and decimal): `pk standup` is run every
# morning, and those cost more at import (~10 ms) than reading the store.

# --- standup ------------------------------------------------------------------------------------

SECTION_TITLES = {
    "done": "Done",
    "due_soon": "Due soon",
    "due_today": "Due today",
    "overdue": "Overdue",
    "coming_up": "Coming up",
    "waiting": "Waiting on others",
    "help_slots": "Help slots today",
}


class Entry(NamedTuple):
    """One line of a standup: a promise or a booked help slot."""

    kind: str  # "promise" | "request"
    id: int
    title: str
    person: str
    team: str | None
    direction: str | None  # "to" | "from" for promises, None for a help slot
    at: datetime  # the deadline; when it was done (Done); the slot's start (Help slots)
    due: datetime | None = None
    end: datetime | None = None  # a help slot's end
    late_seconds: int = 0  # how late it was kept, or is now
    on_time: bool | None = None  # Done: kept by the deadline
    renegotiations: int = 0


class Section(NamedTuple):
    key: str
    title: str
    entries: tuple[Entry, ...]


class Standup(NamedTuple):
    now: datetime
    since: datetime
    sections: tuple[Section, ...]  # only the non-empty ones, in the fixed order

    @property
    def empty(self) -> bool:
        return not self.sections


def default_since(now: datetime, settings: Settings) -> datetime:
    """The start of the previous working day: on a Monday, Friday 00:00."""
    today = now.astimezone(settings.tz).date()
    return _start_of(settings.work.previous_workday(today), settings.tz)


def standup(
    promises: Iterable[Promise],
    requests: Iterable[tuple[int, dict[str, Any]]],
    now: datetime,
    settings: Settings,
    since: datetime | None = None,
) -> Standup:
    """What to say at a standup: done since the cut-off, due soon (within the `soon` setting),
    due later today, overdue, coming up, waiting on others, help slots booked today. Each section
    in the order a reader needs it; each promise in one section."""
    tz = settings.tz
    since = since or default_since(now, settings)
    today = now.astimezone(tz).date()
    horizon = settings.work.next_workdays(today, 2)
    last_day = horizon[-1] if horizon else today + timedelta(days=2)
    done: list[Entry] = []
    due_soon: list[Entry] = []
    due_today: list[Entry] = []
    overdue: list[Entry] = []
    coming: list[Entry] = []
    waiting: list[Entry] = []
    for p in promises:
        if p.status == "done" and p.done_at is not None and since <= p.done_at <= now:
            done.append(_entry(p, now, at=p.done_at))
        if not p.is_open:
            continue
        if p.waiting_on:
            waiting.append(_entry(p, now))
            continue
        due_day = p.due.astimezone(tz).date()
        if p.is_overdue(now):
            overdue.append(_entry(p, now))
        elif p.due < now + settings.soon:
            due_soon.append(_entry(p, now))
        elif due_day == today:
            due_today.append(_entry(p, now))
        elif today < due_day <= last_day:
            coming.append(_entry(p, now))
    slots = [e for e in (_slot_entry(rid, r, today, tz) for rid, r in requests) if e is not None]
    by_due = _by_due
    sections = [
        ("done", sorted(done, key=lambda e: (e.at, e.id))),
        ("due_soon", sorted(due_soon, key=by_due)),
        ("due_today", sorted(due_today, key=by_due)),
        ("overdue", sorted(overdue, key=by_due)),  # the longest-late first
        ("coming_up", sorted(coming, key=by_due)),
        ("waiting", sorted(waiting, key=lambda e: (e.late_seconds == 0, *by_due(e)))),
        ("help_slots", sorted(slots, key=lambda e: (e.at, e.id))),
    ]
    return Standup(
        now=now,
        since=since,
        sections=tuple(
            Section(key, SECTION_TITLES[key], tuple(entries))
            for key, entries in sections
            if entries
        ),
    )


def group_entries(entries: Sequence[Entry], by: str | None) -> list[tuple[str | None, list[Entry]]]:
    """Entries grouped by team or person (first appearance order kept; no team last)."""
    if by is None:
        return [(None, list(entries))]
    groups: dict[str | None, list[Entry]] = {}
    for entry in entries:
        groups.setdefault(getattr(entry, by), []).append(entry)
    return sorted(groups.items(), key=lambda item: item[0] is None)


def _by_due(entry: Entry) -> tuple[datetime, int]:
    return (entry.due or entry.at, entry.id)


def _entry(p: Promise, now: datetime, *, at: datetime | None = None) -> Entry:
    late = p.late_by(now)
    return Entry(
        kind="promise",
        id=p.id,
        title=p.title,
        person=p.person,
        team=p.team,
        direction=p.direction,
        at=at or p.due,
        due=p.due,
        late_seconds=int(late.total_seconds()),
        on_time=p.kept_on_time,
        renegotiations=p.renegotiations,
    )


def _slot_entry(rid: int, record: dict[str, Any], today: date, tz: tzinfo) -> Entry | None:
    """A booked help slot starting today (shared `requests` schema); anything malformed is skipped:
    a standup must not fail over one odd record."""
    slot = record.get("slot")
    if record.get("status") != "booked" or not isinstance(slot, dict):
        return None
    try:
        start, end = parse_iso(slot["start"]), parse_iso(slot["end"])
    except (KeyError, TypeError, ValueError):
        return None
    if start.astimezone(tz).date() != today:
        return None
    return Entry(
        kind="request",
        id=rid,
        title=str(record.get("title", "")),
        person=str(record.get("person", "")),
        team=record.get("team") if isinstance(record.get("team"), str) else None,
        direction=None,
        at=start,
        due=start,
        end=end,
    )


def _start_of(day: date, tz: tzinfo) -> datetime:
    # Lenient like dates.parse_since: a zone that skips midnight starts the day when clocks resume.
    return wall_clock(datetime.combine(day, time(0)), tz)


# --- statistics ---------------------------------------------------------------------------------


class Counts:
    """How a set of promises went. `due` = kept_on_time + kept_late + dropped + overdue."""

    def __init__(self) -> None:
        self.kept_on_time = 0
        self.kept_late = 0
        self.dropped = 0
        self.overdue = 0
        self.pending = 0  # final deadline in the period but not reached yet: not in the rate
        self.renegotiated = 0  # settled promises moved at least once
        self.moves = 0  # how many times those were moved in all
        self.slips: list[int] = []  # seconds late: kept late and still overdue

    __hash__ = None  # type: ignore[assignment]  # mutable: equal by value, like a dataclass

    def __eq__(self, other: object) -> bool:
        return vars(self) == vars(other) if isinstance(other, Counts) else NotImplemented

    def __repr__(self) -> str:
        return f"Counts({', '.join(f'{k}={v!r}' for k, v in vars(self).items())})"

    @property
    def due(self) -> int:
        return self.kept_on_time + self.kept_late + self.dropped + self.overdue

    @property
    def on_time_rate(self) -> float | None:
        return self.kept_on_time / self.due if self.due else None

    @property
    def median_slip(self) -> int | None:
        if not self.slips:
            return None
        ordered = sorted(self.slips)
        middle = len(ordered) // 2
        if len(ordered) % 2:
            return ordered[middle]
        return int((ordered[middle - 1] + ordered[middle]) / 2)  # as statistics.median, truncated

    @property
    def worst_slip(self) -> int | None:
        return max(self.slips) if self.slips else None

    def add(self, p: Promise, now: datetime) -> None:
        if p.is_open and not p.is_overdue(now):
            self.pending += 1
            return
        if p.status == "done":
            if p.kept_on_time:
                self.kept_on_time += 1
            else:
                self.kept_late += 1
                self.slips.append(int(p.late_by(now).total_seconds()))
        elif p.status == "dropped":
            self.dropped += 1
        else:
            self.overdue += 1
            self.slips.append(int(p.late_by(now).total_seconds()))
        if p.renegotiations:
            self.renegotiated += 1
            self.moves += p.renegotiations

    def as_dict(self) -> dict[str, Any]:
        return {
            "due": self.due,
            "kept_on_time": self.kept_on_time,
            "kept_late": self.kept_late,
            "dropped": self.dropped,
            "overdue": self.overdue,
            "pending": self.pending,
            "renegotiated": self.renegotiated,
            "moves": self.moves,
            "on_time_rate": None if self.on_time_rate is None else round(self.on_time_rate, 4),
            "median_slip_seconds": self.median_slip,
            "worst_slip_seconds": self.worst_slip,
        }


class Week(NamedTuple):
    start: date  # the Monday
    counts: Counts

    @property
    def label(self) -> str:
        year, week, _ = self.start.isocalendar()
        return f"{year}-W{week:02d}"


class Stats(NamedTuple):
    now: datetime
    weeks: tuple[Week, ...]  # oldest first, ending with the current week
    total: Counts
    by: str | None = None
    groups: tuple[tuple[str | None, Counts, tuple[Counts, ...]], ...] = ()  # name, total, weekly
    direction: str = "to"


def stats(
    promises: Iterable[Promise],
    now: datetime,
    tz: tzinfo,
    *,
    weeks: int = 8,
    by: str | None = None,
    direction: str = "to",
) -> Stats:
    """Per ISO week (Monday–Sunday in `tz`) for the last `weeks` weeks including this one.

    `direction` "to" measures promises I made; "from" what others promised me. Each promise is
    placed in the week of its final deadline.
    """
    if weeks < 1:
        raise ValueError("weeks must be at least 1")
    today = now.astimezone(tz).date()
    this_monday = today - timedelta(days=today.weekday())
    mondays = [this_monday - timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]
    index = {monday: i for i, monday in enumerate(mondays)}
    weekly = [Counts() for _ in mondays]
    total = Counts()
    grouped: dict[str | None, tuple[Counts, list[Counts]]] = {}
    for p in promises:
        if p.direction != direction:
            continue
        due_day = p.due.astimezone(tz).date()
        slot = index.get(due_day - timedelta(days=due_day.weekday()))
        if slot is None:
            continue
        weekly[slot].add(p, now)
        total.add(p, now)
        if by is not None:
            key = getattr(p, by)
            group_total, group_weeks = grouped.setdefault(
                key, (Counts(), [Counts() for _ in mondays])
            )
            group_total.add(p, now)
            group_weeks[slot].add(p, now)
    ordered = sorted(
        grouped.items(),
        key=lambda item: (item[0] is None, (item[0] or "").casefold()),
    )
    return Stats(
        now=now,
        weeks=tuple(Week(monday, counts) for monday, counts in zip(mondays, weekly, strict=True)),
        total=total,
        by=by,
        groups=tuple((name, t, tuple(w)) for name, (t, w) in ordered),
        direction=direction,
    )
