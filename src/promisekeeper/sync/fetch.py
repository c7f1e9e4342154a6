"""Step 1 of a sync, run without the store's lock: what changed on the remote since the last run.

Only changed items are downloaded and parsed; items other apps made are counted and left alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..config import Settings
from .protocol import EXIT_GUARD, Remote, SyncError
from .state import SyncState


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
