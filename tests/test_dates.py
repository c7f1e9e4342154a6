"""dates/: the deadline grammar, DST behaviour, refusals and the humanized output.

Every test passes a fixed, aware `now`; nothing reads the clock.
"""

from __future__ import annotations

import ast
import inspect
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import hypothesis
import pytest
from hypothesis import given
from hypothesis import strategies as st

from promisekeeper import config, dates
from promisekeeper.config import settings_from_dict
from promisekeeper.dates import (
    describe_due,
    format_local,
    from_iso,
    parse_deadline,
    parse_duration,
    parse_since,
    parse_when,
    relative,
    to_utc_iso,
)
from promisekeeper.errors import BadInput

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
SETTINGS = settings_from_dict({"timezone": "Europe/Berlin"})
NY_SETTINGS = settings_from_dict({"timezone": "America/New_York"})
# Monday 23 November 2026, 10:00 in Berlin: the reference point of the main table.
MONDAY = datetime(2026, 11, 23, 10, 0, tzinfo=BERLIN)
FRIDAY = datetime(2026, 11, 27, 10, 0, tzinfo=BERLIN)
SATURDAY = datetime(2026, 11, 28, 10, 0, tzinfo=BERLIN)
SUNDAY = datetime(2026, 11, 29, 10, 0, tzinfo=BERLIN)
MONTH_END = datetime(2026, 11, 30, 10, 0, tzinfo=BERLIN)
YEAR_END = datetime(2026, 12, 31, 10, 0, tzinfo=BERLIN)


def local(text: str, tz: ZoneInfo = BERLIN) -> datetime:
    """'2026-11-24 17:00' as a wall-clock time in tz (first occurrence when repeated)."""
    return datetime.fromisoformat(text).replace(tzinfo=tz)


def assert_local(result: datetime, expected: str, tz: ZoneInfo = BERLIN) -> None:
    """Same instant and same wall clock, expressed in the settings' zone."""
    assert result.tzinfo == tz
    assert result.replace(tzinfo=None) == datetime.fromisoformat(expected)
    assert result.astimezone(UTC) == local(expected, tz).astimezone(UTC)


# --- the grammar -------------------------------------------------------------------------------

DEADLINES_FROM_MONDAY = [
    # a date alone means the end of the working day, never midnight
    ("today", "2026-11-23 17:00"),
    ("tomorrow", "2026-11-24 17:00"),
    ("TOMORROW", "2026-11-24 17:00"),
    ("eod", "2026-11-23 17:00"),
    ("eow", "2026-11-27 17:00"),
    # weekdays: strictly after today
    ("fri", "2026-11-27 17:00"),
    ("friday", "2026-11-27 17:00"),
    ("Friday", "2026-11-27 17:00"),
    ("thu", "2026-11-26 17:00"),
    ("thur", "2026-11-26 17:00"),
    ("thurs", "2026-11-26 17:00"),
    ("thursday", "2026-11-26 17:00"),
    ("tue", "2026-11-24 17:00"),
    ("tues", "2026-11-24 17:00"),
    ("wed", "2026-11-25 17:00"),
    ("sat", "2026-11-28 17:00"),
    ("sun", "2026-11-29 17:00"),
    ("mon", "2026-11-30 17:00"),
    ("monday", "2026-11-30 17:00"),
    # next <weekday>: in the ISO week after this one
    ("next fri", "2026-12-04 17:00"),
    ("next  friday", "2026-12-04 17:00"),
    ("next mon", "2026-11-30 17:00"),
    ("next sun", "2026-12-06 17:00"),
    ("next week", "2026-11-30 17:00"),
    ("next week 10am", "2026-11-30 10:00"),
    # day + time, with or without "at"
    ("tomorrow 3pm", "2026-11-24 15:00"),
    ("  tomorrow   3pm  ", "2026-11-24 15:00"),
    ("tomorrow 3 pm", "2026-11-24 15:00"),
    ("tomorrow at 3pm", "2026-11-24 15:00"),
    ("Tomorrow 9AM", "2026-11-24 09:00"),
    ("tomorrow 3:30pm", "2026-11-24 15:30"),
    ("tomorrow noon", "2026-11-24 12:00"),
    ("tomorrow 12pm", "2026-11-24 12:00"),
    ("tomorrow 12am", "2026-11-24 00:00"),
    ("tomorrow 12:30am", "2026-11-24 00:30"),
    ("tomorrow 0:30", "2026-11-24 00:30"),
    ("fri 3pm", "2026-11-27 15:00"),
    ("fri at 3pm", "2026-11-27 15:00"),
    ("friday 15:00", "2026-11-27 15:00"),
    ("next fri 10:00", "2026-12-04 10:00"),
    ("today 16:00", "2026-11-23 16:00"),
    ("today at 4pm", "2026-11-23 16:00"),
    # a time alone is today
    ("3pm", "2026-11-23 15:00"),
    ("3:30pm", "2026-11-23 15:30"),
    ("15:30", "2026-11-23 15:30"),
    ("noon", "2026-11-23 12:00"),
    ("at 11am", "2026-11-23 11:00"),
    ("23:59", "2026-11-23 23:59"),
    # offsets: days and weeks keep the time of day, hours and minutes are elapsed
    ("in 3 days", "2026-11-26 10:00"),
    ("in 1 day", "2026-11-24 10:00"),
    ("in 2d", "2026-11-25 10:00"),
    ("in 1w", "2026-11-30 10:00"),
    ("in 2 weeks", "2026-12-07 10:00"),
    ("in 8 days", "2026-12-01 10:00"),
    ("in 2h", "2026-11-23 12:00"),
    ("in 90m", "2026-11-23 11:30"),
    ("in 1h30m", "2026-11-23 11:30"),
    ("in 1h 30m", "2026-11-23 11:30"),
    ("in 2 hours", "2026-11-23 12:00"),
    ("in 1 hour", "2026-11-23 11:00"),
    ("in 45 minutes", "2026-11-23 10:45"),
    ("in 10 mins", "2026-11-23 10:10"),
    ("in 1d 2h", "2026-11-24 12:00"),
    ("in 0m", "2026-11-23 10:00"),
    # month and day, either order, optional ordinal and year
    ("dec 3 14:00", "2026-12-03 14:00"),
    ("3 dec 14:00", "2026-12-03 14:00"),
    ("december 3", "2026-12-03 17:00"),
    ("dec 3", "2026-12-03 17:00"),
    ("Dec 3rd", "2026-12-03 17:00"),
    ("3rd december at 9am", "2026-12-03 09:00"),
    ("dec 3, 2027", "2027-12-03 17:00"),
    ("3 dec 2027 8:15", "2027-12-03 08:15"),
    ("nov 23", "2026-11-23 17:00"),  # today is still to come
    ("jan 5", "2027-01-05 17:00"),
    ("may 23", "2027-05-23 17:00"),  # six months ahead is still the nearest
    # ISO: a date alone is the end of the day there; an explicit offset is honoured
    ("2026-12-03", "2026-12-03 17:00"),
    ("2026-12-05", "2026-12-05 17:00"),  # a Saturday: the usual end of day
    ("2026-12-03T14:00", "2026-12-03 14:00"),
    ("2026-12-03t14:00", "2026-12-03 14:00"),
    ("2026-12-03 14:00", "2026-12-03 14:00"),
    ("2026-12-03 14:00:30", "2026-12-03 14:00:30"),
    ("2026-12-03T14:00:00+01:00", "2026-12-03 14:00"),
    ("2026-12-03T14:00:00+00:00", "2026-12-03 15:00"),
    ("2026-12-03T14:00:00Z", "2026-12-03 15:00"),
    ("2026-12-03T08:00-0500", "2026-12-03 14:00"),
    ("2026-12-03 3pm", "2026-12-03 15:00"),
    ("2026-12-03 at 9:00", "2026-12-03 09:00"),
]


