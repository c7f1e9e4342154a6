"""The iCalendar mapping, both directions: a promise is a VTODO, a booked help slot a VEVENT.

One module for `pk export --format ics|vdir` and for sync, so what is written and what is read
back always agree. The rules other implementations learned the hard way (shared/CALENDAR.md):

- the UID is the promise's uuid and never changes; a repeating promise's occurrences get UIDs
  derived from the series and the occurrence's deadline (`occurrence_uid`), never random ones;
- `DTSTAMP` and `LAST-MODIFIED` are the time of the item's last change (its newest history event),
  never the clock, so two exports with no change in between are byte-identical; `SEQUENCE` counts
  deadline moves (re-bookings for a slot);
- every time is written in UTC (`…Z`), so no VTIMEZONE is needed;
- the person is never an ATTENDEE or ORGANIZER (servers would mail them an invitation); it lives
  in `X-PK-PERSON` and the description;
- other clients strip what they do not know: parsing a component without an `X-PK-*`,
  `DESCRIPTION` or `CATEGORIES` gives no key for it (unknown), never an empty value (an erase);
- writing into a component another client changed (`update_vtodo`, `update_vevent`) replaces only
  what pk owns and keeps every other property, category and alarm.

Imported only by the commands that exchange calendars: `icalendar` is not cheap to import.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
import uuid as uuidlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, tzinfo
from pathlib import Path
from typing import Any

import icalendar

from ..config import DEFAULT_END, Settings
from ..errors import StoreError
from ..model import UID_NAMESPACE, Promise, inert, occurrence_uid, parse_iso

PRODID = "-//promisekeeper//pk//EN"
WAITING_ON = "waiting-on"
# The namespace of every derived UID lives in model.py, beside `occurrence_uid`.
NAMESPACE = UID_NAMESPACE

_TODO_STATUS = {"open": "NEEDS-ACTION", "done": "COMPLETED", "dropped": "CANCELLED"}
_PK_CATEGORIES = frozenset({WAITING_ON})
# The properties of a VTODO that pk writes; everything else in a parsed component is someone
# else's and stays. COMPLETED and PERCENT-COMPLETE are pk's because they follow the status.
_TODO_OWNED = (
    "SUMMARY",
    "DUE",
    "DTSTAMP",
    "LAST-MODIFIED",
    "CREATED",
    "SEQUENCE",
    "STATUS",
    "COMPLETED",
    "PERCENT-COMPLETE",
    "DESCRIPTION",
    "X-PK-ID",
    "X-PK-PERSON",
    "X-PK-TEAM",
    "X-PK-DIRECTION",
    "X-PK-SERIES",
)
_EVENT_OWNED = (
    "SUMMARY",
    "DTSTART",
    "DTEND",
    "DTSTAMP",
    "LAST-MODIFIED",
    "CREATED",
    "SEQUENCE",
    "STATUS",
    "DESCRIPTION",
    "RELATED-TO",
    "X-PK-REQUEST",
    "X-PK-PERSON",
    "X-PK-TEAM",
)
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,200}$")
_TEXT_ESCAPE = re.compile(r"\\([\\;,nN])")
# How a pk-written vdir file is recognised before a stale one is removed: a line that starts with
# one of pk's id properties. A file without it (a foreign item, or one a client stripped) stays.
_PK_FILE = re.compile(rb"(?:^|\n)X-PK-(?:ID|REQUEST)[:;]", re.IGNORECASE)


# --- identity -----------------------------------------------------------------------------------


def slot_uid(rid: int, record: dict[str, Any], promise_uuid: str | None) -> str:
    """The UID of a help slot's VEVENT: the request's stored uuid, else one derived from its
    promise's uuid (the same on every device), else from the local request id."""
    stored = record.get("uuid")
    if isinstance(stored, str) and stored:
        return stored
    if promise_uuid:
        return str(uuidlib.uuid5(NAMESPACE, f"slot/{promise_uuid}"))
    return str(uuidlib.uuid5(NAMESPACE, f"request/{rid}"))


def _alarm_uid(uid: str) -> str:
    # RFC 9074 gives VALARM a UID; it is how pk finds its own alarm among a phone's alarms.
    return str(uuidlib.uuid5(NAMESPACE, f"alarm/{uid}"))


