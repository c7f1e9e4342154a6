"""The words for time, in one place: weekday and month names, the one duration parser and the one
duration-in-words.

Stdlib only and no imports of our own, so `config` (read on the shell-prompt path) and `dates` can
both use it without a cycle and without loading dateutil.
"""

from __future__ import annotations

import re
from datetime import timedelta

__all__ = [
    "DAY_ABBR",
    "MONTHS",
    "MONTH_ABBR",
    "WEEKDAYS",
    "duration_words",
    "parse_duration",
    "read_amounts",
]

# English names for output: strftime's %a/%b follow the C locale and would change under LANG.
DAY_ABBR = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTH_ABBR = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

# Every spelling we read, lower case, to weekday (Mon=0) or month (Jan=1).
WEEKDAYS: dict[str, int] = {
    **dict.fromkeys(("mon", "monday"), 0),
    **dict.fromkeys(("tue", "tues", "tuesday"), 1),
    **dict.fromkeys(("wed", "weds", "wednesday"), 2),
    **dict.fromkeys(("thu", "thur", "thurs", "thursday"), 3),
    **dict.fromkeys(("fri", "friday"), 4),
    **dict.fromkeys(("sat", "saturday"), 5),
    **dict.fromkeys(("sun", "sunday"), 6),
}
MONTHS: dict[str, int] = {
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

# --- reading an amount of time ------------------------------------------------------------------

# One amount: "2 days", "2d", "a week", "90m", "1h", "3 workdays" (several may follow: "1h30m").
# "m" is minutes; months must be spelled out. re.ASCII: `\d` would accept other scripts' digits.
# Compiled on first use (re caches it), not at import: `pk list` reads no amount of time.
_AMOUNT = (
    r"(?P<n>\d+|an?(?=\s))\s*(?P<unit>"
    r"work\s?days?|working\s+days?|business\s+days?"
    r"|months?|weeks?|wks?|w|days?|d|hours?|hrs?|h|minutes?|mins?|m|seconds?|secs?|s"
    r")(?![a-z])\s*"
)
_UNIT_NAMES = {
    "work": "workdays",
    "busi": "workdays",
    "mont": "months",
    "w": "weeks",
    "d": "days",
    "h": "hours",
    "m": "minutes",
    "s": "seconds",
}


def read_amounts(text: str) -> dict[str, int] | None:
    """`2 days`, `1h30m`, `1h 30m`, `a week`, `2 months`, `3 working days` as {"days": 2} etc.

    Keys: months, weeks, days, workdays, hours, minutes, seconds. None when `text` is not only
    amounts, or names one unit twice ("2h 3h" is a typo, not five hours).
    """
    text = " ".join((text or "").lower().split())
    found: dict[str, int] = {}
    amount = re.compile(_AMOUNT, re.ASCII)
    position = 0
    while position < len(text):
        match = amount.match(text, position)
        if not match:
            return None
        unit_text = match["unit"]
        key = unit_text[:4] if unit_text[:4] in _UNIT_NAMES else unit_text[0]
        unit = _UNIT_NAMES[key]
        if unit in found:
            return None
        found[unit] = 1 if match["n"] in ("a", "an") else int(match["n"])
        position = match.end()
    return found or None


def parse_duration(text: str) -> timedelta:
    """`30m`, `1h`, `1h30m`, `90m`, `2h 15m`, `30d`, `10s`, `1w`, `2 hours`. Zero is allowed;
    callers decide if it makes sense. Months and working days have no fixed length: refused.

    Raises ValueError with a one-line message.
    """
    amounts = read_amounts(text)
    if not amounts or amounts.keys() & {"months", "workdays"}:
        raise ValueError(f"not a duration: {text!r} (try 30m, 1h, 1h30m, 2d)")
    try:
        return timedelta(**amounts)
    except OverflowError:
        raise ValueError(f"not a duration: {text!r} is too long") from None


# --- saying an amount of time -------------------------------------------------------------------

_SHORT = {"minute": "m", "hour": "h"}
# An average Gregorian month, for amounts that have no calendar to count on.
_MONTH_DAYS = 365.2425 / 12


def duration_words(amount: timedelta | float, *, long: bool = False) -> str:
    """An amount of elapsed time in words, never rounded down by more than a unit's worth:

    under a day `45m`, `2h 30m`, `23h 59m`; under two weeks `1 day 23h`, `4 days`; under eight
    weeks `2 weeks 6 days` (nearest day); beyond, `3 months`, `1 year 2 months` (nearest month).
    Minutes are whole (under a minute but not zero is `1m`: a slip of 20 seconds is still a slip).
    `long=True` spells every unit for messages to a colleague: `1 hour 30 minutes`.
    A negative amount is said as its size.
    """
    seconds = abs(amount.total_seconds() if isinstance(amount, timedelta) else float(amount))
    return say_parts(elapsed_parts(seconds), long=long)


def elapsed_parts(seconds: float) -> list[tuple[int, str]]:
    """(count, unit) pairs for `duration_words`, largest first."""
    minutes = int(seconds // 60)
    if seconds > 0 and minutes == 0:
        minutes = 1
    if minutes < 24 * 60:
        return [(minutes // 60, "hour"), (minutes % 60, "minute")]
    hours = minutes // 60
    if hours < 14 * 24:
        return [(hours // 24, "day"), (hours % 24, "hour")]
    days = round(seconds / 86400)
    if days < 8 * 7:
        return [(days // 7, "week"), (days % 7, "day")]
    months = round(days / _MONTH_DAYS)
    return [(months // 12, "year"), (months % 12, "month")]


def say_parts(parts: list[tuple[int, str]], *, long: bool = False) -> str:
    """`[(1, "day"), (23, "hour")]` as `1 day 23h` (or `1 day 23 hours`); zero parts are left out,
    all zero is `0m`."""
    words = [_one(count, unit, long) for count, unit in parts if count]
    return " ".join(words) if words else _one(0, "minute", long)


def _one(count: int, unit: str, long: bool) -> str:
    if not long and unit in _SHORT:
        return f"{count}{_SHORT[unit]}"
    return f"{count} {unit}" if count == 1 else f"{count} {unit}s"
