"""Real servers on loopback for the calendar and sync tests: never mocks of them.

`radicale_server` starts a real Radicale (a CalDAV server) on 127.0.0.1 at a free port with its
storage in the test's tmp_path; `ics_server` serves files over plain HTTP with `http.server`.
Both are stopped at teardown. Every wait is bounded.
"""

from __future__ import annotations

import contextlib
import http.server
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Radicale:
    """A running Radicale: `url` is its root, `storage` its folder, `user`/`password` if any."""

    url: str
    storage: Path
    process: subprocess.Popen
    user: str = "me"
    password: str | None = None
    port: int = 0

    def request(
        self, method: str, path: str, body: bytes | None = None, headers: dict | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        """A raw HTTP request to the server (what another client, or a phone, would send)."""
        request = urllib.request.Request(
            self.url + path.lstrip("/"), data=body, method=method, headers=headers or {}
        )
        if self.password is not None:
            import base64

            token = base64.b64encode(f"{self.user}:{self.password}".encode()).decode()
            request.add_header("Authorization", f"Basic {token}")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, dict(exc.headers), exc.read()

    def make_calendar(self, name: str = "work") -> str:
        """Create `/<user>/<name>/` (MKCOL the user, MKCALENDAR the collection); its URL."""
        self.request("MKCOL", f"{self.user}/")
        status, _, body = self.request("MKCALENDAR", f"{self.user}/{name}/")
        assert status in (201, 405), (status, body)  # 405: it exists already
        return f"{self.url}{self.user}/{name}/"

    def put(self, calendar: str, name: str, ics: str) -> int:
        status, _, _ = self.request(
            "PUT",
            f"{self.user}/{calendar}/{name}",
            ics.encode(),
            {"Content-Type": "text/calendar; charset=utf-8"},
        )
        return status

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def start_radicale(root: Path, password: str | None = None, port: int | None = None) -> Radicale:
    storage = root / "radicale-storage"
    storage.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    args = [
        sys.executable,
        "-m",
        "radicale",
        "--server-hosts",
        f"127.0.0.1:{port}",
        "--storage-filesystem-folder",
        str(storage),
        "--logging-level",
        "error",
    ]
    if password is None:
        args += ["--auth-type", "none"]
    else:
        users = root / "htpasswd"
        users.write_text(f"me:{password}\n")
        args += [
            "--auth-type",
            "htpasswd",
            "--auth-htpasswd-filename",
            str(users),
            "--auth-htpasswd-encryption",
            "plain",
        ]
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    server = Radicale(f"http://127.0.0.1:{port}/", storage, process, password=password, port=port)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"radicale exited: {process.stderr.read().decode()}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return server
        time.sleep(0.05)
    server.stop()
    raise RuntimeError("radicale did not start within 20 s")


@pytest.fixture
def radicale(tmp_path: Path) -> Iterator[Radicale]:
    """A Radicale with no authentication."""
    server = start_radicale(tmp_path / "radicale")
    yield server
    server.stop()


@pytest.fixture
def radicale_auth(tmp_path: Path) -> Iterator[Radicale]:
    """A Radicale that wants user `me`, password `secret`."""
    server = start_radicale(tmp_path / "radicale-auth", password="secret")
    yield server
    server.stop()


@dataclass
class FileServer:
    """Serves `routes` (path → (status, content type, body)) over HTTP on loopback."""

    url: str
    routes: dict[str, tuple[int, str, bytes]] = field(default_factory=dict)
    hits: list[str] = field(default_factory=list)
    delay: float = 0.0
    # A published ICS file's server refuses WebDAV methods (405), as real static hosts do; set
    # this to have it answer every method with the route (a broken CalDAV server).
    any_method: bool = False

    def serve(self, path: str, body: bytes | str, status: int = 200, ctype: str = "") -> str:
        data = body.encode() if isinstance(body, str) else body
        self.routes["/" + path.lstrip("/")] = (status, ctype or "text/calendar", data)
        return self.url + path.lstrip("/")


@pytest.fixture
def ics_server() -> Iterator[FileServer]:
    """A plain HTTP server for published ICS files (and garbage, errors and slow answers), which
    answers every method, so it can play a broken CalDAV server too."""
    state = FileServer(url="")

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            state.hits.append(self.path)
            # Any method gets the route's answer (a CalDAV client's PROPFIND, REPORT and PUT
            # too): a request body is read first, so the client sees the answer, not a reset.
            if length := int(self.headers.get("Content-Length") or 0):
                self.rfile.read(length)
            if state.delay:
                time.sleep(state.delay)
            status, ctype, body = state.routes.get(self.path, (404, "text/plain", b"not found"))
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_other(self) -> None:
            if state.any_method:
                self.do_GET()
                return
            if length := int(self.headers.get("Content-Length") or 0):
                self.rfile.read(length)
            self.send_response(405)
            self.send_header("Content-Length", "0")
            self.end_headers()

        do_PROPFIND = do_REPORT = do_PUT = do_DELETE = do_OPTIONS = do_other

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.url = f"http://127.0.0.1:{server.server_address[1]}/"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)
