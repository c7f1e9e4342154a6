"""The whole `--json` contract in one place: the machine shape of every view.

Scripts rely on these shapes (README "JSON output", pinned by tests/test_json_contract.py), so
they change here, deliberately, and nowhere else. Stored text goes out as stored; `json_text`
escapes what could steer a terminal.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from datetime import date, datetime
from typing import IO, TYPE_CHECKING, Any

from ..model import Promise, iso, json_text
from ..storage.files import Record

if TYPE_CHECKING:  # types only: `pk list` must not load help-later and the reports
    from ..core.helplater import DayPlan
    from ..core.importing import Outcome
    from ..core.people import Person, Relationship, Side
    from ..core.report import Entry, Standup, Stats


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
    from ..core.helplater import status_at

    return {"id": rid, **record, "status": status_at(record, now)}


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
                # Meetings from the user's calendars, cut to the day (pk slots shows them busy).
                "busy": [
                    {
                        "start": iso(m.start),
                        "end": iso(m.end),
                        "summary": str(getattr(m.ref, "summary", "") or ""),
                        "all_day": bool(getattr(m.ref, "all_day", False)),
                    }
                    for m in p.meetings
                ],
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


def sync_json(report: Any) -> dict[str, Any]:
    """`pk sync --json` (a `sync.engine.SyncReport`): counts, and the conflicts and warnings as
    one-line texts. `applied` counts by kind: done, dropped, moved, edited, noted, reopened,
    deleted (dropped because deleted in another app)."""
    return {
        "remote": report.remote,
        "dry_run": report.dry_run,
        "sent": report.sent,
        "applied": report.applied_total,
        "applied_by_kind": dict(sorted(report.applied.items())),
        "created": report.created,
        "conflicts": list(report.conflicts),
        "kept_local": list(report.kept_local),
        "foreign": report.foreign,
        "unreadable": report.unreadable,
        "warnings": list(report.warnings),
        "summary": report.summary(),
    }


def calendar_check_json(reports: Sequence[Any]) -> dict[str, Any]:
    """`pk calendar check --json`: one entry per busy source (`calendar.sources.SourceReport`),
    in config order, and whether all of them answered. No password is ever in a source name."""
    return {
        "ok": all(r.ok for r in reports),
        "sources": [
            {
                "source": r.source,
                "ok": r.ok,
                "kind": r.kind,
                "events_this_week": r.events_this_week,
                "error": r.error,
                "fetched_at": _iso(r.fetched_at),
                "from_cache": r.from_cache,
            }
            for r in reports
        ],
    }


def _side_json(side: Side) -> dict[str, Any]:
    counts = side.counts
    rate = counts.on_time_rate
    return {
        "open": side.open,
        "overdue": side.overdue,
        "kept_on_time": counts.kept_on_time,
        "kept_late": counts.kept_late,
        "dropped": counts.dropped,
        "on_time_rate": None if rate is None else round(rate, 4),
        "renegotiations": side.renegotiations,
        "nudges": side.nudges,
    }


def person_json(row: Person, by: str = "person") -> dict[str, Any]:
    """One row of `pk people --json`: "to" is what I promised them, "from" what they promised me;
    kept/dropped counts and the rate cover promises whose final deadline fell in the window,
    renegotiations and nudges the moves and follow-ups made in it."""
    data: dict[str, Any] = {by: row.name}
    if by == "person":
        data["team"] = row.team
    return data | {
        "to": _side_json(row.to),
        "from": _side_json(row.from_),
        "thanks": row.thanks,
        "last_thanked": _iso(row.last_thanked),
    }


def people_json(rows: Sequence[Person], by: str, since: datetime, now: datetime) -> dict[str, Any]:
    """`pk people --json`."""
    return {
        "since": iso(since),
        "now": iso(now),
        "by": by,
        "people": [person_json(row, by) for row in rows],
    }


def relationship_json(found: Relationship, since: datetime, now: datetime) -> dict[str, Any]:
    """`pk people NAME --json`: the row, then the promises themselves in the promise shape."""
    return {
        "since": iso(since),
        "now": iso(now),
        "person": person_json(found.person),
        "open": [promise_json(p, now) for p in found.open],
        "settled": [promise_json(p, now) for p in found.settled],
        "thanked": [promise_json(p, now) for p in found.thanked],
    }


def import_report_json(outcome: Outcome, now: datetime) -> dict[str, Any]:
    """`pk import --from taskwarrior|todo.txt --json`: the promises created (with `--dry-run`,
    those that would be, with `id` null) and every skipped item with its reason."""
    imported = []
    for p in outcome.promises:
        data = promise_json(p, now)
        if outcome.dry_run:
            data["id"] = None
        imported.append(data)
    return {
        "from": outcome.source,
        "dry_run": outcome.dry_run,
        "imported": imported,
        "skipped": [{"item": what, "reason": why} for what, why in outcome.skipped],
    }
