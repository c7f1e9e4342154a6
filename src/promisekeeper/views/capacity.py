"""The capacity heads-up in words: one line, with the figures and the next lighter day."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo

from ..core.capacity import HeadsUp
from ..core.slots import minutes_words
from ..dates import format_local


def _day(day_value: date, now: datetime) -> str:
    # `Mon 7 Dec`: format_local's day label, without the time (noon UTC keeps the date).
    return format_local(datetime.combine(day_value, time(12), UTC), UTC, now=now)[:-6]


def _promises(count: int) -> str:
    return f"{count} promise{'' if count == 1 else 's'}"


def heads_up_text(warning: HeadsUp, tz: tzinfo, now: datetime) -> str:
    """`Heads-up: Fri 4 Dec has 6 promises due, more than your 5 a day; by Fri 4 Dec 15:00 you
    have …, and 5h of free working time before then. The next lighter day is Mon 7 Dec.`"""
    load = warning.load
    parts = []
    if load.over_count:
        parts.append(
            f"{_day(load.day, now)} has {_promises(load.on_day)} due, "
            f"more than your {load.max_per_day} a day"
        )
    if load.over_time:
        effort = f"{minutes_words(timedelta(minutes=load.stated_minutes))} of stated effort"
        if load.unstated:
            effort += f", {load.unstated} without"
        help_part = (
            f" and {minutes_words(timedelta(minutes=load.help_minutes))} of help slots"
            if load.help_minutes
            else ""
        )
        busy = (
            f" (after {minutes_words(timedelta(minutes=load.busy_minutes))} of meetings)"
            if load.busy_minutes
            else ""
        )
        parts.append(
            f"by {format_local(load.deadline, tz, now=now)} you have "
            f"{_promises(load.by_deadline)} due ({effort}){help_part}, but only "
            f"{minutes_words(timedelta(minutes=load.free_minutes))} of free working time{busy}"
        )
    lighter = (
        f" The next lighter day is {_day(warning.lighter_day, now)}." if warning.lighter_day else ""
    )
    return f"Heads-up: {'; '.join(parts)}.{lighter}"
