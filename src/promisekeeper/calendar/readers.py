"""Reading one busy source of each kind, afresh: a local .ics file, a vdir folder, a published
ICS address, a CalDAV calendar. Each reader compares the source's validator (mtime and size, the
folder listing, ETag / Last-Modified, ctag / sync token) with the cached copy's and answers
`Unchanged` when they match; otherwise it parses the events into busy intervals.

The calendar libraries are imported inside the readers that parse, never at import time.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from ..config import Settings
from .busy import Busy, SourceError
from .cache import Entry

if TYPE_CHECKING:
    from .web import Http


@dataclass
class Fresh:
    busy: list[Busy]
    validator: dict[str, Any]
    kind: str
    notes: list[str] = field(default_factory=list)


@dataclass
class Unchanged:
    """The source says nothing changed since the cached copy (same mtime, 304, same ctag)."""

    kind: str


class SourceReader:
    """Reads sources afresh for one `read_busy`: the settings (zone, working time, username,
    timeout) and the password, asked for only when a server wants it."""

    def __init__(
        self, settings: Settings, timeout: float, password: Callable[[], str | None]
    ) -> None:
        self.settings = settings
        self.timeout = timeout
        self.password = password

    def fetch(
        self,
        source: str,
        label: str,
        prior: Entry | None,
        window: tuple[datetime, datetime],
        known: str | None,
    ) -> Fresh | Unchanged:
        """`source` read afresh, or Unchanged when its validator matches `prior`'s; `known` is
        the kind found at the last read. Raises SourceError with a one-line reason."""
        kind = local_kind(source)
        if kind == "file":
            return self._read_file(local_path(source), label, prior, window)
        if kind == "vdir":
            return self._read_vdir(local_path(source), label, prior, window)
        if not is_url(source):
            raise SourceError("no such file or folder")
        # HTTP and TLS load only when a source is fetched: a warm cache needs neither.
        from .web import Http, split_credentials

        url, user, url_password = split_credentials(source)
        # A password in the address wins over the configured one.
        password = self.password if url_password is None else lambda: url_password
        user = user or self.settings.calendar.username
        http = Http(url, user, password, self.timeout)
        # The kind found at the last read saves telling a file from a calendar again.
        if known == "ics-url":
            return self._read_ics_url(http, label, prior, window)
        if known == "caldav":
            return self._read_caldav(http, label, prior, window, http.propfind())
        props = http.propfind()
        if props is not None:
            return self._read_caldav(http, label, prior, window, props)
        return self._read_ics_url(http, label, None, window)

    def _parse(
        self, data: bytes | str, label: str, window: tuple[datetime, datetime]
    ) -> list[Busy]:
        from .busy import busy_from_ics

        s = self.settings
        return busy_from_ics(data, window[0], window[1], s.work, s.tz, label)

    def _read_file(
        self, path: Path, label: str, prior: Entry | None, window: tuple[datetime, datetime]
    ) -> Fresh | Unchanged:
        try:
            validator = file_validator(path)
            if prior and prior.kind == "file" and prior.validator == validator:
                return Unchanged("file")
            data = path.read_bytes()
        except OSError as exc:
            raise SourceError(_os_reason(exc)) from exc
        return Fresh(self._parse(data, label, window), validator, "file")

    def _read_vdir(
        self, path: Path, label: str, prior: Entry | None, window: tuple[datetime, datetime]
    ) -> Fresh | Unchanged:
        try:
            items = sorted(p for p in path.iterdir() if p.suffix == ".ics" and p.is_file())
            listing = [(p.name, *_stat_pair(p)) for p in items]
        except OSError as exc:
            raise SourceError(_os_reason(exc)) from exc
        digest = hashlib.sha256(orjson.dumps(listing)).hexdigest()
        validator = {"listing": digest}
        if prior and prior.kind == "vdir" and prior.validator == validator:
            return Unchanged("vdir")
        busy: list[Busy] = []
        skipped: list[str] = []
        for item in items:
            # One broken item (a half-written file, another app's bug) must not hide the rest.
            try:
                busy.extend(self._parse(item.read_bytes(), label, window))
            except (OSError, SourceError):
                skipped.append(item.name)
        notes = []
        if skipped:
            shown = ", ".join(skipped[:3]) + (" …" if len(skipped) > 3 else "")
            notes.append(f"skipped {len(skipped)} unreadable item(s) ({shown})")
        return Fresh(busy, validator, "vdir", notes)

    def _read_ics_url(
        self, http: Http, label: str, prior: Entry | None, window: tuple[datetime, datetime]
    ) -> Fresh | Unchanged:
        headers = {"Accept": "text/calendar, */*;q=0.5"}
        if prior and prior.kind == "ics-url":
            if etag := prior.validator.get("etag"):
                headers["If-None-Match"] = etag
            if modified := prior.validator.get("last_modified"):
                headers["If-Modified-Since"] = modified
        status, reply_headers, body = http.request("GET", headers)
        if status == 304 and prior is not None:
            return Unchanged("ics-url")
        if status != 200:
            from .web import status_text

            raise SourceError(status_text(status))
        ctype = reply_headers.get("content-type", "")
        if "calendar" not in ctype.lower() and b"BEGIN:VCALENDAR" not in body[:4096].upper():
            shown = ctype.split(";")[0].strip() or "no content type"
            raise SourceError(f"not a calendar (the address answers {shown})")
        validator = {
            key: value
            for key, value in (
                ("etag", reply_headers.get("etag")),
                ("last_modified", reply_headers.get("last-modified")),
            )
            if value
        }
        return Fresh(self._parse(body, label, window), validator, "ics-url")

    def _read_caldav(
        self,
        http: Http,
        label: str,
        prior: Entry | None,
        window: tuple[datetime, datetime],
        props: dict[str, str] | None,
    ) -> Fresh | Unchanged:
        if props is None:
            raise SourceError("not a CalDAV calendar any more (it does not answer PROPFIND)")
        validator = {k: v for k, v in props.items() if k in ("ctag", "sync_token") and v}
        if prior and prior.kind == "caldav" and validator and prior.validator == validator:
            return Unchanged("caldav")
        from .busy import busy_from_calendars, parse_calendars

        busy: list[Busy] = []
        skipped = 0
        s = self.settings
        for data in http.caldav_events(window):
            try:
                calendars = parse_calendars(data)
                busy.extend(busy_from_calendars(calendars, *window, s.work, s.tz, label))
            except SourceError:
                skipped += 1
        notes = [f"skipped {skipped} unreadable event(s)"] if skipped else []
        return Fresh(busy, validator, "caldav", notes)


def _os_reason(exc: OSError) -> str:
    if isinstance(exc, FileNotFoundError):
        return "no such file or folder"
    if isinstance(exc, PermissionError):
        return "permission denied"
    return exc.strerror or type(exc).__name__


def is_url(source: str) -> bool:
    return source.lower().startswith(("http://", "https://"))


def local_path(source: str) -> Path:
    return Path(os.path.expanduser(source))


def local_kind(source: str) -> str | None:
    if is_url(source):
        return None
    path = local_path(source)
    if path.is_dir():
        return "vdir"
    if path.exists() or source.lower().endswith(".ics"):
        return "file"
    return None


def _stat_pair(path: Path) -> tuple[int, int]:
    info = path.stat()
    return info.st_mtime_ns, info.st_size


def file_validator(path: Path) -> dict[str, Any]:
    mtime, size = _stat_pair(path)
    return {"mtime_ns": mtime, "size": size}
