"""What `pk add` does once its options are read: a plain function of the run's `State`, shared
by the Typer command (`ledger_cmds`) and the fast path (`fast`). No Typer here."""

from __future__ import annotations

from ..core import ledger
from ..dates import parse_deadline
from .common import State
from .heads_up import effort_minutes, heads_up
from .promise_common import echo_saved, person_and_direction


def log_promise(
    st: State,
    title: str,
    *,
    to: str | None = None,
    from_: str | None = None,
    due: str,
    team: str | None = None,
    tags: list[str] | tuple[str, ...] = (),
    past: bool = False,
    every: str | None = None,
    json_: bool = False,
    effort: str | None = None,
    quiet: bool = False,
) -> None:
    """Log a promise (to `to`, or from `from_`), print it, then any capacity heads-up."""
    person, direction = person_and_direction(to, from_)
    deadline = parse_deadline(due, st.now, st.settings, allow_past=past)
    minutes = effort_minutes(effort)
    series = None
    if every is not None:  # imported only then: rules bring in dateutil.rrule
        from ..core.series import new_series

        series = new_series(every, deadline, st.settings)
    with st.store().write("add") as tx:
        promise = ledger.add(
            tx,
            title=title,
            person=person,
            direction=direction,
            due=deadline,
            now=st.now,
            team=team,
            tags=list(tags),
            series=series,
            effort_minutes=minutes,
        )
        warning = None if quiet or direction == "from" else heads_up(st, tx, deadline)
    echo_saved(st, "Promised" if direction == "to" else "Waiting on", promise, json_, warning)
