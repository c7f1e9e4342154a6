"""Export the store as JSON or CSV, and import a JSON export back. (iCalendar, as one file or a
vdir, is `exchange/ical.py`: the one mapping that sync reuses.)

JSON is the lossless form: the stored records as they are, with their ids and the id counters, so
export → import into an empty store → export gives the same bytes. `--merge` imports into a store
that already has data: new ids, records already present (same uuid) skipped, links remapped.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..errors import BadInput, Conflict
from ..model import Promise, inert, iso, json_text
from ..storage.store import PROMISES, REQUESTS, Transaction, View

FORMAT = "promisekeeper-export"
VERSION = 1
# ics and vdir are written by exchange/ical.py.
EXPORT_FORMATS = ("json", "csv", "ics", "vdir")
CSV_FIELDS = (
    "id",
    "uuid",
    "title",
    "person",
    "direction",
    "team",
    "tags",
    "due",
    "created",
    "status",
    "done_at",
    "kept_on_time",
    "late_minutes",
    "renegotiations",
    "repeats",
    "thanked_at",
)


# --- JSON ---------------------------------------------------------------------------------------


def export_data(view: View) -> dict[str, Any]:
    """Everything a store holds, records in id order; no export time, so the bytes are stable."""
    counters = view.meta.get("next_id", {})
    return {
        "format": FORMAT,
        "version": VERSION,
        "next_id": {table: counters[table] for table in (PROMISES, REQUESTS) if table in counters},
        PROMISES: [{"id": pid, **record} for pid, record in view.all_records(PROMISES)],
        REQUESTS: [{"id": rid, **record} for rid, record in sorted(view.records(REQUESTS))],
    }


def export_json(view: View) -> str:
    return json_text(export_data(view)) + "\n"


@dataclass(frozen=True)
class ImportResult:
    promises: int
    requests: int
    skipped: int  # already present (same uuid), --merge only
    merged: bool


def read_export(text: str) -> dict[str, Any]:
    """Parse and check an export; every record is validated before anything is written."""
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise BadInput(f"not a promisekeeper JSON export: {exc}") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise BadInput("not a promisekeeper JSON export (made by `pk export --format json`)")
    if not isinstance(data.get("version"), int) or data["version"] > VERSION:
        raise BadInput(f"export version {data.get('version')!r} is newer than this pk reads")
    for table in (PROMISES, REQUESTS):
        records = data.get(table, [])
        if not isinstance(records, list):
            raise BadInput(f"export: {table} is not a list")
        seen: set[int] = set()
        for record in records:
            if not isinstance(record, dict):
                raise BadInput(f"export: a {table} record is not an object")
            rid = record.get("id")
            if not isinstance(rid, int) or isinstance(rid, bool) or rid <= 0 or rid in seen:
                raise BadInput(f"export: {table} record has a bad or repeated id {rid!r}")
            seen.add(rid)
            if not isinstance(record.get("uuid"), str):
                raise BadInput(f"export: {table} record {rid} has no uuid")
            if table == PROMISES:
                try:
                    promise = Promise.from_dict(rid, _without_id(record))
                except ValueError as exc:
                    raise BadInput(f"export: promise {rid}: {exc}") from None
                # What `pk add` would refuse is refused here too: nothing written yet.
                if problem := promise.text_problem():
                    raise BadInput(f"export: promise {rid}: {problem}; nothing was imported")
    return data


def import_data(tx: Transaction, data: dict[str, Any], *, merge: bool) -> ImportResult:
    """Restore into an empty store (ids kept) or, with `merge`, add what is not there yet."""
    has_data = bool(tx.all_records(PROMISES) or tx.records(REQUESTS))
    if has_data and not merge:
        raise Conflict("the store is not empty; use --merge to add the export's records to it")
    promises, requests = data.get(PROMISES, []), data.get(REQUESTS, [])
    if not has_data:
        for table, records in ((PROMISES, promises), (REQUESTS, requests)):
            for record in records:
                tx.put(table, record["id"], _without_id(record))
        counters = tx.meta.setdefault("next_id", {})
        for table, value in (data.get("next_id") or {}).items():
            if table in (PROMISES, REQUESTS) and isinstance(value, int):
                counters[table] = max(int(counters.get(table, 1)), value)
        return ImportResult(len(promises), len(requests), 0, merged=False)
    return _merge(tx, promises, requests)


def _merge(tx: Transaction, promises: list[dict], requests: list[dict]) -> ImportResult:
    known = {
        table: {str(r.get("uuid")) for _, r in tx.all_records(table)}
        for table in (PROMISES, REQUESTS)
    }
    new_promises = [r for r in promises if r["uuid"] not in known[PROMISES]]
    new_requests = [r for r in requests if r["uuid"] not in known[REQUESTS]]
    skipped = len(promises) + len(requests) - len(new_promises) - len(new_requests)
    # Ids are handed out first, so links between imported records can be rewritten to them.
    promise_ids: dict[int, int] = {}
    for record in new_promises:
        promise_ids[record["id"]] = tx.insert(PROMISES, {})
    request_ids: dict[int, int] = {}
    for record in new_requests:
        request_ids[record["id"]] = tx.insert(REQUESTS, {})
    existing_promises = {str(r.get("uuid")): pid for pid, r in tx.all_records(PROMISES)}
    old_promise_uuid = {r["id"]: r["uuid"] for r in promises}

    def promise_link(old: Any) -> Any:
        if not isinstance(old, int):
            return old
        if old in promise_ids:
            return promise_ids[old]
        # A link to a record that was already here (same uuid) points at its id in this store.
        return existing_promises.get(old_promise_uuid.get(old, ""))

    existing_requests = {str(r.get("uuid")): rid for rid, r in tx.records(REQUESTS)}
    old_request_uuid = {r["id"]: r["uuid"] for r in requests}

    def request_link(old: Any) -> Any:
        if not isinstance(old, int):
            return old
        if old in request_ids:
            return request_ids[old]
        return existing_requests.get(old_request_uuid.get(old, ""))

    for record in new_promises:
        stored = _without_id(record)
        stored["request_id"] = request_link(stored.get("request_id"))
        if isinstance(stored.get("series"), dict) and "previous" in stored["series"]:
            stored["series"] = {
                **stored["series"],
                "previous": promise_link(stored["series"]["previous"]),
            }
        tx.put(PROMISES, promise_ids[record["id"]], stored)
    for record in new_requests:
        stored = _without_id(record)
        if "promise_id" in stored:
            stored["promise_id"] = promise_link(stored.get("promise_id"))
        tx.put(REQUESTS, request_ids[record["id"]], stored)
    return ImportResult(len(new_promises), len(new_requests), skipped, merged=True)


def _without_id(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k != "id"}


# --- CSV ----------------------------------------------------------------------------------------


def export_csv(promises: list[Promise], now: datetime) -> str:
    """One row per promise, for spreadsheets. Cells that a spreadsheet would run as a formula
    (starting with = + - @) get a leading apostrophe: CSV injection is a real attack."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_FIELDS)
    for p in sorted(promises, key=lambda p: p.id):
        late = p.late_by(now) if p.status != "dropped" else None
        writer.writerow(
            _cell(value)
            for value in (
                p.id,
                p.uuid,
                p.title,
                p.person,
                p.direction,
                p.team or "",
                " ".join(p.tags),
                iso(p.due),
                iso(p.created),
                p.status,
                iso(p.done_at) if p.done_at else "",
                "" if p.kept_on_time is None else str(p.kept_on_time).lower(),
                "" if late is None else int(late.total_seconds() // 60),
                p.renegotiations,
                (p.series or {}).get("rule", ""),
                iso(p.thanked_at) if p.thanked_at else "",
            )
        )
    return out.getvalue()


def _cell(value: Any) -> str:
    # `pk export --format csv` often goes straight to a terminal: stored escape sequences, C1 and
    # bidi controls become visible escapes there, as in every other view.
    text = inert(str(value))
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
