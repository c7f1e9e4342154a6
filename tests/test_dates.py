"""dates.py: the deadline grammar, DST behaviour, refusals and the humanized output.

Every test passes a fixed, aware `now`; nothing reads the clock.
"""

from __future__ import annotations

import ast
import inspect
from datetime import UTC, datetime, timedelta
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
    for parse in (parse_deadline, parse_when, parse_since):
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
    tree = ast.parse(inspect.getsource(dates))
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
