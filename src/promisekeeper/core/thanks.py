"""Thank-yous: when someone delivers what they owed me, say thank you — and remember who has not
been thanked yet. Plain functions over promises and a transaction; `now` is injected."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from ..errors import Conflict
from ..model import Promise
from ..storage.store import Transaction
from .ledger import clean_text


def unthanked(promises: Iterable[Promise]) -> list[Promise]:
    """Deliveries to me (waiting-on promises done) not yet acknowledged, oldest delivery first."""
    found = [p for p in promises if p.waiting_on and p.status == "done" and p.thanked_at is None]
    return sorted(found, key=lambda p: (p.done_at or p.due, p.id))


def thank(tx: Transaction, pid: int, note: str | None, now: datetime) -> Promise:
    """Record the thank-you (and an optional note of what it meant) on the delivered promise."""
    promise = tx.promise(pid)
    if not promise.waiting_on:
        raise Conflict(
            f"#{pid} is a promise you made to {promise.person}; thank-yous are for what others "
            "delivered to you"
        )
    if promise.status != "done":
        raise Conflict(f"#{pid} is {promise.status}; mark it done when it arrives: pk done {pid}")
    if promise.thanked_at is not None:
        raise Conflict(f"#{pid}: you already thanked {promise.person}")
    text = clean_text(note, "note") if note else None
    thanked = promise._replace(thanked_at=now, thank_note=text).with_event(
        "thanked", now, person=promise.person, note=text
    )
    tx.put_promise(thanked)
    return thanked
