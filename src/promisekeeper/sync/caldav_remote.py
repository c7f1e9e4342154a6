"""A CalDAV collection as a sync `Remote`, through the `caldav` library.

`caldav` is imported on the first request, not with this module: a vdir sync and every other
command never load it. Every library or network error becomes a `SyncError` here, in one place
(`_caldav_reason`), with the exit code of its kind of cause (see `remote.py`).
"""

from __future__ import annotations

import os
import urllib.parse
from collections.abc import Iterable
from typing import Any

from ..calendar.busy import SourceError
from ..calendar.sources import run_password_command, source_label
from ..config import Settings
from .protocol import (
    EXIT_NOINPUT,
    EXIT_NOPERM,
    EXIT_PROTOCOL,
    EXIT_UNAVAILABLE,
    PASSWORD_ENV,
    PreconditionFailed,
    SyncError,
)


class CalDAVRemote:
    """A CalDAV calendar collection, through the `caldav` library (imported on first use)."""

    def __init__(self, url: str, settings: Settings) -> None:
        self.url = url if url.endswith("/") else url + "/"
        self.label = source_label(self.url)
        self.settings = settings
        self.timeout = settings.sync.timeout.total_seconds()
        self._client: Any = None
        self._calendar: Any = None

    # the connection ---------------------------------------------------------------------------

    def _password(self) -> str | None:
        if env := os.environ.get(PASSWORD_ENV):
            return env
        command = self.settings.sync.password_command
        if not command:
            return None
        try:
            return run_password_command(command, self.timeout)  # the same rules as [calendar]
        except SourceError as exc:
            raise SyncError(str(exc), EXIT_NOPERM) from exc

    def _cal(self) -> Any:
        if self._calendar is None:
            import caldav

            parts = urllib.parse.urlsplit(self.url)
            user = self.settings.sync.username or (
                urllib.parse.unquote(parts.username) if parts.username else None
            )
            password = self._password()
            if password is None and parts.password is not None:
                password = urllib.parse.unquote(parts.password)
            bare = urllib.parse.urlunsplit(
                (parts.scheme, parts.netloc.rpartition("@")[2], parts.path, parts.query, "")
            )
            self._client = caldav.DAVClient(
                url=bare, username=user, password=password, timeout=self.timeout
            )
            self._calendar = self._client.calendar(url=bare)
        return self._calendar

    def _multistatus(self, method: str, body: str) -> bytes:
        """A Depth 1 PROPFIND or REPORT on the collection; its 207 multistatus body."""
        try:
            cal = self._cal()
            response = self._client.request(
                str(cal.url), method, body, {"Depth": "1", "Content-Type": "application/xml"}
            )
        except Exception as exc:
            raise self._fail(exc) from exc
        if response.status != 207:
            raise self._status(response.status, method)
        return response.raw

    def _fail(self, exc: BaseException) -> SyncError:
        """The one translation of a library or network error into a SyncError."""
        reason, code = _caldav_reason(exc, self.timeout)
        return SyncError(f"sync with {self.label} failed: {reason}", code)

    def _status(self, status: int, what: str) -> SyncError:
        if status in (401, 403):
            return SyncError(
                f"sync with {self.label} failed: {status} (check username and password)",
                EXIT_NOPERM,
            )
        if status == 404:
            return SyncError(
                f"sync with {self.label} failed: 404, no such collection (check [sync] url)",
                EXIT_NOINPUT,
            )
        if status >= 500:
            return SyncError(
                f"sync with {self.label} failed: server error {status} ({what}); try again later",
                EXIT_UNAVAILABLE,
            )
        return SyncError(f"sync with {self.label} failed: {what} answered {status}", EXIT_PROTOCOL)

    # the interface ----------------------------------------------------------------------------

    def list(self) -> dict[str, str]:
        """A Depth-1 PROPFIND of every item's etag."""
        body = (
            '<?xml version="1.0" encoding="utf-8"?><d:propfind xmlns:d="DAV:"><d:prop>'
            "<d:getetag/><d:resourcetype/></d:prop></d:propfind>"
        )
        return _etags_from_multistatus(self._multistatus("PROPFIND", body), self._path())

    def token(self) -> str | None:
        try:
            cal = self._cal()
            response = self._client.request(
                str(cal.url),
                "PROPFIND",
                '<?xml version="1.0" encoding="utf-8"?><d:propfind xmlns:d="DAV:"><d:prop>'
                "<d:sync-token/></d:prop></d:propfind>",
                {"Depth": "0", "Content-Type": "application/xml"},
            )
        except Exception as exc:
            raise self._fail(exc) from exc
        if response.status != 207:
            raise self._status(response.status, "PROPFIND")
        found = _xml_texts(response.raw, "{DAV:}sync-token")
        return found[0] if found else None

    def changes(self, token: str | None) -> tuple[dict[str, str], set[str], str] | None:
        """RFC 6578 sync-collection via `get_objects_by_sync_token`; None when the server does
        not know the token (Radicale forgets them with its cache) or does not support it."""
        if not token:
            return None
        try:
            cal = self._cal()
        except Exception as exc:
            raise self._fail(exc) from exc
        try:
            found = cal.get_objects_by_sync_token(token, load_objects=False, disable_fallback=True)
        except Exception as exc:
            if _is_network(exc):
                raise self._fail(exc) from exc
            return None  # an expired token or no support: the caller lists everything
        from caldav.elements import dav

        deleted = {_path_of(str(u)) for u in getattr(found, "deleted_urls", ()) or ()}
        changed = {
            _path_of(str(o.url)): str((getattr(o, "props", None) or {}).get(dav.GetEtag.tag, ""))
            for o in found
        }
        new_token = getattr(found, "sync_token", None)
        if not new_token:
            return None
        base = self._path()
        changed = {h: e for h, e in changed.items() if h != base and h not in deleted}
        return changed, deleted, str(new_token)

    def get(self, hrefs: Iterable[str]) -> dict[str, tuple[str, str]]:
        """One calendar-multiget REPORT for all of them."""
        wanted = sorted(set(hrefs))
        if not wanted:
            return {}
        hrefs_xml = "".join(
            f"<d:href>{_xml_escape(urllib.parse.quote(h))}</d:href>" for h in wanted
        )
        body = (
            '<?xml version="1.0" encoding="utf-8"?>'
            '<c:calendar-multiget xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">'
            f"<d:prop><d:getetag/><c:calendar-data/></d:prop>{hrefs_xml}</c:calendar-multiget>"
        )
        return _data_from_multistatus(self._multistatus("REPORT", body))

    def put(self, href: str, ics: str, etag: str | None) -> str:
        headers = {"Content-Type": "text/calendar; charset=utf-8"}
        if etag is None:
            headers["If-None-Match"] = "*"
        else:
            headers["If-Match"] = etag
        try:
            self._cal()
            response = self._client.request(self._absolute(href), "PUT", ics, headers)
        except Exception as exc:
            raise self._fail(exc) from exc
        if response.status == 412:
            raise PreconditionFailed(href)
        if response.status not in (200, 201, 204):
            raise self._status(response.status, "PUT")
        new = response.headers.get("ETag") or response.headers.get("etag")
        if new:
            return str(new)
        found = self.get([href]).get(href)  # a server that does not send the etag back
        return found[0] if found else ""

    def delete(self, href: str, etag: str) -> None:
        try:
            self._cal()
            response = self._client.request(self._absolute(href), "DELETE", "", {"If-Match": etag})
        except Exception as exc:
            raise self._fail(exc) from exc
        if response.status == 412:
            raise PreconditionFailed(href)
        if response.status not in (200, 204, 404):
            raise self._status(response.status, "DELETE")

    def href_for(self, uid: str) -> str:
        from ..exchange.ical import vdir_name

        return self._path() + vdir_name(uid)

    # helpers ----------------------------------------------------------------------------------

    def _path(self) -> str:
        return _path_of(self.url)

    def _absolute(self, href: str) -> str:
        parts = urllib.parse.urlsplit(self.url)
        netloc = parts.netloc.rpartition("@")[2]
        return urllib.parse.urlunsplit((parts.scheme, netloc, urllib.parse.quote(href), "", ""))


