"""`pk sync`: fetch what changed remotely, merge, commit locally, send, record.

The locking rule: network I/O never runs while the store's lock is held (a `pk add` or a shell
prompt during a slow sync must work). So one round is:

1. read the store and the state without the lock; fetch what changed on the remote;
2. take the lock, re-read, merge again against the store as it is *now*, commit the local
   changes and the state of everything that needs no sending; release;
3. send (PUT/DELETE) without the lock;
4. take the lock again and record the new etags and base copies.

A kill -9 anywhere leaves either the old or the new store and state (both atomic writes): an item
committed locally but not sent reads as a local change next time and is sent; an item sent but
not recorded reads as "both sides made the same change" and only its base is recorded. A 412
on a send (the item changed remotely in between) makes a second round; a second 412 reports the
item as conflicting and keeps the local state.

The steps live in `fetch.py` (1), `plan.py` and `apply.py` (2); this module runs them in that
order, holds the lock rule, and sends (3) and records (4). Their public names are re-exported here.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..config import Settings
from ..model import Promise
from ..storage.files import REQUESTS
from ..storage.store import Store
from .apply import apply_local
from .fetch import RemoteItem, Snapshot, fetch
from .plan import Step, SyncPlan, plan, slot_hash, syncable
from .protocol import EXIT_PROTOCOL, PreconditionFailed, Remote, SyncError
from .remote import host_of
from .state import Item, SyncState, base_of, load, save


@dataclass
class SyncReport:
    """What a sync did (or, with --dry-run, would do)."""

    remote: str
    dry_run: bool = False
    sent: int = 0
    applied: Counter[str] = field(default_factory=Counter)
    created: int = 0
    conflicts: list[str] = field(default_factory=list)
    kept_local: list[str] = field(default_factory=list)
    foreign: int = 0
    unreadable: int = 0
    warnings: list[str] = field(default_factory=list)

    @property
    def applied_total(self) -> int:
        return sum(self.applied.values()) + self.created

    def summary(self) -> str:
        """One line: "Sent 3, applied 2 (1 done on another device), 1 conflict kept local, 4
        items not made by pk left alone"."""
        verb = ("Would send", "would apply") if self.dry_run else ("Sent", "applied")
        parts = [f"{verb[0]} {self.sent}"]
        detail = [f"{n} {kind} on another device" for kind, n in sorted(self.applied.items())]
        if self.created:
            detail.insert(0, f"{self.created} new from another device")
        applied = f"{verb[1]} {self.applied_total}"
        parts.append(applied + (f" ({', '.join(detail)})" if detail else ""))
        if self.conflicts:
            n = len(self.conflicts)
            parts.append(f"{n} conflict{'s' if n != 1 else ''} resolved (see the history)")
        if self.kept_local:
            n = len(self.kept_local)
            parts.append(f"{n} conflict{'s' if n != 1 else ''} kept local")
        if self.foreign:
            n = self.foreign
            parts.append(f"{n} item{'s' if n != 1 else ''} not made by pk left alone")
        if self.unreadable and self.dry_run:  # a real run says it in its error
            parts.append(f"{self.unreadable} unreadable item(s) left alone")
        return ", ".join(parts)


# --- the whole run ------------------------------------------------------------------------------


def sync(
    store: Store,
    remote: Remote,
    settings: Settings,
    now: datetime,
    dry_run: bool = False,
    force: bool = False,
) -> SyncReport:
    """Run a sync (two rounds at most: the second only for items that got a 412). `force` goes
    past the empty-collection guard (see `fetch`)."""
    report = SyncReport(remote=remote.label, dry_run=dry_run)
    host = host_of(settings.sync.url or remote.label)
    retry: set[str] | None = None
    for _round in range(2):
        retry = _round_trip(store, remote, settings, now, host, report, dry_run, retry, force)
        if not retry:
            break
    if retry:
        report.kept_local.extend(sorted(retry))
    if report.unreadable and not dry_run:
        n = report.unreadable
        raise SyncError(
            f"sync with {remote.label}: {n} item{'s' if n != 1 else ''} not readable iCalendar, "
            f"left alone; the rest is done: {report.summary()}",
            EXIT_PROTOCOL,
        )
    return report


