"""Rendering for help-later requests and the `pk slots` view: Rich tables, plain lines and JSON.

Stored text (titles, names, reasons) is wrapped in `Text` and passed through `render.safe()`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta, tzinfo

from rich.cells import cell_len
from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from ..core.helplater import DayPlan, interval, span_words
from ..core.slots import Interval, minutes_words
from ..dates import format_local
from ..storage.store import Record
from .lines import safe
from .messages import quoted
from .render import Fallback, Stacked, StackedRow, table_need

STATUS_STYLE = {"booked": "bold", "done": "green", "expired": "dim", "proposed": "yellow"}


def _clock(slot: Interval, tz: tzinfo) -> str:
    start, end = slot.start.astimezone(tz), slot.end.astimezone(tz)
    # A meeting cut at midnight ends at the end of its day, not at its start.
    finish = "24:00" if end.date() > start.date() and end.time() == time(0) else f"{end:%H:%M}"
    return f"{start:%H:%M}–{finish}"


def _day_title(day: date, now: datetime, tz: tzinfo) -> str:
    label = format_local(datetime.combine(day, datetime.min.time(), tz), tz, now=now)[:-6]
    today = now.astimezone(tz).date()
    if day == today:
        return f"{label} (today)"
    if day == today + timedelta(days=1):
        return f"{label} (tomorrow)"
    return label


def safe_lines(text: str) -> str:
    """`safe()` line by line, so the message keeps its line breaks but nothing else is live."""
    return "\n".join(safe(line) for line in text.split("\n"))


def print_request(console: Console, rid: int, record: Record, tz: tzinfo, now: datetime) -> None:
    """`pk later`: the request and its numbered offers."""
    need = minutes_words(timedelta(minutes=int(record["need_minutes"])))
    team = f" ({safe(record['team'])})" if record.get("team") else ""
    console.print(
        Text(
            f"Request #{rid} for {safe(record['person'])}{team}: "
            f"{quoted(safe(record['title']))}, {need}"
        ),
        soft_wrap=True,
    )
    for number, span in enumerate(record["proposed"], 1):
        console.print(Text(f"  {number}. {span_words(interval(span), tz, now)}"), soft_wrap=True)


def _meeting_cells(meeting: Interval, tz: tzinfo) -> tuple[Text, ...]:
    """A busy row: the meeting's time and summary (from someone else's calendar: inert)."""
    summary = str(getattr(meeting.ref, "summary", "") or "")
    all_day = bool(getattr(meeting.ref, "all_day", False))
    return (
        Text(_clock(meeting, tz)),
        Text(""),
        Text(safe(summary) or "(no title)"),
        Text("busy (all day)" if all_day else "busy", style="dim"),
        Text(""),
    )


def free_text(plan: DayPlan, tz: tzinfo) -> str:
    if not plan.free:
        return "no free time left"
    return ", ".join(_clock(f, tz) for f in plan.free)


def print_plan(
    console: Console,
    plans: Sequence[DayPlan],
    waiting: Sequence[tuple[int, Record, str]],
    tz: tzinfo,
    now: datetime,
    *,
    free_only: bool,
    expired: Sequence[tuple[int, Record, str]] = (),
) -> None:
    """`pk slots`: per day, a table of the booked help slots and the meetings from the user's
    calendars (as busy rows, their summaries inert), and the free time left; then the requests
    waiting for an answer, and apart from them those that expired unanswered."""
    if free_only:
        width = max((len(_day_title(p.day, now, tz)) for p in plans), default=0)
        for p in plans:
            console.print(
                Text(f"{_day_title(p.day, now, tz):<{width}}  {free_text(p, tz)}"), soft_wrap=True
            )
        return
    for p in plans:
        title = _day_title(p.day, now, tz)
        if p.booked or p.meetings:
            table = Table(title=title, title_justify="left", pad_edge=False)
            table.add_column("time", no_wrap=True)
            table.add_column("with", no_wrap=True)
            table.add_column("what", overflow="fold", ratio=1)
            table.add_column("status", no_wrap=True)
            table.add_column("request", justify="right", no_wrap=True)
            widths = [4, 4, 4, 6, 7]
            rows: list[tuple[Interval, tuple[Text, ...], StackedRow]] = []
            for rid, record, slot in p.booked:
                status = record["status"] + (" (forced)" if record.get("forced") else "")
                style = STATUS_STYLE.get(record["status"], "")
                cells = [_clock(slot, tz), safe(record["person"]), safe(record["title"]), status]
                shown = [*cells, f"#{rid}"]
                widths = [max(w, cell_len(c)) for w, c in zip(widths, shown, strict=True)]
                wide = (*(Text(c) for c in cells[:3]), Text(status, style=style), Text(f"#{rid}"))
                body = [cells[2], f"with {cells[1]}"]
                stacked = StackedRow(f"#{rid}", [cells[0], status], body, joiner=" ")
                rows.append((slot, wide, stacked))
            for meeting in p.meetings:
                wide = _meeting_cells(meeting, tz)
                widths = [max(w, cell_len(c.plain)) for w, c in zip(widths, wide, strict=True)]
                stacked = StackedRow("busy", [wide[0].plain], [wide[2].plain], joiner=" ")
                rows.append((meeting, wide, stacked))
            rows.sort(key=lambda row: (row[0].start, row[0].end))
            for _, wide, _ in rows:
                table.add_row(*wide)
            narrow = Group(Text(title, style="bold"), Stacked([row[2] for row in rows]))
            console.print(Fallback(table, narrow, table_need(widths, flexible=2)))
        else:
            console.print(Text(f"{title}: nothing booked"), soft_wrap=True)
        console.print(Text(f"  free: {free_text(p, tz)}", style="dim"), soft_wrap=True)
    for heading, requests in (
        ("Waiting for an answer", waiting),
        ("Expired unanswered (last 7 days): offer new times", expired),
    ):
        if requests:
            console.print(_requests_view(heading, requests, tz, now))


def _requests_view(
    heading: str, requests: Sequence[tuple[int, Record, str]], tz: tzinfo, now: datetime
) -> Fallback:
    """Requests as a table, or stacked records when the terminal is too narrow for one."""
    table = Table(title=heading, title_justify="left", pad_edge=False)
    table.add_column("request", justify="right", no_wrap=True)
    table.add_column("with", no_wrap=True)
    table.add_column("what", overflow="fold", ratio=1)
    table.add_column("offered", no_wrap=True)
    table.add_column("status", no_wrap=True)
    widths = [7, 4, 4, 7, 6]
    rows = []
    for rid, record, status in requests:
        offers = [span_words(interval(s), tz, now) for s in record["proposed"]]
        # One offer a line: a fold inside "Tue 24 Nov 09:00–09:30" would hide the time.
        cells = [f"#{rid}", safe(record["person"]), safe(record["title"]), "\n".join(offers)]
        shown = [*cells[:3], max(offers, key=cell_len, default=""), status]
        widths = [max(w, cell_len(c)) for w, c in zip(widths, shown, strict=True)]
        table.add_row(*(Text(c) for c in cells), Text(status, style=STATUS_STYLE.get(status, "")))
        numbered = [f"{n}. {offer}" for n, offer in enumerate(offers, 1)]
        rows.append(StackedRow(cells[0], [status], [cells[2], f"with {cells[1]}", *numbered]))
    narrow = Group(Text(heading, style="bold"), Stacked(rows))
    return Fallback(table, narrow, table_need(widths, flexible=2))
