"""The one step after a promise changes state: linked features follow it.

A promise may be a help slot (`request_id`) or an occurrence of a series (`series`). When it is
done, dropped, moved or reopened, the request and the series must follow. This module is the one
place that knows it, and it loads help-later or series code only for a promise that has such a
link, so `pk done` on a plain promise imports neither (nor dateutil's rrule).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from ..config import Settings
from ..model import Promise
from ..storage.store import Transaction
from . import ledger

if TYPE_CHECKING:  # only a type: `pk done` must not load the slot search
    from .slots import Interval


def done(tx: Transaction, pid: int, now: datetime, settings: Settings) -> Promise:
    finished = ledger.done(tx, pid, now)
    _after_close(tx, finished, now, settings)
    if finished.request_id is not None:
        from . import helplater

        helplater.on_done(tx, finished, now)  # the help slot's request is kept too
    return finished


def drop(
    tx: Transaction, pid: int, reason: str | None, now: datetime, settings: Settings
) -> Promise:
    dropped = ledger.drop(tx, pid, reason, now)
    _after_close(tx, dropped, now, settings)  # the next, unless `drop --series` stopped it
    if dropped.request_id is not None:
        from . import helplater

        helplater.on_drop(tx, dropped, now)  # the slot is freed
    return dropped


def move(
    tx: Transaction,
    pid: int,
    new_due: datetime,
    reason: str,
    now: datetime,
    settings: Settings,
    busy: Sequence[Interval] = (),
) -> Promise:
    """Move the deadline; a help slot is re-booked, checked like `pk book` against the other
    booked slots and against `busy` (the user's meetings near the new time, as intervals)."""
    moved = ledger.move(tx, pid, new_due, reason, now)
    if moved.request_id is not None:
        from . import helplater

        helplater.on_move(tx, moved, now, settings, busy)  # re-booked, checked like `pk book`
    return moved


def reopen(tx: Transaction, pid: int, now: datetime) -> Promise:
    reopened = ledger.reopen(tx, pid, now)
    if reopened.request_id is not None:
        from . import helplater

        helplater.on_reopen(tx, reopened, now)  # the slot is booked again, if still free
    return reopened


def next_in_series(tx: Transaction, promise: Promise) -> Promise | None:
    """The occurrence scheduled after `promise`, if it repeats. Only a series has one, and
    looking for it parses every promise in the store, so a plain promise never looks."""
    if not promise.series:
        return None
    from .series import successor

    return successor(tx.promises(), promise)


def _after_close(tx: Transaction, promise: Promise, now: datetime, settings: Settings) -> None:
    if promise.series:  # a repeating promise schedules its next
        from .series import continue_series

        continue_series(tx, promise, now, settings)
