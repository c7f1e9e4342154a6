"""Recurring promises: a series is one repeat rule and the occurrences it has produced.

Each occurrence is an ordinary promise whose `series` field links it:
`{"id": <series uuid>, "rule": "week on fri", "anchor": <first deadline>, "scheduled": <this
occurrence's deadline by the rule>, "previous": <id of the occurrence before, or absent>}`.
`scheduled` is kept apart from `due` so a renegotiated occurrence does not shift the series.
Completing or dropping an occurrence creates the next; `stop` ends the series explicitly.
"""

from __future__ import annotations

import uuid as uuidlib
from datetime import datetime
from typing import Any

from ..config import Settings
from ..errors import BadInput, Conflict
from ..model import Promise, iso, occurrence_uid, parse_iso
from ..storage.store import Transaction
from .recurrence import next_occurrence, parse_rule


def new_series(rule_text: str, due: datetime, settings: Settings) -> dict[str, Any]:
    """The `series` field of a series' first occurrence; BadInput (with examples) for a bad rule."""
    rule = parse_rule(rule_text, settings.work)
    return {
        "id": str(uuidlib.uuid4()),
        "rule": rule.text,
        "anchor": iso(due),
        "scheduled": iso(due),
    }


def successor(promises: list[Promise], promise: Promise) -> Promise | None:
    """The occurrence created when `promise` was closed, if any."""
    if not promise.series:
        return None
    for other in promises:
        if (
            other.series
            and other.series.get("id") == promise.series.get("id")
            and other.series.get("previous") == promise.id
        ):
            return other
    return None


def occurrences_of(promises: list[Promise], promise: Promise) -> list[Promise]:
    """Every occurrence of `promise`'s series, oldest deadline first (empty when not in one)."""
    if not promise.series:
        return []
    series_id = promise.series.get("id")
    found = [p for p in promises if p.series and p.series.get("id") == series_id]
    return sorted(found, key=lambda p: (p.due, p.id))


def unreadable(info: dict[str, Any], settings: Settings) -> str | None:
    """What of a stored `series` field cannot be read (its rule, anchor or scheduled time), or
    None. A hand edit, or a rule an older version accepted, can leave one damaged."""
    try:
        parse_rule(str(info.get("rule", "")), settings.work)
    except BadInput:
        return "rule"
    for key in ("anchor", "scheduled"):
        value = info.get(key)
        if not value:
            continue  # absent: the promise's own deadline stands in
        try:
            parse_iso(value)
        except (TypeError, ValueError):
            return key
    return None


def continue_series(
    tx: Transaction, promise: Promise, now: datetime, settings: Settings | None = None
) -> Promise | None:
    """After `promise` is done or dropped, schedule the next occurrence (None when it is not in a
    series, the series was stopped, a next one already exists, a raw rule has run out, or the
    stored series is unreadable: see `unreadable`).

    The next deadline is the first occurrence after both this one's scheduled deadline and `now`,
    so finishing late never creates an occurrence that is already overdue.
    """
    info = promise.series
    if not info or info.get("stopped"):
        return None
    if successor(tx.promises(), promise) is not None:
        return None  # closed, reopened and closed again: the next one is already there
    settings = settings or Settings(tz=now.tzinfo)  # type: ignore[arg-type]
    if unreadable(info, settings):
        # A damaged stored series (a hand edit, or a rule older versions accepted). Refusing with
        # StoreCorrupt would block `pk done` and lose the user's record that it was kept, while
        # the store as written is still fine to read; completing it loses nothing: the record
        # keeps its rule, the CLI warns that no next occurrence was scheduled, and the user can
        # add the next one by hand. It is not BadInput: the user typed nothing wrong.
        return None
    anchor = parse_iso(info.get("anchor") or iso(promise.due))
    scheduled = parse_iso(info.get("scheduled") or iso(promise.due))
    after = max(scheduled, now)
    due = next_occurrence(
        str(info.get("rule", "")), anchor, settings.tz, settings.work, after=after
    )
    if due is None:
        return None
    link = {**info, "scheduled": iso(due), "previous": promise.id}
    # Derived from the series and the scheduled deadline, never random: two devices that both
    # close an occurrence create the same next one, and sync sees one item, not two.
    uid = occurrence_uid(str(info.get("id", "")), due)
    if any(other.uuid == uid for other in tx.promises()):
        return None  # already here: synced from the device that closed the previous one
    following = Promise(
        id=0,
        uuid=uid,
        title=promise.title,
        person=promise.person,
        direction=promise.direction,
        due=due,
        created=now,
        team=promise.team,
        tags=promise.tags,
        series=link,
    ).with_event("created", now, due=iso(due), series=info.get("id"), previous=promise.id)
    return tx.add_promise(following)


def stop(tx: Transaction, pid: int, now: datetime) -> Promise:
    """End a series at this occurrence: closing it will not schedule another."""
    promise = tx.promise(pid)
    if not promise.series:
        raise Conflict(f"#{pid} does not repeat; drop it without --series")
    stopped = promise._replace(series={**promise.series, "stopped": iso(now)}).with_event(
        "series_stopped", now
    )
    tx.put_promise(stopped)
    return stopped
