"""`pk list` and `pk overdue` as people type them many times a day, run without Typer.

Typer and Click cost ~40 ms to import and set up, more than these commands spend on their work.
`__main__` asks `run_fast` first; it takes only arguments that need no parsing: the command word
(or none: bare `pk` lists), an optional `--db PATH` before it, and the flags `--json`, `--plain`,
`--table`. Anything else (a filter, `--help`, a typo, shell completion) returns False and goes
to Typer, so options with values keep a single parser. The work itself is `lists.py`, the same
functions the Typer commands call; a test holds the two paths to the same output.
"""

from __future__ import annotations

import os

COMMANDS = frozenset({"list", "overdue"})
FLAGS = frozenset({"--json", "--plain", "--table"})


def fast_form(args: list[str]) -> tuple[str, str | None, frozenset[str]] | None:
    """(command, --db value or None, flags) when `args` is a form this path takes, else None."""
    db: str | None = None
    rest = list(args)
    while rest:
        if rest[0] == "--db" and len(rest) > 1:
            db, rest = rest[1], rest[2:]
        elif rest[0].startswith("--db="):
            db, rest = rest[0][len("--db=") :], rest[1:]
        else:
            break
    if db is not None and (not db or db.startswith("-")):
        return None  # an empty or dash-led path: let Click say what it makes of it
    word, flags = (rest[0], rest[1:]) if rest else ("list", [])
    if word not in COMMANDS or not set(flags) <= FLAGS or len(set(flags)) != len(flags):
        return None
    return word, db, frozenset(flags)


def run_fast(args: list[str]) -> bool:
    """Run `args` here when it is a fast form; False (nothing done) when Typer must take it."""
    if os.environ.get("_PK_COMPLETE"):
        return False
    form = fast_form(args)
    if form is None:
        return False
    word, db, flags = form
    from pathlib import Path

    from ..core.ledger import Filter
    from ..errors import PkError
    from .common import State, fail
    from .lists import listing_format, show_list, show_overdue

    st = State(db=Path(db) if db is not None else None)
    try:
        fmt = listing_format("--json" in flags, "--plain" in flags, "--table" in flags)
        if word == "list":
            show_list(st, Filter(), fmt)
        else:
            show_overdue(st, fmt)
    except PkError as exc:
        fail(str(exc), exc.exit_code)
    return True