def last_change(p: Promise) -> datetime:
    """When the promise last changed: its newest history event (the creation time if it has no
    readable history). The revision stamp of everything written for it."""
    # The creation and completion times count too, for a record whose history is damaged.
    return max(_newest(p.history, p.created), _utc(p.done_at or p.created), _utc(p.created))


def _newest(history: Iterable[Any], fallback: datetime) -> datetime:
    newest: datetime | None = None
    for event in history:
        at = event.get("at") if isinstance(event, dict) else None
        try:
            when = parse_iso(at) if isinstance(at, str) else None
        except ValueError:
            when = None  # a damaged event must not stop an export; the others still date it
        if when is not None and (newest is None or when > newest):
            newest = when
    return _utc(newest or fallback)


# --- promise → VTODO ----------------------------------------------------------------------------


def promise_to_vtodo(p: Promise, settings: Settings) -> icalendar.Todo:
    """A new VTODO for `p` (see the module docstring for what each property carries)."""
    return update_vtodo(icalendar.Todo(), p, settings)


def update_vtodo(
    existing: icalendar.Todo,
    p: Promise,
    settings: Settings,
    owned_categories: Iterable[str] = (),
) -> icalendar.Todo:
    """Write `p` into a parsed VTODO in place and return it. Only pk's properties are replaced;
    other clients' properties, categories and alarms stay as they are.

    `owned_categories` are the tags pk wrote last time (sync's base copy): a category in it
    that `p` no longer has is removed; any other category that is not one of `p`'s tags is a
    foreign one and kept. `LAST-MODIFIED`, `DTSTAMP` and `SEQUENCE` never go backwards.
    """
    uid = _uid_of(existing)
    if uid is None:
        existing.add("UID", p.uuid)
    elif uid != p.uuid:
        raise ValueError(f"component UID {uid!r} is not promise {p.uuid!r}")
    stamp = max(last_change(p), _time_of(existing, "LAST-MODIFIED") or _EPOCH)
    sequence = max(p.renegotiations, _int_of(existing, "SEQUENCE") or 0)
    foreign = _foreign_categories(existing, {*owned_categories, *p.tags})
    for name in (*_TODO_OWNED, "CATEGORIES"):
        existing.pop(name, None)
    due = _utc(p.due)
    existing.add("SUMMARY", _text(p.title))
    existing.add("DUE", due)
    existing.add("DTSTAMP", stamp)
    existing.add("LAST-MODIFIED", stamp)
    existing.add("CREATED", _utc(p.created))
    existing.add("SEQUENCE", sequence)
    existing.add("STATUS", _TODO_STATUS[p.status])
    if p.status == "done" and p.done_at is not None:
        existing.add("COMPLETED", _utc(p.done_at))
        existing.add("PERCENT-COMPLETE", 100)
    existing.add("DESCRIPTION", _text(_todo_description(p, settings)))
    categories = [*dict.fromkeys(p.tags)]
    if p.waiting_on:
        # A todo app shows every VTODO as the user's own to-do; this is someone else's.
        categories.append(WAITING_ON)
    categories += [c for c in foreign if c not in categories]
    if categories:
        existing.add("CATEGORIES", [_text(c) for c in categories])
    existing.add("X-PK-ID", icalendar.vText(str(p.id)))
    existing.add("X-PK-PERSON", icalendar.vText(_text(p.person)))
    if p.team:
        existing.add("X-PK-TEAM", icalendar.vText(_text(p.team)))
    existing.add("X-PK-DIRECTION", icalendar.vText(p.direction))
    if p.series and isinstance(p.series.get("id"), str):
        existing.add("X-PK-SERIES", icalendar.vText(_text(p.series["id"])))
    # DUE replaces a DURATION (RFC 5545 allows one of them), and a client's DTSTART after the
    # new deadline would make the item invalid.
    existing.pop("DURATION", None)
    start = _time_of(existing, "DTSTART")
    if start is not None and start > due:
        existing.pop("DTSTART", None)
    _set_alarm(existing, p, settings)
    return existing