@pytest.mark.parametrize(("phrase", "expected"), DEADLINES_FROM_MONDAY)
def test_deadline_from_monday(phrase: str, expected: str) -> None:
    assert_local(parse_deadline(phrase, MONDAY, SETTINGS), expected)


@pytest.mark.parametrize(
    ("now", "phrase", "expected"),
    [
        # Friday: "fri" is never today
        (FRIDAY, "fri", "2026-12-04 17:00"),
        (FRIDAY, "next fri", "2026-12-04 17:00"),
        (FRIDAY, "eow", "2026-11-27 17:00"),
        (FRIDAY, "today", "2026-11-27 17:00"),
        (FRIDAY, "mon", "2026-11-30 17:00"),
        (FRIDAY, "thu", "2026-12-03 17:00"),
        # the weekend: this week's work is over, so eow is the coming Friday
        (SATURDAY, "eow", "2026-12-04 17:00"),
        (SUNDAY, "eow", "2026-12-04 17:00"),
        (SUNDAY, "fri", "2026-12-04 17:00"),
        (SUNDAY, "next fri", "2026-12-04 17:00"),
        (SUNDAY, "next mon", "2026-11-30 17:00"),
        (SUNDAY, "mon", "2026-11-30 17:00"),
        # mid-week
        (datetime(2026, 11, 25, 10, 0, tzinfo=BERLIN), "eow", "2026-11-27 17:00"),
        (datetime(2026, 11, 25, 10, 0, tzinfo=BERLIN), "next fri", "2026-12-04 17:00"),
        # month rollover
        (MONTH_END, "tomorrow", "2026-12-01 17:00"),
        (MONTH_END, "in 3 days", "2026-12-03 10:00"),
        (MONTH_END, "wed", "2026-12-02 17:00"),
        # year rollover
        (YEAR_END, "tomorrow", "2027-01-01 17:00"),
        (YEAR_END, "fri", "2027-01-01 17:00"),
        (YEAR_END, "next mon", "2027-01-04 17:00"),
        (YEAR_END, "jan 5", "2027-01-05 17:00"),
        (YEAR_END, "dec 31", "2026-12-31 17:00"),
        (YEAR_END, "in 1w", "2027-01-07 10:00"),
        # leap day: Feb 29 without a year is the nearest one, when it is near
        (datetime(2027, 12, 1, 10, 0, tzinfo=BERLIN), "feb 29", "2028-02-29 17:00"),
        # now given in another zone is read in the settings' zone
        (datetime(2026, 11, 23, 23, 30, tzinfo=UTC), "tomorrow", "2026-11-25 17:00"),
    ],
)
def test_deadline_edges(now: datetime, phrase: str, expected: str) -> None:
    assert_local(parse_deadline(phrase, now, SETTINGS), expected)


@pytest.mark.parametrize(
    ("work", "phrase", "expected"),
    [
        ({"hours": {"fri": "09:00-15:00"}}, "fri", "2026-11-27 15:00"),
        ({"hours": {"fri": "09:00-15:00"}}, "eow", "2026-11-27 15:00"),
        ({"hours": {"fri": "09:00-15:00"}}, "eod", "2026-11-23 17:00"),
        ({"hours": {"fri": "09:00-15:00"}}, "fri 16:00", "2026-11-27 16:00"),
        ({"end": "18:30"}, "tomorrow", "2026-11-24 18:30"),
        ({"end": "18:30"}, "sat", "2026-11-28 18:30"),  # not a workday: the usual end
        ({"days": ["mon", "tue", "wed", "thu"]}, "eow", "2026-11-26 17:00"),
        ({"days_off": ["2026-11-27"]}, "eow", "2026-11-26 17:00"),
        ({"days_off": ["2026-11-27"]}, "fri", "2026-11-27 17:00"),
    ],
)
def test_end_of_day_comes_from_config(work: dict, phrase: str, expected: str) -> None:
    settings = settings_from_dict({"timezone": "Europe/Berlin", "work": work})
    assert_local(parse_deadline(phrase, MONDAY, settings), expected)


# --- daylight saving ---------------------------------------------------------------------------

DST_CASES = [
    # Berlin springs forward on Sun 2026-03-29 (02:00 -> 03:00)
    ("Europe/Berlin", "2026-03-28 10:00", "tomorrow 9am", "2026-03-29 09:00", 2),
    ("Europe/Berlin", "2026-03-28 10:00", "in 1 day", "2026-03-29 10:00", 2),
    ("Europe/Berlin", "2026-03-28 10:00", "in 24h", "2026-03-29 11:00", 2),
    ("Europe/Berlin", "2026-03-29 01:30", "in 2h", "2026-03-29 04:30", 2),
    ("Europe/Berlin", "2026-03-28 10:00", "tomorrow 3:30am", "2026-03-29 03:30", 2),
    # Berlin falls back on Sun 2026-10-25 (03:00 -> 02:00)
    ("Europe/Berlin", "2026-10-24 10:00", "tomorrow 9am", "2026-10-25 09:00", 1),
    ("Europe/Berlin", "2026-10-24 10:00", "in 1 day", "2026-10-25 10:00", 1),
    ("Europe/Berlin", "2026-10-24 10:00", "in 24h", "2026-10-25 09:00", 1),
    ("Europe/Berlin", "2026-10-24 10:00", "tomorrow 2:30am", "2026-10-25 02:30", 2),  # fold=0
    ("Europe/Berlin", "2026-10-24 10:00", "2026-10-25 02:30", "2026-10-25 02:30", 2),
    # New York springs forward on Sun 2026-03-08 (02:00 -> 03:00)
    ("America/New_York", "2026-03-07 10:00", "tomorrow 9am", "2026-03-08 09:00", -4),
    ("America/New_York", "2026-03-07 10:00", "in 1 day", "2026-03-08 10:00", -4),
    ("America/New_York", "2026-03-08 01:30", "in 2h", "2026-03-08 04:30", -4),
    # New York falls back on Sun 2026-11-01 (02:00 -> 01:00)
    ("America/New_York", "2026-10-31 10:00", "tomorrow 9am", "2026-11-01 09:00", -5),
    ("America/New_York", "2026-10-31 10:00", "in 1 day", "2026-11-01 10:00", -5),
    ("America/New_York", "2026-10-31 10:00", "tomorrow 1:30am", "2026-11-01 01:30", -4),
]


