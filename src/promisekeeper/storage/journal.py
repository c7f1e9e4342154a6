"""The undo journal: one entry per change to the store, the last 100 kept.

Where it lives, and why: in its own sidecar file, `promises.json.journal`, written with the same
`atomic_write` under the same lock, right after the store. Not inside the store, because:

- every `pk list` and every shell prompt reads the store; up to 100 before/after copies of records
  would multiply what each of them loads and parses, for a file only `pk undo` reads;
- a damaged journal must never corrupt or block the store. As a separate file it cannot: the store
  never reads it, `append` starts a fresh journal when the old one is unreadable, and a failure to
  write it is swallowed (the store change is already saved; saying "nothing was saved" would lie);
- it can be written without the store's fsyncs (see `_replace`), which keeps writers fast.

The price of two files is that they can disagree: a crash between the two writes, a restored
backup or a hand edit. So each entry records the store's `_meta` generation *after* its change, and
`undo` only reverts the latest entry when that generation is the store's current one and every
record it touched still holds what the entry says it wrote. Otherwise it refuses, changing nothing.

Undo is itself a change, journalled like any other; undoing an undo therefore redoes. Ids stay
consumed: undoing an add removes the record but not the counter, and a redo puts it back under the
same id.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from ..errors import Conflict, StoreError
from ..model import inert
from .files import remove_orphan_temps

Record = dict[str, Any]


@dataclass
class Change:
    """One record's before and after, for the undo journal (None = absent)."""

    table: str
    id: int
    before: Record | None
    after: Record | None


class Changeable(Protocol):
    """What undo needs of a store transaction (storage.store.Transaction)."""

    path: Path
    operation: str

    @property
    def generation(self) -> int: ...

    def record(self, table: str, record_id: int) -> Record | None: ...

    def put(self, table: str, record_id: int, record: Record) -> None: ...

    def remove(self, table: str, record_id: int) -> None: ...


JOURNAL_VERSION = 1
KEEP = 100
# Every write loads and rewrites the journal, so its size is bounded too: an import or a bulk
# change of thousands of records would otherwise be parsed again by every later `pk add`.
MAX_RECORDS = 1000
SUFFIX = ".journal"


@dataclass(frozen=True)
class Entry:
    """One change to the store: what it was called and each record's before and after."""

    generation: int
    operation: str
    changes: tuple[dict[str, Any], ...]
    # A change of more than MAX_RECORDS records is journalled without them: it cannot be undone
    # (the rolling .bak still holds the state before it), but undo says so instead of reverting
    # something older.
    too_large: int = 0

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "generation": self.generation,
            "operation": self.operation,
            "changes": [dict(c) for c in self.changes],
        }
        if self.too_large:
            data["too_large"] = self.too_large
        return data

    @classmethod
    def from_dict(cls, data: Any) -> Entry:
        """Raises ValueError on anything but the shape we write."""
        if not isinstance(data, dict):
            raise ValueError("entry is not an object")
        generation, operation, changes = (
            data.get("generation"),
            data.get("operation"),
            data.get("changes"),
        )
        if not isinstance(generation, int) or not isinstance(operation, str):
            raise ValueError("entry without generation or operation")
        too_large = data.get("too_large", 0)
        if not isinstance(too_large, int) or too_large < 0:
            raise ValueError("malformed too_large")
        if not isinstance(changes, list) or not (changes or too_large):
            raise ValueError("entry without changes")
        for change in changes:
            if not (
                isinstance(change, dict)
                and isinstance(change.get("table"), str)
                and isinstance(change.get("id"), int)
                and all(isinstance(change.get(k), dict | None) for k in ("before", "after"))
            ):
                raise ValueError("malformed change")
        return cls(generation, operation, tuple(changes), too_large)

    @property
    def base_operation(self) -> str:
        """`add` for `add`, `undo add` and `redo add`."""
        for prefix in ("undo ", "redo "):
            if self.operation.startswith(prefix):
                return self.operation[len(prefix) :]
        return self.operation

    @property
    def is_undo(self) -> bool:
        return self.operation.startswith("undo ")

    def inverse(self) -> Entry:
        """The change that reverting this entry makes: each record's before and after swapped.
        Describing a revert needs this; the entry itself says what the reverted change did."""
        swapped = tuple(
            {**c, "before": c.get("after"), "after": c.get("before")} for c in self.changes
        )
        return Entry(self.generation, self.operation, swapped, self.too_large)


def journal_path(store_file: Path) -> Path:
    return store_file.with_name(store_file.name + SUFFIX)


def _plain(value: Any) -> Any:
    """The JSON form, so a record compares equal however it was built (tuples, lists...)."""
    return json.loads(json.dumps(value, ensure_ascii=False))


