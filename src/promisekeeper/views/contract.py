"""The whole `--json` contract in one place: the machine shape of every view.

Scripts rely on these shapes (README "JSON output", pinned by tests/test_json_contract.py), so
they change here, deliberately, and nowhere else. Stored text goes out as stored; `json_text`
escapes what could steer a terminal.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from datetime import date, datetime
from typing import IO, Any

from ..core import helplater
from ..core.helplater import DayPlan
from ..core.report import Entry, Standup, Stats
from ..model import Promise, iso, json_text
from ..storage.files import Record


def promise_json(p: Promise, now: datetime) -> dict[str, Any]:
    """The stable machine shape of a promise (documented in the README, pinned by a test)."""
    data = {"id": p.id, **p.to_dict()}
    data["overdue"] = p.is_overdue(now)
    data["kept_on_time"] = p.kept_on_time
    data["renegotiations"] = p.renegotiations
    return data


def dump_json(value: Any, out: IO[str] | None = None) -> None:
    """JSON for scripts: stdout only, UTF-8, one trailing newline."""
    stream = out or sys.stdout
    stream.write(json_text(value) + "\n")


def request_json(rid: int, record: Record, now: datetime) -> dict[str, Any]:
    """The machine shape of a request: the stored record, its id, and the status as of `now`."""
    return {"id": rid, **record, "status": helplater.status_at(record, now)}


def stats_json(result: Stats) -> dict[str, Any]:
    data: dict[str, Any] = {
        "direction": result.direction,
        "weeks": [
            {"week": w.label, "start": w.start.isoformat(), **w.counts.as_dict()}
            for w in result.weeks
        ],
        "total": result.total.as_dict(),
    }
    if result.by:
        data["by"] = result.by
        data["groups"] = [
            {result.by: name, **counts.as_dict()} for name, counts, _ in result.groups
        ]
    return data


def standup_json(report: Standup) -> dict[str, Any]:
    def entry(e: Entry) -> dict[str, Any]:
        data: dict[str, Any] = {
            "kind": e.kind,
            "id": e.id,
            "title": e.title,
            "person": e.person,
            "team": e.team,
        }
        if e.kind == "promise":
            data |= {
                "direction": e.direction,
                "due": _iso(e.due),
                "late_seconds": e.late_seconds,
                "renegotiations": e.renegotiations,
            }
            if e.on_time is not None:
                data |= {"done_at": _iso(e.at), "on_time": e.on_time}
        else:
            data |= {"start": _iso(e.at), "end": _iso(e.end)}
        return data

    return {
        "now": _iso(report.now),
        "since": _iso(report.since),
        "empty": report.empty,
        "sections": [
            {"key": s.key, "title": s.title, "items": [entry(e) for e in s.entries]}
            for s in report.sections
        ],
    }


def _iso(value: datetime | None) -> str | None:
    return iso(value) if value else None


def plan_json(
    plans: Sequence[DayPlan],
    waiting: Sequence[tuple[int, Record, str]],
    now: datetime,
    first: date,
    last: date,
    expired: Sequence[tuple[int, Record, str]] = (),
) -> dict[str, Any]:
    """The machine shape of `pk slots --json`: `pending`, the requests waiting for an answer;
    `expired`, those whose offered times all passed unanswered in the last week."""
    return {
        "from": first.isoformat(),
        "to": last.isoformat(),
        "days": [
            {
                "date": p.day.isoformat(),
                "booked": [
                    {
                        "request_id": rid,
                        "title": r["title"],
                        "person": r["person"],
                        "team": r.get("team"),
                        "start": iso(slot.start),
                        "end": iso(slot.end),
                        "status": r["status"],
                        "forced": bool(r.get("forced")),
                        "promise_id": r.get("promise_id"),
                    }
                    for rid, r, slot in p.booked
                ],
                "free": [{"start": iso(f.start), "end": iso(f.end)} for f in p.free],
            }
            for p in plans
        ],
        "pending": [request_json(rid, r, now) for rid, r, _ in waiting],
        "expired": [request_json(rid, r, now) for rid, r, _ in expired],
    }


def journal_json(
    entries: Sequence[Any], generation: int, when: Any, action: Any
) -> list[dict[str, Any]]:
    """`pk undo --list --json`: newest first, each with when it ran, whether it is undone, and
    `next`: "undo" / "redo" when `pk undo` / `pk redo` would act on it, "blocked" when that one
    would refuse, else null. `current`: its generation is the store's."""
    return [
        {
            **e.to_dict(),
            "at": when(e),
            "undone": e.undone,
            "next": action(e),
            "current": e.generation == generation,
        }
        for e in entries
    ]
