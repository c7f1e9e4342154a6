"""Shell integration commands: `init` (the prompt snippet), `prompt` (documented here, but served by
the fast path in `__main__` before this CLI is even imported) and a hidden `completion`."""

from __future__ import annotations

import shlex
import shutil
import sys

import typer

# Typer registers its completion scripts only when `--install-completion` is on, which pk turns
# off to keep `pk --help` short; without this, `_PK_COMPLETE=complete_bash pk` finds no shell.
from typer._completion_classes import completion_init

from ..errors import BadInput
from ..shell import prompt
from ..shell import snippets as shell
from .common import state
from .complete import complete_choices, register_shells
from .core import app

completion_init()
register_shells()  # pk's own bash/zsh/fish classes: see cli/complete.py

SHELL_HELP = "bash, zsh or fish."


def _shell(name: str) -> str:
    if name not in shell.SHELLS:
        raise BadInput(f"unknown shell {name!r} (choose: {', '.join(shell.SHELLS)})")
    return name


def _pk_command() -> str:
    """How the snippet should run pk when it must: `pk` when that is this pk, else this Python."""
    found = shutil.which("pk")
    if found and found.startswith(sys.prefix):
        return "pk"
    return f"{shlex.quote(sys.executable)} -m promisekeeper"


@app.command("init")
def init_cmd(
    name: str = typer.Argument(
        ..., metavar="SHELL", help=SHELL_HELP, autocompletion=complete_choices(*shell.SHELLS)
    ),
    standup: bool = typer.Option(
        False, "--standup", help="Also print the plain standup once a day, at the first shell."
    ),
) -> None:
    """Print the snippet that adds the reminder segment to your shell prompt.

    The segment — e.g. [pk 2 late · 1 today] — appears only when something is late, due today or
    a booked help slot starts within 15 minutes. bash 5+ and zsh compute it without starting any
    process; fish and older bash run `pk prompt`. Your existing prompt and hooks are kept.
    NO_COLOR turns the colour off.

    Examples:

        eval "$(pk init bash)"          # in ~/.bashrc

        eval "$(pk init zsh --standup)" # in ~/.zshrc

        pk init fish | source           # in ~/.config/fish/config.fish
    """
    sys.stdout.write(shell.snippet(_shell(name), pk=_pk_command(), standup=standup))


@app.command("prompt")
def prompt_cmd(
    ctx: typer.Context,
    format_: str | None = typer.Option(
        None,
        "--format",
        "-f",
        help="Template with fields {late}, {today}, {soon}, {waiting_late}, {next_slot_min}.",
    ),
) -> None:
    """Print the prompt segment once (for starship, tmux, polybar...): counts only, never a title.

    Prints nothing — and exits 0 — when nothing is late, due today or starting soon, and also when
    the prompt index beside the store is missing or older than the store (any pk command renews
    it). Fields: late (your promises past due), today (yours due later today), waiting_late (owed
    to you, past due), soon (booked help slots starting within 15 minutes), next_slot_min (minutes
    to the next booked slot, empty when none).

    Examples:

        pk prompt                          # [pk 2 late · 1 today]

        pk prompt --format '{late}!{today}'
    """
    # `__main__` answers before this CLI loads; this runs only in-process (tests, embedding).
    db = state(ctx).db
    args = ["prompt"] + (["--format", format_] if format_ is not None else [])
    args += ["--db", str(db)] if db is not None else []
    prompt.fast_path(args)


@app.command("completion", hidden=True)
def completion_cmd(
    name: str = typer.Argument(..., metavar="SHELL", help=SHELL_HELP),
) -> None:
    """Print the completion script for a shell (the files in `completions/` are these).

    Example:

        pk completion bash > ~/.local/share/bash-completion/completions/pk
    """
    from .completion_gen import generate

    sys.stdout.write(generate(_shell(name)))