def _round_trip(
    store: Store,
    remote: Remote,
    settings: Settings,
    now: datetime,
    host: str,
    report: SyncReport,
    dry_run: bool,
    only: set[str] | None,
    force: bool = False,
) -> set[str]:
    target = store.target
    state = load(target, remote.label)
    snapshot = fetch(remote, state, settings, force)  # no lock held
    report.foreign = len(snapshot.foreign)
    report.unreadable = len(snapshot.unreadable)
    if dry_run:
        steps = plan(store.read(), snapshot, state, settings, now, host).steps
        _count(report, steps, dry_run=True)
        return set()
    with store.write("sync") as tx:
        state = load(target, remote.label)  # as it is now, under the lock
        the_plan = plan(tx, snapshot, state, settings, now, host)
        report.warnings.extend(the_plan.warnings)
        apply_local(tx, the_plan.steps, settings, now, host)
        promises = {p.uuid: p for p in tx.promises()}
        requests = dict(tx.records(REQUESTS))
        for step in the_plan.steps:
            _record_local(state, step, promises, snapshot)
        state.gone = {
            uid: base
            for uid, base in state.gone.items()
            if uid in promises and syncable(promises[uid], now, settings)
        }
        state.token = snapshot.token
        state.foreign = snapshot.foreign
        _count(report, the_plan.steps, dry_run=False)
        _commit_state_after(store, tx, state)
    outgoing = [s for s in the_plan.steps if s.action in ("send", "resend", "delete")]
    return _send(store, remote, settings, outgoing, promises, requests, state, report)


def _commit_state_after(store: Store, tx: Any, state: SyncState) -> None:
    """Write the state after the store's commit, still under the lock. Never before it: a kill
    in between would leave a base copy newer than the store, and the next sync would send the
    old local values back as if they were local edits."""
    target = store.target
    if not tx.changes:
        save(target, state)
        return
    before = store.observers

    def write(_: Any) -> None:
        store.observers = before
        save(target, state)

    store.observers = (*before, write)


def _record_local(
    state: SyncState, step: Step, promises: dict[str, Promise], snapshot: Snapshot
) -> None:
    """The state of an item that needs no sending, or of a remote version we have merged."""
    local = promises.get(step.uid)
    if step.action in ("forget", "drop"):
        state.items.pop(step.uid, None)
        if local is not None:
            state.gone[step.uid] = base_of(local)
    elif step.action in ("record", "create") and step.remote is not None and local is not None:
        state.items[step.uid] = Item(step.remote.href, step.remote.etag, "todo", base_of(local))
    elif step.action == "send" and step.remote is not None and step.uid in state.items:
        # merged with the fetched version: the PUT replaces that version (If-Match)
        item = state.items[step.uid]
        state.items[step.uid] = Item(step.remote.href, step.remote.etag, "todo", item.base)
    elif step.action == "send" and step.remote is not None and local is not None:
        state.items[step.uid] = Item(step.remote.href, step.remote.etag, "todo", {})
    elif step.action == "resend":
        state.items.pop(step.uid, None)
    if step.kind == "event" and step.uid in snapshot.deleted:
        state.items.pop(step.uid, None)


def _count(report: SyncReport, steps: list[Step], dry_run: bool) -> None:
    for step in steps:
        if step.action == "create":
            report.created += 1
        elif step.action == "drop":
            report.applied["deleted"] += 1
        for kind in step.outcome.applied:
            report.applied[kind] += 1
        report.conflicts.extend(step.outcome.conflicts)
        if dry_run and step.action in ("send", "resend", "delete"):
            report.sent += 1


