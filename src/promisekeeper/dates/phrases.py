"""The pieces of a deadline phrase: the table of what people type (weekdays, month days, times of
day, ISO dates, the end-of-day words, the vague words refused) as strict regular expressions, and
the readers of one piece each: a time of day, a day, an ISO date and its offset, the refusal of a
numeric date. `grammar` puts the pieces together.
"""

from __future__ import annotations

import re
from datetime import UTC, date, time, timedelta, timezone, tzinfo

from ..config import WorkTime
from ..errors import BadInput
from ..timewords import MONTH_ABBR, MONTHS, WEEKDAYS
from .clock import first_workday, relativedelta

EXAMPLES = "tomorrow 3pm, fri, eod, in 2 days, dec 3 14:00, 2026-12-03"
SINCE_EXAMPLES = "yesterday, mon, 2 days ago, 3h ago, 2026-11-20"
PAST_HINT = "add --past to log something already late"


def _one_of(words: dict[str, int]) -> str:
    # Longest first, so the alternation tries "thursday" before "thu".
    return "|".join(sorted(words, key=len, reverse=True))


_WD = _one_of(WEEKDAYS)
_MON = _one_of(MONTHS)
# re.ASCII everywhere: `\d` would otherwise accept Arabic-Indic and other digits.
_FLAGS = re.ASCII

# A time of day: "3pm", "3:30 pm", "15:30", "noon". A bare number ("fri 3") is not a time: it
# could be a day of the month or an hour.
_CLOCK = (
    r"(?P<time>noon"
    r"|(?P<h12>\d{1,2})(?::(?P<m12>\d{2}))?\s?(?P<ampm>am|pm)"
    r"|(?P<h24>\d{1,2}):(?P<m24>\d{2}))"
)
# ... at the end of the phrase, optionally after "at" ("fri at 3pm"), or at its start ("3pm fri").
_TIME_AT_END = re.compile(rf"(?:^|\s)(?:at\s+)?{_CLOCK}$", _FLAGS)
_TIME_AT_START = re.compile(rf"^(?:at\s+)?{_CLOCK}\s+(?:on\s+)?(?=\S)", _FLAGS)
_WEEKDAY = re.compile(rf"(?:(?P<next>next)\s+|(?P<this>this)\s+)?(?P<wd>{_WD})", _FLAGS)
LAST_WEEKDAY = re.compile(rf"(?:last\s+)?(?P<wd>{_WD})", _FLAGS)
_ORDINAL = r"(?:st|nd|rd|th)?"
_YEAR = r"(?:,?\s+(?P<year>\d{4}))?"
MONTH_DAY = re.compile(rf"(?P<month>{_MON})\s+(?P<day>\d{{1,2}}){_ORDINAL}{_YEAR}", _FLAGS)
DAY_MONTH = re.compile(rf"(?P<day>\d{{1,2}}){_ORDINAL}\s+(?P<month>{_MON}){_YEAR}", _FLAGS)
_ISO_DATE = re.compile(r"(?P<y>\d{4})-(?P<mo>\d{2})-(?P<d>\d{2})", _FLAGS)
ISO = re.compile(
    r"(?P<y>\d{4})-(?P<mo>\d{2})-(?P<d>\d{2})"
    r"(?:[t ](?P<h>\d{2}):(?P<mi>\d{2})(?::(?P<s>\d{2}))?(?P<offset>z|[+-]\d{2}:?\d{2})?)?",
    _FLAGS,
)
# Day and month order differ between countries, so 01/02/2026 is a coin toss: refuse, don't guess.
NUMERIC_DATE = re.compile(
    r"(?<![\w:.])(?:\d{1,4}/\d{1,2}(?:/\d{1,4})?|\d{1,2}\.\d{1,2}\.(?:\d{2,4})?|\d{1,2}-\d{1,2}-\d{2,4})"
    r"(?![\w:])",
    _FLAGS,
)
# The end of the working day, by any of its names; alone or with a day ("fri eod", "eod fri").
END_OF_DAY = frozenset({"eod", "cob", "eob"})
PERIOD_ENDS = {
    "eom": "month",
    "end of month": "month",
    "end of the month": "month",
    "eoq": "quarter",
    "end of quarter": "quarter",
    "end of the quarter": "quarter",
}
# Words that sound like a deadline but name no moment: refused with what to type instead.
VAGUE = {
    "soon": "'soon' is not a deadline; say when, try: tomorrow 3pm, fri, eod, in 2 days",
    "later": "'later' is not a deadline; say when, try: tomorrow 3pm, fri, eod, in 2 days",
    "asap": "'asap' is not a deadline; say when, try: in 2h, eod, tomorrow 10am",
    "midnight": "'midnight' could start or end a day; try: today 23:59, tomorrow 00:00",
    "tonight": "'tonight' has no time; try: today 8pm, eod",
}
# Six months either side of today: how far a month-day without a year may land.
_NEAR_DAYS = 184


