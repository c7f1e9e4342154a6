"""The command line. Commands live in one module per concern; each registers itself on `app`.

`load_app(args)` imports only the module of the command being run: Typer inspects the signature
of every registered command on each start, and the feature modules pull in their own imports, so
`pk list` should not pay for `pk export`. `promisekeeper.cli.core` (tests, completions, `--help`)
is the whole CLI.
"""

from __future__ import annotations

import importlib
import os
from typing import Any

from .commands import COMMAND_MODULES, command_word

# Typer is imported with the first command registered (`load_app`), not with this package:
# `cli.fast` lives here too and must start without it.


def load_app(args: list[str]) -> Any:
    """The Typer app with the commands `args` needs (all of them when in doubt).

    Only the command being run is registered: Typer inspects the signature of every registered
    command on each start (~3 ms a command), and a module holds up to a dozen."""
    word = None if os.environ.get("_PK_COMPLETE") else command_word(args)
    if word is None:
        return _load_all()
    from .core import app as _app

    for module, names in COMMAND_MODULES.items():
        if word in names:
            importlib.import_module(f"{__name__}.{module}")
    _remember_all()
    _app.registered_commands = [c for c in _ALL if _name_of(c) == word]
    return _app


_ALL: list[Any] = []


def _name_of(info: Any) -> str | None:
    if info.name:
        return info.name
    callback = info.callback
    return callback.__name__.replace("_", "-") if callback else None


def _remember_all() -> None:
    """Every command registered so far, kept so a later full load (tests, `--help`) has them."""
    from .core import app as _app

    for info in _app.registered_commands:
        if all(info is not known for known in _ALL):
            _ALL.append(info)


def __getattr__(name: str) -> Any:
    if name == "app":
        return _load_all()
    raise AttributeError(name)


def _load_all() -> Any:
    from .core import app as _app

    for module in COMMAND_MODULES:
        importlib.import_module(f"{__name__}.{module}")
    _remember_all()
    _app.registered_commands = list(_ALL)
    return _app


__all__ = ["COMMAND_MODULES", "app", "command_word", "load_app"]
