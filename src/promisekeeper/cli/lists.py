"""What `pk list`, `pk overdue` and `pk standup` do once their options are read: plain functions
of the run's `State`, shared by the Typer commands (`ledger_cmds`, `report_cmds`) and the fast
path (`fast`), so the two cannot drift apart. No Typer here."""

from __future__ import annotations

import sys

from ..core import ledger
from ..errors import BadInput
from ..storage.files import REQUESTS
from ..views.lines import is_terminal, stdout_is_terminal
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
    # The archive only when closed promises are asked for; otherwise not even the closed ones
    # in the hot file.
    view = st.store().read(open_only=not closed)
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
    late = ledger.overdue(st.store().read(open_only=True).promises("open"), st.now)
    print_promises(
        lambda: st.out,
        late,
        st.now,
        st.tz,
        title="Overdue",
        empty="Nothing is overdue. Well kept!",
        fmt=fmt,
    )


def show_standup(
    st: State,
    *,
    since: str | None = None,
    fmt: str | None = None,
    by: str | None = None,
    json_: bool = False,
) -> None:
    """The standup summary (see `pk standup --help`), printed in the chosen format."""
    from ..core import report
    from ..views.report import STANDUP_FORMATS, print_standup

    chosen = "json" if json_ else (fmt or ("rich" if is_terminal(sys.stdout) else "plain")).lower()
    if chosen not in STANDUP_FORMATS:
        raise BadInput(f"unknown format {fmt!r}; choose one of {', '.join(STANDUP_FORMATS)}")
    if by not in (None, "team"):
        raise BadInput(f"standup can be grouped --by team, not {by!r}")
    view = st.store().read()
    cut = None
    if since:
        from ..dates import parse_since

        cut = parse_since(since, st.now, st.settings)
    result = report.standup(view.promises(), view.records(REQUESTS), st.now, st.settings, cut)
    print_standup(lambda: st.out, result, st.tz, chosen, by)
