"""`pk people` in words: a table (or plain lines) of relationships, and one relationship in detail.

Stored names and titles go through `render.safe()`; the JSON shapes are in `contract.py`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, tzinfo
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..core.people import Person, Relationship, Side
from ..dates import format_local
from .contract import dump_json, people_json, relationship_json
from .lines import safe
from .listing import print_promises

# "kept" is kept on time, "slipped" kept late (the words of `pk stats`' slip line).
COLUMNS = ("open", "late", "kept", "slipped", "dropped", "rate", "moved", "nudged")


def _rate(side: Side) -> str:
    rate = side.counts.on_time_rate
    return "—" if rate is None else f"{round(rate * 100)}%"


def side_cells(side: Side) -> list[str]:
    counts = side.counts
    return [
        str(side.open),
        str(side.overdue),
        str(counts.kept_on_time),
        str(counts.kept_late),
        str(counts.dropped),
        _rate(side),
        str(side.renegotiations),
        str(side.nudges),
    ]


def _name(row: Person, by: str) -> str:
    return safe(row.name) if row.name else f"(no {by})"


def _thanked(row: Person, tz: tzinfo, now: datetime) -> str:
    return format_local(row.last_thanked, tz, now=now) if row.last_thanked else "—"


def window_words(since: datetime, tz: tzinfo, now: datetime) -> str:
    return f"since {format_local(since, tz, now=now)[:-6]}"


def print_people(
    console: Console,
    rows: Sequence[Person],
    *,
    by: str,
    since: datetime,
    now: datetime,
    tz: tzinfo,
    fmt: str,
) -> None:
    """The table (or plain lines, or JSON) of everyone you deal with."""
    if fmt == "json":
        dump_json(people_json(rows, by, since, now), console.file)
        return
    if not rows:
        console.print(Text('No one yet. Log a promise with: pk add "what" --to PERSON --due fri'))
        return
    window = window_words(since, tz, now)
    if fmt == "plain":
        console.file.write(people_plain(rows, by, window, tz, now))
        return
    table = Table(
        title=f"People, {window}",
        caption=(
            "→ what you promised them, ← what they promised you; kept, slipped, dropped and "
            "rate count promises due in the window, moved and nudged what happened in it"
        ),
        title_justify="left",
        caption_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        collapse_padding=True,
    )
    # Names never fold or vanish on a narrow terminal; the number columns give way first.
    table.add_column(by, no_wrap=True, min_width=max(len(by), *(len(_name(r, by)) for r in rows)))
    if by == "person":
        table.add_column("team", no_wrap=True)
    table.add_column("", no_wrap=True)
    for name in COLUMNS:
        table.add_column(name, justify="right", no_wrap=True)
    table.add_column("thanked", no_wrap=True)
    for row in rows:
        lead = [Text(_name(row, by))] + ([Text(safe(row.team or ""))] if by == "person" else [])
        blank = [Text("")] * len(lead)
        table.add_row(
            *lead,
            Text("→"),
            *(_cell(c, i, row.to) for i, c in enumerate(side_cells(row.to))),
            Text(_thanked(row, tz, now)),
        )
        table.add_row(
            *blank,
            Text("←"),
            *(_cell(c, i, row.from_) for i, c in enumerate(side_cells(row.from_))),
            Text(""),
            end_section=True,
        )
    console.print(table)


def _cell(text: str, column: int, side: Side) -> Text:
    late = COLUMNS[column] == "late" and side.overdue
    return Text(text, style="red" if late else "")


def people_plain(rows: Sequence[Person], by: str, window: str, tz: tzinfo, now: datetime) -> str:
    """One line per person and direction; no colour, no box characters."""
    lines = [f"People ({window})"]
    for row in rows:
        team = f" [{safe(row.team)}]" if by == "person" and row.team else ""
        lines += [
            "",
            f"{_name(row, by)}{team}  last thanked: {_thanked(row, tz, now)}",
            f"  you owe:  {side_words(row.to)}",
            f"  they owe: {side_words(row.from_)}",
        ]
    return "\n".join(lines) + "\n"


def side_words(side: Side) -> str:
    """`2 open (1 late); kept 3 on time, 1 late, 0 dropped — 75% on time; moved 1×; nudged 0×`"""
    counts = side.counts
    late = f" ({side.overdue} late)" if side.overdue else ""
    rate = "" if counts.on_time_rate is None else f" — {_rate(side)} on time"
    return (
        f"{side.open} open{late}; kept {counts.kept_on_time} on time, {counts.kept_late} late, "
        f"{counts.dropped} dropped{rate}; moved {side.renegotiations}×; nudged {side.nudges}×"
    )


def print_relationship(
    console: Console,
    found: Relationship,
    *,
    since: datetime,
    now: datetime,
    tz: tzinfo,
    fmt: str,
) -> None:
    """`pk people NAME`: the summary, then open both ways, then what was settled, then thanks."""
    if fmt == "json":
        dump_json(relationship_json(found, since, now), console.file)
        return
    row = found.person
    team = f" [{safe(row.team)}]" if row.team else ""
    window = window_words(since, tz, now)
    lines = [
        f"{safe(row.name or '')}{team}",
        f"  you owe:  {side_words(row.to)}",
        f"  they owe: {side_words(row.from_)}",
        f"  ({window}; thanked {row.thanks}×, last {_thanked(row, tz, now)})",
    ]
    console.print(Text("\n".join(lines)), soft_wrap=True)
    list_fmt = "plain" if fmt == "plain" else "table"
    blocks: list[tuple[str, Sequence[Any], str]] = [
        ("Open, both ways", found.open, "Nothing open either way."),
        (f"Settled {window}", found.settled, f"Nothing settled {window}."),
        ("Thanked", found.thanked, "No thank-yous recorded yet."),
    ]
    for title, promises, empty in blocks:
        console.print(Text(""))
        if list_fmt == "plain" and promises:
            console.print(Text(title))
        print_promises(console, promises, now, tz, title=title, empty=empty, fmt=list_fmt)
