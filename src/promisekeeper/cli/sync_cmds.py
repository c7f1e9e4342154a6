"""`pk sync`: the same promises on every device, through a CalDAV collection or a vdir folder."""

from __future__ import annotations

import typer

from ..views.contract import dump_json, sync_json
from .common import JSON_HELP, hint, say, state
from .core import app


@app.command("sync")
def sync_cmd(
    ctx: typer.Context,
    dry_run: bool = typer.Option(
        False, "--dry-run", "-n", help="Say what would be sent and applied; change nothing."
    ),
    force: bool = typer.Option(
        False,
        "--force",
        help="Go on when the collection is empty although items were synced there (you "
        "deleted them all on purpose): they are dropped here too.",
    ),
    json_: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Two-way sync with the calendar collection in config.toml [sync].

    Sends local changes, applies remote ones (ticked done on the phone, moved, edited, new
    promises from another device) and says what happened. Open promises and those closed in the
    last `history_days` (30) days are synced, as VTODOs; booked help slots as VEVENTs. Items
    pk did not make are never changed or deleted. The password comes from PK_SYNC_PASSWORD or
    [sync] password_command, and is never printed or stored.

    Examples:

        pk sync                 # two-way: sends, applies, says what happened

        pk sync --dry-run       # what would be sent and applied; nothing changes anywhere

        pk sync --json          # the summary for scripts

        pk sync --force         # the collection is empty on purpose: drop those here too

    Exit codes: 0 synced; 69 server not answering (down, timeout, DNS, TLS, 5xx); 77 wrong
    username or password (401/403) or password_command failed; 66 no such collection (404) or
    folder; 76 the server sent something that is not iCalendar (those items are left alone);
    73 the collection is suddenly empty while items were synced there (nothing was changed;
    `--force` goes on and drops them here);
    75 the store is busy. Nothing is lost on any of them: the next `pk sync` completes the job.
    """
    from ..sync.engine import sync
    from ..sync.remote import open_remote

    st = state(ctx)
    settings = st.settings
    remote = open_remote(settings)
    report = sync(st.store(), remote, settings, st.now, dry_run=dry_run, force=force)
    if json_:
        dump_json(sync_json(report))
        return
    for text in report.warnings:
        hint(st, f"pk: {text}")
    say(st, report.summary() + ("" if not dry_run else " (dry run: nothing changed)"))
