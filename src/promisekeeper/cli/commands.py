"""Which command lives in which module, and where the command word stands in the arguments.

No Typer here: `__main__` and the fast path (`fast.py`) read this before deciding whether Typer
is needed at all.
"""

from __future__ import annotations

# Which module defines which command, in the order `pk --help` lists them. `cli/__init__.py`
# imports only the module of the command being run; a test checks this map against the commands.
COMMAND_MODULES: dict[str, tuple[str, ...]] = {
    "ledger_cmds": ("add", "list", "overdue", "show", "search"),
    "change_cmds": ("move", "note", "done", "drop", "reopen", "edit", "delete"),
    "people_cmds": ("people", "nudge", "capture"),
    "report_cmds": ("standup", "stats", "thank", "thanks"),
    "exchange_cmds": ("export", "import"),
    "later_cmds": ("later", "book", "slots", "cancel-slot"),
    "calendar_cmds": ("calendar",),
    "safety_cmds": ("undo", "redo", "doctor"),
    "sync_cmds": ("sync",),
    "shell_cmds": ("init", "prompt", "completion"),
}
# `pk --help` lists the commands in the map's order: reading ones, then changing ones, then each
# concern's.
HELP_ORDER = tuple(name for names in COMMAND_MODULES.values() for name in names)


def global_options(args: list[str]) -> tuple[str | None, list[str]]:
    """(the last `--db` value, or None; the rest of `args`): `--db PATH` / `--db=PATH` stand
    before the command word. A `--db` with nothing after it gives "" (no path)."""
    db: str | None = None
    rest = list(args)
    while rest[:1] == ["--db"] or (rest and rest[0].startswith("--db=")):
        if rest[0] == "--db":
            db, rest = (rest[1] if len(rest) > 1 else ""), rest[2:]
        else:
            db, rest = rest[0][len("--db=") :], rest[1:]
    return db, rest


def after_global_options(args: list[str]) -> list[str]:
    """`args` without the leading `--db PATH` / `--db=PATH`: where the command word stands."""
    return global_options(args)[1]


def default_to_list(args: list[str]) -> list[str]:
    """Bare `pk` (maybe with `--db PATH`) means `pk list`."""
    return [*args, "list"] if not after_global_options(args) else args


def command_word(args: list[str]) -> str | None:
    """The command in `args`, after the global options; "list" when there is none (bare `pk`),
    None when the whole CLI is wanted (`--help`, `--version`, a word we do not know)."""
    rest = after_global_options(args)
    if not rest:
        return "list"
    word = rest[0]
    known = any(word in names for names in COMMAND_MODULES.values())
    return word if known else None