@pytest.mark.parametrize(("zone", "now", "phrase", "expected", "offset_hours"), DST_CASES)
def test_dst_wall_clock_and_elapsed(
    zone: str, now: str, phrase: str, expected: str, offset_hours: int
) -> None:
    tz = ZoneInfo(zone)
    settings = settings_from_dict({"timezone": zone})
    result = parse_deadline(phrase, local(now, tz), settings)
    assert result.replace(tzinfo=None) == datetime.fromisoformat(expected)
    assert result.utcoffset() == timedelta(hours=offset_hours)


@pytest.mark.parametrize(
    ("now_utc", "phrase", "expected_utc"),
    [
        # 01:30 CEST + 2h elapsed = the second 02:30 (CET)
        ("2026-10-24T23:30:00+00:00", "in 2h", "2026-10-25T01:30:00+00:00"),
        # 00:30 EDT + 2h elapsed = the second 01:30 (EST)
        ("2026-11-01T04:30:00+00:00", "in 2h", "2026-11-01T06:30:00+00:00"),
    ],
)
def test_elapsed_hours_into_the_repeated_hour(now_utc: str, phrase: str, expected_utc: str) -> None:
    settings = SETTINGS if now_utc.startswith("2026-10") else NY_SETTINGS
    result = parse_deadline(phrase, datetime.fromisoformat(now_utc), settings)
    assert to_utc_iso(result) == expected_utc


@pytest.mark.parametrize(
    ("settings", "now", "phrase"),
    [
        (SETTINGS, "2026-03-28 10:00", "2026-03-29 02:30"),
        (SETTINGS, "2026-03-28 10:00", "2026-03-29T02:30"),
        (SETTINGS, "2026-03-28 10:00", "tomorrow 2:30am"),
        (SETTINGS, "2026-03-28 10:00", "mar 29 02:00"),
        (SETTINGS, "2026-03-28 02:30", "in 1 day"),
        (NY_SETTINGS, "2026-03-07 10:00", "2026-03-08 02:30"),
        (NY_SETTINGS, "2026-03-07 10:00", "tomorrow 2:30am"),
    ],
)
def test_time_in_dst_gap_is_refused(settings: config.Settings, now: str, phrase: str) -> None:
    with pytest.raises(BadInput, match="does not exist") as caught:
        parse_deadline(phrase, local(now, settings.tz), settings)
    assert "\n" not in str(caught.value)


# --- refusals ----------------------------------------------------------------------------------

UNREADABLE = [
    "call bob about 2 invoices",
    "call bob\nabout 2 invoices",
    "soon",
    "next",
    "this",
    "next this fri",
    "",
    "   ",
    "\n\t",
    "in",
    "in soon",
    "in 2",
    "in 2 parsecs",
    "in 2h 3h",
    "in 2 pm",
    "2 days",
    "tomorrow at",
    "eod 3pm",
    "fri fri",
    "3",
    "fri 3",
    "now",
    "dec",
    "2026-12",
    "x" * 500,
]


@pytest.mark.parametrize("phrase", UNREADABLE)
def test_unreadable_phrases_show_examples(phrase: str) -> None:
    with pytest.raises(BadInput) as caught:
        parse_deadline(phrase, MONDAY, SETTINGS)
    message = str(caught.value)
    assert "\n" not in message
    assert "tomorrow 3pm" in message
    assert len(message) < 200


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        # Issue 9: the refusal shows the ISO form of each reading of what was typed.
        ("01/02/2026", "'01/02/2026' is ambiguous: it could be 2026-01-02 or 2026-02-01; "),
        ("1/2", "'1/2' is ambiguous: it could be 2027-01-02 or 2027-02-01; write 2027-01-02 or"),
        ("1.2.2026", "it could be 2026-01-02 or 2026-02-01; write 2026-01-02 or '2 jan'"),
        ("2026/12/03", "it could be 2026-12-03 or 2026-03-12; write 2026-12-03 or '3 dec'"),
        ("1/2 3pm", "'1/2' is ambiguous: it could be 2027-01-02 or 2027-02-01"),
        ("1.2.", "it could be 2027-01-02 or 2027-02-01"),
        ("3/4", "'3/4' is ambiguous: it could be 2027-03-04 or 2027-04-03; write 2027-03-04 or '4"),
        ("12/1", "it could be 2026-12-01 or 2027-01-12"),
        ("1-2-26", "it could be 2026-01-02 or 2026-02-01"),
        # one real reading is still refused: the next numeric date may not be so lucky
        ("13/1", "'13/1' is a numeric date, which countries read differently; write 2027-01-13"),
        ("5/5", "write 2027-05-05 or '5 may'"),
        ("32/13", "'32/13' is not a real date"),
    ],
)
def test_numeric_dates_are_ambiguous(phrase: str, expected: str) -> None:
    with pytest.raises(BadInput) as caught:
        parse_deadline(phrase, MONDAY, SETTINGS)
    message = str(caught.value)
    assert "\n" not in message
    assert expected in message


@pytest.mark.parametrize(
    ("phrase", "says"),
    [
        ("feb 30", "not a real date"),
        ("30 feb", "not a real date"),
        ("feb 29 2027", "not a real date"),
        ("dec 32", "not a real date"),
        ("dec 0", "not a real date"),
        ("2026-02-30", "not a real date"),
        ("2026-13-01", "not a real date"),
        ("2026-02-30 14:00", "not a real date"),
        ("13:75", "not a time of day"),
        ("25:00", "not a time of day"),
        ("24:00", "not a time of day"),
        ("tomorrow 13pm", "not a time of day"),
        ("0am", "not a time of day"),
        ("3:60pm", "not a time of day"),
        ("2026-12-03T25:00", "no such time of day"),
        ("2026-12-03T14:00+25:00", "impossible UTC offset"),
    ],
)
def test_impossible_dates_and_times(phrase: str, says: str) -> None:
    with pytest.raises(BadInput, match=says) as caught:
        parse_deadline(phrase, MONDAY, SETTINGS)
    assert "\n" not in str(caught.value)


def test_absurd_offsets_are_refused_not_crashes() -> None:
    with pytest.raises(BadInput, match="too far away"):
        parse_deadline("in 99999999 weeks", MONDAY, SETTINGS)


# --- the past ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("phrase", "expected", "hint"),
    [
        ("9am", "2026-11-23 09:00", "try tomorrow 9am"),
        ("at 9:30", "2026-11-23 09:30", "try tomorrow 9:30"),
        ("today 8am", "2026-11-23 08:00", "try tomorrow 8am"),
        ("nov 23 9:00", "2026-11-23 09:00", None),
        ("2026-11-20", "2026-11-20 17:00", None),
        ("2026-11-23T08:00:00Z", "2026-11-23 09:00", None),
        ("nov 22 2026", "2026-11-22 17:00", None),
    ],
)
def test_past_deadline_needs_allow_past(phrase: str, expected: str, hint: str | None) -> None:
    with pytest.raises(BadInput) as caught:
        parse_deadline(phrase, MONDAY, SETTINGS)
    message = str(caught.value)
    assert "--past" in message
    assert "\n" not in message
    if hint:
        assert hint in message
        assert "already past today" in message
    else:
        assert "in the past" in message
    assert_local(parse_deadline(phrase, MONDAY, SETTINGS, allow_past=True), expected)


