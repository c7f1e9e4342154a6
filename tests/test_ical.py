"""The iCalendar mapping (exchange/ical.py): promise ⇄ VTODO, booked help slot ⇄ VEVENT, the
single-file export and the vdir. Every file is read back by two parsers (icalendar, vobject)."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pytest
import vobject

from promisekeeper.config import Settings
from promisekeeper.errors import StoreError
from promisekeeper.exchange import ical
from promisekeeper.model import Promise, iso

BERLIN = ZoneInfo("Europe/Berlin")
SETTINGS = Settings(tz=BERLIN)
T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
DUE = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)
TRICKY = 'Send "Q3" numbers, forecasts; and the back\\slash to Zoë Müller & O\'Brien'


def promise(pid: int = 1, **changes: Any) -> Promise:
    """A promise created at T0 with fixed data; `events` adds history events (type, at)."""
    events = changes.pop("events", ())
    base = {
        "id": pid,
        "uuid": str(uuid.UUID(int=pid, version=4)),
        "title": "Send Q3 headcount numbers",
        "person": "Dana",
        "direction": "to",
        "due": DUE,
        "created": T0,
        "team": "Finance",
        "tags": ("payroll",),
    }
    base.update(changes)
    p = Promise(**base).with_event("created", T0, due=iso(base["due"]))
    for kind, at in events:
        p = p.with_event(kind, at)
    return p


def slot_request(status: str = "booked", **changes: Any) -> dict[str, Any]:
    record = {
        "uuid": "req-uuid-1",
        "title": "Explain the VPN setup",
        "person": "Jo",
        "team": "IT",
        "reason": "customer call first",
        "need_minutes": 30,
        "buffer_minutes": 0,
        "created": "2026-11-20T09:00:00+00:00",
        "status": status,
        "proposed": [{"start": "2026-11-24T13:00:00+00:00", "end": "2026-11-24T13:30:00+00:00"}],
        "slot": {"start": "2026-11-24T13:00:00+00:00", "end": "2026-11-24T13:30:00+00:00"},
        "promise_id": 1,
        "history": [
            {"at": "2026-11-20T09:00:00+00:00", "type": "created"},
            {"at": "2026-11-20T10:00:00+00:00", "type": "booked"},
        ],
    }
    record.update(changes)
    return record


def only_todo(raw: bytes) -> icalendar.Todo:
    todos = icalendar.Calendar.from_ical(raw).walk("VTODO")
    assert len(todos) == 1
    return todos[0]


def todo_bytes(p: Promise, settings: Settings = SETTINGS) -> bytes:
    return ical.calendar_of([ical.promise_to_vtodo(p, settings)]).to_ical()


def lines_of(raw: bytes) -> list[str]:
    """Unfolded content lines."""
    return raw.decode("utf-8").replace("\r\n ", "").split("\r\n")


# --- the whole file -----------------------------------------------------------------------------


def test_export_reparses_with_icalendar_and_vobject():
    promises = [
        promise(1, title=TRICKY),
        promise(2, direction="from", person="Sam", tags=()),
        promise(3, status="done", done_at=DUE - timedelta(hours=2)),
    ]
    requests = [(1, slot_request()), (2, slot_request("proposed", uuid="req-2", slot=None))]
    raw = ical.to_ics(promises, requests, SETTINGS)

    calendar = icalendar.Calendar.from_ical(raw)
    assert str(calendar["PRODID"]) == "-//promisekeeper//pk//EN"
    assert str(calendar["VERSION"]) == "2.0"
    assert [str(t["UID"]) for t in calendar.walk("VTODO")] == [p.uuid for p in promises]
    assert [str(e["UID"]) for e in calendar.walk("VEVENT")] == ["req-uuid-1"]  # proposed: none

    parsed = vobject.readOne(raw.decode("utf-8"))
    todos = parsed.contents["vtodo"]
    assert [t.uid.value for t in todos] == [p.uuid for p in promises]
    assert todos[0].summary.value == TRICKY
    assert todos[0].due.value == DUE
    assert parsed.vevent.dtstart.value == datetime(2026, 11, 24, 13, tzinfo=UTC)


def test_two_exports_with_no_change_are_byte_identical_crlf_and_folded():
    promises = [promise(1, title=TRICKY * 3, notes=({"at": iso(T0), "text": "ü" * 120},))]
    first = ical.to_ics(promises, [(1, slot_request())], SETTINGS)
    second = ical.to_ics(list(promises), [(1, slot_request())], SETTINGS)
    assert first == second
    assert first.endswith(b"END:VCALENDAR\r\n")
    assert b"\n" not in first.replace(b"\r\n", b"")  # no bare LF anywhere
    assert all(len(line) <= 75 for line in first.split(b"\r\n"))  # octets, RFC 5545 3.1
    first.decode("utf-8")  # folding never splits a multi-byte character


def test_order_is_by_id_whatever_order_the_caller_gives():
    a, b = promise(1), promise(2)
    assert ical.to_ics([b, a], [], SETTINGS) == ical.to_ics([a, b], [], SETTINGS)


# --- promise → VTODO ----------------------------------------------------------------------------


def test_sequence_counts_moves_and_dtstamp_is_the_last_change():
    moved_at, noted_at = T0 + timedelta(days=1), T0 + timedelta(days=2)
    p = promise(events=[("moved", moved_at), ("moved", moved_at), ("note", noted_at)])
    todo = only_todo(todo_bytes(p))
    assert todo.decoded("SEQUENCE") == 2  # the note is a change, not a renegotiation
    assert todo["DTSTAMP"].dt == noted_at
    assert todo["LAST-MODIFIED"].dt == noted_at
    assert todo["CREATED"].dt == T0
    assert "DTSTAMP:20261122T090000Z" in lines_of(todo_bytes(p))


def test_unchanged_promise_keeps_its_stamp_whatever_the_clock():
    # The stamp comes from the record alone: there is no clock to pass, and the same record
    # written twice gives the same bytes.
    assert only_todo(todo_bytes(promise()))["DTSTAMP"].dt == T0


@pytest.mark.parametrize(
    ("status", "expected", "completed"),
    [("open", "NEEDS-ACTION", False), ("done", "COMPLETED", True), ("dropped", "CANCELLED", False)],
)
def test_status_maps_to_vtodo_status(status, expected, completed):
    done_at = DUE - timedelta(hours=1) if status == "done" else None
    todo = only_todo(todo_bytes(promise(status=status, done_at=done_at)))
    assert str(todo["STATUS"]) == expected
    assert ("COMPLETED" in todo) is completed
    if completed:
        assert todo["COMPLETED"].dt == done_at
        assert todo.decoded("PERCENT-COMPLETE") == 100


def test_due_is_a_utc_date_time():
    p = promise(due=datetime(2026, 11, 27, 16, 0, tzinfo=BERLIN))
    assert "DUE:20261127T150000Z" in lines_of(todo_bytes(p))


@pytest.mark.parametrize(
    ("changes", "settings", "alarm"),
    [
        ({}, SETTINGS, True),
        ({"direction": "from"}, SETTINGS, False),  # waiting on someone: not mine to do
        ({"status": "done", "done_at": DUE}, SETTINGS, False),
        ({"status": "dropped"}, SETTINGS, False),
        ({}, Settings(tz=BERLIN, reminder=None), False),  # reminder = "off"
    ],
)
def test_valarm_only_on_my_open_promises(changes, settings, alarm):
    todo = only_todo(todo_bytes(promise(**changes), settings))
    alarms = todo.walk("VALARM")
    assert len(alarms) == (1 if alarm else 0)
    if alarm:
        assert str(alarms[0]["ACTION"]) == "DISPLAY"
        assert "TRIGGER;RELATED=END:-PT1H" in lines_of(todo_bytes(promise(**changes), settings))


def test_valarm_follows_the_configured_reminder():
    raw = todo_bytes(promise(), Settings(tz=BERLIN, reminder=timedelta(minutes=30)))
    assert "TRIGGER;RELATED=END:-PT30M" in lines_of(raw)


def test_categories_and_x_pk_properties():
    mine = only_todo(todo_bytes(promise(tags=("payroll", "q3"))))
    theirs = only_todo(todo_bytes(promise(2, direction="from", person="Sam", team=None)))
    assert [str(c) for c in mine["CATEGORIES"].cats] == ["payroll", "q3"]
    assert [str(c) for c in theirs["CATEGORIES"].cats] == ["payroll", "waiting-on"]
    assert (str(mine["X-PK-DIRECTION"]), str(theirs["X-PK-DIRECTION"])) == ("to", "from")
    assert (str(mine["X-PK-PERSON"]), str(mine["X-PK-TEAM"]), str(mine["X-PK-ID"])) == (
        "Dana",
        "Finance",
        "1",
    )
    assert "X-PK-TEAM" not in theirs
    assert str(mine["DESCRIPTION"]).startswith("Promised to Dana (Finance)")
    assert str(theirs["DESCRIPTION"]).startswith("Waiting on Sam")


def test_the_person_is_never_an_attendee_or_organizer():
    # Servers such as Nextcloud mail invitations to attendees.
    raw = ical.to_ics([promise(person="dana@example.com")], [(1, slot_request())], SETTINGS)
    assert b"ATTENDEE" not in raw and b"ORGANIZER" not in raw


def test_text_is_escaped_per_rfc5545_and_reads_back_exactly():
    note = 'draft; sent, to "O\'Brien"\nsecond line \\ done'
    p = promise(
        title=TRICKY, person="Zoë Müller", team="Ops, EU", notes=({"at": iso(T0), "text": note},)
    )
    raw = todo_bytes(p)
    summary = next(line for line in lines_of(raw) if line.startswith("SUMMARY:"))
    assert summary == (
        'SUMMARY:Send "Q3" numbers\\, forecasts\\; and the back\\\\slash to Zoë Müller & O\'Brien'
    )
    assert "X-PK-TEAM:Ops\\, EU" in lines_of(raw)
    for parsed in (only_todo(raw), vobject.readOne(raw.decode("utf-8")).vtodo):
        description = str(
            parsed["DESCRIPTION"]
            if isinstance(parsed, icalendar.Todo)
            else parsed.description.value
        )
        assert description.endswith(f"- 2026-11-20: {note}")
    fields = ical.vtodo_to_fields(only_todo(raw), SETTINGS)
    assert (fields["title"], fields["person"], fields["team"]) == (TRICKY, "Zoë Müller", "Ops, EU")
    assert vobject.readOne(raw.decode("utf-8")).vtodo.x_pk_person.value == "Zoë Müller"


def test_control_characters_from_old_records_become_visible_escapes():
    # Stored text refuses them today; an older store may have one, and a calendar file is
    # read on terminals too.
    raw = todo_bytes(promise(title="beep\x07 \x1b[31mred"))
    assert str(only_todo(raw)["SUMMARY"]) == "beep\\x07 \\x1b[31mred"
    assert b"\x1b" not in raw and b"\x07" not in raw


# --- repeating promises -------------------------------------------------------------------------


def test_occurrence_uid_is_deterministic_per_series_and_date():
    series = "5b1c2a34-0000-4000-8000-000000000000"
    friday = datetime(2026, 11, 27, 12, tzinfo=UTC)
    uid = ical.occurrence_uid(series, friday)
    assert uid == ical.occurrence_uid(series, friday.astimezone(BERLIN))  # same instant
    assert uuid.UUID(uid).version == 5
    assert uid != ical.occurrence_uid(series, friday + timedelta(days=7))
    assert uid != ical.occurrence_uid("another-series", friday)
    # Pinned: a change here would give every synced occurrence a new identity.
    assert uid == str(uuid.uuid5(ical.NAMESPACE, f"occurrence/{series}/2026-11-27T12:00:00+00:00"))


def test_series_id_travels_in_x_pk_series():
    p = promise(series={"id": "series-1", "rule": "week on fri", "scheduled": iso(DUE)})
    todo = only_todo(todo_bytes(p))
    assert str(todo["X-PK-SERIES"]) == "series-1"
    assert "Repeats week on fri" in str(todo["DESCRIPTION"])
    assert ical.vtodo_to_fields(todo)["series"] == "series-1"


# --- help slots → VEVENT ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "expected"),
    [("booked", "CONFIRMED"), ("done", "CONFIRMED"), ("cancelled", "CANCELLED")],
)
def test_booked_requests_are_events_related_to_their_promise(status, expected):
    p = promise()
    raw = ical.to_ics([p], [(1, slot_request(status))], SETTINGS)
    event = icalendar.Calendar.from_ical(raw).walk("VEVENT")[0]
    assert str(event["STATUS"]) == expected
    assert str(event["RELATED-TO"]) == p.uuid
    assert event["DTSTART"].dt == datetime(2026, 11, 24, 13, tzinfo=UTC)
    assert event["DTEND"].dt == datetime(2026, 11, 24, 13, 30, tzinfo=UTC)
    assert "DTSTART:20261124T130000Z" in lines_of(raw)
    assert str(event["X-PK-REQUEST"]) == "1"


def test_a_request_never_booked_is_no_event():
    assert ical.request_to_vevent(1, slot_request("proposed", slot=None), None, SETTINGS) is None
    assert ical.request_to_vevent(1, slot_request(slot={"start": "x"}), None, SETTINGS) is None


def test_event_revision_data_and_deterministic_uid():
    history = [
        {"at": "2026-11-20T09:00:00+00:00", "type": "created"},
        {"at": "2026-11-20T10:00:00+00:00", "type": "booked"},
        {"at": "2026-11-21T10:00:00+00:00", "type": "rebooked"},
        {"at": "2026-11-22T08:00:00+00:00", "type": "rebooked"},
    ]
    record = slot_request(uuid=None, history=history)
    event = ical.request_to_vevent(7, record, "promise-uuid", SETTINGS)
    again = ical.request_to_vevent(7, record, "promise-uuid", SETTINGS)
    assert event is not None and again is not None
    assert (
        str(event["UID"])
        == str(again["UID"])
        == str(uuid.uuid5(ical.NAMESPACE, "slot/promise-uuid"))
    )
    assert event.decoded("SEQUENCE") == 2
    assert event["DTSTAMP"].dt == datetime(2026, 11, 22, 8, tzinfo=UTC)
    assert event["LAST-MODIFIED"].dt == datetime(2026, 11, 22, 8, tzinfo=UTC)
    fields = ical.vevent_to_fields(event)
    assert (fields["related_to"], fields["status"], fields["request"]) == (
        "promise-uuid",
        "booked",
        7,
    )


def test_update_vevent_keeps_foreign_properties():
    event = ical.request_to_vevent(1, slot_request(), "p-uuid", SETTINGS)
    parsed = icalendar.Calendar.from_ical(ical.calendar_of([event]).to_ical()).walk("VEVENT")[0]
    parsed.add("X-PHONE-APP", "Tasks 4.2")
    parsed.add("LOCATION", "Room 4")
    ical.update_vevent(parsed, 1, slot_request("cancelled"), "p-uuid", SETTINGS)
    again = icalendar.Calendar.from_ical(ical.calendar_of([parsed]).to_ical()).walk("VEVENT")[0]
    assert str(again["STATUS"]) == "CANCELLED"
    assert (str(again["X-PHONE-APP"]), str(again["LOCATION"])) == ("Tasks 4.2", "Room 4")


# --- VTODO → fields -----------------------------------------------------------------------------


def test_round_trip_through_fields():
    note = {"at": iso(T0), "text": "draft sent"}
    p = promise(
        title=TRICKY,
        person="O'Brien",
        tags=("payroll", "q3"),
        notes=(note,),
        status="done",
        done_at=DUE,
        events=[("moved", T0 + timedelta(hours=1)), ("done", DUE)],
    )
    fields = ical.vtodo_to_fields(only_todo(todo_bytes(p)), SETTINGS)
    assert fields == {
        "uid": p.uuid,
        "title": TRICKY,
        "due": DUE,
        "status": "done",
        "completed": DUE,
        "last_modified": DUE,
        "sequence": 1,
        "created": T0,
        "description": "Promised to O'Brien (Finance)\n\nNotes:\n- 2026-11-20: draft sent",
        "categories": ["payroll", "q3"],
        "person": "O'Brien",
        "team": "Finance",
        "direction": "to",
        "id": 1,
    }


def test_waiting_on_is_not_a_tag_when_read_back():
    fields = ical.vtodo_to_fields(only_todo(todo_bytes(promise(direction="from"))))
    assert fields["categories"] == ["payroll"] and fields["direction"] == "from"


PHONE_TODO = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//phone//EN\r\nBEGIN:VTODO\r\n"
    "UID:abc\r\nSUMMARY:Call back\r\nDUE;VALUE=DATE:20261124\r\n"
    "COMPLETED:20261123T080000Z\r\nDTSTAMP:20261123T080000Z\r\n"
    "END:VTODO\r\nEND:VCALENDAR\r\n"
)


def test_a_stripped_component_gives_no_keys_never_an_erase():
    fields = ical.vtodo_to_fields(only_todo(PHONE_TODO.encode()), SETTINGS)
    for key in ("person", "team", "direction", "id", "series", "description", "categories"):
        assert key not in fields
    assert fields["status"] == "done"  # COMPLETED without STATUS, as some clients write it
    assert fields["last_modified"] == datetime(2026, 11, 23, 8, tzinfo=UTC)  # DTSTAMP stands in
    # A date-only deadline is the end of that working day in the user's zone.
    assert fields["due"] == datetime(2026, 11, 24, 16, tzinfo=UTC) and fields["due_all_day"]


def test_floating_times_are_read_in_the_users_zone():
    text = PHONE_TODO.replace("DUE;VALUE=DATE:20261124", "DUE:20261124T170000")
    fields = ical.vtodo_to_fields(only_todo(text.encode()), SETTINGS)
    assert fields["due"] == datetime(2026, 11, 24, 16, tzinfo=UTC)
    assert "due_all_day" not in fields


# --- writing into a component another client changed -------------------------------------------


def phone_edited(p: Promise) -> icalendar.Todo:
    """pk's VTODO after a phone app added its own property, a category and an alarm."""
    todo = only_todo(todo_bytes(p))
    todo.add("X-PHONE-APP", "Tasks 4.2")
    todo.add("CATEGORIES", ["errands"])
    todo.add("PRIORITY", 1)
    alarm = icalendar.Alarm()
    alarm.add("ACTION", "AUDIO")
    alarm.add("TRIGGER", -timedelta(days=1), parameters={"RELATED": "END"})
    todo.add_component(alarm)
    return only_todo(ical.calendar_of([todo]).to_ical())


