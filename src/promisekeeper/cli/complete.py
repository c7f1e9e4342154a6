"""Tab completion of values from the store: promise ids and people's names.

Shells run `pk` with `_PK_COMPLETE` set on each Tab (see `completion_gen.py`); these callbacks
answer from a read of the store. A completion must never print an error into the command line
being edited, so any failure completes nothing.
"""

from __future__ import annotations

import os
import re
import shlex
import sys
from collections.abc import Callable
from typing import Any

import typer

# Typer carries its own copy of Click; its app answers completions through these classes.
from typer._click.shell_completion import (
    CompletionItem,
    ShellComplete,
    add_completion_class,
    split_arg_string,
)

from ..model import Promise
from ..paths import db_path
from ..storage.store import REQUESTS, Store

Completion = tuple[str, str]


def _promises(ctx: typer.Context) -> list[Promise]:
    # The root callback does not run while completing; --db is only in the parsed params.
    db = ctx.find_root().params.get("db")
    return Store(db_path(db)).read().promises()


def _ids(wanted: Callable[[Promise], bool]) -> Callable[[typer.Context, str], list[Completion]]:
    def complete(ctx: typer.Context, incomplete: str) -> list[Completion]:
        try:
            found = [p for p in _promises(ctx) if wanted(p)]
        except Exception:  # see the module docstring
            return []
        found.sort(key=lambda p: p.due)
        return [(str(p.id), p.title[:60]) for p in found if str(p.id).startswith(incomplete)]

    return complete


complete_open_ids = _ids(lambda p: p.is_open)
complete_closed_ids = _ids(lambda p: not p.is_open)
complete_any_ids = _ids(lambda p: True)


def complete_choices(*choices: str) -> Callable[[str], list[str]]:
    """For an option with a fixed set of values that it checks itself: Tab offers the values
    (without this, bash and zsh would offer file names)."""

    def complete(incomplete: str) -> list[str]:
        return [c for c in choices if c.startswith(incomplete.casefold())]

    return complete


def complete_people(ctx: typer.Context, incomplete: str) -> list[str]:
    """Everyone you have promised something to, or who owes you (and help-later requesters)."""
    try:
        view = Store(db_path(ctx.find_root().params.get("db"))).read()
        names = {p.person for p in view.promises()}
        names.update(
            r["person"] for _, r in view.records(REQUESTS) if isinstance(r.get("person"), str)
        )
    except Exception:  # see the module docstring
        return []
    return sorted(n for n in names if n.startswith(incomplete))


# --- the shells' side -----------------------------------------------------------------------------
#
# Typer's own scripts pass the words to pk joined by spaces and print the answers unquoted, so a
# name like `Zoë Müller`, `O'Brien` or `Mal"lory` arrives split and is inserted as two words. pk's
# scripts pass the raw command line up to the cursor instead; pk splits it the way the shell will
# (an unfinished quote included) and answers with raw values, one a line; each shell then quotes
# what it inserts for the context the user is typing in (bash: `compopt -o filenames`; zsh:
# `compadd`; fish quotes completions itself).

LINE_VAR = "_PK_COMPLETE_LINE"

BASH_SCRIPT = """\
%(complete_func)s() {
    local IFS=$'\\n'
    COMPREPLY=( $(env %(line_var)s="${COMP_LINE:0:COMP_POINT}" \\
        %(autocomplete_var)s=complete_bash "$1" 2>/dev/null) )
    # Readline quotes what it inserts (spaces, quotes, backslashes) as it does for file names.
    compopt -o filenames 2>/dev/null
    return 0
}

complete -o default -F %(complete_func)s %(prog_name)s"""

