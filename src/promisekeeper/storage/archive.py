"""The archive: closed history, out of the hot file every command reads.

Every `pk list`, `pk add` and shell prompt reads and parses the whole store; on years of history
that is megabytes of promises long since kept. So promises closed more than `archive_after` ago
(30 days by default, the window sync keeps too) move to `promises.json.archive` beside the store.

Why an append-only JSON-lines file rather than a second TinyDB file: moving a batch is one
append of a few lines plus the usual atomic rewrite of the (now smaller) hot file, never a
rewrite of years of history; and a reader needs no lock.

The move, under the store's lock, is: append the records to the archive and fsync it, then commit
the hot file without them. A kill between the two leaves a promise in both places, so every reader
resolves by uuid: **the hot copy wins**, and among archive lines **the last one wins**. The next
write finds the promise still eligible and moves it again; a reopened archived promise is simply
written back to the hot file, which shadows its archive line. A line cut short by a kill is
ignored by readers and cut off before the next append. `pk doctor` checks all of this.

The move changes no promise, only where it is kept: it does not advance the store's generation
and is not an undoable change.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple

import orjson

from ..errors import StoreError
from ..model import iso, parse_iso
from .files import Record, sidecar, write_error

SUFFIX = ".archive"
TOMBSTONE = "_removed"  # a line saying "this uuid is gone", written after the hot commit


def archive_path(store_file: Path) -> Path:
    return sidecar(store_file, SUFFIX)


# NamedTuples, not dataclasses: created at import by every command, ~0.3 ms against ~1.3 ms.
class Line(NamedTuple):
    """One readable line of the archive: a promise record and its id."""

    number: int
    id: int
    record: Record


class Scan(NamedTuple):
    """What a full read of the archive found (for readers and `pk doctor`)."""

    lines: tuple[Line, ...]
    bad: tuple[int, ...]  # line numbers that are not an archive record
    torn_tail: bool  # the last line was cut short (a killed append): harmless


def scan(store_file: Path) -> Scan:
    """Every line of the archive; a missing archive is an empty one."""
    try:
        raw = archive_path(store_file).read_bytes()
    except FileNotFoundError:
        return Scan((), (), False)
    except OSError:
        return Scan((), (), False)
    lines: list[Line] = []
    bad: list[int] = []
    chunks = raw.split(b"\n")
    torn = bool(chunks and chunks[-1].strip())
    for number, chunk in enumerate(chunks, 1):
        if not chunk.strip():
            continue
        try:
            item = orjson.loads(chunk)
            pid, record = item["id"], item["promise"]
            if type(pid) is not int or pid <= 0 or not isinstance(record, dict):
                raise ValueError
        except (orjson.JSONDecodeError, ValueError, KeyError, TypeError):
            if not (torn and number == len(chunks)):
                bad.append(number)
            continue
        lines.append(Line(number, pid, record))
    if torn and lines and lines[-1].number == len(chunks):
        torn = False  # the last line parsed: it only lacks its newline
    return Scan(tuple(lines), tuple(bad), torn)


def latest(lines: Iterable[Line], hot_uuids: set[str]) -> dict[int, Record]:
    """The archived promises, by id: the last line of each uuid, minus those the hot file holds
    and those whose last line is a tombstone (removed by undo or `pk delete`)."""
    by_uuid: dict[str, Line] = {}
    for line in lines:
        by_uuid[str(line.record.get("uuid"))] = line
    return {
        line.id: line.record
        for uuid, line in by_uuid.items()
        if uuid not in hot_uuids and not line.record.get(TOMBSTONE)
    }


def closed_at(record: Record) -> datetime | None:
    """When a stored promise was closed (done or dropped), or None while it is open."""
    status = record.get("status", "open")
    if status not in ("done", "dropped"):
        return None
    # try/except rather than contextlib.suppress: this runs for every hot record on each write.
    done_at = record.get("done_at")
    if status == "done" and isinstance(done_at, str):
        try:
            return parse_iso(done_at)
        except ValueError:
            pass
    for event in reversed(record.get("history") or []):
        if isinstance(event, dict) and event.get("type") in ("done", "dropped"):
            try:
                return parse_iso(event["at"])
            except (ValueError, TypeError, KeyError):
                break
    try:
        return parse_iso(record["due"])
    except (ValueError, TypeError, KeyError):
        return None


def kept_hot(record: Record) -> bool:
    """Linked to a help request or a series: those features look their promises up by id on
    every change, so such a promise never moves to the archive."""
    return record.get("request_id") is not None or bool(record.get("series"))


def archivable_from(record: Record) -> str | None:
    """From when a stored promise may move to the archive (in the stored form, `iso`), or None
    when it never will as it is: open, or kept hot. The horizon of a closed block is the
    earliest of these (`layout.dump_slices`), so that a write skips the block when no line in
    it can be due."""
    if kept_hot(record):
        return None
    when = closed_at(record)
    if when is None:
        return None
    try:
        return iso(when)
    except (ValueError, OverflowError):
        return ""  # before every time: the block is always looked through


def due_for_archive(
    records: Iterable[tuple[int, Record]], now: datetime, after: timedelta
) -> list[tuple[int, Record]]:
    """The closed promises older than `after`; a record linked to a help request or a series
    stays hot, because those features look their promises up by id on every change."""
    cutoff = now - after
    # Every hot record is looked at on every write (3,400 at 50,000 promises) and nearly all stay:
    # open, or closed within the window. `done_at` in the stored form (`iso`: UTC, to the second,
    # fixed width) orders as the times do, so one later than the cutoff's text stays hot
    # unparsed. Any other record (an earlier one: a few per write) gets the exact check.
    cutoff_text = iso(cutoff)
    chosen = []
    for pid, record in records:
        status = record.get("status", "open")
        if status == "open" or kept_hot(record):
            continue
        done_at = record.get("done_at")
        if status == "done" and _stored_form(done_at) and done_at > cutoff_text:
            continue
        when = closed_at(record)
        if when is not None and when < cutoff:
            chosen.append((pid, record))
    return chosen


def _stored_form(text: object) -> bool:
    """Shaped like `2026-11-23T09:00:00+00:00`, as `model.iso` writes every time. (Text of that
    shape that is not a time, e.g. a month 13, can only be kept hot by the text test.)"""
    return type(text) is str and len(text) == 25 and text.endswith("+00:00")


def append(store_file: Path, items: Iterable[tuple[int, Record]]) -> None:
    """Append records durably (fsync) before the hot file lets them go. Call under the lock.

    Raises StoreError (nothing was moved: the caller keeps them hot) when the disk refuses.
    """
    path = archive_path(store_file)
    payload = b"".join(
        orjson.dumps({"id": pid, "promise": record}) + b"\n" for pid, record in items
    )
    if not payload:
        return
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            _cut_torn_tail(fd)
            os.lseek(fd, 0, os.SEEK_END)
            view = memoryview(payload)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as exc:
        raise write_error(exc, path) from exc


def append_tombstones(store_file: Path, removed: Iterable[tuple[int, str]]) -> None:
    """Mark archived promises as removed. Never raises: the hot file is already committed, and
    the worst outcome of a failure is that the promise shows again (never that it is lost)."""
    with contextlib.suppress(OSError, ValueError, StoreError):
        append(store_file, [(pid, {"uuid": uuid, TOMBSTONE: True}) for pid, uuid in removed])


def _cut_torn_tail(fd: int) -> None:
    """A killed append can leave a last line without its newline; the next line must not be
    glued to it, so the fragment goes (it was never committed: the hot file still holds it)."""
    size = os.fstat(fd).st_size
    if size == 0:
        return
    os.lseek(fd, size - 1, os.SEEK_SET)
    if os.read(fd, 1) == b"\n":
        return
    keep = 0
    step = 65536
    end = size
    while end > 0:
        start = max(0, end - step)
        os.lseek(fd, start, os.SEEK_SET)
        chunk = os.read(fd, end - start)
        cut = chunk.rfind(b"\n")
        if cut >= 0:
            keep = start + cut + 1
            break
        end = start
    os.ftruncate(fd, keep)


def iter_records(store_file: Path, hot_uuids: set[str]) -> Iterator[tuple[int, Record]]:
    """The archived promises not shadowed by the hot file, by id."""
    yield from sorted(latest(scan(store_file).lines, hot_uuids).items())


def find(store_file: Path, pid: int, hot_uuids: set[str]) -> Record | None:
    """One archived promise by id (the last line for it), unless the hot file holds its uuid."""
    found: Record | None = None
    for line in scan(store_file).lines:
        if line.id == pid:
            found = line.record
    if found is None or str(found.get("uuid")) in hot_uuids:
        return None
    return found


def highest_id(store_file: Path) -> int:
    return max((line.id for line in scan(store_file).lines), default=0)


def hot_uuids(records: Iterable[tuple[int, Any]]) -> set[str]:
    return {str(r.get("uuid")) for _, r in records if isinstance(r, dict)}