def normalize(text: str) -> str:
    """Case-insensitive, any amount of whitespace."""
    return " ".join((text or "").lower().split())


def as_typed(text: str) -> str:
    """The user's text for a one-line message: whitespace collapsed, long input cut short."""
    shown = " ".join((text or "").split())
    return shown if len(shown) <= 60 else shown[:57] + "..."


def unreadable(text: str) -> BadInput:
    return BadInput(f"can't read '{as_typed(text)}' as a date; try: {EXAMPLES}")


def _clock_of(match: re.Match[str]) -> time:
    """The time of day a `_CLOCK` match names; an impossible one is refused."""
    shown = match["time"]
    if shown == "noon":
        return time(12)
    if match["ampm"]:
        hour, minute = int(match["h12"]), int(match["m12"] or 0)
        if not 1 <= hour <= 12 or minute > 59:
            raise BadInput(f"'{shown}' is not a time of day; with am/pm use 1-12, e.g. 3:30pm")
        return time(hour % 12 + (12 if match["ampm"] == "pm" else 0), minute)
    hour, minute = int(match["h24"]), int(match["m24"])
    if hour > 23 or minute > 59:
        raise BadInput(f"'{shown}' is not a time of day; use 00:00 to 23:59, or 3pm")
    return time(hour, minute)


def find_clock(phrase: str) -> re.Match[str] | None:
    return _TIME_AT_END.search(phrase) or _TIME_AT_START.match(phrase)


def split_time(phrase: str) -> tuple[str, time | None, str]:
    """Split "fri at 3pm" (or "3pm fri") into ("fri", 15:00, "3pm"); a phrase without a time keeps
    all of it."""
    if match := _TIME_AT_END.search(phrase):
        return phrase[: match.start()].strip(), _clock_of(match), match["time"]
    if match := _TIME_AT_START.match(phrase):
        return phrase[match.end() :].strip(), _clock_of(match), match["time"]
    return phrase, None, ""


def resolve_date(part: str, today: date, work: WorkTime, text: str) -> date | None:
    """The calendar day a date phrase names, or None when `part` is not a date phrase."""
    if part == "today":
        return today
    if part == "tomorrow":
        return today + timedelta(days=1)
    if part == "yesterday":
        return today - timedelta(days=1)
    monday = today - timedelta(days=today.weekday())
    next_monday = monday + timedelta(days=7)
    if part == "next week":
        return next_monday
    if part == "next month":
        first = today.replace(day=1) + relativedelta(months=1)
        return first_workday(first, first + relativedelta(months=1, days=-1), work)
    if match := _WEEKDAY.fullmatch(part):
        weekday = WEEKDAYS[match["wd"]]
        if match["next"]:
            # "next fri" is the Friday of next week, even on a Monday when "fri" is this week's.
            return next_monday + timedelta(days=weekday)
        if match["this"]:
            # "this fri" is this week's Friday, whether or not it has passed.
            return monday + timedelta(days=weekday)
        # Strictly after today: on a Friday, "fri" means a week from now, never today.
        return today + timedelta(days=(weekday - today.weekday()) % 7 or 7)
    if match := MONTH_DAY.fullmatch(part) or DAY_MONTH.fullmatch(part):
        return month_day_of(match, today, text)
    if match := _ISO_DATE.fullmatch(part):
        return _real_date(int(match["y"]), int(match["mo"]), int(match["d"]), text)
    return None


