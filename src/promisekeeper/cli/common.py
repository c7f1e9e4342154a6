"""What every command shares: the per-run state (store, settings, the clock read once), output."""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from ..config import Settings, load_settings
from ..errors import BadInput
from ..paths import db_path
from ..storage.store import Store
from ..views.lines import is_terminal, make_console

if TYPE_CHECKING:  # Rich loads when a command prints through it; Typer only for its commands
    import typer
    from rich.console import Console


class State:
    """Built once per invocation by the root callback; commands reach it through the context.
    A plain class, not a dataclass: `pk list` must not pay for importing `dataclasses`."""

    def __init__(
        self,
        db: Path | None = None,
        _settings: Settings | None = None,
        _now: datetime | None = None,
    ) -> None:
        self.db = db
        self._settings = _settings
        self._now = _now

    def __repr__(self) -> str:
        return f"State(db={self.db!r})"

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings()
        return self._settings

    @property
    def now(self) -> datetime:
        """The one reading of the clock for this command, in the user's zone."""
        if self._now is None:
            self._now = self.settings.now()
        return self._now

    @property
    def tz(self):
        return self.settings.tz

    @cached_property
    def out(self) -> Console:
        """Built per run, not at import: NO_COLOR, FORCE_COLOR and the TTY are read when used."""
        return make_console()

    @cached_property
    def err(self) -> Console:
        return make_console(stderr=True)

    def store(self) -> Store:
        """The store, with this command's zone and clock for the prompt index beside it."""
        settings = self.settings
        return Store(
            db_path(self.db),
            tz=settings.tz,
            now=self.now,
            index_key=settings.fingerprint(),
            archive_after=settings.archive_after,
            soon_seconds=int(settings.soon.total_seconds()),
        )


def state(ctx: typer.Context) -> State:
    root = ctx.find_root()
    if not isinstance(root.obj, State):
        root.obj = State()
    return root.obj


def fail(message: str, code: int) -> None:
    """The one way a command fails: `pk: message` on stderr, then exit with `code`."""
    _line(lambda: make_console(stderr=True), sys.stderr, f"pk: {message}", "")
    sys.exit(code)


def output_format(json_: bool, plain: bool) -> str:
    if json_ and plain:
        raise BadInput("choose one of --json and --plain")
    return "json" if json_ else "plain" if plain else "table"


JSON_HELP = "Print JSON for scripts (shape documented in the README)."
PLAIN_HELP = "Print plain lines: no colour, no box characters."


def say(st: State, message: str, style: str = "") -> None:
    """A result line for people (stdout: it is the command's output)."""
    _line(lambda: st.out, sys.stdout, message, style)


def hint(st: State, message: str, style: str = "dim") -> None:
    """Talk that is not the result: stderr, so stdout stays clean for scripts."""
    _line(lambda: st.err, sys.stderr, message, style)


# What Rich drops from a Text (rich.control.STRIP_CONTROL_CODES): BEL, BS, VT, FF, CR.
_RICH_STRIPS = dict.fromkeys((7, 8, 11, 12, 13))


def _line(console: Callable[[], Console], stream: TextIO | None, message: str, style: str) -> None:
    """One line, through Rich only where Rich adds something: a style on a terminal (colour,
    honouring NO_COLOR), or a tab (expanded by cell width). Anywhere else Rich prints the text as
    it is (soft wrap: no wrapping; no style, or no terminal: no escape codes), so it is written
    directly: importing Rich costs more than the rest of `pk add`."""
    if "\t" in message or (style and is_terminal(stream)):
        from rich.text import Text

        console().print(Text(message, style=style), soft_wrap=True)
        return
    if stream is None:  # no stdout at all (pythonw): Rich would print nowhere too
        return
    stream.write(message.translate(_RICH_STRIPS) + "\n")
    stream.flush()  # as Rich does: stdout and stderr into one file keep their order


def check_id(value: int, what: str = "promise") -> int:
    """Ids are positive and fit a JSON number exactly; anything else is a typing slip."""
    if value <= 0 or value >= 2**53:
        raise BadInput(f"not a {what} id: {value}")
    return value
