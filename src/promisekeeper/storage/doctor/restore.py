"""`pk doctor --restore`: put the rolling `.bak` back in place under the writers' lock.

The current file is kept as a timestamped backup first. `now` is passed in; nothing here reads
the clock or prints.
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ...errors import Conflict, StoreCorrupt
from ..files import META, PROMISES, atomic_write, sidecar
from ..layout import load_file
from ..store import Store
from .common import free_name, id_floor, newer_schema, stamp


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
        if newer_schema(json.loads(target.read_bytes())):
            raise Conflict(f"{target} was written by a newer pk; upgrade pk instead of restoring")
    with store.locked():
        # The backup's counters are behind the ids handed out since, and its generation would
        # make the journal's older entries look current: both move forward.
        counters, generation = id_floor(target)
        meta = data[META]["1"]
        meta["next_id"] = {**meta.get("next_id", {}), **counters}
        meta["generation"] = generation + 1
        payload = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        previous = None
        if target.exists():
            previous = free_name(target.with_name(f"{target.name}.before-restore-{stamp(now)}"))
            try:
                os.link(target, previous)  # the store is only ever replaced: a link is a copy
            except OSError:
                atomic_write(previous, target.read_bytes(), mode=0o600)
        atomic_write(target, payload)
    return Restore(backup, previous, len(data.get(PROMISES, {})))
