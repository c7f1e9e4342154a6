"""The promise records' changes: add, move, note, done, drop, reopen, edit, and the views'
selection. `lifecycle` wraps the ones a linked help slot or series must follow.

Plain functions over a store transaction (or a list of promises) and an injected `now`. They print
nothing and read no clock; the CLI decides what to show.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta, tzinfo
from typing import Any, Literal, NamedTuple, get_args

# _ISO and _split_time: see parse_due_by (a stopgap until dates reads bounds itself).
from .. import dates
from ..config import Settings
from ..errors import BadInput, Conflict
from ..model import Direction, Promise, iso, text_problem
from ..storage.files import PROMISES, REQUESTS
from ..storage.store import Transaction


def clean_text(text: str, what: str) -> str:
    """Validate user text once at the edge of the domain; returns it stripped."""
    problem = text_problem(text, what)
    if problem:
        raise BadInput(problem)
    return text.strip()


def clean_tags(tags: Iterable[str]) -> tuple[str, ...]:
    cleaned: list[str] = []
    for tag in tags:
        for part in tag.split(","):
            if part.strip():
                value = clean_text(part, "tag").lstrip("#")
                if value not in cleaned:
                    cleaned.append(value)
    return tuple(cleaned)


def add(
    tx: Transaction,
    *,
    title: str,
    person: str,
    direction: Direction,
    due: datetime,
    now: datetime,
    team: str | None = None,
    tags: Sequence[str] = (),
    **links: Any,
) -> Promise:
    """Log a promise. `links` carries request/series fields for callers that create linked ones."""
    import uuid as uuidlib  # only writers of new promises need it

    promise = Promise(
        id=0,
        uuid=str(uuidlib.uuid4()),
        title=clean_text(title, "title"),
        person=clean_text(person, "name"),
        direction=direction,
        due=due,
        created=now,
        team=clean_text(team, "team") if team else None,
        tags=clean_tags(tags),
        **links,
    ).with_event("created", now, due=iso(due))
    return tx.add_promise(promise)


def _open(tx: Transaction, pid: int, verb: str) -> Promise:
    promise = tx.promise(pid)
    if not promise.is_open:
        raise Conflict(f"#{pid} is {promise.status}; `pk reopen {pid}` first to {verb} it")
    return promise


def move(tx: Transaction, pid: int, new_due: datetime, reason: str, now: datetime) -> Promise:
    """Renegotiate openly: the old and new deadline and the reason stay in the history."""
    promise = _open(tx, pid, "move")
    why = clean_text(reason, "reason")
    if new_due == promise.due:
        raise BadInput(f"#{pid} is already due then")
    moved = promise._replace(due=new_due).with_event(
        "moved", now, **{"from": iso(promise.due), "to": iso(new_due), "reason": why}
    )
    tx.put_promise(moved)
    return moved


def note(tx: Transaction, pid: int, text: str, now: datetime) -> Promise:
    body = clean_text(text, "note")
    promise = tx.promise(pid)
    noted = promise._replace(notes=(*promise.notes, {"at": iso(now), "text": body})).with_event(
        "note", now, text=body
    )
    tx.put_promise(noted)
    return noted


def done(tx: Transaction, pid: int, now: datetime) -> Promise:
    """Mark kept. Whether it was on time, and how late, is recorded in the event."""
    promise = _open(tx, pid, "complete")
    # To the second, as it is stored: the record read back later says the same as this one.
    finished = promise._replace(status="done", done_at=now.replace(microsecond=0))
    late = finished.late_by(now)
    finished = finished.with_event(
        "done",
        now,
        on_time=bool(finished.kept_on_time),
        late_seconds=int(late.total_seconds()),
    )
    tx.put_promise(finished)
    return finished


def drop(tx: Transaction, pid: int, reason: str | None, now: datetime) -> Promise:
    """Release a promise by agreement; the reason is kept."""
    promise = _open(tx, pid, "drop")
    why = clean_text(reason, "reason") if reason else None
    dropped = promise._replace(status="dropped").with_event("dropped", now, reason=why)
    tx.put_promise(dropped)
    return dropped


def reopen(tx: Transaction, pid: int, now: datetime) -> Promise:
    promise = tx.promise(pid)
    if promise.is_open:
        raise Conflict(f"#{pid} is already open")
    reopened = promise._replace(status="open", done_at=None).with_event(
        "reopened", now, previous=promise.status
    )
    tx.put_promise(reopened)
    return reopened


# A deadline typed wrong is corrected within this long of logging the promise; later, a new
# deadline is a renegotiation the colleague should hear about (`pk move`, with a reason).
CORRECTION_WINDOW = timedelta(hours=1)


def edit(
    tx: Transaction,
    pid: int,
    now: datetime,
    *,
    title: str | None = None,
    person: str | None = None,
    direction: Direction | None = None,
    team: str | None = None,
    tags: Sequence[str] | None = None,
    effort_minutes: int | None = None,
    add_tags: Sequence[str] = (),
    remove_tags: Sequence[str] = (),
    due: datetime | None = None,
) -> Promise:
    """Change what a promise says. `tags` replaces them all; `add_tags` / `remove_tags` change
    one each; `effort_minutes` 0 clears a stated effort. `due` corrects a deadline typed wrong,
    only within CORRECTION_WINDOW of logging the promise: a `corrected` event, not a
    renegotiation (later, that is `move`, with a reason).
    """
    promise = tx.promise(pid)
    changes: dict[str, Any] = {}
    if title is not None:
        changes["title"] = clean_text(title, "title")
    if person is not None:
        changes["person"] = clean_text(person, "name")
    if direction is not None:
        changes["direction"] = direction
    if team is not None:
        # An empty --team "" clears it.
        changes["team"] = clean_text(team, "team") if team.strip() else None
    if tags is not None and (add_tags or remove_tags):
        raise BadInput("--tag replaces every tag: give it alone, or use --add-tag / --remove-tag")
    if tags is not None:
        changes["tags"] = clean_tags(tags)
    if effort_minutes is not None:
        changes["effort_minutes"] = effort_minutes or None
    if add_tags or remove_tags:
        changes["tags"] = _changed_tags(promise, clean_tags(add_tags), clean_tags(remove_tags))
    changes = {k: v for k, v in changes.items() if getattr(promise, k) != v}
    if not changes and due is None:
        raise BadInput(
            "nothing to change: give --title, --to/--from, --team, --tag, --add-tag, "
            "--remove-tag, --effort or --due"
        )
    edited = promise
    if changes:
        recorded = {
            k: {"from": _plain(getattr(promise, k)), "to": _plain(v)} for k, v in changes.items()
        }
        edited = promise._replace(**changes).with_event("edited", now, changes=recorded)
    if due is not None:
        edited = _corrected(edited, due, now)
    tx.put_promise(edited)
    return edited


def _changed_tags(
    promise: Promise, added: tuple[str, ...], removed: tuple[str, ...]
) -> tuple[str, ...]:
    def key(tag: str) -> str:
        return tag.casefold()

    present = {key(t) for t in promise.tags}
    for tag in removed:
        if key(tag) not in present:
            raise BadInput(f"#{promise.id} has no tag {tag!r}; nothing was changed")
    gone = {key(t) for t in removed}
    kept = [t for t in promise.tags if key(t) not in gone]
    return (*kept, *(t for t in added if key(t) not in {key(k) for k in kept}))


def _corrected(promise: Promise, due: datetime, now: datetime) -> Promise:
    if not promise.is_open:
        raise Conflict(f"#{promise.id} is {promise.status}; its deadline is history now")
    if promise.request_id is not None:
        raise Conflict(
            f"#{promise.id} is a help slot: its deadline is the agreed time; "
            f'move it with: pk move {promise.id} WHEN --reason "..."'
        )
    if now - promise.created > CORRECTION_WINDOW:
        raise Conflict(
            f"#{promise.id} was logged more than an hour ago, so a new deadline is a "
            f'renegotiation: pk move {promise.id} WHEN --reason "..." (it drafts a note for '
            f"{promise.person})"
        )
    if due == promise.due:
        raise BadInput(f"#{promise.id} is already due then")
    return promise._replace(due=due).with_event(
        "corrected", now, **{"from": iso(promise.due), "to": iso(due)}
    )


def delete(tx: Transaction, pids: Sequence[int]) -> list[Promise]:
    """Remove promises logged by mistake, whole: they leave no history and no statistics (undo
    brings them back). A help slot's request goes with its promise, so its time is free again
    and no request points at a promise that is gone."""
    promises = [tx.promise(pid) for pid in dict.fromkeys(pids)]  # every id checked first
    for promise in promises:
        tx.remove(PROMISES, promise.id)
        if promise.request_id is not None:
            request = tx.record(REQUESTS, promise.request_id)
            if request is not None and request.get("promise_id") == promise.id:
                tx.remove(REQUESTS, promise.request_id)
    return promises


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


SortKey = Literal["due", "created", "person"]
SORT_KEYS: tuple[SortKey, ...] = get_args(SortKey)


# A NamedTuple, not a dataclass: created at import by every command, ~0.3 ms against ~1.3 ms.
class Filter(NamedTuple):
    """What `pk list` shows. Default: open promises, both directions, soonest deadline first.

    Several values of one kind mean either (`tags=("a", "b")`: tagged a or b); the people
    filters (`to`, `from_`, `person`) are one kind, since one promise has one person; different
    kinds must all match. `due_by` is (bound, inclusive): see `parse_due_by`.
    """

    to: tuple[str, ...] = ()
    from_: tuple[str, ...] = ()
    person: tuple[str, ...] = ()
    team: tuple[str, ...] = ()
    tag: tuple[str, ...] = ()
    overdue: bool = False
    due_before: datetime | None = None
    due_by: tuple[datetime, bool] | None = None
    include_closed: bool = False
    sort: SortKey = "due"
    limit: int | None = None

    @property
    def narrows(self) -> bool:
        """Whether anything beyond the default (open or all, sorted, cut) is asked for: an empty
        answer then means "nothing matches", not "nothing logged"."""
        return bool(
            self.to
            or self.from_
            or self.person
            or self.team
            or self.tag
            or self.overdue
            or self.due_before
            or self.due_by
        )


def _same(a: str | None, b: str) -> bool:
    return a is not None and a.casefold() == b.casefold()


def _any(value: str | None, wanted: tuple[str, ...]) -> bool:
    return any(_same(value, w) for w in wanted)


def _person_matches(p: Promise, flt: Filter) -> bool:
    if not (flt.to or flt.from_ or flt.person):
        return True
    return (
        _any(p.person, flt.person)
        or (p.direction == "to" and _any(p.person, flt.to))
        or (p.direction == "from" and _any(p.person, flt.from_))
    )


def _before_bound(p: Promise, flt: Filter) -> bool:
    if flt.due_before is not None and not p.due < flt.due_before:
        return False
    if flt.due_by is not None:
        bound, inclusive = flt.due_by
        return p.due <= bound if inclusive else p.due < bound
    return True


def _sort_key(flt: Filter) -> Callable[[Promise], Any]:
    if flt.sort == "created":
        return lambda p: (p.created, p.id)
    if flt.sort == "person":
        return lambda p: (p.person.casefold(), p.due, p.id)
    if flt.sort != "due":
        raise BadInput(f"sort by {', '.join(SORT_KEYS)}, not {flt.sort}")
    return lambda p: (p.due, p.id)


def select(promises: Iterable[Promise], flt: Filter, now: datetime) -> list[Promise]:
    """Filter, order (`flt.sort`, then id) and cut to `flt.limit`."""
    key = _sort_key(flt)
    tags = tuple(t.lstrip("#") for t in flt.tag)
    chosen = []
    for p in promises:
        if not flt.include_closed and not p.is_open:
            continue
        if not _person_matches(p, flt):
            continue
        if flt.team and not _any(p.team, flt.team):
            continue
        if tags and not any(_any(t, tags) for t in p.tags):
            continue
        if flt.overdue and not p.is_overdue(now):
            continue
        if not _before_bound(p, flt):
            continue
        chosen.append(p)
    chosen.sort(key=key)
    return chosen if flt.limit is None else chosen[: flt.limit]


def parse_due_by(text: str, now: datetime, settings: Settings) -> tuple[datetime, bool]:
    """`--due-by WHEN` as (bound, inclusive): the date grammar's one reading of a bound (a day
    without a time means the whole of that day; a time, the instant itself), kept inclusive."""
    return dates.parse_due_by(text, now, settings), True


def overdue(promises: Iterable[Promise], now: datetime) -> list[Promise]:
    """Late promises, the longest-late first: the blockers lead."""
    return sorted((p for p in promises if p.is_overdue(now)), key=lambda p: (p.due, p.id))


def is_due_today(promise: Promise, now: datetime, tz: tzinfo) -> bool:
    """Open, not yet late, and due before the end of today in the user's zone."""
    local_now = now.astimezone(tz)
    return (
        promise.is_open
        and not promise.is_overdue(now)
        and promise.due.astimezone(tz).date() == local_now.date()
    )


def _haystack(p: Promise) -> str:
    parts = [p.title, p.person, p.team or "", *p.tags]
    parts += [str(n.get("text", "")) for n in p.notes]
    parts += [str(e.get("reason") or "") for e in p.history]
    return "\n".join(parts).casefold()


def search(promises: Iterable[Promise], query: str) -> list[Promise]:
    """Full text over titles, people, teams, tags, notes and reasons; every word must match.
    A word written `#tag` matches a tag exactly (case-insensitive), not text that contains it."""
    words = query.casefold().split()
    if not words:
        raise BadInput("search for what? e.g. pk search headcount")
    tags = [w[1:] for w in words if w.startswith("#") and len(w) > 1]
    texts = [w for w in words if not (w.startswith("#") and len(w) > 1)]

    def matches(p: Promise) -> bool:
        own = {t.casefold() for t in p.tags}
        return all(t in own for t in tags) and all(w in _haystack(p) for w in texts)

    found = [p for p in promises if matches(p)]
    return sorted(found, key=lambda p: (not p.is_open, p.due, p.id))
