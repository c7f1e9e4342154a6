"""Talking to calendar servers: HTTP with Basic auth sent only when the server asks (and never
carried to another host by a redirect), PROPFIND to tell a CalDAV calendar from a published file,
the CalDAV client for its events, and one-line reasons for every failure.
"""

from __future__ import annotations

import base64
import contextlib
import socket
import ssl
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from datetime import datetime

from .busy import SourceError

MAX_BODY = 64 * 1024 * 1024

_PROPFIND = b"""<?xml version="1.0" encoding="utf-8"?>
<d:propfind xmlns:d="DAV:" xmlns:cs="http://calendarserver.org/ns/">
  <d:prop><d:resourcetype/><cs:getctag/><d:sync-token/></d:prop>
</d:propfind>"""


class SameHostAuth(urllib.request.HTTPRedirectHandler):
    """Follow redirects, but never carry the Authorization header to another host: a published
    calendar that redirects to a CDN must not receive the user's password."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
        new = super().redirect_request(req, fp, code, msg, headers, newurl)
        if new is not None:
            old_host = urllib.parse.urlsplit(req.full_url)[:2]
            if urllib.parse.urlsplit(new.full_url)[:2] != old_host:
                new.headers.pop("Authorization", None)
                new.unredirected_hdrs.pop("Authorization", None)
        return new


OPENER = urllib.request.build_opener(SameHostAuth)


class Http:
    """Requests to one address, with Basic auth sent only after the server asks for it."""

    def __init__(
        self, url: str, user: str | None, password: Callable[[], str | None], timeout: float
    ) -> None:
        self.url = url
        self.user = user
        # Called only when the server asks for a password: a command is never run for nothing.
        self._password = password
        self.timeout = timeout
        self.needs_auth = False

    def request(
        self, method: str, headers: dict[str, str], body: bytes | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        status, reply, data = self._once(method, headers, body, auth=self.needs_auth)
        if status == 401 and not self.needs_auth and self.user:
            self.needs_auth = True
            status, reply, data = self._once(method, headers, body, auth=True)
        if status == 401:
            hint = "check username and password" if self.user else "set [calendar] username"
            raise SourceError(f"401 Unauthorized ({hint})")
        return status, reply, data

    def _once(
        self, method: str, headers: dict[str, str], body: bytes | None, auth: bool
    ) -> tuple[int, dict[str, str], bytes]:
        request = urllib.request.Request(self.url, data=body, method=method, headers=headers)
        request.add_header("User-Agent", "promisekeeper")
        if auth:
            secret = self._password() or ""
            token = base64.b64encode(f"{self.user}:{secret}".encode()).decode()
            request.add_header("Authorization", f"Basic {token}")
        timeout = self.timeout
        try:
            with OPENER.open(request, timeout=timeout) as response:
                data = response.read(MAX_BODY + 1)
                status, reply = response.status, response.headers
        except urllib.error.HTTPError as exc:
            with contextlib.closing(exc):
                try:
                    data = exc.read(MAX_BODY + 1)
                except (OSError, ValueError):
                    data = b""
            status, reply = exc.code, exc.headers
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise SourceError(_network_reason(exc, timeout)) from exc
        if len(data) > MAX_BODY:
            raise SourceError(f"the answer is larger than {MAX_BODY // 2**20} MB")
        return status, {k.lower(): v for k, v in reply.items()}, data

    def propfind(self) -> dict[str, str] | None:
        """The collection's ctag and sync token when the address is a CalDAV calendar; None when
        it does not speak CalDAV (a published file, a web page)."""
        headers = {"Depth": "0", "Content-Type": "application/xml; charset=utf-8"}
        status, _, body = self.request("PROPFIND", headers, _PROPFIND)
        if status == 404:
            raise SourceError(status_text(404))
        if status != 207:
            return None
        return _parse_propfind(body)

    def caldav_events(self, window: tuple[datetime, datetime]) -> list[str]:
        """The raw iCalendar text of every event resource the server says touches the window
        (recurring ones whole: they are expanded here, the same way as files)."""
        import caldav

        password = self._password() if self.needs_auth else None
        try:
            client = caldav.DAVClient(
                url=self.url,
                username=self.user if self.needs_auth else None,
                password=password,
                timeout=self.timeout,  # type: ignore[arg-type]
            )
            with client:
                calendar = client.calendar(url=self.url)
                found = calendar.search(event=True, start=window[0], end=window[1], expand=False)
                return [str(item.data) for item in found if item.data]
        except SourceError:
            raise
        except Exception as exc:  # the library's own errors and the HTTP stack's
            raise SourceError(_caldav_reason(exc, self.timeout)) from exc


def _parse_propfind(body: bytes) -> dict[str, str] | None:
    import xml.etree.ElementTree as ET

    try:
        root = ET.fromstring(body)
    except ET.ParseError:
        return None
    if root.find(".//{DAV:}resourcetype/{urn:ietf:params:xml:ns:caldav}calendar") is None:
        return None
    found: dict[str, str] = {}
    ctag = root.find(".//{http://calendarserver.org/ns/}getctag")
    token = root.find(".//{DAV:}sync-token")
    if ctag is not None and ctag.text:
        found["ctag"] = ctag.text.strip()
    if token is not None and token.text:
        found["sync_token"] = token.text.strip()
    return found


def split_credentials(source: str) -> tuple[str, str | None, str | None]:
    parts = urllib.parse.urlsplit(source)
    if parts.username is None and parts.password is None:
        return source, None, None
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = host + (f":{parts.port}" if parts.port else "")
    bare = urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, parts.query, ""))
    user = urllib.parse.unquote(parts.username) if parts.username else None
    password = urllib.parse.unquote(parts.password) if parts.password is not None else None
    return bare, user, password


_REASONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    410: "Gone",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


def status_text(status: int) -> str:
    return f"{status} {_REASONS.get(status, 'from the server')}".strip()


def _network_reason(exc: BaseException, timeout: float) -> str:
    reason: object = exc.reason if isinstance(exc, urllib.error.URLError) else exc
    if isinstance(reason, TimeoutError | socket.timeout):
        return f"not answering (timed out after {timeout:g} s)"
    if isinstance(reason, ConnectionRefusedError):
        return "not answering (connection refused)"
    if isinstance(reason, socket.gaierror):
        return "unknown host (offline?)"
    if isinstance(reason, ssl.SSLError):
        return f"TLS error ({getattr(reason, 'reason', None) or 'handshake failed'})"
    if isinstance(reason, OSError):
        return f"cannot connect ({reason.strerror or type(reason).__name__})"
    return f"cannot connect ({' '.join(str(reason).split())[:120]})"


def _caldav_reason(exc: BaseException, timeout: float) -> str:
    name = type(exc).__name__
    if name == "AuthorizationError":
        return "401 Unauthorized (check username and password)"
    if name == "NotFoundError":
        return status_text(404)
    if "Timeout" in name or isinstance(exc, TimeoutError):
        return f"not answering (timed out after {timeout:g} s)"
    if "Connection" in name:
        return "not answering (cannot connect)"
    # Library messages can be long and hold the request; keep the type and the first words.
    words = " ".join(str(exc).split())[:100]
    return f"CalDAV error ({name}{': ' + words if words else ''})"
