"""The standup and the statistics in words: Rich, plain (mail-safe), Markdown (chat) and JSON.

Takes the plain data from `report` and decides nothing about what to show. Stored text goes
through `safe()` (and, for Markdown, is escaped) so it cannot steer a terminal or a chat. Rich
(and `render`, built on it) loads only for the Rich format: `pk standup` into a mail or a pipe
prints plain text, and Rich costs more at start-up than the rest of the command.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, time, tzinfo
from typing import TYPE_CHECKING, Any

from ..core.report import Counts, Entry, Section, Standup, Stats, Week, group_entries
from ..dates import format_local, relative, span
from .contract import dump_json, standup_json, stats_json
from .lines import plural, safe

if TYPE_CHECKING:
    from rich.console import Console, Group

    from .render import Fallback

STANDUP_FORMATS = ("rich", "plain", "markdown", "json")
SPARKS = "▁▂▃▄▅▆▇█"
_MARKDOWN_SPECIAL = r"([\\`*_\[\]<>#|~])"  # compiled on first use: only Markdown needs it


# --- standup ------------------------------------------------------------------------------------


def print_standup(
    console: Callable[[], Console], report: Standup, tz: tzinfo, fmt: str, by: str | None = None
) -> None:
    """`console` is called only for the Rich format; the others are written to stdout."""
    if fmt == "json":
        dump_json(standup_json(report))
    elif fmt == "rich":
        console().print(standup_rich(report, tz, by))
    else:
        text = (
            standup_markdown(report, tz, by) if fmt == "markdown" else standup_plain(report, tz, by)
        )
        sys.stdout.write(text)


def standup_heading(report: Standup, tz: tzinfo) -> str:
    now = report.now
    return (
        f"Standup {format_local(now, tz, year=True)[:-6]}, since "
        f"{format_local(report.since, tz, now=now)}"
    )


def entry_text(entry: Entry, section: str, tz: tzinfo, now: datetime) -> str:
    """The status part of a line: when, and how it stands."""
    if entry.kind == "request":
        end = f"–{entry.end.astimezone(tz):%H:%M}" if entry.end else ""
        return f"{entry.at.astimezone(tz):%H:%M}{end}"
    due = format_local(entry.due or entry.at, tz, now=now)
    if section == "done":
        verb = "kept" if entry.direction == "to" else "delivered"
        kept = "on time" if entry.on_time else f"{span(entry.late_seconds)} late"
        return f"{verb} {kept} ({format_local(entry.at, tz, now=now)})"
    moved = f", moved {entry.renegotiations}×" if entry.renegotiations else ""
    return f"due {due} — {relative(entry.due or entry.at, now)}{moved}"


def _who(entry: Entry) -> str:
    if entry.kind == "request":
        return f"help {safe(entry.person)}"
    return f"{'→' if entry.direction == 'to' else '←'} {safe(entry.person)}"


def standup_plain(report: Standup, tz: tzinfo, by: str | None = None) -> str:
    """No colour, no box characters; stable for mail and login messages."""
    lines = [standup_heading(report, tz)]
    if report.empty:
        lines += ["", "Nothing to report: nothing done, due or waiting."]
    for section in report.sections:
        lines += ["", section.title]
        for group, entries in group_entries(section.entries, by):
            indent = "  "
            if by is not None:
                lines.append(f"  {safe(group) if group else 'no ' + by}")
                indent = "    "
            for e in entries:
                team = f" [{safe(e.team)}]" if e.team and by != "team" else ""
                lines.append(
                    f"{indent}{_ref(e)}  {safe(e.title)}  {_who(e)}{team}  "
                    f"{entry_text(e, section.key, tz, report.now)}"
                )
    return "\n".join(lines) + "\n"


def standup_markdown(report: Standup, tz: tzinfo, by: str | None = None) -> str:
    """Headings and bullet lists that paste cleanly into chat tools."""
    lines = [f"## {standup_heading(report, tz)}"]
    if report.empty:
        lines += ["", "Nothing to report: nothing done, due or waiting."]
    for section in report.sections:
        lines += ["", f"### {section.title}"]
        for group, entries in group_entries(section.entries, by):
            indent = ""
            if by is not None:
                lines.append(f"- **{_md(group) if group else 'no ' + by}**")
                indent = "  "
            for e in entries:
                team = f" ({_md(e.team)})" if e.team and by != "team" else ""
                lines.append(
                    f"{indent}- {_ref(e)} {_md(e.title)} {_md_who(e)}{team} — "
                    f"{entry_text(e, section.key, tz, report.now)}"
                )
    return "\n".join(lines) + "\n"


def standup_rich(report: Standup, tz: tzinfo, by: str | None = None) -> Group:
    """Tables where they fit; stacked lines, id and when first, where any would squeeze."""
    from rich.console import Group
    from rich.text import Text

    from .render import Fallback

    parts: list[Any] = [Text(standup_heading(report, tz), style="bold")]
    if report.empty:
        parts.append(Text("Nothing to report: nothing done, due or waiting."))
    sections = [_section_table(section, tz, report.now, by) for section in report.sections]
    if sections:
        need = max(s.need for s in sections)
        wide = Group(*(s.wide for s in sections))
        parts.append(Fallback(wide, Group(*(s.narrow for s in sections)), need))
    return Group(*parts)


_SECTION_STYLE = {
    "done": "green",
    "due_soon": "bold yellow",
    "overdue": "red",
    "due_today": "yellow",
    "waiting": "cyan",
}


def _section_table(section: Section, tz: tzinfo, now: datetime, by: str | None) -> Fallback:
    """A table; stacked lines (id and when first) where the table would squeeze a column."""
    from rich.cells import cell_len
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    from .render import Fallback, Stacked, StackedRow, table_need

    table = Table(
        title=section.title, title_justify="left", title_style="bold", pad_edge=False, expand=False
    )
    table.add_column("id", justify="right", no_wrap=True)
    table.add_column("what", overflow="fold", ratio=1)
    table.add_column("who", no_wrap=True)
    table.add_column("team", overflow="fold")
    table.add_column("when", no_wrap=True)
    widths = [len(h) for h in ("id", "what", "who", "team", "when")]
    narrow: list[Any] = [Text(""), Text(section.title, style="bold")]
    for group, entries in group_entries(section.entries, by):
        rows: list[StackedRow] = []
        if by is not None:
            heading = safe(group) if group else f"no {by}"
            table.add_row("", Text(heading, style="bold"), "", "", "")
            narrow.append(Text(heading, style="bold"))
        for e in entries:
            style = _SECTION_STYLE.get(section.key, "")
            if section.key == "done" and not e.on_time:
                style = "yellow"
            if section.key == "waiting" and e.late_seconds:
                style = "red"
            cells = [
                _ref(e),
                safe(e.title),
                _who(e),
                safe(e.team or ""),
                entry_text(e, section.key, tz, now),
            ]
            widths = [max(w, cell_len(c)) for w, c in zip(widths, cells, strict=True)]
            table.add_row(*(Text(c) for c in cells[:4]), Text(cells[4], style=style))
            team = f" [{cells[3]}]" if cells[3] else ""
            # The state and its date are separate units, so a fold never splits the date.
            head, joiner = cells[4].split(" — "), " — "
            if section.key == "done":
                head, joiner = cells[4].split(" (", 1), " ("
            rows.append(StackedRow(cells[0], head, [cells[1], cells[2] + team], style, joiner))
        narrow.append(Stacked(rows))
    return Fallback(table, Group(*narrow), table_need(widths, flexible=1))


def _ref(entry: Entry) -> str:
    return f"#{entry.id}" if entry.kind == "promise" else f"request #{entry.id}"


def _md(text: str) -> str:
    return re.sub(_MARKDOWN_SPECIAL, r"\\\1", safe(text))


def _md_who(entry: Entry) -> str:
    if entry.kind == "request":
        return f"help {_md(entry.person)}"
    return f"{'→' if entry.direction == 'to' else '←'} {_md(entry.person)}"


# --- statistics ---------------------------------------------------------------------------------

STATS_COLUMNS = ("due", "on time", "late", "dropped", "overdue", "moved", "rate")


def print_stats(console: Callable[[], Console], result: Stats, fmt: str) -> None:
    """`console` is called only for the Rich format; the others are written to stdout."""
    if fmt == "json":
        dump_json(stats_json(result))
    elif fmt == "plain":
        sys.stdout.write(stats_plain(result))
    else:
        out = console()
        for block in stats_rich(result):
            out.print(block)


def _row(counts: Counts) -> list[str]:
    moved = f"{counts.renegotiated} ({counts.moves}×)" if counts.renegotiated else "0"
    return [
        str(counts.due),
        str(counts.kept_on_time),
        str(counts.kept_late),
        str(counts.dropped),
        str(counts.overdue),
        moved,
        _rate(counts.on_time_rate),
    ]


def _rate(rate: float | None) -> str:
    return "—" if rate is None else f"{round(rate * 100)}%"


def bar(rate: float | None, width: int = 8, *, full: str = "█", empty: str = "░") -> str:
    """A horizontal bar of the on-time rate; blank when nothing was due."""
    if rate is None:
        return " " * width
    filled = round(rate * width)
    return full * filled + empty * (width - filled)


def sparkline(rates: Sequence[float | None]) -> str:
    """One character per week, low to high; `·` for a week with nothing due."""
    return "".join(
        "·" if r is None else SPARKS[min(len(SPARKS) - 1, int(r * (len(SPARKS) - 1) + 0.5))]
        for r in rates
    )


def _slip_line(counts: Counts) -> str:
    if not counts.slips:
        return "Slip: none — everything settled was on time."
    return (
        f"Slip (kept late or still overdue): median {span(counts.median_slip or 0)}, "
        f"worst {span(counts.worst_slip or 0)}."
    )


def _title(result: Stats) -> str:
    whose = "Promises you made" if result.direction == "to" else "Promises made to you"
    weeks = "week" if len(result.weeks) == 1 else plural(len(result.weeks), "week")
    return f"{whose}, last {weeks} (by final deadline)"


def stats_rich(result: Stats) -> list[Any]:
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    from .render import Fallback, Stacked, StackedRow, table_need

    table = Table(title=_title(result), title_justify="left", pad_edge=False)
    table.add_column("week of", no_wrap=True)
    for name in STATS_COLUMNS:
        table.add_column(name, justify="right", no_wrap=True)
    table.add_column("trend", no_wrap=True)
    for week in result.weeks:
        table.add_row(
            Text(week_label(week)),
            *(Text(cell) for cell in _row(week.counts)),
            Text(bar(week.counts.on_time_rate), style="green"),
        )
    table.add_section()
    table.add_row(
        Text("total", style="bold"),
        *(Text(cell, style="bold") for cell in _row(result.total)),
        Text(bar(result.total.on_time_rate), style="green"),
    )
    weeks = [(week_label(w), w.counts) for w in result.weeks] + [("total", result.total)]
    widths = [max(len(label) for label, _ in weeks), *_widths(c for _, c in weeks), 8]
    narrow = Group(
        Text(_title(result), style="bold"),
        Stacked([StackedRow(label, _units(counts), [], joiner=" · ") for label, counts in weeks]),
    )
    blocks: list[Any] = [Fallback(table, narrow, table_need(widths))]
    blocks.append(Text(_slip_line(result.total)))
    blocks.append(Text(f"On time, week by week: {sparkline(_rates(result))}"))
    if result.by:
        groups = Table(title=f"By {result.by}", title_justify="left", pad_edge=False)
        groups.add_column(result.by)
        for name in STATS_COLUMNS:
            groups.add_column(name, justify="right", no_wrap=True)
        groups.add_column("weeks", no_wrap=True)
        names = []
        for name, counts, weekly in result.groups:
            names.append((safe(name) if name else f"(no {result.by})", counts))
            groups.add_row(
                Text(names[-1][0]),
                *(Text(cell) for cell in _row(counts)),
                Text(sparkline([w.on_time_rate for w in weekly])),
            )
        widths = [max(len(n) for n, _ in names), *_widths(c for _, c in names), len(result.weeks)]
        narrow = Group(
            Text(f"By {result.by}", style="bold"),
            Stacked([StackedRow("", [n], [_units(c)]) for n, c in names]),
        )
        blocks.append(Fallback(groups, narrow, table_need(widths)))
    return blocks


def _widths(counts: Iterable[Counts]) -> list[int]:
    """The widest cell of each statistics column, its header included."""
    rows = [list(STATS_COLUMNS), *(_row(c) for c in counts)]
    return [max(len(row[i]) for row in rows) for i in range(len(STATS_COLUMNS))]


def _units(counts: Counts) -> list[str]:
    """`3 due · 2 on time · …`: the narrow form of a statistics row, one unit per column."""
    cells = _row(counts)
    return [f"{c} {n}" for c, n in zip(cells[:-1], STATS_COLUMNS[:-1], strict=True)] + [
        f"rate {cells[-1]}"
    ]


def stats_plain(result: Stats) -> str:
    """Fixed-width columns, `#` bars: no colour, no box characters."""
    header = ["week of", *STATS_COLUMNS, "trend"]
    rows = [
        [week_label(w), *_row(w.counts), bar(w.counts.on_time_rate, full="#", empty=".")]
        for w in result.weeks
    ]
    rows.append(["total", *_row(result.total), bar(result.total.on_time_rate, full="#", empty=".")])
    table = _columns([header, *rows], frozenset({0, len(header) - 1}))
    lines = [_title(result), "", *table, "", _slip_line(result.total)]
    if result.by:
        group_rows = [
            [safe(name) if name else f"(no {result.by})", *_row(counts)]
            for name, counts, _ in result.groups
        ]
        lines += ["", f"By {result.by}", "", *_columns([[result.by, *STATS_COLUMNS], *group_rows])]
    return "\n".join(line.rstrip() for line in lines) + "\n"


def _columns(rows: list[list[str]], left: frozenset[int] = frozenset({0})) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(
            cell.ljust(widths[i]) if i in left else cell.rjust(widths[i])
            for i, cell in enumerate(row)
        )
        for row in rows
    ]


def week_label(week: Week) -> str:
    """`16 Nov` — the Monday; English names whatever the locale, like `dates.format_local`."""
    return format_local(datetime.combine(week.start, time(12), UTC), UTC)[4:-6]


def _rates(result: Stats) -> list[float | None]:
    return [w.counts.on_time_rate for w in result.weeks]
