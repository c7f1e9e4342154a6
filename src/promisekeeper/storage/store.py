"""The TinyDB JSON file, made safe for many `pk` processes at once.

Stock TinyDB is not safe here: its `JSONStorage` rewrites the file in place (a kill or a full disk
destroys it), and its id choice and update are separate read-modify-writes (concurrent writers lose
records). So:

- a write takes an exclusive lock on a separate lock file for the whole command, loads the file,
  lets TinyDB work on it in memory (`MemoryStorage`), and on success writes it once, atomically:
  temp file in the same directory, fsync, `os.replace`, fsync the directory;
- a read takes no lock at all: `os.replace` means a reader sees the old or the new file, whole;
- ids come from a counter in `_meta` that only increases (TinyDB reuses ids after a delete);
- a file that is not what we wrote is never overwritten: the error names the path and `pk doctor`.

The file's own layout (how records are written and parsed back) is `layout.py`'s.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import NotFound, StoreError
from ..model import Promise, iso, record_problem, request_problem
from . import prompt_index
from .block import ClosedBlock, carried_record, surely_done_at
from .files import (
    DEFAULT_LOCK_TIMEOUT,
    META,
    PROMISES,
    REQUESTS,
    Change,
    Record,
    atomic_write,
    env_float,
    keep_backup,
    locked,
    read_only,
    remove_orphan_temps,
)
from .layout import corrupt, dump_slices, load_file, load_for_write

if TYPE_CHECKING:
    from tinydb import TinyDB
    from tinydb.table import Table

    from .journal import Step


class MemoryStorage:
    """TinyDB storage over a dict we loaded ourselves; the Store decides when it reaches disk.
    Duck-typed rather than a subclass of tinydb's `Storage`: a read that never needs a TinyDB
    table (`pk list`) then never imports tinydb (~3 ms)."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    def read(self) -> dict[str, Any]:
        return self.data

    def write(self, data: dict[str, Any]) -> None:
        self.data = data

    def close(self) -> None:
        pass


class View:
    """Read access to one loaded state of the store: its records by table, plain dicts in
    TinyDB's layout. `table()` offers TinyDB's query API over them, for reading only (scripts,
    benchmarks); pk's own commands read `records()` and change them through a Transaction."""

    def __init__(self, path: Path, data: dict[str, Any], *, open_only: bool = False) -> None:
        self.path = path
        # Loaded with `load_file(open_only=True)`: closed promises may be missing.
        self.open_only = open_only
        self._storage = MemoryStorage(data)
        self._db: TinyDB | None = None
        self._archived: dict[int, Record] | None = None

    @property
    def db(self) -> TinyDB:
        """TinyDB over the loaded data, made when a table is first used."""
        if self._db is None:
            from tinydb import TinyDB

            self._db = TinyDB(storage=lambda: self._storage)
        return self._db

    @property
    def data(self) -> dict[str, Any]:
        return self._storage.data

    @property
    def meta(self) -> dict[str, Any]:
        return self.data[META]["1"]

    @property
    def generation(self) -> int:
        return int(self.meta.get("generation", 0))

    def table(self, name: str) -> Table:
        self._unfold()
        return self.db.table(name)

    def _unfold(self, key: str | None = None) -> None:
        """Parse promise lines carried unparsed: all, or the one with `key`. A View carries none
        (a Transaction may: see `layout.load_for_write`)."""

    def _whole(self, what: str) -> None:
        """Refuse what a view loaded with `open_only` cannot answer: it may lack closed records."""
        if self.open_only:
            raise ValueError(f"this view holds only the open promises, not {what}")

    def record(self, table: str, record_id: int) -> Record | None:
        """One record (a copy); a promise not in the hot file is looked for in the archive."""
        if table == PROMISES:
            self._unfold(str(record_id))
        doc = self.data.get(table, {}).get(str(record_id))
        if doc is not None:
            return dict(doc)
        if table == PROMISES:
            found = self.archived().get(record_id)
            return dict(found) if found is not None else None
        return None

    def archived(self) -> dict[int, Record]:
        """The archived promises not shadowed by the hot file, by id (read once, on demand:
        the commands that only need open promises never open the archive)."""
        self._whole("the archive")  # which hot records shadow it is not known otherwise
        if self._archived is None:
            from . import archive  # its readers and writers only: it loads orjson

            hot = archive.hot_uuids(self.records(PROMISES))
            self._archived = archive.latest(archive.scan(self.path).lines, hot)
        return self._archived

    def all_records(self, table: str) -> list[tuple[int, Record]]:
        """Every record, the archive's included, by id (export, doctor)."""
        hot = self.records(table)
        if table != PROMISES:
            return sorted(hot)
        return sorted([*hot, *self.archived().items()])

    def records(self, table: str) -> list[tuple[int, Record]]:
        """Every record of a table by id, read-only. Straight from the loaded data: TinyDB's
        `all()` copies each document into a new object, which costs more than the rest of
        `pk list`. Sorted because the file keeps closed promises after the open ones."""
        if table == PROMISES:
            self._unfold()
        return sorted(self.parsed_records(table), key=_first)

    def open_records(self) -> list[tuple[int, Record]]:
        """The records of the open promises (an open promise is never carried unparsed)."""
        return [
            (int(key), record)
            for key, record in self.data.get(PROMISES, {}).items()
            if record.get("status", "open") == "open"
        ]

    def parsed_records(self, table: str) -> list[tuple[int, Record]]:
        """The records parsed so far: every one in a View; a Transaction may still carry closed
        promises unparsed (`records()` parses them first)."""
        return [(int(key), record) for key, record in self.data.get(table, {}).items()]

    def promise(self, pid: int) -> Promise:
        data = self.record(PROMISES, pid)
        if data is None:
            raise NotFound(f"no promise #{pid} (see `pk list --all`)")
        return self._parse(pid, data)

    def promises(self, status: str | None = None, *, archived: bool = False) -> list[Promise]:
        """All promises, or those with one status; filtering before parsing keeps `pk list` fast
        on a store that is mostly history. `archived` adds the closed history kept apart."""
        if status != "open" or archived:
            self._whole("closed promises")
        if status == "open" and not archived:
            return [self._parse(pid, data) for pid, data in self.open_records()]
        records = self.all_records(PROMISES) if archived else self.records(PROMISES)
        return [
            self._parse(pid, data)
            for pid, data in records
            if status is None or data.get("status", "open") == status
        ]

    def _parse(self, pid: int, data: Record) -> Promise:
        try:
            return Promise.from_dict(pid, data)
        except ValueError as exc:
            raise corrupt(self.path, f"promise {pid}: {exc}") from exc


