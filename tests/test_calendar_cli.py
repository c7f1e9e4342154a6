"""Busy time from real calendars, end to end through the CLI: a CalDAV calendar (Radicale), a
published ICS address (a local http.server), a local .ics file and a vdir folder, all configured
in config.toml. `pk later` never offers a time the user is busy, `pk book` and `pk move` refuse a
clash naming the meeting, `pk slots` shows meetings as busy rows, a source that fails is one
warning line, `pk calendar check` says what each source holds. Also the iCalendar export (one
file and a vdir) read back by icalendar and vobject, and which commands never import the
calendar libraries."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import icalendar
import pytest
import vobject
from conftest import SRC
from servers import free_port

from promisekeeper.model import occurrence_uid

HEAD = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n"
TAIL = "END:VCALENDAR\r\n"

# Radicale (CalDAV): a weekly meeting on Tuesdays and Wednesdays since 10 Nov; Wednesday 25 Nov
# is cancelled (EXDATE) and Tuesday 24 Nov moved from 10:00 to 14:00 (RECURRENCE-ID).
TEAM_MEETING = (
    HEAD + "BEGIN:VEVENT\r\nUID:team@example.com\r\nDTSTAMP:20261101T000000Z\r\n"
    "SUMMARY:Team meeting\r\n"
    "DTSTART;TZID=Europe/Berlin:20261110T100000\r\nDTEND;TZID=Europe/Berlin:20261110T110000\r\n"
    "RRULE:FREQ=WEEKLY;BYDAY=TU,WE\r\nEXDATE;TZID=Europe/Berlin:20261125T100000\r\n"
    "END:VEVENT\r\n"
    "BEGIN:VEVENT\r\nUID:team@example.com\r\nDTSTAMP:20261101T000000Z\r\n"
    "SUMMARY:Team meeting\r\nRECURRENCE-ID;TZID=Europe/Berlin:20261124T100000\r\n"
    "DTSTART;TZID=Europe/Berlin:20261124T140000\r\nDTEND;TZID=Europe/Berlin:20261124T150000\r\n"
    "END:VEVENT\r\n" + TAIL
)
# The published ICS: an all-day offsite (blocks Thursday's working day) and a transparent
# "focus time" (blocks nothing).
PUBLISHED = (
    HEAD + "BEGIN:VEVENT\r\nUID:offsite@example.com\r\nDTSTAMP:20261101T000000Z\r\n"
    "SUMMARY:Offsite\r\nDTSTART;VALUE=DATE:20261126\r\nDTEND;VALUE=DATE:20261127\r\n"
    "END:VEVENT\r\n"
    "BEGIN:VEVENT\r\nUID:focus@example.com\r\nDTSTAMP:20261101T000000Z\r\n"
    "SUMMARY:Focus time\r\nTRANSP:TRANSPARENT\r\n"
    "DTSTART;TZID=Europe/Berlin:20261123T130000\r\nDTEND;TZID=Europe/Berlin:20261123T170000\r\n"
    "END:VEVENT\r\n" + TAIL
)
# A local file from a New York colleague: weekly on Wednesdays at 09:00 New York time, first on
# 14 Oct (summer time, UTC-4). After the US clocks go back on 1 Nov it is 09:00 EST (UTC-5), so
# 15:00–16:00 in Berlin; a reader that kept the first offset would put it an hour early.
NEW_YORK = (
    HEAD + "BEGIN:VTIMEZONE\r\nTZID:America/New_York\r\n"
    "BEGIN:DAYLIGHT\r\nTZOFFSETFROM:-0500\r\nTZOFFSETTO:-0400\r\nTZNAME:EDT\r\n"
    "DTSTART:19700308T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU\r\nEND:DAYLIGHT\r\n"
    "BEGIN:STANDARD\r\nTZOFFSETFROM:-0400\r\nTZOFFSETTO:-0500\r\nTZNAME:EST\r\n"
    "DTSTART:19701101T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU\r\nEND:STANDARD\r\n"
    "END:VTIMEZONE\r\n"
    "BEGIN:VEVENT\r\nUID:us-sync@example.com\r\nDTSTAMP:20261001T000000Z\r\nSUMMARY:US sync\r\n"
    "DTSTART;TZID=America/New_York:20261014T090000\r\n"
    "DTEND;TZID=America/New_York:20261014T100000\r\nRRULE:FREQ=WEEKLY\r\nEND:VEVENT\r\n" + TAIL
)
# A vdir (khal): one item per file.
ONE_TO_ONE = (
    HEAD + "BEGIN:VEVENT\r\nUID:kim@example.com\r\nDTSTAMP:20261101T000000Z\r\n"
    "SUMMARY:1:1 with Kim\r\n"
    "DTSTART;TZID=Europe/Berlin:20261123T110000\r\nDTEND;TZID=Europe/Berlin:20261123T113000\r\n"
    "END:VEVENT\r\n" + TAIL
)

# What this week (Mon 23 – Sun 29 Nov) holds, in UTC: (date, summary, start, end).
EXPECTED_WEEK = [
    ("2026-11-23", "1:1 with Kim", "2026-11-23T10:00:00+00:00", "2026-11-23T10:30:00+00:00"),
    ("2026-11-24", "Team meeting", "2026-11-24T13:00:00+00:00", "2026-11-24T14:00:00+00:00"),
    ("2026-11-25", "US sync", "2026-11-25T14:00:00+00:00", "2026-11-25T15:00:00+00:00"),
    ("2026-11-26", "Offsite", "2026-11-26T08:00:00+00:00", "2026-11-26T16:00:00+00:00"),
]


def configure(tmp: Path, *busy: str, calendar: str = "") -> None:
    """The tmp config the `isolated` fixture made, with these busy sources (and `calendar`
    lines added to the [calendar] table)."""
    sources = ", ".join(json.dumps(s) for s in busy)
    (tmp / "config.toml").write_text(
        f'timezone = "Europe/Berlin"\n[calendar]\nbusy = [{sources}]\n{calendar}'
    )


@pytest.fixture(autouse=True)
def cache_in_tmp(isolated: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(isolated / "xdg-cache"))
    monkeypatch.delenv("PK_CACHE_DIR", raising=False)
    monkeypatch.delenv("PK_CALENDAR_PASSWORD", raising=False)
    return isolated / "xdg-cache"


@pytest.fixture
def four_sources(isolated: Path, radicale, ics_server) -> list[str]:
    """A CalDAV calendar, a published ICS, a local file and a vdir, configured as busy."""
    caldav_url = radicale.make_calendar("work")
    assert radicale.put("work", "team.ics", TEAM_MEETING) in (200, 201)
    published = ics_server.serve("published/work.ics", PUBLISHED)
    local = isolated / "new-york.ics"
    local.write_text(NEW_YORK)
    vdir = isolated / "khal" / "work"
    vdir.mkdir(parents=True)
    (vdir / "kim.ics").write_text(ONE_TO_ONE)
    sources = [caldav_url, published, str(local), f"{vdir}/"]
    configure(isolated, *sources)
    return sources


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def overlaps(a: tuple[datetime, datetime], b: tuple[datetime, datetime]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def busy_rows(plan: dict) -> list[tuple[str, str, str, str]]:
    return [
        (d["date"], b["summary"], b["start"], b["end"]) for d in plan["days"] for b in d["busy"]
    ]


# --- pk slots, pk later -------------------------------------------------------------------------


def test_slots_shows_this_weeks_meetings_from_every_source(pk, four_sources):
    """Recurrence with EXDATE and a moved occurrence, an all-day event over the working day, a
    transparent event left out, and a New York meeting placed right after the US DST change."""
    plan = pk.json("slots")
    assert busy_rows(plan) == EXPECTED_WEEK
    thursday = next(d for d in plan["days"] if d["date"] == "2026-11-26")
    assert thursday["free"] == []  # the offsite takes the working day
    monday = next(d for d in plan["days"] if d["date"] == "2026-11-23")
    # From now (10:00) to 17:00, minus the 1:1 at 11:00; the transparent focus time is free.
    assert monday["free"] == [
        {"start": "2026-11-23T09:00:00+00:00", "end": "2026-11-23T10:00:00+00:00"},
        {"start": "2026-11-23T10:30:00+00:00", "end": "2026-11-23T16:00:00+00:00"},
    ]


def test_later_never_offers_a_busy_time(pk, four_sources):
    busy = [(utc(start), utc(end)) for _, _, start, end in EXPECTED_WEEK]
    request = pk.json(
        "later", "Walk Dana through the expense form", "--for", "Dana", "--need", "45m",
        "--offer", "10",
    )  # fmt: skip
    offers = [(utc(p["start"]), utc(p["end"])) for p in request["proposed"]]
    assert len(offers) == 10
    clashing = [o for o in offers if any(overlaps(o, b) for b in busy)]
    assert clashing == []
    # Not simply fewer offers: the first one is the free hour before the 1:1 with Kim.
    assert offers[0] == (utc("2026-11-23T09:00:00+00:00"), utc("2026-11-23T09:45:00+00:00"))


def test_slots_free_lists_only_the_time_meetings_leave(pk, four_sources):
    out = pk("slots", "--free").stdout
    lines = {line.split("  ")[0].strip(): line for line in out.splitlines()}
    assert lines["Mon 23 Nov (today)"].endswith("10:00–11:00, 11:30–17:00")
    assert lines["Tue 24 Nov (tomorrow)"].endswith("09:00–14:00, 15:00–17:00")
    assert lines["Thu 26 Nov"].endswith("no free time left")


def test_slots_shows_meetings_as_busy_rows_beside_booked_slots(pk, four_sources):
    pk("later", "Budget questions", "--for", "Lee", "--need", "30m")
    pk("book", "1", "tue 9am")
    out = pk("slots").stdout
    assert "Team meeting" in out and "Offsite" in out and "US sync" in out
    tuesday = out.split("Tue 24 Nov")[1].split("Wed 25 Nov")[0]
    rows = [line for line in tuesday.splitlines() if "│" in line]
    # Sorted by time: the booked slot at 09:00, then the meeting at 14:00, shown as busy.
    assert "09:00–09:30" in rows[0] and "Lee" in rows[0] and "booked" in rows[0]
    assert "14:00–15:00" in rows[1] and "Team meeting" in rows[1] and "busy" in rows[1]
    assert "busy (all day)" in out.split("Thu 26 Nov")[1]


def test_a_meeting_summary_is_inert_in_pk_slots(pk, isolated):
    hostile = ONE_TO_ONE.replace("SUMMARY:1:1 with Kim", "SUMMARY:Kim \x1b[2J\u202eevil")
    (isolated / "hostile.ics").write_text(hostile)
    configure(isolated, str(isolated / "hostile.ics"))
    out = pk("slots").stdout
    assert "\x1b" not in out and "\u202e" not in out
    assert "Kim \\x1b[2J\\u202eevil" in out


def test_pk_own_slots_exported_to_a_busy_vdir_are_not_counted_twice(pk, isolated):
    """A help slot exported into a folder that is also a busy source stays one booking: it is
    not a meeting, and re-booking it does not clash with itself."""
    pk("later", "Budget questions", "--for", "Lee", "--need", "30m")
    pk("book", "1", "tue 9am")
    folder = isolated / "pk-vdir"
    pk("export", "--format", "vdir", str(folder))
    configure(isolated, f"{folder}/")
    assert busy_rows(pk.json("slots")) == []
    pk("book", "1", "tue 9:15am")  # overlaps its own old time: no clash


# --- pk book, pk move ---------------------------------------------------------------------------


def test_book_refuses_a_clash_naming_the_meeting_and_force_records_it(pk, four_sources):
    pk("later", "Budget questions", "--for", "Lee", "--need", "30m")
    refused = pk("book", "1", "tue 2:30pm", code=4)
    assert "clashes with “Team meeting” (Tue 24 Nov 14:00–15:00)" in refused.stderr
    assert pk.json("list") == []  # nothing was booked
    forced = pk.json("book", "1", "tue 2:30pm", "--force")
    assert forced["request"]["forced"] is True
    booked = forced["request"]["history"][-1]
    assert booked["type"] == "booked" and booked["forced"] is True
    assert booked["clashes"] == [
        {
            "meeting": "Team meeting",
            "start": "2026-11-24T13:00:00+00:00",
            "end": "2026-11-24T14:00:00+00:00",
        }
    ]


def test_book_at_a_moved_meetings_old_time_is_free(pk, four_sources):
    """Tuesday's meeting moved from 10:00 to 14:00: 10:00 books without a clash."""
    pk("later", "Budget questions", "--for", "Lee", "--need", "30m")
    booked = pk.json("book", "1", "tue 10am")
    assert booked["request"]["forced"] is False


