"""Busy time from iCalendar data (calendar/busy.py): recurrence, time zones, what blocks and what
does not, and bad data. Pure functions: no files, no network, no clock."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from types import MappingProxyType
from zoneinfo import ZoneInfo

import pytest

from promisekeeper.calendar.busy import Busy, SourceError, busy_from_ics
from promisekeeper.config import WorkTime

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
WORK = WorkTime()
START = datetime(2026, 11, 1, tzinfo=BERLIN)
END = datetime(2026, 12, 31, tzinfo=BERLIN)

VTIMEZONE_BERLIN = """BEGIN:VTIMEZONE
TZID:Europe/Berlin
BEGIN:DAYLIGHT
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
DTSTART:19700329T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
DTSTART:19701025T030000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
END:STANDARD
END:VTIMEZONE
"""


def calendar(*events: str, head: str = "") -> str:
    body = "".join(events)
    return f"BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//test//EN\n{head}{body}END:VCALENDAR\n"


def event(uid: str, summary: str, *lines: str) -> str:
    extra = "".join(line + "\n" for line in lines)
    return (
        f"BEGIN:VEVENT\nUID:{uid}\nDTSTAMP:20261101T000000Z\nSUMMARY:{summary}\n{extra}END:VEVENT\n"
    )


def at(day: int, hour: int, minute: int = 0, month: int = 11, tz=BERLIN) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=tz).astimezone(UTC)


def spans(found: list[Busy], summary: str) -> list[tuple[datetime, datetime]]:
    return [(b.start, b.end) for b in found if b.summary == summary]


WEEKLY = calendar(
    event(
        "team@x",
        "Team meeting",
        "DTSTART;TZID=Europe/Berlin:20261102T100000",
        "DTEND;TZID=Europe/Berlin:20261102T110000",
        "RRULE:FREQ=WEEKLY;COUNT=5",
        "EXDATE;TZID=Europe/Berlin:20261116T100000",
    ),
    # The 23 Nov meeting moved to Tuesday afternoon.
    event(
        "team@x",
        "Team meeting (moved)",
        "RECURRENCE-ID;TZID=Europe/Berlin:20261123T100000",
        "DTSTART;TZID=Europe/Berlin:20261124T140000",
        "DTEND;TZID=Europe/Berlin:20261124T150000",
    ),
    head=VTIMEZONE_BERLIN,
)


def test_weekly_meeting_skips_the_exdate_and_follows_the_moved_occurrence() -> None:
    found = busy_from_ics(WEEKLY, START, END, WORK, BERLIN, "work.ics")
    assert spans(found, "Team meeting") == [
        (at(2, 10), at(2, 11)),
        (at(9, 10), at(9, 11)),
        (at(30, 10), at(30, 11)),
    ]
    assert spans(found, "Team meeting (moved)") == [(at(24, 14), at(24, 15))]
    assert all(b.source == "work.ics" and not b.all_day for b in found)
    assert all(b.start.tzinfo is UTC for b in found)


def test_only_intervals_overlapping_the_window_are_returned_in_order() -> None:
    found = busy_from_ics(WEEKLY, at(9, 10, 30), at(25, 0), WORK, BERLIN, "w")
    assert [(b.start, b.summary) for b in found] == [
        (at(9, 10), "Team meeting"),  # overlaps the window's start
        (at(24, 14), "Team meeting (moved)"),
    ]


def test_vtimezone_of_the_file_is_used_even_under_a_private_name() -> None:
    # Outlook names zones its own way; the VTIMEZONE says what the name means (+03:00 here).
    zone = (
        "BEGIN:VTIMEZONE\nTZID:Office Time\nBEGIN:STANDARD\nDTSTART:19700101T000000\n"
        "TZOFFSETFROM:+0300\nTZOFFSETTO:+0300\nEND:STANDARD\nEND:VTIMEZONE\n"
    )
    data = calendar(
        event(
            "o@x",
            "Standup",
            "DTSTART;TZID=Office Time:20261124T090000",
            "DTEND;TZID=Office Time:20261124T093000",
        ),
        head=zone,
    )
    found = busy_from_ics(data, START, END, WORK, BERLIN, "o")
    assert spans(found, "Standup") == [
        (datetime(2026, 11, 24, 6, 0, tzinfo=UTC), datetime(2026, 11, 24, 6, 30, tzinfo=UTC))
    ]


def test_floating_times_are_the_users_zone() -> None:
    data = calendar(event("f@x", "Dentist", "DTSTART:20261125T150000", "DTEND:20261125T160000"))
    found = busy_from_ics(data, START, END, WORK, BERLIN, "f")
    assert spans(found, "Dentist") == [(at(25, 15), at(25, 16))]
    in_new_york = busy_from_ics(data, START, END, WORK, NEW_YORK, "f")
    assert spans(in_new_york, "Dentist") == [(at(25, 15, tz=NEW_YORK), at(25, 16, tz=NEW_YORK))]


def test_duration_instead_of_dtend_and_point_events() -> None:
    data = calendar(
        event("d@x", "Review", "DTSTART:20261125T100000Z", "DURATION:PT45M"),
        event("p@x", "Reminder", "DTSTART:20261125T120000Z"),  # no end: a moment, not a block
    )
    found = busy_from_ics(data, START, END, WORK, BERLIN, "d")
    assert spans(found, "Review") == [
        (datetime(2026, 11, 25, 10, tzinfo=UTC), datetime(2026, 11, 25, 10, 45, tzinfo=UTC))
    ]
    assert spans(found, "Reminder") == []


def test_transparent_and_cancelled_do_not_block_tentative_does() -> None:
    times = ("DTSTART:20261125T100000Z", "DTEND:20261125T110000Z")
    data = calendar(
        event("t@x", "Focus (free)", *times, "TRANSP:TRANSPARENT"),
        event("c@x", "Cancelled sync", *times, "STATUS:CANCELLED"),
        event("n@x", "Maybe lunch talk", *times, "STATUS:TENTATIVE"),
        event("o@x", "Opaque", *times, "TRANSP:OPAQUE", "STATUS:CONFIRMED"),
    )
    found = busy_from_ics(data, START, END, WORK, BERLIN, "s")
    assert sorted(b.summary for b in found) == ["Maybe lunch talk", "Opaque"]


def test_a_cancelled_occurrence_of_a_series_frees_that_time_only() -> None:
    data = calendar(
        event(
            "s@x",
            "1:1",
            "DTSTART;TZID=Europe/Berlin:20261124T130000",
            "DTEND;TZID=Europe/Berlin:20261124T133000",
            "RRULE:FREQ=WEEKLY;COUNT=3",
        ),
        event(
            "s@x",
            "1:1",
            "RECURRENCE-ID;TZID=Europe/Berlin:20261201T130000",
            "DTSTART;TZID=Europe/Berlin:20261201T130000",
            "DTEND;TZID=Europe/Berlin:20261201T133000",
            "STATUS:CANCELLED",
        ),
    )
    found = busy_from_ics(data, START, END, WORK, BERLIN, "s")
    assert [b.start for b in found] == [at(24, 13), at(8, 13, month=12)]


def test_all_day_event_blocks_the_working_day_of_each_day_it_covers() -> None:
    work = WorkTime(
        hours=MappingProxyType({d: (time(8, 30), time(16, 0)) for d in range(5)}),
        days_off=frozenset({date(2026, 11, 27)}),
    )
    # Thu 26 to Sun 29 Nov (DTEND is exclusive): Thu is a working day, Fri a day off, then
    # the weekend: days off are blocked whole so a hand-booked slot there still names the trip.
    data = calendar(
        event("a@x", "Conference", "DTSTART;VALUE=DATE:20261126", "DTEND;VALUE=DATE:20261130")
    )
    found = busy_from_ics(data, START, END, work, BERLIN, "a")
    assert spans(found, "Conference") == [
        (at(26, 8, 30), at(26, 16)),
        (at(27, 0), at(28, 0)),
        (at(28, 0), at(29, 0)),
        (at(29, 0), at(30, 0)),
    ]
    assert all(b.all_day for b in found)


def test_all_day_event_without_dtend_is_one_day() -> None:
    data = calendar(event("a@x", "Leave", "DTSTART;VALUE=DATE:20261125"))
    found = busy_from_ics(data, START, END, WORK, BERLIN, "a")
    assert spans(found, "Leave") == [(at(25, 9), at(25, 17))]


def test_new_york_weekly_meeting_keeps_its_local_time_across_the_dst_change() -> None:
    # US clocks go back on Sun 1 Nov 2026: 09:00 New York is 13:00 UTC before, 14:00 UTC after.
    data = calendar(
        event(
            "ny@x",
            "NY sync",
            "DTSTART;TZID=America/New_York:20261023T090000",
            "DTEND;TZID=America/New_York:20261023T093000",
            "RRULE:FREQ=WEEKLY;COUNT=3",
        )
    )
    start = datetime(2026, 10, 20, tzinfo=UTC)
    found = busy_from_ics(data, start, END, WORK, BERLIN, "ny")
    assert [b.start for b in found] == [
        datetime(2026, 10, 23, 13, 0, tzinfo=UTC),
        datetime(2026, 10, 30, 13, 0, tzinfo=UTC),
        datetime(2026, 11, 6, 14, 0, tzinfo=UTC),
    ]


def test_google_x_wr_timezone_moves_utc_series_with_the_calendars_zone() -> None:
    # Google writes DTSTART in UTC and the meaning ("09:00 in New York") in X-WR-TIMEZONE; read
    # naively, the series would stay at 13:00 UTC after the DST change.
    data = calendar(
        event(
            "g@x",
            "Google weekly",
            "DTSTART:20261023T130000Z",
            "DTEND:20261023T140000Z",
            "RRULE:FREQ=WEEKLY;COUNT=3",
        ),
        head="X-WR-TIMEZONE:America/New_York\n",
    )
    start = datetime(2026, 10, 20, tzinfo=UTC)
    found = busy_from_ics(data, start, END, WORK, BERLIN, "g")
    assert [b.start for b in found][-1] == datetime(2026, 11, 6, 14, 0, tzinfo=UTC)


def test_todos_are_not_busy_time_and_summaries_stay_text() -> None:
    data = calendar(
        "BEGIN:VTODO\nUID:t@x\nDTSTAMP:20261101T000000Z\nSUMMARY:Write report\n"
        "DTSTART:20261125T100000Z\nDUE:20261125T110000Z\nEND:VTODO\n",
        event(
            "m@x",
            "[bold]Budget[/bold] <b>review</b>",
            "DTSTART:20261125T100000Z",
            "DTEND:20261125T110000Z",
        ),
    )
    found = busy_from_ics(data.encode(), START, END, WORK, BERLIN, "m")
    assert [b.summary for b in found] == ["[bold]Budget[/bold] <b>review</b>"]


def test_an_empty_calendar_is_no_busy_time() -> None:
    assert busy_from_ics(calendar(), START, END, WORK, BERLIN, "e") == []


@pytest.mark.parametrize(
    "data",
    [
        "",
        "garbage\nmore garbage",
        "<html><body>Sign in</body></html>",
        b"\x00\xff\xfe binary",
        "BEGIN:VCALENDAR\nBEGIN:VEVENT\nthis line has no colon\nEND:VEVENT\nEND:VCALENDAR\n",
        calendar(event("x@x", "Bad", "DTSTART:not-a-date", "DTEND:20261125T110000Z")),
    ],
    ids=["empty", "garbage", "html", "binary", "bad-line", "bad-date"],
)
def test_data_that_is_not_icalendar_raises_source_error(data: str | bytes) -> None:
    with pytest.raises(SourceError) as caught:
        busy_from_ics(data, START, END, WORK, BERLIN, "bad")
    assert "\n" not in str(caught.value)


def test_busy_is_frozen() -> None:
    one = Busy(at(25, 10), at(25, 11), "x", "s")
    with pytest.raises(AttributeError):
        one.summary = "y"  # type: ignore[misc]
    assert one.all_day is False and one.end - one.start == timedelta(hours=1)