def test_update_vtodo_keeps_what_pk_does_not_own():
    p = promise(tags=("payroll", "old"))
    existing = phone_edited(p)
    later = T0 + timedelta(days=1)
    changed = replace_promise(p, due=DUE + timedelta(days=1), tags=("payroll", "q3")).with_event(
        "moved", later
    )
    ical.update_vtodo(existing, changed, SETTINGS, owned_categories=p.tags)
    todo = only_todo(ical.calendar_of([existing]).to_ical())
    assert str(todo["X-PHONE-APP"]) == "Tasks 4.2"
    assert todo.decoded("PRIORITY") == 1
    assert ical.vtodo_to_fields(todo)["categories"] == ["payroll", "q3", "errands"]  # "old" gone
    assert todo["DUE"].dt == DUE + timedelta(days=1)
    assert todo.decoded("SEQUENCE") == 1 and todo["LAST-MODIFIED"].dt == later
    actions = sorted(str(a["ACTION"]) for a in todo.walk("VALARM"))
    assert actions == ["AUDIO", "DISPLAY"]  # the phone's alarm kept, pk's not doubled


def test_update_vtodo_without_a_base_keeps_every_existing_category():
    existing = phone_edited(promise(tags=("payroll",)))
    ical.update_vtodo(existing, promise(tags=("q3",)), SETTINGS)
    assert ical.vtodo_to_fields(existing)["categories"] == ["q3", "payroll", "errands"]


