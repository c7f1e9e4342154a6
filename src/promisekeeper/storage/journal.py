"""The undo journal: a stack of the changes to the store, the last 100 kept.

Where it lives, and why: in its own sidecar file, `promises.json.journal`, written under the
store's lock right after the store. Not inside the store, because:

- every `pk list` and every shell prompt reads the store; up to 100 before/after copies of records
  would multiply what each of them loads and parses, for a file only `pk undo` reads;
- a damaged journal must never corrupt or block the store. As a separate file it cannot: the store
  never reads it, a journal that cannot be read is started afresh, and a failure to write it is
  swallowed (the store change is already saved; saying "nothing was saved" would lie).

The file is JSON lines, so a write appends one line instead of loading and rewriting the whole
journal (that cost ~50 ms per `pk add` at 1,000 journalled records, bench/bench_journal.py):

- line 1, the snapshot: `{"version": 2, "chain_start": s, "last": g, "entries": [...]}`;
- then one line per commit since: a change `{"generation", "operation", "at", "changes"}`, or a
  step `{"generation", "undo": g}` / `{"generation", "redo": g}` naming the entry it reverted or
  re-applied (its changes are that entry's, so they are not written twice).

Reading replays the lines onto the snapshot. When the appended lines pass the bounds (KEEP
entries, MAX_RECORDS records) the next append compacts them into a new snapshot. Appends are not
fsynced (see `append`); a line torn by a crash is skipped, which the generation chain turns
into a refusal, never into a wrong undo.

The journal is a stack with a cursor: each entry is undone or not, and a new change drops the
undone ones (what could be redone is gone). `storage.undo` acts on it. The two files can disagree
(a crash between the two writes, a restored backup, a hand edit), so every line records the
store's `_meta` generation after its commit, and `Journal.intact_since` says whether every change
since an entry is journalled.
"""

from __future__ import annotations

import contextlib
import json
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple

from ..errors import StoreError
from ..model import iso
from .files import Change, atomic_write, remove_orphan_temps

Record = dict[str, Any]
Step = tuple[str, int]  # ("undo" | "redo", the generation of the entry it acts on)


JOURNAL_VERSION = 2
KEEP = 100
# Undo reads the whole journal, so its size is bounded too: an import or a bulk change of
# thousands of records would otherwise be parsed by every undo and compaction.
MAX_RECORDS = 1000
SUFFIX = ".journal"
_SNAPSHOT_PREFIX = b'{"version":2,'
# Counted (not parsed) to decide when to compact: a JSON string escapes its quotes, so these bytes
# only occur as the key of a change.
_CHANGE_KEY = b'"table":'


class Entry(NamedTuple):
    """One change to the store: what it was called, when, and each record's before and after.

    A NamedTuple, not a dataclass: every `pk add` imports this module to append its line, and
    building a dataclass compiles its methods at import (a few ms a command)."""

    generation: int
    operation: str
    changes: tuple[dict[str, Any], ...]
    # A change of more than MAX_RECORDS records is journalled without them: it cannot be undone
    # (the rolling .bak still holds the state before it), and it stops the stack there.
    too_large: int = 0
    at: str | None = None  # when it ran (UTC ISO), from the store's clock
    undone: bool = False
    undone_at: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "generation": self.generation,
            "operation": self.operation,
            "at": self.at,
            "changes": [dict(c) for c in self.changes],
        }
        if self.too_large:
            data["too_large"] = self.too_large
        if self.undone:
            data["undone"] = True
            data["undone_at"] = self.undone_at
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
        if type(generation) is not int or not isinstance(operation, str):
            raise ValueError("entry without generation or operation")
        too_large = data.get("too_large", 0)
        if type(too_large) is not int or too_large < 0:
            raise ValueError("malformed too_large")
        if not isinstance(changes, list) or not (changes or too_large):
            raise ValueError("entry without changes")
        for change in changes:
            if not (
                isinstance(change, dict)
                and isinstance(change.get("table"), str)
                and type(change.get("id")) is int
                and all(isinstance(change.get(k), dict | None) for k in ("before", "after"))
            ):
                raise ValueError("malformed change")
        at, undone_at = data.get("at"), data.get("undone_at")
        if not isinstance(at, str | None) or not isinstance(undone_at, str | None):
            raise ValueError("malformed time")
        undone = data.get("undone", False)
        if not isinstance(undone, bool):
            raise ValueError("malformed undone")
        return cls(generation, operation, tuple(changes), too_large, at, undone, undone_at)

    @property
    def base_operation(self) -> str:
        """`add` for `add`, and for the `undo add` / `redo add` of a version 1 journal."""
        for prefix in ("undo ", "redo "):
            if self.operation.startswith(prefix):
                return self.operation[len(prefix) :]
        return self.operation

    def inverse(self) -> Entry:
        """The change that reverting this entry makes: each record's before and after swapped.
        Describing a revert needs this; the entry itself says what the reverted change did."""
        swapped = tuple(
            {**c, "before": c.get("after"), "after": c.get("before")} for c in self.changes
        )
        return self._replace(changes=swapped)