ZSH_SCRIPT = """\
#compdef %(prog_name)s

%(complete_func)s() {
  local -a reply values descriptions
  local line
  reply=("${(@f)$(env %(line_var)s="$LBUFFER" %(autocomplete_var)s=complete_zsh \\
    %(prog_name)s 2>/dev/null)}")
  for line in "${reply[@]}"; do
    [[ -n $line ]] || continue
    values+=("${line%%%%$'\\t'*}")
    if [[ $line == *$'\\t'* ]]; then
      descriptions+=("${line%%%%$'\\t'*}  -- ${line#*$'\\t'}")
    else
      descriptions+=("$line")
    fi
  done
  if (( ${#values} )); then
    # compadd quotes each value for where it goes: bare, inside '...' or inside "...".
    compadd -l -d descriptions -a values
  else
    _files
  fi
}

compdef %(complete_func)s %(prog_name)s"""

FISH_SCRIPT = (
    "complete --command %(prog_name)s --no-files --arguments "
    '"(env %(line_var)s=(commandline -cp) %(autocomplete_var)s=complete_fish '
    '_PK_COMPLETE_ACTION=get-args %(prog_name)s)" '
    '--condition "env %(line_var)s=(commandline -cp) %(autocomplete_var)s=complete_fish '
    '_PK_COMPLETE_ACTION=is-args %(prog_name)s"'
)


def split_line(line: str) -> tuple[list[str], str]:
    """The words before the one being completed, and that word, as the shell will read them:
    quotes and backslashes removed, an unfinished quote still part of the last word. The first
    word (the program) is dropped."""
    words = split_arg_string(line)
    try:
        shlex.split(line)
        open_quote = False
    except ValueError:  # "No closing quotation" (or a trailing backslash): still in the word
        open_quote = True
    ends_word = line[-1:].isspace() and not line.endswith("\\ ") and not open_quote
    if ends_word or len(words) <= 1:
        return words[1:], ""
    return words[1:-1], words[-1]


class _LineComplete(ShellComplete):
    """Reads the raw line from `_PK_COMPLETE_LINE`; subclasses format the answers."""

    def source_vars(self) -> dict[str, Any]:
        return {
            "complete_func": self.func_name,
            "autocomplete_var": self.complete_var,
            "prog_name": self.prog_name,
            "line_var": LINE_VAR,
        }

    def get_completion_args(self) -> tuple[list[str], str]:
        return split_line(os.environ.get(LINE_VAR, ""))

    def format_completion(self, item: CompletionItem) -> str:
        # One answer a line, so nothing in a value may end it; help after a tab.
        value = item.value.replace("\n", " ")
        if not item.help:
            return value
        return f"{value}\t{' '.join(str(item.help).split())}"

    def complete(self) -> str:
        args, incomplete = self.get_completion_args()
        return "\n".join(self.format_completion(i) for i in self.get_completions(args, incomplete))


class BashComplete(_LineComplete):
    name = "bash"
    source_template = BASH_SCRIPT

    def format_completion(self, item: CompletionItem) -> str:
        return item.value.replace("\n", " ")  # bash shows values only


class ZshComplete(_LineComplete):
    name = "zsh"
    source_template = ZSH_SCRIPT


class FishComplete(_LineComplete):
    name = "fish"
    source_template = FISH_SCRIPT

    def complete(self) -> str:
        answers = super().complete()
        if os.environ.get("_PK_COMPLETE_ACTION") == "is-args":
            # fish asks first whether pk has answers; when not, it completes file names.
            sys.exit(0 if answers else 1)
        return answers


SHELL_CLASSES: dict[str, type[_LineComplete]] = {
    c.name: c for c in (BashComplete, ZshComplete, FishComplete)
}


def register_shells() -> None:
    """Make `_PK_COMPLETE=complete_<shell>` use pk's classes (after Typer registered its own)."""
    for cls in SHELL_CLASSES.values():
        add_completion_class(cls, cls.name)


def completion_script(shell: str, prog_name: str, complete_var: str) -> str:
    """The script that makes `shell` ask pk for completions."""
    cls = SHELL_CLASSES[shell]
    func = "_" + re.sub(r"\W", "", prog_name.replace("-", "_")) + "_completion"
    return cls.source_template % {
        "complete_func": func,
        "autocomplete_var": complete_var,
        "prog_name": prog_name,
        "line_var": LINE_VAR,
    }