def month_day_of(match: re.Match[str], today: date, text: str) -> date:
    """The day a `MONTH_DAY` / `DAY_MONTH` match names: with a year that one; without, the
    nearest occurrence within six months of today (never a year away)."""
    month, day = MONTHS[match["month"]], int(match["day"])
    if match["year"]:
        return _real_date(int(match["year"]), month, day, text)
    nearest = _nearest(month, day, today)
    if nearest is None:
        raise BadInput(f"'{as_typed(text)}' is not a real date")
    if abs((nearest - today).days) > _NEAR_DAYS:
        raise BadInput(
            f"'{as_typed(text)}' is not within six months of today; "
            f"write the year, try: {match['month']} {day} {nearest.year}"
        )
    return nearest


def _nearest(month: int, day: int, today: date) -> date | None:
    """The occurrence of month-day nearest to today (a tie goes to the future); None when no year
    near today has it (feb 30)."""
    candidates = []
    for year in range(today.year - 4, today.year + 5):
        try:
            candidates.append(date(year, month, day))
        except ValueError:
            continue  # Feb 29 outside a leap year
    if not candidates:
        return None
    return min(candidates, key=lambda d: (abs((d - today).days), d < today))


def ambiguous(token: str, today: date) -> BadInput:
    """The refusal for a numeric date: both readings in ISO form, and how to write the first."""
    parts = [p for p in re.split(r"[/.-]", token) if p]
    readings: list[tuple[int | None, int, int]] = []  # (year, month, day)
    if len(parts) == 3 and len(parts[0]) == 4:
        year, a, b = (int(p) for p in parts)
        readings = [(year, a, b), (year, b, a)]
    elif len(parts) in (2, 3):
        a, b = int(parts[0]), int(parts[1])
        year_text = parts[2] if len(parts) == 3 else None
        year = None
        if year_text is not None:
            year = int(year_text) + (2000 if len(year_text) == 2 else 0)
        readings = [(year, a, b), (year, b, a)]
    found: list[date] = []
    for year, month, day in readings:
        try:
            candidate = date(year, month, day) if year else _nearest(month, day, today)
        except ValueError:
            candidate = None
        if candidate is not None and candidate not in found:
            found.append(candidate)
    if not found:
        return BadInput(f"'{token}' is not a real date; write dates as 2026-12-03 or 'dec 3'")
    first = found[0]
    words = f"{first.day} {MONTH_ABBR[first.month - 1].lower()}"
    if len(found) == 1:
        # Only one reading is a real date, but the next numeric date may not be so lucky.
        return BadInput(
            f"'{token}' is a numeric date, which countries read differently; "
            f"write {first.isoformat()} or '{words}'"
        )
    return BadInput(
        f"'{token}' is ambiguous: it could be {first.isoformat()} or {found[1].isoformat()}; "
        f"write {first.isoformat()} or '{words}'"
    )


def _real_date(year: int, month: int, day: int, text: str) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise BadInput(f"'{as_typed(text)}' is not a real date") from None


def iso_parts(match: re.Match[str], text: str) -> tuple[date, time | None, tzinfo | None]:
    """Date, time (None when absent) and explicit offset (None when absent) of an ISO match."""
    day = _real_date(int(match["y"]), int(match["mo"]), int(match["d"]), text)
    if match["h"] is None:
        return day, None, None
    try:
        clock = time(int(match["h"]), int(match["mi"]), int(match["s"] or 0))
    except ValueError:
        raise BadInput(f"'{as_typed(text)}' has no such time of day; use 00:00 to 23:59") from None
    offset_text = match["offset"]
    if offset_text is None:
        return day, clock, None
    if offset_text == "z":
        return day, clock, UTC
    digits = offset_text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:])
    if hours > 23 or minutes > 59:
        raise BadInput(f"'{as_typed(text)}' has an impossible UTC offset {offset_text}")
    offset = timedelta(hours=hours, minutes=minutes)
    return day, clock, timezone(-offset if offset_text[0] == "-" else offset)
