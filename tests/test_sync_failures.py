"""`pk sync` when things go wrong: the network (down, DNS, TLS, 5xx), garbage on the server, a
412 between pk's read and its write, a kill -9 in the middle, and the empty-collection guard.
Every failure is one line naming the server and the cause, with its own exit code, and loses
nothing: the next `pk sync` completes the job."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import icalendar
import pytest
from conftest import SRC, pk_process
from servers import Radicale, free_port, start_radicale

from promisekeeper.config import load_settings
from promisekeeper.exchange import ical
from promisekeeper.model import Promise
from promisekeeper.storage.store import Store
from promisekeeper.sync import engine
from promisekeeper.sync.remote import PreconditionFailed, open_remote


def configure(isolated: Path, url: str, extra: str = "") -> None:
    (isolated / "config.toml").write_text(
        f'timezone = "Europe/Berlin"\n[sync]\nurl = "{url}"\ntimeout = "5s"\n{extra}'
    )


@pytest.fixture
def collection(radicale: Radicale, isolated: Path) -> str:
    url = radicale.make_calendar("promises")
    configure(isolated, url)
    return url


def server_items(radicale: Radicale, name: str = "promises") -> dict[str, icalendar.Component]:
    """Every VTODO on the server by UID, read straight from its storage."""
    found = {}
    for path in (radicale.storage / "collection-root" / "me" / name).glob("*.ics"):
        for todo in icalendar.Calendar.from_ical(path.read_bytes()).walk("VTODO"):
            found[str(todo["UID"])] = todo
    return found


def one_line_error(result, code: int) -> str:
    assert result.exit_code == code, (result.exit_code, result.stdout, result.stderr)
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("pk: sync with ")
    return result.stderr


# --- the network --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("broken", "cause"),
    [
        # nothing listens on a fresh loopback port
        (lambda url, port: url.replace(f":{port}/", f":{free_port()}/"), "not answering"),
        # https to the plain-HTTP Radicale: the TLS handshake fails
        (lambda url, port: url.replace("http://", "https://"), "TLS error"),
    ],
    ids=["down", "tls"],
)
def test_network_failures_are_one_line_exit_69_and_lose_nothing(
    pk, collection, radicale, isolated, broken, cause
) -> None:
    pk("add", "One", "--to", "Dana", "--due", "fri")
    bad = broken(collection, radicale.port)
    configure(isolated, bad)
    error = one_line_error(pk("sync", code=None), 69)
    assert cause in error and "127.0.0.1" in error
    assert [p["title"] for p in pk.json("list")] == ["One"]
    configure(isolated, collection)
    assert "Sent 1" in pk("sync").stdout


def test_a_host_that_does_not_resolve_is_exit_69(pk, isolated, monkeypatch) -> None:
    # The resolver answers "no such name" in this process: a `.invalid` lookup could otherwise
    # leave the machine, and the tests use loopback only.
    asked: list[str] = []

    def no_such_name(host, *args, **kwargs):
        asked.append(host)
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_such_name)
    configure(isolated, "http://nonexistent.invalid/dav/promises/")
    pk("add", "One", "--to", "Dana", "--due", "fri")
    error = one_line_error(pk("sync", code=None), 69)
    assert "nonexistent.invalid" in error and "unknown host" in error
    assert asked and set(asked) == {"nonexistent.invalid"}
    assert [p["title"] for p in pk.json("list")] == ["One"]


def test_a_server_error_is_exit_69_and_loses_nothing(pk, ics_server, isolated) -> None:
    ics_server.any_method = True
    url = ics_server.serve("dav/promises/", "Internal error", status=500, ctype="text/plain")
    configure(isolated, url)
    pk("add", "One", "--to", "Dana", "--due", "fri")
    error = one_line_error(pk("sync", code=None), 69)
    assert "server error 500" in error and ics_server.url in error
    assert [p["title"] for p in pk.json("list")] == ["One"]
    assert not (isolated / "promises.json.sync").exists()  # nothing recorded as synced


GARBAGE_MULTISTATUS = """<?xml version="1.0" encoding="utf-8"?>
<d:multistatus xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">
<d:response><d:href>/dav/promises/</d:href><d:propstat><d:prop>
<d:resourcetype><d:collection/><c:calendar/></d:resourcetype><d:sync-token>t1</d:sync-token>
</d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>
<d:response><d:href>/dav/promises/bad.ics</d:href><d:propstat><d:prop>
<d:getetag>"e1"</d:getetag><c:calendar-data>BEGIN:VCALENDAR
this is not iCalendar</c:calendar-data>
</d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>
</d:multistatus>"""


def test_garbage_from_a_caldav_server_is_exit_76_naming_the_server(
    pk, ics_server, isolated
) -> None:
    # Radicale refuses to store or list unparseable items, so a stand-in server sends them.
    ics_server.any_method = True
    url = ics_server.serve("dav/promises/", GARBAGE_MULTISTATUS, status=207, ctype="text/xml")
    configure(isolated, url)
    error = one_line_error(pk("sync", code=None), 76)
    assert "not readable iCalendar" in error and ics_server.url in error
    assert pk.json("list") == []


def test_garbage_in_a_vdir_is_exit_76_the_rest_syncs_and_the_next_sync_completes(
    pk, isolated
) -> None:
    folder = isolated / "vdir"
    folder.mkdir()
    configure(isolated, str(folder))
    (folder / "bad.ics").write_text("BEGIN:VCALENDAR\nthis is not iCalendar\n")
    pk("add", "One", "--to", "Dana", "--due", "fri")
    result = pk("sync", code=None)
    assert result.exit_code == 76 and result.stderr.count("\n") == 1
    assert "Sent 1" in result.stderr and str(folder) in result.stderr
    assert (folder / "bad.ics").read_text().startswith("BEGIN:VCALENDAR\nthis is")  # left alone
    assert len(list(folder.glob("*.ics"))) == 2
    (folder / "bad.ics").unlink()
    assert pk("sync").stdout.startswith("Sent 0, applied 0")


def test_password_command_gives_the_password_and_its_failure_is_exit_77(
    pk, radicale_auth, isolated
) -> None:
    url = radicale_auth.make_calendar("promises")
    script = isolated / "secret.py"
    script.write_text("print('secret')\n")
    configure(isolated, url, f'username = "me"\npassword_command = "{sys.executable} {script}"\n')
    pk("add", "One", "--to", "Dana", "--due", "fri")
    assert "Sent 1" in pk("sync").stdout
    configure(isolated, url, f'username = "me"\npassword_command = "{sys.executable} -c pass"\n')
    error = one_line_error(pk("sync", code=None), 77)
    assert "password_command printed nothing" in error


# --- the empty-collection guard -----------------------------------------------------------------


def test_force_goes_past_the_guard_when_the_only_item_was_deleted_on_purpose(
    pk, collection, radicale
) -> None:
    pk("add", "One", "--to", "Dana", "--due", "fri")
    pk("sync")
    uid = pk.json("show", "1")["uuid"]
    status, _, _ = radicale.request("DELETE", f"me/promises/{uid}.ics")
    assert status in (200, 204)
    stopped = pk("sync", code=73)
    assert "pk sync --force" in stopped.stderr
    assert pk.json("show", "1")["status"] == "open"
    pk("sync", "--force")
    one = pk.json("show", "1")
    assert one["status"] == "dropped"
    assert one["history"][-1]["reason"] == "deleted in another app"
    # deleted there and dropped here: not sent back to the phone ...
    assert pk.json("sync")["sent"] == 0
    assert server_items(radicale) == {}
    # ... unless it is opened again here
    pk("reopen", "1")
    assert pk.json("sync")["sent"] == 1
    assert list(server_items(radicale)) == [uid]


# --- 412 between pk's read and its write --------------------------------------------------------


class PhoneWritesFirst:
    """The real remote, except that just before each of its first `times` PUTs of an item the
    server already holds, a phone changes that item (raw HTTP): exactly between pk's read and
    its write, so Radicale answers the PUT with 412."""

    def __init__(self, remote, radicale: Radicale, times: int) -> None:
        self.remote = remote
        self.radicale = radicale
        self.times = times
        self.puts: list[tuple[str, str | None]] = []
        self.refused: list[str] = []
        self.phone_dues = ["20261201T090000Z", "20261202T090000Z"]

    def __getattr__(self, name: str):
        return getattr(self.remote, name)

    def phone_edit(self, href: str) -> None:
        _, _, body = self.radicale.request("GET", href)
        calendar = icalendar.Calendar.from_ical(body)
        (todo,) = calendar.walk("VTODO")
        todo.pop("DUE")
        todo.add("DUE", icalendar.vDDDTypes.from_ical(self.phone_dues.pop(0)))
        todo.pop("X-PHONE-APP", None)
        todo.add("X-PHONE-APP", "tasks.org")
        status, _, _ = self.radicale.request(
            "PUT", href, calendar.to_ical(), {"Content-Type": "text/calendar"}
        )
        assert status in (201, 204)

    def put(self, href: str, ics: str, etag: str | None) -> str:
        self.puts.append((href, etag))
        if etag is not None and self.times > 0:
            self.times -= 1
            self.phone_edit(href)
        try:
            return self.remote.put(href, ics, etag)
        except PreconditionFailed:
            self.refused.append(href)
            raise


def sync_with_phone(radicale: Radicale, times: int) -> tuple[PhoneWritesFirst, engine.SyncReport]:
    """`pk sync` in this process, through the engine's API, with the phone in the way."""
    settings = load_settings()
    phone = PhoneWritesFirst(open_remote(settings), radicale, times)
    store = Store(Path(os.environ["PK_DB"]))
    return phone, engine.sync(store, phone, settings, settings.now())


