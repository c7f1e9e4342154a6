"""Step 2, the local half: the plan's changes to the store, inside the sync's transaction.

Every change goes through the ledger and lifecycle, so the history events are the usual ones.
"""

from __future__ import annotations

import contextlib
from datetime import datetime, timedelta
from typing import Any

from ..config import Settings
from ..errors import PkError
from ..model import Promise, iso, parse_iso
from . import merge as merging
from .fetch import RemoteItem
from .plan import Step


def apply_local(tx: Any, steps: list[Step], settings: Settings, now: datetime, host: str) -> None:
    """The local half of the plan, inside the store transaction."""
    from ..core import lifecycle

    for step in steps:
        if step.action == "drop" and step.pid is not None:
            with contextlib.suppress(PkError):
                lifecycle.drop(tx, step.pid, "deleted in another app", now, settings)
        elif step.action == "create" and step.remote is not None:
            _create(tx, step.remote, now, host)
        elif step.pid is not None:
            for op in step.outcome.local:
                # A remote value pk refuses (a control character in a title, a move onto a
                # booked slot) must not stop the other items: the local value stays.
                with contextlib.suppress(PkError):
                    _apply_op(tx, step.pid, op, settings, now)


def _apply_op(tx: Any, pid: int, op: tuple[Any, ...], settings: Settings, now: datetime) -> None:
    """One merge operation through the ledger, so history events are the usual ones."""
    from ..core import ledger, lifecycle

    kind = op[0]
    if kind == "done":
        lifecycle.done(tx, pid, op[1], settings)
    elif kind == "drop":
        lifecycle.drop(tx, pid, op[1], now, settings)
    elif kind == "reopen":
        lifecycle.reopen(tx, pid, now)
    elif kind == "move":
        lifecycle.move(tx, pid, op[1], op[2], now, settings)
    elif kind == "edit":
        _edit(ledger, tx, pid, op[1], now)
    elif kind == "note":
        ledger.note(tx, pid, op[1], op[2])
    elif kind == "conflict":
        tx.put_promise(tx.promise(pid).with_event("sync_conflict", now, text=op[1]))


def _edit(ledger: Any, tx: Any, pid: int, changes: dict[str, Any], now: datetime) -> None:
    args = dict(changes)
    if "team" in args and args["team"] is None:
        args["team"] = ""
    ledger.edit(tx, pid, now, **args)


def _create(tx: Any, item: RemoteItem, now: datetime, host: str) -> None:
    """A promise made on another device: the next local id, its UID kept."""
    values = merging.remote_values(item.fields, now)
    new = merging.fields_for_new(values, item.fields)
    if new["due"] is None:
        return
    created = new["created"] or now
    series = {"id": new["series"]} if new["series"] else None
    notes = tuple({"at": iso(created), "text": t} for t in new["notes"])
    promise = Promise(
        id=0,
        uuid=item.uid,
        title=new["title"],
        person=new["person"],
        direction=new["direction"],
        due=new["due"],
        created=created,
        team=new["team"],
        tags=new["tags"],
        notes=notes,
        series=series,
    ).with_event("created", now, due=iso(new["due"]), via=f"sync from {host}")
    if values["status"] == "done":
        done_at = parse_iso(values["done_at"])
        late = max(timedelta(0), done_at - promise.due)
        promise = promise._replace(status="done", done_at=done_at).with_event(
            "done", done_at, on_time=late == timedelta(0), late_seconds=int(late.total_seconds())
        )
    elif values["status"] == "dropped":
        promise = promise._replace(status="dropped").with_event(
            "dropped", now, reason=f"cancelled in {host}"
        )
    tx.add_promise(promise)
