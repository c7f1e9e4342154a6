"""The calendar password: `PK_CALENDAR_PASSWORD`, else the first line `password_command` prints
(run without a shell). It stays in memory: never printed, never cached, never on a command line.
"""

from __future__ import annotations

import os
import shlex
import subprocess

from .busy import SourceError

PASSWORD_ENV = "PK_CALENDAR_PASSWORD"


class Password:
    """The password for one read of the sources, looked up at most once and only when a server
    asks for it."""

    def __init__(self, command: str | None, timeout: float) -> None:
        self.command = command
        self.timeout = timeout
        self._password: str | None = None

    def __call__(self) -> str | None:
        """`PK_CALENDAR_PASSWORD`, else the first line `password_command` prints; None when
        neither is set."""
        if self._password is not None:
            return self._password
        if env := os.environ.get(PASSWORD_ENV):
            self._password = env
            return env
        if not self.command:
            return None
        self._password = run_password_command(self.command, self.timeout)
        return self._password


def run_password_command(command: str, timeout: float) -> str:
    """The first line `command` prints, run without a shell. Raises SourceError (never with the
    command's output, which may be the password) when it fails."""
    try:
        args = shlex.split(command)
    except ValueError as exc:
        raise SourceError(f"password_command cannot be split into words ({exc})") from exc
    if not args:
        raise SourceError("password_command is empty")
    try:
        done = subprocess.run(
            args, capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL, check=False
        )
    except FileNotFoundError as exc:
        raise SourceError(f"password_command: {args[0]} not found") from exc
    except subprocess.TimeoutExpired as exc:
        raise SourceError(f"password_command did not finish within {timeout:g} s") from exc
    except OSError as exc:
        raise SourceError(f"password_command cannot run ({exc.strerror})") from exc
    if done.returncode != 0:
        raise SourceError(f"password_command failed (exit {done.returncode})")
    lines = done.stdout.decode("utf-8", errors="replace").splitlines()
    if not lines or not lines[0]:
        raise SourceError("password_command printed nothing")
    return lines[0]