def test_past_message_shows_the_resolved_time() -> None:
    with pytest.raises(BadInput) as caught:
        parse_deadline("2026-11-20", MONDAY, SETTINGS)
    assert str(caught.value) == (
        "that deadline is in the past (Fri 20 Nov 17:00); add --past to log something already late"
    )


@pytest.mark.parametrize("phrase", ["eod", "today", "eow"])
def test_end_of_day_after_hours(phrase: str) -> None:
    evening = datetime(2026, 11, 27, 18, 0, tzinfo=BERLIN)
    with pytest.raises(BadInput, match="--past"):
        parse_deadline(phrase, evening, SETTINGS)
    assert_local(parse_deadline(phrase, evening, SETTINGS, allow_past=True), "2026-11-27 17:00")


def test_eod_past_suggests_tomorrow() -> None:
    with pytest.raises(BadInput, match="try tomorrow, or add --past"):
        parse_deadline("eod", datetime(2026, 11, 23, 18, 0, tzinfo=BERLIN), SETTINGS)


def test_now_itself_is_not_past() -> None:
    assert parse_deadline("in 0m", MONDAY, SETTINGS) == MONDAY


def test_naive_now_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        parse_deadline("fri", datetime(2026, 11, 23, 10, 0), SETTINGS)


# --- parse_when and parse_since ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("now", "2026-11-23 10:00"),
        ("  NOW ", "2026-11-23 10:00"),
        ("9am", "2026-11-23 09:00"),
        ("2026-11-20", "2026-11-20 17:00"),
        ("fri", "2026-11-27 17:00"),
        ("in 2h", "2026-11-23 12:00"),
        ("tomorrow", "2026-11-24 17:00"),
    ],
)
def test_parse_when(phrase: str, expected: str) -> None:
    assert_local(parse_when(phrase, MONDAY, SETTINGS), expected)


def test_parse_when_answers_in_the_settings_zone() -> None:
    result = parse_when("now", MONDAY.astimezone(UTC), SETTINGS)
    assert result.tzinfo == BERLIN
    assert result == MONDAY


@pytest.mark.parametrize("phrase", ["soon", "", "01/02/2026", "2026-02-30"])
def test_parse_when_refuses_like_deadlines(phrase: str) -> None:
    with pytest.raises(BadInput):
        parse_when(phrase, MONDAY, SETTINGS)


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("2 days ago", "2026-11-21 10:00"),
        ("1 day ago", "2026-11-22 10:00"),
        ("3h ago", "2026-11-23 07:00"),
        ("90m ago", "2026-11-23 08:30"),
        ("1h30m ago", "2026-11-23 08:30"),
        ("1w ago", "2026-11-16 10:00"),
        ("2 weeks ago", "2026-11-09 10:00"),
        ("yesterday", "2026-11-22 00:00"),
        ("Yesterday", "2026-11-22 00:00"),
        ("today", "2026-11-23 00:00"),
        ("mon", "2026-11-16 00:00"),  # strictly before today, which is a Monday
        ("monday", "2026-11-16 00:00"),
        ("fri", "2026-11-20 00:00"),
        ("last fri", "2026-11-20 00:00"),
        ("sun", "2026-11-22 00:00"),
        ("tue", "2026-11-17 00:00"),
        ("2026-11-01", "2026-11-01 00:00"),
        ("2026-11-20T08:30", "2026-11-20 08:30"),
        ("2026-11-20 08:30", "2026-11-20 08:30"),
        ("2026-11-20T08:30:00+00:00", "2026-11-20 09:30"),
        ("0m ago", "2026-11-23 10:00"),
    ],
)
def test_parse_since(phrase: str, expected: str) -> None:
    assert_local(parse_since(phrase, MONDAY, SETTINGS), expected)


@pytest.mark.parametrize(
    ("now", "phrase", "expected"),
    [
        # a day back across spring-forward keeps the wall clock
        ("2026-03-30 10:00", "1 day ago", "2026-03-29 10:00"),
        # elapsed hours: 10:00 CEST minus 9h is midnight CET, ten wall-clock hours earlier
        ("2026-03-29 10:00", "9h ago", "2026-03-29 00:00"),
        ("2026-03-29 10:00", "today", "2026-03-29 00:00"),
        # a skipped wall-clock time moves forward instead of failing the standup
        ("2026-03-30 02:30", "1 day ago", "2026-03-29 03:30"),
    ],
)
def test_parse_since_across_dst(now: str, phrase: str, expected: str) -> None:
    assert_local(parse_since(phrase, local(now), SETTINGS), expected)


@pytest.mark.parametrize(
    ("phrase", "says"),
    [
        ("soon", "2 days ago"),
        ("", "2 days ago"),
        ("2 days", "2 days ago"),
        ("in 2 days", "2 days ago"),
        ("ago", "2 days ago"),
        ("tomorrow", "2 days ago"),
        ("next fri", "2 days ago"),
        ("2026-12-01", "in the future"),
        ("2026-11-23T11:00", "in the future"),
        ("2026-02-30", "not a real date"),
    ],
)
def test_parse_since_refusals(phrase: str, says: str) -> None:
    with pytest.raises(BadInput, match=says) as caught:
        parse_since(phrase, MONDAY, SETTINGS)
    assert "\n" not in str(caught.value)


# --- storage format ----------------------------------------------------------------------------


def test_to_utc_iso_format() -> None:
    assert to_utc_iso(local("2026-11-28 15:00")) == "2026-11-28T14:00:00+00:00"
    assert to_utc_iso(local("2026-11-28 15:00:59.999999")) == "2026-11-28T14:00:59+00:00"


@pytest.mark.parametrize(
    "moment",
    [
        local("2026-11-28 15:00"),
        local("2026-07-01 09:30"),
        local("2026-10-25 02:30"),  # first occurrence of the repeated hour
        local("2026-10-25 02:30").replace(fold=1),  # second occurrence
        local("2026-11-01 01:30", NEW_YORK),
        datetime(2026, 11, 28, 14, 0, tzinfo=UTC),
    ],
)
def test_iso_round_trip(moment: datetime) -> None:
    text = to_utc_iso(moment)
    assert text.endswith("+00:00")
    back = from_iso(text)
    assert back.tzinfo == UTC
    assert back == moment.astimezone(UTC)
    assert to_utc_iso(back) == text


def test_from_iso_accepts_other_offsets_and_z() -> None:
    assert to_utc_iso(from_iso("2026-11-28T15:00:00+01:00")) == "2026-11-28T14:00:00+00:00"
    assert to_utc_iso(from_iso("2026-11-28T14:00:00Z")) == "2026-11-28T14:00:00+00:00"


@pytest.mark.parametrize("text", ["2026-11-28T14:00:00", "fri", "", "2026-02-30T00:00:00+00:00"])
def test_from_iso_rejects_what_we_never_write(text: str) -> None:
    with pytest.raises(ValueError):
        from_iso(text)


def test_to_utc_iso_rejects_naive() -> None:
    with pytest.raises(ValueError):
        to_utc_iso(datetime(2026, 11, 28, 14, 0))