class Journal:
    """The journal as read: its entries (oldest first) and how far its generation chain reaches.

    `chain_start`: every store generation from it to `last` has its line in the journal, so an
    entry at or above it has nothing unjournalled after it."""

    def __init__(
        self,
        entries: list[Entry] | None = None,
        last: int | None = None,
        chain_start: int | None = None,
    ) -> None:
        self.entries: list[Entry] = [] if entries is None else entries
        self.last = last
        self.chain_start = chain_start

    def next_undo(self) -> Entry | None:
        """The newest entry not undone: what `pk undo` reverts."""
        return next((e for e in reversed(self.entries) if not e.undone), None)

    def next_redo(self) -> Entry | None:
        """The oldest undone entry (just above the cursor): what `pk redo` re-applies."""
        return next((e for e in self.entries if e.undone), None)

    def intact_since(self, generation: int, store_generation: int) -> bool:
        """Whether every change from `generation` to the store as it is now is journalled."""
        return (
            self.last == store_generation
            and self.chain_start is not None
            and self.chain_start <= generation
        )

    def apply(self, line: dict[str, Any]) -> None:
        """Replay one appended line. Raises ValueError when it is not one we write."""
        generation = line.get("generation") if isinstance(line, dict) else None
        if type(generation) is not int:
            raise ValueError("line without a generation")
        at = line.get("at") if isinstance(line.get("at"), str) else None
        if "undo" in line or "redo" in line:
            kind = "undo" if "undo" in line else "redo"
            target = line[kind]
            if type(target) is not int:
                raise ValueError(f"malformed {kind}")
            self._advance(generation)
            for number, entry in enumerate(self.entries):
                if entry.generation == target:
                    undone = kind == "undo"
                    self.entries[number] = entry._replace(
                        undone=undone, undone_at=at if undone else None
                    )
            return
        entry = Entry.from_dict({**line, "undone": False, "undone_at": None})
        self._advance(generation)
        # A new change: what had been undone can no longer be redone.
        self.entries = [e for e in self.entries if not e.undone]
        self.entries.append(entry)

    def _advance(self, generation: int) -> None:
        if self.last is not None and generation <= self.last:
            # The store went back (a restore of an older journal?): nothing older is trusted.
            self.entries = []
        if self.last is None or generation != self.last + 1:
            self.chain_start = generation  # a generation is missing: the chain starts again
        self.last = generation

    def bound(self) -> None:
        """Keep the newest KEEP entries and at most MAX_RECORDS records (one entry at least)."""
        self.entries = self.entries[-KEEP:]
        while len(self.entries) > 1 and sum(len(e.changes) for e in self.entries) > MAX_RECORDS:
            self.entries.pop(0)

    def snapshot(self) -> bytes:
        return _dumps(
            {
                "version": JOURNAL_VERSION,
                "chain_start": self.chain_start,
                "last": self.last,
                "entries": [e.to_dict() for e in self.entries],
            }
        )


def journal_path(store_file: Path) -> Path:
    return store_file.with_name(store_file.name + SUFFIX)


