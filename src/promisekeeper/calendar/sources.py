"""Reading the user's busy sources (read only): local .ics files, vdir folders, published ICS
addresses and CalDAV calendars, each cached on disk with its validator.

`read_busy` is what `pk later`, `pk book` and `pk slots` call; `check_sources` is `pk calendar
check`. Neither ever raises for a source that cannot be read: the reason becomes one warning line
and the last cached copy (if any) is used instead.

Speed: the network modules (urllib.request, ssl, socket, subprocess) are imported only when a
source is actually fetched, so a warm read costs `pk later` little more than loading orjson. A
cache younger than `[calendar] refresh` is used as it is — no network, and for a vdir or
a URL not even a look at the source; a single file is checked with one stat. The cache holds the
expanded intervals as flat lists of epoch seconds, loaded with orjson; the calendar libraries are
imported only when a source has to be parsed or fetched.

Secrets: the password (`PK_CALENDAR_PASSWORD`, else the first line printed by `password_command`,
run without a shell) stays in memory; it is never printed, never written to the cache, never put
on a command line. Source names in messages and in the cache have any user:password@ and query
string removed.
"""

from __future__ import annotations

import bisect
import contextlib
import functools
import hashlib
import os
import urllib.parse
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

import orjson

from ..config import Settings
from .busy import Busy, SourceError

CACHE_VERSION = 1
# What one read expands and caches, around the time of the read: enough for every window the
# commands ask for (past slots in `pk slots`, offers weeks ahead), so most reads hit the cache.
WINDOW_BACK = timedelta(days=7)
WINDOW_AHEAD = timedelta(days=120)
PASSWORD_ENV = "PK_CALENDAR_PASSWORD"
MAX_BODY = 64 * 1024 * 1024

KINDS = ("file", "vdir", "ics-url", "caldav")


@dataclass(frozen=True)
class SourceReport:
    """How one source went: `kind` is file, vdir, ics-url or caldav ("url" when a URL could not
    be told apart because it never answered). `fetched_at` is when the data used was read."""

    source: str
    ok: bool
    kind: str
    events_this_week: int
    error: str | None = None
    fetched_at: datetime | None = None
    from_cache: bool = False


@dataclass
class BusyResult:
    """Busy intervals of every source in the asked window (sorted), warning lines, one report
    per configured source."""

    busy: list[Busy] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    sources: list[SourceReport] = field(default_factory=list)


def cache_directory(override: str | os.PathLike[str] | None = None) -> Path:
    """`override`, else `PK_CACHE_DIR`, else `$XDG_CACHE_HOME/promisekeeper`, else
    `~/.cache/promisekeeper`."""
    if override:
        return Path(override)
    if chosen := os.environ.get("PK_CACHE_DIR"):
        return Path(os.path.expanduser(chosen))
    if xdg := os.environ.get("XDG_CACHE_HOME"):
        return Path(xdg) / "promisekeeper"
    return Path(os.path.expanduser("~")) / ".cache" / "promisekeeper"


def source_label(source: str) -> str:
    """The source as it may be shown and stored: no user:password@, no query string (published
    calendar addresses sometimes carry a token there)."""
    if not _is_url(source):
        return source
    parts = urllib.parse.urlsplit(source)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = host + (f":{parts.port}" if parts.port else "")
    query = "…" if parts.query else ""
    return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, query, ""))


def read_busy(
    settings: Settings,
    start: datetime,
    end: datetime,
    now: datetime,
    *,
    refresh: bool = False,
    cache_dir: str | os.PathLike[str] | None = None,
) -> BusyResult:
    """Busy intervals of every `[calendar] busy` source that overlap [start, end).

    A cached copy younger than `settings.calendar.refresh` is used without reading the source
    (a local file is still checked with one stat); `refresh=True` reads every source. Never
    raises for a source: a failure is a warning and the last cached copy is used."""
    result = BusyResult()
    if not settings.calendar.busy:
        return result
    reader = _Reader(settings, now, cache_directory(cache_dir))
    week = _this_week(settings, now)
    for source in settings.calendar.busy:
        busy, report, warnings = reader.read(source, start, end, refresh, week)
        result.busy.extend(busy)
        result.warnings.extend(warnings)
        result.sources.append(report)
    result.busy.sort(key=lambda b: (b.start, b.end, b.summary))
    return result


