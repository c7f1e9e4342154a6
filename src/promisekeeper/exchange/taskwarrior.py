"""Read `task export` (Taskwarrior 2.x and 3.x) into promises to create.

The export is a JSON array (`json.array=on`, the default since 2.6) or one JSON object per line
(`rc.json.array=off`, older versions); both are read. Dates are Taskwarrior's UTC form
`20261204T140000Z` (an ISO 8601 time with an offset is accepted too).

Mapping, task → promise:
  description → title; `due` → deadline; `entry` → created (now when absent);
  status pending / waiting → open, completed → done (at `end`, else `modified`),
  deleted → dropped (at `end` when given); recurring → skipped (the template of a repeating
  task; its pending instances are ordinary tasks and are imported);
  tags → tags, `project` → a tag too (unless it names the person);
  annotations → notes (each keeps its time); uuid → source_id.
  The person comes from the field `person_from` names (a UDA such as `person`, or `project`),
  else `person`. A tag in WAITING_MARKS (waiting, delegated …) makes it a promise to me ("from").
Skipped, with the reason: no due date (every promise has a deadline), no person, text pk refuses
(control characters, over 500 characters), a date that is not a Taskwarrior date, a repeated
uuid. Priority, urgency, depends, wait, scheduled and other UDAs are not carried over.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, tzinfo
from typing import Any

from ..errors import BadInput
from ..model import Direction, Status, iso
from .drafts import WAITING_MARKS, Draft, ImportPlan, clean_tag, label, text_reason

__all__ = ["read_taskwarrior"]

_STATUS: dict[str, Status] = {
    "pending": "open",
    "waiting": "open",
    "completed": "done",
    "deleted": "dropped",
}
_TW_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z")


class _Skip(Exception):
    """One task can't be imported; the message is the reason."""


def read_taskwarrior(
    text: str, *, person: str | None, person_from: str | None, now: datetime, tz: tzinfo
) -> ImportPlan:
    """The promises a `task export` holds. `person_from` names the task field that holds the
    person (a UDA or `project`); `person` is used when that field is absent or not given. Times
    come back in `tz`. Raises BadInput when `text` is not a Taskwarrior export at all."""
    plan = ImportPlan()
    seen: set[str] = set()
    for number, task in enumerate(_tasks(text), start=1):
        where = _where(task, number)
        title = task.get("description") if isinstance(task, dict) else None
        try:
            if not isinstance(task, dict):
                raise _Skip("not a task object")
            draft = _draft(task, person, person_from, now, tz)
            if draft.source_id is not None:
                if draft.source_id in seen:
                    raise _Skip("the same uuid appears twice in the file; the first is imported")
                seen.add(draft.source_id)
            plan.drafts.append(draft)
        except _Skip as skip:
            plan.skipped.append((label(title, where), str(skip)))
    return plan


def _tasks(text: str) -> list[Any]:
    """The task objects of either export form."""
    body = text.lstrip("\ufeff").strip()
    if not body:
        return []
    if body.startswith("["):
        try:
            data = json.loads(body)
        except json.JSONDecodeError as exc:
            raise BadInput(f"not a Taskwarrior export: bad JSON at line {exc.lineno}") from None
        if not isinstance(data, list):
            raise BadInput("not a Taskwarrior export: expected a JSON array of tasks")
        return data
    tasks = []
    for number, line in enumerate(body.splitlines(), start=1):
        line = line.strip().rstrip(",")  # 2.3 and older put a comma after each object
        if not line:
            continue
        try:
            tasks.append(json.loads(line))
        except json.JSONDecodeError:
            raise BadInput(
                f"not a Taskwarrior export: line {number} is not a JSON object "
                "(expected `task export` output)"
            ) from None
    return tasks


def _where(task: Any, number: int) -> str:
    uuid = task.get("uuid") if isinstance(task, dict) else None
    if isinstance(uuid, str) and uuid:
        return f"task {uuid[:8]}"
    return f"task #{number} in the file"


