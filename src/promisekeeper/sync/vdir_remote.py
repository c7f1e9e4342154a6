"""A local vdir folder (one `.ics` per item, vdirsyncer's layout) as a sync `Remote`."""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from .protocol import EXIT_NOINPUT, EXIT_PROTOCOL, PreconditionFailed, SyncError


class VdirRemote:
    """A folder with one `.ics` per item (vdirsyncer's layout). The etag of a file is a hash of
    its bytes: mtimes can be equal for two quick writes, and a hash makes If-Match exact."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.label = str(directory)

    def _check(self) -> None:
        if not self.directory.is_dir():
            raise SyncError(
                f"sync with {self.label} failed: no such folder (create it, or check [sync] url)",
                EXIT_NOINPUT,
            )

    def list(self) -> dict[str, str]:
        self._check()
        found: dict[str, str] = {}
        try:
            for path in sorted(self.directory.glob("*.ics")):
                if path.is_file():
                    found[path.name] = _hash(path.read_bytes())
        except OSError as exc:
            raise SyncError(f"sync with {self.label} failed: {exc.strerror}", EXIT_NOINPUT) from exc
        return found

    def token(self) -> str | None:
        return None

    def changes(self, token: str | None) -> tuple[dict[str, str], set[str], str] | None:
        return None  # a folder has no change log: the etag listing is cheap enough

    def get(self, hrefs: Iterable[str]) -> dict[str, tuple[str, str]]:
        self._check()
        out: dict[str, tuple[str, str]] = {}
        for href in hrefs:
            try:
                raw = (self.directory / _safe(href)).read_bytes()
            except FileNotFoundError:
                continue
            except OSError as exc:
                raise SyncError(f"cannot read {self.label}/{href}: {exc.strerror}") from exc
            out[href] = (_hash(raw), raw.decode("utf-8", errors="replace"))
        return out

    def put(self, href: str, ics: str, etag: str | None) -> str:
        self._check()
        target = self.directory / _safe(href)
        payload = ics.encode("utf-8")
        current = _hash(target.read_bytes()) if target.exists() else None
        if current != etag:
            raise PreconditionFailed(href)
        handle, temp = tempfile.mkstemp(
            dir=self.directory, prefix=f".{target.name}.", suffix=".tmp"
        )
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(payload)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temp, target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temp)
            raise
        return _hash(payload)

    def delete(self, href: str, etag: str) -> None:
        target = self.directory / _safe(href)
        try:
            current = _hash(target.read_bytes())
        except FileNotFoundError:
            return
        if current != etag:
            raise PreconditionFailed(href)
        target.unlink()

    def href_for(self, uid: str) -> str:
        from ..exchange.ical import vdir_name

        return vdir_name(uid)


def _hash(raw: bytes) -> str:
    return '"' + hashlib.sha256(raw).hexdigest()[:32] + '"'


def _safe(href: str) -> str:
    name = os.path.basename(href)
    if not name or name.startswith(".") or name != href:
        raise SyncError(f"refusing an item name outside the folder: {href!r}", EXIT_PROTOCOL)
    return name
