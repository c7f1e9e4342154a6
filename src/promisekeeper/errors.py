"""The one error family. Domain code raises these; only the CLI turns them into exit codes."""

from __future__ import annotations

import os


class PkError(Exception):
    """Something the user can act on. The message is one line, shown as `pk: <message>`."""

    exit_code = 1


class BadInput(PkError):
    """The user typed something we refuse (a bad date, an empty title, an unknown option value)."""

    exit_code = 2


class NotFound(PkError):
    """An id that names no promise or request."""

    exit_code = 3


class Conflict(PkError):
    """Valid, but the current state forbids it (booking a cancelled request, a clash)."""

    exit_code = 4


class StoreCorrupt(PkError):
    """The store file is not what we wrote. We never overwrite it; the user runs `pk doctor`."""

    exit_code = os.EX_DATAERR if hasattr(os, "EX_DATAERR") else 65


class StoreError(PkError):
    """The store could not be read or written (permissions, a directory in the way, disk full)."""

    exit_code = os.EX_IOERR if hasattr(os, "EX_IOERR") else 74


class StoreBusy(PkError):
    """Another pk holds the lock for longer than we are willing to wait. Try again."""

    exit_code = os.EX_TEMPFAIL if hasattr(os, "EX_TEMPFAIL") else 75


class ConfigError(PkError):
    """config.toml is unreadable or has a value we cannot use."""

    exit_code = os.EX_CONFIG if hasattr(os, "EX_CONFIG") else 78