def test_a_412_re_reads_re_merges_and_the_retry_succeeds(pk, collection, radicale) -> None:
    pk("add", "Report", "--to", "Dana", "--due", "fri 3pm")
    pk("sync")
    pk("edit", "1", "--title", "Quarterly report")
    phone, report = sync_with_phone(radicale, times=1)

    (href, first_etag), (again, second_etag) = phone.puts
    assert phone.refused == [href] and again == href
    assert second_etag != first_etag  # the retry wrote over the version it had just read
    assert report.kept_local == [] and report.sent == 1 and report.applied["moved"] == 1
    local = pk.json("show", "1")
    assert local["title"] == "Quarterly report"  # the local edit
    assert local["due"] == "2026-12-01T09:00:00+00:00"  # and the phone's, merged
    (todo,) = server_items(radicale).values()
    assert str(todo["SUMMARY"]) == "Quarterly report"
    assert str(todo["X-PHONE-APP"]) == "tasks.org"
    assert todo["DUE"].dt == datetime(2026, 12, 1, 9, tzinfo=UTC)


def test_a_second_412_reports_the_item_and_keeps_the_local_state(pk, collection, radicale) -> None:
    pk("add", "Report", "--to", "Dana", "--due", "fri 3pm")
    pk("sync")
    uid = pk.json("show", "1")["uuid"]
    pk("edit", "1", "--title", "Quarterly report")
    phone, report = sync_with_phone(radicale, times=2)

    assert len(phone.refused) == 2
    assert report.kept_local == [uid]
    assert "1 conflict kept local" in report.summary()
    assert pk.json("show", "1")["title"] == "Quarterly report"  # kept, not overwritten
    assert str(server_items(radicale)[uid]["SUMMARY"]) == "Report"  # the phone's version stands
    # the next sync, without a phone in between, brings both sides together
    pk("sync")
    local = pk.json("show", "1")
    (todo,) = server_items(radicale).values()
    assert local["title"] == str(todo["SUMMARY"]) == "Quarterly report"
    assert datetime.fromisoformat(local["due"]) == todo["DUE"].dt
    assert str(todo["X-PHONE-APP"]) == "tasks.org"


