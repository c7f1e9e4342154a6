"""Step 2 of a sync: what to do with every item, from the store, the fetched snapshot and the state.

Pure apart from reading the store: the engine runs it once without the lock for --dry-run, and
again under the lock against the store as it is then.
"""

from __future__ import annotations

import contextlib
import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from ..config import Settings
from ..model import Promise, parse_iso
from ..storage.files import REQUESTS
from ..storage.store import View
from . import merge as merging
from .fetch import RemoteItem, Snapshot
from .state import SyncState


@dataclass
class Step:
    """The plan for one item. `action`: "send" (PUT from local), "create" (a new local promise
    from the remote), "drop" (deleted remotely), "delete" (gone locally: DELETE remotely),
    "forget", "record" (only the state changes), "resend" (deleted remotely, changed here)."""

    uid: str
    action: str
    kind: str = "todo"
    pid: int | None = None
    outcome: merging.Outcome = field(default_factory=merging.Outcome)
    remote: RemoteItem | None = None
    rid: int | None = None


@dataclass
class SyncPlan:
    steps: list[Step] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def syncable(p: Promise, now: datetime, settings: Settings) -> bool:
    """Open promises, and those closed in the last `history_days` days."""
    if p.is_open:
        return True
    closed = p.done_at
    for event in reversed(p.history):
        if event.get("type") in ("done", "dropped"):
            with contextlib.suppress(ValueError):
                closed = parse_iso(str(event.get("at")))
            break
    closed = closed or p.created
    return closed >= now - timedelta(days=settings.sync.history_days)


def plan(
    view: View, snapshot: Snapshot, state: SyncState, settings: Settings, now: datetime, host: str
) -> SyncPlan:
    """What to do with every item, from the store as `view` holds it. Pure apart from reading."""
    out = SyncPlan()
    promises = {p.uuid: p for p in view.promises()}
    uids = [u for u, i in state.items.items() if i.kind == "todo"]
    uids += [u for u, r in snapshot.items.items() if r.kind == "todo" and u not in state.items]
    uids += [
        p.uuid
        for p in promises.values()
        if p.uuid not in state.items
        and p.uuid not in snapshot.items
        and syncable(p, now, settings)
        and not (p.uuid in state.gone and not merging.changed_locally(p, state.gone[p.uuid]))
    ]
    for uid in dict.fromkeys(uids):
        local, item, fetched = promises.get(uid), state.items.get(uid), snapshot.items.get(uid)
        base = item.base if item else None
        if fetched is None and uid in snapshot.deleted:
            if local is None:
                out.steps.append(Step(uid, "forget"))
            elif base is not None and not merging.changed_locally(local, base):
                action = "drop" if local.is_open else "forget"
                out.steps.append(Step(uid, action, pid=local.id))
            else:
                out.warnings.append(
                    f"#{local.id} was deleted in another app but changed here: sent again"
                )
                out.steps.append(Step(uid, "resend", pid=local.id))
            continue
        if local is None:
            if fetched is None:  # gone here (undo of an add), unchanged remotely: remove it
                out.steps.append(Step(uid, "delete"))
            else:
                out.steps.append(Step(uid, "create", remote=fetched))
            continue
        if fetched is None:
            if base is None or merging.changed_locally(local, base):
                out.steps.append(Step(uid, "send", pid=local.id))
            continue
        values = merging.remote_values(fetched.fields, now)
        outcome = merging.merge(local, base, values, fetched.fields.get("last_modified"), host, now)
        action = "send" if outcome.send else "record"
        out.steps.append(Step(uid, action, pid=local.id, outcome=outcome, remote=fetched))
    _plan_slots(view, promises, snapshot, state, settings, now, out)
    return out


def slot_hash(record: dict[str, Any], promise_uuid: str | None) -> str:
    """What a booked slot's sent version is known by in the state (its base has no fields)."""
    keys = ("title", "person", "team", "status", "slot", "reason")
    raw = repr([record.get(k) for k in keys] + [promise_uuid])
    return hashlib.sha256(raw.encode()).hexdigest()[:24]


def _plan_slots(
    view: View,
    promises: dict[str, Promise],
    snapshot: Snapshot,
    state: SyncState,
    settings: Settings,
    now: datetime,
    out: SyncPlan,
) -> None:
    """Booked help slots go one way, pk → remote: the slot's time is pk's to decide (it checks
    clashes when booking), so a slot is sent when it changed here, and a remote edit is left
    as it is until the next local change (which keeps the other app's properties)."""
    by_id = {p.id: p for p in promises.values()}
    for rid, record in view.records(REQUESTS):
        if not isinstance(record.get("slot"), dict):
            continue
        linked = by_id.get(record.get("promise_id"))  # type: ignore[arg-type]
        if record.get("status") != "booked" and not (linked and syncable(linked, now, settings)):
            continue
        from ..exchange.ical import slot_uid

        uid = slot_uid(rid, record, linked.uuid if linked else None)
        item = state.items.get(uid)
        digest = slot_hash(record, linked.uuid if linked else None)
        if item is None or item.base.get("hash") != digest or uid in snapshot.deleted:
            out.steps.append(Step(uid, "send", kind="event", rid=rid))
