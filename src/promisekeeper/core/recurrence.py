"""Repeat rules for regular promises, and their next occurrences.

`parse_rule("month on last fri", work)` turns a plain phrase (or a raw RFC 5545 RRULE) into a
`Rule`; `next_occurrence(rule, after, tz, work)` gives the next deadline after `after`.

Occurrences are computed on the local wall clock of the user's zone, then attached to the zone: a
weekly Friday 09:00 stays 09:00 across a DST change (its UTC time moves by an hour). A wall-clock
time the clocks skip moves forward by the gap rather than losing the occurrence.

Phrases (an optional leading "every" is ignored): `day`, `3 days`, `workday`, `week`,
`week on fri`, `week on mon and thu`, `2 weeks`, `2 weeks on mon`, `month`, `month on 1st`,
`month on 31st` (the month's last day when it is shorter), `month on last day`,
`month on last fri`, `month on 2nd tue`, `month on last workday`, `quarter`, `year`,
`year on mar 31`; or a raw rule such as `FREQ=WEEKLY;BYDAY=MO,WE` (with or without `RRULE:`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from itertools import islice

from dateutil.rrule import rrule, rrulestr

from ..config import WorkTime
from ..dates import wall_clock
from ..errors import BadInput

EXAMPLES = (
    "day, workday, week on fri, 2 weeks, month on 1st, month on last fri, "
    "month on last workday, year on mar 31, or an RRULE such as FREQ=WEEKLY;BYDAY=MO"
)

_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
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
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
_NTH = {"first": 1, "second": 2, "third": 3, "fourth": 4, "last": -1}
_UNITS = {"day": "DAILY", "week": "WEEKLY", "month": "MONTHLY", "year": "YEARLY"}
_FLAGS = re.ASCII

_EVERY = re.compile(
    r"(?:(?P<n>\d+)\s+)?(?P<unit>day|week|month|year|quarter)s?(?:\s+on\s+(?P<on>.+))?", _FLAGS
)
_ORDINAL_DAY = re.compile(r"(?P<day>\d{1,2})(?:st|nd|rd|th)?", _FLAGS)
_NTH_WEEKDAY = re.compile(
    r"(?P<nth>first|second|third|fourth|last|[1-4](?:st|nd|rd|th))\s+(?P<wd>[a-z]+)", _FLAGS
)
_MONTH_DAY = re.compile(r"(?P<month>[a-z]+)\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?", _FLAGS)
_DAY_MONTH = re.compile(r"(?P<day>\d{1,2})(?:st|nd|rd|th)?\s+(?P<month>[a-z]+)", _FLAGS)
_DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


@dataclass(frozen=True)
class Rule:
    """A parsed repeat rule.

    `rrule` is the RFC 5545 body (`FREQ=MONTHLY;BYDAY=-1FR`). `workdays` says how working days
    matter: "skip" drops days off (`workday`), "back" moves a day off to the working day before
    (`month on last workday`), None ignores them.
    """

    text: str
    rrule: str
    workdays: str | None = None


def parse_rule(text: str, work: WorkTime | None = None) -> Rule:
    """The rule `text` names; BadInput with examples when it names none."""
    work = work or WorkTime()
    phrase = " ".join((text or "").lower().replace(",", " , ").split()).replace(" , ", ",")
    if phrase.startswith("every "):
        phrase = phrase[len("every ") :]
    if not phrase:
        raise _refuse(text)
    if "freq=" in phrase:
        return _raw(text)
    body, workdays = _phrase(phrase, work)
    if body is None:
        raise _refuse(text)
    return Rule(text=" ".join(text.split()), rrule=body, workdays=workdays)


def next_occurrence(
    rule: Rule | str,
    anchor: datetime,
    tz: tzinfo,
    work: WorkTime | None = None,
    *,
    after: datetime | None = None,
) -> datetime | None:
    """The first occurrence strictly after `after` (default: `anchor`); None when a raw rule with
    COUNT or UNTIL has run out."""
    found = occurrences(rule, anchor, tz, work, count=1, after=after)
    return found[0] if found else None


def occurrences(
    rule: Rule | str,
    anchor: datetime,
    tz: tzinfo,
    work: WorkTime | None = None,
    *,
    count: int,
    after: datetime | None = None,
) -> list[datetime]:
    """The next `count` occurrences strictly after `after` (default: `anchor`), aware in `tz`.

    `anchor` is the series' first deadline: its local time of day is kept, "every 2 weeks" counts
    from it, and "month" keeps its day of the month (the 31st stays the 31st after a short month).
    """
    work = work or WorkTime()
    parsed = parse_rule(rule, work) if isinstance(rule, str) else rule
    if anchor.tzinfo is None or (after is not None and after.tzinfo is None):
        raise ValueError("occurrences: times must be timezone-aware")
    start = anchor.astimezone(tz).replace(tzinfo=None, fold=0)
    floor = (after or anchor).astimezone(tz).replace(tzinfo=None, fold=0)
    body = _anchored(parsed.rrule, start)
    # dateutil walks every occurrence from dtstart: starting a year-old daily series at its
    # anchor would walk 365 days per lookup, so the walk starts a period or so before `floor`.
    dtstart = _rebased(start, floor, body)
    schedule = rrulestr(body, dtstart=dtstart, ignoretz=True)
    found: list[datetime] = []
    # Bounded: a rule over days off only (or a raw rule that never matches) must not spin.
    for candidate in islice(schedule.xafter(floor), count * 400 + 50):
        adjusted = _adjust(candidate, parsed.workdays, work)
        if adjusted is None or adjusted <= floor:
            continue
        if found and adjusted <= found[-1].replace(tzinfo=None):
            continue
        found.append(wall_clock(adjusted, tz))
        if len(found) == count:
            break
    return found


def _anchored(body: str, start: datetime) -> str:
    """A bare monthly or yearly rule repeats the anchor's day; past the 28th RFC 5545 would skip
    the months that lack it, so it becomes "that day, or the month's last day"."""
    parts = dict(part.split("=", 1) for part in body.split(";") if "=" in part)
    if parts.get("FREQ") not in ("MONTHLY", "YEARLY") or start.day <= 28:
        return body
    if any(key.startswith("BY") for key in parts):
        return body
    extra = _month_day_rule(start.day)
    if parts["FREQ"] == "YEARLY":
        extra = f"BYMONTH={start.month};{extra}"
    return f"{body};{extra}"


def _rebased(start: datetime, floor: datetime, body: str) -> datetime:
    """A start whole periods (of FREQ times INTERVAL) later than `start` and still a period or
    more before `floor`, so the rule gives the same occurrences near `floor` (same weekday, day
    of the month, time of day and INTERVAL phase) without walking from the anchor.

    Left alone when COUNT counts from the real start, or when a monthly or yearly rule takes its
    day from a start past the 28th (a later month may lack that day)."""
    parts = dict(part.split("=", 1) for part in body.split(";") if "=" in part)
    if "COUNT" in parts or floor <= start:
        return start
    freq, interval = parts.get("FREQ"), int(parts.get("INTERVAL", "1") or 1)
    if freq in ("DAILY", "WEEKLY"):
        step = interval * (7 if freq == "WEEKLY" else 1)
        periods = (floor - start).days // step - 1
        return start + timedelta(days=periods * step) if periods > 0 else start
    if freq not in ("MONTHLY", "YEARLY"):
        return start
    step = interval * (12 if freq == "YEARLY" else 1)
    periods = ((floor.year - start.year) * 12 + floor.month - start.month) // step - 1
    if periods <= 0:
        return start
    day = start.day
    if day > 28:
        if not any(key in parts for key in ("BYMONTHDAY", "BYDAY", "BYYEARDAY", "BYWEEKNO")):
            return start
        day = 1  # the rule names its days itself; dtstart only has to be before them
    month = start.month - 1 + periods * step
    return start.replace(year=start.year + month // 12, month=month % 12 + 1, day=day)


def _adjust(candidate: datetime, workdays: str | None, work: WorkTime) -> datetime | None:
    if workdays is None or work.is_workday(candidate.date()):
        return candidate
    if workdays == "skip":
        return None
    # "back": the working day before, in the same month; a month without one is skipped.
    day = candidate.date()
    for _ in range(31):
        day -= timedelta(days=1)
        if day.month != candidate.month:
            return None
        if work.is_workday(day):
            return candidate.replace(year=day.year, month=day.month, day=day.day)
    return None


def _phrase(phrase: str, work: WorkTime) -> tuple[str | None, str | None]:
    working = sorted(work.hours) or [0, 1, 2, 3, 4]
    workdays = ",".join(_DAYS[d] for d in working)
    if phrase in ("workday", "workdays", "working day", "working days", "weekday", "weekdays"):
        return f"FREQ=DAILY;BYDAY={workdays}", "skip"
    match = _EVERY.fullmatch(phrase)
    if not match:
        return None, None
    n = int(match["n"] or 1)
    if n < 1 or n > 366:
        return None, None
    unit, on = match["unit"], match["on"]
    if unit == "quarter":
        unit, n = "month", n * 3
    head = f"FREQ={_UNITS[unit]}" + (f";INTERVAL={n}" if n > 1 else "")
    if on is None:
        return head, None
    if unit == "day":
        return None, None
    if unit == "week":
        days = _weekday_list(on)
        return (f"{head};BYDAY={','.join(_DAYS[d] for d in days)}", None) if days else (None, None)
    if unit == "month":
        return _monthly(head, on, workdays)
    return _yearly(head, on)


def _weekday_list(text: str) -> list[int] | None:
    parts = [p for p in re.split(r",|\s+and\s+|\s+", text) if p]
    days = [_WEEKDAYS.get(p) for p in parts]
    if not days or any(d is None for d in days):
        return None
    return sorted(set(days))  # type: ignore[arg-type]


def _month_day_rule(day: int) -> str:
    """Day `day` of the month, or the month's last day when the month is shorter: the plain
    `BYMONTHDAY=31` of RFC 5545 would silently skip April."""
    if day <= 28:
        return f"BYMONTHDAY={day}"
    return f"BYMONTHDAY={','.join(str(d) for d in range(28, day + 1))};BYSETPOS=-1"


def _monthly(head: str, on: str, workdays: str) -> tuple[str | None, str | None]:
    if on in ("last day", "end", "last day of the month"):
        return f"{head};BYMONTHDAY=-1", None
    if on in ("last workday", "last working day", "last weekday"):
        return f"{head};BYDAY={workdays};BYSETPOS=-1", "back"
    if on in ("first workday", "first working day", "first weekday"):
        return f"{head};BYDAY={workdays};BYSETPOS=1", "skip"
    if match := _ORDINAL_DAY.fullmatch(on):
        day = int(match["day"])
        return (f"{head};{_month_day_rule(day)}", None) if 1 <= day <= 31 else (None, None)
    if match := _NTH_WEEKDAY.fullmatch(on):
        nth = _NTH.get(match["nth"]) or int(match["nth"][0])
        weekday = _WEEKDAYS.get(match["wd"])
        if weekday is None:
            return None, None
        return f"{head};BYDAY={nth:+d}{_DAYS[weekday]}", None
    return None, None


def _yearly(head: str, on: str) -> tuple[str | None, str | None]:
    match = _MONTH_DAY.fullmatch(on) or _DAY_MONTH.fullmatch(on)
    if not match or match["month"] not in _MONTHS:
        return None, None
    month, day = _MONTHS[match["month"]], int(match["day"])
    if not 1 <= day <= _DAYS_IN_MONTH[month - 1]:
        return None, None
    if month == 2 and day == 29:
        # Feb 29 in a common year means Feb 28, not a skipped year.
        return f"{head};BYMONTH=2;BYMONTHDAY=28,29;BYSETPOS=-1", None
    return f"{head};BYMONTH={month};BYMONTHDAY={day}", None


def _raw(text: str) -> Rule:
    body = text.strip()
    if body.upper().startswith("RRULE:"):
        body = body[len("RRULE:") :]
    body = body.upper()
    if "DTSTART" in body or "\n" in body:
        raise BadInput("give the RRULE alone (no DTSTART): the promise's deadline is the start")
    try:
        rrulestr(body, dtstart=datetime(2026, 1, 1, 9, 0), ignoretz=True)
    except (ValueError, TypeError, KeyError) as exc:
        raise BadInput(f"not a valid RRULE ({exc}); try: {EXAMPLES}") from None
    if not isinstance(rrulestr(body, dtstart=datetime(2026, 1, 1), ignoretz=True), rrule):
        raise BadInput(f"one RRULE only, please; try: {EXAMPLES}")
    parts = dict(part.split("=", 1) for part in body.split(";") if "=" in part)
    # A promise repeats at most daily. Finer rules would also make each `pk done` walk thousands
    # of occurrences under the write lock.
    if parts.get("FREQ") in ("HOURLY", "MINUTELY", "SECONDLY") or any(
        "," in parts.get(key, "") for key in ("BYHOUR", "BYMINUTE", "BYSECOND")
    ):
        raise BadInput(f"a promise repeats at most daily, not several times a day; try: {EXAMPLES}")
    return Rule(text=body, rrule=body, workdays=None)


def _refuse(text: str) -> BadInput:
    shown = " ".join((text or "").split())[:60]
    return BadInput(f"can't read '{shown}' as a repeat rule; try: {EXAMPLES}")
