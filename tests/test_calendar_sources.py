"""Reading busy sources (calendar/sources.py) against real files and real servers on loopback:
a local .ics file, a vdir, a published ICS over HTTP (ics_server), CalDAV (Radicale), with and
without a password; the cache, its freshness and its validators; every failure a warning."""

from __future__ import annotations

import os
import shlex
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import orjson
import pytest

from promisekeeper.calendar.busy import SourceError
from promisekeeper.calendar.sources import (
    check_sources,
    read_busy,
    run_password_command,
    source_label,
)
from promisekeeper.config import CalendarSettings, Settings, settings_from_dict

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=BERLIN)  # a Monday
START, END = NOW, NOW + timedelta(days=21)


def ics(*events: tuple[str, str, str]) -> str:
    """A calendar of (uid, summary, 'YYYYMMDDTHHMM' UTC start) one-hour events."""
    body = "".join(
        f"BEGIN:VEVENT\nUID:{uid}\nDTSTAMP:20261101T000000Z\nSUMMARY:{summary}\n"
        f"DTSTART:{when}00Z\nDTEND:{when[:9]}{int(when[9:11]) + 1:02d}{when[11:]}00Z\nEND:VEVENT\n"
        for uid, summary, when in events
    )
    return f"BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//test//EN\n{body}END:VCALENDAR\n"


MEETING = ics(("m1@x", "Team meeting", "20261124T0900"))
WEEKLY = (
    "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//test//EN\nBEGIN:VEVENT\nUID:w@x\n"
    "DTSTAMP:20261101T000000Z\nSUMMARY:Weekly sync\nDTSTART;TZID=Europe/Berlin:20261123T140000\n"
    "DTEND;TZID=Europe/Berlin:20261123T150000\nRRULE:FREQ=WEEKLY;COUNT=3\n"
    "EXDATE;TZID=Europe/Berlin:20261130T140000\nEND:VEVENT\nEND:VCALENDAR\n"
)


def settings(*busy: str, **calendar: object) -> Settings:
    return Settings(tz=BERLIN, calendar=CalendarSettings(busy=tuple(busy), **calendar))


def summaries(result) -> list[str]:
    return [b.summary for b in result.busy]


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    return tmp_path / "cache"


@pytest.fixture(autouse=True)
def no_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PK_CALENDAR_PASSWORD", raising=False)


# --- no sources, files and folders -----------------------------------------------------------


def test_no_sources_is_no_busy_time_and_no_cache(cache: Path) -> None:
    result = read_busy(settings(), START, END, NOW, cache_dir=cache)
    assert (result.busy, result.warnings, result.sources) == ([], [], [])
    assert not cache.exists()


def test_local_file_with_tilde_is_read_and_cached(
    tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / "work.ics").write_text(MEETING)
    result = read_busy(settings("~/work.ics"), START, END, NOW, cache_dir=cache)
    assert summaries(result) == ["Team meeting"]
    assert result.busy[0].start == datetime(2026, 11, 24, 9, tzinfo=UTC)
    assert result.busy[0].source == "~/work.ics"
    assert result.warnings == []
    (report,) = result.sources
    assert (report.ok, report.kind, report.events_this_week) == (True, "file", 1)
    assert len(list(cache.glob("busy-*.json"))) == 1


def test_an_edited_file_is_seen_at_once_even_within_the_refresh_time(
    tmp_path: Path, cache: Path
) -> None:
    path = tmp_path / "work.ics"
    path.write_text(MEETING)
    config = settings(str(path))
    read_busy(config, START, END, NOW, cache_dir=cache)
    path.write_text(ics(("m2@x", "Planning, longer title", "20261125T1000")))
    os.utime(path, ns=(10**18, 10**18))  # a new mtime even on coarse clocks
    result = read_busy(config, START, END, NOW + timedelta(minutes=1), cache_dir=cache)
    assert summaries(result) == ["Planning, longer title"]


