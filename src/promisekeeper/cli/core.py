"""The Typer application and its edge: every error becomes one line on stderr and an exit code."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import typer
from typer.core import TyperGroup

from .. import __version__
from ..errors import PkError
from .commands import HELP_ORDER, default_to_list
from .common import State, fail, state

USAGE_EXIT = 2


class PkGroup(TyperGroup):
    """Runs Click non-standalone so that *we* print errors: one line, no panel, no traceback."""

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        command = super().get_command(ctx, cmd_name)
        if command is not None and command.help and "\b" not in command.help:
            command.help = keep_examples_verbatim(command.help)
        return command

    def list_commands(self, ctx: Any) -> list[str]:
        """The everyday ledger commands first, then each concern's, whatever was imported first."""
        names = super().list_commands(ctx)
        return sorted(names, key=lambda n: HELP_ORDER.index(n) if n in HELP_ORDER else len(names))

    def main(  # type: ignore[override]
        self,
        args: Any = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        args = default_to_list(list(sys.argv[1:] if args is None else args))
        try:
            result = super().main(
                args, prog_name or "pk", complete_var, standalone_mode=False, **extra
            )
        except PkError as exc:
            fail(str(exc), exc.exit_code)
        except typer.Abort:
            fail("aborted", 1)
        except typer.TyperException as exc:  # Click's usage and parameter errors
            message = exc.format_message()  # type: ignore[attr-defined]
            code = getattr(exc, "exit_code", USAGE_EXIT)
            ctx = getattr(exc, "ctx", None)
            option = str(getattr(exc, "option_name", ""))
            if type(exc).__name__ == "NoSuchOption" and not option.startswith("--"):
                # `-5% forecast` or `-3`: a value mistaken for an option, not a typo of one.
                message += ' (a title or id that starts with "-" goes after "--")'
            if ctx is not None and code == USAGE_EXIT:
                message += f" (see `{ctx.command_path} --help`)"
            fail(message, code)
        sys.exit(result if isinstance(result, int) else 0)


def keep_examples_verbatim(text: str) -> str:
    """Indented paragraphs of a docstring are examples: Click must not re-wrap them (`\\b`),
    or a command line splits in the middle of a quoted argument on a narrow terminal."""
    paragraphs = text.split("\n\n")
    return "\n\n".join(f"\b\n{p}" if p.startswith("    ") else p for p in paragraphs)


app = typer.Typer(
    cls=PkGroup,
    name="pk",
    help=(
        "Keep the promises you make to your internal customers.\n\n"
        "Log what you promised, to whom and by when; see what is late or due soon; "
        "renegotiate openly. Run `pk COMMAND --help` for examples."
    ),
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"pk {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    db: Path | None = typer.Option(
        None,
        "--db",
        help="Store file to use (default: $PK_DB, else the user data directory).",
        metavar="PATH",
    ),
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version and exit."
    ),
) -> None:
    """Keep the promises you make to your internal customers.

    With no command, lists your open promises (same as `pk list`).
    """
    state(ctx).db = db


__all__ = ["State", "app"]
