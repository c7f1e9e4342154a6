"""Natural deadlines in, readable times out.

`parse_deadline("fri 3pm", now, settings)` turns what people type into an aware datetime in the
user's zone; `describe_due` and `relative` turn it back into words.

The grammar is a small, strict set of regular expressions on purpose. A fuzzy parser
(dateutil.parser) reads "call bob about 2 invoices" as the 2nd of this month, and a wrong deadline
stored silently is worse than a refusal the user can fix in a second.

Nothing here reads the clock: `now` is always a parameter. Calendar steps ("tomorrow", "in 3 days")
are taken on the wall clock of `settings.tz`, so "tomorrow 9am" is 09:00 even across a DST change;
hours and minutes are elapsed time. A wall-clock time the clocks skip is refused, a time they repeat
means its first occurrence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo

from dateutil.relativedelta import relativedelta

from .config import Settings, WorkTime, parse_duration
from .errors import BadInput

__all__ = [
    "describe_due",
    "format_local",
    "from_iso",
    "parse_deadline",
    "parse_duration",
    "parse_since",
    "parse_when",
    "relative",
    "to_utc_iso",
]

EXAMPLES = "tomorrow 3pm, fri, eod, in 2 days, dec 3 14:00, 2026-12-03"
SINCE_EXAMPLES = "yesterday, mon, 2 days ago, 3h ago, 2026-11-20"
PAST_HINT = "add --past to log something already late"

# English names for output: strftime's %a/%b follow the C locale and would change under LANG.
_DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

_WEEKDAYS = {
    **dict.fromkeys(("mon", "monday"), 0),
    **dict.fromkeys(("tue", "tues", "tuesday"), 1),
    **dict.fromkeys(("wed", "weds", "wednesday"), 2),
    **dict.fromkeys(("thu", "thur", "thurs", "thursday"), 3),
    **dict.fromkeys(("fri", "friday"), 4),
    **dict.fromkeys(("sat", "saturday"), 5),
    **dict.fromkeys(("sun", "sunday"), 6),
}
_MONTHS = {
    **dict.fromkeys(("jan", "january"), 1),
    **dict.fromkeys(("feb", "february"), 2),
    **dict.fromkeys(("mar", "march"), 3),
    **dict.fromkeys(("apr", "april"), 4),
    **dict.fromkeys(("may",), 5),
    **dict.fromkeys(("jun", "june"), 6),
    **dict.fromkeys(("jul", "july"), 7),
    **dict.fromkeys(("aug", "august"), 8),
    **dict.fromkeys(("sep", "sept", "september"), 9),
    **dict.fromkeys(("oct", "october"), 10),
    **dict.fromkeys(("nov", "november"), 11),
    **dict.fromkeys(("dec", "december"), 12),
}


def _one_of(words: dict[str, int]) -> str:
    # Longest first, so the alternation tries "thursday" before "thu".
    return "|".join(sorted(words, key=len, reverse=True))


_WD = _one_of(_WEEKDAYS)
_MON = _one_of(_MONTHS)
# re.ASCII everywhere: `\d` would otherwise accept Arabic-Indic and other digits.
_FLAGS = re.ASCII

# A time of day at the end of the phrase, optionally after "at": "3pm", "3:30 pm", "15:30", "noon".
# A bare number ("fri 3") is not a time: it could be a day of the month or an hour.
_TIME_AT_END = re.compile(
    r"(?:^|\s)(?:at\s+)?(?P<time>noon"
    r"|(?P<h12>\d{1,2})(?::(?P<m12>\d{2}))?\s?(?P<ampm>am|pm)"
    r"|(?P<h24>\d{1,2}):(?P<m24>\d{2}))$",
    _FLAGS,
)
_WEEKDAY = re.compile(rf"(?P<next>next\s+)?(?P<wd>{_WD})", _FLAGS)
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
# One amount of an offset: "2 days", "2d", "1w", "90m", "1h" (several may follow: "1h30m").
_AMOUNT = re.compile(
    r"(?P<n>\d+)\s*(?P<unit>weeks?|wks?|w|days?|d|hours?|hrs?|h|minutes?|mins?|m)(?![a-z])\s*",
    _FLAGS,
)


@dataclass(frozen=True)
class _Reading:
    """A parsed deadline, and what to suggest instead when it turns out to be earlier today."""

    at: datetime
    retry: str | None = None


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
            raise BadInput(
                f"'{_shown(text)}' is already past today ({when}); "
                f"try {reading.retry}, or {PAST_HINT}"
            )
        raise BadInput(f"that deadline is in the past ({when}); {PAST_HINT}")
    return reading.at


def parse_when(text: str, now: datetime, settings: Settings) -> datetime:
    """A point in time for filters (`--due-before`, `--after`): the deadline grammar, past allowed,
    plus `now`."""
    if _normalize(text) == "now":
        return _local_now(now, settings.tz)
    return _read(text, now, settings).at


def parse_since(text: str, now: datetime, settings: Settings) -> datetime:
    """A point in the past for `standup --since`: `2 days ago`, `3h ago`, `yesterday`, `today`,
    `mon` / `last mon` (the most recent Monday before today), or an ISO date or date-time.

    Days start at 00:00 local time. A future point is refused.
    """
    try:
        return _read_since(text, now, settings)
    except OverflowError:
        raise BadInput(f"'{_shown(text)}' is too far away") from None


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


def relative(when: datetime, now: datetime, *, past: str = "late") -> str:
    """`in 45m`, `in 2h 30m`, `in 3 days`, `in 2 weeks`; `2h late` (or `2h ago` with past="ago");
    `now` within a minute either way. Elapsed time, so a DST change does not add or lose an hour."""
    _require_aware(when, "relative")
    _require_aware(now, "relative")
    # Subtract in UTC: Python subtracts datetimes sharing a tzinfo on the wall clock.
    seconds = (when.astimezone(UTC) - now.astimezone(UTC)).total_seconds()
    if abs(seconds) < 60:
        return "now"
    span_words = span(abs(seconds))
    return f"in {span_words}" if seconds > 0 else f"{span_words} {past}"


def describe_due(when: datetime, now: datetime, tz: tzinfo) -> str:
    """`due Fri 27 Nov 15:00 — in 3 days` (or `— 2h late`)."""
    return f"due {format_local(when, tz, now=now)} — {relative(when, now)}"


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
        if "try" in str(exc):
            raise
        raise BadInput(f"{exc}; try: {EXAMPLES}") from None


def _read_phrase(text: str, now: datetime, settings: Settings) -> _Reading:
    tz, work = settings.tz, settings.work
    local_now = _local_now(now, tz)
    today = local_now.date()
    phrase = _normalize(text)
    if not phrase:
        raise BadInput(f"a date can't be empty; try: {EXAMPLES}")

    # "in ..." is only ever an offset; "in 2 pm" is not "2 pm".
    if phrase.startswith("in "):
        amounts = _amounts(phrase[len("in ") :])
        if not amounts:
            raise _unreadable(text)
        return _Reading(_shift(local_now, amounts, +1, text, strict=True))

    if match := _ISO.fullmatch(phrase):
        day, clock, offset = _iso_parts(match, text)
        if offset is not None:
            return _Reading(datetime.combine(day, clock or time(0), offset).astimezone(tz))
        return _Reading(_localize(datetime.combine(day, clock or work.end_of_day(day)), tz))

    if _NUMERIC_DATE.search(phrase):
        raise BadInput(
            f"'{_shown(text)}' is ambiguous (day/month or month/day?); "
            "write the date as 2026-01-02 or 'jan 2'"
        )

    if phrase == "eod":
        return _Reading(_localize(datetime.combine(today, work.end_of_day(today)), tz), "tomorrow")
    if phrase == "eow":
        day = _end_of_week(today, work)
        return _Reading(_localize(datetime.combine(day, work.end_of_day(day)), tz))

    date_part, clock, clock_text = _split_time(phrase)
    if not date_part:
        # A time alone is today; if that has passed, tomorrow is the likely meaning.
        day, retry = today, f"tomorrow {clock_text}"
    else:
        resolved = _resolve_date(date_part, today, text)
        if resolved is None:
            raise _unreadable(text)
        day = resolved
        retry = f"tomorrow {clock_text}".strip() if date_part == "today" else None
    at = _localize(datetime.combine(day, clock or work.end_of_day(day)), tz)
    return _Reading(at, retry)


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
        back = (today.weekday() - _WEEKDAYS[match["wd"]]) % 7 or 7
        start = _start_of_day(today - timedelta(days=back), tz)
    elif phrase.endswith(" ago") and (amounts := _amounts(phrase[: -len(" ago")])):
        # A "2 days ago" that lands in a DST gap moves forward rather than failing a standup.
        start = _shift(local_now, amounts, -1, text, strict=False)
    elif match := _ISO.fullmatch(phrase):
        day, clock, offset = _iso_parts(match, text)
        if offset is not None:
            start = datetime.combine(day, clock or time(0), offset).astimezone(tz)
        elif clock is not None:
            start = _localize(datetime.combine(day, clock), tz)
        else:
            start = _start_of_day(day, tz)
    else:
        raise BadInput(f"can't read '{_shown(text)}' as a point in the past; try: {SINCE_EXAMPLES}")
    if start.astimezone(UTC) > local_now.astimezone(UTC):
        raise BadInput(
            f"'{_shown(text)}' is in the future ({format_local(start, tz, now=now)}); "
            f"--since wants a point in the past, e.g. {SINCE_EXAMPLES}"
        )
    return start


def _split_time(phrase: str) -> tuple[str, time | None, str]:
    """Split "fri at 3pm" into ("fri", 15:00, "3pm"); a phrase without a time keeps all of it."""
    match = _TIME_AT_END.search(phrase)
    if not match:
        return phrase, None, ""
    shown = match["time"]
    if shown == "noon":
        clock = time(12)
    elif match["ampm"]:
        hour, minute = int(match["h12"]), int(match["m12"] or 0)
        if not 1 <= hour <= 12 or minute > 59:
            raise BadInput(f"'{shown}' is not a time of day; with am/pm use 1-12, e.g. 3:30pm")
        clock = time(hour % 12 + (12 if match["ampm"] == "pm" else 0), minute)
    else:
        hour, minute = int(match["h24"]), int(match["m24"])
        if hour > 23 or minute > 59:
            raise BadInput(f"'{shown}' is not a time of day; use 00:00 to 23:59, or 3pm")
        clock = time(hour, minute)
    return phrase[: match.start()].strip(), clock, shown


def _resolve_date(part: str, today: date, text: str) -> date | None:
    """The calendar day a date phrase names, or None when `part` is not a date phrase."""
    if part == "today":
        return today
    if part == "tomorrow":
        return today + timedelta(days=1)
    next_monday = today + timedelta(days=7 - today.weekday())
    if part == "next week":
        return next_monday
    if match := _WEEKDAY.fullmatch(part):
        weekday = _WEEKDAYS[match["wd"]]
        if match["next"]:
            # "next fri" is the Friday of next week, even on a Monday when "fri" is this week's.
            return next_monday + timedelta(days=weekday)
        # Strictly after today: on a Friday, "fri" means a week from now, never today.
        return today + timedelta(days=(weekday - today.weekday()) % 7 or 7)
    if match := _MONTH_DAY.fullmatch(part) or _DAY_MONTH.fullmatch(part):
        month, day = _MONTHS[match["month"]], int(match["day"])
        return _month_day(month, day, int(match["year"]) if match["year"] else None, today, text)
    if match := _ISO_DATE.fullmatch(part):
        return _real_date(int(match["y"]), int(match["mo"]), int(match["d"]), text)
    return None


def _month_day(month: int, day: int, year: int | None, today: date, text: str) -> date:
    """`dec 3` without a year is the next Dec 3 still to come (today counts)."""
    if year is not None:
        return _real_date(year, month, day, text)
    for candidate_year in (today.year, today.year + 1):
        try:
            candidate = date(candidate_year, month, day)
        except ValueError:
            continue  # Feb 29 outside a leap year: try the next year.
        if candidate >= today:
            return candidate
    raise BadInput(f"'{_shown(text)}' is not a real date")


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


def _amounts(text: str) -> dict[str, int] | None:
    """`2 days`, `1h30m`, `1h 30m`, `2 weeks` as {"days": 2} etc.; None if not only amounts."""
    units = {"w": "weeks", "d": "days", "h": "hours", "m": "minutes"}
    found: dict[str, int] = {}
    position = 0
    while position < len(text):
        match = _AMOUNT.match(text, position)
        if not match:
            return None
        unit = units[match["unit"][0]]
        if unit in found:
            return None  # "2h 3h" is a typo, not five hours.
        found[unit] = int(match["n"])
        position = match.end()
    return found or None


def _shift(
    local_now: datetime, amounts: dict[str, int], sign: int, text: str, *, strict: bool
) -> datetime:
    """Days and weeks on the wall clock (same time of day across DST), then hours and minutes as
    elapsed time (computed in UTC)."""
    tz = local_now.tzinfo
    assert tz is not None
    try:
        calendar = relativedelta(weeks=amounts.get("weeks", 0), days=amounts.get("days", 0))
        start = local_now
        if calendar:
            wall = local_now.replace(tzinfo=None) + calendar * sign
            start = _localize(wall, tz) if strict else wall_clock(wall, tz)
        elapsed = timedelta(hours=amounts.get("hours", 0), minutes=amounts.get("minutes", 0))
        return (start.astimezone(UTC) + elapsed * sign).astimezone(tz)
    except (OverflowError, ValueError):
        raise BadInput(f"'{_shown(text)}' is too far away") from None


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
    label = f"{_DAY_NAMES[day.weekday()]} {day.day} {_MONTH_NAMES[day.month - 1]}"
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


def span(seconds: float) -> str:
    """A duration in words, rounded down: 45m, 2h 30m (under 10h), 15h, 3 days, 2 weeks. Under a
    minute but not zero is "1m": a slip of 20 seconds is still a slip."""
    minutes = int(seconds // 60)
    if minutes < 60:
        return f"{max(minutes, 1)}m" if seconds > 0 else "0m"
    hours, rest = divmod(minutes, 60)
    if hours < 10:
        return f"{hours}h {rest}m" if rest else f"{hours}h"
    if hours < 24:
        return f"{hours}h"
    days = hours // 24
    if days < 14:
        return "1 day" if days == 1 else f"{days} days"
    return f"{days // 7} weeks"
