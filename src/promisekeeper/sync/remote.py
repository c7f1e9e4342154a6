"""Where synced items live: a CalDAV collection or a local vdir folder, behind one interface.

The merge (`merge.py`) and the engine (`engine.py`) only see `Remote`: hrefs, etags and iCalendar
text. So the merge is the same for both and is unit-tested against a vdir in a temp folder.
The protocol and the errors live in `protocol.py` (re-exported here); the two kinds of remote in
`caldav_remote.py` and `vdir_remote.py`, each imported only when `open_remote` picks it.

Every failure is a `SyncError` with a one-line message naming the server (never its password)
and the cause, and an exit code per kind of cause, documented in `pk sync --help`:

- 69 (EX_UNAVAILABLE): the server is not answering: down, timeout, DNS, TLS, or a 5xx;
- 77 (EX_NOPERM): 401/403, the username or password is wrong, or the password command failed;
- 66 (EX_NOINPUT): the collection (or vdir folder) does not exist (404);
- 76 (EX_PROTOCOL): the server answered something that is not a calendar collection, or
  iCalendar that cannot be parsed;
- 73 (EX_CANTCREAT): the empty-collection guard stopped the sync (see `engine.py`).
"""

from __future__ import annotations

import os
import urllib.parse
from pathlib import Path

from ..config import Settings
from .protocol import (
    EXIT_GUARD,
    EXIT_NOINPUT,
    EXIT_NOPERM,
    EXIT_PROTOCOL,
    EXIT_UNAVAILABLE,
    PASSWORD_ENV,
    PreconditionFailed,
    Remote,
    SyncError,
)


def host_of(url: str) -> str:
    """What to call the remote in a history reason ("cancelled in cal.example.com")."""
    if "://" not in url:
        return "the synced folder"
    return urllib.parse.urlsplit(url).hostname or "the server"


def open_remote(settings: Settings) -> Remote:
    """The remote `[sync] url` names: an http(s) URL is a CalDAV collection, anything else a
    vdir folder (`~` expanded). ConfigError-like SyncError when no url is configured."""
    url = settings.sync.url
    if not url or not str(url).strip():
        from ..errors import ConfigError

        raise ConfigError(
            'no [sync] url in config.toml; e.g. url = "https://cal.example.com/dav/me/promises/"'
        )
    url = str(url).strip()
    if url.startswith(("http://", "https://")):
        from .caldav_remote import CalDAVRemote  # caldav itself loads on the first request

        return CalDAVRemote(url, settings)
    from .vdir_remote import VdirRemote

    return VdirRemote(Path(os.path.expanduser(url)))


__all__ = [
    "EXIT_GUARD",
    "EXIT_NOINPUT",
    "EXIT_NOPERM",
    "EXIT_PROTOCOL",
    "EXIT_UNAVAILABLE",
    "PASSWORD_ENV",
    "PreconditionFailed",
    "Remote",
    "SyncError",
    "host_of",
    "open_remote",
]
