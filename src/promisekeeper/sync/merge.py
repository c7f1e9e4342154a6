"""The three-way merge of one promise: the local record, the base copy (what both sides agreed on
at the last sync) and the remote item's fields. Pure: no I/O, no clock (`now` is passed).

Per field, against the base:
- changed on one side only: that side's value is taken;
- changed on both sides to the same value: nothing to do (this is also how a sync interrupted
  between the store's commit and the state's converges);
- changed on both sides differently: a promise ticked done (or dropped) on one side beats a
  deadline change on the other; otherwise the later change wins (the remote's LAST-MODIFIED
  against the time of the local history event that made the change), and the loser is written
  into the history: "conflict: kept X, the other side had Y". Nothing is silently lost.
- notes are a union: a note added on either side is kept on both;
- a field the remote does not carry (a client stripped X-PK-* or DESCRIPTION) is "unchanged".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..model import Promise, iso, parse_iso

# The deadline of a done/dropped promise no longer matters; a remote or local move of it loses
# against the closing (the "done beats an edit").
EDIT_FIELDS = ("title", "tags", "person", "team", "direction")
_NOTE_LINE = re.compile(r"^- (?:\d{4}-\d{2}-\d{2}: )?(.*)$")


@dataclass
class Outcome:
    """What to do with one item. `local` are operations on the local promise, in order:
    ("done", at) ("drop", reason) ("reopen",) ("move", due, reason) ("edit", {field: value})
    ("note", text, at) ("conflict", text). `send` says the remote must be rewritten from the
    local promise afterwards; `base` is the agreed state once both are done."""

    local: list[tuple[Any, ...]] = field(default_factory=list)
    send: bool = False
    conflicts: list[str] = field(default_factory=list)
    applied: list[str] = field(default_factory=list)  # what came from the remote, for the summary


def remote_values(fields: dict[str, Any], now: datetime) -> dict[str, Any]:
    """The remote's fields in the base copy's form; keys the remote does not carry are absent."""
    out: dict[str, Any] = {"title": fields.get("title") or None}
    if out["title"] is None:
        del out["title"]
    if isinstance(fields.get("due"), datetime):
        out["due"] = iso(fields["due"])
    status = fields.get("status", "open")
    out["status"] = status
    if status == "done":
        at = fields.get("completed") or fields.get("last_modified") or now
        out["done_at"] = iso(at)
    else:
        out["done_at"] = None
    if "categories" in fields:
        out["tags"] = list(fields["categories"])
    if "description" in fields:
        out["notes"] = notes_in(str(fields["description"]))
    if "person" in fields:
        out["person"] = fields["person"]
        # pk writes X-PK-TEAM only when there is a team: with X-PK-PERSON present, the
        # properties were not stripped, so no team means none.
        out["team"] = fields.get("team") or None
    if fields.get("direction") in ("to", "from"):
        out["direction"] = fields["direction"]
    return out


def notes_in(description: str) -> list[str]:
    """The note texts in a description pk wrote (`- 2026-11-23: text` under "Notes:"), and any
    line another app added that is not part of pk's template."""
    lines = description.split("\n")
    notes: list[str] = []
    for index, line in enumerate(lines):
        text = line.strip()
        if (
            not text
            or text == "Notes:"
            or (index == 0 and text.startswith(("Promised to ", "Waiting on ")))
        ):
            continue
        if text.startswith("Repeats "):
            continue
        match = _NOTE_LINE.match(text)
        note = (match.group(1) if match else text).strip()
        if note and note not in notes:
            notes.append(note)
    return notes


def _same(name: str, a: Any, b: Any) -> bool:
    if name == "tags":
        return sorted(a or []) == sorted(b or [])
    if name == "team":
        return (a or None) == (b or None)
    return a == b


def _local_time(p: Promise, name: str) -> datetime:
    """When the local side last changed `name`: the newest history event that did it."""
    types = {
        "due": ("moved", "created"),
        "status": ("done", "dropped", "reopened", "created"),
    }.get(name, ("edited", "created"))
    newest: datetime | None = None
    for event in p.history:
        if event.get("type") not in types:
            continue
        if event.get("type") == "edited" and name not in (event.get("changes") or {}):
            continue
        try:
            at = parse_iso(str(event.get("at")))
        except ValueError:
            continue
        newest = at if newest is None or at > newest else newest
    return newest or p.created


def _shown(name: str, value: Any) -> str:
    if name == "tags":
        return ", ".join(value) or "no tags"
    if name == "due":
        return f"due {value}"
    if value is None:
        return f"no {name}"
    return f"{name} {value!s}"


