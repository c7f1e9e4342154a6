"""The contract every sync remote keeps, and how it fails: the `Remote` protocol, `SyncError`
with its exit codes (listed in `remote.py`) and `PreconditionFailed`.

Its own module so that the implementations (`caldav_remote.py`, `vdir_remote.py`) and
`remote.open_remote`, which picks one of them, import it without importing each other.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from ..errors import PkError

EXIT_UNAVAILABLE = 69
EXIT_NOPERM = 77
EXIT_NOINPUT = 66
EXIT_PROTOCOL = 76
EXIT_GUARD = 73
PASSWORD_ENV = "PK_SYNC_PASSWORD"


class SyncError(PkError):
    """The sync could not talk to its remote; nothing local was changed by the failing step."""

    def __init__(self, message: str, exit_code: int = EXIT_UNAVAILABLE) -> None:
        super().__init__(message)
        self.exit_code = exit_code


class PreconditionFailed(Exception):
    """The item changed on the remote since it was read (HTTP 412): re-read and merge again."""


class Remote(Protocol):
    """A collection of iCalendar items addressed by href; each version has an etag."""

    label: str

    def list(self) -> dict[str, str]:
        """Every item: href → etag."""
        ...

    def changes(self, token: str | None) -> tuple[dict[str, str], set[str], str] | None:
        """(changed href → etag, deleted hrefs, new token) since `token`; None when the token is
        expired or the remote cannot tell (then the caller lists everything)."""
        ...

    def token(self) -> str | None:
        """The current sync token, to pass to the next `changes`; None if unsupported."""
        ...

    def get(self, hrefs: Iterable[str]) -> dict[str, tuple[str, str]]:
        """href → (etag, iCalendar text); an href that vanished meanwhile is left out."""
        ...

    def put(self, href: str, ics: str, etag: str | None) -> str:
        """Write an item: replace the version `etag` (If-Match), or create it when `etag` is
        None (If-None-Match: *). Returns the new etag; PreconditionFailed on a mismatch."""
        ...

    def delete(self, href: str, etag: str) -> None:
        """Remove the item if it is still the version `etag`; PreconditionFailed otherwise."""
        ...

    def href_for(self, uid: str) -> str:
        """Where a new item with this UID goes."""
        ...
