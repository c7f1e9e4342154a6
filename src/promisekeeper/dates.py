"""Natural deadlines in, readable times out.

`parse_deadline("fri 3pm", now, settings)` turns what people type into an aware datetime in the
user's zone; `describe_due` and `relative` turn it back into words.

The grammar is a small, strict set of regular expressions on purpose. A fuzzy parser
(dateutil.parser) reads "call bob about 2 invoices" as the 2nd of this month, and a wrong deadline
stored silently is worse than a refusal the user can fix in a second.

Nothing here reads the clock: `now` is always a parameter. Calendar steps ("tomorrow", "in 3 days",
"in 1 month", "in 3 workdays") are taken on the wall clock of `settings.tz`, so "tomorrow 9am" is
09:00 even across a DST change; hours and minutes are elapsed time. A wall-clock time the clocks
skip is refused, a time they repeat means its first occurrence.

A month and day without a year ("dec 1") is its nearest occurrence, at most six months either side
of today: never a date a year away. Past, it is refused unless the past is allowed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo

from .config import Settings, WorkTime
from .errors import BadInput
from .timewords import (
    DAY_ABBR,
    MONTH_ABBR,
    MONTHS,
    WEEKDAYS,
    duration_words,
    elapsed_parts,
    parse_duration,
    read_amounts,
    say_parts,
)

__all__ = [
    "describe_due",
    "duration_words",
    "format_local",
    "from_iso",
    "off_day_note",
    "parse_deadline",
    "parse_due_by",
    "parse_duration",
    "parse_since",
    "parse_when",
    "relative",
    "span",
    "to_utc_iso",
]

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
_LAST_WEEKDAY = re.compile(rf"(?:last\s+)?(?P<wd>{_WD})", _FLAGS)
_ORDINAL = r"(?:st|nd|rd|th)?"
_YEAR = r"(?:,?\s+(?P<year>\d{4}))?"
_MONTH_DAY = re.compile(rf"(?P<month>{_MON})\s+(?P<day>\d{{1,2}}){_ORDINAL}{_YEAR}", _FLAGS)
_DAY_MONTH = re.compile(rf"(?P<day>\d{{1,2}}){_ORDINAL}\s+(?P<month>{_MON}){_YEAR}", _FLAGS)
_ISO_DATE = re.compile(r"(?P<y>\d{4})-(?P<mo>\d{2})-(?P<d>\d{2})", _FLAGS)
_ISO = re.compile(
    r"(?P<y>\d{4})-(?P<mo>\d{2})-(?P<d>\d{2})"
    r"(?:[t ](?P<h>\d{2}):(?P<mi>\d{2})(?::(?P<s>\d{2}))?(?P<offset>z|[+-]\d{2}:?\d{2})?)?",
    _FLAGS,
)
# Day and month order differ between countries, so 01/02/2026 is a coin toss: refuse, don't guess.
_NUMERIC_DATE = re.compile(
    r"(?<![\w:.])(?:\d{1,4}/\d{1,2}(?:/\d{1,4})?|\d{1,2}\.\d{1,2}\.(?:\d{2,4})?|\d{1,2}-\d{1,2}-\d{2,4})"
    r"(?![\w:])",
    _FLAGS,
)
# The end of the working day, by any of its names; alone or with a day ("fri eod", "eod fri").
_END_OF_DAY = frozenset({"eod", "cob", "eob"})
_PERIOD_ENDS = {
    "eom": "month",
    "end of month": "month",
    "end of the month": "month",
    "eoq": "quarter",
    "end of quarter": "quarter",
    "end of the quarter": "quarter",
}
# Words that sound like a deadline but name no moment: refused with what to type instead.
_VAGUE = {
    "soon": "'soon' is not a deadline; say when, try: tomorrow 3pm, fri, eod, in 2 days",
    "later": "'later' is not a deadline; say when, try: tomorrow 3pm, fri, eod, in 2 days",
    "asap": "'asap' is not a deadline; say when, try: in 2h, eod, tomorrow 10am",
    "midnight": "'midnight' could start or end a day; try: today 23:59, tomorrow 00:00",
    "tonight": "'tonight' has no time; try: today 8pm, eod",
}
# Six months either side of today: how far a month-day without a year may land.
_NEAR_DAYS = 184


@dataclass(frozen=True)
class _Reading:
    """A parsed deadline; what to suggest instead when it turns out to be past; and whether it named
    a whole day (a date without a time, its end of working day filled in)."""

    at: datetime
    retry: str | None = None
    whole_day: bool = False


# --- public API -------------------------------------------------------------------------------


def parse_deadline(
    text: str, now: datetime, settings: Settings, *, allow_past: bool = False
) -> datetime:
    """The deadline `text` names, as an aware datetime in `settings.tz`.

    A date without a time means the end of the working day. A deadline before `now` is refused
    (the message points at `--past`) unless `allow_past`.
    """
    reading = _read(text, now, settings)
    if not allow_past and reading.at.astimezone(UTC) < now.astimezone(UTC):
        when = format_local(reading.at, settings.tz, now=now)
        if reading.retry:
            today = _local_now(now, settings.tz).date()
            past = "already past today" if reading.at.date() == today else "in the past"
            raise BadInput(
                f"'{_shown(text)}' is {past} ({when}); try {reading.retry}, or {PAST_HINT}"
            )
        raise BadInput(f"that deadline is in the past ({when}); {PAST_HINT}")
    return reading.at


def parse_when(text: str, now: datetime, settings: Settings) -> datetime:
    """A point in time for filters (`--due-before`, `--after`): the deadline grammar, past allowed,
    plus `now`. `--due-before` is strictly before (`due < bound`); see `parse_due_by` for the
    inclusive form."""
    if _normalize(text) == "now":
        return _local_now(now, settings.tz)
    return _read(text, now, settings).at


def parse_due_by(text: str, now: datetime, settings: Settings) -> datetime:
    """The inclusive upper bound for `pk list --due-by WHEN`: keep promises with `due <= bound`.

    A day without a time ("fri", "tomorrow", "dec 3", "2026-12-03") means the whole of that day:
    the bound is the last microsecond of that calendar day in `settings.tz` (stored deadlines have
    whole seconds, so `<=` takes everything that day). A phrase with a time ("fri 3pm", "in 2h",
    "now") is that instant, included; `eod`, `eow`, `eom`, `eoq` name the end of the working day
    itself. `--due-before` stays strictly before: use `parse_when` and `<` for it.
    """
    if _normalize(text) == "now":
        return _local_now(now, settings.tz)
    reading = _read(text, now, settings)
    if not reading.whole_day:
        return reading.at
    next_day = reading.at.astimezone(settings.tz).date() + timedelta(days=1)
    try:
        return _start_of_day(next_day, settings.tz) - timedelta(microseconds=1)
    except OverflowError:
        raise BadInput(f"'{_shown(text)}' is too far away") from None


def parse_since(text: str, now: datetime, settings: Settings) -> datetime:
    """A point in the past for `standup --since`: `2 days ago`, `3h ago`, `yesterday`, `today`,
    `mon` / `last mon` (the most recent Monday before today), `nov 20` (its nearest occurrence),
    or an ISO date or date-time.

    Days start at 00:00 local time. A future point is refused.
    """
    try:
        return _read_since(text, now, settings)
    except OverflowError:
        raise BadInput(f"'{_shown(text)}' is too far away") from None


def off_day_note(due: datetime, settings: Settings, *, now: datetime | None = None) -> str | None:
    """The one extra line for a deadline on a weekend or a day off, else None:
    `Sat 5 Dec is not a working day; the previous working day is Fri 4 Dec.`

    Such deadlines are accepted (people do promise "by Saturday"); the line lets the user notice.
    The year is shown when `now` is given and the day falls in another year.
    """
    _require_aware(due, "off_day_note")
    work = settings.work
    day = due.astimezone(settings.tz).date()
    if work.is_workday(day):
        return None
    year = now is not None and now.astimezone(settings.tz).year != day.year
    label = _day_label(day, year=year)
    what = "is a day off" if day in work.days_off else "is not a working day"
    before = work.previous_workday(day)
    if not work.is_workday(before):
        return f"{label} {what}."
    return f"{label} {what}; the previous working day is {_day_label(before, year=year)}."


def to_utc_iso(dt: datetime) -> str:
    """How datetimes are stored: UTC, seconds precision, `+00:00` (`2026-11-28T14:00:00+00:00`)."""
    _require_aware(dt, "to_utc_iso")
    return dt.astimezone(UTC).replace(microsecond=0).isoformat()


def from_iso(text: str) -> datetime:
    """Read what `to_utc_iso` wrote (any explicit offset, or Z) as an aware UTC datetime.

    Raises ValueError for anything else, including a time without an offset: stored data without
    one is not ours, and guessing its zone would shift every deadline.
    """
    value = datetime.fromisoformat(text)
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"no UTC offset in {text!r}")
    return value.astimezone(UTC)


def format_local(
    dt: datetime, tz: tzinfo, *, year: bool | None = None, now: datetime | None = None
) -> str:
    """`Fri 27 Nov 15:00` in `tz`. The year is shown when `year` is True, or when it is None and
    `now` is given and falls in another year."""
    _require_aware(dt, "format_local")
    local = dt.astimezone(tz)
    if year is None:
        year = now is not None and now.astimezone(tz).year != local.year
    return f"{_day_label(local.date(), year=year)} {local:%H:%M}"


def relative(when: datetime, now: datetime, *, past: str = "late", tz: tzinfo | None = None) -> str:
    """`in 45m`, `in 2h 30m`, `in 1 day 23h`, `in 3 weeks 2 days`, `in 2 months`, `in 1 year`;
    `2h late` (or `2h ago` with past="ago"); `now` within a minute either way.

    Under a day it is elapsed time, so a DST change does not add or lose an hour. From a day on,
    days, weeks and months are counted on the calendar of `tz` (default: `now`'s zone), so the
    23-hour spring-forward Sunday still makes "in 2 days" two days. Never rounded down by nearly a
    unit: 4 days 23 hours is `4 days 23h`, not `4 days`.
    """
    _require_aware(when, "relative")
    _require_aware(now, "relative")
    # Subtract in UTC: Python subtracts datetimes sharing a tzinfo on the wall clock.
    seconds = (when.astimezone(UTC) - now.astimezone(UTC)).total_seconds()
    if abs(seconds) < 60:
        return "now"
    zone = tz or now.tzinfo
    assert zone is not None
    wall_when = when.astimezone(zone).replace(tzinfo=None)
    wall_now = now.astimezone(zone).replace(tzinfo=None)
    earlier, later = sorted((wall_now, wall_when))
    if later - earlier >= timedelta(days=1) and (wall_when > wall_now) == (seconds > 0):
        words = say_parts(_calendar_parts(earlier, later))
    else:
        words = say_parts(elapsed_parts(abs(seconds)))
    return f"in {words}" if seconds > 0 else f"{words} {past}"


def span(seconds: float) -> str:
    """Elapsed seconds in words (a slip, a median): `duration_words` for callers that hold
    seconds."""
    return duration_words(seconds)


def describe_due(when: datetime, now: datetime, tz: tzinfo) -> str:
    """`due Fri 27 Nov 15:00 — in 3 days` (or `— 2h late`)."""
    return f"due {format_local(when, tz, now=now)} — {relative(when, now, tz=tz)}"


def _calendar_parts(start: datetime, end: datetime) -> list[tuple[int, str]]:
    """Wall-clock `start` to `end` (at least a day) as days and hours under two weeks, weeks and
    days (nearest day) under two calendar months, months and days under six, then years and
    months (nearest month)."""
    delta = end - start
    if delta < timedelta(days=14):
        hours = int(delta.total_seconds() // 3600)
        return [(hours // 24, "day"), (hours % 24, "hour")]
    gap = relativedelta(end, start)
    months = gap.years * 12 + gap.months
    if months < 2:
        days = round(delta.total_seconds() / 86400)
        return [(days // 7, "week"), (days % 7, "day")]
    rest = end - (start + relativedelta(months=months))
    rest_days = round(rest.total_seconds() / 86400)
    if months < 6:
        return [(months, "month"), (rest_days, "day")]
    # From half a year on, the nearest month: "11 months 29 days" is "1 year" to anyone.
    months += rest_days >= 15
    return [(months // 12, "year"), (months % 12, "month")]


# --- reading a deadline -------------------------------------------------------------------------


def _read(text: str, now: datetime, settings: Settings) -> _Reading:
    """The deadline grammar, past or not. Every refusal is a one-line BadInput that shows valid
    examples."""
    try:
        return _read_phrase(text, now, settings)
    except OverflowError:
        # Only reachable near year 9999, but a traceback is never the answer to user input.
        raise BadInput(f"'{_shown(text)}' is too far away; try: {EXAMPLES}") from None
    except BadInput as exc:
        if "try" in str(exc) or "; write " in str(exc):
            raise
        raise BadInput(f"{exc}; try: {EXAMPLES}") from None


def _read_phrase(text: str, now: datetime, settings: Settings) -> _Reading:
    tz, work = settings.tz, settings.work
    local_now = _local_now(now, tz)
    today = local_now.date()
    phrase = _normalize(text)
    if not phrase:
        raise BadInput(f"a date can't be empty; try: {EXAMPLES}")
    if phrase in _VAGUE:
        raise BadInput(_VAGUE[phrase])

    # "in ..." and "+..." are only ever offsets; "in 2 pm" is not "2 pm".
    for lead in ("in ", "+"):
        if phrase.startswith(lead):
            amounts = read_amounts(phrase[len(lead) :])
            if not amounts:
                raise _unreadable(text)
            return _Reading(_shift(local_now, amounts, +1, text, work, strict=True))

    if match := _ISO.fullmatch(phrase):
        day, clock, offset = _iso_parts(match, text)
        if offset is not None:
            return _Reading(datetime.combine(day, clock or time(0), offset).astimezone(tz))
        return _end_of(day, clock, tz, work, whole_day=clock is None)

    if match := _NUMERIC_DATE.search(phrase):
        raise _ambiguous(match.group(), today)

    if phrase in _END_OF_DAY:
        return _Reading(_end_of(today, None, tz, work).at, "tomorrow")
    if phrase == "eow":
        return _end_of(_end_of_week(today, work), None, tz, work)
    if phrase in _PERIOD_ENDS:
        return _end_of(_end_of_period(today, _PERIOD_ENDS[phrase], work), None, tz, work)

    words = phrase.split()
    if len(words) > 1 and (words[0] in _END_OF_DAY or words[-1] in _END_OF_DAY):
        # "fri eod" / "eod fri": that day's end of working day, stated rather than defaulted.
        date_part = " ".join(words[1:] if words[0] in _END_OF_DAY else words[:-1])
        if _find_clock(date_part):
            raise _unreadable(text)
        day = _resolve_date(date_part, today, work, text)
        if day is None:
            raise _unreadable(text)
        return _Reading(_end_of(day, None, tz, work).at, _retry(date_part, day, today, "eod"))

    date_part, clock, clock_text = _split_time(phrase)
    if not date_part:
        # A time alone is today; if that has passed, tomorrow is the likely meaning.
        return _Reading(_end_of(today, clock, tz, work).at, f"tomorrow {clock_text}")
    day = _resolve_date(date_part, today, work, text)
    if day is None:
        raise _unreadable(text)
    reading = _end_of(day, clock, tz, work, whole_day=clock is None)
    return _Reading(reading.at, _retry(date_part, day, today, clock_text), reading.whole_day)


def _end_of(
    day: date, clock: time | None, tz: tzinfo, work: WorkTime, *, whole_day: bool = False
) -> _Reading:
    """`day` at `clock`, or at the end of its working day when there is no clock."""
    at = _localize(datetime.combine(day, clock or work.end_of_day(day)), tz)
    return _Reading(at, whole_day=whole_day)


def _retry(date_part: str, day: date, today: date, clock_text: str) -> str | None:
    """What to suggest when the day a phrase named is past: tomorrow for today, next year's for a
    month-day, next week's for "this fri"."""
    if date_part == "today":
        return f"tomorrow {clock_text}".strip()
    match = _MONTH_DAY.fullmatch(date_part) or _DAY_MONTH.fullmatch(date_part)
    if match and not match["year"] and day < today:
        return f"{date_part} {day.year + 1} {clock_text}".strip()
    if date_part.startswith("this "):
        return f"next {date_part[len('this ') :]} {clock_text}".strip()
    return None


def _read_since(text: str, now: datetime, settings: Settings) -> datetime:
    tz = settings.tz
    local_now = _local_now(now, tz)
    today = local_now.date()
    phrase = _normalize(text)
    if not phrase:
        raise BadInput(f"--since can't be empty; try: {SINCE_EXAMPLES}")
    start: datetime
    if phrase == "today":
        start = _start_of_day(today, tz)
    elif phrase == "yesterday":
        start = _start_of_day(today - timedelta(days=1), tz)
    elif match := _LAST_WEEKDAY.fullmatch(phrase):
        back = (today.weekday() - WEEKDAYS[match["wd"]]) % 7 or 7
        start = _start_of_day(today - timedelta(days=back), tz)
    elif phrase.endswith(" ago") and (amounts := read_amounts(phrase[: -len(" ago")])):
        # A "2 days ago" that lands in a DST gap moves forward rather than failing a standup.
        start = _shift(local_now, amounts, -1, text, settings.work, strict=False)
    elif match := _ISO.fullmatch(phrase):
        day, clock, offset = _iso_parts(match, text)
        if offset is not None:
            start = datetime.combine(day, clock or time(0), offset).astimezone(tz)
        elif clock is not None:
            start = _localize(datetime.combine(day, clock), tz)
        else:
            start = _start_of_day(day, tz)
    elif match := _MONTH_DAY.fullmatch(phrase) or _DAY_MONTH.fullmatch(phrase):
        start = _start_of_day(_month_day_of(match, today, text), tz)
    elif match := _NUMERIC_DATE.search(phrase):
        raise _ambiguous(match.group(), today)
    else:
        raise BadInput(f"can't read '{_shown(text)}' as a point in the past; try: {SINCE_EXAMPLES}")
    if start.astimezone(UTC) > local_now.astimezone(UTC):
        raise BadInput(
            f"'{_shown(text)}' is in the future ({format_local(start, tz, now=now)}); "
            f"--since wants a point in the past, e.g. {SINCE_EXAMPLES}"
        )
    return start


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


def _find_clock(phrase: str) -> re.Match[str] | None:
    return _TIME_AT_END.search(phrase) or _TIME_AT_START.match(phrase)


def _split_time(phrase: str) -> tuple[str, time | None, str]:
    """Split "fri at 3pm" (or "3pm fri") into ("fri", 15:00, "3pm"); a phrase without a time keeps
    all of it."""
    if match := _TIME_AT_END.search(phrase):
        return phrase[: match.start()].strip(), _clock_of(match), match["time"]
    if match := _TIME_AT_START.match(phrase):
        return phrase[match.end() :].strip(), _clock_of(match), match["time"]
    return phrase, None, ""


def _resolve_date(part: str, today: date, work: WorkTime, text: str) -> date | None:
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
        return _first_workday(first, first + relativedelta(months=1, days=-1), work)
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
    if match := _MONTH_DAY.fullmatch(part) or _DAY_MONTH.fullmatch(part):
        return _month_day_of(match, today, text)
    if match := _ISO_DATE.fullmatch(part):
        return _real_date(int(match["y"]), int(match["mo"]), int(match["d"]), text)
    return None


def _month_day_of(match: re.Match[str], today: date, text: str) -> date:
    """The day a `_MONTH_DAY` / `_DAY_MONTH` match names: with a year that one; without, the
    nearest occurrence within six months of today (never a year away)."""
    month, day = MONTHS[match["month"]], int(match["day"])
    if match["year"]:
        return _real_date(int(match["year"]), month, day, text)
    nearest = _nearest(month, day, today)
    if nearest is None:
        raise BadInput(f"'{_shown(text)}' is not a real date")
    if abs((nearest - today).days) > _NEAR_DAYS:
        raise BadInput(
            f"'{_shown(text)}' is not within six months of today; "
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


def _ambiguous(token: str, today: date) -> BadInput:
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
        raise BadInput(f"'{_shown(text)}' is not a real date") from None


def _iso_parts(match: re.Match[str], text: str) -> tuple[date, time | None, tzinfo | None]:
    """Date, time (None when absent) and explicit offset (None when absent) of an ISO match."""
    day = _real_date(int(match["y"]), int(match["mo"]), int(match["d"]), text)
    if match["h"] is None:
        return day, None, None
    try:
        clock = time(int(match["h"]), int(match["mi"]), int(match["s"] or 0))
    except ValueError:
        raise BadInput(f"'{_shown(text)}' has no such time of day; use 00:00 to 23:59") from None
    offset_text = match["offset"]
    if offset_text is None:
        return day, clock, None
    if offset_text == "z":
        return day, clock, UTC
    digits = offset_text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:])
    if hours > 23 or minutes > 59:
        raise BadInput(f"'{_shown(text)}' has an impossible UTC offset {offset_text}")
    offset = timedelta(hours=hours, minutes=minutes)
    return day, clock, timezone(-offset if offset_text[0] == "-" else offset)


