"""Commands that log and read the promise ledger: add, list, overdue, show, search. Each parses
its options, calls `ledger`, and prints through `render`. The commands that change a promise are
in `change_cmds`."""

from __future__ import annotations

import typer

from ..core import ledger
from ..core.ledger import SortKey
from ..dates import parse_when
from ..views.contract import dump_json, promise_json
from ..views.lines import safe
from ..views.listing import print_promises
from ..views.messages import quoted
from .adding import log_promise
from .common import JSON_HELP, PLAIN_HELP, check_id, output_format, state
from .complete import complete_any_ids, complete_people
from .core import app
from .heads_up import EFFORT_HELP, QUIET_HELP
from .lists import listing_format, show_list, show_overdue
from .promise_common import ID_HELP


@app.command("add")
def add_cmd(
    ctx: typer.Context,
    title: str = typer.Argument(..., metavar="TITLE", help="What you promise, in a few words."),
    to: str | None = typer.Option(
        None,
        "--to",
        metavar="PERSON",
        help="The person you promise it to.",
        autocompletion=complete_people,
    ),
    from_: str | None = typer.Option(
        None,
        "--from",
        metavar="PERSON",
        help="The person who promised it to you.",
        autocompletion=complete_people,
    ),
    due: str = typer.Option(
        ..., "--due", "-d", metavar="WHEN", help="When: tomorrow 3pm, fri, eod, in 2 days..."
    ),
    team: str | None = typer.Option(
        None, "--team", metavar="TEAM", help="Their team or department."
    ),
    tag: list[str] = typer.Option([], "--tag", "-t", metavar="TAG", help="A tag; repeat for more."),
    past: bool = typer.Option(False, "--past", help="Allow a deadline already in the past."),
    every: str | None = typer.Option(
        None,
        "--every",
        metavar="RULE",
        help="Repeat: week on fri, month on last workday, 2 weeks, RRULE...",
    ),
    json_: bool = typer.Option(False, "--json", help=JSON_HELP),
    effort: str | None = typer.Option(None, "--effort", metavar="DURATION", help=EFFORT_HELP),
    quiet: bool = typer.Option(False, "--quiet", "-q", help=QUIET_HELP),
) -> None:
    """Log a promise: what, to whom (or from whom), by when.

    When your promises due by then (their --effort) and booked help slots need more than the
    working time left, or the day has more than `max_due_per_day` promises due, a one-line
    heads-up names the figures and the next lighter day (--quiet: none).

    Examples:

        pk add "Send Q3 headcount numbers" --to Dana --team Finance --due "fri 3pm"

        pk add "Budget draft" --to Dana --due fri --effort 3h

        pk add "Updated floor plan" --from Sam --due tomorrow   # Sam owes you

        pk add "Time cards to payroll" --to Payroll --due "fri 12:00" --every "week on fri"

    A title that starts with "-" goes after `--`: pk add --to Dana --due fri -- "-5% forecast"
    """
    log_promise(
        state(ctx),
        title,
        to=to,
        from_=from_,
        due=due,
        team=team,
        tags=tag,
        past=past,
        every=every,
        json_=json_,
        effort=effort,
        quiet=quiet,
    )


TABLE_HELP = "Print the table even when stdout is not a terminal (a pipe or a file)."


