"""`pk doctor`: examine the store and the files beside it; repair a copy; restore the backup.

Examining never writes. Repairing never writes over the store: it writes a repaired copy beside it
(`promises.json.repaired`) and a timestamped backup of the file as found, and the user puts the
copy in place. Restoring replaces the store with the rolling `.bak` under the writers' lock, after
keeping the current file as a timestamped backup too. `now` is passed in; nothing here reads the
clock or prints.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from ..errors import Conflict, StoreBusy, StoreCorrupt, StoreError
from ..model import Promise, request_problem
from . import archive, journal, prompt_index
from .files import META, PROMISES, REQUESTS, TABLES, acquire, atomic_write, sidecar, temp_prefix
from .store import SCHEMA_VERSION, Store, empty_data, load_file, validate

Level = Literal["ok", "warn", "problem"]
# Files another part of pk may keep beside the store as a derived index (the prompt's fast path).
INDEX_SUFFIXES = (".idx", ".index", ".prompt")


@dataclass(frozen=True)
class Finding:
    level: Level
    check: str
    message: str


@dataclass
class Report:
    path: Path
    findings: list[Finding] = field(default_factory=list)
    newer: bool = False  # written by a newer pk: only upgrading pk helps

    def add(self, level: Level, check: str, message: str) -> None:
        self.findings.append(Finding(level, check, message))

    @property
    def healthy(self) -> bool:
        return all(f.level != "problem" for f in self.findings)

    @property
    def advice(self) -> str:
        """What to do about the problems found."""
        if self.newer:
            return "Upgrade pk to use this store; it was left untouched."
        return (
            "Run `pk doctor --repair` for a repaired copy, or `pk doctor --restore` "
            "to go back to the previous state."
        )


class _Keys(dict):
    """A JSON object that remembers keys seen twice (json.loads would silently keep the last)."""

    def __init__(self, pairs: list[tuple[str, Any]]) -> None:
        super().__init__()
        self.duplicates: list[tuple[str, Any]] = []
        for key, value in pairs:
            if key in self:
                self.duplicates.append((key, value))
            else:
                self[key] = value


def _parse(text: str) -> Any:
    return json.loads(text, object_pairs_hook=_Keys)


def _plain(value: Any) -> Any:
    """Drop the _Keys wrappers (their duplicates are reported separately)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def record_problem(table: str, record_id: int, record: Any) -> str | None:
    """Why a record cannot be used, or None."""
    if not isinstance(record, dict):
        return "not an object"
    if table == PROMISES:
        try:
            Promise.from_dict(record_id, record)
        except ValueError as exc:
            return str(exc)
        return None
    if table == REQUESTS:
        return request_problem(record)  # the same check as the store's writes and the views
    return None


def examine(path: Path) -> Report:
    """Every check, read-only. A finding per check; `problem` means the store is not usable."""
    target = Store(path).target
    report = Report(target)
    data = _examine_file(target, report)
    if data is not None:
        _examine_records(data, report)
        _examine_text(data, report)
    generation = _generation(data)
    _examine_index(path, target, generation, report)
    _examine_temps(target, report)
    _examine_lock(target, report)
    _examine_journal(target, generation, report)
    _examine_backup(target, report)
    _examine_archive(target, data, report)
    return report


