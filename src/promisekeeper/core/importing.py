"""Import from the trackers people come from: turn an importer's drafts into promises.

The readers (`exchange/taskwarrior.py`, `exchange/todotxt.py`) are pure and hand over an
`ImportPlan`; this module decides what of it is new and builds the promises with their history:
a `created` event at the item's creation (carrying where it came from), its notes, and a `done` or
`dropped` event at the time the other tool recorded. All of it goes in one transaction.

Importing the same file twice adds nothing the second time: each promise remembers its source in
its `created` event (`"source": "taskwarrior:<uuid>"`; todo.txt lines have no id, so their key is
a digest of what the line says — title, person, direction, deadline — which survives the line
moving or being ticked off).
"""

from __future__ import annotations

import hashlib
import uuid as uuidlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..exchange.drafts import Draft, label
from ..model import Promise, iso
from ..storage.store import PROMISES, Transaction, View
from .ledger import clean_tags

FORMATS = ("taskwarrior", "todo.txt")


@dataclass(frozen=True)
class Outcome:
    """What an import did (or, dry, would do): promises in file order, and skipped (what, why)."""

    source: str
    promises: tuple[Promise, ...]
    skipped: tuple[tuple[str, str], ...]
    dry_run: bool = False


def source_key(draft: Draft, source: str) -> str:
    """The mark that says this item was imported already."""
    if source == "taskwarrior" and draft.source_id:
        return f"taskwarrior:{draft.source_id}"
    said = "\x1f".join([draft.title, draft.person, draft.direction, iso(draft.due)])
    return f"{source}:{hashlib.sha256(said.encode('utf-8', 'surrogatepass')).hexdigest()[:20]}"


def imported_keys(view: View) -> set[str]:
    """Every source mark in the store, from the raw records (no full parse)."""
    keys: set[str] = set()
    for _, record in view.records(PROMISES):
        history = record.get("history")
        if isinstance(history, list):
            for event in history:
                if isinstance(event, dict) and isinstance(event.get("source"), str):
                    keys.add(event["source"])
    return keys


def promise_of(draft: Draft, key: str, now: datetime) -> Promise:
    """The promise a draft stands for, with its history at the times the other tool recorded."""
    promise = Promise(
        id=0,
        uuid=str(uuidlib.uuid4()),
        title=draft.title,
        person=draft.person,
        direction=draft.direction,
        due=draft.due,
        created=draft.created,
        tags=clean_tags(draft.tags),
        status=draft.status,
        done_at=draft.done_at if draft.status == "done" else None,
        notes=tuple(dict(n) for n in draft.notes),
    )
    events: list[dict] = [
        {"at": iso(draft.created), "type": "created", "due": iso(draft.due), "source": key}
    ]
    events += [{"at": n["at"], "type": "note", "text": n["text"]} for n in draft.notes]
    if draft.status == "done" and draft.done_at is not None:
        late = max(timedelta(0), draft.done_at - draft.due)
        events.append(
            {
                "at": iso(draft.done_at),
                "type": "done",
                "on_time": late == timedelta(0),
                "late_seconds": int(late.total_seconds()),
            }
        )
    elif draft.status == "dropped":
        at = draft.dropped_at or now
        events.append({"at": iso(at), "type": "dropped", "reason": "deleted before the import"})
    # Stable by time: the created event stays first even when a note carries the same instant.
    events.sort(key=lambda e: (e["type"] != "created", e["at"]))
    return promise._replace(history=tuple(events))


def plan(
    drafts: Sequence[Draft],
    skipped: Iterable[tuple[str, str]],
    source: str,
    already: set[str],
    now: datetime,
) -> tuple[list[Promise], list[tuple[str, str]]]:
    """The promises to create, and every skipped item with its reason (the reader's first)."""
    out: list[Promise] = []
    left = list(skipped)
    seen = set(already)
    for number, draft in enumerate(drafts, 1):
        key = source_key(draft, source)
        if key in seen:
            why = "imported before" if key in already else "the same item twice in the file"
            where = f"item {number}" if draft.source_id is None else _where(draft, source)
            left.append((label(draft.title, where), why))
            continue
        seen.add(key)
        out.append(promise_of(draft, key, now))
    return out, left


def _where(draft: Draft, source: str) -> str:
    if source == "todo.txt":
        return f"line {draft.source_id}"
    return f"uuid {draft.source_id}"


def run(
    tx: Transaction | View,
    drafts: Sequence[Draft],
    skipped: Iterable[tuple[str, str]],
    source: str,
    now: datetime,
    *,
    dry_run: bool = False,
) -> Outcome:
    """Import into `tx` (one transaction), or with `dry_run` only say what would be imported
    (then `tx` may be a read-only view and the promises have id 0)."""
    promises, left = plan(drafts, skipped, source, imported_keys(tx), now)
    if not dry_run:
        assert isinstance(tx, Transaction)
        promises = [tx.add_promise(p) for p in promises]
    return Outcome(source, tuple(promises), tuple(left), dry_run)