def test_vdir_reads_every_ics_item_and_skips_a_broken_one(tmp_path: Path, cache: Path) -> None:
    folder = tmp_path / "khal" / "work"
    folder.mkdir(parents=True)
    (folder / "a.ics").write_text(MEETING)
    (folder / "b.ics").write_text(WEEKLY)
    (folder / "broken.ics").write_text("BEGIN:VCALENDAR\nthis is not a line\n")
    (folder / "notes.txt").write_text("not an item")
    result = read_busy(settings(str(folder) + "/"), START, END, NOW, cache_dir=cache)
    assert summaries(result) == ["Weekly sync", "Team meeting", "Weekly sync"]
    assert result.sources[0].kind == "vdir" and result.sources[0].ok
    (warning,) = result.warnings
    assert "skipped 1 unreadable item(s) (broken.ics)" in warning


def test_missing_file_is_a_warning_not_an_error(tmp_path: Path, cache: Path) -> None:
    missing = str(tmp_path / "gone.ics")
    result = read_busy(settings(missing), START, END, NOW, cache_dir=cache)
    assert result.busy == []
    assert result.warnings == [f"calendar {missing}: no such file or folder; no copy cached"]
    assert not result.sources[0].ok


def test_garbage_file_keeps_the_last_good_copy_and_says_how_old(
    tmp_path: Path, cache: Path
) -> None:
    path = tmp_path / "work.ics"
    path.write_text(MEETING)
    config = settings(str(path))
    read_busy(config, START, END, NOW, cache_dir=cache)
    path.write_text("<html>oops</html>")
    later = NOW + timedelta(hours=2)
    result = read_busy(config, START, END, later, cache_dir=cache)
    assert summaries(result) == ["Team meeting"]
    (warning,) = result.warnings
    assert warning.startswith(f"calendar {path}: not iCalendar data")
    assert warning.endswith("using the copy from 2 h ago")
    assert result.sources[0].ok is False and result.sources[0].from_cache


def test_other_sources_still_count_when_one_fails(tmp_path: Path, cache: Path) -> None:
    good = tmp_path / "good.ics"
    good.write_text(MEETING)
    config = settings(str(tmp_path / "missing.ics"), str(good))
    result = read_busy(config, START, END, NOW, cache_dir=cache)
    assert summaries(result) == ["Team meeting"]
    assert [r.ok for r in result.sources] == [False, True]
    assert len(result.warnings) == 1


# --- published ICS over HTTP -----------------------------------------------------------------


def test_ics_url_is_read_then_served_from_the_cache_without_a_request(
    ics_server, cache: Path
) -> None:
    url = ics_server.serve("cal.ics", WEEKLY)
    config = settings(url)
    first = read_busy(config, START, END, NOW, cache_dir=cache)
    assert summaries(first) == ["Weekly sync", "Weekly sync"]
    assert first.sources[0].kind == "ics-url"
    hits = len(ics_server.hits)
    warm = read_busy(config, START, END, NOW + timedelta(minutes=14), cache_dir=cache)
    assert summaries(warm) == ["Weekly sync", "Weekly sync"]
    assert len(ics_server.hits) == hits  # no network within the refresh time
    assert warm.sources[0].from_cache


def test_refresh_and_an_expired_cache_read_again(ics_server, cache: Path) -> None:
    url = ics_server.serve("cal.ics", WEEKLY)
    config = settings(url)
    read_busy(config, START, END, NOW, cache_dir=cache)
    hits = len(ics_server.hits)
    read_busy(config, START, END, NOW, refresh=True, cache_dir=cache)
    assert len(ics_server.hits) == hits + 1
    ics_server.serve("cal.ics", MEETING)
    expired = read_busy(config, START, END, NOW + timedelta(minutes=16), cache_dir=cache)
    assert len(ics_server.hits) == hits + 2
    assert summaries(expired) == ["Team meeting"]


