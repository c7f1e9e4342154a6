"""Commands that keep the data safe: undo (and redo) through the journal, and the store doctor."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.text import Text

from ..dates import format_local
from ..errors import StoreCorrupt
from ..views.contract import dump_json, journal_json
from ..views.lines import plural, safe
from .common import JSON_HELP, State, hint, say, state
from .core import app

if TYPE_CHECKING:  # imported where used: `pk list` should not load them
    from ..storage import doctor as doctor_mod
    from ..storage import journal

MARKS = {"ok": "ok     ", "warn": "warning", "problem": "PROBLEM"}


def _entry_time(st: State, stamp: str | None) -> str:
    if stamp is None:
        return ""
    try:
        return format_local(datetime.fromisoformat(stamp), st.tz, now=st.now)
    except ValueError:
        return ""


@app.command("undo")
def undo_cmd(
    ctx: typer.Context,
    list_: bool = typer.Option(
        False, "--list", "-l", help="Show what undo and redo would do, and when each change ran."
    ),
    json_: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Revert the latest change not yet undone; run it again to go further back.

    Every change is journalled (the last 100). Each `pk undo` reverts one more, newest first;
    `pk redo` re-applies them; a new change after an undo clears what could be redone. Undo
    refuses, changing nothing, when the store is not as the journal says (edited by hand, restored
    from a backup). Ids stay used, so a redo brings back the same id.

    Examples:

        pk undo            # revert the latest change and say what it was

        pk undo --list     # the journal, newest first: what undo and redo would do, and when
    """
    from ..storage import undo

    st = state(ctx)
    store = st.store()
    if list_:
        _list_journal(st, store.target, json_)
        return
    with store.write("undo") as tx:
        reverted = undo.undo(tx)
        done_as = tx.operation
    if json_:
        dump_json({"reverted": reverted.to_dict(), "recorded_as": done_as})
        return
    # Said by what this undo did (the reverted entry's after → before), not by what the
    # reverted change did: undoing an add removes the record.
    say(st, f"Undid {safe(undo.describe(reverted.inverse(), reverted.operation))}")
    hint(st, "`pk redo` re-applies it; `pk undo` again reverts the change before.")


@app.command("redo")
def redo_cmd(
    ctx: typer.Context,
    json_: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Re-apply the change `pk undo` reverted most recently.

    Redo works until a new change is made: that clears what could be redone.

    Examples:

        pk redo               # after pk undo: back where you were
    """
    from ..storage import undo

    st = state(ctx)
    with st.store().write("redo") as tx:
        redone = undo.redo(tx)
        done_as = tx.operation
    if json_:
        dump_json({"redone": redone.to_dict(), "recorded_as": done_as})
        return
    say(st, f"Redid {safe(undo.describe(redone))}")
    hint(st, "`pk undo` reverts it again.")


def _list_journal(st: State, target: Path, json_: bool) -> None:
    from ..storage import journal, undo

    try:
        state_ = journal.read(target)
    except ValueError as exc:
        state_ = journal.Journal()
        st.err.print(
            Text(f"pk: the undo journal is damaged ({exc}); the store is unaffected"),
            soft_wrap=True,
        )
    generation = st.store().read().generation
    undo_next, redo_next = state_.next_undo(), state_.next_redo()

    def action(entry: journal.Entry) -> str | None:
        """What `pk undo` or `pk redo` would do with this entry, if it is the next one."""
        if entry is not undo_next and entry is not redo_next:
            return None
        if not state_.intact_since(entry.generation, generation):
            return "blocked"  # the store changed outside the journal: both refuse
        if entry is undo_next:
            return "blocked" if entry.too_large else "undo"
        return "redo"

    newest_first = list(reversed(state_.entries))
    if json_:
        dump_json(journal_json(newest_first, generation, journal.when, action))
        return
    if not newest_first:
        say(st, "No changes journalled yet.")
        return
    marks = {
        "undo": "  ← `pk undo` reverts it",
        "redo": "  ← `pk redo` re-applies it",
        "blocked": "  ← cannot be undone (see `pk undo`)",
    }
    times = [_entry_time(st, journal.when(e)) or "—" for e in newest_first]
    width = max(len(t) for t in times)
    for e, when in zip(newest_first, times, strict=True):
        undone = " [undone]" if e.undone else ""
        mark = marks.get(action(e) or "", "")
        say(st, f"{e.generation:>5}  {when:<{width}}  {safe(undo.describe(e))}{undone}{mark}")


@app.command("doctor")
def doctor_cmd(
    ctx: typer.Context,
    repair: bool = typer.Option(
        False, "--repair", help="Write a repaired copy beside the store (never over it)."
    ),
    restore: bool = typer.Option(
        False, "--restore", help="Put the previous state (the .bak backup) back in place."
    ),
    json_: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Check the store and the files beside it; repair a copy or restore the backup.

    Checks: readable, valid JSON, schema, every record well formed, ids unique, the prompt index
    fresh, no leftover temp files, the lock, the undo journal and the backup. Exits 65 when the
    store has a problem.

    Examples:

        pk doctor

        pk doctor --repair    # writes promises.json.repaired and a timestamped backup

        pk doctor --restore   # back to the state before the latest change
    """
    from ..storage import doctor as doctor_mod

    st = state(ctx)
    path = st.store().path
    lock_timeout = st.store().lock_timeout
    if repair and restore:
        from ..errors import BadInput

        raise BadInput("choose one of --repair and --restore")
    if restore:
        result = doctor_mod.restore(path, st.now, lock_timeout)
        kept = f"; the file it replaced is kept as {result.previous}" if result.previous else ""
        say(st, f"Restored {plural(result.promises, 'promise')} from {result.restored_from}{kept}.")
        return
    if repair:
        fixed = doctor_mod.repair(path, st.now, lock_timeout)
        if fixed is None:
            say(st, "Nothing to repair: the store is healthy.")
        elif not fixed.kept and not fixed.dropped and fixed.temps_removed:
            removed = plural(fixed.temps_removed, "leftover temp file")
            say(st, f"Removed {removed}; the store is healthy.")
        else:
            _report_repair(st, fixed, st.store().target)
        return
    report = doctor_mod.examine(path)
    if json_:
        dump_json(
            {
                "path": str(report.path),
                "healthy": report.healthy,
                "findings": [vars(f) for f in report.findings],
            }
        )
    else:
        say(st, f"Store: {safe(str(report.path))}")
        for f in report.findings:
            style = {"ok": "green", "warn": "yellow", "problem": "red"}[f.level]
            say(st, f"  {MARKS[f.level]}  {f.check:<10}  {safe(f.message)}", style)
    if not report.healthy:
        if not json_:
            st.err.print(Text(report.advice), soft_wrap=True)
        raise typer.Exit(StoreCorrupt.exit_code)


def _report_repair(st: State, fixed: doctor_mod.Repair, target: Path) -> None:
    kept = ", ".join(plural(n, table.removesuffix("s")) for table, n in fixed.kept.items())
    say(st, f"Wrote a repaired copy: {fixed.repaired} (kept {kept or 'nothing'}).")
    say(st, f"The file as found is kept as {fixed.backup}; {target} was not changed.")
    for item in fixed.dropped:
        say(st, f"  left out: {safe(item)}")
    for item in fixed.renumbered:
        say(st, f"  new id: {safe(item)}")
    st.err.print(
        Text(f"Check it (pk --db {fixed.repaired} list --all), then: mv {fixed.repaired} {target}"),
        soft_wrap=True,
    )