def test_update_vtodo_closing_removes_pks_alarm_and_never_goes_backwards():
    existing = phone_edited(promise())
    existing.pop("SEQUENCE")
    existing.add("SEQUENCE", 5)  # a phone bumped it
    existing.pop("LAST-MODIFIED")
    existing.add("LAST-MODIFIED", T0 + timedelta(days=3))
    existing.add("DURATION", timedelta(hours=1))
    done = replace_promise(promise(), status="done", done_at=DUE).with_event("done", DUE)
    ical.update_vtodo(existing, done, SETTINGS)
    assert [str(a["ACTION"]) for a in existing.walk("VALARM")] == ["AUDIO"]
    assert existing.decoded("SEQUENCE") == 5
    assert existing["LAST-MODIFIED"].dt == DUE  # later than the phone's, so pk's
    assert "DURATION" not in existing  # DUE and DURATION cannot both be there
    reopened = replace_promise(done, status="open", done_at=None).with_event(
        "reopened", DUE + timedelta(hours=1)
    )
    ical.update_vtodo(existing, reopened, SETTINGS)
    assert "COMPLETED" not in existing and "PERCENT-COMPLETE" not in existing


def test_update_vtodo_refuses_another_items_component():
    with pytest.raises(ValueError, match="UID"):
        ical.update_vtodo(only_todo(todo_bytes(promise(1))), promise(2), SETTINGS)


