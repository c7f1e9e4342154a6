"""Commands that change a promise: move, note, done, drop, reopen, edit, delete. Each parses its
options, calls `ledger` / `lifecycle`, and says what changed; bulk ones are all or nothing."""

from __future__ import annotations

import sys

import typer

from ..core import ledger, lifecycle
from ..dates import parse_deadline
from ..errors import BadInput
from ..model import Promise
from ..storage.files import REQUESTS
from ..storage.store import Transaction
from ..views.contract import dump_json, promise_json
from ..views.lines import safe
from ..views.messages import quoted
from .closing import after_close, all_or_nothing, bulk_ids, mark_done
from .common import JSON_HELP, check_id, hint, say, state
from .complete import complete_any_ids, complete_closed_ids, complete_open_ids, complete_people
from .core import app
from .heads_up import EFFORT_HELP, QUIET_HELP, effort_minutes, heads_up
from .promise_common import ID_HELP, echo_saved, person_and_direction


@app.command("move")
def move_cmd(
    ctx: typer.Context,
    pid: int = typer.Argument(..., metavar="ID", help=ID_HELP, autocompletion=complete_open_ids),
    when: str = typer.Argument(..., metavar="WHEN", help="The new deadline: next tue, fri 3pm..."),
    reason: str = typer.Option(
        ..., "--reason", "-r", metavar="WHY", help="Why it moves (kept in the history)."
    ),
    past: bool = typer.Option(False, "--past", help="Allow a deadline already in the past."),
    json_: bool = typer.Option(False, "--json", help=JSON_HELP),
    quiet: bool = typer.Option(False, "--quiet", "-q", help=QUIET_HELP),
) -> None:
    """Renegotiate a deadline openly: the old one and the reason stay in the history.

    Like `pk add`, a one-line heads-up says when the new deadline is more than you can do.

    Example:

        pk move 3 "next tue" --reason "waiting on the audit file"
    """
    st = state(ctx)
    deadline = parse_deadline(when, st.now, st.settings, allow_past=past)
    from .busy import busy_near_help_slot  # a help slot's new time is checked against meetings

    busy = busy_near_help_slot(st, check_id(pid), deadline)
    with st.store().write("move") as tx:
        before = tx.promise(check_id(pid))
        slot_before = _help_slot(tx, before)
        moved = lifecycle.move(tx, pid, deadline, reason, st.now, st.settings, busy)
        slot_after = _help_slot(tx, moved)
        mine = moved.direction == "to"
        warning = None if quiet or not mine else heads_up(st, tx, moved.due, busy)
    echo_saved(state(ctx), "Moved", moved, json_, warning)
    if not json_ and moved.direction == "to":
        from ..views.messages import move_notice

        slots = (slot_before, slot_after) if slot_before and slot_after else None
        notice = move_notice(moved, before.due, reason, st.tz, st.now, slots)
        hint(st, f'Tell {safe(moved.person)}: "{safe(notice)}"')


def _help_slot(tx: Transaction, promise: Promise) -> dict[str, str] | None:
    """The booked slot ({start, end}) of a help-slot promise, or None."""
    if promise.request_id is None:
        return None
    record = tx.record(REQUESTS, promise.request_id) or {}
    slot = record.get("slot")
    return slot if record.get("status") == "booked" and isinstance(slot, dict) else None