def check_sources(
    settings: Settings, now: datetime, cache_dir: str | os.PathLike[str] | None = None
) -> list[SourceReport]:
    """Read every source once, now (`pk calendar check`): one report each, with the number of
    busy intervals this week (Monday to Sunday in the user's zone) or why it failed."""
    first, last = _this_week(settings, now)
    result = read_busy(settings, first, last, now, refresh=True, cache_dir=cache_dir)
    return result.sources


# ---------------------------------------------------------------------------------------------
# One source at a time


@dataclass
class _Entry:
    """A cached copy of one source, as stored: flat lists, epoch seconds."""

    kind: str
    fetched: float
    window: tuple[float, float]
    params: str
    validator: dict[str, Any]
    starts: list[int]
    ends: list[int]
    summaries: list[str]
    all_day: list[int]
    # The longest interval, in seconds: with `starts` sorted it bounds where a search for
    # intervals overlapping a window has to begin.
    longest: int = 0

    def overlapping(self, lo: float, hi: float) -> list[int]:
        """Indexes of the intervals overlapping [lo, hi), found by bisection: a warm cache
        of thousands of events costs a few comparisons, not a loop over all of them."""
        first = bisect.bisect_left(self.starts, lo - self.longest)
        last = bisect.bisect_left(self.starts, hi)
        ends = self.ends
        return [i for i in range(first, last) if ends[i] > lo]

    def covers(self, start: float, end: float) -> bool:
        return self.window[0] <= start and end <= self.window[1]


@dataclass
class _Fresh:
    busy: list[Busy]
    validator: dict[str, Any]
    kind: str
    notes: list[str] = field(default_factory=list)


@dataclass
class _Unchanged:
    """The source says nothing changed since the cached copy (same mtime, 304, same ctag)."""

    kind: str


