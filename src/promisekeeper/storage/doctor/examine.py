"""`pk doctor`: every check of the store and the files beside it, read-only.

Examining never writes, reads no clock and prints nothing: it returns a Report of findings.
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from ...errors import StoreBusy, StoreCorrupt, StoreError
from ...model import Promise
from .. import archive, journal, prompt_index
from ..files import META, PROMISES, TABLES, acquire, sidecar, temp_prefix
from ..layout import SCHEMA_VERSION, load_file, validate
from ..store import Store
from .common import newer_schema, parse_json, plain, record_problem, singular

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


def examine(path: Path) -> Report:
    """Every check, read-only. A finding per check; `problem` means the store is not usable."""
    target = Store(path).target
    report = Report(target)
    data = examine_file(target, report)
    if data is not None:
        examine_records(data, report)
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
    counters = plain(data.get(META, {}).get("1", {}).get("next_id", {})) if data else {}
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


def examine_file(target: Path, report: Report) -> dict[str, Any] | None:
    """Read and validate the store file, adding its findings; its data, or None if unusable."""
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
        data = parse_json(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        where = f" at line {exc.lineno} column {exc.colno}" if hasattr(exc, "lineno") else ""
        reason = exc.msg if isinstance(exc, json.JSONDecodeError) else "nested too deeply"
        report.add("problem", "json", f"invalid JSON: {reason}{where}")
        return None
    report.add("ok", "json", "valid JSON")
    try:
        validate(plain(data), target)
    except StoreCorrupt as exc:
        message = str(exc).removeprefix(f"{target} ")
        opening = "is not a valid promisekeeper store ("
        if message.startswith(opening):
            message = message[len(opening) :].split("); it was left untouched", 1)[0]
        report.add("problem", "schema", message.split(" — ", 1)[0])
        report.newer = newer_schema(data)
        return None
    report.add("ok", "schema", f"schema {data[META]['1']['schema']} (this pk: {SCHEMA_VERSION})")
    return data


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


def examine_records(data: dict[str, Any], report: Report) -> None:
    """Every record well formed, ids unique, id counters ahead of the ids in use."""
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
                bad.append(f"{singular(table)} #{key}: {problem}")
            elif table == PROMISES:
                uid = record["uuid"]
                if uid in uuids:
                    duplicate_uuids.append(f"#{uuids[uid]} and #{key}")
                uuids.setdefault(uid, int(key))
    if bad:
        report.add("problem", "records", f"{len(bad)} malformed: " + "; ".join(bad[:5]))
    else:
        summary = ", ".join(f"{n} {t if n != 1 else singular(t)}" for t, n in counts.items())
        report.add("ok", "records", f"every record well formed ({summary})")
    duplicates = [
        f"{singular(table)} #{key}"
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