def test_book_refuses_a_time_in_an_all_day_event(pk, four_sources):
    pk("later", "Budget questions", "--for", "Lee", "--need", "30m")
    refused = pk("book", "1", "thu 11am", code=4)
    assert "“Offsite” (Thu 26 Nov 09:00–17:00)" in refused.stderr


def test_moving_a_help_slot_promise_into_a_meeting_is_refused(pk, four_sources):
    pk("later", "Budget questions", "--for", "Lee", "--need", "45m")
    promise = pk.json("book", "1", "tue 9am")["promise"]
    # The slot would be Wed 15:15–16:00, in the New York meeting (15:00–16:00 in Berlin).
    refused = pk("move", str(promise["id"]), "wed 4pm", "--reason", "customer call", code=4)
    assert "“US sync” (Wed 25 Nov 15:00–16:00)" in refused.stderr
    assert pk.json("show", str(promise["id"]))["due"] == "2026-11-24T08:45:00+00:00"
    pk("move", str(promise["id"]), "wed 5pm", "--reason", "customer call")  # 16:15–17:00 is free


# --- failures -----------------------------------------------------------------------------------


@pytest.mark.parametrize("failure", ["down", "garbage", "password"])
def test_a_failing_source_is_one_warning_line_and_the_others_still_count(
    pk, isolated, ics_server, radicale_auth, failure
):
    (isolated / "kim.ics").write_text(ONE_TO_ONE)
    bad = {
        "down": f"http://127.0.0.1:{free_port()}/calendar.ics",
        "garbage": ics_server.serve("garbage.ics", "<html>Sign in to continue</html>"),
        "password": radicale_auth.make_calendar("work"),
    }[failure]
    configure(isolated, bad, str(isolated / "kim.ics"))
    result = pk("later", "Budget questions", "--for", "Lee", "--need", "45m", "--message-only")
    warnings = result.stderr.strip().splitlines()
    assert len(warnings) == 1 and warnings[0].startswith("pk: warning: calendar http://127.0.0.1:")
    assert "secret" not in result.stderr
    # The message is the one pk drafts without calendars; the kept source still counts: the
    # 09:00 offer ends before Kim's 1:1 at 11:00 Berlin, and no offer is in it.
    assert result.stdout.startswith("Hi Lee,\n") and "calendar" not in result.stdout
    offers = pk.json("slots")["pending"][0]["proposed"]
    kim = (utc("2026-11-23T10:00:00+00:00"), utc("2026-11-23T10:30:00+00:00"))
    assert not any(overlaps((utc(o["start"]), utc(o["end"])), kim) for o in offers)