def test_a_window_beyond_the_cached_one_reads_again(ics_server, cache: Path) -> None:
    url = ics_server.serve("cal.ics", WEEKLY)
    config = settings(url)
    read_busy(config, START, END, NOW, cache_dir=cache)
    hits = len(ics_server.hits)
    far = NOW + timedelta(days=200)
    read_busy(config, far, far + timedelta(days=7), NOW, cache_dir=cache)
    assert len(ics_server.hits) == hits + 1


def test_a_changed_working_time_does_not_reuse_intervals_placed_for_the_old_one(
    ics_server, cache: Path
) -> None:
    url = ics_server.serve(
        "leave.ics",
        "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:x\nBEGIN:VEVENT\nUID:l@x\nDTSTAMP:20261101T000000Z\n"
        "SUMMARY:Leave\nDTSTART;VALUE=DATE:20261125\nEND:VEVENT\nEND:VCALENDAR\n",
    )
    early = settings_from_dict(
        {"timezone": "Europe/Berlin", "work": {"start": "07:00"}, "calendar": {"busy": [url]}}
    )
    read_busy(settings(url), START, END, NOW, cache_dir=cache)
    result = read_busy(early, START, END, NOW, cache_dir=cache)
    assert result.busy[0].start == datetime(2026, 11, 25, 6, 0, tzinfo=UTC)  # 07:00 Berlin


def test_etag_gives_a_conditional_get_and_304_keeps_the_copy(cache: Path) -> None:
    import http.server
    import threading

    seen: list[dict[str, str]] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(dict(self.headers))
            if self.headers.get("If-None-Match") == '"v1"':
                self.send_response(304)
                self.end_headers()
                return
            body = WEEKLY.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/calendar")
            self.send_header("ETag", '"v1"')
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        config = settings(f"http://127.0.0.1:{server.server_address[1]}/cal.ics")
        read_busy(config, START, END, NOW, cache_dir=cache)
        later = NOW + timedelta(hours=1)
        result = read_busy(config, START, END, later, cache_dir=cache)
        assert seen[-1].get("If-None-Match") == '"v1"'
        assert summaries(result) == ["Weekly sync", "Weekly sync"]
        assert result.warnings == []
        # The 304 counts as a fresh read: the next call within 15 min asks nothing.
        count = len(seen)
        read_busy(config, START, END, later + timedelta(minutes=5), cache_dir=cache)
        assert len(seen) == count
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def test_ics_url_404_uses_the_old_copy(ics_server, cache: Path) -> None:
    url = ics_server.serve("cal.ics", WEEKLY)
    config = settings(url)
    read_busy(config, START, END, NOW, cache_dir=cache)
    del ics_server.routes["/cal.ics"]
    result = read_busy(config, START, END, NOW + timedelta(hours=3), cache_dir=cache)
    assert result.warnings == [f"calendar {url}: 404 Not Found; using the copy from 3 h ago"]
    assert summaries(result) == ["Weekly sync", "Weekly sync"]


def test_ics_url_404_without_a_copy(ics_server, cache: Path) -> None:
    url = ics_server.url + "nothing.ics"
    result = read_busy(settings(url), START, END, NOW, cache_dir=cache)
    assert result.warnings == [f"calendar {url}: 404 Not Found; no copy cached"]
    assert result.sources[0].ok is False


def test_ics_url_answering_garbage_or_a_web_page(ics_server, cache: Path) -> None:
    garbage = ics_server.serve("garbage.ics", "BEGIN:VCALENDAR\n\x00\x01 nonsense")
    page = ics_server.serve("login", "<html>sign in</html>", ctype="text/html")
    result = read_busy(settings(garbage, page), START, END, NOW, cache_dir=cache)
    assert result.busy == []
    assert result.warnings[0].startswith(f"calendar {garbage}: not valid iCalendar data")
    assert result.warnings[1] == (
        f"calendar {page}: not a calendar (the address answers text/html); no copy cached"
    )
    assert [r.ok for r in result.sources] == [False, False]


