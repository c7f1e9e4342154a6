"""Help later: when you can't help a colleague now, offer concrete times, book one, keep it.

A request lives in the `requests` table (schema in the README) and moves proposed → booked → done,
or to cancelled, or to expired when every offered time has passed unanswered. Booking creates an
open promise to the person, due at the end of the slot and linked by `request_id`, so the slot
shows up wherever promises do; `lifecycle` calls back in here when that promise is done,
dropped, moved or reopened.

Plain functions over a store transaction and an injected `now`; nothing prints or reads the clock.

Busy time (the user's meetings, read from their calendars by the CLI before the store is opened)
comes in as `busy`: intervals whose `ref` is the meeting (a `calendar.busy.Busy`, or anything with
a `summary`), while a booked slot's `ref` is its request id. Offers avoid both; a booking that
clashes with either is refused unless forced, and the clash is recorded with it.
"""

from __future__ import annotations

import uuid as uuidlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..config import Settings, WorkTime
from ..dates import format_local
from ..errors import BadInput, Conflict, NotFound
from ..model import Promise, inert, iso, parse_iso, request_problem
from ..storage.store import REQUESTS, Record, Transaction, View, corrupt
from . import ledger, slots
from .slots import Interval


@dataclass(frozen=True)
class Booking:
    """What `book` did: the request after it, its promise, and any clash it was forced over."""

    rid: int
    request: Record
    promise: Promise
    clashes: tuple[Interval, ...]
    rebooked: bool


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


# --- changing -----------------------------------------------------------------------------------


def _event(record: Record, now: datetime, kind: str, **details: Any) -> Record:
    return {
        **record,
        "history": [*record.get("history", []), {"at": iso(now), "type": kind, **details}],
    }


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


