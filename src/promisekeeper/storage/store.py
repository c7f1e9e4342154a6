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
import errno
import os
import secrets
import stat
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import orjson
from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Document, Table

from ..errors import NotFound, StoreBusy, StoreCorrupt, StoreError
from ..model import Promise, record_problem
from . import journal, prompt_index

SCHEMA_VERSION = 1
META = "_meta"
PROMISES = "promises"
REQUESTS = "requests"
TABLES = (PROMISES, REQUESTS)
DEFAULT_LOCK_TIMEOUT = 5.0

Record = dict[str, Any]


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


def sidecar(path: Path, suffix: str) -> Path:
    """A file beside the store: `promises.json` → `promises.json.lock`, `.bak`, `.idx`..."""
    return path.with_name(path.name + suffix)


def temp_prefix(path: Path) -> str:
    return f".{path.name}.tmp-"


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


@dataclass
class Change:
    """One record's before and after, for the undo journal (None = absent)."""

    table: str
    id: int
    before: Record | None
    after: Record | None


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
        """Only undo removes records; ids are never handed out again (the counter stays)."""
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
    """One store file. `read()` for views, `write(operation)` for changes."""

    path: Path
    lock_timeout: float = field(
        default_factory=lambda: _env_float("PK_LOCK_TIMEOUT", DEFAULT_LOCK_TIMEOUT)
    )

    @property
    def target(self) -> Path:
        """The real file behind any symlink: we replace it, not the link."""
        return Path(os.path.realpath(self.path))

    def read(self) -> View:
        target = self.target
        stamp = prompt_index.stamp_or_none(target)
        data = load_file(target)
        prompt_index.refresh_if_stale(self, data, stamp)  # "the next pk command restores it"
        return View(target, data)

    @contextlib.contextmanager
    def write(self, operation: str) -> Iterator[Transaction]:
        """Hold the lock for the whole command; commit once if anything changed."""
        target = self.target
        with self._lock(target):
            _remove_orphan_temps(target)
            if _read_only(target):
                raise StoreError(f"nothing was saved: {target} is read-only")
            tx = Transaction(target, load_file(target), operation)
            # Check every record's shape before changing any: a malformed one must stop the write
            # here, or we would rewrite (and so "accept") a file we do not understand.
            for pid, record in tx.records(PROMISES):
                if problem := record_problem(record):
                    raise corrupt(target, f"promise {pid}: {problem}")
            if requests := tx.records(REQUESTS):
                # Lazy: helplater imports this module, and most stores have no requests at all.
                from ..core.helplater import request_problem

                for rid, record in requests:
                    if problem := request_problem(record):
                        raise corrupt(target, f"request {rid}: {problem}")
            yield tx
            if tx.changes:
                tx.meta["generation"] = tx.generation + 1
                self._commit(tx)

    def _commit(self, tx: Transaction) -> None:
        target = tx.path
        payload = dumps(tx.data)
        _keep_backup(target)
        atomic_write(target, payload)
        journal.append(tx)  # the undo journal, same lock; never raises
        prompt_index.write_for(self, tx)  # the shell prompt's sidecar; never raises

    @contextlib.contextmanager
    def _lock(self, target: Path) -> Iterator[None]:
        lock_path = sidecar(target, ".lock")
        try:
            target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            handle = open(lock_path, "a+b")  # noqa: SIM115 - held for the whole command
        except OSError as exc:
            raise _write_error(exc, target) from exc
        try:
            _acquire(handle, self.lock_timeout)
            yield
        finally:
            handle.close()  # closing releases the lock, also when the process is killed


def _read_only(target: Path) -> bool:
    """A file without write permission is the user saying "do not change this" — even to root,
    who `os.access` would let through, and even though `os.replace` could swap it anyway."""
    try:
        mode = os.stat(target).st_mode
    except OSError:
        return False
    return stat.S_ISREG(mode) and (not mode & 0o222 or not os.access(target, os.W_OK))


def _env_float(name: str, default: float) -> float:
    try:
        return float(os.environ.get(name, default))
    except ValueError:
        return default


def _acquire(handle: Any, timeout: float) -> None:
    try:
        import fcntl
    except ImportError:  # Windows: msvcrt locks a byte range instead
        import msvcrt

        def try_lock() -> bool:
            try:
                msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
                return True
            except OSError:
                return False

    else:

        def try_lock() -> bool:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                return True
            except BlockingIOError:
                return False

    deadline = time.monotonic() + timeout
    pause = 0.002
    while not try_lock():
        if time.monotonic() >= deadline:
            raise StoreBusy("the store is busy (locked by another pk); try again in a moment")
        time.sleep(pause)
        pause = min(pause * 2, 0.05)


def _write_error(exc: OSError, target: Path) -> StoreError:
    if exc.errno == errno.ENOSPC:
        return StoreError(f"nothing was saved: disk full ({target.parent})")
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return StoreError(f"nothing was saved: cannot write to {target.parent} (permission denied)")
    return StoreError(f"nothing was saved: {exc.strerror or exc} ({target})")


def atomic_write(target: Path, payload: bytes, mode: int | None = None) -> None:
    """Write `payload` to `target` so that a crash leaves the old file or the new one, whole."""
    if mode is None:
        try:
            mode = os.stat(target).st_mode & 0o7777
        except FileNotFoundError:
            mode = 0o600  # promises are personal
    temp = target.with_name(f"{temp_prefix(target)}{os.getpid()}-{secrets.token_hex(4)}")
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            view = memoryview(payload)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fsync(fd)
            os.fchmod(fd, mode) if hasattr(os, "fchmod") else None
        finally:
            os.close(fd)
        os.replace(temp, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise _write_error(exc, target) from exc
    _fsync_dir(target.parent)


def _fsync_dir(directory: Path) -> None:
    # Makes the rename itself durable; not possible (nor needed) on every platform.
    with contextlib.suppress(OSError, AttributeError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _keep_backup(target: Path) -> None:
    """Keep the previous state as `.bak` for `pk doctor --restore`.

    The store is only ever replaced, never rewritten, so a hard link to the current file *is* the
    previous state: no copy. Where links are not possible we copy, atomically too.
    """
    if not target.exists():
        return
    backup = sidecar(target, ".bak")
    with contextlib.suppress(OSError):
        if os.path.samefile(target, backup):
            # Already the backup (the last write was killed before its replace). Renaming a link
            # over another link to the same file does nothing, which would leave the staging file.
            return
    staging = target.with_name(f"{temp_prefix(target)}bak-{os.getpid()}-{secrets.token_hex(4)}")
    try:
        os.link(target, staging)
        os.replace(staging, backup)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(staging)
        atomic_write(backup, target.read_bytes())


def _remove_orphan_temps(target: Path) -> None:
    """Temp files left by a killed writer. Safe: we hold the lock, so no writer is using them."""
    prefix = temp_prefix(target)
    with contextlib.suppress(OSError):
        for entry in os.scandir(target.parent):
            if entry.name.startswith(prefix):
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)
