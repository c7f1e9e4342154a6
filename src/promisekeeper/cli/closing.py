"""What `pk done` does once its ids are read, and what `pk done` and `pk drop` say after closing
a promise: plain functions of the run's `State`, shared by the Typer commands (`change_cmds`) and
the fast path (`fast`). No Typer here."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from ..core import lifecycle
from ..dates import describe_due
from ..errors import PkError
from ..model import Promise
from ..views.contract import dump_json, promise_json
from ..views.lines import safe
from ..views.messages import quoted
from .common import State, check_id, hint, say


def mark_done(st: State, pids: list[int], json_: bool) -> None:
    """Close `pids` as kept, in one change; print the result, then any next occurrence and the
    nudge to thank."""
    ids = bulk_ids(pids)
    closed = []
    with st.store().write("done") as tx, all_or_nothing(ids):
        for pid in ids:
            finished = lifecycle.done(tx, pid, st.now, st.settings)
            following = lifecycle.next_in_series(tx, finished)
            closed.append((finished, following))
    if json_:
        shapes = [promise_json(finished, st.now) for finished, _ in closed]
        dump_json(shapes[0] if len(pids) == 1 else shapes)
    else:
        for finished, _ in closed:
            say(st, done_message(finished, st.now))
    for finished, following in closed:
        after_close(st, finished, following)


def done_message(promise: Promise, now: datetime) -> str:
    """What `pk done` says; on time or late by the one rule (`Promise.on_time_at`)."""
    if promise.direction == "from":
        return f"{safe(promise.person)} delivered #{promise.id} {quoted(safe(promise.title))}."
    if not promise.kept_on_time:
        from ..dates import span

        late = span(int(promise.late_by(now).total_seconds()))
        return f"Done #{promise.id} {quoted(safe(promise.title))}, {late} late."
    return f"Kept #{promise.id} {quoted(safe(promise.title))} on time."


def _unreadable_series(closed: Promise, st: State) -> str | None:
    from ..core.series import unreadable  # repeating promises only: the rules load dateutil

    return unreadable(closed.series or {}, st.settings)


def after_close(st: State, closed: Promise, following: Promise | None) -> None:
    """Talk after `pk done` / `pk drop` (stderr): the next occurrence of a series, and a nudge to
    thank whoever delivered what they owed."""
    if following is not None:
        rule = safe(str((following.series or {}).get("rule", "")))
        hint(
            st,
            f"Next: #{following.id} {quoted(safe(following.title))} "
            f"{describe_due(following.due, st.now, st.tz)} (repeats {rule})",
        )
    elif closed.series and closed.series.get("stopped"):
        hint(st, f"The series {quoted(safe(str(closed.series.get('rule'))))} is stopped.")
    elif closed.series and (damaged := _unreadable_series(closed, st)):
        hint(
            st,
            f"pk: warning: #{closed.id} was {closed.status}, but its stored series {damaged} "
            f"{safe(str(closed.series.get(damaged)))!r} is unreadable, so no next occurrence "
            "was scheduled; add the next one with `pk add ... --every`, and run `pk doctor` "
            "to check the rest of the store",
            style="",
        )
    if closed.status == "done" and closed.waiting_on and closed.thanked_at is None:
        hint(
            st,
            f"{safe(closed.person)} delivered — say thank you: pk thank {closed.id} "
            '--note "what it made possible"',
        )


def bulk_ids(pids: list[int]) -> list[int]:
    """The ids of a bulk command, each checked, each once, in the order typed."""
    return list(dict.fromkeys(check_id(pid) for pid in pids))


@contextmanager
def all_or_nothing(pids: list[int]) -> Iterator[None]:
    """A refusal inside a bulk change names the id and says that nothing changed (the
    transaction is not written)."""
    try:
        yield
    except PkError as exc:
        if len(pids) > 1:
            raise type(exc)(f"{exc}; nothing was changed") from exc
        raise
