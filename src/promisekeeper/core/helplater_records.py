"""Help-later requests as they are read: loading a request and checking its shape, its offered
and booked intervals and its status, the plan of booked and free time per day (`pk slots`), and
the words for a slot and a clash. Nothing here changes the store; `helplater` does that.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from ..config import WorkTime
from ..dates import format_local
from ..errors import NotFound
from ..model import inert, parse_iso, request_problem
from ..storage.store import REQUESTS, Record, View, corrupt
from . import slots
from .slots import Interval

# --- reading ------------------------------------------------------------------------------------


def _inert(text: Any) -> str:
    """Stored text in a message or error raised from here, made inert (`model.inert`)."""
    return inert(str(text))


def load(view: View, rid: int) -> Record:
    """The request, checked so that the code below can trust its shape."""
    record = view.record(REQUESTS, rid) if 0 < rid < 2**53 else None
    if record is None:
        raise NotFound(f"no request #{rid} (see `pk slots`)")
    return _checked(view, rid, record)


def _checked(view: View, rid: int, record: Any) -> Record:
    if problem := request_problem(record):
        raise corrupt(view.path, f"request {rid}: {problem}")
    return record


def requests(view: View) -> list[tuple[int, Record]]:
    """Every request, checked (a malformed one is named as corrupt, not a crash in a view)."""
    return sorted(
        ((rid, _checked(view, rid, record)) for rid, record in view.records(REQUESTS)),
        key=lambda item: item[0],
    )


def interval(span: dict[str, str], ref: Any = None) -> Interval:
    """A stored `{"start", "end"}` pair as an Interval (with `ref`, e.g. its request id)."""
    return Interval(parse_iso(span["start"]), parse_iso(span["end"]), ref)


def status_at(record: Record, now: datetime) -> str:
    """The status to show: a proposal whose offers have all passed is expired, not pending."""
    status = record.get("status", "proposed")
    if status == "proposed" and all(interval(p).start <= now for p in record.get("proposed", [])):
        return "expired"
    return status


def booked_slots(
    records: Iterable[tuple[int, Record]], exclude: int | None = None
) -> list[Interval]:
    """Every booked slot (the time that is taken), each with its request id as `ref`."""
    return sorted(
        interval(r["slot"], rid)
        for rid, r in records
        if r.get("status") == "booked" and r.get("slot") and rid != exclude
    )


# --- words --------------------------------------------------------------------------------------


def span_words(slot: Interval, tz: tzinfo, now: datetime | None = None) -> str:
    """`Tue 24 Nov 09:00–09:45` in the user's zone (the end's date only when it differs)."""
    start, end = slot.start.astimezone(tz), slot.end.astimezone(tz)
    if start.date() == end.date():
        return f"{format_local(start, tz, now=now)}–{end:%H:%M}"
    return f"{format_local(start, tz, now=now)}–{format_local(end, tz, now=now)}"


def duration_words(minutes: int) -> str:
    """`45 minutes`, `1 hour`, `1 hour 30 minutes`: how a person says it in a message."""
    hours, rest = divmod(minutes, 60)
    parts = [f"{hours} hour{'s' if hours != 1 else ''}"] if hours else []
    if rest or not hours:
        parts.append(f"{rest} minute{'s' if rest != 1 else ''}")
    return " ".join(parts)


def clash_words(view: View, clashes: Sequence[Interval], tz: tzinfo, now: datetime) -> str:
    """`#3 'review' with ana (Tue 24 Nov 09:00–09:45)` for each clashing booked slot."""
    parts = []
    for clash in clashes:
        other = view.record(REQUESTS, clash.ref) or {}
        title, person = _inert(other.get("title", "?")), _inert(other.get("person", "?"))
        parts.append(f"#{clash.ref} {title!r} with {person} ({span_words(clash, tz, now)})")
    return "; ".join(parts)


# --- the slots view -----------------------------------------------------------------------------


@dataclass(frozen=True)
class DayPlan:
    """One day of `pk slots`: its booked (and kept) help slots and the free working time left."""

    day: date
    booked: tuple[tuple[int, Record, Interval], ...]
    free: tuple[Interval, ...]


def plan(
    records: Sequence[tuple[int, Record]],
    work: WorkTime,
    tz: tzinfo,
    now: datetime,
    days: Sequence[date],
) -> list[DayPlan]:
    """Per day: the booked (and kept) help slots, and the free working time left from `now` on.
    Days without working time or bookings are left out."""
    taken = [
        (rid, r, interval(r["slot"], rid))
        for rid, r in records
        if r.get("status") in ("booked", "done") and r.get("slot")
    ]
    busy = booked_slots(records)
    plans = []
    for day in days:
        on_day = tuple(
            sorted(
                (t for t in taken if t[2].start.astimezone(tz).date() == day), key=lambda t: t[2]
            )
        )
        windows = slots.working_windows(work, tz, day, day)
        free: tuple[Interval, ...] = ()
        if windows:
            free = tuple(
                slots.free_windows(
                    work, tz, busy, start=max(now, windows[0].start), end=windows[-1].end
                )
            )
        if on_day or windows:
            plans.append(DayPlan(day, on_day, free))
    return plans


def pending(records: Sequence[tuple[int, Record]], now: datetime) -> list[tuple[int, Record, str]]:
    """Requests waiting for an answer, and those that expired in the last week unanswered."""
    waiting = []
    week_ago = now - timedelta(days=7)
    for rid, record in records:
        status = status_at(record, now)
        last = max((interval(p).end for p in record.get("proposed", [])), default=now)
        if status == "proposed" or (status == "expired" and last >= week_ago):
            waiting.append((rid, record, status))
    return waiting