def test_no_sources_reads_nothing_and_offers_as_before(pk, isolated, cache_in_tmp):
    configure(isolated)
    result = pk("later", "Budget questions", "--for", "Lee", "--need", "45m")
    assert "warning" not in result.stderr
    assert not list(cache_in_tmp.rglob("busy-*"))  # no calendar copy (the parsed config is)


def test_later_refresh_reads_a_cached_source_again(pk, isolated, ics_server):
    url = ics_server.serve("work.ics", ONE_TO_ONE)
    configure(isolated, url)
    pk("later", "One", "--for", "Lee")
    pk("later", "Two", "--for", "Lee")
    assert len(ics_server.hits) == 1  # the second used the copy younger than 15 minutes
    pk("later", "Three", "--for", "Lee", "--refresh")
    assert len(ics_server.hits) == 2


# --- pk calendar check --------------------------------------------------------------------------


def test_calendar_check_says_what_each_source_holds(pk, four_sources):
    out = pk("calendar", "check").stdout
    lines = out.strip().splitlines()
    assert len(lines) == 4 and all(line.startswith("ok ") for line in lines)
    # Tuesday's meeting moved (still one), Wednesday's cancelled (none).
    assert lines[0].endswith("caldav, 1 event this week")
    assert lines[1].endswith("ics-url, 1 event this week")  # the transparent one does not count
    assert lines[2].endswith("file, 1 event this week")
    assert lines[3].endswith("vdir, 1 event this week")


