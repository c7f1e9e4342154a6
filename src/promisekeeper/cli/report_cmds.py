"""Commands for looking back and sharing: standup, stats, thank, thanks, export, import. Each
parses its options, calls `report` / `thanks` / `exporting` / `ical`, and
prints through `render_report`."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path

import typer
from rich.text import Text

from ..dates import describe_due, format_local, parse_since
from ..errors import BadInput, StoreError
from ..model import Promise
from ..storage.store import PROMISES, REQUESTS, View, atomic_write
from ..views.contract import dump_json, promise_json
from ..views.messages import quoted
from ..views.render import plural, print_promises, safe
from .common import JSON_HELP, PLAIN_HELP, State, check_id, hint, output_format, say, state
from .complete import complete_choices
from .core import app


def _unreadable_series(closed: Promise, st: State) -> str | None:
    from ..core.series import unreadable  # repeating promises only: the rules load dateutil

    return unreadable(closed.series or {}, st.settings)


def after_close(st: State, closed: Promise, following: Promise | None) -> None:
    """Talk after `pk done` / `pk drop` (stderr): the next occurrence of a series, and a nudge to
    thank whoever delivered what they owed."""
    if following is not None:
        rule = safe(str((following.series or {}).get("rule", "")))
        hint(
            st,
            f"Next: #{following.id} {quoted(safe(following.title))} "
            f"{describe_due(following.due, st.now, st.tz)} (repeats {rule})",
        )
    elif closed.series and closed.series.get("stopped"):
        hint(st, f"The series {quoted(safe(str(closed.series.get('rule'))))} is stopped.")
    elif closed.series and (damaged := _unreadable_series(closed, st)):
        st.err.print(
            Text(
                f"pk: warning: #{closed.id} was {closed.status}, but its stored series {damaged} "
                f"{safe(str(closed.series.get(damaged)))!r} is unreadable, so no next occurrence "
                "was scheduled; add the next one with `pk add ... --every`, and run `pk doctor` "
                "to check the rest of the store"
            ),
            soft_wrap=True,
        )
    if closed.status == "done" and closed.waiting_on and closed.thanked_at is None:
        hint(
            st,
            f"{safe(closed.person)} delivered — say thank you: pk thank {closed.id} "
            '--note "what it made possible"',
        )


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
    from ..core import report
    from ..views.report import STANDUP_FORMATS, print_standup

    st = state(ctx)
    chosen = "json" if json_ else (fmt or ("rich" if st.out.is_terminal else "plain")).lower()
    if chosen not in STANDUP_FORMATS:
        raise BadInput(f"unknown format {fmt!r}; choose one of {', '.join(STANDUP_FORMATS)}")
    if by not in (None, "team"):
        raise BadInput(f"standup can be grouped --by team, not {by!r}")
    view = st.store().read()
    cut = parse_since(since, st.now, st.settings) if since else None
    result = report.standup(view.promises(), view.records(REQUESTS), st.now, st.settings, cut)
    print_standup(st.out, result, st.tz, chosen, by)


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
    print_stats(st.out, result, "rich" if fmt == "table" else fmt)


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
        st.out,
        pending,
        st.now,
        st.tz,
        title="Not yet thanked",
        empty="Everyone who delivered has been thanked.",
        fmt=output_format(json_, plain),
    )
    if pending and not json_:
        hint(st, f'Say thank you: pk thank {pending[0].id} --note "what it made possible"')


class ExportFormat(StrEnum):
    """`pk export --format`: Typer makes the choice (and its error message) from this."""

    json = "json"
    csv = "csv"
    ics = "ics"
    vdir = "vdir"


@app.command("export")
def export_cmd(
    ctx: typer.Context,
    fmt: ExportFormat = typer.Option(
        ExportFormat.json,
        "--format",
        "-f",
        case_sensitive=False,
        help="json (lossless), csv, ics (one iCalendar file) or vdir (a folder, one .ics each).",
    ),
    directory: Path | None = typer.Argument(
        None, metavar="[DIR]", help="The folder for --format vdir (created if missing)."
    ),
    output: Path | None = typer.Option(
        None, "--output", "-o", help="Write to FILE instead of stdout.", metavar="FILE"
    ),
) -> None:
    """Export every promise (and booked help slot) as JSON, CSV or iCalendar.

    JSON keeps everything (ids, history) and is what `pk import` reads. ICS (RFC 5545) holds a
    to-do per promise (deadline, status, a reminder before the deadline) and an event per help
    slot ever booked; calendar and to-do apps can import it, and two exports with no change in
    between are byte-identical. vdir writes the same items one .ics file each into DIR, the folder
    layout khal, todoman and vdirsyncer read; files of items that no longer exist are removed,
    other files are left alone.

    Examples:

        pk export -o backup.json

        pk export --format ics -o promises.ics

        pk export --format vdir ~/.local/share/pk-vdir/
    """
    st = state(ctx)
    chosen = fmt.value
    if chosen == "vdir":
        export_vdir(st, directory or output)
        return
    if directory is not None:
        raise BadInput(f"a folder is for --format vdir; write {chosen} to a file with -o FILE")
    view = st.store().read()
    if chosen == "ics":
        from ..exchange import ical

        payload = ical.to_ics(view.promises(archived=True), view.records(REQUESTS), st.settings)
    else:
        from ..exchange import exporting

        if chosen == "json":
            text = exporting.export_json(view)
        else:
            text = exporting.export_csv(view.promises(archived=True), st.now)
        payload = text.encode("utf-8")
    if output is None:
        # Bytes, not text: CSV and ICS lines end in CRLF, which a text stream could double.
        stream = getattr(sys.stdout, "buffer", None)
        if stream is None:
            sys.stdout.write(payload.decode("utf-8"))
        else:
            stream.write(payload)
            stream.flush()
        return
    target = output.expanduser().resolve()
    try:
        atomic_write(target, payload, mode=0o600)
    except StoreError as exc:
        # Said again here rather than passed on: the store's message prints the path raw, and a
        # typed path with a newline (or an escape sequence) must stay one inert line.
        why = getattr(exc.__cause__, "strerror", None) or "cannot write it"
        raise StoreError(f"export not written: {why} ({safe(str(target))})") from None
    count = plural(len(view.all_records(PROMISES)), "promise")
    hint(st, f"Exported {count} to {safe(str(output))} ({chosen}).")


def export_vdir(st: State, directory: Path | None) -> None:
    """`pk export --format vdir DIR`: one .ics per item, each written atomically."""
    from ..exchange import ical

    if directory is None:
        raise BadInput("--format vdir writes a folder: pk export --format vdir DIR")
    view = st.store().read()
    target = directory.expanduser()
    promises = view.promises(archived=True)
    report = ical.write_vdir(target, promises, view.records(REQUESTS), st.settings)
    others = f"; {report.foreign} other file(s) left alone" if report.foreign else ""
    hint(
        st,
        f"Exported to {safe(str(directory))} (vdir): {report.written} written, "
        f"{report.unchanged} unchanged, {report.removed} removed{others}.",
    )


IMPORT_SOURCES = ("pk", "taskwarrior", "todo.txt")


@app.command("import")
def import_cmd(
    ctx: typer.Context,
    file: Path = typer.Argument(
        ...,
        metavar="FILE",
        help="A JSON file from `pk export` (or the other tool's file; - reads stdin).",
    ),
    merge: bool = typer.Option(
        False, "--merge", help="Add to a store that has data: new ids, duplicates skipped."
    ),
    json_: bool = typer.Option(False, "--json", help=JSON_HELP),
    source: str = typer.Option(
        "pk",
        "--from",
        metavar="TOOL",
        help="pk (default), taskwarrior (`task export`) or todo.txt.",
    ),
    person: str | None = typer.Option(
        None,
        "--person",
        metavar="NAME",
        help="Who, for items that don't say (taskwarrior, todo.txt).",
    ),
    person_from: str | None = typer.Option(
        None,
        "--person-from",
        metavar="FIELD",
        help="The Taskwarrior field that names the person: a UDA such as person, or project.",
    ),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Show what would be imported and skipped; change nothing."
    ),
) -> None:
    """Restore a JSON export: into an empty store exactly (ids and history kept), or with --merge
    into one that has data (new ids; records already present, by uuid, are skipped).

    Or bring your promises over from Taskwarrior (`task export`: pending, waiting, completed and
    deleted tasks with a due date) or a todo.txt file (`due:` key, `person:` key, `x` done). Each
    becomes a promise with its history (created, done or dropped at the times the tool recorded);
    items imported before are skipped, so running it again is safe. A report says what was
    imported and what was skipped, and why.

    Examples:

        pk import backup.json

        pk import laptop.json --merge

        task export | pk import --from taskwarrior - --person-from project --dry-run

        pk import --from todo.txt ~/todo.txt --person Dana
    """
    st = state(ctx)
    chosen = "todo.txt" if source.lower() in ("todo.txt", "todotxt") else source.lower()
    if chosen not in IMPORT_SOURCES:
        raise BadInput(f"--from {source!r}? choose one of {', '.join(IMPORT_SOURCES)}")
    if chosen != "pk":
        if merge:
            raise BadInput("--merge is for pk's own exports; other tools' items are always added")
        import_other(st, read_input(file), chosen, person, person_from, dry_run, json_)
        return
    if person is not None or person_from is not None or dry_run:
        raise BadInput("--person, --person-from and --dry-run are for --from taskwarrior|todo.txt")
    from ..exchange import exporting

    data = exporting.read_export(read_input(file))
    with st.store().write("import") as tx:
        result = exporting.import_data(tx, data, merge=merge)
    if json_:
        dump_json(
            {
                "promises": result.promises,
                "requests": result.requests,
                "skipped": result.skipped,
                "merged": result.merged,
            }
        )
        return
    skipped = f"; {result.skipped} already here, skipped" if result.skipped else ""
    how = "Merged" if result.merged else "Restored"
    counts = f"{plural(result.promises, 'promise')} and {plural(result.requests, 'request')}"
    say(st, f"{how} {counts}{skipped}.")


def read_input(file: Path) -> str:
    """The file's text, or stdin's for `-`."""
    try:
        if str(file) == "-":
            return sys.stdin.read()
        return file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        why = getattr(exc, "strerror", None) or exc
        raise BadInput(f"cannot read {safe(str(file))}: {why}") from None


def import_other(
    st: State,
    text: str,
    source: str,
    person: str | None,
    person_from: str | None,
    dry_run: bool,
    json_: bool,
) -> None:
    """`pk import --from taskwarrior|todo.txt`: read, plan, create in one transaction, report."""
    from ..core import importing
    from ..views.contract import import_report_json
    from ..views.render import promise_line

    if source == "taskwarrior":
        from ..exchange.taskwarrior import read_taskwarrior

        drafts = read_taskwarrior(
            text, person=person, person_from=person_from, now=st.now, tz=st.tz
        )
    else:
        if person_from is not None:
            raise BadInput("--person-from is for Taskwarrior; todo.txt lines say person:NAME")
        from ..exchange.todotxt import read_todotxt

        drafts = read_todotxt(text, person=person, now=st.now, tz=st.tz, work=st.settings.work)
    if dry_run:
        outcome = importing.run(
            st.store().read(), drafts.drafts, drafts.skipped, source, st.now, dry_run=True
        )
    else:
        with st.store().write("import") as tx:
            outcome = importing.run(tx, drafts.drafts, drafts.skipped, source, st.now)
    if json_:
        dump_json(import_report_json(outcome, st.now))
        return
    verb = "Would import" if dry_run else "Imported"
    count = len(outcome.promises)
    skipped = f", skipped {len(outcome.skipped)}" if outcome.skipped else ""
    say(st, f"{verb} {count} promise{'' if count == 1 else 's'} from {source}{skipped}.")
    for promise in outcome.promises:
        line = promise_line(promise, st.now, st.tz)
        say(st, "  " + (line.replace("#0  ", "", 1) if dry_run else line))
    for what, why in outcome.skipped:
        say(st, f"  skipped {what}: {why}")


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
    return Text(f"series{stopped}: " + (listed or "no other occurrences yet"))
