"""What examining, repairing and restoring share: a JSON reading that keeps duplicate ids, the
record check, the id floor that a rewritten store must not go below, and backup names."""

from __future__ import annotations

import contextlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ...model import Promise, request_problem
from .. import journal
from ..files import META, PROMISES, REQUESTS, TABLES, sidecar
from ..layout import SCHEMA_VERSION, load_file


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


def parse_json(text: str) -> Any:
    """The JSON value of `text`, its objects remembering keys seen twice."""
    return json.loads(text, object_pairs_hook=_Keys)


def plain(value: Any) -> Any:
    """Drop the _Keys wrappers (their duplicates are reported separately)."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
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


def newer_schema(data: Any) -> bool:
    """Whether `data` says it was written by a newer pk (only upgrading pk helps)."""
    meta = data.get(META) if isinstance(data, dict) else None
    meta = meta.get("1") if isinstance(meta, dict) else None
    schema = meta.get("schema") if isinstance(meta, dict) else None
    return isinstance(schema, int) and not isinstance(schema, bool) and schema > SCHEMA_VERSION


def stamp(now: datetime) -> str:
    """`now` as the UTC suffix of a timestamped backup's name."""
    return now.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def free_name(base: Path) -> Path:
    """`base`, or `base-2`, `base-3`...: the first free name (a backup never overwrites)."""
    candidate, n = base, 1
    while candidate.exists() or candidate.is_symlink():
        n += 1
        candidate = base.with_name(f"{base.name}-{n}")
    return candidate


def id_floor(target: Path) -> tuple[dict[str, int], int]:
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


def singular(table: str) -> str:
    """`request #2`, not `requests #2`: a table's name is plural, one record of it is not."""
    return table.removesuffix("s")