def test_calendar_check_fails_when_a_source_fails_and_says_why(pk, isolated, radicale_auth):
    (isolated / "kim.ics").write_text(ONE_TO_ONE)
    url = radicale_auth.make_calendar("work")
    configure(isolated, str(isolated / "kim.ics"), url, calendar='username = "me"\n')
    result = pk("calendar", "check", code=1)
    ok, failed = result.stdout.strip().splitlines()
    assert ok.startswith("ok ") and failed.startswith("failed  http://127.0.0.1:")
    assert "401" in failed or "password" in failed
    assert result.stderr.strip() == "pk: 1 of 2 busy sources could not be read"
    data = json.loads(pk("calendar", "check", "--json", code=1).stdout)
    assert data["ok"] is False
    assert [s["ok"] for s in data["sources"]] == [True, False]
    assert set(data["sources"][0]) == {
        "source", "ok", "kind", "events_this_week", "error", "fetched_at", "from_cache",
    }  # fmt: skip
    # With the password it answers, and every source is fine.
    good = pk("calendar", "check", env={"PK_CALENDAR_PASSWORD": "secret"})
    assert "secret" not in good.stdout + good.stderr
    assert good.stdout.count("ok ") == 2


def test_calendar_check_with_no_sources_says_how_to_add_them(pk, isolated):
    configure(isolated)
    result = pk("calendar", "check")
    assert result.stdout == "No busy sources configured.\n"
    assert "[calendar] busy" in result.stderr
    assert json.loads(pk("calendar", "check", "--json").stdout) == {"ok": True, "sources": []}