class _Reader:
    def __init__(self, settings: Settings, now: datetime, cache_dir: Path) -> None:
        self.settings = settings
        self.now = now
        self.cache_dir = cache_dir
        self.timeout = max(settings.calendar.timeout.total_seconds(), 0.1)
        self._password: str | None = None
        self.params = _params(settings)

    # -- the decision: cache or source ---------------------------------------------------------

    def read(
        self,
        source: str,
        start: datetime,
        end: datetime,
        refresh: bool,
        week: tuple[datetime, datetime],
    ) -> tuple[list[Busy], SourceReport, list[str]]:
        label = source_label(source)
        path = self.cache_dir / f"busy-{hashlib.sha256(source.encode()).hexdigest()[:32]}.json"
        entry = _load_entry(path)
        if entry is not None and entry.params != self.params:
            entry = None  # another zone or working time: the intervals would be placed wrongly
        lo, hi = start.timestamp(), end.timestamp()
        age = self.now.timestamp() - entry.fetched if entry else None
        young = age is not None and 0 <= age < self.settings.calendar.refresh.total_seconds()
        if (
            entry
            and young
            and not refresh
            and entry.covers(lo, hi)
            and self._still_same(source, entry)
        ):
            report = self._report(label, entry, week, ok=True, from_cache=True)
            return _busy_in(entry, lo, hi, label), report, []
        window = (
            min(start, self.now - WINDOW_BACK).astimezone(UTC),
            max(end, self.now + WINDOW_AHEAD).astimezone(UTC),
        )
        # A validator says "unchanged" about the window the copy was expanded for: enough when
        # that window holds the asked one (the fetch window itself slides with `now`).
        prior = entry if entry and entry.covers(lo, hi) else None
        try:
            outcome = self._fetch(source, label, prior, window, entry.kind if entry else None)
        except SourceError as exc:
            return self._failed(label, entry, str(exc), lo, hi, week, source)
        if isinstance(outcome, _Unchanged):
            assert prior is not None
            prior.fetched = self.now.timestamp()
            fresh_entry = prior
        else:
            fresh_entry = _entry_from(outcome, window, self.now, self.params)
        _store_entry(path, fresh_entry, label)
        notes = [f"calendar {label}: {note}" for note in getattr(outcome, "notes", [])]
        report = self._report(label, fresh_entry, week, ok=True, from_cache=False)
        return _busy_in(fresh_entry, lo, hi, label), report, notes

    def _failed(
        self,
        label: str,
        entry: _Entry | None,
        why: str,
        lo: float,
        hi: float,
        week: tuple[datetime, datetime],
        source: str,
    ) -> tuple[list[Busy], SourceReport, list[str]]:
        if entry is None:
            warning = f"calendar {label}: {why}; no copy cached"
            kind = "url" if _is_url(source) else (_local_kind(source) or "file")
            return [], SourceReport(label, False, kind, 0, why), [warning]
        ago = _age(self.now.timestamp() - entry.fetched)
        warning = f"calendar {label}: {why}; using the copy from {ago}"
        report = self._report(label, entry, week, ok=False, from_cache=True, error=why)
        return _busy_in(entry, lo, hi, label), report, [warning]

    def _report(
        self,
        label: str,
        entry: _Entry,
        week: tuple[datetime, datetime],
        *,
        ok: bool,
        from_cache: bool,
        error: str | None = None,
    ) -> SourceReport:
        lo, hi = week[0].timestamp(), week[1].timestamp()
        count = len(entry.overlapping(lo, hi))
        fetched = datetime.fromtimestamp(entry.fetched, UTC)
        return SourceReport(label, ok, entry.kind, count, error, fetched, from_cache)

    def _still_same(self, source: str, entry: _Entry) -> bool:
        """Within the refresh time only a single file is looked at, with one stat: cheap, and an
        edited file is seen at once."""
        if entry.kind != "file":
            return True
        try:
            return _file_validator(_local_path(source)) == entry.validator
        except OSError:
            return False

    # -- reading each kind ---------------------------------------------------------------------

    def _fetch(
        self,
        source: str,
        label: str,
        prior: _Entry | None,
        window: tuple[datetime, datetime],
        known: str | None,
    ) -> _Fresh | _Unchanged:
        kind = _local_kind(source)
        if kind == "file":
            return self._read_file(_local_path(source), label, prior, window)
        if kind == "vdir":
            return self._read_vdir(_local_path(source), label, prior, window)
        if not _is_url(source):
            raise SourceError("no such file or folder")
        url, user, password = _split_credentials(source)
        http = _Http(self, url, user, password)
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
        self, path: Path, label: str, prior: _Entry | None, window: tuple[datetime, datetime]
    ) -> _Fresh | _Unchanged:
        try:
            validator = _file_validator(path)
            if prior and prior.kind == "file" and prior.validator == validator:
                return _Unchanged("file")
            data = path.read_bytes()
        except OSError as exc:
            raise SourceError(_os_reason(exc)) from exc
        return _Fresh(self._parse(data, label, window), validator, "file")

    def _read_vdir(
        self, path: Path, label: str, prior: _Entry | None, window: tuple[datetime, datetime]
    ) -> _Fresh | _Unchanged:
        try:
            items = sorted(p for p in path.iterdir() if p.suffix == ".ics" and p.is_file())
            listing = [(p.name, *_stat_pair(p)) for p in items]
        except OSError as exc:
            raise SourceError(_os_reason(exc)) from exc
        digest = hashlib.sha256(orjson.dumps(listing)).hexdigest()
        validator = {"listing": digest}
        if prior and prior.kind == "vdir" and prior.validator == validator:
            return _Unchanged("vdir")
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
        return _Fresh(busy, validator, "vdir", notes)

    def _read_ics_url(
        self, http: _Http, label: str, prior: _Entry | None, window: tuple[datetime, datetime]
    ) -> _Fresh | _Unchanged:
        headers = {"Accept": "text/calendar, */*;q=0.5"}
        if prior and prior.kind == "ics-url":
            if etag := prior.validator.get("etag"):
                headers["If-None-Match"] = etag
            if modified := prior.validator.get("last_modified"):
                headers["If-Modified-Since"] = modified
        status, reply_headers, body = http.request("GET", headers)
        if status == 304 and prior is not None:
            return _Unchanged("ics-url")
        if status != 200:
            raise SourceError(_status_text(status))
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
        return _Fresh(self._parse(body, label, window), validator, "ics-url")

    def _read_caldav(
        self,
        http: _Http,
        label: str,
        prior: _Entry | None,
        window: tuple[datetime, datetime],
        props: dict[str, str] | None,
    ) -> _Fresh | _Unchanged:
        if props is None:
            raise SourceError("not a CalDAV calendar any more (it does not answer PROPFIND)")
        validator = {k: v for k, v in props.items() if k in ("ctag", "sync_token") and v}
        if prior and prior.kind == "caldav" and validator and prior.validator == validator:
            return _Unchanged("caldav")
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
        return _Fresh(busy, validator, "caldav", notes)

    def password(self) -> str | None:
        """`PK_CALENDAR_PASSWORD`, else the first line `password_command` prints; asked for at
        most once per read, and only when a server wants it."""
        if self._password is not None:
            return self._password
        if env := os.environ.get(PASSWORD_ENV):
            self._password = env
            return env
        command = self.settings.calendar.password_command
        if not command:
            return None
        self._password = run_password_command(command, self.timeout)
        return self._password


