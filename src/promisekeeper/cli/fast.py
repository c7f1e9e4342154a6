"""The commands people type many times a day, in their plainest forms, run without Typer.

Typer and Click cost ~40 ms to import and set up, more than `pk list` spends on its work.
`__main__` asks `run_fast` first; it takes only arguments that need no parsing:

- `pk [--db PATH] [list | overdue] [--json] [--plain] [--table]` (bare `pk` lists);
- `pk [--db PATH] done ID... [--json]`, every id plain ASCII digits;
- `pk [--db PATH] standup [--json]`.

Anything else (a filter, a value to read, `--help`, a typo, shell completion) returns False and
goes to Typer, so options with values keep a single parser. The work itself is in `lists.py` and
`closing.py`, the same functions the Typer commands call; a test holds both paths to the same
output for every form taken here.
"""

from __future__ import annotations

import os

LIST_FLAGS = frozenset({"--json", "--plain", "--table"})
JSON_FLAG = frozenset({"--json"})


def fast_form(args: list[str]) -> tuple[str, str | None, frozenset[str], list[int]] | None:
    """(command, --db value or None, flags, ids) when `args` is a form this path takes."""
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
    word, words = (rest[0], rest[1:]) if rest else ("list", [])
    flags = [w for w in words if w.startswith("-")]
    ids = [w for w in words if not w.startswith("-")]
    if len(set(flags)) != len(flags):
        return None
    if word in ("list", "overdue") and not ids and set(flags) <= LIST_FLAGS:
        return word, db, frozenset(flags), []
    if word == "standup" and not ids and set(flags) <= JSON_FLAG:
        return word, db, frozenset(flags), []
    if word == "done" and ids and set(flags) <= JSON_FLAG and all(_plain_number(w) for w in ids):
        return word, db, frozenset(flags), [int(w) for w in ids]
    return None


def _plain_number(word: str) -> bool:
    # Click's int() would also take "+3", "3_000" or other scripts' digits: those go to Typer.
    return word.isdigit() and word.isascii()


def run_fast(args: list[str]) -> bool:
    """Run `args` here when it is a fast form; False (nothing done) when Typer must take it."""
    if os.environ.get("_PK_COMPLETE"):
        return False
    form = fast_form(args)
    if form is None:
        return False
    word, db, flags, ids = form
    from pathlib import Path

    from ..errors import PkError
    from .common import State, fail

    st = State(db=Path(db) if db is not None else None)
    try:
        if word == "done":
            from .closing import mark_done

            mark_done(st, ids, "--json" in flags)
            return True
        from ..core.ledger import Filter
        from .lists import listing_format, show_list, show_overdue, show_standup

        if word == "standup":
            show_standup(st, json_="--json" in flags)
            return True

        fmt = listing_format("--json" in flags, "--plain" in flags, "--table" in flags)
        if word == "list":
            show_list(st, Filter(), fmt)
        else:
            show_overdue(st, fmt)
    except PkError as exc:
        fail(str(exc), exc.exit_code)
    return True