def test_a_slow_server_times_out_with_the_configured_timeout(ics_server, cache: Path) -> None:
    url = ics_server.serve("cal.ics", WEEKLY)
    ics_server.delay = 2.0
    config = settings(url, timeout=timedelta(seconds=0.3))
    result = read_busy(config, START, END, NOW, cache_dir=cache)
    assert result.warnings == [
        f"calendar {url}: not answering (timed out after 0.3 s); no copy cached"
    ]


def test_a_server_that_is_down(cache: Path) -> None:
    from servers import free_port

    url = f"http://127.0.0.1:{free_port()}/cal.ics"
    result = read_busy(settings(url), START, END, NOW, cache_dir=cache)
    assert result.warnings == [
        f"calendar {url}: not answering (connection refused); no copy cached"
    ]


def test_userinfo_and_query_never_reach_messages_or_the_cache(ics_server, cache: Path) -> None:
    url = ics_server.url.replace("http://", "http://me:hunter2@") + "missing.ics?token=abc"
    result = read_busy(settings(url), START, END, NOW, cache_dir=cache)
    (warning,) = result.warnings
    assert "hunter2" not in warning and "me:" not in warning and "abc" not in warning
    assert source_label(url) == ics_server.url + "missing.ics?…"
    ics_server.serve("ok.ics", MEETING)
    ok_url = ics_server.url.replace("http://", "http://me:hunter2@") + "ok.ics"
    read_busy(settings(ok_url), START, END, NOW, cache_dir=cache)
    for path in cache.glob("busy-*.json"):
        assert b"hunter2" not in path.read_bytes()


# --- CalDAV ----------------------------------------------------------------------------------


def test_caldav_calendar_is_read_with_recurrence(radicale, cache: Path) -> None:
    url = radicale.make_calendar("work")
    assert radicale.put("work", "w.ics", WEEKLY) == 201
    assert radicale.put("work", "m.ics", MEETING) == 201
    result = read_busy(settings(url), START, END, NOW, cache_dir=cache)
    assert result.warnings == []
    assert summaries(result) == ["Weekly sync", "Team meeting", "Weekly sync"]
    (report,) = check_sources(settings(url), NOW, cache_dir=cache)
    assert (report.kind, report.ok, report.events_this_week) == ("caldav", True, 2)


def test_caldav_warm_cache_needs_no_server_and_ctag_sees_changes(radicale, cache: Path) -> None:
    url = radicale.make_calendar("work")
    radicale.put("work", "m.ics", MEETING)
    config = settings(url)
    read_busy(config, START, END, NOW, cache_dir=cache)
    radicale.put("work", "w.ics", WEEKLY)
    expired = read_busy(config, START, END, NOW + timedelta(minutes=20), cache_dir=cache)
    assert summaries(expired) == ["Weekly sync", "Team meeting", "Weekly sync"]
    radicale.stop()
    warm = read_busy(config, START, END, NOW + timedelta(minutes=25), cache_dir=cache)
    assert warm.warnings == [] and warm.sources[0].from_cache
    assert summaries(warm) == ["Weekly sync", "Team meeting", "Weekly sync"]
    down = read_busy(config, START, END, NOW + timedelta(minutes=40), cache_dir=cache)
    assert down.warnings == [
        f"calendar {url}: not answering (connection refused); using the copy from 20 min ago"
    ]
    assert len(down.busy) == 3


