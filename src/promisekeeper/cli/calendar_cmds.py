"""`pk calendar check`: read every busy source once and say what was found, or why not.

The calendars are only ever read: nothing is written to them.
"""

from __future__ import annotations

import typer

from ..dates import format_local
from ..errors import PkError
from ..views.contract import calendar_check_json, dump_json
from ..views.lines import safe
from .common import JSON_HELP, hint, say, state
from .core import PkGroup, app

calendar_app = typer.Typer(
    cls=PkGroup,
    no_args_is_help=True,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
app.add_typer(calendar_app, name="calendar")


@calendar_app.callback()
def calendar_group() -> None:
    """Your calendars: the busy sources in config.toml ([calendar] busy), read only.

    Example:

        pk calendar check
    """


@calendar_app.command("check")
def check_cmd(
    ctx: typer.Context,
    json_: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Read every busy source now (no cached copy), and say what each holds this week or why it
    could not be read. Exits 1 when any source fails.

    Example:

        pk calendar check
    """
    from ..calendar.sources import check_sources

    st = state(ctx)
    reports = check_sources(st.settings, st.now) if st.settings.calendar.busy else []
    if json_:
        dump_json(calendar_check_json(reports))
    elif not reports:
        say(st, "No busy sources configured.")
        hint(
            st,
            'Add them to config.toml: [calendar] busy = ["~/Calendars/work.ics", "https://…"]',
        )
    for report in [] if json_ else reports:
        if report.ok:
            count = report.events_this_week
            say(
                st,
                f"ok      {safe(report.source)}: {report.kind}, "
                f"{count} event{'s' if count != 1 else ''} this week",
            )
            continue
        copy = ""
        if report.from_cache and report.fetched_at is not None:
            copy = f" (pk uses the copy from {format_local(report.fetched_at, st.tz, now=st.now)})"
        say(st, f"failed  {safe(report.source)}: {safe(report.error or 'unreadable')}{copy}")
    failed = sum(1 for r in reports if not r.ok)
    if failed:
        raise PkError(
            f"{failed} of {len(reports)} busy source{'s' if len(reports) != 1 else ''} "
            "could not be read"
        )
