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
"""

from __future__ import annotations

import contextlib
import hashlib
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from ..config import Settings
from ..errors import PkError
from ..model import Promise, iso, parse_iso
from ..storage.files import REQUESTS
from ..storage.store import Store, View
from . import merge as merging
from .remote import EXIT_GUARD, EXIT_PROTOCOL, PreconditionFailed, Remote, SyncError, host_of
from .state import Item, SyncState, base_of, load, save


@dataclass
class RemoteItem:
    """One item fetched this run."""

    href: str
    etag: str
    uid: str
    kind: str  # "todo" / "event"
    fields: dict[str, Any]
    text: str


@dataclass
class Snapshot:
    """What the remote holds that we did not know: changed items (by UID), deleted UIDs, the
    foreign items (href → etag), the token to store, unreadable hrefs."""

    items: dict[str, RemoteItem] = field(default_factory=dict)
    deleted: set[str] = field(default_factory=set)
    foreign: dict[str, str] = field(default_factory=dict)
    token: str | None = None
    unreadable: list[str] = field(default_factory=list)


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


# --- 1. fetch -----------------------------------------------------------------------------------


def fetch(remote: Remote, state: SyncState, settings: Settings, force: bool = False) -> Snapshot:
    """What changed remotely since `state`: a sync-token REPORT when there is a valid token,
    else an etag listing compared with the state. Only changed items are downloaded.
    SyncError (exit 73) when the collection is empty while items were synced there, unless
    `force` (the user deleted them all on purpose: they are then dropped here too)."""
    known = {item.href: (uid, item.etag) for uid, item in state.items.items()}
    snap = Snapshot(foreign=dict(state.foreign))
    changes = remote.changes(state.token) if state.token else None
    if changes is None:
        snap.token = remote.token()  # before the listing: a change in between is seen next time
        listing = remote.list()
        changed = {h: e for h, e in listing.items() if _unknown(h, e, known, state.foreign)}
        deleted_hrefs = set(known) - set(listing)
        snap.foreign = {h: e for h, e in state.foreign.items() if h in listing}
        if not listing and state.items and not force:
            raise _guard(remote, state)
    else:
        changed_map, deleted_hrefs, snap.token = changes
        changed = {h: e for h, e in changed_map.items() if _unknown(h, e, known, state.foreign)}
        for href in deleted_hrefs:
            snap.foreign.pop(href, None)
        if not force and state.items and set(known) <= deleted_hrefs and not remote.list():
            raise _guard(remote, state)
    fetched = remote.get(changed)
    deleted_hrefs |= {h for h in changed if h not in fetched and h in known}
    for href, (etag, text) in fetched.items():
        parsed = _parse(text, settings)
        if parsed is None:
            snap.unreadable.append(href)
            continue
        uid, kind, fields, is_pk = parsed
        if uid in state.items or is_pk:
            snap.items[uid] = RemoteItem(href, etag, uid, kind, fields, text)
            snap.foreign.pop(href, None)
        else:
            snap.foreign[href] = etag
    snap.deleted = {known[h][0] for h in deleted_hrefs if h in known} - set(snap.items)
    return snap


def _unknown(href: str, etag: str, known: dict[str, tuple[str, str]], foreign: dict) -> bool:
    if href in known:
        return not etag or known[href][1] != etag
    return foreign.get(href) != etag or not etag


def _guard(remote: Remote, state: SyncState) -> SyncError:
    n = len(state.items)
    return SyncError(
        f"{remote.label} is empty, but {n} item{'s' if n != 1 else ''} were synced there: a wrong "
        f"url or a wiped server? Nothing was changed here or there (pk sync --force if you "
        "deleted them on purpose)",
        EXIT_GUARD,
    )


def _parse(text: str, settings: Settings) -> tuple[str, str, dict[str, Any], bool] | None:
    """(uid, kind, fields, made by pk) of the first VTODO or VEVENT; None when unreadable."""
    import icalendar

    from ..exchange.ical import vevent_to_fields, vtodo_to_fields

    try:
        calendar = icalendar.Calendar.from_ical(text)
        for component in calendar.walk():
            if component.name == "VTODO":
                fields = vtodo_to_fields(component, settings)
                return fields["uid"], "todo", fields, "X-PK-ID" in component or _pk(text)
            if component.name == "VEVENT":
                fields = vevent_to_fields(component, settings)
                return fields["uid"], "event", fields, "X-PK-REQUEST" in component
    except Exception:  # icalendar raises many kinds on garbage; the item is left alone
        return None
    return None


def _pk(text: str) -> bool:
    return "\nX-PK-" in text.replace("\r\n", "\n")


# --- 2. plan ------------------------------------------------------------------------------------


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


def _slot_hash(record: dict[str, Any], promise_uuid: str | None) -> str:
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
        digest = _slot_hash(record, linked.uuid if linked else None)
        if item is None or item.base.get("hash") != digest or uid in snapshot.deleted:
            out.steps.append(Step(uid, "send", kind="event", rid=rid))


# --- 3. apply locally ---------------------------------------------------------------------------


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
        promise = replace(promise, status="done", done_at=done_at).with_event(
            "done", done_at, on_time=late == timedelta(0), late_seconds=int(late.total_seconds())
        )
    elif values["status"] == "dropped":
        promise = replace(promise, status="dropped").with_event(
            "dropped", now, reason=f"cancelled in {host}"
        )
    tx.add_promise(promise)


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
                base = {"hash": _slot_hash(record, uuid)}
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
