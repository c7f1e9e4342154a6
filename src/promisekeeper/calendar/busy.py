"""Busy time from iCalendar data: which intervals a user's meetings take. Pure: no files, no
network, no clock.

The calendar libraries (icalendar, recurring-ical-events, x-wr-timezone) are imported inside the
functions that parse, so code that only reads a cached copy never pays for them.

All-day events (usually leave or travel) block the working hours of each working day they cover;
on a day that is not a working day they block the whole day (00:00–24:00 in the user's zone), so
that booking a weekend slot by hand still names the trip that is in the way.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

from ..config import WorkTime
from ..errors import PkError


class SourceError(PkError):
    """A busy source could not be read or is not iCalendar data. The message is one line and
    never holds a password."""


@dataclass(frozen=True, slots=True)
class Busy:
    """One interval the user is not free: aware UTC datetimes, `end` after `start`."""

    start: datetime
    end: datetime
    summary: str
    source: str
    all_day: bool = False


def parse_calendars(data: bytes | str) -> list[Any]:
    """The VCALENDARs in `data` (icalendar objects, Google's X-WR-TIMEZONE already applied).

    Raises SourceError when `data` is not iCalendar: garbage must never crash pk."""
    import icalendar
    import x_wr_timezone

    if isinstance(data, bytes):
        data = data.decode("utf-8", errors="replace")
    if "BEGIN:VCALENDAR" not in data[:4096].upper():
        raise SourceError("not iCalendar data (no BEGIN:VCALENDAR)")
    try:
        calendars = icalendar.Calendar.from_ical(data, multiple=True)
        # recurring-ical-events 3 applies X-WR-TIMEZONE itself; doing it here keeps the behaviour
        # whatever the version, and the calendars handed to other code are already standard.
        return [x_wr_timezone.to_standard(cal) for cal in calendars if cal.name == "VCALENDAR"]
    except Exception as exc:  # any parser failure on foreign data is a bad source, not a crash
        raise SourceError(f"not valid iCalendar data ({_one_line(exc)})") from exc


def busy_from_ics(
    data: bytes | str,
    start: datetime,
    end: datetime,
    work: WorkTime,
    tz: tzinfo,
    source: str,
) -> list[Busy]:
    """The busy intervals of the VEVENTs in `data` that overlap [start, end), sorted by start.

    Recurring events are expanded (RRULE, RDATE, EXDATE, RECURRENCE-ID overrides); times follow
    their VTIMEZONE; floating times are in `tz`. TRANSPARENT and CANCELLED events do not block;
    TENTATIVE ones do. Raises SourceError on data that is not iCalendar."""
    return busy_from_calendars(parse_calendars(data), start, end, work, tz, source)


def busy_from_calendars(
    calendars: Iterable[Any],
    start: datetime,
    end: datetime,
    work: WorkTime,
    tz: tzinfo,
    source: str,
) -> list[Busy]:
    """`busy_from_ics` for calendars already parsed by `parse_calendars`."""
    import recurring_ical_events

    start_utc, end_utc = start.astimezone(UTC), end.astimezone(UTC)
    # A day of margin either side: all-day and floating events are placed in the user's zone
    # only after expansion, which may move them across the edges of the window.
    query = (start_utc - timedelta(days=1), end_utc + timedelta(days=1))
    found: list[Busy] = []
    for calendar in calendars:
        try:
            events = recurring_ical_events.of(calendar, components=["VEVENT"]).between(*query)
            for event in events:
                found.extend(_event_busy(event, work, tz, source))
        except SourceError:
            raise
        except Exception as exc:  # a broken RRULE or date in someone else's calendar
            raise SourceError(f"cannot expand the events ({_one_line(exc)})") from exc
    kept = [b for b in found if b.end > start_utc and b.start < end_utc]
    kept.sort(key=lambda b: (b.start, b.end, b.summary))
    return kept


def _event_busy(event: Any, work: WorkTime, tz: tzinfo, source: str) -> list[Busy]:
    if str(event.get("TRANSP", "OPAQUE")).upper() == "TRANSPARENT":
        return []
    if str(event.get("STATUS", "")).upper() == "CANCELLED":
        return []
    if "DTSTART" not in event:
        return []
    if "X-PK-REQUEST" in event:
        # pk's own help slot (`pk export --format vdir` into a folder that is also a busy
        # source): the store already knows it, and counting it again would make a slot clash
        # with itself when it is re-booked.
        return []
    summary = str(event.get("SUMMARY", "")).strip()
    first = event["DTSTART"].dt
    last = event["DTEND"].dt if "DTEND" in event else None
    if last is None and "DURATION" in event:
        last = first + event["DURATION"].dt
    if not isinstance(first, datetime):
        # All-day: DTEND is exclusive; a missing end means one day.
        last_day = last if isinstance(last, date) and not isinstance(last, datetime) else None
        return _all_day(first, last_day or first + timedelta(days=1), work, tz, summary, source)
    if last is None:
        return []
    begin, finish = _aware(first, tz), _aware(last, tz)
    if finish <= begin:  # a point in time blocks nothing
        return []
    return [Busy(begin, finish, summary, source)]


def _all_day(
    first: date, last: date, work: WorkTime, tz: tzinfo, summary: str, source: str
) -> list[Busy]:
    blocks: list[Busy] = []
    day = first
    # Bounded: an all-day event of years (a "sabbatical" marker) is clipped by the caller's
    # window anyway; 400 days is beyond any window pk asks for.
    while day < last and (day - first).days < 400:
        hours = work.hours_on(day)
        if hours is None:
            begin, finish = time(0, 0), None
        else:
            begin, finish = hours
        start = datetime.combine(day, begin, tz)
        if finish is None:
            end = datetime.combine(day + timedelta(days=1), time(0, 0), tz)
        else:
            end = datetime.combine(day, finish, tz)
        blocks.append(Busy(start.astimezone(UTC), end.astimezone(UTC), summary, source, True))
        day += timedelta(days=1)
    return blocks


def _aware(value: datetime, tz: tzinfo) -> datetime:
    """A floating time is the user's local time."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=tz)
    return value.astimezone(UTC)


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:120]
