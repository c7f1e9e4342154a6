"""People: the relationship each promise lives in, both ways, and the nudge.

`pk people` rolls the ledger up per person (or team): what I owe them and what they owe me — open,
overdue — and how the promises whose final deadline fell in a window went: kept on time, kept
late, dropped, the on-time rate (the one definition of `core/report.py`, through its `Counts`),
how often deadlines were renegotiated, how often I nudged them, when I last thanked them.
Plain functions over promises; `now` and the window come in.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from ..errors import Conflict, NotFound
from ..model import Promise, inert, parse_iso
from ..storage.store import Transaction
from .report import Counts

GROUPINGS = ("person", "team")


@dataclass
class Side:
    """One direction of a relationship: "to" what I promised them, "from" what they promised me."""

    open: int = 0
    overdue: int = 0
    counts: Counts = field(default_factory=Counts)  # final deadline in the window, settled
    renegotiations: int = 0  # deadlines moved within the window
    nudges: int = 0  # follow-ups I sent within the window

    def add(self, p: Promise, now: datetime, since: datetime) -> None:
        if p.is_open:
            self.open += 1
            self.overdue += p.is_overdue(now)
        if since <= p.due <= now:
            self.counts.add(p, now)
        self.renegotiations += _events_in(p, "moved", since, now)
        self.nudges += _events_in(p, "nudged", since, now)


@dataclass
class Person:
    """A row of `pk people`: a person (or a team, with `--by team`) and both directions."""

    name: str | None  # None: promises without a team, with --by team
    team: str | None = None
    to: Side = field(default_factory=Side)
    from_: Side = field(default_factory=Side)
    thanks: int = 0  # thank-yous I recorded, ever
    last_thanked: datetime | None = None
    latest: datetime | None = None  # the most recent promise: whose spelling of the name wins

    def add(self, p: Promise, now: datetime, since: datetime) -> None:
        (self.to if p.direction == "to" else self.from_).add(p, now, since)
        if p.thanked_at is not None:
            self.thanks += 1
            if self.last_thanked is None or p.thanked_at > self.last_thanked:
                self.last_thanked = p.thanked_at


@dataclass(frozen=True)
class Relationship:
    """`pk people NAME`: the row, the open promises both ways, what was settled in the window, and
    the thank-yous given."""

    person: Person
    open: tuple[Promise, ...]
    settled: tuple[Promise, ...]  # done or dropped, final deadline or closing in the window
    thanked: tuple[Promise, ...]


def _events_in(p: Promise, kind: str, since: datetime, now: datetime) -> int:
    count = 0
    for event in p.history:
        if event.get("type") != kind:
            continue
        try:
            at = parse_iso(str(event.get("at")))
        except ValueError:
            continue
        count += since <= at <= now
    return count


def key(name: str | None) -> str:
    """How names are compared: case-insensitively, ignoring surrounding space."""
    return (name or "").strip().casefold()


def people(
    promises: Iterable[Promise], now: datetime, since: datetime, by: str = "person"
) -> list[Person]:
    """One row per person (or team), in name order (no team last)."""
    if by not in GROUPINGS:
        raise ValueError(f"group by person or team, not {by!r}")
    rows: dict[str, Person] = {}
    for p in promises:
        name = p.person if by == "person" else p.team
        row = rows.setdefault(key(name), Person(name=name))
        if row.latest is None or p.created >= row.latest:
            # The spelling (and team) of the most recent promise: people fix typos going forward.
            row.name, row.latest = name, p.created
            if by == "person":
                row.team = p.team or row.team
        elif by == "person" and row.team is None:
            row.team = p.team
        row.add(p, now, since)
    return sorted(rows.values(), key=lambda r: (r.name is None, key(r.name)))


def find(rows: Sequence[Person], name: str) -> Person:
    """The row whose name matches `name` case-insensitively; NotFound suggests the closest."""
    wanted = key(name)
    for row in rows:
        if row.name is not None and key(row.name) == wanted:
            return row
    known = {key(r.name): r.name for r in rows if r.name}
    close = difflib.get_close_matches(wanted, list(known), n=3, cutoff=0.6)
    shown = inert(name.strip())
    if close:
        names = " or ".join(inert(known[c] or "") for c in close)
        raise NotFound(f"no promises with {shown!r}; did you mean {names}?")
    if not known:
        raise NotFound(f"no promises with {shown!r}; there are no promises yet")
    raise NotFound(f"no promises with {shown!r} (see `pk people` for everyone)")


def relationship(
    promises: Iterable[Promise], name: str, now: datetime, since: datetime
) -> Relationship:
    """One person, both ways. Raises NotFound (with suggestions) for a name not in the ledger."""
    chosen = list(promises)
    row = find(people(chosen, now, since), name)
    mine = [p for p in chosen if key(p.person) == key(row.name)]
    settled = [
        p
        for p in mine
        if not p.is_open and (since <= p.due <= now or since <= (_closed_at(p) or p.due) <= now)
    ]
    return Relationship(
        person=row,
        open=tuple(sorted((p for p in mine if p.is_open), key=lambda p: (p.due, p.id))),
        settled=tuple(sorted(settled, key=lambda p: (_closed_at(p) or p.due, p.id))),
        thanked=tuple(
            sorted((p for p in mine if p.thanked_at), key=lambda p: (p.thanked_at, p.id))
        ),
    )


def _closed_at(p: Promise) -> datetime | None:
    """When it was done or dropped (the last such event), for ordering the history."""
    if p.done_at is not None:
        return p.done_at
    for event in reversed(p.history):
        if event.get("type") == "dropped":
            try:
                return parse_iso(str(event.get("at")))
            except ValueError:
                return None
    return None


# --- nudges -------------------------------------------------------------------------------------


def nudges(p: Promise) -> int:
    """How many follow-ups were recorded on this promise."""
    return sum(1 for event in p.history if event.get("type") == "nudged")


def nudge(tx: Transaction, pid: int, now: datetime) -> Promise:
    """Record a follow-up on something someone owes me. My own promises are not nudged: they are
    renegotiated (`pk move`)."""
    promise = tx.promise(pid)
    if promise.direction == "to":
        raise Conflict(
            f"#{pid} is your promise to {inert(promise.person)}; nudges are for what others owe "
            f'you. To change its deadline, renegotiate: pk move {pid} WHEN --reason "why"'
        )
    if not promise.is_open:
        raise Conflict(f"#{pid} is {promise.status}; nothing to follow up (pk reopen {pid} first)")
    nudged = promise.with_event("nudged", now, number=nudges(promise) + 1)
    tx.put_promise(nudged)
    return nudged
