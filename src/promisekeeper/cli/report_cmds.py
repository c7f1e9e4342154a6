"""Commands for looking back: standup, stats, thank, thanks; and what `pk show` says about a
repeating promise. Each parses its options, calls `report` / `thanks`, and prints through
`views.report`. Export and import are in `exchange_cmds`."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from ..dates import format_local
from ..errors import BadInput
from ..model import Promise
from ..storage.store import PROMISES, View
from ..views.contract import dump_json, promise_json
from ..views.lines import safe
from ..views.listing import print_promises
from ..views.messages import quoted
from .common import (
    JSON_HELP,
    PLAIN_HELP,
    State,
    check_id,
    hint,
    output_format,
    say,
    state,
)
from .complete import complete_choices
from .core import app
from .lists import show_standup

if TYPE_CHECKING:
    from rich.text import Text


@app.command("standup")
def standup_cmd(
    ctx: typer.Context,
    since: str | None = typer.Option(
        None, "--since", help="Cut-off for Done: yesterday, mon, 2 days ago, 2026-11-20."
    ),
    fmt: str | None = typer.Option(
        None,
        "--format",
        "-f",
        help="rich (default on a terminal), plain (mail), markdown (chat) or json.",
        autocompletion=complete_choices("rich", "plain", "markdown", "json"),
    ),
    by: str | None = typer.Option(
        None, "--by", help="Group each section by: team.", autocompletion=complete_choices("team")
    ),
    json_: bool = typer.Option(False, "--json", help="Same as --format json."),
) -> None:
    """What to say at a standup: done since the previous working day (a Monday covers Friday), due
    soon (within the `soon` setting, 4h by default), due later today, overdue, coming up in the
    next two working days, waiting on others, help slots today.

    Empty sections are left out.

    Examples:

        pk standup

        pk standup --since "2 days ago" --format markdown   # paste into chat

        pk standup --format plain --by team                 # for a cron mail
    """
    show_standup(state(ctx), since=since, fmt=fmt, by=by, json_=json_)


@app.command("stats")
def stats_cmd(
    ctx: typer.Context,
    weeks: int = typer.Option(8, "--weeks", "-w", min=1, max=520, help="How many weeks back."),
    by: str | None = typer.Option(
        None,
        "--by",
        help="Also per person or per team.",
        autocompletion=complete_choices("person", "team"),
    ),
    theirs: bool = typer.Option(
        False, "--theirs", help="Measure what others promised you instead of your promises."
    ),
    json_: bool = typer.Option(False, "--json", help=JSON_HELP),
    plain: bool = typer.Option(False, "--plain", help=PLAIN_HELP),
) -> None:
    """How reliably promises were kept, week by week: due, kept on time, kept late, dropped,
    still overdue, renegotiated; the on-time rate with a trend, and the median and worst slip.

    On-time rate: of the promises whose final deadline fell in the week and that are settled
    (kept, dropped, or still open past the deadline), the share kept by that deadline. Promises not
    yet due are left out. A renegotiated promise counts once, by its final deadline; the "moved"
    column shows how many were renegotiated (and the number of moves). Slip: how late the promises
    kept late or still overdue are.

    On time means done at or before the deadline, to the second. A help slot counts as kept on
    time whenever it is marked done: it was kept at the time agreed (moving it is a renegotiation).
    A deleted promise (`pk delete`) is gone and not counted.

    Examples:

        pk stats

        pk stats --by person --weeks 12
    """
    from ..core import report
    from ..views.report import print_stats

    st = state(ctx)
    if by not in (None, "person", "team"):
        raise BadInput(f"--by person or --by team, not {by!r}")
    result = report.stats(
        st.store().read().promises(archived=True),
        st.now,
        st.tz,
        weeks=weeks,
        by=by,
        direction="from" if theirs else "to",
    )
    fmt = output_format(json_, plain)
    print_stats(lambda: st.out, result, "rich" if fmt == "table" else fmt)


@app.command("thank")
def thank_cmd(
    ctx: typer.Context,
    pid: int = typer.Argument(..., metavar="ID", help="The delivered promise's id."),
    note: str | None = typer.Option(None, "--note", "-n", help="What their help made possible."),
    json_: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Record a thank-you for something a colleague delivered, and draft the message.

    Example:

        pk thank 9 --note "saved my Friday"
    """
    from ..core import thanks

    st = state(ctx)
    check_id(pid)
    with st.store().write("thank") as tx:
        thanked = thanks.thank(tx, pid, note, st.now)
    if json_:
        dump_json(promise_json(thanked, st.now))
        return
    say(st, f"Thanked {safe(thanked.person)} for #{thanked.id} {quoted(safe(thanked.title))}.")
    from ..views.messages import thank_you

    say(st, f'Tell {safe(thanked.person)}: "{safe(thank_you(thanked, st.tz, st.now))}"')


@app.command("thanks")
def thanks_cmd(
    ctx: typer.Context,
    json_: bool = typer.Option(False, "--json", help=JSON_HELP),
    plain: bool = typer.Option(False, "--plain", help=PLAIN_HELP),
) -> None:
    """Deliveries to you not yet acknowledged, oldest first.

    Example:

        pk thanks
    """
    from ..core import thanks

    st = state(ctx)
    pending = thanks.unthanked(st.store().read().promises())
    print_promises(
        lambda: st.out,
        pending,
        st.now,
        st.tz,
        title="Not yet thanked",
        empty="Everyone who delivered has been thanked.",
        fmt=output_format(json_, plain),
    )
    if pending and not json_:
        hint(st, f'Say thank you: pk thank {pending[0].id} --note "what it made possible"')


def series_line(st: State, view: View, promise: Promise) -> Text | None:
    """`pk show`: the other occurrences of a repeating promise, for below its detail.

    Called before anything is printed, and it parses only this series' records: a damaged record
    elsewhere in the store must not cut `pk show` off halfway through its output."""
    if not promise.series:
        return None
    from ..core.series import occurrences_of  # only a repeating promise needs the rules

    series_id = promise.series.get("id")
    same = [
        view.promise(pid)
        for pid, data in view.records(PROMISES)
        if pid != promise.id
        and isinstance(data.get("series"), dict)
        and data["series"].get("id") == series_id
    ]
    others = [p for p in occurrences_of([promise, *same], promise) if p.id != promise.id]
    stopped = " (stopped)" if promise.series.get("stopped") else ""
    listed = ", ".join(
        f"#{p.id} {format_local(p.due, st.tz, now=st.now)} {p.status}" for p in others
    )
    from rich.text import Text  # `pk show` prints its detail through Rich

    return Text(f"series{stopped}: " + (listed or "no other occurrences yet"))