def load(store_file: Path) -> list[Entry]:
    """The journal, oldest first. Raises ValueError when it is damaged, [] when there is none."""
    try:
        raw = journal_path(store_file).read_bytes()
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise ValueError(f"cannot read it: {exc.strerror or exc}") from exc
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise ValueError("not valid JSON") from exc
    if not isinstance(data, dict) or not isinstance(data.get("entries"), list):
        raise ValueError("not a journal")
    if data.get("version") != JOURNAL_VERSION:
        raise ValueError(f"journal version {data.get('version')!r}")
    return [Entry.from_dict(e) for e in data["entries"]]


def append(store_file: Path, generation: int, operation: str, changes: list[Change]) -> None:
    """Record the transaction just committed. Called by the store under its lock.

    Never raises: the store change is already on disk, and a journal problem must not turn a saved
    change into an error. The cost is that this change cannot be undone — `undo` sees the
    generation missing and refuses, rather than reverting an older change by mistake.
    """
    path = journal_path(store_file)
    if len(changes) > MAX_RECORDS:
        entry = Entry(generation, operation, (), too_large=len(changes))
    else:
        entry = Entry(
            generation=generation,
            operation=operation,
            changes=tuple(
                {"table": c.table, "id": c.id, "before": c.before, "after": c.after}
                for c in changes
            ),
        )
    with contextlib.suppress(OSError, StoreError, ValueError, TypeError):
        remove_orphan_temps(path)
        try:
            entries = load(store_file)
        except ValueError:
            entries = []  # a damaged journal only costs the undo history
        entries = [*entries, entry][-KEEP:]
        while len(entries) > 1 and sum(len(e.changes) for e in entries) > MAX_RECORDS:
            entries.pop(0)
        payload = json.dumps(
            {"version": JOURNAL_VERSION, "entries": [e.to_dict() for e in entries]},
            ensure_ascii=False,
            separators=(",", ":"),
        ).encode("utf-8")
        _replace(path, payload)


def _replace(path: Path, payload: bytes) -> None:
    """Temp file and `os.replace`, like the store, but without its fsyncs: after a power cut the
    journal may be a step behind or unreadable, and either only makes `undo` refuse (the entry's
    generation is checked), so its durability is not worth two more disk flushes per command."""
    temp = path.with_name(f".{path.name}.tmp-{os.getpid()}-{secrets.token_hex(4)}")
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            view = memoryview(payload)
            while view:
                view = view[os.write(fd, view) :]
        finally:
            os.close(fd)
        os.replace(temp, path)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(temp)


def latest(tx: Changeable) -> Entry:
    """The entry that describes the store as it is now, or Conflict naming why there is none."""
    try:
        entries = load(tx.path)
    except ValueError as exc:
        raise Conflict(
            f"the undo journal {inert(str(journal_path(tx.path)))} is damaged ({exc}); nothing "
            f"was undone "
            f"(the store itself is fine; the next change starts a new journal)"
        ) from exc
    if not entries:
        raise Conflict("nothing to undo")
    last = entries[-1]
    if last.generation != tx.generation:
        raise Conflict(
            "the latest change to the store is not in the undo journal (made by hand, restored "
            "from a backup, or its entry was lost in a crash); nothing was undone"
        )
    if last.too_large:
        raise Conflict(
            f"the latest change ({last.operation}, {last.too_large} records) is too large to "
            f"undo; `pk doctor --restore` puts back the store as it was before it"
        )
    return last


def undo(tx: Changeable) -> Entry:
    """Revert the latest change inside `tx`; returns the entry reverted.

    The caller's transaction is journalled on commit as `undo <op>` (or `redo <op>` when the
    latest change was itself an undo), so the next undo reverts this one.
    """
    last = latest(tx)
    # Reverse order: a record changed twice in one command returns to its first "before". A
    # mismatch raises out of the transaction, so a half-applied undo is never written.
    for change in reversed(last.changes):
        table, record_id = change["table"], change["id"]
        if _plain(tx.record(table, record_id)) != _plain(change["after"]):
            raise Conflict(
                f"{table.removesuffix('s')} #{record_id} is not as the journal left it; "
                "nothing was undone"
            )
        if change["before"] is None:
            tx.remove(table, record_id)
        else:
            tx.put(table, record_id, change["before"])
    tx.operation = ("redo " if last.is_undo else "undo ") + last.base_operation
    return last


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


def when(entry: Entry) -> str | None:
    """The time of a change, from the newest history event it wrote: the journal reads no clock.

    None for undo and redo, which write no event of their own."""
    if entry.operation != entry.base_operation:
        return None
    stamps = []
    for change in entry.changes:
        for record in (change.get("after"), change.get("before")):
            history = (record or {}).get("history")
            if isinstance(history, list):
                stamps += [e["at"] for e in history if isinstance(e, dict) and "at" in e]
    return max((s for s in stamps if isinstance(s, str)), default=None)