def replace_promise(p: Promise, **changes: Any) -> Promise:
    return p._replace(**changes)


# --- vdir ---------------------------------------------------------------------------------------


def test_vdir_writes_one_file_per_item_named_by_uid(tmp_path: Path):
    folder = tmp_path / "pk-vdir"
    promises = [promise(1), promise(2, direction="from")]
    report = ical.write_vdir(folder, promises, [(1, slot_request())], SETTINGS)
    assert (report.written, report.unchanged, report.removed, report.foreign) == (3, 0, 0, 0)
    names = sorted(p.name for p in folder.iterdir())
    assert names == sorted([f"{promises[0].uuid}.ics", f"{promises[1].uuid}.ics", "req-uuid-1.ics"])
    for path in folder.iterdir():  # read back item by item, by both parsers
        raw = path.read_bytes()
        calendar = icalendar.Calendar.from_ical(raw)
        items = [c for c in calendar.subcomponents if c.name in ("VTODO", "VEVENT")]
        assert len(items) == 1 and f"{items[0]['UID']}.ics" == path.name
        assert vobject.readOne(raw.decode("utf-8")).prodid.value == ical.PRODID
        assert path.stat().st_mode & 0o077 == 0


def test_vdir_leaves_unchanged_files_alone_and_rewrites_changed_ones(tmp_path: Path):
    tmp_path = tmp_path / "vdir"  # the test's own folder holds a config.toml
    p1, p2 = promise(1), promise(2)
    ical.write_vdir(tmp_path, [p1, p2], [], SETTINGS)
    before = {p.name: p.stat().st_ino for p in tmp_path.iterdir()}
    report = ical.write_vdir(tmp_path, [p1, p2], [], SETTINGS)
    assert (report.written, report.unchanged) == (0, 2)
    assert {p.name: p.stat().st_ino for p in tmp_path.iterdir()} == before  # not even replaced
    moved = replace_promise(p2, due=DUE + timedelta(days=1)).with_event("moved", T0)
    report = ical.write_vdir(tmp_path, [p1, moved], [], SETTINGS)
    assert (report.written, report.unchanged) == (1, 1)
    assert only_todo((tmp_path / f"{p2.uuid}.ics").read_bytes()).decoded("SEQUENCE") == 1
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp file left


