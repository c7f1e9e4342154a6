"""The command line. Importing this package registers every command on `app`."""

from . import ledger_cmds  # noqa: F401  (registers the commands)
from . import safety_cmds  # noqa: F401  (undo, doctor)
from . import report_cmds  # noqa: F401  (standup, stats, thanks, export, import)
from . import later_cmds  # noqa: F401  (later, book, slots, cancel-slot)
from . import shell_cmds  # noqa: F401  (init, prompt, completion)
from .app import app

__all__ = ["app"]