# --- export -------------------------------------------------------------------------------------


def seed(pk) -> None:
    pk("add", "Send Q3 numbers", "--to", "Dana", "--due", "fri 3pm", "--tag", "payroll")
    pk("add", "Updated floor plan", "--from", "Sam", "--due", "tomorrow")
    pk("add", "Time cards", "--to", "Payroll", "--due", "fri 12:00", "--every", "week on fri")
    pk("done", "3")  # schedules the next occurrence, #4
    pk("later", "Budget questions", "--for", "Lee", "--need", "30m")
    pk("book", "1", "tue 9am")  # promise #5


def test_export_ics_is_read_back_by_icalendar_and_vobject(pk, tmp_path):
    seed(pk)
    target = tmp_path / "promises.ics"
    pk("export", "--format", "ics", "-o", str(target))
    raw = target.read_bytes()
    assert raw == pk("export", "--format", "ics").stdout_bytes  # stable bytes
    calendar = icalendar.Calendar.from_ical(raw)
    promises = {p["id"]: p for p in json.loads(pk("export").stdout)["promises"]}
    todos = {str(t["UID"]): t for t in calendar.walk("VTODO")}
    assert set(todos) == {p["uuid"] for p in promises.values()}  # the bare uuid is the UID
    waiting = todos[promises[2]["uuid"]]
    assert "waiting-on" in [str(c) for c in waiting["CATEGORIES"].cats]
    (event,) = calendar.walk("VEVENT")
    assert str(event["STATUS"]) == "CONFIRMED"
    assert str(event["RELATED-TO"]) == promises[5]["uuid"]
    parsed = vobject.readOne(raw.decode("utf-8"))
    assert sorted(t.uid.value for t in parsed.vtodo_list) == sorted(todos)
    assert parsed.vevent.dtstart.value == datetime(2026, 11, 24, 8, 0, tzinfo=UTC)


def test_a_repeating_promises_next_occurrence_has_a_uid_from_its_series(pk):
    seed(pk)
    following = pk.json("show", "4")
    series = following["series"]
    expected = occurrence_uid(series["id"], datetime.fromisoformat(series["scheduled"]))
    assert following["uuid"] == expected
    todo = next(
        t
        for t in icalendar.Calendar.from_ical(pk("export", "-f", "ics").stdout_bytes).walk("VTODO")
        if str(t["X-PK-ID"]) == "4"
    )
    assert str(todo["UID"]) == expected


def test_export_vdir_is_read_back_item_by_item(pk, tmp_path):
    seed(pk)
    folder = tmp_path / "pk-vdir"
    (folder).mkdir()
    (folder / "someone-elses.ics").write_text(ONE_TO_ONE)
    result = pk("export", "--format", "vdir", str(folder))
    assert "6 written, 0 unchanged, 0 removed; 1 other file(s) left alone" in result.stderr
    items = sorted(folder.glob("*.ics"))
    uids = set()
    for path in items:
        if path.name == "someone-elses.ics":
            continue
        calendar = icalendar.Calendar.from_ical(path.read_bytes())
        (component,) = [c for c in calendar.subcomponents if c.name in ("VTODO", "VEVENT")]
        assert path.name == f"{component['UID']}.ics"
        vobject.readOne(path.read_text())  # a second parser reads each item too
        uids.add(str(component["UID"]))
    export = json.loads(pk("export").stdout)
    assert {p["uuid"] for p in export["promises"]} < uids and len(uids) == 6
    again = pk("export", "--format", "vdir", str(folder))
    assert "0 written, 6 unchanged, 0 removed" in again.stderr
    pk("add", "Short-lived", "--to", "Jo", "--due", "fri")
    pk("export", "--format", "vdir", str(folder))
    pk("undo")
    gone = pk("export", "--format", "vdir", str(folder))
    assert "0 written, 6 unchanged, 1 removed" in gone.stderr
    assert (folder / "someone-elses.ics").exists()


