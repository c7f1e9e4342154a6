"""The capacity heads-up after `pk add`, `pk move` and `pk book`, and `--effort`'s reading.

Computed inside the command's transaction (the change is already in it), printed on stderr after
the result: it is talk, never a refusal and never a question. `--quiet` skips it entirely.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from ..config import parse_duration
from ..errors import BadInput
from ..storage.store import REQUESTS, View
from .common import State, hint

if TYPE_CHECKING:  # `pk done` and `pk edit` import this module for --effort, not for the slots
    from ..core.slots import Interval

QUIET_HELP = "Don't print the capacity heads-up."
EFFORT_HELP = "What keeping it takes: 30m, 3h, 1h30m (counted in capacity heads-ups)."


def effort_minutes(text: str | None, *, allow_zero: bool = False) -> int | None:
    """`--effort` in whole minutes; None when not given. Zero only where it means "clear"."""
    if text is None:
        return None
    try:
        span = timedelta(0) if text.strip() == "0" else parse_duration(text)
    except ValueError as exc:
        raise BadInput(f"--effort: {exc}") from None
    if span.total_seconds() % 60:
        raise BadInput("give --effort in whole minutes (e.g. 45m, 2h)")
    if span <= timedelta(0) and not allow_zero:
        raise BadInput("--effort must be longer than zero (e.g. 30m, 3h)")
    if span > timedelta(days=365):
        raise BadInput(f"--effort {text!r} is more than a year; split the promise")
    return int(span.total_seconds() // 60)


def heads_up(
    st: State, view: View, deadline: datetime, busy: Sequence[Interval] = ()
) -> str | None:
    """The heads-up line for a deadline already recorded in `view`, or None when it fits."""
    from ..core import capacity
    from ..views.capacity import heads_up_text

    slots = []
    if view.records(REQUESTS):  # most stores have no help slots: then help-later stays unloaded
        from ..core import helplater

        slots = helplater.booked_slots(helplater.requests(view))
    warning = capacity.heads_up(
        capacity.dues(view),
        slots,
        deadline=deadline,
        now=st.now,
        settings=st.settings,
        busy=busy,
    )
    return heads_up_text(warning, st.tz, st.now) if warning else None


def tell(st: State, line: str | None) -> None:
    """The heads-up on stderr (talk, not the result)."""
    if line:
        hint(st, line, style="yellow")
