"""What `pk list` and `pk overdue` do once their options are read: plain functions of the run's
`State`, shared by the Typer commands (`ledger_cmds`) and the fast path (`fast`), so the two
cannot drift apart. No Typer here."""

from __future__ import annotations

from ..core import ledger
from ..errors import BadInput
from ..views.lines import stdout_is_terminal
from ..views.listing import print_promises
from .common import State, output_format

EMPTY_LEDGER = 'No open promises. Log one with: pk add "what" --to PERSON --due fri'


def listing_format(json_: bool, plain: bool, table: bool) -> str:
    """A table for a person at a terminal; one plain line per promise into a pipe or a file, so
    `pk list | grep expense` keeps each promise's id, due date and person on its line."""
    if table and (json_ or plain):
        raise BadInput("choose one of --json, --plain and --table")
    if table:
        return "table"
    fmt = output_format(json_, plain)
    if fmt == "table" and not stdout_is_terminal():
        return "plain"
    return fmt


def show_list(st: State, flt: ledger.Filter, fmt: str) -> None:
    """The promises `flt` chooses (open ones, or all with `include_closed`), printed as `fmt`."""
    closed = flt.include_closed
    view = st.store().read()  # the archive only when closed promises are asked for
    shown = ledger.select(view.promises(None if closed else "open", archived=closed), flt, st.now)
    print_promises(
        lambda: st.out,
        shown,
        st.now,
        st.tz,
        title="Promises",
        empty="Nothing matches those filters." if flt.narrows else EMPTY_LEDGER,
        fmt=fmt,
        soon=st.settings.soon,
    )


def show_overdue(st: State, fmt: str) -> None:
    """What is late, the longest-late first, printed as `fmt`."""
    late = ledger.overdue(st.store().read().promises("open"), st.now)
    print_promises(
        lambda: st.out,
        late,
        st.now,
        st.tz,
        title="Overdue",
        empty="Nothing is overdue. Well kept!",
        fmt=fmt,
    )
