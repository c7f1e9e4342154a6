"""Help later: when you can't help a colleague now, offer concrete times, book one, keep it.

A request lives in the `requests` table (schema in the README) and moves proposed → booked → done,
or to cancelled, or to expired when every offered time has passed unanswered. Booking creates an
open promise to the person, due at the end of the slot and linked by `request_id`, so the slot
shows up wherever promises do; `lifecycle` calls back in here when that promise is done,
dropped, moved or reopened.

Plain functions over a store transaction and an injected `now`; nothing prints or reads the clock.
This module changes requests; reading them (the record check, the words, the `pk slots` plan) is
`helplater_records`, re-exported here. A little over 400 lines, kept whole for one reason: offering,
booking and the lifecycle hooks share one clash check and one history format, so they change
together.

Busy time (the user's meetings, read from their calendars by the CLI before the store is opened)
comes in as `busy`: intervals whose `ref` is the meeting (a `calendar.busy.Busy`, or anything with
a `summary`), while a booked slot's `ref` is its request id. Offers avoid both; a booking that
clashes with either is refused unless forced, and the clash is recorded with it.
"""

from __future__ import annotations

import uuid as uuidlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..config import Settings, WorkTime
from ..dates import format_local
from ..errors import BadInput, Conflict
from ..model import Promise, iso

# The read-only half lives in helplater_records; its public names are re-exported here (`name as
# name`, or used below) so callers keep one module to import; `request_problem` too, for tests.
from ..model import request_problem as request_problem
from ..storage.store import REQUESTS, Record, Transaction
from . import ledger, slots
from .helplater_records import DayPlan as DayPlan
from .helplater_records import (
    _inert,
    _span,
    booked_slots,
    clash_words,
    interval,
    is_meeting,
    load,
    offer_window,
    requests,
    span_words,
    status_at,
    wanted_slot,
)
from .helplater_records import days_span as days_span
from .helplater_records import duration_words as duration_words
from .helplater_records import expired_recently as expired_recently
from .helplater_records import meeting_words as meeting_words
from .helplater_records import pending as pending
from .helplater_records import plan as plan
from .slots import Interval


@dataclass(frozen=True)
class Booking:
    """What `book` did: the request after it, its promise, and any clash it was forced over."""

    rid: int
    request: Record
    promise: Promise
    clashes: tuple[Interval, ...]
    rebooked: bool


# --- changing -----------------------------------------------------------------------------------


def _event(record: Record, now: datetime, kind: str, **details: Any) -> Record:
    return {
        **record,
        "history": [*record.get("history", []), {"at": iso(now), "type": kind, **details}],
    }


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
            promise = promise._replace(due=slot.end).with_event(
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
            dropped = promise._replace(status="dropped").with_event(
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