# --- output ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "kwargs", "expected"),
    [
        (datetime(2026, 11, 28, 14, 0, tzinfo=UTC), {}, "Sat 28 Nov 15:00"),
        (datetime(2026, 11, 28, 14, 0, tzinfo=UTC), {"year": True}, "Sat 28 Nov 2026 15:00"),
        (local("2026-12-03 09:05"), {}, "Thu 3 Dec 09:05"),
        (local("2027-01-05 17:00"), {"now": MONDAY}, "Tue 5 Jan 2027 17:00"),
        (local("2026-12-03 09:05"), {"now": MONDAY}, "Thu 3 Dec 09:05"),
        (local("2027-01-05 17:00"), {"now": MONDAY, "year": False}, "Tue 5 Jan 17:00"),
        (local("2027-01-05 17:00"), {}, "Tue 5 Jan 17:00"),
    ],
)
def test_format_local(moment: datetime, kwargs: dict, expected: str) -> None:
    assert format_local(moment, BERLIN, **kwargs) == expected


def test_format_local_in_another_zone() -> None:
    assert format_local(local("2026-11-28 15:00"), NEW_YORK) == "Sat 28 Nov 09:00"


@pytest.mark.parametrize(
    ("delta", "kwargs", "expected"),
    [
        (timedelta(seconds=0), {}, "now"),
        (timedelta(seconds=59), {}, "now"),
        (timedelta(seconds=-59), {}, "now"),
        (timedelta(minutes=1), {}, "in 1m"),
        (timedelta(minutes=45), {}, "in 45m"),
        (timedelta(minutes=59, seconds=59), {}, "in 59m"),
        (timedelta(hours=2), {}, "in 2h"),
        (timedelta(hours=2, minutes=30), {}, "in 2h 30m"),
        (timedelta(hours=9, minutes=59), {}, "in 9h 59m"),
        # Issue 9/13: one duration-in-words, never rounded down by nearly a unit.
        (timedelta(hours=10, minutes=30), {}, "in 10h 30m"),
        (timedelta(hours=23, minutes=59), {}, "in 23h 59m"),
        (timedelta(days=1), {}, "in 1 day"),
        (timedelta(days=1, hours=23), {}, "in 1 day 23h"),
        (timedelta(days=3, hours=5), {}, "in 3 days 5h"),
        (timedelta(days=4, hours=23), {}, "in 4 days 23h"),
        (timedelta(days=13, hours=23), {}, "in 13 days 23h"),
        (timedelta(days=14), {}, "in 2 weeks"),
        (timedelta(days=20), {}, "in 2 weeks 6 days"),
        (timedelta(days=20, hours=13), {}, "in 3 weeks"),
        (timedelta(days=21), {}, "in 3 weeks"),
        (timedelta(minutes=-1), {}, "1m late"),
        (timedelta(minutes=-45), {}, "45m late"),
        (timedelta(hours=-2), {}, "2h late"),
        (timedelta(hours=-2, minutes=-30), {}, "2h 30m late"),
        (timedelta(days=-3), {}, "3 days late"),
        (timedelta(days=-1), {}, "1 day late"),
        (timedelta(days=-3), {"past": "ago"}, "3 days ago"),
        (timedelta(days=-30), {"past": "ago"}, "4 weeks 2 days ago"),
        (timedelta(days=-4, hours=-23), {}, "4 days 23h late"),
        (timedelta(days=70), {}, "in 2 months 9 days"),
        (timedelta(days=365), {}, "in 1 year"),
        (timedelta(days=380), {}, "in 1 year 1 month"),
        (timedelta(days=-400), {"past": "ago"}, "1 year 1 month ago"),
    ],
)
def test_relative(delta: timedelta, kwargs: dict, expected: str) -> None:
    assert relative(MONDAY + delta, MONDAY, **kwargs) == expected


def test_relative_counts_elapsed_time_across_dst() -> None:
    # Midnight to noon on the spring-forward Sunday is 11 hours, not 12.
    assert relative(local("2026-03-29 12:00"), local("2026-03-29 00:00")) == "in 11h"
    assert relative(local("2026-03-29 12:00"), datetime(2026, 3, 29, 0, 0, tzinfo=UTC)) == "in 10h"


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        (local("2026-11-26 10:00"), "due Thu 26 Nov 10:00 — in 3 days"),
        (local("2026-11-23 08:00"), "due Mon 23 Nov 08:00 — 2h late"),
        (local("2026-11-23 10:30"), "due Mon 23 Nov 10:30 — in 30m"),
        (local("2027-01-05 17:00"), "due Tue 5 Jan 2027 17:00 — in 6 weeks 1 day"),
    ],
)
def test_describe_due(when: datetime, expected: str) -> None:
    assert describe_due(when, MONDAY, BERLIN) == expected


# --- properties over many instants and zones ---------------------------------------------------

ZONES = ["Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata", "UTC"]
INSTANTS = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)
# Each names a moment strictly after now (eod of a later day, or a positive offset).
FUTURE_PHRASES = [
    "tomorrow",
    "fri",
    "next fri",
    "next week",
    "mon 9am",
    "in 1 day",
    "in 2h",
    "in 1w",
]


@hypothesis.settings(max_examples=200, deadline=None)
@given(now=INSTANTS, zone=st.sampled_from(ZONES), phrase=st.sampled_from(FUTURE_PHRASES))
def test_future_phrases_are_in_the_future_in_the_right_zone(
    now: datetime, zone: str, phrase: str
) -> None:
    zone_settings = settings_from_dict({"timezone": zone})
    try:
        result = parse_deadline(phrase, now, zone_settings)
    except BadInput as exc:
        # Only a wall-clock time the clocks skip may refuse a future phrase.
        assert "does not exist" in str(exc)
        return
    assert result.tzinfo == zone_settings.tz
    assert result.astimezone(UTC) > now
    assert from_iso(to_utc_iso(result)) == result.astimezone(UTC).replace(microsecond=0)


@hypothesis.settings(max_examples=200, deadline=None)
@given(
    now=INSTANTS,
    phrase=st.one_of(
        st.text(max_size=30),
        st.text(alphabet="0123456789 :/.-apmtdhwinexto", max_size=20),
        st.sampled_from([p for p, _ in DEADLINES_FROM_MONDAY] + UNREADABLE),
    ),
)
def test_any_input_is_a_datetime_or_one_line_bad_input(now: datetime, phrase: str) -> None:
    for parse in (parse_deadline, parse_when, parse_since, dates.parse_due_by):
        try:
            result = parse(phrase, now, SETTINGS)
        except BadInput as exc:
            assert "\n" not in str(exc)
        else:
            assert result.tzinfo == BERLIN


# --- contracts ---------------------------------------------------------------------------------


def test_parse_duration_is_reexported() -> None:
    assert parse_duration is config.parse_duration
    assert parse_duration("1h30m") == timedelta(minutes=90)


