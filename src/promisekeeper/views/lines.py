"""Promises as plain text, without Rich: one line per promise, the words of a due date, inert
stored text. `pk list` and `pk overdue` into a pipe (and `--plain`, `--json`) print through here
alone and never import Rich, which costs more at start-up than the rest of the command.
"""

from __future__ import annotations

import os
import sys
from datetime import datetime, timedelta, tzinfo
from typing import IO, TYPE_CHECKING

from ..core.ledger import is_due_today
from ..dates import format_local, relative, span
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
    when = format_local(p.due, tz, now=now)
    if p.status == "done" and p.done_at is not None:
        if p.kept_on_time:
            return f"{when} — kept on time"
        return f"{when} — kept {span(p.late_by(now).total_seconds())} late"
    if p.status == "dropped":
        return f"{when} — dropped"
    marker = " · soon" if is_due_soon(p, now, soon) else ""  # seen without colour too
    return f"{when} — {relative(p.due, now)}{marker}"


def promise_line(p: Promise, now: datetime, tz: tzinfo, soon: timedelta = DEFAULT_SOON) -> str:
    """One promise on one line, no colour, no box characters: for mail, grep and cron."""
    team = f" [{safe(p.team)}]" if p.team else ""
    tags = "".join(f" #{safe(t)}" for t in p.tags)
    return f"#{p.id}  {safe(p.title)}  {who(p)}{team}  due {due_text(p, now, tz, soon)}{tags}"


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