# --- kill -9 in the middle ----------------------------------------------------------------------

LOCAL = 60  # promises made here, to send
REMOTE = 10  # promises another device put on the server, to create here
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def promise(n: int, uid: str) -> Promise:
    due = NOW + timedelta(days=1 + n % 20, hours=n % 7)
    return Promise(
        id=0, uuid=uid, title=f"Promise {n}", person=f"Person {n % 9}", direction="to",
        due=due, created=NOW - timedelta(days=1), tags=("sync",) if n % 3 else (),
    ).with_event("created", NOW - timedelta(days=1), due=due.isoformat())  # fmt: skip


def twin(root: Path) -> tuple[Radicale, dict[str, str]]:
    """A Radicale with the other device's items and a store with the local ones: the same
    uuids on every twin, so their end states can be compared."""
    root.mkdir()
    server = start_radicale(root / "radicale")
    url = server.make_calendar("promises")
    config = root / "config.toml"
    config.write_text(f'timezone = "Europe/Berlin"\n[sync]\nurl = "{url}"\ntimeout = "20s"\n')
    env = {"PK_DB": str(root / "promises.json"), "PK_CONFIG": str(config)}
    settings = load_settings(config)
    with Store(root / "promises.json").write("build") as tx:
        for n in range(LOCAL):
            tx.add_promise(promise(n, f"00000000-0000-4000-8000-{n:012d}"))
    for n in range(LOCAL, LOCAL + REMOTE):
        uid = f"00000000-0000-4000-9000-{n:012d}"
        todo = ical.update_vtodo(icalendar.Todo(), promise(n, uid), settings, [])
        text = ical.calendar_of([todo]).to_ical().decode()
        assert server.put("promises", f"{uid}.ics", text) == 201
    return server, env