def test_module_neither_reads_the_clock_nor_guesses() -> None:
    # Every module of the package, not only its __init__: the grammar lives in the submodules.
    folder = Path(inspect.getfile(dates)).parent
    sources = sorted(folder.glob("*.py"))
    assert {p.stem for p in sources} >= {"__init__", "grammar", "phrases", "words", "clock"}
    tree = ast.Module(body=[ast.parse(p.read_text()) for p in sources], type_ignores=[])
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported |= {f"{node.module}.{alias.name}" for alias in node.names}
    assert not any(name.startswith("dateutil.parser") for name in imported)
    assert "time" not in imported
    called = {
        node.func.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
    }
    assert not called & {"now", "today", "utcnow", "time_ns", "monotonic"}


@pytest.mark.parametrize(
    "phrase",
    [
        "feb 30",
        "2026-02-30",
        "25:00",
        "13:75",
        "2026-03-29 02:30",
        "call bob",
        "01/02/2026",
        "in 99999999 weeks",
    ],
)
def test_every_refusal_shows_valid_examples(phrase):
    """Issue 2: "A refusal is one line that shows valid examples" — not only for unreadable text."""
    with pytest.raises(BadInput) as refused:
        dates.parse_deadline(phrase, MONDAY, SETTINGS)
    message = str(refused.value)
    assert "\n" not in message
    assert "tomorrow" in message or "write 2026-01-02" in message


# --- issue 9: the words people type, at Wed 2 Dec 2026 ------------------------------------------

WEDNESDAY = datetime(2026, 12, 2, 10, 0, tzinfo=BERLIN)
# 24 Dec to 1 Jan off: "in 3 workdays" and "next month" must skip it.
LEAVE = settings_from_dict(
    {"timezone": "Europe/Berlin", "work": {"days_off": ["2026-12-24..2027-01-01"]}}
)

WORDS_FROM_WEDNESDAY = [
    # end of month / quarter: the last working day, at the end of the working day
    ("eom", "2026-12-31 17:00"),
    ("EOM", "2026-12-31 17:00"),
    ("end of month", "2026-12-31 17:00"),
    ("end of the month", "2026-12-31 17:00"),
    ("eoq", "2026-12-31 17:00"),
    ("end of quarter", "2026-12-31 17:00"),
    # next month: its first working day (1 Jan 2027 is a Friday)
    ("next month", "2027-01-01 17:00"),
    ("next month 10am", "2027-01-01 10:00"),
    # this <weekday>: this ISO week's, even when that is today
    ("this fri", "2026-12-04 17:00"),
    ("this wed", "2026-12-02 17:00"),
    ("this sun 3pm", "2026-12-06 15:00"),
    # offsets in words and with a plus
    ("in a week", "2026-12-09 10:00"),
    ("in an hour", "2026-12-02 11:00"),
    ("in 1 month", "2027-01-02 10:00"),
    ("in 2 months", "2027-02-02 10:00"),
    ("in 3 workdays", "2026-12-07 10:00"),  # Thu, Fri, (weekend), Mon
    ("in 3 working days", "2026-12-07 10:00"),
    ("in 1 business day", "2026-12-03 10:00"),
    ("+3d", "2026-12-05 10:00"),
    ("+2w", "2026-12-16 10:00"),
    ("+1h", "2026-12-02 11:00"),
    ("+1h30m", "2026-12-02 11:30"),
    # end of day by any name, alone or with a day, either side
    ("cob", "2026-12-02 17:00"),
    ("eob", "2026-12-02 17:00"),
    ("fri eod", "2026-12-04 17:00"),
    ("eod fri", "2026-12-04 17:00"),
    ("tomorrow cob", "2026-12-03 17:00"),
    ("dec 10 eod", "2026-12-10 17:00"),
    # the time first
    ("3pm fri", "2026-12-04 15:00"),
    ("at 3pm fri", "2026-12-04 15:00"),
    ("3pm on fri", "2026-12-04 15:00"),
    ("9:30 tomorrow", "2026-12-03 09:30"),
    ("noon dec 4", "2026-12-04 12:00"),
    ("fri 3pm", "2026-12-04 15:00"),
    ("tomorrow 3pm", "2026-12-03 15:00"),
    ("fri", "2026-12-04 17:00"),
    # month-day: the nearest occurrence, ahead up to six months
    ("dec 2", "2026-12-02 17:00"),
    ("dec 3", "2026-12-03 17:00"),
    ("1 jun", "2027-06-01 17:00"),
    ("jun 2", "2027-06-02 17:00"),  # 182 days ahead beats 183 days back
    ("dec 1 2027", "2027-12-01 17:00"),  # a year written is a year meant
    # a deadline on a weekend is accepted (off_day_note says so)
    ("sat", "2026-12-05 17:00"),
]


@pytest.mark.parametrize(("phrase", "expected"), WORDS_FROM_WEDNESDAY)
def test_words_people_type(phrase: str, expected: str) -> None:
    assert_local(parse_deadline(phrase, WEDNESDAY, SETTINGS), expected)


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("in 3 workdays", "2026-12-07 10:00"),
        ("in 16 workdays", "2027-01-04 10:00"),  # 15 working days to the 23rd, then leave
        ("next month", "2027-01-04 17:00"),  # 1 Jan is leave
        ("eom", "2026-12-23 17:00"),  # the last day before the leave
        ("eoq", "2026-12-23 17:00"),
        ("dec 28", "2026-12-28 17:00"),  # a day off is still a deadline you may set
    ],
)
def test_working_day_words_skip_days_off(phrase: str, expected: str) -> None:
    assert_local(parse_deadline(phrase, WEDNESDAY, LEAVE), expected)


@pytest.mark.parametrize(
    ("now", "phrase", "expected"),
    [
        # Jan 2027 ends on a Sunday: eom is Fri 29 Jan
        (datetime(2027, 1, 10, 10, 0, tzinfo=BERLIN), "eom", "2027-01-29 17:00"),
        # after that Friday, January's end is gone: February's (Fri 26 Feb)
        (datetime(2027, 1, 30, 10, 0, tzinfo=BERLIN), "eom", "2027-02-26 17:00"),
        (datetime(2027, 1, 30, 10, 0, tzinfo=BERLIN), "end of month", "2027-02-26 17:00"),
        # Q1 2027 ends Wed 31 Mar
        (datetime(2027, 2, 10, 10, 0, tzinfo=BERLIN), "eoq", "2027-03-31 17:00"),
        # Q3 2026 ends on a Wednesday; Q2 2027 ends Wed 30 Jun
        (datetime(2026, 8, 10, 10, 0, tzinfo=BERLIN), "eoq", "2026-09-30 17:00"),
        # in 1 month from 31 Jan is the end of February (no 31 Feb)
        (datetime(2027, 1, 31, 10, 0, tzinfo=BERLIN), "in 1 month", "2027-02-28 10:00"),
        # Friday: in 1 workday is Monday
        (FRIDAY, "in 1 workday", "2026-11-30 10:00"),
        # next month from a month whose next month starts on a weekend (Aug 2026: Sat 1st)
        (datetime(2026, 7, 15, 10, 0, tzinfo=BERLIN), "next month", "2026-08-03 17:00"),
        # "this fri" on Friday is today
        (FRIDAY, "this fri", "2026-11-27 17:00"),
    ],
)
def test_word_edges(now: datetime, phrase: str, expected: str) -> None:
    assert_local(parse_deadline(phrase, now, SETTINGS), expected)