def merge(
    local: Promise,
    base: dict[str, Any] | None,
    remote: dict[str, Any],
    remote_time: datetime | None,
    host: str,
    now: datetime,
) -> Outcome:
    """Merge one promise that exists on both sides. `base` None means no common ancestor (the
    state was lost, or two devices made the same occurrence): every difference is then a
    both-sides change, decided by time. `remote` is `remote_values(...)`."""
    out = Outcome()
    mine = _values(local)
    agreed = base or {}
    remote_time = remote_time or now
    closing_here = (
        mine["status"] != agreed.get("status", mine["status"]) and mine["status"] != "open"
    )
    closing_there = (
        remote.get("status", agreed.get("status")) != agreed.get("status", remote.get("status"))
        and remote.get("status") != "open"
    )

    # status first: the rest of the decisions depend on it
    merged_status = mine["status"]
    if "status" in remote and not _same("status", mine["status"], remote["status"]):
        theirs, ours = remote["status"], mine["status"]
        if base is not None and ours == agreed.get("status"):
            merged_status = theirs
        elif base is not None and theirs == agreed.get("status"):
            out.send = True
        elif remote_time > _local_time(local, "status"):
            merged_status = theirs
            out.conflicts.append(f"conflict: kept {theirs}, this device had {ours}")
        else:
            out.send = True
            out.conflicts.append(f"conflict: kept {ours}, the other side had {theirs}")
        if merged_status != ours:
            if ours != "open":
                out.local.append(("reopen",))
            if theirs == "done":
                out.local.append(("done", parse_iso(remote["done_at"])))
                out.applied.append("done")
            elif theirs == "dropped":
                out.local.append(("drop", f"cancelled in {host}"))
                out.applied.append("dropped")
            else:
                out.applied.append("reopened")

    edits: dict[str, Any] = {}
    for name in ("due", *EDIT_FIELDS):
        if name not in remote or _same(name, mine[name], remote[name]):
            continue
        theirs, ours = remote[name], mine[name]
        was = agreed.get(name, object())
        if base is not None and _same(name, ours, was):
            take_theirs, conflict = True, False
        elif base is not None and _same(name, theirs, was):
            take_theirs, conflict = False, False
        elif name == "due" and (closing_here or closing_there):
            # done beats an edit: the side that closed it keeps its deadline
            take_theirs, conflict = closing_there and not closing_here, True
        else:
            take_theirs, conflict = remote_time > _local_time(local, name), True
        if take_theirs:
            if conflict:
                out.conflicts.append(
                    f"conflict: kept {_shown(name, theirs)}, this device had {_shown(name, ours)}"
                )
            if name == "due":
                if merged_status == "open":
                    out.local.append(("move", parse_iso(theirs), "moved in another app"))
                    out.applied.append("moved")
                else:
                    out.send = True  # a closed promise keeps its deadline; say so remotely
            else:
                edits[name] = theirs
        else:
            out.send = True
            if conflict:
                kept, lost = _shown(name, ours), _shown(name, theirs)
                out.conflicts.append(f"conflict: kept {kept}, the other side had {lost}")
    if edits:
        out.local.append(("edit", edits))
        out.applied.append("edited")

    if "notes" in remote:
        known = set(mine["notes"]) | set(agreed.get("notes", []))
        for text in remote["notes"]:
            if text not in known:
                out.local.append(("note", text, remote_time))
                known.add(text)
                if "noted" not in out.applied:
                    out.applied.append("noted")
        if set(mine["notes"]) - set(remote["notes"]):
            out.send = True
    for text in out.conflicts:
        out.local.append(("conflict", text))
    if base is not None:
        # A local change of a field the remote does not carry (a client stripped it): send it.
        for name in ("due", "status", *EDIT_FIELDS):
            if name not in remote and not _same(name, mine[name], agreed.get(name)):
                out.send = True
    return out


def _values(p: Promise) -> dict[str, Any]:
    from .state import base_of

    return base_of(p)


def changed_locally(local: Promise, base: dict[str, Any]) -> bool:
    """Whether the promise differs from what was last synced."""
    mine = _values(local)
    return any(not _same(k, mine[k], base.get(k)) for k in mine if k != "done_at")


def fields_for_new(remote: dict[str, Any], fields: dict[str, Any]) -> dict[str, Any]:
    """What a promise made on another device is created with here."""
    return {
        "title": remote.get("title") or "(untitled)",
        "person": remote.get("person") or "someone",
        "direction": remote.get("direction", "to"),
        "team": remote.get("team"),
        "tags": tuple(remote.get("tags", ())),
        "due": parse_iso(remote["due"]) if remote.get("due") else None,
        "created": fields.get("created"),
        "notes": remote.get("notes", []),
        "series": fields.get("series"),
    }
