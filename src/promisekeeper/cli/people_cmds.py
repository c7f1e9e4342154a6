"""Commands about the people promises are made with: people, nudge, capture. Each parses its
options, calls `core.people` / `core.capture`, and prints through `views.people`."""

from __future__ import annotations

import sys

import typer
from rich.text import Text

from ..dates import describe_due, parse_since
from ..errors import BadInput
from ..views.contract import dump_json, promise_json
from ..views.lines import safe
from ..views.messages import quoted
from .common import JSON_HELP, PLAIN_HELP, check_id, hint, output_format, say, state
from .complete import complete_open_ids, complete_people
from .core import app
from .heads_up import QUIET_HELP, heads_up
from .promise_common import echo_saved

DEFAULT_SINCE = "90 days ago"


@app.command("people")
def people_cmd(
    ctx: typer.Context,
    name: str | None = typer.Argument(
        None,
        metavar="[NAME]",
        help="One person: open both ways, kept and late, thanks given.",
        autocompletion=complete_people,
    ),
    by: str = typer.Option("person", "--by", help="One row per person (default) or per team."),
    since: str = typer.Option(
        DEFAULT_SINCE,
        "--since",
        metavar="WHEN",
        help="The window for kept/late/dropped, moves and nudges: 30 days ago, 2026-09-01.",
    ),
    json_: bool = typer.Option(False, "--json", help=JSON_HELP),
    plain: bool = typer.Option(False, "--plain", help=PLAIN_HELP),
) -> None:
    """Everyone you deal with, both ways: what you owe them and what they owe you (open, late),
    how the promises due in the window went (kept on time, kept late, dropped, on-time rate), how
    often deadlines moved, how often you nudged, and when you last said thank you.

    The on-time rate is `pk stats`'s: of the promises whose final deadline fell in the window and
    are settled (kept, dropped or still open past it), the share kept by that deadline. A name
    matches whatever its case.

    Examples:

        pk people

        pk people --by team --since "30 days ago"

        pk people Dana            # one relationship in detail
    """
    from ..core import people
    from ..views.people import print_people, print_relationship

    st = state(ctx)
    if by not in people.GROUPINGS:
        raise BadInput(f"--by person or --by team, not {by!r}")
    if name is not None and by != "person":
        raise BadInput("--by team lists teams; give a NAME without it to see one person")
    fmt = output_format(json_, plain)
    cut = parse_since(since, st.now, st.settings)
    promises = st.store().read().promises()
    if name is None:
        rows = people.people(promises, st.now, cut, by)
        print_people(st.out, rows, by=by, since=cut, now=st.now, tz=st.tz, fmt=fmt)
        return
    found = people.relationship(promises, name, st.now, cut)
    print_relationship(st.out, found, since=cut, now=st.now, tz=st.tz, fmt=fmt)


@app.command("nudge")
def nudge_cmd(
    ctx: typer.Context,
    pid: int = typer.Argument(
        ..., metavar="ID", help="What someone owes you.", autocompletion=complete_open_ids
    ),
    json_: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Follow up, kindly, on something a colleague owes you: drafts a message naming the date
    they gave, and records the nudge (`pk people` counts them).

    Only for what others owe you; your own promises are renegotiated with `pk move`.

    Example:

        pk nudge 9
    """
    from ..core import people
    from ..views import messages

    st = state(ctx)
    with st.store().write("nudge") as tx:
        nudged = people.nudge(tx, check_id(pid), st.now)
    count = people.nudges(nudged)
    draft = messages.nudge(nudged, st.tz, st.now)
    if json_:
        dump_json({**promise_json(nudged, st.now), "nudges": count, "message": draft})
        return
    times = "the first nudge" if count == 1 else f"nudge number {count}"
    say(
        st,
        f"Nudged {safe(nudged.person)} about #{nudged.id} {quoted(safe(nudged.title))} ({times}).",
    )
    say(st, f'Tell {safe(nudged.person)}: "{safe(draft)}"')


def stdin_is_terminal() -> bool:
    """Whether a person can answer a question (a test replaces this)."""
    return sys.stdin.isatty()


@app.command("capture")
def capture_cmd(
    ctx: typer.Context,
    sentence: list[str] = typer.Argument(
        ..., metavar="SENTENCE...", help="The sentence, quoted or as separate words."
    ),
    yes: bool = typer.Option(False, "--yes", "-y", help="Log it without asking (for scripts)."),
    past: bool = typer.Option(False, "--past", help="Allow a deadline already in the past."),
    json_: bool = typer.Option(False, "--json", help=JSON_HELP),
    quiet: bool = typer.Option(False, "--quiet", "-q", help=QUIET_HELP),
) -> None:
    """Log a promise from the sentence you wrote in chat. One person, one deadline after the
    last "by" (read exactly like --due). Shows what it read and asks; --yes logs it without
    asking. A sentence it can't read fully, or with two people or two dates, is refused.

    The four forms:

        I'll / I will VERB … (to|for|with) PERSON … by WHEN      you promise PERSON

        PERSON will VERB … (me) … by WHEN                          PERSON promises you

        I owe PERSON … by WHEN                                     you promise PERSON

        PERSON owes me … by WHEN                                   PERSON promises you

    Examples:

        pk capture "I'll send Dana the Q3 headcount numbers by fri 3pm"

        pk capture "Sam will get me the floor plan by tomorrow"

        pk capture --yes "I owe Lee the budget review by mon"
    """
    from ..core import capture, ledger

    st = state(ctx)
    text = " ".join(sentence)
    read = capture.read_sentence(text, st.now, st.settings, allow_past=past)
    whose = f"promise to {read.person}" if read.direction == "to" else f"{read.person} owes you"
    summary = (
        f"Reads: {safe(whose)}, {quoted(safe(read.title))}, {describe_due(read.due, st.now, st.tz)}"
    )
    if not yes:
        if not stdin_is_terminal():
            raise BadInput(f"{summary} — not logged: add --yes to log it without asking")
        st.err.print(Text(summary), soft_wrap=True)
        if not typer.confirm("Log it?", default=True, err=True):
            hint(st, "Nothing logged.")
            return
    with st.store().write("capture") as tx:
        promise = ledger.add(
            tx,
            title=read.title,
            person=read.person,
            direction=read.direction,
            due=read.due,
            now=st.now,
        )
        warning = None if quiet or read.direction == "from" else heads_up(st, tx, read.due)
    verb = "Promised" if promise.direction == "to" else "Waiting on"
    echo_saved(state(ctx), verb, promise, json_, warning)
