"""`pk doctor --repair`: write a repaired copy beside the store, never over it.

The copy is `promises.json.repaired`, with a timestamped backup of the file as found; the user
puts the copy in place. `now` is passed in; nothing here reads the clock or prints.
"""

from __future__ import annotations

import contextlib
import json
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from ...errors import Conflict, StoreError
from ..files import META, PROMISES, REQUESTS, TABLES, atomic_write, sidecar
from ..layout import SCHEMA_VERSION, empty_data, validate
from ..store import Store
from .common import free_name, id_floor, parse_json, plain, record_problem, singular, stamp
from .examine import Report, examine_file, examine_records, orphan_temps


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
        parsed = examine_file(target, report)
        if parsed is not None:
            examine_records(parsed, report)
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
            source = parse_json(text)
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
        backup = free_name(target.with_name(f"{target.name}.broken-{stamp(now)}"))
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
    counters, _ = id_floor(target)
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
                dropped.append(f"{singular(table)} {key!r} (not an id)")
                continue
            record = plain(record)
            problem = record_problem(table, int(key), record)
            if problem:
                dropped.append(f"{singular(table)} #{key} ({problem})")
            elif int(key) in good:
                extra.append((key, record))
            else:
                good[int(key)] = record
        next_id = max([counters.get(table, 1), *(k + 1 for k in good)])
        for key, record in extra:
            good[next_id] = record
            renumbered.append(f"{singular(table)} #{key} → #{next_id}")
            next_id += 1
        new_meta["next_id"][table] = next_id
        data[table] = {str(k): good[k] for k in sorted(good)}
        kept[table] = len(good)
    return _Rebuilt(data, kept, dropped, renumbered)
