"""Printing a list of promises: a table at a terminal, plain lines or JSON otherwise. Rich (and
the table code) load only when a table is printed, so `pk list` into a pipe never pays for them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta, tzinfo
from typing import TYPE_CHECKING

from ..model import Promise
from .lines import DEFAULT_SOON, promise_lines, write_lines

if TYPE_CHECKING:
    from rich.console import Console


def print_promises(
    console: Console | Callable[[], Console],
    promises: Sequence[Promise],
    now: datetime,
    tz: tzinfo,
    *,
    title: str,
    empty: str,
    fmt: str,
    soon: timedelta = DEFAULT_SOON,
) -> None:
    """The one way every promise list is printed: table, plain lines or JSON. What is due within
    `soon` (the setting) is marked. `console` may be a callable that makes the console: plain
    lines and JSON go straight to stdout and never need one (nor Rich)."""
    if fmt == "json":
        from .contract import dump_json, promise_json

        dump_json([promise_json(p, now) for p in promises])
        return
    if fmt == "plain":
        write_lines("\n".join(promise_lines(promises, now, tz, soon)) or empty)
        return
    from rich.text import Text

    from .render import promise_table  # the table, and Rich, only at a terminal

    screen = console() if callable(console) else console
    if not promises:
        screen.print(Text(empty))
        return
    screen.print(promise_table(promises, now, tz, title, soon))