def create(
    tx: Transaction,
    *,
    title: str,
    person: str,
    need: timedelta,
    now: datetime,
    work: WorkTime,
    tz: tzinfo,
    team: str | None = None,
    reason: str | None = None,
    within: str = slots.DEFAULT_WITHIN,
    after: datetime | None = None,
    offer: int = 3,
    busy: Sequence[Interval] = (),
) -> tuple[int, Record]:
    """Find free slots (clear of booked slots and of `busy` meetings) and record the request
    with them; nothing is stored when nothing fits."""
    title = ledger.clean_text(title, "title")
    person = ledger.clean_text(person, "name")
    team = ledger.clean_text(team, "team") if team else None
    reason = ledger.clean_text(reason, "reason") if reason else None
    slots.check_need(need, work)
    start, until = offer_window(now, work, tz, within, after)
    offers = slots.find_slots(
        work,
        tz,
        booked_slots(tx.records(REQUESTS)),
        now=now,
        need=need,
        until=until,
        after=after,
        offer=offer,
        busy=busy,
    )
    if not offers:
        raise Conflict(
            f"no free {slots.minutes_words(need)} slot in your working time from "
            f"{format_local(start, tz, now=now)} to the end of {_last_day(until, tz, now)}; "
            f"widen the window (e.g. --within {_wider(within)}) or ask for less time (--need)"
        )
    record: Record = {
        "uuid": str(uuidlib.uuid4()),
        "title": title,
        "person": person,
        "team": team,
        "need_minutes": int(need.total_seconds() // 60),
        "reason": reason,
        "created": iso(now),
        "status": "proposed",
        "proposed": [_span(o) for o in offers],
        "slot": None,
        "forced": False,
        "promise_id": None,
        # Kept so `pk move` on the linked promise can clash-check and explain without settings.
        "buffer_minutes": int(work.buffer.total_seconds() // 60),
        "tz": getattr(tz, "key", None),
        "history": [],
    }
    record = _event(record, now, "created", proposed=record["proposed"])
    rid = tx.insert(REQUESTS, record)
    return rid, record


def _zone(name: Any) -> tzinfo:
    try:
        return ZoneInfo(str(name)) if name else UTC
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def _last_day(until: datetime, tz: tzinfo, now: datetime) -> str:
    return format_local(until - timedelta(seconds=1), tz, now=now)[: -len(" 23:59")]


def _wider(within: str) -> str:
    count, unit = slots.parse_within(within)
    return f"{count + 1}w" if unit == "weeks" else f"{max(count * 2, 5)}d"


def expire(tx: Transaction, now: datetime) -> list[int]:
    """Record as expired every proposal whose offered times have all passed unanswered."""
    expired = []
    for rid, record in requests(tx):
        if record.get("status") == "proposed" and status_at(record, now) == "expired":
            tx.put(REQUESTS, rid, _event({**record, "status": "expired"}, now, "expired"))
            expired.append(rid)
    return expired


def _problems(
    tx: Transaction,
    rid: int,
    slot: Interval,
    *,
    buffer: timedelta,
    work: WorkTime | None,
    tz: tzinfo,
    busy: Sequence[Interval] = (),
) -> tuple[list[Interval], str | None]:
    """The booked slots and meetings `slot` clashes with, and why it is otherwise unsuitable
    (or None)."""
    taken = [*booked_slots(tx.records(REQUESTS), exclude=rid), *busy]
    clashes = slots.clashes(slot, taken, buffer)
    outside = None
    if work is not None and slots.outside_hours(slot, work, tz):
        outside = "it is outside your working hours"
    return clashes, outside


def _refuse_unless_forced(
    tx: Transaction,
    slot: Interval,
    clashes: list[Interval],
    outside: str | None,
    *,
    force: bool,
    tz: tzinfo,
    now: datetime,
    retry: str,
    buffer: timedelta | None = None,
) -> None:
    if force or not (clashes or outside):
        return
    reasons = []
    if clashes:
        reasons.append(f"it clashes with {clash_words(tx, clashes, tz, now, slot, buffer)}")
    if outside:
        reasons.append(outside)
    raise Conflict(f"{span_words(slot, tz, now)} can't be booked: {'; '.join(reasons)}; {retry}")


def clash_record(clashes: Iterable[Interval]) -> list[dict[str, Any]]:
    """How a forced booking's clashes are kept in its history: the other request's id, or the
    meeting's summary and time (never its source: a calendar address is not the store's)."""
    out: list[dict[str, Any]] = []
    for clash in clashes:
        if is_meeting(clash):
            summary = str(getattr(clash.ref, "summary", "") or "")
            out.append({"meeting": summary, **_span(clash)})
        else:
            out.append({"request": clash.ref, **_span(clash)})
    return out


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


def book(
    tx: Transaction,
    rid: int,
    *,
    now: datetime,
    work: WorkTime,
    tz: tzinfo,
    option: int | None = None,
    start: datetime | None = None,
    force: bool = False,
    busy: Sequence[Interval] = (),
) -> Booking:
    """Book offered option N, or a time the person proposed (`start`). A booked request is
    re-booked: its slot and its promise's deadline move together. A clash with another booked
    slot or a `busy` meeting refuses it unless `force`; a forced booking records its clashes."""
    record = load(tx, rid)
    status = status_at(record, now)
    if status in ("cancelled", "done"):
        raise Conflict(
            f"request #{rid} is {status}; nothing was booked "
            f'(start a new one with: pk later "..." --for {_inert(record["person"])})'
        )
    slot = wanted_slot(record, rid, option, start)
    if record["status"] == "booked" and record.get("slot") and interval(record["slot"]) == slot:
        raise BadInput(f"request #{rid} is already booked for {span_words(slot, tz, now)}")
    if slot.start < now:
        raise Conflict(
            f"{span_words(slot, tz, now)} has passed; book another time, e.g. "
            f'pk book {rid} "tomorrow 10am"'
        )
    clashes, outside = _problems(tx, rid, slot, buffer=work.buffer, work=work, tz=tz, busy=busy)
    _refuse_unless_forced(
        tx,
        slot,
        clashes,
        outside,
        force=force,
        tz=tz,
        now=now,
        retry="pick another time, or add --force to book it anyway",
        buffer=work.buffer,
    )
    forced = bool(clashes or outside)
    details: dict[str, Any] = {**_span(slot), "option": option, "forced": forced}
    if clashes:
        details["clashes"] = clash_record(clashes)
    if record["status"] == "booked" and record.get("promise_id"):
        promise = tx.promise(int(record["promise_id"]))
        old = interval(record["slot"])
        if promise.is_open and promise.due != slot.end:
            promise = replace(promise, due=slot.end).with_event(
                "moved",
                now,
                **{
                    "from": iso(promise.due),
                    "to": iso(slot.end),
                    "reason": f"help slot re-booked for {span_words(slot, tz, now)}",
                },
            )
            tx.put_promise(promise)
        record = _event(record, now, "rebooked", **{"from": _span(old)}, **details)
        rebooked = True
    else:
        promise = ledger.add(
            tx,
            title=record["title"],
            person=record["person"],
            direction="to",
            due=slot.end,
            now=now,
            team=record.get("team"),
            request_id=rid,
        )
        record = _event(record, now, "booked", **details)
        rebooked = False
    record.update(
        status="booked",
        slot=_span(slot),
        forced=forced,  # the current slot's; earlier forced bookings stay in the history
        promise_id=promise.id,
    )
    tx.put(REQUESTS, rid, record)
    return Booking(rid, record, promise, tuple(clashes), rebooked)


def cancel(tx: Transaction, rid: int, reason: str | None, now: datetime) -> Record:
    """Free the time; the request and its history stay. An open linked promise is dropped."""
    record = load(tx, rid)
    if record["status"] in ("cancelled", "done"):
        raise Conflict(f"request #{rid} is already {record['status']}; nothing to cancel")
    why = ledger.clean_text(reason, "reason") if reason else None
    record = _event({**record, "status": "cancelled"}, now, "cancelled", reason=why)
    tx.put(REQUESTS, rid, record)
    if record.get("promise_id"):
        promise = tx.promise(int(record["promise_id"]))
        if promise.is_open:
            dropped = replace(promise, status="dropped").with_event(
                "dropped", now, reason=why or "help slot cancelled"
            )
            tx.put_promise(dropped)
    return record


# --- hooks from the ledger: the linked promise and its slot stay in step ------------------------


def _linked(tx: Transaction, promise: Promise) -> tuple[int, Record] | None:
    if promise.request_id is None:
        return None
    record = tx.record(REQUESTS, promise.request_id)
    if record is None or record.get("promise_id") != promise.id:
        return None
    return promise.request_id, load(tx, promise.request_id)


def on_done(tx: Transaction, promise: Promise, now: datetime) -> None:
    """`pk done` on a help-slot promise completes the request."""
    linked = _linked(tx, promise)
    if linked and linked[1]["status"] == "booked":
        rid, record = linked
        tx.put(REQUESTS, rid, _event({**record, "status": "done"}, now, "done"))


def on_drop(tx: Transaction, promise: Promise, now: datetime) -> None:
    """`pk drop` on a help-slot promise frees its time: the request is cancelled."""
    linked = _linked(tx, promise)
    if linked and linked[1]["status"] == "booked":
        rid, record = linked
        event = _event(
            {**record, "status": "cancelled"}, now, "cancelled", reason="promise dropped"
        )
        tx.put(REQUESTS, rid, event)


def on_move(
    tx: Transaction,
    promise: Promise,
    now: datetime,
    settings: Settings | None = None,
    busy: Sequence[Interval] = (),
) -> None:
    """`pk move` on a help-slot promise re-books the slot to end at the new deadline, as long as
    it was (a slot booked longer than the need stays that long), checked like `pk book`: a clash
    with another booked slot or a `busy` meeting, or a time outside working hours (when the
    settings are given), refuses the move and nothing changes."""
    linked = _linked(tx, promise)
    if not linked or linked[1]["status"] != "booked":
        return
    rid, record = linked
    old = interval(record["slot"])
    slot = Interval(promise.due - (old.end - old.start), promise.due)
    if settings is not None:
        work: WorkTime | None = settings.work
        buffer, tz = settings.work.buffer, settings.tz
    else:
        work = None
        buffer = timedelta(minutes=int(record.get("buffer_minutes") or 0))
        tz = _zone(record.get("tz"))
    clashes, outside = _problems(tx, rid, slot, buffer=buffer, work=work, tz=tz, busy=busy)
    _refuse_unless_forced(
        tx,
        slot,
        clashes,
        outside,
        force=False,
        tz=tz,
        now=now,
        retry=f"pick another time, or use: pk book {rid} WHEN --force",
        buffer=buffer,
    )
    record = _event(record, now, "rebooked", **{"from": _span(old)}, **_span(slot), forced=False)
    record.update(slot=_span(slot), forced=False)
    tx.put(REQUESTS, rid, record)


def on_reopen(tx: Transaction, promise: Promise, now: datetime) -> str | None:
    """`pk reopen` on a help-slot promise books its slot again, when that time is still free.
    If another booking took it meanwhile the promise is open but the request stays cancelled;
    the returned hint says so (None when there is nothing to say)."""
    linked = _linked(tx, promise)
    if not linked or linked[1]["status"] not in ("done", "cancelled") or not linked[1]["slot"]:
        return None
    rid, record = linked
    slot = interval(record["slot"])
    buffer = timedelta(minutes=int(record.get("buffer_minutes") or 0))
    tz = _zone(record.get("tz"))
    clashes, _ = _problems(tx, rid, slot, buffer=buffer, work=None, tz=tz)
    if not clashes:
        tx.put(REQUESTS, rid, _event({**record, "status": "booked"}, now, "reopened"))
        return None
    taken = ", ".join(f"#{c.ref}" for c in clashes)
    hint = (
        f"request #{rid} stays cancelled: its slot {span_words(slot, tz, now)} now clashes with "
        f"{clash_words(tx, clashes, tz, now, slot, buffer)}; the promise is open without a booked "
        "time"
    )
    reason = f"promise reopened, but its slot clashes with {taken}"
    tx.put(
        REQUESTS, rid, _event({**record, "status": "cancelled"}, now, "cancelled", reason=reason)
    )
    return hint


# --- the slots view -----------------------------------------------------------------------------


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