def _draft(
    task: dict[str, Any], person: str | None, person_from: str | None, now: datetime, tz: tzinfo
) -> Draft:
    raw_status = task.get("status")
    if raw_status == "recurring":
        raise _Skip("the template of a repeating task; its instances are imported one by one")
    status = _STATUS.get(raw_status) if isinstance(raw_status, str) else None
    if status is None:
        raise _Skip(f"unknown status {raw_status!r}")

    title = task.get("description")
    if problem := text_reason(title, "title"):
        raise _Skip(problem)
    assert isinstance(title, str)
    if "due" not in task:
        raise _Skip("no due date; every promise has a deadline")
    due = _date(task, "due", tz)
    created = _date(task, "entry", tz) if "entry" in task else now.astimezone(tz)

    who = _person(task, person, person_from)
    tags, direction = _tags(task, person_from)
    done_at = dropped_at = None
    if status == "done":
        stamp = "end" if "end" in task else "modified" if "modified" in task else None
        if stamp is None:
            raise _Skip("completed without an end date; pk can't tell if it was on time")
        done_at = _date(task, stamp, tz)
    elif status == "dropped" and "end" in task:
        dropped_at = _date(task, "end", tz)

    uuid = task.get("uuid")
    return Draft(
        title=title.strip(),
        person=who,
        direction=direction,
        due=due,
        created=created,
        status=status,
        done_at=done_at,
        dropped_at=dropped_at,
        tags=tags,
        notes=_notes(task, tz),
        source_id=uuid if isinstance(uuid, str) and uuid else None,
    )


def _person(task: dict[str, Any], person: str | None, person_from: str | None) -> str:
    value = task.get(person_from) if person_from else None
    if value is None:
        value = person
    if value is None:
        field = f"no '{person_from}' field" if person_from else "no person"
        raise _Skip(f"{field}; give --person NAME (or --person-from FIELD)")
    if problem := text_reason(value, "name"):
        raise _Skip(problem)
    return value.strip()


def _tags(task: dict[str, Any], person_from: str | None) -> tuple[tuple[str, ...], Direction]:
    """(tags, direction): the task's tags and project, the waiting mark turned into "from"."""
    raw = task.get("tags") or []
    if not isinstance(raw, list):
        raise _Skip("tags are not a list")
    project = task.get("project")
    if project is not None and person_from != "project":
        raw = [*raw, project]
    tags: list[str] = []
    direction: Direction = "to"
    for tag in raw:
        if problem := text_reason(tag, "tag"):
            raise _Skip(problem)
        value = clean_tag(tag)
        if value.lower() in WAITING_MARKS:
            direction = "from"
        elif value and value not in tags:
            tags.append(value)
    return tuple(tags), direction


def _notes(task: dict[str, Any], tz: tzinfo) -> tuple[dict[str, Any], ...]:
    annotations = task.get("annotations") or []
    if not isinstance(annotations, list):
        raise _Skip("annotations are not a list")
    notes = []
    for annotation in annotations:
        if not isinstance(annotation, dict):
            raise _Skip("an annotation is not an object")
        text = annotation.get("description")
        if problem := text_reason(text, "note"):
            raise _Skip(problem)
        assert isinstance(text, str)
        notes.append({"at": iso(_date(annotation, "entry", tz)), "text": text.strip()})
    return tuple(notes)


def _date(record: dict[str, Any], key: str, tz: tzinfo) -> datetime:
    """A Taskwarrior date field as an aware datetime in `tz`."""
    value = record.get(key)
    try:
        return _read_date(value, tz)
    except (ValueError, OverflowError):
        # OverflowError: a date at the edge of year 1 or 9999 that doesn't fit in `tz`.
        raise _Skip(f"{key} {_short(value)} is not a Taskwarrior date (20261204T140000Z)") from None


def _read_date(value: Any, tz: tzinfo) -> datetime:
    if isinstance(value, str):
        if match := _TW_DATE.fullmatch(value):
            return datetime(*map(int, match.groups()), tzinfo=UTC).astimezone(tz)
        parsed = datetime.fromisoformat(value)
        if parsed.utcoffset() is not None:
            return parsed.astimezone(tz)
    raise ValueError(value)


def _short(value: Any) -> str:
    shown = repr(value)
    return shown if len(shown) <= 40 else shown[:37] + "..."
