"""The commands people type many times a day, in their plainest forms, run without Typer.

Typer and Click cost ~40 ms to import and set up, more than `pk list` spends on its work.
`__main__` asks `run_fast` first; it takes only arguments that need no interpretation:

- `pk [--db PATH] [list | overdue] [--json] [--plain] [--table]` (bare `pk` lists);
- `pk [--db PATH] standup [--json]`;
- `pk --version`, alone;
- `pk [--db PATH] done ID... [--json]`, every id plain ASCII digits;
- `pk [--db PATH] add TITLE --due WHEN --to|--from PERSON [--team T] [--tag T]... [--effort D]
  [--past] [--json] [--quiet]`: options in their `--name VALUE` form (also `-d`, `-t`, `-q`),
  each at most once (`--tag` repeats), no value that starts with "-".

Anything else (a filter, `--every`, `--name=VALUE`, a repeated option, a value that looks like an
option, `--help`, a typo, shell completion) returns False and goes to Typer, so nothing Click
would read differently reaches this path. The work itself is in `lists.py`, `closing.py` and
`adding.py`, the same functions the Typer commands call; a test holds both paths to the same
output and the same saved change for every form taken here.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from .commands import global_options

LIST_FLAGS = frozenset({"--json", "--plain", "--table"})
JSON_FLAG = frozenset({"--json"})
# `pk add`'s options that take a value, by every name Typer knows them by.
ADD_VALUES = {
    "--to": "to",
    "--from": "from_",
    "--due": "due",
    "-d": "due",
    "--team": "team",
    "--tag": "tags",
    "-t": "tags",
    "--effort": "effort",
}
ADD_FLAGS = {"--past": "past", "--json": "json_", "--quiet": "quiet", "-q": "quiet"}


def fast_form(args: list[str]) -> tuple[str, str | None, dict[str, Any]] | None:
    """(command, --db value or None, what the command needs) when `args` is a form taken here."""
    if args == ["--version"]:
        return "version", None, {}
    db, rest = global_options(args)
    if db is not None and (not db or db.startswith("-")):
        return None  # an empty or dash-led path: let Click say what it makes of it
    word, words = (rest[0], rest[1:]) if rest else ("list", [])
    if word == "add":
        found = add_form(words)
        return None if found is None else (word, db, found)
    flags = [w for w in words if w.startswith("-")]
    others = [w for w in words if not w.startswith("-")]
    if len(set(flags)) != len(flags):
        return None
    if word in ("list", "overdue") and not others and set(flags) <= LIST_FLAGS:
        return word, db, {"flags": frozenset(flags)}
    if word == "standup" and not others and set(flags) <= JSON_FLAG:
        return word, db, {"json_": bool(flags)}
    if word == "done" and others and set(flags) <= JSON_FLAG and all(map(_plain_number, others)):
        return word, db, {"pids": [int(w) for w in others], "json_": bool(flags)}
    return None


def add_form(words: list[str]) -> dict[str, Any] | None:
    """`pk add`'s arguments as `log_promise`'s keywords, when they are a form taken here."""
    found: dict[str, Any] = {"tags": []}
    titles = []
    rest = list(words)
    while rest:
        word = rest.pop(0)
        if word in ADD_VALUES:
            if not rest or rest[0].startswith("-"):
                return None
            name, value = ADD_VALUES[word], rest.pop(0)
            if name == "tags":
                found["tags"].append(value)
            elif name in found:
                return None  # Click would keep the last one: Typer's to say
            else:
                found[name] = value
        elif word in ADD_FLAGS and ADD_FLAGS[word] not in found:
            found[ADD_FLAGS[word]] = True
        elif word.startswith("-"):
            return None
        else:
            titles.append(word)
    if len(titles) != 1 or "due" not in found:
        return None
    return {"title": titles[0], **found}


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
    word, db, given = form
    if word == "version":
        from .. import __version__

        sys.stdout.write(f"pk {__version__}\n")  # what Typer's eager --version echoes
        return True
    from pathlib import Path

    from ..errors import PkError
    from .common import State, fail

    st = State(db=Path(db) if db is not None else None)
    try:
        _run(st, word, given)
    except PkError as exc:
        fail(str(exc), exc.exit_code)
    return True


def _run(st: Any, word: str, given: dict[str, Any]) -> None:
    if word == "add":
        from .adding import log_promise

        log_promise(st, **given)
    elif word == "done":
        from .closing import mark_done

        mark_done(st, **given)
    elif word == "standup":
        from .lists import show_standup

        show_standup(st, **given)
    else:
        from ..core.ledger import Filter
        from .lists import listing_format, show_list, show_overdue

        flags = given["flags"]
        fmt = listing_format("--json" in flags, "--plain" in flags, "--table" in flags)
        if word == "list":
            show_list(st, Filter(), fmt)
        else:
            show_overdue(st, fmt)