def _end_of_week(today: date, work: WorkTime) -> date:
    """The last working day left in this ISO week (today counts), else its Friday.

    On a weekend this week's Friday is gone, so the coming week's end is meant.
    """
    monday = today - timedelta(days=today.weekday())
    remaining = [monday + timedelta(days=i) for i in range(today.weekday(), 7)]
    workdays = [day for day in remaining if work.is_workday(day)]
    if workdays:
        return workdays[-1]
    friday = monday + timedelta(days=4)
    if friday >= today:
        return friday
    return _end_of_week(monday + timedelta(days=7), work)


def _end_of_period(today: date, period: str, work: WorkTime) -> date:
    """The last working day of this month or quarter; once that is gone (a month ending on a
    weekend), the next period's."""
    months = 1 if period == "month" else 3
    first = today.replace(day=1, month=today.month - (today.month - 1) % months)
    while True:
        following = first + relativedelta(months=months)
        last = following - timedelta(days=1)
        day = _last_workday(first, last, work)
        if day >= today:
            return day
        first = following


def _last_workday(first: date, last: date, work: WorkTime) -> date:
    """The last working day in first..last, or `last` when none is (a month of leave)."""
    day = last
    while day >= first:
        if work.is_workday(day):
            return day
        day -= timedelta(days=1)
    return last


