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
from datetime import datetime, timedelta, tzinfo
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

import orjson

from ..errors import NotFound, StoreCorrupt, StoreError
from ..model import Promise, record_problem, request_problem
from . import archive, prompt_index
from .files import (
    DEFAULT_LOCK_TIMEOUT,
    META,
    PROMISES,
    REQUESTS,
    TABLES,
    Change,
    Record,
    atomic_write,
    env_float,
    keep_backup,
    locked,
    read_only,
    remove_orphan_temps,
)

if TYPE_CHECKING:
    from tinydb import TinyDB
    from tinydb.table import Table

    from .journal import Step

SCHEMA_VERSION = 1


def empty_data() -> dict[str, Any]:
    return {
        META: {"1": {"schema": SCHEMA_VERSION, "generation": 0, "next_id": {}}},
        **{name: {} for name in TABLES},
    }


# Records per piece written and per orjson call reading: small enough that a piece costs little
# memory, large enough that the calls cost no more time than one call over the whole file.
SLICE = 128


def dumps(data: dict[str, Any]) -> bytes:
    """UTF-8 JSON, compact inside a record, one record a line (see `load_file`)::

        {
        "_meta":{
        "1":{"schema":1,"generation":7,"next_id":{"promises":3}}
        },
        "promises":{
        "1":{"uuid":"...","title":"..."},
        "2":{"uuid":"...","title":"..."}
        }
        }

    The same JSON to any reader (TinyDB, jq, an older pk) as one compact line; the line breaks
    only let `load_file` parse it a slice at a time. orjson because `pk add` rewrites the whole
    store: on 10,000 promises the standard library spends ~8x longer serialising (bench/)."""
    return b"".join(dump_slices(data))


def dump_slices(data: dict[str, Any]) -> Iterator[bytes]:
    """`dumps` in pieces of up to SLICE records, made as they are written: a commit never holds
    the whole file's bytes (2 MB at 50,000 promises, twice over while they were joined)."""
    if not all(isinstance(table, dict) for table in data.values()):
        yield orjson.dumps(data)  # not a store's shape: one line, which load_file reads whole
        return
    yield b"{"
    for number, (name, table) in enumerate(data.items()):
        yield b"%s\n%s:{" % (b"," if number else b"", _json_key(name))
        items, first = iter(table.items()), True
        while piece := [
            b"%s:%s" % (_json_key(k), orjson.dumps(v)) for k, v in islice(items, SLICE)
        ]:
            yield (b"\n" if first else b",\n") + b",\n".join(piece)
            first = False
        yield b"\n}"
    yield b"\n}\n"


def _json_key(key: str) -> bytes:
    if type(key) is not str:  # what orjson.dumps of the whole store would refuse too
        raise TypeError(f"a store key must be text, not {type(key).__name__}")
    return orjson.dumps(key)


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


def load_file(path: Path, *, open_only: bool = False) -> dict[str, Any]:
    """Read and validate the store; a missing file is an empty store.

    `open_only` is for views of the open promises (`pk list`, `pk overdue`): a promise record
    that is surely closed (`may_be_open`) is left out unparsed. Most of the hot file is recent
    history (2,400 of 3,400 records at 50,000 promises), and parsing it was most of their read.
    Its text is then not checked as JSON: a write always reads everything, and refuses a file
    it does not wholly understand before changing anything.

    A file in `dumps`' layout is parsed a slice of records at a time: at 50,000 promises
    (~3,000 records, 2 MB) reading it whole held the bytes and orjson's parse of all of them
    beside the result, ~6 MB of peak memory more than the records themselves. Any other file
    (written by hand, by an older pk or by `pk doctor`) is read whole, as before."""
    try:
        with path.open("rb") as handle:
            data = read_by_records(handle, may_be_open if open_only else None)
            if data is None:
                handle.seek(0)
                raw = handle.read()
    except FileNotFoundError:
        return empty_data()
    except IsADirectoryError as exc:
        raise StoreError(f"{path} is a directory, not a store file (use --db FILE)") from exc
    except PermissionError as exc:
        raise StoreError(f"cannot read {path}: permission denied") from exc
    except OSError as exc:
        raise StoreError(f"cannot read {path}: {exc.strerror or exc}") from exc
    if data is None:
        try:
            data = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:  # a json.JSONDecodeError too, with .msg
            raise corrupt(path, load_problem(raw, exc.msg)) from exc
        del raw
    return validate(data, path)