def test_vdir_removes_pks_stale_files_and_never_foreign_ones(tmp_path: Path):
    tmp_path = tmp_path / "vdir"
    p1, p2 = promise(1), promise(2)
    ical.write_vdir(tmp_path, [p1, p2], [(1, slot_request())], SETTINGS)
    foreign = tmp_path / "foreign-meeting.ics"
    foreign.write_bytes(
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//khal//EN\r\nBEGIN:VEVENT\r\nUID:m1\r\n"
        b"DTSTAMP:20261120T090000Z\r\nDTSTART:20261124T090000Z\r\nSUMMARY:Team meeting\r\n"
        b"END:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    notes = tmp_path / "notes.txt"
    notes.write_text("not a calendar item")
    report = ical.write_vdir(tmp_path, [p1], [], SETTINGS)  # #2 and the slot are gone
    assert (report.written, report.unchanged, report.removed, report.foreign) == (0, 1, 2, 1)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [f"{p1.uuid}.ics", "foreign-meeting.ics", "notes.txt"]
    )


def test_vdir_names_an_unsafe_uid_inside_the_folder(tmp_path: Path):
    odd = promise(1, uuid="../../etc/evil uid")
    ical.write_vdir(tmp_path / "v", [odd], [], SETTINGS)
    (written,) = (tmp_path / "v").iterdir()
    assert re.fullmatch(r"[0-9a-f-]{36}\.ics", written.name)
    assert str(only_todo(written.read_bytes())["UID"]) == "../../etc/evil uid"


def test_vdir_that_cannot_be_written_is_one_store_error(tmp_path: Path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StoreError, match="vdir not written"):
        ical.write_vdir(blocker, [promise()], [], SETTINGS)


def test_update_vtodo_does_not_double_an_alarm_a_client_copied_without_its_uid():
    todo = only_todo(todo_bytes(promise()))
    (alarm,) = todo.walk("VALARM")
    alarm.pop("UID")  # some clients rewrite alarms and drop what they do not know
    ical.update_vtodo(todo, promise(), SETTINGS)
    assert len(todo.walk("VALARM")) == 1
