"""Commands that move promises in and out of pk: export (JSON, CSV, iCalendar, vdir) and import
(a pk export, Taskwarrior, todo.txt). Each parses its options, calls `exporting` / `ical` /
`importing`, and reports what it wrote or read."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path

import typer

from ..errors import BadInput, StoreError
from ..storage.store import PROMISES, REQUESTS, atomic_write
from ..views.contract import dump_json
from ..views.lines import plural, safe
from .common import JSON_HELP, State, hint, say, state
from .core import app


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
    from ..views.lines import promise_line

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
