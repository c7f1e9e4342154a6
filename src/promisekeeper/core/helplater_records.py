"""Help later, read only: a request record checked and read, its times in words, and the
`pk slots` plan. Nothing here changes the store (that is `helplater`, which re-exports these
names), so views and the heads-up can read requests without the booking and lifecycle code.

Busy time comes in as `busy`: intervals whose `ref` is a meeting (anything with a `summary`),
while a booked slot's `ref` is its request id. Plain functions over data and an injected `now`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any

from ..config import WorkTime
from ..dates import format_local
from ..errors import BadInput, NotFound
from ..model import inert, iso, parse_iso, request_problem
from ..storage.layout import corrupt
from ..storage.store import REQUESTS, Record, View
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
    return Interval(parse_iso(span["start"]), parse_iso(span["end"]), ref)


def _span(slot: Interval) -> dict[str, str]:
    return {"start": iso(slot.start), "end": iso(slot.end)}


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


def wanted_slot(
    record: Record, rid: int, option: int | None = None, start: datetime | None = None
) -> Interval:
    """The slot `book` would book: offered option N, or `need` minutes from `start`."""
    if (option is None) == (start is None):
        raise BadInput("book an offered option number or a time, e.g. pk book 12 2")
    need = timedelta(minutes=int(record["need_minutes"]))
    proposed = [interval(p) for p in record["proposed"]]
    if option is not None:
        if not 1 <= option <= len(proposed):
            raise BadInput(
                f"request #{rid} offered {len(proposed)} slot{'s' if len(proposed) != 1 else ''}; "
                f"pick 1 to {len(proposed)}, or give a time"
            )
        return proposed[option - 1]
    assert start is not None
    return Interval(start, start + need)


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


def is_meeting(clash: Interval) -> bool:
    """True for busy time from the user's calendar, False for a slot booked in pk."""
    return not isinstance(clash.ref, int)


def meeting_words(meeting: Interval, tz: tzinfo, now: datetime | None = None) -> str:
    """`“Team meeting” (Tue 24 Nov 10:00–11:00)`: a meeting named as the user knows it. The
    summary comes from someone else's calendar, so it is made inert like stored text."""
    summary = _inert(getattr(meeting.ref, "summary", "") or "busy")
    return f"\u201c{summary}\u201d ({span_words(meeting, tz, now)})"


def clash_words(
    view: View,
    clashes: Sequence[Interval],
    tz: tzinfo,
    now: datetime,
    slot: Interval | None = None,
    buffer: timedelta | None = None,
) -> str:
    """The booked slots `slot` clashes with, in words. A slot that does not overlap one but comes
    closer than the buffer says so: otherwise "clashes" with a free-looking time is a puzzle."""
    parts = []
    for clash in clashes:
        if is_meeting(clash):
            parts.append(meeting_words(clash, tz, now))
            continue
        other = view.record(REQUESTS, clash.ref) or {}
        title, person = _inert(other.get("title", "?")), _inert(other.get("person", "?"))
        # Typographic quotes, as views.messages.quoted (core may not import views).
        words = f"#{clash.ref} \u201c{title}\u201d with {person} ({span_words(clash, tz, now)})"
        if slot is not None and not slot.overlaps(clash):
            gap = max(clash.start - slot.end, slot.start - clash.end)
            apart = f"only {slots.minutes_words(gap)} apart" if gap else "back to back"
            keep = f"the {slots.minutes_words(buffer)} buffer" if buffer else "the buffer"
            words += f", {apart}: inside {keep} you keep between help slots"
        parts.append(words)
    return "; ".join(parts)


# --- the slots view, and the spans the CLI reads busy time for ----------------------------------


@dataclass(frozen=True)
class DayPlan:
    """One day of `pk slots`: the help slots booked in pk, the meetings from the user's
    calendars (each clipped to the day), and the working time neither takes."""

    day: date
    booked: tuple[tuple[int, Record, Interval], ...]
    free: tuple[Interval, ...]
    meetings: tuple[Interval, ...] = ()


def plan(
    records: Sequence[tuple[int, Record]],
    work: WorkTime,
    tz: tzinfo,
    now: datetime,
    days: Sequence[date],
    busy: Sequence[Interval] = (),
) -> list[DayPlan]:
    """Per day: the booked (and kept) help slots, the `busy` meetings, and the free working time
    left from `now` on. Days without working time, bookings or meetings are left out."""
    taken = [
        (rid, r, interval(r["slot"], rid))
        for rid, r in records
        if r.get("status") in ("booked", "done") and r.get("slot")
    ]
    taken_time = [*booked_slots(records), *busy]
    plans = []
    for day in days:
        day_start = _local_midnight(day, tz)
        day_end = _local_midnight(day + timedelta(days=1), tz)
        # A meeting over midnight (or a weekend trip) shows on each day it takes, cut to it.
        meetings = tuple(
            Interval(max(m.start, day_start), min(m.end, day_end), m.ref)
            for m in sorted(busy)
            if m.start < day_end and m.end > day_start
        )
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
                    work, tz, taken_time, start=max(now, windows[0].start), end=windows[-1].end
                )
            )
        if on_day or windows or meetings:
            plans.append(DayPlan(day, on_day, free, meetings))
    return plans


def days_span(days: Sequence[date], tz: tzinfo) -> tuple[datetime, datetime]:
    """From the first day's midnight to the midnight after the last, in the user's zone: the
    span `plan` shows, for reading the meetings in it."""
    return _local_midnight(min(days), tz), _local_midnight(max(days) + timedelta(days=1), tz)


def offer_window(
    now: datetime,
    work: WorkTime,
    tz: tzinfo,
    within: str = slots.DEFAULT_WITHIN,
    after: datetime | None = None,
) -> tuple[datetime, datetime]:
    """Where `create` looks for offers: from max(now, after) to the end of `within`. The CLI
    reads the user's busy time for exactly this span before the store is opened."""
    start = max(now, after) if after is not None else now
    return start, slots.window_end(work, tz, start, within)


def _local_midnight(day: date, tz: tzinfo) -> datetime:
    return datetime.combine(day, datetime.min.time(), tz).astimezone(UTC)


def pending(records: Sequence[tuple[int, Record]], now: datetime) -> list[tuple[int, Record, str]]:
    """Requests still waiting for an answer: offered times not all passed. An expired one is
    not waiting any more (none of its times can be taken): see `expired_recently`."""
    return [
        (rid, record, "proposed") for rid, record in records if status_at(record, now) == "proposed"
    ]


def expired_recently(
    records: Sequence[tuple[int, Record]], now: datetime
) -> list[tuple[int, Record, str]]:
    """Requests whose offered times all passed unanswered in the last week: worth a follow-up."""
    expired = []
    week_ago = now - timedelta(days=7)
    for rid, record in records:
        last = max((interval(p).end for p in record.get("proposed", [])), default=now)
        if status_at(record, now) == "expired" and last >= week_ago:
            expired.append((rid, record, "expired"))
    return expired
