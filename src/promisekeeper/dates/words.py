"""Writing times: `Fri 27 Nov 15:00`, `in 2h 30m`, `3 days late`, `due ... — in 3 days`, and the
note for a deadline on a day off. Nothing here reads the clock: `now` is always a parameter.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo

from ..config import Settings
from ..timewords import duration_words, elapsed_parts, say_parts
from .clock import add_months, day_label, months_between, require_aware


def off_day_note(due: datetime, settings: Settings, *, now: datetime | None = None) -> str | None:
    """The one extra line for a deadline on a weekend or a day off, else None:
    `Sat 5 Dec is not a working day; the previous working day is Fri 4 Dec.`

    Such deadlines are accepted (people do promise "by Saturday"); the line lets the user notice.
    The year is shown when `now` is given and the day falls in another year.
    """
    require_aware(due, "off_day_note")
    work = settings.work
    day = due.astimezone(settings.tz).date()
    if work.is_workday(day):
        return None
    year = now is not None and now.astimezone(settings.tz).year != day.year
    label = day_label(day, year=year)
    what = "is a day off" if day in work.days_off else "is not a working day"
    before = work.previous_workday(day)
    if not work.is_workday(before):
        return f"{label} {what}."
    return f"{label} {what}; the previous working day is {day_label(before, year=year)}."


def format_local(
    dt: datetime, tz: tzinfo, *, year: bool | None = None, now: datetime | None = None
) -> str:
    """`Fri 27 Nov 15:00` in `tz`. The year is shown when `year` is True, or when it is None and
    `now` is given and falls in another year."""
    require_aware(dt, "format_local")
    local = dt.astimezone(tz)
    if year is None:
        year = now is not None and now.astimezone(tz).year != local.year
    return local_label(local, year=year)


def local_label(local: datetime, *, year: bool) -> str:
    """`format_local` for a time already in the zone it is shown in: a listing converts each
    deadline once and uses it for the label and the relative words alike."""
    # Not `{local:%H:%M}`: strftime costs more than the rest of the label, once per listed line.
    return f"{day_label(local.date(), year=year)} {local.hour:02d}:{local.minute:02d}"


def relative(when: datetime, now: datetime, *, past: str = "late", tz: tzinfo | None = None) -> str:
    """`in 45m`, `in 2h 30m`, `in 1 day 23h`, `in 3 weeks 2 days`, `in 2 months`, `in 1 year`;
    `2h late` (or `2h ago` with past="ago"); `now` within a minute either way.

    Under a day it is elapsed time, so a DST change does not add or lose an hour. From a day on,
    days, weeks and months are counted on the calendar of `tz` (default: `now`'s zone), so the
    23-hour spring-forward Sunday still makes "in 2 days" two days. Never rounded down by nearly a
    unit: 4 days 23 hours is `4 days 23h`, not `4 days`.
    """
    require_aware(when, "relative")
    require_aware(now, "relative")
    # Subtract in UTC: Python subtracts datetimes sharing a tzinfo on the wall clock.
    seconds = (when.astimezone(UTC) - now.astimezone(UTC)).total_seconds()
    if abs(seconds) < 60:
        return "now"
    zone = tz or now.tzinfo
    assert zone is not None
    wall_when = when.astimezone(zone).replace(tzinfo=None)
    wall_now = now.astimezone(zone).replace(tzinfo=None)
    return relative_words(seconds, wall_when, wall_now, past=past)


# Made once: `relative_words` runs once per listed line.
_DAY = timedelta(days=1)
_TWO_WEEKS = timedelta(days=14)


def relative_words(
    seconds: float, wall_when: datetime, wall_now: datetime, *, past: str = "late"
) -> str:
    """`relative` for a caller that already holds the elapsed seconds from now to `when` and both
    wall clocks (naive, on the calendar that counts the days): a listing works out `now` once,
    not once per line."""
    if abs(seconds) < 60:
        return "now"
    earlier, later = (wall_now, wall_when) if wall_now <= wall_when else (wall_when, wall_now)
    if later - earlier >= _DAY and (wall_when > wall_now) == (seconds > 0):
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
    if delta < _TWO_WEEKS:
        hours = int(delta.total_seconds() // 3600)
        return [(hours // 24, "day"), (hours % 24, "hour")]
    months = months_between(start, end)
    if months < 2:
        days = round(delta.total_seconds() / 86400)
        return [(days // 7, "week"), (days % 7, "day")]
    rest = end - add_months(start, months)
    rest_days = round(rest.total_seconds() / 86400)
    if months < 6:
        return [(months, "month"), (rest_days, "day")]
    # From half a year on, the nearest month: "11 months 29 days" is "1 year" to anyone.
    months += rest_days >= 15
    return [(months // 12, "year"), (months % 12, "month")]