def run_password_command(command: str, timeout: float) -> str:
    """The first line `command` prints, run without a shell. Raises SourceError (never with the
    command's output, which may be the password) when it fails."""
    import shlex
    import subprocess

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


# ---------------------------------------------------------------------------------------------
# HTTP and CalDAV

_PROPFIND = b"""<?xml version="1.0" encoding="utf-8"?>
<d:propfind xmlns:d="DAV:" xmlns:cs="http://calendarserver.org/ns/">
  <d:prop><d:resourcetype/><cs:getctag/><d:sync-token/></d:prop>
</d:propfind>"""


@functools.cache
def _opener() -> Any:
    """The opener every request goes through, built at the first fetch (a warm read never
    imports urllib.request)."""
    import urllib.request

    class SameHostAuth(urllib.request.HTTPRedirectHandler):
        """Follow redirects, but never carry the Authorization header to another host: a
        published calendar that redirects to a CDN must not receive the user's password."""

        def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
            new = super().redirect_request(req, fp, code, msg, headers, newurl)
            if new is not None:
                old_host = urllib.parse.urlsplit(req.full_url)[:2]
                if urllib.parse.urlsplit(new.full_url)[:2] != old_host:
                    new.headers.pop("Authorization", None)
                    new.unredirected_hdrs.pop("Authorization", None)
            return new

    return urllib.request.build_opener(SameHostAuth)


class _Http:
    """Requests to one address, with Basic auth sent only after the server asks for it."""

    def __init__(self, reader: _Reader, url: str, user: str | None, password: str | None) -> None:
        self.reader = reader
        self.url = url
        self.user = user or reader.settings.calendar.username
        self.url_password = password
        self.needs_auth = False

    def _password(self) -> str | None:
        return self.url_password if self.url_password is not None else self.reader.password()

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
        import base64
        import urllib.error
        import urllib.request

        request = urllib.request.Request(self.url, data=body, method=method, headers=headers)
        request.add_header("User-Agent", "promisekeeper")
        if auth:
            secret = self._password() or ""
            token = base64.b64encode(f"{self.user}:{secret}".encode()).decode()
            request.add_header("Authorization", f"Basic {token}")
        timeout = self.reader.timeout
        try:
            with _opener().open(request, timeout=timeout) as response:
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
            raise SourceError(_status_text(404))
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
                timeout=self.reader.timeout,  # type: ignore[arg-type]
            )
            with client:
                calendar = client.calendar(url=self.url)
                found = calendar.search(event=True, start=window[0], end=window[1], expand=False)
                return [str(item.data) for item in found if item.data]
        except SourceError:
            raise
        except Exception as exc:  # the library's own errors and the HTTP stack's
            raise SourceError(_caldav_reason(exc, self.reader.timeout)) from exc


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


def _split_credentials(source: str) -> tuple[str, str | None, str | None]:
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


def _status_text(status: int) -> str:
    return f"{status} {_REASONS.get(status, 'from the server')}".strip()


def _network_reason(exc: BaseException, timeout: float) -> str:
    import socket
    import ssl
    import urllib.error

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
        return _status_text(404)
    if "Timeout" in name or isinstance(exc, TimeoutError):
        return f"not answering (timed out after {timeout:g} s)"
    if "Connection" in name:
        return "not answering (cannot connect)"
    # Library messages can be long and hold the request; keep the type and the first words.
    words = " ".join(str(exc).split())[:100]
    return f"CalDAV error ({name}{': ' + words if words else ''})"


def _os_reason(exc: OSError) -> str:
    if isinstance(exc, FileNotFoundError):
        return "no such file or folder"
    if isinstance(exc, PermissionError):
        return "permission denied"
    return exc.strerror or type(exc).__name__


# ---------------------------------------------------------------------------------------------
# Local sources


def _is_url(source: str) -> bool:
    return source.lower().startswith(("http://", "https://"))


def _local_path(source: str) -> Path:
    return Path(os.path.expanduser(source))


def _local_kind(source: str) -> str | None:
    if _is_url(source):
        return None
    path = _local_path(source)
    if path.is_dir():
        return "vdir"
    if path.exists() or source.lower().endswith(".ics"):
        return "file"
    return None