def end_state(server: Radicale, env: dict[str, str]) -> tuple[dict, dict]:
    listed = pk_process("list", "--all", "--json", env=env)
    assert listed.returncode == 0, listed.stderr
    local = {p["uuid"]: (p["title"], p["status"], p["due"]) for p in json.loads(listed.stdout)}
    remote = {
        uid: (str(t["SUMMARY"]), str(t["STATUS"]), t["DUE"].dt.astimezone(UTC).isoformat())
        for uid, t in server_items(server).items()
    }
    return local, remote


def test_kill_9_mid_sync_then_sync_again_gives_the_uninterrupted_result(tmp_path: Path) -> None:
    plain, plain_env = twin(tmp_path / "plain")
    killed, killed_env = twin(tmp_path / "killed")
    try:
        done = pk_process("sync", env=plain_env)
        assert done.returncode == 0 and f"Sent {LOCAL}".encode() in done.stdout, done.stderr

        folder = killed.storage / "collection-root" / "me" / "promises"
        sidecar = Path(killed_env["PK_DB"] + ".sync")
        # Kill points, each when the sync has got that far: right after the first local commit
        # (the state sidecar appears), then after some and after most of the sends.
        points = [
            lambda: sidecar.exists(),
            lambda: len(list(folder.glob("*.ics"))) >= REMOTE + LOCAL // 3,
            lambda: len(list(folder.glob("*.ics"))) >= REMOTE + 2 * LOCAL // 3,
        ]
        hits = 0
        env = {**os.environ, "PYTHONPATH": str(SRC), **killed_env}
        for reached in points:
            run = subprocess.Popen(
                [sys.executable, "-m", "promisekeeper", "sync"],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            deadline = time.monotonic() + 60
            while run.poll() is None and time.monotonic() < deadline:
                if reached():
                    os.kill(run.pid, signal.SIGKILL)
                    break
                time.sleep(0.002)
            run.wait(timeout=60)
            hits += run.returncode == -signal.SIGKILL
        assert hits >= 2, "the sync finished before it could be interrupted"
        assert len(list(folder.glob("*.ics"))) < REMOTE + LOCAL  # it really stopped half-way

        again = pk_process("sync", env=killed_env)
        assert again.returncode == 0, again.stderr

        local, remote = end_state(killed, killed_env)
        assert (local, remote) == end_state(plain, plain_env)
        assert len(local) == len(remote) == LOCAL + REMOTE  # nothing lost, nothing doubled
        for env_of in (plain_env, killed_env):  # and nothing left to do on either
            last = json.loads(pk_process("sync", "--json", env=env_of).stdout)
            assert (last["sent"], last["applied"]) == (0, 0)
    finally:
        plain.stop()
        killed.stop()
