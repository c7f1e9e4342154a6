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
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any

import orjson
from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Document, Table

from ..errors import NotFound, StoreCorrupt, StoreError
from ..model import Promise, record_problem, request_problem
from . import journal, prompt_index
from .files import (
    DEFAULT_LOCK_TIMEOUT,
    META,
    PROMISES,
    REQUESTS,
    TABLES,
    Record,
    atomic_write,
    env_float,
    keep_backup,
    locked,
    read_only,
    remove_orphan_temps,
)
from .journal import Change

SCHEMA_VERSION = 1


def empty_data() -> dict[str, Any]:
    return {
        META: {"1": {"schema": SCHEMA_VERSION, "generation": 0, "next_id": {}}},
        **{name: {} for name in TABLES},
    }


def dumps(data: dict[str, Any]) -> bytes:
    """Compact UTF-8 JSON, the same bytes `json.dumps(..., ensure_ascii=False,
    separators=(",", ":"))` gives. orjson because `pk add` rewrites the whole store: on 10,000
    promises the standard library spends ~8x longer serialising than orjson (bench/)."""
    return orjson.dumps(data)


class MemoryStorage(Storage):
    """TinyDB storage over a dict we loaded ourselves; the Store decides when it reaches disk."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    def read(self) -> dict[str, Any]:
        return self.data

    def write(self, data: dict[str, Any]) -> None:
        self.data = data


def corrupt(path: Path, reason: str) -> StoreCorrupt:
    return StoreCorrupt(
        f"{path} is not a valid promisekeeper store ({reason}); it was left untouched: "
        f"run `pk doctor` to inspect it"
    )


def validate(data: Any, path: Path) -> dict[str, Any]:
    """Check the shape of a loaded file; raise StoreCorrupt (never repair) when it is off."""
    if not isinstance(data, dict):
        raise corrupt(path, f"top level is {type(data).__name__}, not an object")
    meta_table = data.get(META)
    if not isinstance(meta_table, dict) or not isinstance(meta_table.get("1"), dict):
        raise corrupt(path, "no _meta record")
    meta = meta_table["1"]
    schema = meta.get("schema")
    if not isinstance(schema, int):
        raise corrupt(path, "no schema version")
    if schema > SCHEMA_VERSION:
        raise StoreCorrupt(
            f"{path} was written by a newer pk (schema {schema}, this pk reads {SCHEMA_VERSION}); "
            f"upgrade pk — the file was left untouched"
        )
    if not isinstance(meta.get("generation", 0), int) or not isinstance(
        meta.get("next_id", {}), dict
    ):
        raise corrupt(path, "malformed _meta record")
    for name in TABLES:
        table = data.setdefault(name, {})
        if not isinstance(table, dict):
            raise corrupt(path, f"table {name!r} is {type(table).__name__}, not an object")
        for key, record in table.items():
            if not key.isdigit() or int(key) <= 0:
                raise corrupt(path, f"table {name!r} has a non-integer id {key!r}")
            if not isinstance(record, dict):
                raise corrupt(path, f"{name} record {key} is not an object")
    return data


def load_file(path: Path) -> dict[str, Any]:
    """Read and validate the store; a missing file is an empty store."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return empty_data()
    except IsADirectoryError as exc:
        raise StoreError(f"{path} is a directory, not a store file (use --db FILE)") from exc
    except PermissionError as exc:
        raise StoreError(f"cannot read {path}: permission denied") from exc
    except OSError as exc:
        raise StoreError(f"cannot read {path}: {exc.strerror or exc}") from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise corrupt(path, "not UTF-8 text") from exc
    if not text.strip():
        raise corrupt(path, "the file is empty")
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:  # a json.JSONDecodeError too, with .msg
        raise corrupt(path, f"invalid JSON: {exc.msg}") from exc
    return validate(data, path)


class View:
    """Read access to one loaded state of the store, through TinyDB tables."""

    def __init__(self, path: Path, data: dict[str, Any]) -> None:
        self.path = path
        self.db = TinyDB(data, storage=MemoryStorage)
        self._storage: MemoryStorage = self.db.storage  # type: ignore[assignment]

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
        return self.db.table(name)

    def record(self, table: str, record_id: int) -> Record | None:
        doc = self.table(table).get(doc_id=record_id)
        return dict(doc) if doc is not None else None

    def records(self, table: str) -> list[tuple[int, Record]]:
        """Every record of a table, read-only. Straight from the loaded data: TinyDB's `all()`
        copies each document into a new object, which costs more than the rest of `pk list`."""
        return [(int(key), record) for key, record in self.data.get(table, {}).items()]

    def promise(self, pid: int) -> Promise:
        data = self.record(PROMISES, pid)
        if data is None:
            raise NotFound(f"no promise #{pid} (see `pk list --all`)")
        return self._parse(pid, data)

    def promises(self, status: str | None = None) -> list[Promise]:
        """All promises, or those with one status; filtering before parsing keeps `pk list` fast
        on a store that is mostly history."""
        return [
            self._parse(pid, data)
            for pid, data in self.records(PROMISES)
            if status is None or data.get("status", "open") == status
        ]

    def _parse(self, pid: int, data: Record) -> Promise:
        try:
            return Promise.from_dict(pid, data)
        except ValueError as exc:
            raise corrupt(self.path, f"promise {pid}: {exc}") from exc