def _examine_archive(target: Path, data: dict[str, Any] | None, report: Report) -> None:
    """The closed history beside the store (storage/archive.py): readable lines, ids that do not
    clash with the hot file's, and no promise left in both places by an interrupted move."""
    if not archive.archive_path(target).exists():
        return
    found = archive.scan(target)
    if found.bad:
        shown = ", ".join(str(n) for n in found.bad[:5])
        report.add(
            "problem",
            "archive",
            f"{len(found.bad)} line(s) of the archive are not promise records (line {shown})",
        )
    if found.torn_tail:
        report.add(
            "warn",
            "archive",
            "the archive's last line was cut short by a killed move "
            "(harmless: that promise is still in the store; the next change cleans it)",
        )
    hot = data.get(PROMISES, {}) if isinstance(data, dict) else {}
    hot_by_id = {int(k): r for k, r in hot.items() if isinstance(r, dict) and k.isdigit()}
    uuids = {str(r.get("uuid")) for r in hot_by_id.values()}
    in_both = {
        str(line.record.get("uuid"))
        for line in found.lines
        if str(line.record.get("uuid")) in uuids and not line.record.get(archive.TOMBSTONE)
    }
    if in_both:
        report.add(
            "warn",
            "archive",
            f"{len(in_both)} promise(s) are both in the store and in the archive (an interrupted "
            f"move; the store's copy counts, and the next change completes the move)",
        )
    clashes = sorted(
        line.id
        for line in found.lines
        if line.id in hot_by_id
        and str(hot_by_id[line.id].get("uuid")) != str(line.record.get("uuid"))
        and not line.record.get(archive.TOMBSTONE)
    )
    if clashes:
        report.add(
            "problem",
            "archive",
            f"id(s) {', '.join(f'#{i}' for i in clashes[:5])} name different promises in the "
            f"store and in the archive",
        )
    counters = _plain(data.get(META, {}).get("1", {}).get("next_id", {})) if data else {}
    highest = max((line.id for line in found.lines), default=0)
    if isinstance(counters, dict) and highest >= int(counters.get(PROMISES, 1) or 1):
        report.add(
            "warn",
            "ids",
            f"the promise id counter is behind the archive's highest id "
            f"#{highest}: a new promise could reuse an archived id",
        )
    if not (found.bad or in_both or clashes):
        live = len(archive.latest(found.lines, uuids))
        report.add("ok", "archive", f"{live} closed promise(s) archived")


def _generation(data: dict[str, Any] | None) -> int | None:
    try:
        return int(data[META]["1"].get("generation", 0)) if data else None
    except (KeyError, TypeError, ValueError, AttributeError):
        return None