@pytest.mark.parametrize(
    ("phrase", "says"),
    [
        # Issue 9: "dec 1" on 2 Dec is yesterday, never 1 Dec 2027
        ("dec 1", "'dec 1' is in the past (Tue 1 Dec 17:00); try dec 1 2027, or add --past"),
        ("1 dec", "try 1 dec 2027, or add --past"),
        ("dec 1 3pm", "try dec 1 2027 3pm, or add --past"),
        ("jun 3", "(Wed 3 Jun 17:00); try jun 3 2027"),  # 182 days back beats 183 ahead
        ("nov 30", "try nov 30 2027"),
        ("yesterday", "that deadline is in the past (Tue 1 Dec 17:00); add --past"),
        ("this mon", "'this mon' is in the past (Mon 30 Nov 17:00); try next mon, or add --past"),
        ("9am", "'9am' is already past today (Wed 2 Dec 09:00); try tomorrow 9am"),
        ("9am today", "try tomorrow 9am"),
    ],
)
def test_past_words_are_refused_with_the_way_forward(phrase: str, says: str) -> None:
    with pytest.raises(BadInput) as caught:
        parse_deadline(phrase, WEDNESDAY, SETTINGS)
    assert says in str(caught.value)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("dec 1", "2026-12-01 17:00"),
        ("1 dec", "2026-12-01 17:00"),
        ("yesterday", "2026-12-01 17:00"),
        ("yesterday 3pm", "2026-12-01 15:00"),
        ("this mon", "2026-11-30 17:00"),
        ("jun 3", "2026-06-03 17:00"),
    ],
)
def test_past_words_with_allow_past(phrase: str, expected: str) -> None:
    assert_local(parse_deadline(phrase, WEDNESDAY, SETTINGS, allow_past=True), expected)


@pytest.mark.parametrize(
    ("phrase", "says"),
    [
        ("soon", "'soon' is not a deadline; say when, try: tomorrow 3pm"),
        ("later", "'later' is not a deadline"),
        ("asap", "try: in 2h, eod"),
        ("midnight", "try: today 23:59, tomorrow 00:00"),
        ("Tonight", "'tonight' has no time; try: today 8pm"),
        ("eom 3pm", "can't read 'eom 3pm'"),
        ("fri 3pm eod", "can't read"),
        ("eod eod", "can't read"),
        ("in 3 workdays 2h", "mixes working days with other amounts"),
        ("+", "can't read"),
        ("+fri", "can't read"),
        ("feb 29", "'feb 29' is not within six months of today; write the year, try: feb 29 2028"),
        ("in 99999 workdays", "too far away"),
        ("3pm 4pm", "can't read"),
    ],
)
def test_vague_and_broken_words_are_refused(phrase: str, says: str) -> None:
    with pytest.raises(BadInput) as caught:
        parse_deadline(phrase, WEDNESDAY, SETTINGS)
    message = str(caught.value)
    assert says in message
    assert "\n" not in message
    assert "try" in message


def test_working_days_need_a_working_week() -> None:
    nobody_works = settings_from_dict({"timezone": "Europe/Berlin", "work": {"days": []}})
    with pytest.raises(BadInput, match=r"no working day near .*check \[work\] days"):
        parse_deadline("in 2 workdays", WEDNESDAY, nobody_works)


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("dec 1", "2026-12-01 00:00"),
        ("1 dec", "2026-12-01 00:00"),
        ("nov 20", "2026-11-20 00:00"),
        ("jun 3", "2026-06-03 00:00"),
        ("dec 1 2025", "2025-12-01 00:00"),
        ("2 workdays ago", "2026-11-30 10:00"),
        ("1 month ago", "2026-11-02 10:00"),
        ("a week ago", "2026-11-25 10:00"),
    ],
)
def test_parse_since_reads_month_days_as_their_nearest(phrase: str, expected: str) -> None:
    assert_local(parse_since(phrase, WEDNESDAY, SETTINGS), expected)


@pytest.mark.parametrize(
    ("phrase", "says"),
    [
        ("dec 3", "'dec 3' is in the future (Thu 3 Dec 00:00)"),
        ("jun 2", "in the future"),  # the nearest jun 2 is ahead: no silent year back
        ("3/4", "'3/4' is ambiguous: it could be 2027-03-04 or 2027-04-03"),
    ],
)
def test_parse_since_refuses_a_future_month_day(phrase: str, says: str) -> None:
    with pytest.raises(BadInput, match=re.escape(says)):
        parse_since(phrase, WEDNESDAY, SETTINGS)


def test_parse_when_reads_month_days_as_their_nearest() -> None:
    # A filter may look back: "dec 1" on 2 Dec is yesterday, not next year.
    assert_local(parse_when("dec 1", WEDNESDAY, SETTINGS), "2026-12-01 17:00")
    assert_local(parse_when("yesterday", WEDNESDAY, SETTINGS), "2026-12-01 17:00")


# --- --due-by ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        # a day without a time: the whole of that day (last microsecond, compare with <=)
        ("fri", "2026-12-04 23:59:59.999999"),
        ("tomorrow", "2026-12-03 23:59:59.999999"),
        ("today", "2026-12-02 23:59:59.999999"),
        ("dec 10", "2026-12-10 23:59:59.999999"),
        ("2026-12-10", "2026-12-10 23:59:59.999999"),
        ("next week", "2026-12-07 23:59:59.999999"),
        ("dec 1", "2026-12-01 23:59:59.999999"),  # past is fine for a filter
        # a time, an offset or a named end of day: that instant
        ("fri 3pm", "2026-12-04 15:00"),
        ("3pm fri", "2026-12-04 15:00"),
        ("2026-12-10 09:00", "2026-12-10 09:00"),
        ("in 2h", "2026-12-02 12:00"),
        ("eod", "2026-12-02 17:00"),
        ("fri eod", "2026-12-04 17:00"),
        ("eow", "2026-12-04 17:00"),
        ("now", "2026-12-02 10:00"),
    ],
)
def test_parse_due_by(phrase: str, expected: str) -> None:
    assert_local(dates.parse_due_by(phrase, WEDNESDAY, SETTINGS), expected)


def test_due_by_a_day_includes_a_deadline_at_its_end_of_day() -> None:
    # Issue 9: `--due-before fri` leaves out what is due Friday at eod; `--due-by fri` keeps it.
    due_friday = parse_deadline("fri", WEDNESDAY, SETTINGS)
    assert not due_friday < parse_when("fri", WEDNESDAY, SETTINGS)
    assert due_friday <= dates.parse_due_by("fri", WEDNESDAY, SETTINGS)
    late_friday = parse_deadline("fri 23:59", WEDNESDAY, SETTINGS)
    assert late_friday <= dates.parse_due_by("fri", WEDNESDAY, SETTINGS)
    saturday = parse_deadline("sat 00:00", WEDNESDAY, SETTINGS)
    assert not saturday <= dates.parse_due_by("fri", WEDNESDAY, SETTINGS)