def _todo_description(p: Promise, settings: Settings) -> str:
    who = p.person + (f" ({p.team})" if p.team else "")
    lines = [f"Promised to {who}" if p.direction == "to" else f"Waiting on {who}"]
    if p.series and p.series.get("rule"):
        lines.append(f"Repeats {p.series['rule']}")
    notes = [n for n in p.notes if isinstance(n.get("text"), str)]
    if notes:
        lines += ["", "Notes:"]
        for note in notes:
            day = ""
            with contextlib.suppress(TypeError, ValueError):
                day = f"{parse_iso(note['at']).astimezone(settings.tz):%Y-%m-%d}: "
            lines.append(f"- {day}{note['text']}")
    return "\n".join(lines)


def _set_alarm(todo: icalendar.Todo, p: Promise, settings: Settings) -> None:
    """Replace pk's VALARM (found by its UID, or an identical one a client copied without the
    UID); a phone's own alarms stay."""
    mine = _alarm_uid(p.uuid)
    trigger = -settings.reminder if settings.reminder is not None else None

    def is_pks(alarm: Any) -> bool:
        if str(alarm.get("UID", "")) == mine:
            return True
        if "UID" in alarm or trigger is None or str(alarm.get("ACTION", "")) != "DISPLAY":
            return False
        found = alarm.get("TRIGGER")
        return (
            found is not None
            and found.params.get("RELATED") == "END"
            and getattr(found, "dt", None) == trigger
        )

    todo.subcomponents = [c for c in todo.subcomponents if not (c.name == "VALARM" and is_pks(c))]
    if trigger is None or p.status != "open" or p.direction != "to":
        return  # only the user's own open promises remind; waiting-on ones are not theirs to do
    alarm = icalendar.Alarm()
    alarm.add("UID", mine)
    alarm.add("ACTION", "DISPLAY")
    alarm.add("TRIGGER", trigger, parameters={"RELATED": "END"})
    alarm.add("DESCRIPTION", _text(p.title))  # RFC 5545: a DISPLAY alarm needs one
    todo.add_component(alarm)


# --- help slot → VEVENT -------------------------------------------------------------------------


def request_to_vevent(
    rid: int, record: dict[str, Any], promise_uuid: str | None, settings: Settings
) -> icalendar.Event | None:
    """A VEVENT for a help request that was ever booked (it has a slot), else None. Booked and
    done slots are CONFIRMED; cancelled ones stay in the export as CANCELLED, so a calendar that
    had the event learns it is off."""
    return update_vevent(icalendar.Event(), rid, record, promise_uuid, settings)


def update_vevent(
    existing: icalendar.Event,
    rid: int,
    record: dict[str, Any],
    promise_uuid: str | None,
    settings: Settings,
) -> icalendar.Event | None:
    """Write the request's slot into a parsed VEVENT in place (pk's properties only, everything
    else kept); None, and `existing` untouched, when the request has no readable slot."""
    slot = record.get("slot")
    try:
        start, end = parse_iso(slot["start"]), parse_iso(slot["end"])  # type: ignore[index]
    except (KeyError, TypeError, ValueError):
        return None
    uid = slot_uid(rid, record, promise_uuid)
    if (found := _uid_of(existing)) is None:
        existing.add("UID", uid)
    elif found != uid:
        raise ValueError(f"component UID {found!r} is not slot {uid!r}")
    created = _created_of(record)
    history = record.get("history") if isinstance(record.get("history"), list) else []
    stamp = max(_newest(history, created or start), _time_of(existing, "LAST-MODIFIED") or _EPOCH)
    rebookings = sum(1 for e in history if isinstance(e, dict) and e.get("type") == "rebooked")
    sequence = max(rebookings, _int_of(existing, "SEQUENCE") or 0)
    for name in _EVENT_OWNED:
        existing.pop(name, None)
    person, team = str(record.get("person", "")), record.get("team")
    existing.add("SUMMARY", _text(f"Help {person}: {record.get('title', '')}"))
    existing.add("DTSTART", _utc(start))
    existing.add("DTEND", _utc(end))
    existing.add("DTSTAMP", stamp)
    existing.add("LAST-MODIFIED", stamp)
    if created is not None:
        existing.add("CREATED", created)
    existing.add("SEQUENCE", sequence)
    confirmed = record.get("status") in ("booked", "done")
    existing.add("STATUS", "CONFIRMED" if confirmed else "CANCELLED")
    lines = [f"Help for {person}" + (f" ({team})" if team else "")]
    if record.get("reason"):
        lines.append(f"Why later: {record['reason']}")
    existing.add("DESCRIPTION", _text("\n".join(lines)))
    if promise_uuid:
        existing.add("RELATED-TO", promise_uuid)
    # X-PK-REQUEST also lets a busy-time reader skip pk's own slots (it knows them already).
    existing.add("X-PK-REQUEST", icalendar.vText(str(rid)))
    existing.add("X-PK-PERSON", icalendar.vText(_text(person)))
    if team:
        existing.add("X-PK-TEAM", icalendar.vText(_text(str(team))))
    return existing