def _first(pair: tuple[int, Record]) -> int:
    return pair[0]


class Transaction(View):
    """A View that may change; every change is recorded so the commit can journal it.

    It may carry the file's closed block unparsed (`block`, from `layout.load_for_write`).
    Whatever asks for closed promises (`records`, `record`, `table`, a closed `promises`) has
    their lines parsed first; a line stays in the block until its promise changes or leaves,
    and the commit writes the block back as it was."""

    def __init__(
        self,
        path: Path,
        data: dict[str, Any],
        operation: str,
        block: ClosedBlock | None = None,
    ) -> None:
        super().__init__(path, data)
        self.block = block
        self.operation = operation
        self.changes: list[Change] = []
        # Set by `undo.undo` / `undo.redo`: the commit is journalled as that step, not as a change.
        self.journal_step: Step | None = None
        self._highest: dict[str, int] = {}
        # Archived promises this transaction removed: their archive lines get a tombstone once
        # the hot file is committed.
        self.unarchived: list[tuple[int, str]] = []

    def next_id(self, table: str) -> int:
        """The counter only increases; the max() guards against a counter edited by hand."""
        counters = self.meta.setdefault("next_id", {})
        if table not in self._highest:  # once per transaction: a scan of every key
            carried = self.block.keys if self.block is not None and table == PROMISES else ()
            keys = [*self.data.get(table, {}), *carried]
            self._highest[table] = max((int(k) for k in keys), default=0)
        return max(int(counters.get(table, 1)), self._highest[table] + 1)

    # The changes below set the one record in the loaded tables, in TinyDB's layout (id as text
    # key): TinyDB's own insert and update rebuild the whole table dict twice per call (3,400
    # records at 50,000 promises), and importing it costs a `pk add` ~8 ms.

    def insert(self, table: str, record: Record) -> int:
        record_id = self.next_id(table)
        self._set(table, record_id, record)
        self.meta["next_id"][table] = record_id + 1
        self.changes.append(Change(table, record_id, None, dict(record)))
        return record_id

    def put(self, table: str, record_id: int, record: Record) -> None:
        """Replace a record whole, or add it under its own id (an archived promise coming back)."""
        before = self.record(table, record_id)
        if str(record_id) not in self.data.setdefault(table, {}):
            # New, or an archived promise coming back: the hot copy shadows its archive line.
            counters = self.meta.setdefault("next_id", {})
            counters[table] = max(int(counters.get(table, 1)), record_id + 1)
        self._set(table, record_id, record)
        self.changes.append(Change(table, record_id, before, dict(record)))

    def remove(self, table: str, record_id: int) -> None:
        """Undo and `pk delete` remove records; ids are never handed out again (the counter
        stays)."""
        before = self.record(table, record_id)
        if before is None:
            return
        if str(record_id) in self.data.setdefault(table, {}):
            self.drop_hot(table, record_id)
        else:
            self.unarchived.append((record_id, str(before.get("uuid"))))
            self.archived().pop(record_id, None)
        self.changes.append(Change(table, record_id, before, None))

    def _set(self, table: str, record_id: int, record: Record) -> None:
        """Store a copy, as TinyDB would: the caller's dict stays theirs to change."""
        if table == PROMISES and self.block is not None:
            self.block.take(str(record_id))  # the new record replaces the line
        self.data.setdefault(table, {})[str(record_id)] = dict(record)

    def drop_hot(self, table: str, record_id: int) -> None:
        """Take a record out of the hot file (removed, or moved to the archive)."""
        if table == PROMISES and self.block is not None:
            self.block.take(str(record_id))
        self.data.get(table, {}).pop(str(record_id), None)

    def _unfold(self, key: str | None = None) -> None:
        """Parse block lines (all, or the one with `key`) into the tables. The line stays in
        the block: the commit writes it back as it was unless its record changed."""
        block = self.block
        if block is None:
            return
        table = self.data.setdefault(PROMISES, {})
        for chosen in list(block.lines()) if key is None else [key]:  # the file's order
            if chosen in block and chosen not in table:  # in both once parsed
                found, record = carried_record(block.line(chosen))  # type: ignore[arg-type]
                table[found] = record

    def unfold_closed_before(self, cutoff: str) -> None:
        """Parse the carried promises that may have been closed before `cutoff` (a time in the
        stored form), so the archive can judge them. Nothing when the block's horizon is
        later; else the month of recent closures stays unparsed (`block.surely_done_at`), and
        the horizon becomes the earliest of theirs (the commit adds the parsed ones')."""
        block = self.block
        if block is None or block.horizon is None or block.horizon > cutoff:
            return
        limit = cutoff.encode()
        earliest: bytes | None = None
        parsed = self.data.setdefault(PROMISES, {})
        for key, line in block.remaining():
            if key in parsed:
                continue
            done = surely_done_at(line)
            if done is not None and done > limit:
                earliest = done if earliest is None else min(earliest, done)
            else:
                self._unfold(key)
        block.horizon = None if earliest is None else earliest.decode()

    def add_promise(self, promise: Promise) -> Promise:
        pid = self.next_id(PROMISES)
        stored = promise._replace(id=pid)
        self.insert(PROMISES, stored.to_dict())
        return stored

    def put_promise(self, promise: Promise) -> None:
        self.put(PROMISES, promise.id, promise.to_dict())