def _first_workday(first: date, last: date, work: WorkTime) -> date:
    """The first working day in first..last, or `first` when none is."""
    day = first
    while day <= last:
        if work.is_workday(day):
            return day
        day += timedelta(days=1)
    return first


def _shift(
    local_now: datetime,
    amounts: dict[str, int],
    sign: int,
    text: str,
    work: WorkTime,
    *,
    strict: bool,
) -> datetime:
    """Months, weeks and days on the wall clock (same time of day across DST; "in 1 month" from
    Jan 31 is Feb 28), working days skipping weekends and days off, then hours, minutes and
    seconds as elapsed time (computed in UTC)."""
    tz = local_now.tzinfo
    assert tz is not None
    try:
        if "workdays" in amounts:
            if len(amounts) > 1:
                raise BadInput(f"'{_shown(text)}' mixes working days with other amounts")
            day = _step_workdays(local_now.date(), amounts["workdays"], sign, work, text)
            wall = datetime.combine(day, local_now.time())
            return _localize(wall, tz) if strict else wall_clock(wall, tz)
        calendar = relativedelta(
            months=amounts.get("months", 0),
            weeks=amounts.get("weeks", 0),
            days=amounts.get("days", 0),
        )
        start = local_now
        if calendar:
            wall = local_now.replace(tzinfo=None) + calendar * sign
            start = _localize(wall, tz) if strict else wall_clock(wall, tz)
        elapsed = timedelta(
            hours=amounts.get("hours", 0),
            minutes=amounts.get("minutes", 0),
            seconds=amounts.get("seconds", 0),
        )
        return (start.astimezone(UTC) + elapsed * sign).astimezone(tz)
    except (OverflowError, ValueError):
        raise BadInput(f"'{_shown(text)}' is too far away") from None