def _created_of(record: dict[str, Any]) -> datetime | None:
    created = record.get("created")
    try:
        return _utc(parse_iso(created)) if isinstance(created, str) else None
    except ValueError:
        return None


# --- whole calendars ----------------------------------------------------------------------------


def calendar_of(
    components: Iterable[icalendar.Component], name: str | None = None
) -> icalendar.Calendar:
    """A VCALENDAR around `components` (PRODID, VERSION 2.0; `X-WR-CALNAME` when named)."""
    calendar = icalendar.Calendar()
    calendar.add("PRODID", PRODID)
    calendar.add("VERSION", "2.0")
    calendar.add("CALSCALE", "GREGORIAN")
    if name:
        calendar.add("X-WR-CALNAME", icalendar.vText(name))
    for component in components:
        calendar.add_component(component)
    return calendar


def components(
    promises: Iterable[Promise],
    requests: Iterable[tuple[int, dict[str, Any]]],
    settings: Settings,
) -> list[tuple[str, icalendar.Component]]:
    """(UID, component) for every promise (by id) and every ever-booked help slot (by id)."""
    promises = sorted(promises, key=lambda p: p.id)
    uuids = {p.id: p.uuid for p in promises}
    out: list[tuple[str, icalendar.Component]] = [
        (p.uuid, promise_to_vtodo(p, settings)) for p in promises
    ]
    for rid, record in sorted(requests, key=lambda item: item[0]):
        promise_uuid = uuids.get(record.get("promise_id"))  # type: ignore[arg-type]
        event = request_to_vevent(rid, record, promise_uuid, settings)
        if event is not None:
            out.append((str(event["UID"]), event))
    return out


def to_ics(
    promises: Iterable[Promise],
    requests: Iterable[tuple[int, dict[str, Any]]],
    settings: Settings,
) -> bytes:
    """One RFC 5545 file: promises then slots, each by id; CRLF lines folded at 75 octets.
    The same store gives the same bytes, whenever it is exported."""
    found = components(promises, requests, settings)
    return calendar_of((c for _, c in found), name="Promises").to_ical()


# --- VTODO / VEVENT → fields --------------------------------------------------------------------


def vtodo_to_fields(todo: icalendar.Component, settings: Settings | None = None) -> dict[str, Any]:
    """What pk cares about in a VTODO, for sync to compare with its base copy.

    Keys: uid, title, due (aware UTC), status ("open"/"done"/"dropped"), completed (aware or
    None), last_modified (LAST-MODIFIED, else DTSTAMP, else None), sequence, and, only when the
    property is there: created, description, categories (without `waiting-on`), person, team,
    direction, id, series (from `X-PK-*`). A missing property gives no key: clients strip what
    they do not know, and that must never read as "erased". A date-only DUE (set on a phone)
    is the end of that working day in the user's zone (`due_all_day` is then True); floating
    times are in the user's zone (UTC without settings).
    """
    zone: tzinfo = settings.tz if settings else UTC
    fields: dict[str, Any] = {"uid": _uid_of(todo) or "", "title": _text_of(todo, "SUMMARY") or ""}
    due = todo.get("DUE")
    if due is not None:
        value = due.dt
        if isinstance(value, date) and not isinstance(value, datetime):
            end = settings.work.end_of_day(value) if settings else DEFAULT_END
            fields["due"] = datetime.combine(value, end, zone).astimezone(UTC)
            fields["due_all_day"] = True
        else:
            fields["due"] = _aware(value, zone)
    status = str(todo.get("STATUS", "")).upper()
    completed = _time_of(todo, "COMPLETED", zone)
    if status == "COMPLETED" or (not status and completed is not None):
        fields["status"] = "done"  # some clients set COMPLETED without a STATUS
    elif status == "CANCELLED":
        fields["status"] = "dropped"
    else:
        fields["status"] = "open"  # NEEDS-ACTION, IN-PROCESS, or none
    fields["completed"] = completed
    fields["last_modified"] = _time_of(todo, "LAST-MODIFIED", zone) or _time_of(
        todo, "DTSTAMP", zone
    )
    fields["sequence"] = _int_of(todo, "SEQUENCE") or 0
    _optional_fields(todo, fields, zone)
    if "CATEGORIES" in todo:
        fields["categories"] = [c for c in _categories(todo) if c != WAITING_ON]
    for key in ("person", "team", "series"):
        if (value := _x_text(todo, f"X-PK-{key.upper()}")) is not None:
            fields[key] = value
    if (direction := _x_text(todo, "X-PK-DIRECTION")) in ("to", "from"):
        fields["direction"] = direction
    if (local := _x_text(todo, "X-PK-ID")) is not None and local.isdigit():
        fields["id"] = int(local)
    return fields


