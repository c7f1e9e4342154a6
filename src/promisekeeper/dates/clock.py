"""Wall clocks and working days: attaching a zone to a wall-clock time (strictly for what the user
typed, leniently for computed times), the stored UTC form, and the calendar arithmetic of working
days and period ends. No words beyond a day's label for refusals; nothing here reads the clock.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo

from ..config import WorkTime
from ..errors import BadInput
from ..timewords import DAY_ABBR, MONTH_ABBR


def to_utc_iso(dt: datetime) -> str:
    """How datetimes are stored: UTC, seconds precision, `+00:00` (`2026-11-28T14:00:00+00:00`)."""
    require_aware(dt, "to_utc_iso")
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


def now_in(now: datetime, tz: tzinfo) -> datetime:
    require_aware(now, "now")
    return now.astimezone(tz)


def require_aware(dt: datetime, what: str) -> None:
    # A naive datetime would be read in the machine's zone: a hidden clock/zone dependency.
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError(f"{what}: expected a timezone-aware datetime, got {dt!r}")


def localize(naive: datetime, tz: tzinfo) -> datetime:
    """Attach `tz` to a wall-clock time, refusing one the clocks skip (a DST gap).

    zoneinfo accepts 02:30 on a spring-forward night and quietly means 03:30; round-tripping through
    UTC shows the shift. A repeated time (autumn) keeps fold=0: its first occurrence.
    """
    aware = naive.replace(tzinfo=tz, fold=0)
    if aware.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != naive.replace(fold=0):
        zone = getattr(tz, "key", None) or str(tz)
        raise BadInput(
            f"{naive:%H:%M} does not exist on {day_label(naive.date(), year=True)} in {zone} "
            "(the clocks skip it for daylight saving); pick another time"
        )
    return aware


def wall_clock(naive: datetime, tz: tzinfo) -> datetime:
    """A wall-clock time in `tz`, leniently: a time the clocks skip (a DST gap) moves forward by
    the gap, as the clocks do; a repeated time means its first occurrence. `localize` is the
    strict form, for deadlines the user typed."""
    return naive.replace(tzinfo=tz, fold=0).astimezone(UTC).astimezone(tz)


def start_of_day(day: date, tz: tzinfo) -> datetime:
    # A few zones skip midnight itself; the day then starts when the clocks resume.
    return wall_clock(datetime.combine(day, time(0)), tz)


def day_label(day: date, *, year: bool) -> str:
    label = f"{DAY_ABBR[day.weekday()]} {day.day} {MONTH_ABBR[day.month - 1]}"
    return f"{label} {day.year}" if year else label


def end_of_week(today: date, work: WorkTime) -> date:
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
    return end_of_week(monday + timedelta(days=7), work)


def end_of_period(today: date, period: str, work: WorkTime) -> date:
    """The last working day of this month or quarter; once that is gone (a month ending on a
    weekend), the next period's."""
    months = 1 if period == "month" else 3
    first = today.replace(day=1, month=today.month - (today.month - 1) % months)
    while True:
        following = first + relativedelta(months=months)
        last = following - timedelta(days=1)
        day = last_workday(first, last, work)
        if day >= today:
            return day
        first = following


def last_workday(first: date, last: date, work: WorkTime) -> date:
    """The last working day in first..last, or `last` when none is (a month of leave)."""
    day = last
    while day >= first:
        if work.is_workday(day):
            return day
        day -= timedelta(days=1)
    return last


def first_workday(first: date, last: date, work: WorkTime) -> date:
    """The first working day in first..last, or `first` when none is."""
    day = first
    while day <= last:
        if work.is_workday(day):
            return day
        day += timedelta(days=1)
    return first


def add_months(moment: datetime, months: int) -> datetime:
    """The same wall-clock time `months` calendar months on, the day clamped to the month's
    length (31 Jan + 1 month = 28 Feb), as dateutil's relativedelta does, without loading it:
    every `pk list` counts months for deadlines far away."""
    index = moment.year * 12 + moment.month - 1 + months
    year, month = divmod(index, 12)
    following = date(year + (month + 1) // 12, (month + 1) % 12 + 1, 1)
    last_day = (following - timedelta(days=1)).day
    return moment.replace(year=year, month=month + 1, day=min(moment.day, last_day))


def months_between(start: datetime, end: datetime) -> int:
    """Whole calendar months from `start` to `end` (`end` after `start`)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    while months > 0 and add_months(start, months) > end:
        months -= 1
    return months


def relativedelta(*args, **kwargs):  # type: ignore[no-untyped-def]
    """dateutil's calendar arithmetic, loaded only by the phrases that count months (`eom`,
    `next month`, `in 2 months`, durations over a month): most commands never need it."""
    from dateutil.relativedelta import relativedelta as calendar_delta

    return calendar_delta(*args, **kwargs)