class Store:
    """One store file. `read()` for views, `write(operation)` for changes.

    The time zone and the clock are the command's, passed in by the CLI: the prompt index beside
    the store is written for them. Without them (library use, tests) no index is written.
    A plain class, not a dataclass: `pk list` must not pay for importing `dataclasses`.
    """

    def __init__(
        self,
        path: Path,
        lock_timeout: float | None = None,
        *,
        tz: tzinfo | None = None,
        now: datetime | None = None,
        index_key: str = "",
        archive_after: timedelta | None = None,
        soon_seconds: int = prompt_index.DEFAULT_SOON,
        observers: tuple[Callable[[Transaction], None], ...] = (),
    ) -> None:
        self.path = path
        self.lock_timeout = (
            env_float("PK_LOCK_TIMEOUT", DEFAULT_LOCK_TIMEOUT)
            if lock_timeout is None
            else lock_timeout
        )
        self.tz = tz
        self.now = now
        # What else in the settings decides what a prompt shows (working hours, `soon`): a
        # change of it makes the index stale as surely as a change of the store.
        self.index_key = index_key
        # Closed promises older than this move to the archive on the next write (None: never).
        self.archive_after = archive_after
        # The `soon` window (seconds) the prompt index carries for the prompt.
        self.soon_seconds = soon_seconds
        # Called with each committed transaction, under the lock (the archive, later sync state).
        self.observers = observers

    def __repr__(self) -> str:
        return f"Store({self.path!r})"

    @property
    def target(self) -> Path:
        """The real file behind any symlink: we replace it, not the link."""
        return Path(os.path.realpath(self.path))

    def read(self, *, open_only: bool = False) -> View:
        """The store as it is now. `open_only`: a view of the open promises alone (and every
        other table), cheaper on years of history (see `load_file`)."""
        target = self.target
        stamp = prompt_index.stamp_or_none(target)
        data = load_file(target, open_only=open_only)
        if self.tz is not None and self.now is not None:
            # "the next pk command restores it"
            prompt_index.refresh_if_stale(
                self.path, target, data, stamp, self.tz, self.now, self.index_key, self.soon_seconds
            )
        return View(target, data, open_only=open_only)

    @contextlib.contextmanager
    def write(self, operation: str) -> Iterator[Transaction]:
        """Hold the lock for the whole command; commit once if anything changed."""
        target = self.target
        with self.locked():
            remove_orphan_temps(target)
            if read_only(target):
                raise StoreError(f"nothing was saved: {target} is read-only")
            data, block = load_for_write(target)
            tx = Transaction(target, data, operation, block)
            # Check every record's shape before changing any: a malformed one must stop the write
            # here, or we would rewrite (and so "accept") a file we do not understand. (Carried
            # lines are sealed: byte for byte what an earlier write checked and wrote.)
            for key, record in tx.data[PROMISES].items():
                if problem := record_problem(record):
                    raise corrupt(target, f"promise {key}: {problem}")
            for rid, record in tx.records(REQUESTS):
                if problem := request_problem(record):
                    raise corrupt(target, f"request {rid}: {problem}")
            yield tx
            if tx.changes:
                tx.meta["generation"] = tx.generation + 1
                self._commit(tx)

    def _archive_old(self, tx: Transaction) -> int:
        """Move closed history out of the hot file (storage/archive.py): appended durably to the
        archive first, then left out of the hot commit. Not a change to any promise, so it is
        neither journalled nor counted in the generation. A disk that refuses the append keeps
        them hot; they move on a later write."""
        if self.archive_after is None or self.now is None:
            return 0
        from . import archive

        touched = {c.id for c in tx.changes if c.table == PROMISES}
        # Every carried promise left unparsed is done within the window: it stays.
        tx.unfold_closed_before(iso(self.now - self.archive_after))
        found = archive.due_for_archive(tx.parsed_records(PROMISES), self.now, self.archive_after)
        # By id: the archive's lines come out the same whichever records were parsed first.
        chosen = sorted(((pid, r) for pid, r in found if pid not in touched), key=_first)
        if not chosen:
            return 0
        try:
            archive.append(tx.path, chosen)
        except StoreError:
            return 0
        for pid, _ in chosen:
            tx.drop_hot(PROMISES, pid)
        return len(chosen)

    def locked(self, timeout: float | None = None) -> contextlib.AbstractContextManager[None]:
        """The writers' lock, for work beside the store that must not race a writer."""
        return locked(self.target, self.lock_timeout if timeout is None else timeout)

    def _commit(self, tx: Transaction) -> None:
        target = tx.path
        self._archive_old(tx)
        keep_backup(target)
        atomic_write(target, dump_slices(tx.data, tx.block))
        if tx.unarchived:
            from . import archive

            # After the hot commit: a kill before this line leaves the promise visible in the
            # archive (not lost); the other order could lose it.
            archive.append_tombstones(target, tx.unarchived)
        from . import journal  # writers only: a view never needs the undo journal

        journal.append(  # never raises
            target, tx.generation, tx.operation, tx.changes, when=self.now, step=tx.journal_step
        )
        if self.tz is not None and self.now is not None:
            # The shell prompt's sidecar; never raises.
            prompt_index.write(
                self.path,
                target,
                tx.data,
                self.tz,
                self.now,
                self.index_key,
                soon=self.soon_seconds,
            )
        for observe in self.observers:
            observe(tx)