def vevent_to_fields(
    event: icalendar.Component, settings: Settings | None = None
) -> dict[str, Any]:
    """What pk cares about in a help slot's VEVENT: uid, title, start, end (aware UTC), status
    ("booked" unless CANCELLED, then "cancelled"), last_modified, sequence, and when present
    created, description, related_to, person, team, request (X-PK-REQUEST as an int)."""
    zone: tzinfo = settings.tz if settings else UTC
    fields: dict[str, Any] = {
        "uid": _uid_of(event) or "",
        "title": _text_of(event, "SUMMARY") or "",
        "start": _time_of(event, "DTSTART", zone),
        "end": _time_of(event, "DTEND", zone),
        "status": "cancelled" if str(event.get("STATUS", "")).upper() == "CANCELLED" else "booked",
        "last_modified": _time_of(event, "LAST-MODIFIED", zone) or _time_of(event, "DTSTAMP", zone),
        "sequence": _int_of(event, "SEQUENCE") or 0,
    }
    _optional_fields(event, fields, zone)
    if "RELATED-TO" in event:
        fields["related_to"] = str(event["RELATED-TO"])
    for key in ("person", "team"):
        if (value := _x_text(event, f"X-PK-{key.upper()}")) is not None:
            fields[key] = value
    if (local := _x_text(event, "X-PK-REQUEST")) is not None and local.isdigit():
        fields["request"] = int(local)
    return fields


def _optional_fields(component: Any, fields: dict[str, Any], zone: tzinfo) -> None:
    if (created := _time_of(component, "CREATED", zone)) is not None:
        fields["created"] = created
    if (description := _text_of(component, "DESCRIPTION")) is not None:
        fields["description"] = description


# --- vdir ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VdirReport:
    """What `write_vdir` did: files written (new or changed), left as they were, removed
    (pk's items that no longer exist), and foreign `.ics` files it left alone."""

    written: int
    unchanged: int
    removed: int
    foreign: int


def vdir_name(uid: str) -> str:
    """The file name of an item: `<UID>.ics` when the UID is safe in a path (pk's are uuids),
    else one derived from it (a hand-edited uuid must not write outside the folder)."""
    if _SAFE_NAME.match(uid) and ".." not in uid:
        return f"{uid}.ics"
    return f"{uuidlib.uuid5(NAMESPACE, f'file/{uid}')}.ics"