def test_export_vdir_needs_a_folder_and_a_folder_needs_vdir(pk):
    assert "pk export --format vdir DIR" in pk("export", "--format", "vdir", code=2).stderr
    assert "--format vdir" in pk("export", "--format", "ics", "somewhere", code=2).stderr


# --- what each command imports ------------------------------------------------------------------

CALENDAR_LIBS = ("icalendar", "recurring_ical_events", "x_wr_timezone", "caldav")


def modules_after(tmp: Path, *args: str) -> set[str]:
    """Run `pk ARGS` in a fresh interpreter; the modules loaded when it exits."""
    report = tmp / "modules.json"
    # main(), not the console script's run(): that leaves through os._exit, past any atexit.
    code = (
        "import json, sys\n"
        "from promisekeeper.__main__ import main\n"
        "try:\n"
        f"    main({list(args)!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        f"open({str(report)!r}, 'w').write(json.dumps(sorted(sys.modules)))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return set(json.loads(report.read_text()))


@pytest.mark.parametrize(
    "args",
    [
        ("list",),
        ("add", "Budget", "--to", "Dana", "--due", "fri"),
        ("prompt",),
        ("done", "1"),  # a repeating promise: the next occurrence gets its derived UID
    ],
)
def test_everyday_commands_never_import_the_calendar_libraries(pk, isolated, args):
    configure(isolated, str(isolated / "work.ics"))  # configured, but these never read it
    (isolated / "work.ics").write_text(ONE_TO_ONE)
    pk("add", "Time cards", "--to", "Payroll", "--due", "fri 12:00", "--every", "week on fri")
    loaded = modules_after(isolated, *args)
    assert "promisekeeper" in loaded
    assert not [m for m in loaded if m.split(".")[0] in CALENDAR_LIBS]
    assert "promisekeeper.calendar.sources" not in loaded


def test_later_without_sources_never_imports_calendar_code(pk, isolated):
    configure(isolated)
    loaded = modules_after(isolated, "later", "Budget", "--for", "Dana")
    assert "promisekeeper.core.helplater" in loaded  # it did run
    assert "promisekeeper.calendar.sources" not in loaded
    assert not [m for m in loaded if m.split(".")[0] in CALENDAR_LIBS]


def test_a_warm_read_imports_no_network_module(pk, isolated, ics_server):
    """`pk later` from a warm cache pays for no HTTP or TLS code (the benchmark's
    1.5x budget): those are imported only when a source is fetched."""
    configure(isolated, ics_server.serve("work.ics", ONE_TO_ONE))
    pk("later", "Warm the cache", "--for", "Lee")
    loaded = modules_after(isolated, "later", "Budget", "--for", "Dana")
    assert "promisekeeper.calendar.sources" in loaded  # it did read the cache
    assert len(ics_server.hits) == 1
    # (subprocess is not in the list: typer imports it for every command.)
    assert not {"urllib.request", "ssl", "http.client", "icalendar"} & loaded


def test_a_meeting_over_midnight_shows_on_both_days_cut_to_each(pk, isolated):
    overnight = ONE_TO_ONE.replace("SUMMARY:1:1 with Kim", "SUMMARY:Release night").replace(
        "DTSTART;TZID=Europe/Berlin:20261123T110000\r\nDTEND;TZID=Europe/Berlin:20261123T113000",
        "DTSTART;TZID=Europe/Berlin:20261123T220000\r\nDTEND;TZID=Europe/Berlin:20261124T020000",
    )
    (isolated / "release.ics").write_text(overnight)
    configure(isolated, str(isolated / "release.ics"))
    assert busy_rows(pk.json("slots")) == [
        ("2026-11-23", "Release night", "2026-11-23T21:00:00+00:00", "2026-11-23T23:00:00+00:00"),
        ("2026-11-24", "Release night", "2026-11-23T23:00:00+00:00", "2026-11-24T01:00:00+00:00"),
    ]
    out = pk("slots").stdout
    assert "22:00–24:00" in out.split("Tue 24 Nov")[0]
    assert "00:00–02:00" in out.split("Tue 24 Nov")[1]
