"""What an importer from another tracker hands to pk: promises to create, and what it skipped.

Importers are pure: text in, an `ImportPlan` out. They check every text field with
`model.text_problem`, so a draft never carries text pk would refuse; the CLI shows the plan,
creates the drafts and reports the skipped items with their reasons.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..model import Direction, Status, inert, text_problem

__all__ = ["WAITING_MARKS", "Draft", "ImportPlan", "clean_tag", "label", "text_reason"]

# A tag or context that means "I am waiting on someone" (the GTD "waiting for" list) makes the
# promise theirs to me; the mark itself is not kept as a tag.
WAITING_MARKS = frozenset({"waiting", "waitingfor", "waiting_for", "waiting-for", "delegated"})


@dataclass(frozen=True)
class Draft:
    """One promise to create. Times are aware. `notes` are `{"at": iso, "text": …}` like
    `Promise.notes`. `done_at` is set for "done", `dropped_at` (when known) for "dropped".
    `source_id` names the item in the other tool (a Taskwarrior uuid, a todo.txt line number)."""

    title: str
    person: str
    direction: Direction
    due: datetime
    created: datetime
    status: Status = "open"
    done_at: datetime | None = None
    dropped_at: datetime | None = None
    tags: tuple[str, ...] = ()
    notes: tuple[dict[str, Any], ...] = ()
    source_id: str | None = None


@dataclass(frozen=True)
class ImportPlan:
    """`drafts` to create, in file order; `skipped` as (what, why) pairs, both one line of
    terminal-safe text."""

    drafts: list[Draft] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)


def text_reason(text: Any, what: str) -> str | None:
    """Why `text` can't be stored as the `what` of a promise, or None."""
    if not isinstance(text, str):
        return f"the {what} is not text"
    return text_problem(text, what)


def clean_tag(tag: str) -> str:
    """A tag as `pk add --tag` stores it: stripped, without a leading #."""
    return tag.strip().lstrip("#")


def label(title: Any, source: str) -> str:
    """How a skipped item is named in the report: its title (cut short, made inert) and where it
    came from, e.g. `'Send numbers' (line 3)`."""
    if not isinstance(title, str) or not title.strip():
        return source
    shown = " ".join(inert(title).split())
    if len(shown) > 50:
        shown = shown[:47] + "..."
    return f"'{shown}' ({source})"