def _send(
    store: Store,
    remote: Remote,
    settings: Settings,
    outgoing: list[Step],
    promises: dict[str, Promise],
    requests: dict[int, dict[str, Any]],
    state: SyncState,
    report: SyncReport,
) -> set[str]:
    """PUT/DELETE without the lock; then record the new etags under the lock. Returns the UIDs
    that got a 412 (to merge again)."""
    if not outgoing:
        return set()
    import icalendar  # only now: a sync with nothing to send need not load it

    from ..exchange import ical

    # The current remote text of each item we rewrite, so other apps' properties are kept.
    existing_hrefs = [state.items[s.uid].href for s in outgoing if s.uid in state.items]
    current = remote.get(existing_hrefs) if existing_hrefs else {}
    by_id = {p.id: p for p in promises.values()}
    done: dict[str, Item | None] = {}
    conflicted: set[str] = set()
    for step in outgoing:
        item = state.items.get(step.uid)
        href = item.href if item else remote.href_for(step.uid)
        etag = item.etag if item else None
        try:
            if step.action == "delete":
                if item is not None:
                    remote.delete(href, etag or "")
                done[step.uid] = None
                report.sent += 1
                continue
            text = current.get(href, (None, None))[1] if item else None
            if item and href in current and current[href][0] != etag:
                raise PreconditionFailed(href)  # changed since we fetched: merge it first
            component = _component(text, step.kind)
            if step.kind == "event":
                record = requests.get(step.rid or 0)
                if record is None:
                    continue
                linked = by_id.get(record.get("promise_id"))  # type: ignore[arg-type]
                uuid = linked.uuid if linked else None
                event = ical.update_vevent(
                    component or icalendar.Event(), step.rid or 0, record, uuid, settings
                )
                if event is None:
                    continue
                payload = ical.calendar_of([event]).to_ical().decode()
                base = {"hash": slot_hash(record, uuid)}
            else:
                p = promises.get(step.uid)
                if p is None:
                    continue
                owned = item.base.get("tags", []) if item else []
                todo = ical.update_vtodo(component or icalendar.Todo(), p, settings, owned)
                payload = ical.calendar_of([todo]).to_ical().decode()
                base = base_of(p)
            new_etag = remote.put(href, payload, etag)
            done[step.uid] = Item(href, new_etag, step.kind, base)
            report.sent += 1
        except PreconditionFailed:
            conflicted.add(step.uid)
    # Move the token past our own writes, when they are all it would report: otherwise the next
    # sync downloads them again (and Radicale, whose tokens hash the content, could hand back
    # the old token for a wiped collection). Any other change keeps the old token.
    old_token, new_token = state.token, None
    if old_token and done:
        changes = remote.changes(old_token)
        ours = {i.href: i.etag for i in done.values() if i is not None}
        gone = {state.items[u].href for u, i in done.items() if i is None and u in state.items}
        if changes is not None and changes[1] <= gone and changes[0].items() <= ours.items():
            new_token = changes[2]
    with store.locked():
        state = load(store.target, remote.label)
        if new_token and state.token == old_token:
            state.token = new_token
        for uid, new_item in done.items():
            if new_item is None:
                state.items.pop(uid, None)
            else:
                state.items[uid] = new_item
                state.gone.pop(uid, None)
        save(store.target, state)
    return conflicted


def _component(text: str | None, kind: str) -> Any:
    if not text:
        return None
    import icalendar

    try:
        calendar = icalendar.Calendar.from_ical(text)
    except Exception:
        return None
    wanted = "VTODO" if kind == "todo" else "VEVENT"
    for component in calendar.walk():
        if component.name == wanted:
            return component
    return None


__all__ = [
    "RemoteItem",
    "Snapshot",
    "Step",
    "SyncPlan",
    "SyncReport",
    "apply_local",
    "fetch",
    "plan",
    "sync",
    "syncable",
]