def test_due_by_a_day_across_dst_ends_at_that_days_midnight() -> None:
    # 25 Oct 2026 has 25 hours in Berlin; its last instant is 23:59:59.999999 CET.
    bound = dates.parse_due_by("2026-10-25", local("2026-10-20 10:00"), SETTINGS)
    assert to_utc_iso(bound) == "2026-10-25T22:59:59+00:00"


# --- off_day_note ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("settings", "phrase", "expected"),
    [
        (
            SETTINGS,
            "sat",
            "Sat 5 Dec is not a working day; the previous working day is Fri 4 Dec.",
        ),
        (
            SETTINGS,
            "sun 3pm",
            "Sun 6 Dec is not a working day; the previous working day is Fri 4 Dec.",
        ),
        (LEAVE, "dec 28", "Mon 28 Dec is a day off; the previous working day is Wed 23 Dec."),
        (SETTINGS, "fri", None),
        (SETTINGS, "mon", None),
    ],
)
def test_off_day_note(settings: config.Settings, phrase: str, expected: str | None) -> None:
    due = parse_deadline(phrase, WEDNESDAY, settings)
    assert dates.off_day_note(due, settings) == expected


def test_off_day_note_shows_the_year_when_it_differs() -> None:
    due = parse_deadline("2027-01-02", WEDNESDAY, SETTINGS)
    assert dates.off_day_note(due, SETTINGS, now=WEDNESDAY) == (
        "Sat 2 Jan 2027 is not a working day; the previous working day is Fri 1 Jan 2027."
    )


def test_off_day_note_without_any_working_day() -> None:
    nobody_works = settings_from_dict({"timezone": "Europe/Berlin", "work": {"days": []}})
    due = parse_deadline("fri", WEDNESDAY, nobody_works)
    assert dates.off_day_note(due, nobody_works) == "Fri 4 Dec is not a working day."


# --- durations in words --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "when", "expected"),
    [
        # Berlin springs forward on 29 Mar 2026: Sat to Mon is 47 hours but two days
        ("2026-03-28 10:00", "2026-03-30 10:00", "in 2 days"),
        ("2026-03-30 10:00", "2026-03-28 10:00", "2 days late"),
        # and falls back on 25 Oct 2026: 49 hours, still two days
        ("2026-10-24 10:00", "2026-10-26 10:00", "in 2 days"),
        ("2026-10-24 10:00", "2026-10-25 10:00", "in 1 day"),
        ("2026-03-28 10:00", "2026-03-29 10:00", "in 1 day"),
        # under a day it stays elapsed time: midnight to noon on the short Sunday is 11h
        ("2026-03-29 00:00", "2026-03-29 12:00", "in 11h"),
        ("2026-10-25 00:00", "2026-10-25 12:00", "in 13h"),
        # a year ahead is a year, not 52 weeks
        ("2026-12-02 10:00", "2027-12-02 17:00", "in 1 year"),
        ("2026-12-02 10:00", "2027-12-01 17:00", "in 1 year"),
        ("2026-12-02 10:00", "2027-02-02 10:00", "in 2 months"),
        ("2026-12-02 10:00", "2027-03-05 10:00", "in 3 months 3 days"),
        ("2026-12-02 10:00", "2028-02-10 10:00", "in 1 year 2 months"),
        ("2026-12-02 10:00", "2027-01-30 10:00", "in 8 weeks 3 days"),
    ],
)
def test_relative_counts_days_on_the_calendar(now: str, when: str, expected: str) -> None:
    assert relative(local(when), local(now)) == expected


def test_relative_counts_on_the_users_calendar() -> None:
    # 47 elapsed hours read in Berlin are two calendar days; in UTC, 1 day 23h.
    when, now = local("2026-03-30 10:00"), local("2026-03-28 10:00")
    assert relative(when, now.astimezone(UTC), tz=BERLIN) == "in 2 days"
    assert relative(when, now.astimezone(UTC)) == "in 1 day 23h"
    assert describe_due(when, now.astimezone(UTC), BERLIN).endswith("— in 2 days")


@pytest.mark.parametrize(
    ("amount", "short", "long"),
    [
        (timedelta(0), "0m", "0 minutes"),
        (timedelta(seconds=20), "1m", "1 minute"),
        (timedelta(minutes=45), "45m", "45 minutes"),
        (timedelta(hours=1), "1h", "1 hour"),
        (timedelta(minutes=90), "1h 30m", "1 hour 30 minutes"),
        (timedelta(hours=10, minutes=30), "10h 30m", "10 hours 30 minutes"),
        (timedelta(days=1), "1 day", "1 day"),
        (timedelta(days=4, hours=23), "4 days 23h", "4 days 23 hours"),
        (timedelta(days=4, hours=23, minutes=59), "4 days 23h", "4 days 23 hours"),
        (timedelta(days=14), "2 weeks", "2 weeks"),
        (timedelta(days=15, hours=13), "2 weeks 2 days", "2 weeks 2 days"),
        (timedelta(days=7 * 8), "2 months", "2 months"),
        (timedelta(days=365), "1 year", "1 year"),
        (timedelta(days=-3), "3 days", "3 days"),
        (3600.0, "1h", "1 hour"),
    ],
)
def test_duration_words(amount: timedelta | float, short: str, long: str) -> None:
    assert dates.duration_words(amount) == short
    assert dates.duration_words(amount, long=True) == long
    if isinstance(amount, timedelta) and amount >= timedelta(0):
        assert dates.span(amount.total_seconds()) == short


def test_no_duration_word_says_1_days_or_1_weeks() -> None:
    # Wording pass: "1 days", "1 weeks", "0 hours" never appear for any whole number of minutes.
    for minutes in range(0, 60 * 24 * 800, 37):
        for long in (False, True):
            words = dates.duration_words(timedelta(minutes=minutes), long=long)
            assert not re.search(r"\b1 (minute|hour|day|week|month|year)s\b", words), words
            assert not re.search(r"\b0 [a-z]", words) or words == "0 minutes", words


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30m", timedelta(minutes=30)),
        ("1h30m", timedelta(minutes=90)),
        ("1h 30m", timedelta(minutes=90)),
        ("2h 15m", timedelta(minutes=135)),
        ("90 min", timedelta(minutes=90)),
        ("30d", timedelta(days=30)),
        ("10s", timedelta(seconds=10)),
        ("1w", timedelta(weeks=1)),
        ("2 hours", timedelta(hours=2)),
        ("an hour", timedelta(hours=1)),
        ("1D", timedelta(days=1)),
        ("0m", timedelta(0)),
        ("30m 1h", timedelta(minutes=90)),
    ],
)
def test_parse_duration(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    "text", ["", "  ", "1 month", "3 workdays", "1h 2h", "h", "30", "-5m", "soon", "1.5h"]
)
def test_parse_duration_refusals(text: str) -> None:
    with pytest.raises(ValueError, match="not a duration"):
        parse_duration(text)


def test_one_table_of_names_and_one_duration_parser() -> None:
    # Issue 13: one names table and one duration parser, shared by config and dates.
    from promisekeeper import timewords

    assert config.parse_duration is timewords.parse_duration is dates.parse_duration
    assert config.WEEKDAY_NAMES is timewords.WEEKDAYS
    assert dates.duration_words is timewords.duration_words
    assert config.WEEKDAYS == ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