def _path_of(url: str) -> str:
    """The unquoted path of a URL or href: the one key an item is known by."""
    return urllib.parse.unquote(urllib.parse.urlsplit(url).path)


def _xml_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _parse_xml(raw: bytes) -> Any:
    from xml.etree import ElementTree

    try:
        return ElementTree.fromstring(raw)
    except ElementTree.ParseError as exc:
        raise SyncError(f"the server's answer is not XML ({exc})", EXIT_PROTOCOL) from exc


def _xml_texts(raw: bytes, tag: str) -> list[str]:
    return [e.text or "" for e in _parse_xml(raw).iter(tag)]


def _responses(raw: bytes) -> Iterable[tuple[str, dict[str, str], str]]:
    """(href, {prop tag: text}, status) per `response` of a 207 multistatus."""
    root = _parse_xml(raw)
    for response in root.iter("{DAV:}response"):
        href = _path_of(response.findtext("{DAV:}href") or "")
        props: dict[str, str] = {}
        status = response.findtext("{DAV:}status") or ""
        for propstat in response.iter("{DAV:}propstat"):
            if "200" not in (propstat.findtext("{DAV:}status") or ""):
                continue
            for prop in propstat.iter("{DAV:}prop"):
                for child in prop:
                    if child.tag == "{DAV:}resourcetype":
                        props[child.tag] = ",".join(c.tag for c in child)
                    else:
                        props[child.tag] = child.text or ""
        yield href, props, status