@app.command("list")
def list_cmd(
    ctx: typer.Context,
    to: list[str] = typer.Option(
        [],
        "--to",
        metavar="PERSON",
        help="Only what you promised this person; repeat for either.",
        autocompletion=complete_people,
    ),
    from_: list[str] = typer.Option(
        [],
        "--from",
        metavar="PERSON",
        help="Only what this person owes you; repeat for either.",
        autocompletion=complete_people,
    ),
    person: list[str] = typer.Option(
        [],
        "--person",
        "-p",
        metavar="PERSON",
        help="Promises to and from this person; repeat for either.",
        autocompletion=complete_people,
    ),
    team: list[str] = typer.Option(
        [], "--team", metavar="TEAM", help="Only this team; repeat for either."
    ),
    tag: list[str] = typer.Option(
        [], "--tag", "-t", metavar="TAG", help="Only promises with this tag; repeat for either."
    ),
    overdue: bool = typer.Option(False, "--overdue", help="Only late promises."),
    due_by: str | None = typer.Option(
        None,
        "--due-by",
        metavar="WHEN",
        help="Only promises due by WHEN, inclusive; a day without a time means all of that day "
        "(fri, tomorrow 3pm, 2026-12-01).",
    ),
    due_before: str | None = typer.Option(
        None,
        "--due-before",
        metavar="WHEN",
        help="Only promises due strictly before WHEN (fri: Friday at the end of the working "
        "day, so a deadline at exactly that time is left out; --due-by keeps it).",
    ),
    sort: SortKey = typer.Option(
        "due",
        "--sort",
        help="Order by due (soonest first), created (oldest first) or person (A to Z).",
    ),
    limit: int | None = typer.Option(
        None, "--limit", "-n", metavar="N", min=1, help="Show at most N promises."
    ),
    all_: bool = typer.Option(False, "--all", "-a", help="Include done and dropped promises."),
    json_: bool = typer.Option(False, "--json", help=JSON_HELP),
    plain: bool = typer.Option(False, "--plain", help=PLAIN_HELP),
    table: bool = typer.Option(False, "--table", help=TABLE_HELP),
) -> None:
    """List promises, soonest deadline first (open ones unless --all).

    Filters of different kinds must all match; a filter repeated means either (`--tag a --tag b`:
    tagged a or b). --to, --from and --person count as one kind: `--to Dana --from Sam` shows
    both. At a terminal this is a table; into a pipe or a file it is one line per promise
    (like --plain), so `pk list | grep expense` keeps the id. --table keeps the table.

    Examples:

        pk list --person Dana

        pk list --team Finance --due-by fri --json | jq '.[].title'

        pk list --tag payroll --tag audit --sort person --limit 10
    """
    st = state(ctx)
    fmt = listing_format(json_, plain, table)
    flt = ledger.Filter(
        to=tuple(to),
        from_=tuple(from_),
        person=tuple(person),
        team=tuple(team),
        tag=tuple(tag),
        overdue=overdue,
        due_before=parse_when(due_before, st.now, st.settings) if due_before else None,
        due_by=ledger.parse_due_by(due_by, st.now, st.settings) if due_by else None,
        include_closed=all_,
        sort=sort,
        limit=limit,
    )
    show_list(st, flt, fmt)


@app.command("overdue")
def overdue_cmd(
    ctx: typer.Context,
    json_: bool = typer.Option(False, "--json", help=JSON_HELP),
    plain: bool = typer.Option(False, "--plain", help=PLAIN_HELP),
    table: bool = typer.Option(False, "--table", help=TABLE_HELP),
) -> None:
    """What is late, and by how much — yours and what others owe you.

    At a terminal this is a table; into a pipe or a file, one line per promise (like --plain).

    Example:

        pk overdue --plain
    """
    show_overdue(state(ctx), listing_format(json_, plain, table))


@app.command("show")
def show_cmd(
    ctx: typer.Context,
    pid: int = typer.Argument(..., metavar="ID", help=ID_HELP, autocompletion=complete_any_ids),
    json_: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Show one promise with its whole history.

    Example:

        pk show 3
    """
    from .report_cmds import series_line

    st = state(ctx)
    view = st.store().read()
    promise = view.promise(check_id(pid))
    if json_:
        dump_json(promise_json(promise, st.now))
        return
    series = series_line(st, view, promise)  # before printing: it may find a damaged record
    from ..views.render import promise_detail

    for block in promise_detail(promise, st.now, st.tz):
        st.out.print(block)
    if series is not None:
        st.out.print(series, soft_wrap=True)


@app.command("search")
def search_cmd(
    ctx: typer.Context,
    words: list[str] = typer.Argument(
        ..., metavar="WORDS...", help="Words to find, no quotes needed; all must match."
    ),
    json_: bool = typer.Option(False, "--json", help=JSON_HELP),
    plain: bool = typer.Option(False, "--plain", help=PLAIN_HELP),
) -> None:
    """Search titles, people, teams, tags, notes and reasons (open and closed).

    Every word must match, anywhere; a word written #tag matches that tag exactly (quote it
    in the shell: a bare # starts a comment).

    Examples:

        pk search headcount Dana

        pk search '#payroll' march
    """
    st = state(ctx)
    query = " ".join(words)
    found = ledger.search(st.store().read().promises(archived=True), query)
    print_promises(
        lambda: st.out,
        found,
        st.now,
        st.tz,
        title=f"Matching {quoted(safe(query))}",
        empty=f"Nothing matches {quoted(safe(query))}.",
        fmt=output_format(json_, plain),
    )
