"""Reading deadlines: `parse_deadline`, `parse_when`, `parse_due_by` and `parse_since` turn a whole
phrase into an aware datetime in the user's zone, or refuse it in one line that shows valid
examples. The pieces of a phrase are read by `phrases`; the calendar steps are taken in `clock`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import NamedTuple

from ..config import Settings, WorkTime
from ..errors import BadInput
from ..timewords import WEEKDAYS, read_amounts
from .clock import (
    day_label,
    end_of_period,
    end_of_week,
    localize,
    now_in,
    relativedelta,
    start_of_day,
    wall_clock,
)
from .phrases import (
    DAY_MONTH,
    END_OF_DAY,
    EXAMPLES,
    ISO,
    LAST_WEEKDAY,
    MONTH_DAY,
    NUMERIC_DATE,
    PAST_HINT,
    PERIOD_ENDS,
    SINCE_EXAMPLES,
    VAGUE,
    ambiguous,
    as_typed,
    find_clock,
    iso_parts,
    month_day_of,
    normalize,
    resolve_date,
    split_time,
    unreadable,
)
from .words import format_local


class _Reading(NamedTuple):
    """A parsed deadline; what to suggest instead when it turns out to be past; and whether it named
    a whole day (a date without a time, its end of working day filled in)."""

    at: datetime
    retry: str | None = None
    whole_day: bool = False


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
            today = now_in(now, settings.tz).date()
            past = "already past today" if reading.at.date() == today else "in the past"
            raise BadInput(
                f"'{as_typed(text)}' is {past} ({when}); try {reading.retry}, or {PAST_HINT}"
            )
        raise BadInput(f"that deadline is in the past ({when}); {PAST_HINT}")
    return reading.at


def parse_when(text: str, now: datetime, settings: Settings) -> datetime:
    """A point in time for filters (`--due-before`, `--after`): the deadline grammar, past allowed,
    plus `now`. `--due-before` is strictly before (`due < bound`); see `parse_due_by` for the
    inclusive form."""
    if normalize(text) == "now":
        return now_in(now, settings.tz)
    return _read(text, now, settings).at


def parse_due_by(text: str, now: datetime, settings: Settings) -> datetime:
    """The inclusive upper bound for `pk list --due-by WHEN`: keep promises with `due <= bound`.

    A day without a time ("fri", "tomorrow", "dec 3", "2026-12-03") means the whole of that day:
    the bound is the last microsecond of that calendar day in `settings.tz` (stored deadlines have
    whole seconds, so `<=` takes everything that day). A phrase with a time ("fri 3pm", "in 2h",
    "now") is that instant, included; `eod`, `eow`, `eom`, `eoq` name the end of the working day
    itself. `--due-before` stays strictly before: use `parse_when` and `<` for it.
    """
    if normalize(text) == "now":
        return now_in(now, settings.tz)
    reading = _read(text, now, settings)
    if not reading.whole_day:
        return reading.at
    next_day = reading.at.astimezone(settings.tz).date() + timedelta(days=1)
    try:
        return start_of_day(next_day, settings.tz) - timedelta(microseconds=1)
    except OverflowError:
        raise BadInput(f"'{as_typed(text)}' is too far away") from None


def parse_since(text: str, now: datetime, settings: Settings) -> datetime:
    """A point in the past for `standup --since`: `2 days ago`, `3h ago`, `yesterday`, `today`,
    `mon` / `last mon` (the most recent Monday before today), `nov 20` (its nearest occurrence),
    or an ISO date or date-time.

    Days start at 00:00 local time. A future point is refused.
    """
    try:
        return _read_since(text, now, settings)
    except OverflowError:
        raise BadInput(f"'{as_typed(text)}' is too far away") from None


def _read(text: str, now: datetime, settings: Settings) -> _Reading:
    """The deadline grammar, past or not. Every refusal is a one-line BadInput that shows valid
    examples."""
    try:
        return _read_phrase(text, now, settings)
    except OverflowError:
        # Only reachable near year 9999, but a traceback is never the answer to user input.
        raise BadInput(f"'{as_typed(text)}' is too far away; try: {EXAMPLES}") from None
    except BadInput as exc:
        if "try" in str(exc) or "; write " in str(exc):
            raise
        raise BadInput(f"{exc}; try: {EXAMPLES}") from None


def _read_phrase(text: str, now: datetime, settings: Settings) -> _Reading:
    tz, work = settings.tz, settings.work
    local_now = now_in(now, tz)
    today = local_now.date()
    phrase = normalize(text)
    if not phrase:
        raise BadInput(f"a date can't be empty; try: {EXAMPLES}")
    if phrase in VAGUE:
        raise BadInput(VAGUE[phrase])

    # "in ..." and "+..." are only ever offsets; "in 2 pm" is not "2 pm".
    for lead in ("in ", "+"):
        if phrase.startswith(lead):
            amounts = read_amounts(phrase[len(lead) :])
            if not amounts:
                raise unreadable(text)
            return _Reading(_shift(local_now, amounts, +1, text, work, strict=True))

    if match := ISO.fullmatch(phrase):
        day, clock, offset = iso_parts(match, text)
        if offset is not None:
            return _Reading(datetime.combine(day, clock or time(0), offset).astimezone(tz))
        return _end_of(day, clock, tz, work, whole_day=clock is None)

    if match := NUMERIC_DATE.search(phrase):
        raise ambiguous(match.group(), today)

    if phrase in END_OF_DAY:
        return _Reading(_end_of(today, None, tz, work).at, "tomorrow")
    if phrase == "eow":
        return _end_of(end_of_week(today, work), None, tz, work)
    if phrase in PERIOD_ENDS:
        return _end_of(end_of_period(today, PERIOD_ENDS[phrase], work), None, tz, work)

    words = phrase.split()
    if len(words) > 1 and (words[0] in END_OF_DAY or words[-1] in END_OF_DAY):
        # "fri eod" / "eod fri": that day's end of working day, stated rather than defaulted.
        date_part = " ".join(words[1:] if words[0] in END_OF_DAY else words[:-1])
        if find_clock(date_part):
            raise unreadable(text)
        day = resolve_date(date_part, today, work, text)
        if day is None:
            raise unreadable(text)
        return _Reading(_end_of(day, None, tz, work).at, _retry(date_part, day, today, "eod"))

    date_part, clock, clock_text = split_time(phrase)
    if not date_part:
        # A time alone is today; if that has passed, tomorrow is the likely meaning.
        return _Reading(_end_of(today, clock, tz, work).at, f"tomorrow {clock_text}")
    day = resolve_date(date_part, today, work, text)
    if day is None:
        raise unreadable(text)
    reading = _end_of(day, clock, tz, work, whole_day=clock is None)
    return _Reading(reading.at, _retry(date_part, day, today, clock_text), reading.whole_day)


def _end_of(
    day: date, clock: time | None, tz: tzinfo, work: WorkTime, *, whole_day: bool = False
) -> _Reading:
    """`day` at `clock`, or at the end of its working day when there is no clock."""
    at = localize(datetime.combine(day, clock or work.end_of_day(day)), tz)
    return _Reading(at, whole_day=whole_day)


def _retry(date_part: str, day: date, today: date, clock_text: str) -> str | None:
    """What to suggest when the day a phrase named is past: tomorrow for today, next year's for a
    month-day, next week's for "this fri"."""
    if date_part == "today":
        return f"tomorrow {clock_text}".strip()
    match = MONTH_DAY.fullmatch(date_part) or DAY_MONTH.fullmatch(date_part)
    if match and not match["year"] and day < today:
        return f"{date_part} {day.year + 1} {clock_text}".strip()
    if date_part.startswith("this "):
        return f"next {date_part[len('this ') :]} {clock_text}".strip()
    return None


