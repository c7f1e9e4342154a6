"""The command line. Importing this package registers every command on `app`."""

from . import (
    later_cmds,  # noqa: F401  (later, book, slots, cancel-slot)
    ledger_cmds,  # noqa: F401  (registers the commands)
    report_cmds,  # noqa: F401  (standup, stats, thanks, export, import)
    safety_cmds,  # noqa: F401  (undo, doctor)
    shell_cmds,  # noqa: F401  (init, prompt, completion)
)
from .app import app

__all__ = ["app"]