def _dumps(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def read(store_file: Path) -> Journal:
    """The journal as it stands. Raises ValueError when it is damaged; empty when there is none."""
    try:
        raw = journal_path(store_file).read_bytes()
    except FileNotFoundError:
        return Journal()
    except OSError as exc:
        raise ValueError(f"cannot read it: {exc.strerror or exc}") from exc
    first, _, rest = raw.partition(b"\n")
    try:
        data = json.loads(first.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise ValueError("not valid JSON") from exc
    if not isinstance(data, dict) or not isinstance(data.get("entries"), list):
        raise ValueError("not a journal")
    version = data.get("version")
    if version == 1 and not rest.strip():
        return _from_version_1(data["entries"])
    if version != JOURNAL_VERSION:
        raise ValueError(f"journal version {version!r}")
    last, chain_start = data.get("last"), data.get("chain_start")
    if not all(value is None or type(value) is int for value in (last, chain_start)):
        raise ValueError("malformed snapshot")
    state = Journal([Entry.from_dict(e) for e in data["entries"]], last, chain_start)
    for raw_line in rest.split(b"\n"):
        if not raw_line.strip():
            continue
        try:
            state.apply(json.loads(raw_line.decode("utf-8")))
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError, ValueError):
            # A line torn by a crash, or not ours: skipped, its generation is then missing and
            # the chain check refuses to undo across it.
            continue
    state.bound()
    return state


def _from_version_1(raw_entries: list[Any]) -> Journal:
    """A journal written by an older pk: its entries, all not undone, its chain unbroken."""
    entries = [Entry.from_dict(e) for e in raw_entries]
    state = Journal()
    for entry in entries:
        state._advance(entry.generation)
        state.entries.append(entry._replace(at=entry.at or when(entry)))
    state.bound()
    return state


def load(store_file: Path) -> list[Entry]:
    """The journal's entries, oldest first. Raises ValueError when it is damaged."""
    return read(store_file).entries


def append(
    store_file: Path,
    generation: int,
    operation: str,
    changes: list[Change],
    when: datetime | None = None,
    step: Step | None = None,
) -> None:
    """Record the transaction just committed (`step`: it was an undo or redo of that entry).
    Called by the store under its lock; `when` is the store's clock, the journal reads none.

    Never raises: the store change is already on disk, and a journal problem must not turn a saved
    change into an error. The cost is that this change cannot be undone — `undo` sees the
    generation missing and refuses, rather than reverting an older change by mistake.
    """
    path = journal_path(store_file)
    line: dict[str, Any] = {"generation": generation}
    if step is not None:
        line[step[0]] = step[1]
    else:
        line["operation"] = operation
    line["at"] = iso(when) if when is not None else None
    if step is None and len(changes) > MAX_RECORDS:
        line |= {"changes": [], "too_large": len(changes)}
    elif step is None:
        line["changes"] = [
            {"table": c.table, "id": c.id, "before": c.before, "after": c.after} for c in changes
        ]
    with contextlib.suppress(OSError, StoreError, ValueError, TypeError):
        payload = _dumps(line)
        try:
            existing = path.read_bytes()
        except FileNotFoundError:
            existing = b""
        lines = existing.count(b"\n")
        if (
            not existing.startswith(_SNAPSHOT_PREFIX)
            or lines > KEEP
            or existing.count(_CHANGE_KEY) + len(changes) > 2 * MAX_RECORDS
        ):
            _compact(store_file, line)
            return
        with open(path, "ab") as handle:
            # A line torn by a crash has no newline: end it, or this line would join it.
            handle.write(payload + b"\n" if existing.endswith(b"\n") else b"\n" + payload + b"\n")


def _compact(store_file: Path, line: dict[str, Any]) -> None:
    """Rewrite the journal as one snapshot with `line` applied (a new file when it is damaged)."""
    path = journal_path(store_file)
    remove_orphan_temps(path)
    try:
        state = read(store_file)
    except ValueError:
        state = Journal()  # a damaged journal only costs the undo history
    state.apply(line)
    state.bound()
    # Without the fsyncs: after a power cut the journal may be a step behind or unreadable, and
    # either only makes `undo` refuse (each entry's generation is checked), so its durability is
    # not worth two more disk flushes per command.
    atomic_write(path, state.snapshot() + b"\n", mode=0o600, durable=False)


def when(entry: Entry) -> str | None:
    """When a change ran: the time the store recorded with it. An entry of a version 1 journal
    has none; its time is the newest history event it wrote (None for its undo and redo)."""
    if entry.at is not None:
        return entry.at
    if entry.operation != entry.base_operation:
        return None
    stamps = []
    for change in entry.changes:
        for record in (change.get("after"), change.get("before")):
            history = (record or {}).get("history")
            if isinstance(history, list):
                stamps += [e["at"] for e in history if isinstance(e, dict) and "at" in e]
    return max((s for s in stamps if isinstance(s, str)), default=None)