@app.command("note")
def note_cmd(
    ctx: typer.Context,
    pid: int = typer.Argument(..., metavar="ID", help=ID_HELP, autocompletion=complete_open_ids),
    text: str = typer.Argument(..., metavar="TEXT", help="The note."),
    json_: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Add a note to a promise's history.

    Example:

        pk note 3 "sent draft to Dana for a first look"
    """
    st = state(ctx)
    with st.store().write("note") as tx:
        noted = ledger.note(tx, check_id(pid), text, st.now)
    if json_:
        dump_json(promise_json(noted, st.now))
    else:
        say(st, f"Noted on #{noted.id} {quoted(safe(noted.title))}.")


@app.command("done")
def done_cmd(
    ctx: typer.Context,
    pids: list[int] = typer.Argument(
        ..., metavar="ID...", help=ID_HELP, autocompletion=complete_open_ids
    ),
    json_: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Mark promises kept; whether each was on time is recorded.

    Several ids are one change: an unknown or closed id changes nothing, and one `pk undo`
    reverts them all.

    Examples:

        pk done 3

        pk done 12 13 14
    """
    mark_done(state(ctx), pids, json_)


@app.command("drop")
def drop_cmd(
    ctx: typer.Context,
    pids: list[int] = typer.Argument(
        ..., metavar="ID...", help=ID_HELP, autocompletion=complete_open_ids
    ),
    reason: str | None = typer.Option(
        None, "--reason", "-r", metavar="WHY", help="Why (kept in the history)."
    ),
    series_: bool = typer.Option(
        False, "--series", help="Stop a repeating promise: no next occurrence is scheduled."
    ),
    json_: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Release promises by agreement (they stay in the history).

    Dropping one occurrence of a repeating promise schedules the next; --series stops the series.
    Several ids are one change: an unknown or closed id changes nothing, and one `pk undo`
    reverts them all.

    Examples:

        pk drop 4 --reason "Dana no longer needs it"

        pk drop 4 5 --reason "the project was cancelled"
    """
    from ..core.series import stop as stop_series

    st = state(ctx)
    ids = bulk_ids(pids)
    closed = []
    with st.store().write("drop") as tx, all_or_nothing(ids):
        for pid in ids:
            if series_:
                stop_series(tx, pid, st.now)
            dropped = lifecycle.drop(tx, pid, reason, st.now, st.settings)
            following = lifecycle.next_in_series(tx, dropped)
            closed.append((dropped, following))
    if json_:
        shapes = [promise_json(dropped, st.now) for dropped, _ in closed]
        dump_json(shapes[0] if len(pids) == 1 else shapes)
    else:
        for dropped, _ in closed:
            say(st, f"Dropped #{dropped.id} {quoted(safe(dropped.title))}.")
    for dropped, following in closed:
        after_close(st, dropped, following)


@app.command("reopen")
def reopen_cmd(
    ctx: typer.Context,
    pid: int = typer.Argument(..., metavar="ID", help=ID_HELP, autocompletion=complete_closed_ids),
    json_: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Reopen a done or dropped promise.

    Example:

        pk reopen 4
    """
    st = state(ctx)
    with st.store().write("reopen") as tx:
        reopened = lifecycle.reopen(tx, check_id(pid), st.now)
    echo_saved(state(ctx), "Reopened", reopened, json_)


@app.command("edit")
def edit_cmd(
    ctx: typer.Context,
    pid: int = typer.Argument(..., metavar="ID", help=ID_HELP, autocompletion=complete_open_ids),
    title: str | None = typer.Option(None, "--title", metavar="TITLE", help="New title."),
    to: str | None = typer.Option(
        None,
        "--to",
        metavar="PERSON",
        help="Now promised to this person.",
        autocompletion=complete_people,
    ),
    from_: str | None = typer.Option(
        None,
        "--from",
        metavar="PERSON",
        help="Now owed by this person.",
        autocompletion=complete_people,
    ),
    team: str | None = typer.Option(
        None, "--team", metavar="TEAM", help='New team ("" clears it).'
    ),
    tag: list[str] | None = typer.Option(
        None, "--tag", "-t", metavar="TAG", help="Replace the tags; repeat."
    ),
    add_tag: list[str] | None = typer.Option(
        None, "--add-tag", metavar="TAG", help="Add one tag; repeat for more."
    ),
    remove_tag: list[str] | None = typer.Option(
        None, "--remove-tag", metavar="TAG", help="Remove one tag; repeat for more."
    ),
    due: str | None = typer.Option(
        None,
        "--due",
        metavar="WHEN",
        help="Correct a deadline typed wrong, within an hour of logging it (later: pk move).",
    ),
    json_: bool = typer.Option(False, "--json", help=JSON_HELP),
    effort: str | None = typer.Option(
        None, "--effort", metavar="DURATION", help=EFFORT_HELP + ' "0" clears it.'
    ),
) -> None:
    """Change a promise's title, person, team or tags; correct a deadline typed wrong.

    --due only corrects a slip of the keyboard, within an hour of logging the promise: it is kept
    in the history as a correction, not a renegotiation, and there is nothing to tell anyone.
    Later, a new deadline is a renegotiation: `pk move ID WHEN --reason ...`.

    Examples:

        pk edit 3 --title "Send Q3 and Q4 headcount" --team Finance

        pk edit 3 --add-tag urgent --remove-tag someday

        pk edit 3 --due "fri 3pm"
    """
    st = state(ctx)
    person, direction = (None, None)
    if to is not None or from_ is not None:
        person, direction = person_and_direction(to, from_)
    deadline = parse_deadline(due, st.now, st.settings) if due is not None else None
    with st.store().write("edit") as tx:
        edited = ledger.edit(
            tx,
            check_id(pid),
            st.now,
            title=title,
            person=person,
            direction=direction,
            team=team,
            tags=tag or None,
            effort_minutes=effort_minutes(effort, allow_zero=True),
            add_tags=add_tag or (),
            remove_tags=remove_tag or (),
            due=deadline,
        )
    echo_saved(state(ctx), "Edited", edited, json_)


@app.command("delete")
def delete_cmd(
    ctx: typer.Context,
    pids: list[int] = typer.Argument(
        ..., metavar="ID...", help=ID_HELP, autocompletion=complete_any_ids
    ),
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask (for scripts)."),
    json_: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Remove promises logged by mistake: gone from the list, the history and the statistics.

    For a promise that was made and is no longer wanted, use `pk drop` (it keeps the record).
    Asks first on a terminal; `--yes` for scripts. `pk undo` brings them back. A help slot's
    request goes with its promise.

    Examples:

        pk delete 7

        pk delete 7 8 --yes
    """
    st = state(ctx)
    ids = bulk_ids(pids)
    view = st.store().read()
    listed = ", ".join(
        f"#{p.id} {quoted(safe(p.title))} {'→' if p.direction == 'to' else '←'} {safe(p.person)}"
        for p in (view.promise(pid) for pid in ids)
    )
    if not yes:
        if not stdin_is_terminal():
            raise BadInput(
                f"pk delete asks before deleting, and this is not a terminal; to delete "
                f"{listed}, add --yes"
            )
        # Asked before the store is locked: other pk commands must not wait for an answer.
        typer.confirm(f"Delete {listed}? (`pk undo` brings it back)", abort=True, err=True)
    with st.store().write("delete") as tx, all_or_nothing(ids):
        deleted = ledger.delete(tx, ids)
    if json_:
        dump_json({"deleted": [promise_json(p, st.now) for p in deleted]})
        return
    for p in deleted:
        say(st, f"Deleted #{p.id} {quoted(safe(p.title))}.")
    hint(st, "`pk undo` brings it back.")


def stdin_is_terminal() -> bool:
    """Whether someone can answer a question (tests replace this to play the person)."""
    return sys.stdin.isatty()