def _step_workdays(today: date, count: int, sign: int, work: WorkTime, text: str) -> date:
    """The `count`-th working day after (sign +1) or before (-1) today."""
    if count > 3660:
        raise BadInput(f"'{_shown(text)}' is too far away")
    day = today
    for _ in range(count):
        for _ in range(15):
            day += timedelta(days=sign)
            if work.is_workday(day):
                break
        else:
            raise BadInput(
                f"no working day near {_day_label(day, year=True)}; check [work] days in the config"
            )
    return day


# --- small helpers ------------------------------------------------------------------------------


def _localize(naive: datetime, tz: tzinfo) -> datetime:
    """Attach `tz` to a wall-clock time, refusing one the clocks skip (a DST gap).

    zoneinfo accepts 02:30 on a spring-forward night and quietly means 03:30; round-tripping through
    UTC shows the shift. A repeated time (autumn) keeps fold=0: its first occurrence.
    """
    aware = naive.replace(tzinfo=tz, fold=0)
    if aware.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != naive.replace(fold=0):
        zone = getattr(tz, "key", None) or str(tz)
        raise BadInput(
            f"{naive:%H:%M} does not exist on {_day_label(naive.date(), year=True)} in {zone} "
            "(the clocks skip it for daylight saving); pick another time"
        )
    return aware


