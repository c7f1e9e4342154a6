"""The user's busy time (their meetings) for the commands that need it: `pk later`, `pk book`,
`pk slots` and `pk move` of a help slot.

Read once per command, before the store is opened for writing: a slow calendar server must never
hold the store's lock. With no `[calendar] busy` sources nothing is read and no calendar code is
even imported. A source that cannot be read is one warning line on stderr; the others still count.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from rich.text import Text

from ..core.slots import Interval
from ..storage.store import PROMISES
from ..views.lines import safe
from .common import State


def busy_intervals(
    st: State, start: datetime, end: datetime, *, refresh: bool = False
) -> list[Interval]:
    """The meetings overlapping [start, end) from every busy source, each an Interval whose `ref`
    is the `calendar.busy.Busy` (its summary and source). Warnings go to stderr, one line each."""
    if not st.settings.calendar.busy:
        return []
    from ..calendar.sources import read_busy

    result = read_busy(st.settings, start, end, st.now, refresh=refresh)
    for warning in result.warnings:
        st.err.print(Text(f"pk: warning: {safe(warning)}"), soft_wrap=True)
    return [Interval(b.start, b.end, b) for b in result.busy]


def busy_near_help_slot(st: State, pid: int, deadline: datetime) -> list[Interval]:
    """For `pk move`: the meetings around `deadline` when promise `pid` is a help slot (its slot
    is re-booked to end there), else nothing, without reading a calendar."""
    if not st.settings.calendar.busy:
        return []
    record = st.store().read().record(PROMISES, pid) if 0 < pid < 2**53 else None
    if not record or record.get("request_id") is None:
        return []
    # A slot is never longer than a working day, and the buffer is minutes: a day either side
    # holds every meeting it could clash with.
    return busy_intervals(st, deadline - timedelta(days=1), deadline + timedelta(days=1))
