"""What was last synced, per item: href, etag, UID and a base copy of pk's fields.

Kept in a sidecar beside the store, `<store>.sync`, written with `storage.files.atomic_write`
under the store's lock, rather than in a `sync` table of the store, because:

- `pk undo` reverts whole store transactions. With the base copies in the store, undoing a sync
  would also put back the old base, and the next sync would see "changed remotely, unchanged
  locally" and apply the remote change again: the undo would be silently undone. As a sidecar
  the base stays at what was synced, so an undone change reads as a local edit and is sent;
- every `pk list` and every shell prompt loads the store; a base copy per synced item would
  make each of them parse more for a file only `pk sync` reads.

The price is a crash between the store's commit and the sidecar's (both under one lock): the
next sync then finds the local and the remote value equal and the base old, which the merge
treats as "both sides made the same change" — nothing to do but to record the new base. So a
kill -9 anywhere converges to the same result. The state is keyed by the remote's URL: pointing
`[sync] url` elsewhere starts afresh instead of reading another collection's etags.

Besides the items, the state keeps `gone`: the base copies of promises closed here because they
were deleted in another app, so the next sync does not send them back as new items (which
would undo the deletion); a local change since (a reopen) sends them again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from ..errors import StoreError
from ..model import Promise, iso
from ..storage.files import atomic_write, sidecar

VERSION = 1
SUFFIX = ".sync"
# The fields compared three-way; `base_of` writes them, `merge.py` reads them.
FIELDS = ("title", "due", "status", "done_at", "notes", "tags", "person", "team", "direction")


@dataclass
class Item:
    """One synced item: where it is, which version of it we saw, and what it said then."""

    href: str
    etag: str
    kind: str  # "todo" (a promise) or "event" (a help slot)
    base: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {"href": self.href, "etag": self.etag, "kind": self.kind, "base": self.base}


@dataclass
class SyncState:
    """Everything `pk sync` remembers about one remote. `foreign` is href → etag of items pk did
    not make, so they are not fetched again while they do not change."""

    remote: str
    token: str | None = None
    items: dict[str, Item] = field(default_factory=dict)  # UID → Item
    foreign: dict[str, str] = field(default_factory=dict)
    # UID → base copy of promises closed here because they were deleted in another app: not
    # sent again (that would bring back what the user deleted) unless changed here since.
    gone: dict[str, dict[str, Any]] = field(default_factory=dict)

    def by_href(self) -> dict[str, str]:
        return {item.href: uid for uid, item in self.items.items()}

    def to_bytes(self) -> bytes:
        return orjson.dumps(
            {
                "version": VERSION,
                "remote": self.remote,
                "token": self.token,
                "items": {uid: item.to_dict() for uid, item in sorted(self.items.items())},
                "foreign": dict(sorted(self.foreign.items())),
                "gone": dict(sorted(self.gone.items())),
            },
            option=orjson.OPT_INDENT_2,
        )


def state_path(store_target: Path) -> Path:
    return sidecar(store_target, SUFFIX)


def load(store_target: Path, remote: str) -> SyncState:
    """The state for `remote`; a fresh one when there is none, it is for another remote, or it
    cannot be read (a damaged state costs a full comparison, never data)."""
    try:
        data = orjson.loads(state_path(store_target).read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return SyncState(remote)
    if not isinstance(data, dict) or data.get("remote") != remote:
        return SyncState(remote)
    items: dict[str, Item] = {}
    for uid, raw in (data.get("items") or {}).items():
        try:
            items[uid] = Item(str(raw["href"]), str(raw["etag"]), str(raw["kind"]), raw["base"])
        except (KeyError, TypeError):
            continue
    foreign = data.get("foreign") if isinstance(data.get("foreign"), dict) else {}
    token = data.get("token") if isinstance(data.get("token"), str) else None
    gone = data.get("gone") if isinstance(data.get("gone"), dict) else {}
    return SyncState(
        remote,
        token,
        items,
        {str(k): str(v) for k, v in foreign.items()},
        {str(k): v for k, v in gone.items() if isinstance(v, dict)},
    )


def save(store_target: Path, state: SyncState) -> None:
    """Write the state atomically. Call it holding the store's lock."""
    try:
        atomic_write(state_path(store_target), state.to_bytes())
    except OSError as exc:
        raise StoreError(f"cannot write {state_path(store_target)}: {exc.strerror}") from exc


def base_of(p: Promise) -> dict[str, Any]:
    """The base copy of a promise: the fields the merge compares, in a JSON-able form."""
    return {
        "title": p.title,
        "due": iso(p.due),
        "status": p.status,
        "done_at": iso(p.done_at) if p.done_at else None,
        "notes": sorted({str(n.get("text", "")) for n in p.notes}),
        "tags": list(p.tags),
        "person": p.person,
        "team": p.team,
        "direction": p.direction,
    }