def _read_since(text: str, now: datetime, settings: Settings) -> datetime:
    tz = settings.tz
    local_now = now_in(now, tz)
    today = local_now.date()
    phrase = normalize(text)
    if not phrase:
        raise BadInput(f"--since can't be empty; try: {SINCE_EXAMPLES}")
    start: datetime
    if phrase == "today":
        start = start_of_day(today, tz)
    elif phrase == "yesterday":
        start = start_of_day(today - timedelta(days=1), tz)
    elif match := LAST_WEEKDAY.fullmatch(phrase):
        back = (today.weekday() - WEEKDAYS[match["wd"]]) % 7 or 7
        start = start_of_day(today - timedelta(days=back), tz)
    elif phrase.endswith(" ago") and (amounts := read_amounts(phrase[: -len(" ago")])):
        # A "2 days ago" that lands in a DST gap moves forward rather than failing a standup.
        start = _shift(local_now, amounts, -1, text, settings.work, strict=False)
    elif match := ISO.fullmatch(phrase):
        day, clock, offset = iso_parts(match, text)
        if offset is not None:
            start = datetime.combine(day, clock or time(0), offset).astimezone(tz)
        elif clock is not None:
            start = localize(datetime.combine(day, clock), tz)
        else:
            start = start_of_day(day, tz)
    elif match := MONTH_DAY.fullmatch(phrase) or DAY_MONTH.fullmatch(phrase):
        start = start_of_day(month_day_of(match, today, text), tz)
    elif match := NUMERIC_DATE.search(phrase):
        raise ambiguous(match.group(), today)
    else:
        raise BadInput(
            f"can't read '{as_typed(text)}' as a point in the past; try: {SINCE_EXAMPLES}"
        )
    if start.astimezone(UTC) > local_now.astimezone(UTC):
        raise BadInput(
            f"'{as_typed(text)}' is in the future ({format_local(start, tz, now=now)}); "
            f"--since wants a point in the past, e.g. {SINCE_EXAMPLES}"
        )
    return start


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
                raise BadInput(f"'{as_typed(text)}' mixes working days with other amounts")
            day = _step_workdays(local_now.date(), amounts["workdays"], sign, work, text)
            wall = datetime.combine(day, local_now.time())
            return localize(wall, tz) if strict else wall_clock(wall, tz)
        calendar = relativedelta(
            months=amounts.get("months", 0),
            weeks=amounts.get("weeks", 0),
            days=amounts.get("days", 0),
        )
        start = local_now
        if calendar:
            wall = local_now.replace(tzinfo=None) + calendar * sign
            start = localize(wall, tz) if strict else wall_clock(wall, tz)
        elapsed = timedelta(
            hours=amounts.get("hours", 0),
            minutes=amounts.get("minutes", 0),
            seconds=amounts.get("seconds", 0),
        )
        return (start.astimezone(UTC) + elapsed * sign).astimezone(tz)
    except (OverflowError, ValueError):
        raise BadInput(f"'{as_typed(text)}' is too far away") from None


def _step_workdays(today: date, count: int, sign: int, work: WorkTime, text: str) -> date:
    """The `count`-th working day after (sign +1) or before (-1) today."""
    if count > 3660:
        raise BadInput(f"'{as_typed(text)}' is too far away")
    day = today
    for _ in range(count):
        for _ in range(15):
            day += timedelta(days=sign)
            if work.is_workday(day):
                break
        else:
            raise BadInput(
                f"no working day near {day_label(day, year=True)}; check [work] days in the config"
            )
    return day