def write_vdir(
    directory: Path,
    promises: Iterable[Promise],
    requests: Iterable[tuple[int, dict[str, Any]]],
    settings: Settings,
) -> VdirReport:
    """One `.ics` per item in `directory` (created if missing), the vdir layout khal, todoman
    and vdirsyncer read. Each file is replaced atomically and only when its bytes change; the
    files of pk items that no longer exist are removed; other `.ics` files are never touched.
    StoreError (with the OSError as its cause) when the folder cannot be written."""
    wanted = {
        vdir_name(uid): calendar_of([component]).to_ical()
        for uid, component in components(promises, requests, settings)
    }
    written = unchanged = removed = foreign = 0
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        for name, payload in wanted.items():
            target = directory / name
            try:
                if target.read_bytes() == payload:
                    unchanged += 1
                    continue
            except FileNotFoundError:
                pass
            _atomic_write(target, payload)
            written += 1
        for path in sorted(directory.glob("*.ics")):
            if path.name in wanted or not path.is_file():
                continue
            if _PK_FILE.search(path.read_bytes()):
                path.unlink()
                removed += 1
            else:
                foreign += 1
        if written or removed:
            _fsync_dir(directory)
    except OSError as exc:
        why = exc.strerror or str(exc)
        raise StoreError(f"vdir not written: {why} ({inert(str(directory))})") from exc
    return VdirReport(written, unchanged, removed, foreign)


def _atomic_write(target: Path, payload: bytes) -> None:
    # A temp file in the same folder, so os.replace is atomic; hidden and not `.ics`, so a
    # reader that lists the folder mid-write never sees a half-written item.
    handle, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(payload)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temp, 0o600)
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


def _fsync_dir(directory: Path) -> None:
    # The renames and removals themselves survive a power cut only once the folder is synced.
    with contextlib.suppress(OSError):  # not every platform lets a folder be opened
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


# --- small helpers ------------------------------------------------------------------------------

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _utc(dt: datetime) -> datetime:
    """Aware UTC to the second: what every written time is (`…Z`)."""
    return dt.astimezone(UTC).replace(microsecond=0)


def _aware(value: datetime, zone: tzinfo) -> datetime:
    return _utc(value if value.tzinfo is not None else value.replace(tzinfo=zone))


def _text(value: str) -> str:
    """Stored text made inert line by line (controls, bidi overrides, lone surrogates become
    visible escapes: an .ics is read on terminals too, and a surrogate cannot be encoded);
    icalendar then escapes backslash, semicolon, comma and newline per RFC 5545."""
    return "\n".join(inert(line) for line in str(value).split("\n"))


def _uid_of(component: Any) -> str | None:
    uid = component.get("UID")
    return str(uid) if uid is not None else None


def _text_of(component: Any, name: str) -> str | None:
    value = component.get(name)
    if value is None:
        return None
    if isinstance(value, list):  # a client that repeats a single-valued property
        value = value[0]
    return str(value)


def _x_text(component: Any, name: str) -> str | None:
    """An X- property's text. icalendar keeps an unknown property's value as it was on the
    wire, so the RFC 5545 TEXT escapes are undone here."""
    value = _text_of(component, name)
    if value is None:
        return None
    return _TEXT_ESCAPE.sub(lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)


def _time_of(component: Any, name: str, zone: tzinfo = UTC) -> datetime | None:
    prop = component.get(name)
    if isinstance(prop, list):
        prop = prop[0] if prop else None
    value = getattr(prop, "dt", None)
    if isinstance(value, datetime):
        return _aware(value, zone)
    if isinstance(value, date):
        return datetime.combine(value, time(0), zone).astimezone(UTC)
    return None


def _int_of(component: Any, name: str) -> int | None:
    value = component.get(name)
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _categories(component: Any) -> list[str]:
    """Every category, in order and once, over however many CATEGORIES lines there are."""
    found = component.get("CATEGORIES")
    props: Sequence[Any] = found if isinstance(found, list) else [found] if found else []
    values: list[str] = []
    for prop in props:
        for cat in getattr(prop, "cats", None) or []:
            text = str(cat)
            if text not in values:
                values.append(text)
    return values


def _foreign_categories(component: Any, owned: set[str]) -> list[str]:
    return [c for c in _categories(component) if c not in owned and c not in _PK_CATEGORIES]


__all__ = [
    "NAMESPACE",
    "PRODID",
    "WAITING_ON",
    "VdirReport",
    "calendar_of",
    "components",
    "last_change",
    "occurrence_uid",
    "promise_to_vtodo",
    "request_to_vevent",
    "slot_uid",
    "to_ics",
    "update_vevent",
    "update_vtodo",
    "vdir_name",
    "vevent_to_fields",
    "vtodo_to_fields",
    "write_vdir",
]