def test_caldav_with_the_password_from_the_environment(
    radicale_auth, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = radicale_auth.make_calendar("work")
    radicale_auth.put("work", "m.ics", MEETING)
    monkeypatch.setenv("PK_CALENDAR_PASSWORD", "secret")
    result = read_busy(settings(url, username="me"), START, END, NOW, cache_dir=cache)
    assert result.warnings == []
    assert summaries(result) == ["Team meeting"]
    for path in cache.glob("busy-*.json"):
        assert b"secret" not in path.read_bytes()


def test_caldav_with_a_password_command_run_without_a_shell(
    radicale_auth, cache: Path, tmp_path: Path
) -> None:
    url = radicale_auth.make_calendar("work")
    radicale_auth.put("work", "m.ics", MEETING)
    marker = tmp_path / "shell-ran"
    # Were this run by a shell, `;` would start a second command and create the marker.
    command = shlex.join([sys.executable, "-c", "print('secret')\nprint('second line')"])
    command += f" ; touch {marker}"
    config = settings(url, username="me", password_command=command)
    result = read_busy(config, START, END, NOW, cache_dir=cache)
    assert result.warnings == [] and summaries(result) == ["Team meeting"]
    assert not marker.exists()


def test_caldav_with_a_wrong_password_is_a_401_warning(
    radicale_auth, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = radicale_auth.make_calendar("work")
    monkeypatch.setenv("PK_CALENDAR_PASSWORD", "wrong-horse")
    result = read_busy(settings(url, username="me"), START, END, NOW, cache_dir=cache)
    assert result.warnings == [
        f"calendar {url}: 401 Unauthorized (check username and password); no copy cached"
    ]
    assert "wrong-horse" not in repr(result)


def test_caldav_without_a_username_says_so(radicale_auth, cache: Path) -> None:
    url = radicale_auth.make_calendar("work")
    result = read_busy(settings(url), START, END, NOW, cache_dir=cache)
    assert result.warnings == [
        f"calendar {url}: 401 Unauthorized (set [calendar] username); no copy cached"
    ]


def test_check_sources_reads_every_source_now(ics_server, tmp_path: Path, cache: Path) -> None:
    url = ics_server.serve("cal.ics", WEEKLY)
    path = tmp_path / "w.ics"
    path.write_text(MEETING)
    config = settings(url, str(path), str(tmp_path / "none.ics"))
    read_busy(config, START, END, NOW, cache_dir=cache)
    hits = len(ics_server.hits)
    reports = check_sources(config, NOW, cache_dir=cache)
    assert len(ics_server.hits) == hits + 1  # even with a warm cache
    assert [(r.kind, r.ok, r.events_this_week) for r in reports] == [
        ("ics-url", True, 1),
        ("file", True, 1),
        ("file", False, 0),
    ]
    assert reports[2].error == "no such file or folder"


# --- the password command and the cache location ---------------------------------------------


def test_password_command_takes_the_first_line(tmp_path: Path) -> None:
    script = tmp_path / "pw.py"
    script.write_text("print('s3cret')\nprint('ignored')\n")
    assert run_password_command(f"{sys.executable} {script}", 5) == "s3cret"


@pytest.mark.parametrize(
    ("command", "message"),
    [
        (f"{sys.executable} -c 'import sys; print(\"leak\"); sys.exit(3)'", "failed (exit 3)"),
        ("no-such-program-pk-test", "no-such-program-pk-test not found"),
        (f"{sys.executable} -c 'pass'", "printed nothing"),
        (f"{sys.executable} -c 'import time; time.sleep(5)'", "did not finish within 0.5 s"),
    ],
)
def test_password_command_failures_never_show_its_output(command: str, message: str) -> None:
    with pytest.raises(SourceError) as caught:
        run_password_command(command, 0.5)
    assert message in str(caught.value) and "leak" not in str(caught.value)


def test_a_failing_password_command_is_a_warning(radicale_auth, cache: Path) -> None:
    url = radicale_auth.make_calendar("work")
    config = settings(url, username="me", password_command=f"{sys.executable} -c 'exit(1)'")
    result = read_busy(config, START, END, NOW, cache_dir=cache)
    assert result.warnings == [f"calendar {url}: password_command failed (exit 1); no copy cached"]


def test_cache_lives_in_xdg_cache_home_and_a_corrupt_cache_is_ignored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PK_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    path = tmp_path / "w.ics"
    path.write_text(MEETING)
    read_busy(settings(str(path)), START, END, NOW)
    (cached,) = (tmp_path / "xdg-cache" / "promisekeeper").glob("busy-*.json")
    record = orjson.loads(cached.read_bytes())
    assert record["kind"] == "file" and record["summary"] == ["Team meeting"]
    cached.write_bytes(b"{truncated")
    result = read_busy(settings(str(path)), START, END, NOW)
    assert summaries(result) == ["Team meeting"] and result.warnings == []


def test_a_warm_cache_does_not_import_the_calendar_libraries(tmp_path: Path) -> None:
    import subprocess

    path = tmp_path / "w.ics"
    path.write_text(WEEKLY)
    code = f"""
import sys
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo
from promisekeeper.calendar.sources import read_busy
from promisekeeper.config import CalendarSettings, Settings
now = datetime(2026, 11, 23, 10, tzinfo=ZoneInfo("Europe/Berlin"))
s = Settings(tz=now.tzinfo, calendar=CalendarSettings(busy=({str(path)!r},)))
r = read_busy(s, now, now + timedelta(days=21), now, cache_dir={str(tmp_path / "c")!r})
print(len(r.busy), sorted(m for m in sys.modules if m.split(".")[0] in
      ("icalendar", "caldav", "recurring_ical_events", "x_wr_timezone")) == [])
"""
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src")}
    run = [sys.executable, "-c", code]
    cold = subprocess.run(run, env=env, capture_output=True, text=True, timeout=60, check=True)
    warm = subprocess.run(run, env=env, capture_output=True, text=True, timeout=60, check=True)
    assert cold.stdout.split() == ["2", "False"]  # parsing needed them
    assert warm.stdout.split() == ["2", "True"]


def test_a_warm_cache_finds_a_long_event_that_began_before_the_window(
    tmp_path: Path, cache: Path
) -> None:
    # The cache is searched by start time; an event that started days before the window and
    # is still running must not be missed by that search.
    long_trip = (
        "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:x\nBEGIN:VEVENT\nUID:t@x\nDTSTAMP:20261101T000000Z\n"
        "SUMMARY:Trip\nDTSTART:20261119T080000Z\nDTEND:20261125T180000Z\nEND:VEVENT\nEND:VCALENDAR\n"
    )
    path = tmp_path / "trip.ics"
    path.write_text(long_trip + "")
    (tmp_path / "short.ics").write_text(
        ics(*[(f"s{d}@x", "Short", f"202611{d}T0900") for d in (20, 21, 22, 24)])
    )
    config = settings(str(path), str(tmp_path / "short.ics"))
    read_busy(config, START - timedelta(days=7), END, NOW, cache_dir=cache)
    warm = read_busy(config, START, END, NOW, cache_dir=cache)
    assert all(r.from_cache for r in warm.sources)
    assert [(b.summary, b.start.day) for b in warm.busy] == [("Trip", 19), ("Short", 24)]


def test_the_password_is_not_sent_to_another_host_after_a_redirect(
    ics_server, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import http.server
    import threading

    import promisekeeper.calendar.sources as sources

    # The calendar's own server wants the password, then redirects to another origin (the
    # ics_server on another port), as a published calendar moved to a CDN would.
    target = ics_server.serve("moved.ics", MEETING)

    class Redirect(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            authorized = self.headers.get("Authorization") is not None
            self.send_response(302 if authorized else 401)
            if authorized:
                self.send_header("Location", target)
            else:
                self.send_header("WWW-Authenticate", 'Basic realm="cal"')
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Redirect)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("PK_CALENDAR_PASSWORD", "secret")
    handler = next(h for h in sources._opener().handlers if type(h).__name__ == "SameHostAuth")
    real_redirect = handler.redirect_request
    carried: list[str | None] = []

    def record(req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
        new = real_redirect(req, fp, code, msg, headers, newurl)
        carried.append(new.get_header("Authorization"))
        return new

    monkeypatch.setattr(handler, "redirect_request", record)
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/cal.ics"
        result = read_busy(settings(url, username="me"), START, END, NOW, cache_dir=cache)
        assert summaries(result) == ["Team meeting"]
        assert carried == [None]  # followed, without the password
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