class Transaction(View):
    """A View that may change; every change is recorded so the commit can journal it."""

    def __init__(self, path: Path, data: dict[str, Any], operation: str) -> None:
        super().__init__(path, data)
        self.operation = operation
        self.changes: list[Change] = []
        # Set by `undo.undo` / `undo.redo`: the commit is journalled as that step, not as a change.
        self.journal_step: journal.Step | None = None
        self._highest: dict[str, int] = {}

    def next_id(self, table: str) -> int:
        """The counter only increases; the max() guards against a counter edited by hand."""
        counters = self.meta.setdefault("next_id", {})
        if table not in self._highest:  # once per transaction: a scan of every key
            self._highest[table] = max((int(k) for k in self.data.get(table, {})), default=0)
        return max(int(counters.get(table, 1)), self._highest[table] + 1)

    def insert(self, table: str, record: Record) -> int:
        record_id = self.next_id(table)
        self.table(table).insert(Document(record, doc_id=record_id))
        self.meta["next_id"][table] = record_id + 1
        self.changes.append(Change(table, record_id, None, dict(record)))
        return record_id

    def put(self, table: str, record_id: int, record: Record) -> None:
        """Replace a record whole (TinyDB's update merges, which would keep stale keys)."""
        before = self.record(table, record_id)
        if before is None:
            self.table(table).insert(Document(record, doc_id=record_id))
            counters = self.meta.setdefault("next_id", {})
            counters[table] = max(int(counters.get(table, 1)), record_id + 1)
        else:

            def replace_all(doc: dict[str, Any]) -> None:
                doc.clear()
                doc.update(record)

            self.table(table).update(replace_all, doc_ids=[record_id])
        self.changes.append(Change(table, record_id, before, dict(record)))

    def remove(self, table: str, record_id: int) -> None:
        """Undo and `pk delete` remove records; ids are never handed out again (the counter
        stays)."""
        before = self.record(table, record_id)
        if before is None:
            return
        self.table(table).remove(doc_ids=[record_id])
        self.changes.append(Change(table, record_id, before, None))

    def add_promise(self, promise: Promise) -> Promise:
        pid = self.next_id(PROMISES)
        stored = replace(promise, id=pid)
        self.insert(PROMISES, stored.to_dict())
        return stored

    def put_promise(self, promise: Promise) -> None:
        self.put(PROMISES, promise.id, promise.to_dict())


@dataclass
class Store:
    """One store file. `read()` for views, `write(operation)` for changes.

    The time zone and the clock are the command's, passed in by the CLI: the prompt index beside
    the store is written for them. Without them (library use, tests) no index is written.
    """

    path: Path
    lock_timeout: float = field(
        default_factory=lambda: env_float("PK_LOCK_TIMEOUT", DEFAULT_LOCK_TIMEOUT)
    )
    tz: tzinfo | None = None
    now: datetime | None = None
    # What else in the settings decides what a prompt shows (working hours, `soon`): a change of
    # it makes the index stale as surely as a change of the store.
    index_key: str = ""
    # Called with each committed transaction, under the lock (the archive, later sync state).
    observers: tuple[Callable[[Transaction], None], ...] = ()

    @property
    def target(self) -> Path:
        """The real file behind any symlink: we replace it, not the link."""
        return Path(os.path.realpath(self.path))

    def read(self) -> View:
        target = self.target
        stamp = prompt_index.stamp_or_none(target)
        data = load_file(target)
        if self.tz is not None and self.now is not None:
            # "the next pk command restores it"
            prompt_index.refresh_if_stale(
                self.path, target, data, stamp, self.tz, self.now, self.index_key
            )
        return View(target, data)

    @contextlib.contextmanager
    def write(self, operation: str) -> Iterator[Transaction]:
        """Hold the lock for the whole command; commit once if anything changed."""
        target = self.target
        with self.locked():
            remove_orphan_temps(target)
            if read_only(target):
                raise StoreError(f"nothing was saved: {target} is read-only")
            tx = Transaction(target, load_file(target), operation)
            # Check every record's shape before changing any: a malformed one must stop the write
            # here, or we would rewrite (and so "accept") a file we do not understand.
            for pid, record in tx.records(PROMISES):
                if problem := record_problem(record):
                    raise corrupt(target, f"promise {pid}: {problem}")
            for rid, record in tx.records(REQUESTS):
                if problem := request_problem(record):
                    raise corrupt(target, f"request {rid}: {problem}")
            yield tx
            if tx.changes:
                tx.meta["generation"] = tx.generation + 1
                self._commit(tx)

    def locked(self, timeout: float | None = None) -> contextlib.AbstractContextManager[None]:
        """The writers' lock, for work beside the store that must not race a writer."""
        return locked(self.target, self.lock_timeout if timeout is None else timeout)

    def _commit(self, tx: Transaction) -> None:
        target = tx.path
        payload = dumps(tx.data)
        keep_backup(target)
        atomic_write(target, payload)
        journal.append(  # never raises
            target, tx.generation, tx.operation, tx.changes, when=self.now, step=tx.journal_step
        )
        if self.tz is not None and self.now is not None:
            # The shell prompt's sidecar; never raises.
            prompt_index.write(self.path, target, tx.data, self.tz, self.now, self.index_key)
        for observe in self.observers:
            observe(tx)