def _stat_pair(path: Path) -> tuple[int, int]:
    info = path.stat()
    return info.st_mtime_ns, info.st_size


def _file_validator(path: Path) -> dict[str, Any]:
    mtime, size = _stat_pair(path)
    return {"mtime_ns": mtime, "size": size}


# ---------------------------------------------------------------------------------------------
# The cache


def _params(settings: Settings) -> str:
    """What the cached intervals depend on besides the source: all-day events follow the
    working hours, floating times the zone."""
    work = settings.work
    tz = getattr(settings.tz, "key", None) or str(settings.tz)
    hours = sorted((d, a.isoformat(), b.isoformat()) for d, (a, b) in work.hours.items())
    days_off = sorted(d.isoformat() for d in work.days_off)
    return hashlib.sha256(orjson.dumps([CACHE_VERSION, tz, hours, days_off])).hexdigest()[:16]


def _load_entry(path: Path) -> _Entry | None:
    """The cached copy, or None when there is none or it is not one we can use (an old format,
    a truncated file): the cache is disposable, never an error."""
    try:
        raw = orjson.loads(path.read_bytes())
        if raw.get("version") != CACHE_VERSION:
            return None
        entry = _Entry(
            kind=raw["kind"],
            fetched=float(raw["fetched"]),
            window=(float(raw["window"][0]), float(raw["window"][1])),
            params=raw["params"],
            validator=raw["validator"],
            starts=raw["start"],
            ends=raw["end"],
            summaries=raw["summary"],
            all_day=raw["all_day"],
            longest=int(raw["longest"]),
        )
    except (OSError, orjson.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError):
        return None
    lengths = {len(entry.starts), len(entry.ends), len(entry.summaries), len(entry.all_day)}
    return entry if len(lengths) == 1 and entry.kind in KINDS else None


def _entry_from(
    fresh: _Fresh, window: tuple[datetime, datetime], now: datetime, params: str
) -> _Entry:
    ordered = sorted(fresh.busy, key=lambda b: (b.start, b.end, b.summary))
    return _Entry(
        kind=fresh.kind,
        fetched=now.timestamp(),
        window=(window[0].timestamp(), window[1].timestamp()),
        params=params,
        validator=fresh.validator,
        starts=[int(b.start.timestamp()) for b in ordered],
        ends=[int(b.end.timestamp()) for b in ordered],
        summaries=[b.summary for b in ordered],
        all_day=[int(b.all_day) for b in ordered],
        longest=max(
            (int(b.end.timestamp()) - int(b.start.timestamp()) for b in ordered), default=0
        ),
    )


def _store_entry(path: Path, entry: _Entry, label: str) -> None:
    """Write the cache atomically (temp file + replace), private to the user: meeting titles
    are personal. A cache that cannot be written only costs speed."""
    record = {
        "version": CACHE_VERSION,
        "source": label,
        "kind": entry.kind,
        "fetched": entry.fetched,
        "window": list(entry.window),
        "params": entry.params,
        "validator": entry.validator,
        "start": entry.starts,
        "end": entry.ends,
        "summary": entry.summaries,
        "all_day": entry.all_day,
        "longest": entry.longest,
    }
    import tempfile

    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        handle, temp = tempfile.mkstemp(prefix=".busy-", dir=path.parent)
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(orjson.dumps(record))
            os.replace(temp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temp)
            raise


def _busy_in(entry: _Entry, lo: float, hi: float, label: str) -> list[Busy]:
    """The cached intervals overlapping [lo, hi): filtered on the integers first, so only the
    few in the window become objects."""
    stamp = datetime.fromtimestamp
    starts, ends, summaries, all_day = entry.starts, entry.ends, entry.summaries, entry.all_day
    return [
        Busy(stamp(starts[i], UTC), stamp(ends[i], UTC), summaries[i], label, bool(all_day[i]))
        for i in entry.overlapping(lo, hi)
    ]


def _this_week(settings: Settings, now: datetime) -> tuple[datetime, datetime]:
    today = now.astimezone(settings.tz).date()
    monday = today - timedelta(days=today.weekday())
    first = datetime.combine(monday, time(0, 0), settings.tz)
    return first, datetime.combine(monday + timedelta(days=7), time(0, 0), settings.tz)


def _age(seconds: float) -> str:
    seconds = max(seconds, 0)
    if seconds < 60:
        return "less than a minute ago"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    if seconds < 48 * 3600:
        return f"{int(seconds // 3600)} h ago"
    return f"{int(seconds // 86400)} days ago"