def wall_clock(naive: datetime, tz: tzinfo) -> datetime:
    """A wall-clock time in `tz`, leniently: a time the clocks skip (a DST gap) moves forward by
    the gap, as the clocks do; a repeated time means its first occurrence. `_localize` is the
    strict form, for deadlines the user typed."""
    return naive.replace(tzinfo=tz, fold=0).astimezone(UTC).astimezone(tz)


def _start_of_day(day: date, tz: tzinfo) -> datetime:
    # A few zones skip midnight itself; the day then starts when the clocks resume.
    return wall_clock(datetime.combine(day, time(0)), tz)


def _day_label(day: date, *, year: bool) -> str:
    label = f"{DAY_ABBR[day.weekday()]} {day.day} {MONTH_ABBR[day.month - 1]}"
    return f"{label} {day.year}" if year else label


def _local_now(now: datetime, tz: tzinfo) -> datetime:
    _require_aware(now, "now")
    return now.astimezone(tz)


def _require_aware(dt: datetime, what: str) -> None:
    # A naive datetime would be read in the machine's zone: a hidden clock/zone dependency.
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError(f"{what}: expected a timezone-aware datetime, got {dt!r}")


def _normalize(text: str) -> str:
    """Case-insensitive, any amount of whitespace."""
    return " ".join((text or "").lower().split())


def _shown(text: str) -> str:
    """The user's text for a one-line message: whitespace collapsed, long input cut short."""
    shown = " ".join((text or "").split())
    return shown if len(shown) <= 60 else shown[:57] + "..."


def _unreadable(text: str) -> BadInput:
    return BadInput(f"can't read '{_shown(text)}' as a date; try: {EXAMPLES}")


def relativedelta(*args, **kwargs):  # type: ignore[no-untyped-def]
    """dateutil's calendar arithmetic, loaded only by the phrases that count months (`eom`,
    `next month`, `in 2 months`, durations over a month): most commands never need it."""
    from dateutil.relativedelta import relativedelta as calendar_delta

    return calendar_delta(*args, **kwargs)