def _examine_file(target: Path, report: Report) -> dict[str, Any] | None:
    if not target.exists():
        report.add("ok", "file", f"no store yet at {target} (the first `pk add` creates it)")
        return None
    try:
        text = target.read_bytes().decode("utf-8")
    except IsADirectoryError:
        report.add("problem", "file", f"{target} is a directory, not a store file")
        return None
    except PermissionError:
        report.add("problem", "file", f"{target} cannot be read: permission denied")
        return None
    except OSError as exc:
        report.add("problem", "file", f"{target} cannot be read: {exc.strerror or exc}")
        return None
    except UnicodeDecodeError:
        report.add("problem", "json", "the file is not UTF-8 text")
        return None
    if not text.strip():
        report.add("problem", "json", "the file is empty")
        return None
    try:
        data = _parse(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        where = f" at line {exc.lineno} column {exc.colno}" if hasattr(exc, "lineno") else ""
        reason = exc.msg if isinstance(exc, json.JSONDecodeError) else "nested too deeply"
        report.add("problem", "json", f"invalid JSON: {reason}{where}")
        return None
    report.add("ok", "json", "valid JSON")
    try:
        validate(_plain(data), target)
    except StoreCorrupt as exc:
        message = str(exc).removeprefix(f"{target} ")
        opening = "is not a valid promisekeeper store ("
        if message.startswith(opening):
            message = message[len(opening) :].split("); it was left untouched", 1)[0]
        report.add("problem", "schema", message.split(" — ", 1)[0])
        report.newer = _newer_schema(data)
        return None
    report.add("ok", "schema", f"schema {data[META]['1']['schema']} (this pk: {SCHEMA_VERSION})")
    return data


def _newer_schema(data: Any) -> bool:
    meta = data.get(META) if isinstance(data, dict) else None
    meta = meta.get("1") if isinstance(meta, dict) else None
    schema = meta.get("schema") if isinstance(meta, dict) else None
    return isinstance(schema, int) and not isinstance(schema, bool) and schema > SCHEMA_VERSION


def _examine_text(data: dict[str, Any], report: Report) -> None:
    """Text `pk add` would refuse (a title with a newline, an escape sequence), written by hand
    or by an older pk. A warning, not a problem: the record is usable and is shown inert, and
    `pk doctor --repair` must not drop a promise for its wording; `pk edit` fixes it."""
    found = []
    for key, record in (data.get(PROMISES) or {}).items():
        with contextlib.suppress(ValueError, TypeError, AttributeError):
            problem = Promise.from_dict(int(key), record).text_problem()
            if problem:
                found.append(f"#{key}: {problem}")
    if found:
        report.add(
            "warn",
            "text",
            f"{len(found)} promise(s) with text `pk add` would refuse: "
            + "; ".join(found[:5])
            + " (fix with `pk edit ID --title ...`)",
        )
    else:
        report.add("ok", "text", "every title, name, tag and note is as `pk add` accepts it")


def _examine_records(data: dict[str, Any], report: Report) -> None:
    bad = []
    counts = {}
    uuids: dict[str, int] = {}
    duplicate_uuids = []
    for table in TABLES:
        records = data.get(table) or {}
        counts[table] = len(records)
        for key, record in records.items():
            problem = record_problem(table, int(key), record)
            if problem:
                bad.append(f"{_one(table)} #{key}: {problem}")
            elif table == PROMISES:
                uid = record["uuid"]
                if uid in uuids:
                    duplicate_uuids.append(f"#{uuids[uid]} and #{key}")
                uuids.setdefault(uid, int(key))
    if bad:
        report.add("problem", "records", f"{len(bad)} malformed: " + "; ".join(bad[:5]))
    else:
        summary = ", ".join(f"{n} {t if n != 1 else _one(t)}" for t, n in counts.items())
        report.add("ok", "records", f"every record well formed ({summary})")
    duplicates = [
        f"{_one(table)} #{key}"
        for table in TABLES
        for key, _ in getattr(data.get(table), "duplicates", [])
    ]
    if duplicates:
        report.add(
            "problem", "ids", "ids used twice (only the first is kept): " + ", ".join(duplicates)
        )
    elif duplicate_uuids:
        report.add("warn", "ids", "promises share a uuid: " + ", ".join(duplicate_uuids))
    else:
        report.add("ok", "ids", "ids unique")
    counters = data[META]["1"].get("next_id") or {}
    behind = [
        table
        for table in TABLES
        if data.get(table) and int(counters.get(table, 1)) <= max(int(k) for k in data[table])
    ]
    if behind:
        report.add(
            "warn",
            "ids",
            f"the id counter of {', '.join(behind)} is behind the highest id "
            f"(harmless: the next id is still chosen above it)",
        )


def _examine_index(path: Path, target: Path, generation: int | None, report: Report) -> None:
    index = prompt_index.index_path(path)
    if index.is_file():
        header = prompt_index.header_fields(index)
        stale = None
        if header is None:
            stale = "not readable as an index"
        else:
            with contextlib.suppress(OSError):
                info = os.stat(target)
                if header[0] != (info.st_mtime_ns, info.st_size):
                    stale = "older than the store"
        _index_finding(index, stale, report)
        return
    for suffix in INDEX_SUFFIXES:
        index = sidecar(target, suffix)
        if index.is_file():
            _index_finding(index, _index_stale(index, target, generation), report)
            return
    report.add("ok", "index", "no prompt index (nothing to check)")


def _index_finding(index: Path, stale: str | None, report: Report) -> None:
    if stale:
        report.add(
            "warn", "index", f"{index.name} is stale ({stale}); the next pk command rebuilds it"
        )
    else:
        report.add("ok", "index", f"{index.name} is fresh")


def _index_stale(index: Path, target: Path, generation: int | None) -> str | None:
    """Tolerant: an index recording the store generation is compared by it, any other by age."""
    try:
        recorded = json.loads(index.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        recorded = None
    if isinstance(recorded, dict) and isinstance(recorded.get("generation"), int):
        if generation is not None and recorded["generation"] != generation:
            return f"built for generation {recorded['generation']}, the store is at {generation}"
        return None
    with contextlib.suppress(OSError):
        if target.exists() and index.stat().st_mtime < target.stat().st_mtime:
            return "older than the store"
    return None


def orphan_temps(target: Path) -> list[Path]:
    """Temp files of the store and of its sidecars (the journal, the index...)."""
    store_prefix = temp_prefix(target)
    sidecar_prefix = f".{target.name}."
    found = []
    with contextlib.suppress(OSError):
        for entry in os.scandir(target.parent):
            name = entry.name
            if name.startswith(store_prefix) or (
                name.startswith(sidecar_prefix) and ".tmp-" in name
            ):
                found.append(Path(entry.path))
    return sorted(found)


def _examine_temps(target: Path, report: Report) -> None:
    temps = orphan_temps(target)
    if temps:
        names = ", ".join(p.name for p in temps[:3]) + (" ..." if len(temps) > 3 else "")
        report.add(
            "warn",
            "temp files",
            f"{len(temps)} left by an interrupted write ({names}); the next change removes them, "
            f"or `pk doctor --repair` now",
        )
    else:
        report.add("ok", "temp files", "no leftover temp files")


def _examine_lock(target: Path, report: Report) -> None:
    lock = sidecar(target, ".lock")
    if not lock.exists():
        report.add("ok", "lock", "no lock file (no pk has written here yet)")
        return
    try:
        handle = open(lock, "rb")  # noqa: SIM115 - closed below, which releases the lock
    except OSError as exc:
        report.add("problem", "lock", f"{lock} cannot be opened: {exc.strerror or exc}")
        return
    try:
        acquire(handle, 0)
    except StoreBusy:
        report.add("warn", "lock", "held by a running pk right now (it is released when it exits)")
    else:
        # The lock is a kernel lock on an open file: a killed pk releases it, so it cannot go stale.
        report.add("ok", "lock", "free (a lock cannot outlive the pk that holds it)")
    finally:
        handle.close()


def _examine_journal(target: Path, generation: int | None, report: Report) -> None:
    try:
        state = journal.read(target)
    except ValueError as exc:
        report.add(
            "warn",
            "journal",
            f"the undo journal is damaged ({exc}); the store is unaffected, undo is unavailable "
            f"until the next change starts a new journal",
        )
        return
    entries = state.entries
    if not entries:
        report.add("ok", "journal", "undo journal empty")
    elif state.last != generation:
        report.add(
            "warn",
            "journal",
            f"{len(entries)} undo entries, but the latest change is not among them "
            f"(undo is unavailable until the next change)",
        )
    else:
        report.add("ok", "journal", f"{len(entries)} undo entries; the latest can be undone")


def _examine_backup(target: Path, report: Report) -> None:
    backup = sidecar(target, ".bak")
    if not backup.exists():
        report.add("ok", "backup", "no backup yet (kept from the second change on)")
        return
    try:
        view = load_file(backup)
        count = len(view.get(PROMISES, {}))
    except (StoreCorrupt, StoreError) as exc:
        report.add("warn", "backup", f"{backup.name} is not usable: {exc}")
        return
    promises = f"{count} promise{'' if count == 1 else 's'}"
    report.add("ok", "backup", f"{backup.name} holds the previous state ({promises})")


# --- repair ---------------------------------------------------------------------------------


@dataclass
class Repair:
    repaired: Path
    backup: Path
    kept: dict[str, int]
    dropped: list[str]
    renumbered: list[str]
    temps_removed: int


_RECORD_START = re.compile(r'"(\d+)"\s*:\s*\{')


def _salvage(text: str) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """Whole records from a file that is not JSON (truncated, a stray byte): scan for `"id": {`
    and keep each object that parses and looks like a promise, a request or the _meta record."""
    decoder = json.JSONDecoder()
    found: dict[str, Any] = {name: {} for name in TABLES}
    meta = None
    position = 0
    while match := _RECORD_START.search(text, position):
        start = match.end() - 1
        try:
            record, end = decoder.raw_decode(text, start)
        except (json.JSONDecodeError, RecursionError):
            position = match.end()
            continue
        key = match.group(1)
        if meta is None and "schema" in record:
            meta = record
        table = (
            PROMISES if "direction" in record else REQUESTS if "need_minutes" in record else None
        )
        if table and int(key) > 0 and key not in found[table]:
            found[table][key] = record
            position = end
        else:
            position = match.end()
    return found, meta


def _stamp(now: datetime) -> str:
    return now.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _free_name(base: Path) -> Path:
    candidate, n = base, 1
    while candidate.exists() or candidate.is_symlink():
        n += 1
        candidate = base.with_name(f"{base.name}-{n}")
    return candidate


def _floor(target: Path) -> tuple[dict[str, int], int]:
    """The id counters and generation that a repaired or restored store must not go below: ids
    are never handed out twice, so every id the backup, the store or the journal has seen counts.
    """
    counters: dict[str, int] = {}
    generation = 0

    def see(table: str, next_id: Any) -> None:
        if isinstance(next_id, int):
            counters[table] = max(counters.get(table, 1), next_id)

    for path in (sidecar(target, ".bak"), target):
        with contextlib.suppress(Exception):
            data = load_file(path)
            meta = data[META]["1"]
            generation = max(generation, int(meta.get("generation", 0)))
            for table, value in (meta.get("next_id") or {}).items():
                see(table, value)
            for table in TABLES:
                see(table, max((int(k) + 1 for k in data.get(table, {})), default=1))
    with contextlib.suppress(ValueError):
        for entry in journal.load(target):
            generation = max(generation, entry.generation)
            for change in entry.changes:
                see(change["table"], change["id"] + 1)
    return counters, generation


def repair(path: Path, now: datetime, lock_timeout: float = 5.0) -> Repair | None:
    """Write a repaired copy beside the store; None when there is nothing to repair.

    Records that cannot be used are left out (they stay in the timestamped backup); an id used
    twice keeps its first record and the others get new ids; the id counters never go back.
    """
    store = Store(path, lock_timeout=lock_timeout)
    target = store.target
    temps_removed = 0
    with store.locked():
        # Safe under the lock: no writer is using them.
        temps = orphan_temps(target)
        for temp in temps:
            with contextlib.suppress(OSError):
                temp.unlink()
        temps_removed = len(temps)
        report = Report(target)
        parsed = _examine_file(target, report)
        if parsed is not None:
            _examine_records(parsed, report)
        if report.healthy:
            if temps_removed:
                return Repair(target, target, {}, [], [], temps_removed)
            return None
        try:
            raw = target.read_bytes()
        except OSError as exc:
            raise StoreError(f"cannot read {target}: {exc.strerror or exc}") from exc
        text = raw.decode("utf-8", errors="replace")
        try:
            source = _parse(text)
        except (json.JSONDecodeError, RecursionError):
            source = None
        if isinstance(source, dict):
            meta = source.get(META, {}).get("1") if isinstance(source.get(META), dict) else None
            schema = meta.get("schema") if isinstance(meta, dict) else None
            if isinstance(schema, int) and schema > SCHEMA_VERSION:
                raise Conflict(
                    f"{target} was written by a newer pk (schema {schema}); upgrade pk instead "
                    f"of repairing it"
                )
        else:
            source, meta = _salvage(text)
        fixed = _rebuild(source, meta, target)
        backup = _free_name(target.with_name(f"{target.name}.broken-{_stamp(now)}"))
        atomic_write(backup, raw, mode=0o600)
        repaired = sidecar(target, ".repaired")
        payload = json.dumps(fixed.data, ensure_ascii=False, separators=(",", ":")).encode()
        validate(json.loads(payload), repaired)
        atomic_write(repaired, payload, mode=0o600)
        return Repair(repaired, backup, fixed.kept, fixed.dropped, fixed.renumbered, temps_removed)


@dataclass
class _Rebuilt:
    data: dict[str, Any]
    kept: dict[str, int]
    dropped: list[str]
    renumbered: list[str]


def _rebuild(source: dict[str, Any], meta: Any, target: Path) -> _Rebuilt:
    data = empty_data()
    new_meta = data[META]["1"]
    if isinstance(meta, dict) and isinstance(meta.get("generation"), int):
        new_meta["generation"] = meta["generation"]
    counters, _ = _floor(target)
    if isinstance(meta, dict) and isinstance(meta.get("next_id"), dict):
        for table, value in meta["next_id"].items():
            if isinstance(value, int):
                counters[table] = max(counters.get(table, 1), value)
    dropped: list[str] = []
    renumbered: list[str] = []
    kept: dict[str, int] = {}
    for table in TABLES:
        records = source.get(table)
        if records is None:
            continue
        if not isinstance(records, dict):
            dropped.append(f"table {table} ({type(records).__name__}, not an object)")
            continue
        good: dict[int, Any] = {}
        extra: list[Any] = []
        pairs = list(records.items()) + list(getattr(records, "duplicates", []))
        for key, record in pairs:
            if not (isinstance(key, str) and key.isdigit() and int(key) > 0):
                dropped.append(f"{_one(table)} {key!r} (not an id)")
                continue
            record = _plain(record)
            problem = record_problem(table, int(key), record)
            if problem:
                dropped.append(f"{_one(table)} #{key} ({problem})")
            elif int(key) in good:
                extra.append((key, record))
            else:
                good[int(key)] = record
        next_id = max([counters.get(table, 1), *(k + 1 for k in good)])
        for key, record in extra:
            good[next_id] = record
            renumbered.append(f"{_one(table)} #{key} → #{next_id}")
            next_id += 1
        new_meta["next_id"][table] = next_id
        data[table] = {str(k): good[k] for k in sorted(good)}
        kept[table] = len(good)
    return _Rebuilt(data, kept, dropped, renumbered)


# --- restore --------------------------------------------------------------------------------


@dataclass
class Restore:
    restored_from: Path
    previous: Path | None
    promises: int


def restore(path: Path, now: datetime, lock_timeout: float = 5.0) -> Restore:
    """Put the rolling `.bak` back in place, keeping the current file as a timestamped backup."""
    store = Store(path, lock_timeout=lock_timeout)
    target = store.target
    backup = sidecar(target, ".bak")
    if not backup.exists():
        raise Conflict(f"no backup to restore: {backup} does not exist")
    try:
        data = load_file(backup)
    except StoreCorrupt as exc:
        raise Conflict(f"the backup is not usable either: {exc}") from exc
    with contextlib.suppress(OSError, ValueError, RecursionError):
        if _newer_schema(json.loads(target.read_bytes())):
            raise Conflict(f"{target} was written by a newer pk; upgrade pk instead of restoring")
    with store.locked():
        # The backup's counters are behind the ids handed out since, and its generation would
        # make the journal's older entries look current: both move forward.
        counters, generation = _floor(target)
        meta = data[META]["1"]
        meta["next_id"] = {**meta.get("next_id", {}), **counters}
        meta["generation"] = generation + 1
        payload = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        previous = None
        if target.exists():
            previous = _free_name(target.with_name(f"{target.name}.before-restore-{_stamp(now)}"))
            try:
                os.link(target, previous)  # the store is only ever replaced: a link is a copy
            except OSError:
                atomic_write(previous, target.read_bytes(), mode=0o600)
        atomic_write(target, payload)
    return Restore(backup, previous, len(data.get(PROMISES, {})))


def _one(table: str) -> str:
    """`request #2`, not `requests #2`: a table's name is plural, one record of it is not."""
    return table.removesuffix("s")