def read_by_records(
    handle: BinaryIO, keep: Callable[[bytes], bool] | None = None
) -> dict[str, Any] | None:
    """The store, when the file is exactly in `dumps`' layout; None for any other file (the
    caller then reads it whole, which also names what is wrong with a broken one).

    Accepts only what parsing the whole file would accept, with the same result: every record
    line but a table's last ends with the comma continuing it, and each slice of a table's
    records is parsed by orjson as one object, `{` + lines + `}`, so their text is checked as
    JSON. A promise line that `keep` refuses is left out, and its text goes unchecked."""
    if handle.readline() != b"{\n":
        return None
    data: dict[str, Any] = {}
    table: dict[str, Any] | None = None
    more_tables = True  # after `{` or a table's `},`; False after the last table's `}`
    filtered = False  # whether `keep` applies to the current table
    comma: bool | None = None  # whether the table's last record line ended with a comma
    lines: list[bytes] = []  # record lines waiting to be parsed, each with its comma
    try:
        for line in handle:
            if table is not None and line[:1] == b'"':  # a record
                if comma is False:  # two records without a comma between them
                    return None
                comma = line.endswith(b",\n")
                if filtered and not keep(line):  # type: ignore[misc]
                    continue
                lines.append(line)
                if len(lines) == SLICE:
                    table.update(_parse_slice(lines))
                    lines = []
            elif table is not None and line in (b"}\n", b"},\n"):  # the table's end
                if comma:  # a comma before the `}`
                    return None
                if lines:
                    table.update(_parse_slice(lines))
                    lines = []
                table, more_tables = None, line == b"},\n"
            elif table is None and more_tables and line.endswith(b":{\n"):  # a table's start
                name = orjson.loads(line[:-3])
                if not isinstance(name, str) or name in data:
                    return None
                table = data[name] = {}
                filtered, comma = keep is not None and name == PROMISES, None
            elif table is None and not more_tables and line == b"}\n":  # the file's end
                return data if not handle.read(1) else None
            else:
                return None
    except orjson.JSONDecodeError:
        return None
    return None  # the file ended early


def _parse_slice(lines: list[bytes]) -> dict[str, Any]:
    """Record lines as one object. Every line but the last ends with its comma (the caller
    checks it), which is what separates them; the last one's, if any, goes."""
    if lines[-1].endswith(b",\n"):
        lines[-1] = lines[-1][:-2]
    parsed = orjson.loads(b"{%s}" % b"".join(lines))
    if not isinstance(parsed, dict):
        raise orjson.JSONDecodeError("not an object", "", 0)
    return parsed


def may_be_open(line: bytes) -> bool:
    """False only for a promise record line that is surely closed: the one `"status"` in it is
    the key of `:"done"` or `:"dropped"`. pk writes every promise with its status, compact, and
    nests no other; a second `"status"` (a tag, a title) or another spelling means: parse it.
    (Only a hand-made record that leaves its status out, so open, and nests a closed status
    somewhere else would be missed.)"""
    at = line.find(b'"status"')
    if at < 0 or line.find(b'"status"', at + 8) >= 0:
        return True
    return not line.startswith((b':"done"', b':"dropped"'), at + 8)


def load_problem(raw: bytes, msg: str) -> str:
    """Why bytes that orjson refused are not a store. Worked out only after the refusal: a
    decoded copy of a good file, kept alive beside its bytes during the parse, was the largest
    avoidable part of a read's peak memory (2 MB of the ~18 MB a 3,000-record file takes)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return "not UTF-8 text"
    return "the file is empty" if not text.strip() else f"invalid JSON: {msg}"


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
        return self.db.table(name)

    def _whole(self, what: str) -> None:
        """Refuse what a view loaded with `open_only` cannot answer: it may lack closed records."""
        if self.open_only:
            raise ValueError(f"this view holds only the open promises, not {what}")

    def record(self, table: str, record_id: int) -> Record | None:
        """One record (a copy); a promise not in the hot file is looked for in the archive."""
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
        """Every record of a table, read-only. Straight from the loaded data: TinyDB's `all()`
        copies each document into a new object, which costs more than the rest of `pk list`."""
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


class Transaction(View):
    """A View that may change; every change is recorded so the commit can journal it."""

    def __init__(self, path: Path, data: dict[str, Any], operation: str) -> None:
        super().__init__(path, data)
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
            self._highest[table] = max((int(k) for k in self.data.get(table, {})), default=0)
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
        hot = self.data.setdefault(table, {})
        if str(record_id) in hot:
            del hot[str(record_id)]
        else:
            self.unarchived.append((record_id, str(before.get("uuid"))))
            self.archived().pop(record_id, None)
        self.changes.append(Change(table, record_id, before, None))

    def _set(self, table: str, record_id: int, record: Record) -> None:
        """Store a copy, as TinyDB would: the caller's dict stays theirs to change."""
        self.data.setdefault(table, {})[str(record_id)] = dict(record)

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
    # Closed promises older than this move to the archive on the next write (None: never).
    archive_after: timedelta | None = None
    # The `soon` window (seconds) the prompt index carries for the prompt.
    soon_seconds: int = prompt_index.DEFAULT_SOON
    # Called with each committed transaction, under the lock (the archive, later sync state).
    observers: tuple[Callable[[Transaction], None], ...] = ()

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
            tx = Transaction(target, load_file(target), operation)
            # Check every record's shape before changing any: a malformed one must stop the write
            # here, or we would rewrite (and so "accept") a file we do not understand.
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
        touched = {c.id for c in tx.changes if c.table == PROMISES}
        chosen = [
            (pid, record)
            for pid, record in archive.due_for_archive(
                tx.records(PROMISES), self.now, self.archive_after
            )
            if pid not in touched
        ]
        if not chosen:
            return 0
        try:
            archive.append(tx.path, chosen)
        except StoreError:
            return 0
        table = tx.data[PROMISES]
        for pid, _ in chosen:
            table.pop(str(pid), None)
        return len(chosen)

    def locked(self, timeout: float | None = None) -> contextlib.AbstractContextManager[None]:
        """The writers' lock, for work beside the store that must not race a writer."""
        return locked(self.target, self.lock_timeout if timeout is None else timeout)

    def _commit(self, tx: Transaction) -> None:
        target = tx.path
        self._archive_old(tx)
        keep_backup(target)
        atomic_write(target, dump_slices(tx.data))
        if tx.unarchived:
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
