"""Promises as plain text, without Rich: one line per promise, the words of a due date, inert
stored text. `pk list` and `pk overdue` into a pipe (and `--plain`, `--json`) print through here
alone and never import Rich, which costs more at start-up than the rest of the command.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta, tzinfo
from typing import IO, TYPE_CHECKING

from ..core.ledger import is_due_today
from ..dates import span
from ..dates.clock import require_aware
from ..dates.words import local_label, relative_words
from ..model import Promise, inert

if TYPE_CHECKING:
    from rich.console import Console


def safe(text: str) -> str:
    """Make stored text inert: control, bidi and unpaired surrogate characters become escapes."""
    return inert(text)


def make_console(stderr: bool = False, file: IO[str] | None = None) -> Console:
    """A console that honours NO_COLOR (Rich reads it) and never interprets markup or highlights.
    Rich is imported here, not at the top: plain and JSON output never need it."""
    from rich.console import Console

    return Console(
        file=file,
        stderr=stderr,
        highlight=False,
        markup=False,
        emoji=False,
        soft_wrap=False,
        no_color=bool(os.environ.get("NO_COLOR")) or None,
    )


def who(p: Promise) -> str:
    """→ the person I promised; ← the person who promised me."""
    return f"{'→' if p.direction == 'to' else '←'} {safe(p.person)}"


# config's default `soon`: a view given no setting marks what is due within it.
DEFAULT_SOON = timedelta(hours=4)


def is_due_soon(p: Promise, now: datetime, soon: timedelta = DEFAULT_SOON) -> bool:
    """Open, not late yet, and due within the `soon` window: the prompt's "soon"."""
    return p.is_open and now <= p.due < now + soon


def due_style(p: Promise, now: datetime, tz: tzinfo, soon: timedelta = DEFAULT_SOON) -> str:
    if p.is_overdue(now):
        return "red"
    if is_due_soon(p, now, soon):
        return "bold yellow"
    if is_due_today(p, now, tz):
        return "yellow"
    return ""


def due_text(p: Promise, now: datetime, tz: tzinfo, soon: timedelta = DEFAULT_SOON) -> str:
    """`Fri 27 Nov 15:00 — in 3 days · soon`, `... — kept on time`, `... — dropped`: the label in
    `tz`, then the relative words on `now`'s own calendar (`relative` with no zone)."""
    return ListingClock(now, tz, soon).due_text(p)


def promise_line(p: Promise, now: datetime, tz: tzinfo, soon: timedelta = DEFAULT_SOON) -> str:
    """One promise on one line, no colour, no box characters: for mail, grep and cron."""
    return ListingClock(now, tz, soon).line(p)


def promise_lines(
    promises: Iterable[Promise], now: datetime, tz: tzinfo, soon: timedelta = DEFAULT_SOON
) -> list[str]:
    """`promise_line` for every promise of one listing, working `now` out once for all."""
    clock = ListingClock(now, tz, soon)
    return [clock.line(p) for p in promises]


class ListingClock:
    """What every line of one listing shares, worked out once instead of once per line: `now` in
    UTC and on its own wall clock, the year and the end of the `soon` window.

    A listing of 1,000 open promises otherwise converts the same `now` thousands of times; each
    deadline is converted to `tz` once and serves both its label and its relative words, which
    are those of `format_local(due, tz, now=now)` and `relative(due, now)` to the byte
    (tests/test_line_formula.py holds them to that formula).
    """

    __slots__ = ("now", "now_utc", "soon", "soon_end", "tz", "wall_now", "year", "zone")

    def __init__(self, now: datetime, tz: tzinfo, soon: timedelta) -> None:
        require_aware(now, "now")
        self.now = now
        self.tz = tz
        self.soon = soon
        self.year = now.astimezone(tz).year
        # `relative` without a zone counts days on the calendar of `now`'s own zone.
        self.zone = now.tzinfo
        self.wall_now = now.astimezone(self.zone).replace(tzinfo=None)
        # Wall-clock arithmetic in `now`'s zone, as `is_due_soon` does it: 4 hours after 00:30 on
        # the spring-forward night is 04:30, three hours on.
        self.soon_end = (now + soon).astimezone(UTC)
        self.now_utc = now.astimezone(UTC)

    def due_text(self, p: Promise) -> str:
        due = p.due
        if due.tzinfo is not UTC:  # as stored: aware, nothing to check
            require_aware(due, "format_local")
        local = due.astimezone(self.tz)
        when = local_label(local, year=self.year != local.year)
        if p.status == "done" and p.done_at is not None:
            if p.kept_on_time:
                return f"{when} — kept on time"
            return f"{when} — kept {span(p.late_by(self.now).total_seconds())} late"
        if p.status == "dropped":
            return f"{when} — dropped"
        # Subtract in UTC: Python subtracts datetimes sharing a tzinfo on the wall clock.
        seconds = (due.astimezone(UTC) - self.now_utc).total_seconds()
        if abs(seconds) < 60:
            words = "now"  # as `relative` says it, before it converts anything else
        else:
            in_zone = local if self.zone is self.tz else due.astimezone(self.zone)
            words = relative_words(seconds, in_zone.replace(tzinfo=None), self.wall_now)
        # `is_due_soon` (the marker is seen without colour too). A stored deadline is in UTC,
        # where it compares instants, so the ones at hand do; a deadline built in `now`'s own
        # zone compares on the wall clock there (Python's rule for a shared tzinfo).
        if due.tzinfo is UTC:
            soon = p.is_open and self.now_utc <= due < self.soon_end
        else:
            soon = is_due_soon(p, self.now, self.soon)
        return f"{when} — {words} · soon" if soon else f"{when} — {words}"

    def line(self, p: Promise) -> str:
        team = f" [{inert(p.team)}]" if p.team else ""
        tags = "".join([f" #{inert(t)}" for t in p.tags]) if p.tags else ""
        # `safe` and `who` inlined: most stored text is printable, and two calls per field add up
        # over a thousand lines.
        title = p.title if p.title.isprintable() else inert(p.title)
        person = p.person if p.person.isprintable() else inert(p.person)
        arrow = "→" if p.direction == "to" else "←"
        return f"#{p.id}  {title}  {arrow} {person}{team}  due {self.due_text(p)}{tags}"


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def stdout_is_terminal() -> bool:
    """Whether stdout is a terminal, as Rich decides it."""
    return is_terminal(sys.stdout)


def is_terminal(stream: IO[str] | None) -> bool:
    """Whether Rich would treat `stream` as a terminal (rich.console.Console.is_terminal:
    TTY_COMPATIBLE, then FORCE_COLOR, then the stream itself), without loading Rich to ask."""
    forced = os.environ.get("TTY_COMPATIBLE", "")
    if forced in ("0", "1"):
        return forced == "1"
    force_color = os.environ.get("FORCE_COLOR")
    if force_color is not None:
        return force_color != ""
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # a closed stream
        return False


def write_lines(text: str, out: IO[str] | None = None) -> None:
    """Plain output for scripts: stdout only, one trailing newline."""
    (out or sys.stdout).write(text + "\n")
