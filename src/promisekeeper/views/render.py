"""Rendering: Rich tables, plain text and JSON from plain data. No logic about what to show.

Everything that came from a user or the store is wrapped in `Text` (never parsed as Rich markup)
and passed through `safe()`, so `[blink]` prints literally and an escape sequence written into the
store by an older version or by hand shows as `\\x1b`, never reaching the terminal.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Any

from rich.cells import cell_len, chop_cells, set_cell_size
from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text

from ..dates import format_local, span
from ..model import Promise
from .lines import DEFAULT_SOON, due_style, due_text, plural, safe, who


class PromiseTable:
    """A Rich renderable laid out in one pass: a title, a header, then one line per promise
    (the title column folds onto extra lines when the terminal is narrow).

    Rich's generic `Table` measures and wraps every cell, which costs about as much per row as
    the rest of `pk list` together on a store with a few hundred open promises; a promise list
    has a fixed shape, so it is laid out here directly.

    Nothing is ever cut: when the columns cannot all fit with a readable title column, each
    promise is stacked instead (id and due date, then the title, then who), every part folded
    at word boundaries, so the id and the whole due date stay readable down to 40 columns.
    """

    HEADERS = ("id", "what", "who", "team", "due")
    FLEXIBLE = 1  # the "what" column takes the room that is left
    MIN_WHAT = 20  # narrower than this, a title folds into too many lines: stack instead
    GAP = "  "

    def __init__(self, title: str, rows: list[tuple[list[str], str]]) -> None:
        self.title = title
        self.rows = rows  # (cells, style)

    def __rich_console__(self, console: Console, options: Any) -> Iterator[Segment]:
        widths = [cell_len(h) for h in self.HEADERS]
        for cells, _ in self.rows:
            widths = [max(w, cell_len(c)) for w, c in zip(widths, cells, strict=True)]
        fixed = sum(w for i, w in enumerate(widths) if i != self.FLEXIBLE)
        room = options.max_width - fixed - len(self.GAP) * (len(widths) - 1)
        yield Segment(self.title, Style(bold=True))
        yield Segment.line()
        if room < min(widths[self.FLEXIBLE], self.MIN_WHAT):
            yield from self._stacked(options.max_width)
            return
        widths[self.FLEXIBLE] = min(widths[self.FLEXIBLE], room)
        yield from self._line(list(self.HEADERS), widths, Style(bold=True, underline=True))
        for cells, style in self.rows:
            yield from self._line(cells, widths, Style.parse(style) if style else None)

    def _line(self, cells: list[str], widths: list[int], style: Style | None) -> Iterator[Segment]:
        flexible = wrap_cells(cells[self.FLEXIBLE], widths[self.FLEXIBLE])
        for n, part in enumerate(flexible):
            shown = cells if n == 0 else [""] * len(cells)
            texts = [part if i == self.FLEXIBLE else shown[i] for i in range(len(cells))]
            padded = [
                set_cell_size(t, w).rstrip()
                if i == len(texts) - 1
                else (" " * (w - cell_len(t)) + t if i == 0 else set_cell_size(t, w))
                for i, (t, w) in enumerate(zip(texts, widths, strict=True))
            ]
            yield Segment(self.GAP.join(padded).rstrip(), style)
            yield Segment.line()

    def _stacked(self, width: int) -> Iterator[Segment]:
        """`7  Fri 4 Dec 15:00 — in 11 days`, then the title and who, indented under the date."""
        rows = [
            StackedRow(
                pid, due.split(" — "), [what, f"{person} [{team}]" if team else person], style
            )
            for (pid, what, person, team, due), style in self.rows
        ]
        yield from Stacked(rows).lines(width)


@dataclass(frozen=True)
class StackedRow:
    """One record in a narrow view: its reference, the head units (the due date and its state,
    kept whole and on one line while they fit), then lines of text folded under it."""

    ref: str
    head: Sequence[str]
    body: Sequence[str | Sequence[str]]  # text folds at spaces; a sequence of units folds between
    style: str = ""
    joiner: str = " — "


class Stacked:
    """The narrow form of every view with an id and a date: nothing is cut or squeezed into a
    column of no width; the id and the date lead, the rest folds below them."""

    GAP = "  "

    def __init__(self, rows: Sequence[StackedRow]) -> None:
        self.rows = rows

    def __rich_console__(self, console: Console, options: Any) -> Iterator[Segment]:
        yield from self.lines(options.max_width)

    def lines(self, width: int) -> Iterator[Segment]:
        if not self.rows:
            return
        ref_width = max(cell_len(r.ref) for r in self.rows)
        room = max(1, width - ref_width - len(self.GAP))
        for row in self.rows:
            lines = wrap_units(row.head, room, joiner=row.joiner)
            for text in row.body:
                if isinstance(text, str):
                    lines += wrap_cells(text, room) if text else []
                else:
                    lines += wrap_units(text, room, joiner=" · ")
            style = Style.parse(row.style) if row.style else None
            for n, line in enumerate(lines):
                head = row.ref.rjust(ref_width) if n == 0 else " " * ref_width
                yield Segment(f"{head}{self.GAP}{line}".rstrip(), style)
                yield Segment.line()


class Fallback:
    """`wide` when the console has `need` columns for it, else `narrow`: decided at render time,
    so the same view reads right in a wide terminal, a split pane and a 40-column phone shell."""

    def __init__(self, wide: Any, narrow: Any, need: int) -> None:
        self.wide, self.narrow, self.need = wide, narrow, need

    def __rich_console__(self, console: Console, options: Any) -> Iterator[Any]:
        yield self.wide if options.max_width >= self.need else self.narrow


def table_need(widths: Sequence[int], flexible: int | None = None) -> int:
    """Columns a boxed Rich table (pad_edge=False) needs for cells this wide without folding
    anything but the flexible column, which keeps at least `MIN_FLEXIBLE` cells."""
    cells = list(widths)
    if flexible is not None:
        cells[flexible] = min(cells[flexible], MIN_FLEXIBLE)
    return sum(cells) + 3 * len(cells) - 1


MIN_FLEXIBLE = 20


def wrap_units(units: Sequence[str], width: int, joiner: str = " ") -> list[str]:
    """Join units (a date, a state) on one line while they fit; a unit never splits unless it
    is wider than the whole line by itself."""
    lines: list[str] = []
    for unit in units:
        if lines and cell_len(lines[-1] + joiner + unit) <= width:
            lines[-1] += joiner + unit
        elif cell_len(unit) <= width:
            lines.append(unit)
        else:
            lines += wrap_cells(unit, width)
    return lines


def wrap_cells(text: str, width: int) -> list[str]:
    """Word-wrap to a width in terminal cells (wide characters count double); a word longer
    than the width is cut."""
    lines: list[str] = []
    line = ""
    for word in text.split(" "):
        candidate = f"{line} {word}" if line else word
        if cell_len(candidate) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        while cell_len(word) > width:
            head, *rest = chop_cells(word, width)
            lines.append(head)
            word = "".join(rest)
        line = word
    lines.append(line)
    return lines


def promise_table(
    promises: Sequence[Promise],
    now: datetime,
    tz: tzinfo,
    title: str,
    soon: timedelta = DEFAULT_SOON,
) -> Any:
    rows = []
    for p in promises:
        what = safe(p.title)
        if p.tags:
            what += "  " + " ".join(f"#{safe(t)}" for t in p.tags)
        style = due_style(p, now, tz, soon)
        if not p.is_open:
            style = f"dim {style}".strip()
        cells = [str(p.id), what, who(p), safe(p.team or ""), due_text(p, now, tz, soon)]
        rows.append((cells, style))
    return PromiseTable(title, rows)


def promise_detail(p: Promise, now: datetime, tz: tzinfo) -> list[Any]:
    """`pk show`: the promise, then its whole history."""
    from rich.table import Table  # only `pk show` needs it; `pk list` starts faster without

    head = Table.grid(padding=(0, 2))
    head.add_column(style="bold")
    head.add_column()
    head.add_row("promise", Text(f"#{p.id}  {safe(p.title)}"))
    head.add_row("who", Text(who(p) + ("  (I promised)" if p.direction == "to" else "  (owes me)")))
    if p.team:
        head.add_row("team", Text(safe(p.team)))
    if p.tags:
        head.add_row("tags", Text(" ".join(f"#{safe(t)}" for t in p.tags)))
    head.add_row("status", Text(p.status))
    head.add_row("due", Text(due_text(p, now, tz), style=due_style(p, now, tz)))
    head.add_row("created", Text(format_local(p.created, tz, now=now)))
    if p.renegotiations:
        head.add_row("renegotiated", Text(plural(p.renegotiations, "time")))
    if p.series:
        head.add_row("repeats", Text(safe(str(p.series.get("rule", "")))))
    if p.thanked_at:
        head.add_row("thanked", Text(format_local(p.thanked_at, tz, now=now)))
    history = Table(title="history", title_justify="left", pad_edge=False, show_header=False)
    history.add_column("when", style="dim", no_wrap=True)
    history.add_column("what", overflow="fold")
    for event in p.history:
        history.add_row(
            Text(_event_time(event, tz, now)), Text(describe_event(event, tz, now, promise=p))
        )
    return [head, history]


def _event_time(event: dict[str, Any], tz: tzinfo, now: datetime) -> str:
    try:
        return format_local(datetime.fromisoformat(event["at"]), tz, now=now)
    except (KeyError, TypeError, ValueError):
        return "?"


def _when(value: Any, tz: tzinfo, now: datetime) -> str:
    try:
        return format_local(datetime.fromisoformat(str(value)), tz, now=now)
    except ValueError:
        return safe(str(value))


def describe_event(
    event: dict[str, Any], tz: tzinfo, now: datetime, promise: Promise | None = None
) -> str:
    """History events in words, for people; JSON keeps the raw events. `promise`, the one the
    event belongs to, decides what only it knows (a help slot is on time when done)."""
    kind = event.get("type")
    reason = f" — {safe(str(event['reason']))}" if event.get("reason") else ""
    if kind == "created":
        source = str(event.get("source") or "").split(":", 1)[0]
        imported = f" (imported from {safe(source)})" if source else ""
        return f"promised, due {_when(event.get('due'), tz, now)}{imported}"
    if kind == "nudged":
        return f"nudged (follow-up {safe(str(event.get('number', '?')))})"
    if kind == "moved":
        frm, to = _when(event.get("from"), tz, now), _when(event.get("to"), tz, now)
        return f"deadline moved {frm} → {to}{reason}"
    if kind == "corrected":
        frm, to = _when(event.get("from"), tz, now), _when(event.get("to"), tz, now)
        return f"deadline corrected {frm} → {to} (typed wrong, not a renegotiation)"
    if kind == "note":
        return f"note: {safe(str(event.get('text', '')))}"
    if kind == "done":
        late = int(event.get("late_seconds") or 0)
        # The one rule (`Promise.on_time_at`): late by less than a whole second is on time. An
        # event written by an older pk may say on_time false with 0 late seconds.
        if late == 0 or (promise is not None and promise.request_id is not None):
            return "done, on time"
        return f"done, {span(late)} late"
    if kind == "dropped":
        return f"dropped{reason}"
    if kind == "reopened":
        return f"reopened (was {safe(str(event.get('previous', '?')))})"
    if kind == "edited":
        changes = event.get("changes") or {}
        parts = [
            f"{safe(str(k))}: {safe(str(v.get('from')))} → {safe(str(v.get('to')))}"
            for k, v in changes.items()
            if isinstance(v, dict)
        ]
        return "edited " + "; ".join(parts)
    details = {k: v for k, v in event.items() if k not in ("at", "type")}
    extra = f" {safe(json.dumps(details, ensure_ascii=False))}" if details else ""
    return f"{safe(str(kind))}{extra}"
