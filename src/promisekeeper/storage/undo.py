"""Undo and redo: the journal's stack applied to a store transaction.

`undo` reverts the newest entry not undone, again and again down the journal; `redo` re-applies
the oldest undone one. Both are store changes too (the store's generation moves on), journalled
as steps naming their entry. They act only when every generation from the entry's to the store's
current one is journalled and every record they touch still holds what the journal says;
otherwise they refuse and the transaction is not written. A too-large entry stops the stack.
Ids stay consumed: undoing an add removes the record, not the counter, and a redo puts it back
under the same id.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Protocol

from ..errors import Conflict
from ..model import inert
from .journal import Entry, Journal, Record, Step, journal_path, read


class Changeable(Protocol):
    """What undo needs of a store transaction (storage.store.Transaction)."""

    path: Path
    operation: str
    journal_step: Step | None

    @property
    def generation(self) -> int: ...

    def record(self, table: str, record_id: int) -> Record | None: ...

    def put(self, table: str, record_id: int, record: Record) -> None: ...

    def remove(self, table: str, record_id: int) -> None: ...


def _plain(value: Any) -> Any:
    """The JSON form, so a record compares equal however it was built (tuples, lists...)."""
    return json.loads(json.dumps(value, ensure_ascii=False))


def _readable(tx: Changeable) -> Journal:
    try:
        return read(tx.path)
    except ValueError as exc:
        raise Conflict(
            f"the undo journal {inert(str(journal_path(tx.path)))} is damaged ({exc}); nothing "
            f"was changed (the store itself is fine; the next change starts a new journal)"
        ) from exc


def _check_chain(state: Journal, entry: Entry, tx: Changeable, verb: str) -> None:
    if state.last != tx.generation:
        raise Conflict(
            "the latest change to the store is not in the undo journal (made by hand, restored "
            f"from a backup, or its entry was lost in a crash); nothing was {verb}"
        )
    if not state.intact_since(entry.generation, tx.generation):
        raise Conflict(
            f"a change made after {entry.operation!r} is missing from the undo journal (lost in "
            f"a crash, or made by hand); nothing was {verb}"
        )


def undo(tx: Changeable) -> Entry:
    """Revert the newest change not yet undone, inside `tx`; returns the entry reverted.

    The caller's transaction is journalled on commit as the step `undo` of that entry, so a
    following `redo` re-applies it and a following `undo` reverts the one before.
    """
    state = _readable(tx)
    entry = state.next_undo()
    if entry is None:
        more = "; `pk redo` re-applies what was undone" if state.next_redo() else ""
        raise Conflict(f"nothing to undo{more}")
    _check_chain(state, entry, tx, "undone")
    if entry.too_large:
        restore = (
            "`pk doctor --restore` puts back the store as it was before it"
            if entry.generation == tx.generation
            else "`pk doctor --restore` only puts back the state before the latest change"
        )
        raise Conflict(
            f"the next change to undo ({entry.operation}, {entry.too_large} records) is too "
            f"large to undo; {restore}"
        )
    # Reverse order: a record changed twice in one command returns to its first "before". A
    # mismatch raises out of the transaction, so a half-applied undo is never written.
    _apply(tx, reversed(entry.changes), "after", "before", "undone")
    tx.operation = f"undo {entry.operation}"
    tx.journal_step = ("undo", entry.generation)
    return entry


def redo(tx: Changeable) -> Entry:
    """Re-apply the oldest undone change, inside `tx`; returns the entry re-applied."""
    state = _readable(tx)
    entry = state.next_redo()
    if entry is None:
        raise Conflict("nothing to redo (a change made after an undo clears what could be redone)")
    _check_chain(state, entry, tx, "redone")
    _apply(tx, entry.changes, "before", "after", "redone")
    tx.operation = f"redo {entry.operation}"
    tx.journal_step = ("redo", entry.generation)
    return entry


def _apply(tx: Changeable, changes: Any, expected: str, wanted: str, verb: str) -> None:
    for change in changes:
        table, record_id = change["table"], change["id"]
        if _plain(tx.record(table, record_id)) != _plain(change[expected]):
            raise Conflict(
                f"{table.removesuffix('s')} #{record_id} is not as the journal left it; "
                f"nothing was {verb}"
            )
        if change[wanted] is None:
            tx.remove(table, record_id)
        else:
            tx.put(table, record_id, change[wanted])


def describe(entry: Entry, operation: str | None = None) -> str:
    """`add: #5 “Send numbers” → Dana`: what an entry changed, in a few words (unescaped)."""
    if entry.too_large:
        return f"{operation or entry.operation}: {entry.too_large} records (too large to undo)"
    parts = []
    # By record, not by the order applied: an undo applies its changes in reverse, and its
    # redo reverses them again, yet both should read like the change they repeat.
    for change in sorted(entry.changes, key=lambda c: (c.get("table") != "promises", c["id"])):
        record = change.get("after") or change.get("before") or {}
        label = f"#{change['id']}"
        if change.get("table") != "promises":
            # "request #2", not "requests #2": the table's name is plural, one record is not.
            label = f"{str(change.get('table')).removesuffix('s')} {label}"
        title = record.get("title")
        if isinstance(title, str):
            label += f" \u201c{title}\u201d"  # as views.messages.quoted (layers: no import)
        person = record.get("person")
        if isinstance(person, str):
            label += f" {'←' if record.get('direction') == 'from' else '→'} {person}"
        before, after = change.get("before"), change.get("after")
        if before is None:
            label += " (added)"
        elif after is None:
            label += " (removed)"
        elif before.get("status") != after.get("status"):
            label += f" ({before.get('status', 'open')} → {after.get('status', 'open')})"
        parts.append(label)
    return f"{operation or entry.operation}: {', '.join(parts)}"