def _etags_from_multistatus(raw: bytes, base: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for href, props, _ in _responses(raw):
        if href.rstrip("/") == base.rstrip("/") or "collection" in props.get(
            "{DAV:}resourcetype", ""
        ):
            continue
        if href.endswith(".ics") or "{DAV:}getetag" in props:
            found[href] = props.get("{DAV:}getetag", "")
    return found


def _data_from_multistatus(raw: bytes) -> dict[str, tuple[str, str]]:
    data_tag = "{urn:ietf:params:xml:ns:caldav}calendar-data"
    return {
        href: (props.get("{DAV:}getetag", ""), props[data_tag])
        for href, props, _ in _responses(raw)
        if props.get(data_tag)
    }


def _kinds(exc: BaseException) -> set[str]:
    # caldav talks through niquests or requests, whichever is installed: go by class names.
    return {cls.__name__ for cls in type(exc).__mro__}


def _is_network(exc: BaseException) -> bool:
    return isinstance(exc, OSError) or bool(_kinds(exc) & {"RequestException", "ConnectionError"})


def _caldav_reason(exc: BaseException, timeout: float) -> tuple[str, int]:
    """A short cause and its exit code, for any error the library or the network raised."""
    if isinstance(exc, SyncError):
        return str(exc), exc.exit_code
    kinds = _kinds(exc)
    name = type(exc).__name__
    text = " ".join(str(exc).split())
    if name == "AuthorizationError":
        return "401/403 Unauthorized (check username and password)", EXIT_NOPERM
    if name == "NotFoundError":
        return "404, no such collection (check [sync] url)", EXIT_NOINPUT
    if "SSLError" in kinds or "CERTIFICATE" in text.upper():
        return "TLS error (certificate or handshake)", EXIT_UNAVAILABLE
    if kinds & {"Timeout", "ReadTimeout", "ConnectTimeout", "TimeoutError"}:
        return f"not answering (timed out after {timeout:g} s)", EXIT_UNAVAILABLE
    if "NameResolution" in text or "Name or service not known" in text:
        return "unknown host (offline?)", EXIT_UNAVAILABLE
    if name == "RateLimitError":
        return "503/429, the server is busy; try again later", EXIT_UNAVAILABLE
    if _is_network(exc):
        return "not answering (cannot connect)", EXIT_UNAVAILABLE
    status = getattr(exc, "status", None) or getattr(exc, "status_code", None)
    if isinstance(status, int) and status >= 500:
        return f"server error {status}", EXIT_UNAVAILABLE
    return f"CalDAV error ({name}{': ' + text[:100] if text else ''})", EXIT_PROTOCOL
