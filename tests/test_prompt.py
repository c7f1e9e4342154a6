"""`pk prompt` and the prompt index: counts at fixed instants, the fast path's imports, and every
way an index can be missing or wrong (always: empty output, exit 0)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from promisekeeper import paths
from promisekeeper.shell import prompt
from promisekeeper.storage import prompt_index
from promisekeeper.storage.store import REQUESTS, Store

SRC = Path(__file__).resolve().parents[1] / "src"

BERLIN = ZoneInfo("Europe/Berlin")
PINNED = datetime(2026, 11, 23, 10, 0, tzinfo=BERLIN)


def clocked(db: Path, **options) -> Store:
    """A store as a pk command opens it: with the zone and the clock the prompt index needs."""
    return Store(db, tz=BERLIN, now=PINNED, **options)


FORBIDDEN = ("typer", "click", "rich", "dateutil", "tinydb")


def book_slot(db: Path, start: str) -> None:
    """A booked help slot, in the `requests` record shape the help-later commands write."""
    begin = datetime.fromisoformat(start).astimezone(UTC)
    with clocked(db).write("book") as tx:
        tx.insert(
            REQUESTS,
            {
                "uuid": f"r-{start}",
                "title": "help with the budget sheet",
                "person": "Lee",
                "team": None,
                "need_minutes": 30,
                "reason": None,
                "created": begin.isoformat(),
                "status": "booked",
                "proposed": [],
                "slot": {
                    "start": begin.isoformat(),
                    "end": (begin + timedelta(minutes=30)).isoformat(),
                },
                "forced": False,
                "promise_id": None,
                "history": [],
            },
        )


@pytest.fixture
def ledger(pk, db_path: Path) -> Path:
    """At Mon 23 Nov 10:00: one of mine late, one due 15:00 today, one tomorrow, one owed to me
    and late, one owed to me later, a help slot at 10:10."""
    pk("add", "Late report", "--to", "Dana", "--due", "2026-11-20", "--past")
    pk("add", "Budget", "--to", "Dana", "--due", "3pm")
    pk("add", "Floor plan", "--to", "Sam", "--due", "tomorrow")
    pk("add", "Audit file", "--from", "Sam", "--due", "2026-11-22", "--past")
    pk("add", "Slides", "--from", "Kim", "--due", "fri")
    book_slot(db_path, "2026-11-23T10:10:00+01:00")
    return db_path


def render_at(db: Path, when: str, template: str | None = None) -> str:
    os.environ["PK_NOW"] = when  # the isolated fixture restores it
    return prompt.render(str(db), template)


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        ("2026-11-23T10:00:00+01:00", "[pk 1 late · 1 today · 1 waiting · slot in 10m]"),
        ("2026-11-23T09:55:30+01:00", "[pk 1 late · 1 today · 1 waiting · slot in 15m]"),
        ("2026-11-23T10:10:00+01:00", "[pk 1 late · 1 today · 1 waiting · slot now]"),
        ("2026-11-23T10:10:01+01:00", "[pk 1 late · 1 today · 1 waiting]"),
        ("2026-11-23T11:00:00+01:00", "[pk 1 late · 1 today · 1 waiting]"),  # 15:00 is 4h off
        ("2026-11-23T11:00:01+01:00", "[pk 1 late · 1 soon · 1 waiting]"),  # within `soon`
        (
            "2026-11-23T15:00:00+01:00",
            "[pk 1 late · 1 soon · 1 waiting]",
        ),  # due at 15:00 = on time, and due now
        ("2026-11-23T15:00:01+01:00", "[pk 2 late · 1 waiting]"),
        ("2026-11-23T23:59:59+01:00", "[pk 2 late · 1 waiting]"),
        ("2026-11-24T00:00:00+01:00", "[pk 2 late · 1 today · 1 waiting]"),  # a new day
        ("2026-11-24T09:00:00", "[pk 2 late · 1 today · 1 waiting]"),  # naive: local time
        ("2026-11-28T09:00:00+01:00", "[pk 3 late · 2 waiting]"),
    ],
)
def test_counts_at_fixed_instants(ledger: Path, when: str, expected: str) -> None:
    assert render_at(ledger, when) == expected


def test_slot_in_the_soon_window_counts(ledger: Path) -> None:
    # 09:55 is exactly 15 minutes before the slot: not yet "soon"; one second later it is.
    assert "slot" not in render_at(ledger, "2026-11-23T09:55:00+01:00")
    assert render_at(ledger, "2026-11-23T09:55:01+01:00").endswith("slot in 15m]")


def test_format_fields(ledger: Path) -> None:
    template = "{late}!{due_soon}!{today}!{soon}!{waiting_late}!{next_slot_min}"
    assert render_at(ledger, "2026-11-23T10:00:00+01:00", template) == "1!0!1!1!1!10"
    assert render_at(ledger, "2026-11-23T12:00:00+01:00", template) == "1!1!0!0!1!"
    assert render_at(ledger, "2026-11-23T15:00:01+01:00", template) == "2!0!0!0!1!"


@pytest.mark.parametrize(
    ("soon", "line", "expected"),
    [
        ("6h", "soon 21600", "[pk 1 late · 1 soon · 1 waiting · slot in 10m]"),
        ("0m", "soon 0", "[pk 1 late · 1 today · 1 waiting · slot in 10m]"),
        (
            "2d",
            "soon 172800",
            "[pk 1 late · 2 soon · 1 waiting · slot in 10m]",
        ),  # tomorrow 17:00 too
    ],
)
def test_the_soon_setting_reaches_the_prompt(
    ledger: Path, pk, isolated: Path, soon: str, line: str, expected: str
) -> None:
    config = isolated / "config.toml"
    config.write_text(config.read_text() + f'soon = "{soon}"\n')
    pk("list")  # a read with other settings rebuilds the index
    assert prompt_index.index_path(ledger).read_text().splitlines()[2] == line
    assert render_at(ledger, "2026-11-23T10:00:00+01:00") == expected


def test_nothing_to_say_prints_nothing(pk, db_path: Path, proc) -> None:
    pk("add", "Later", "--to", "Dana", "--due", "fri")
    pk("add", "Theirs", "--from", "Sam", "--due", "fri")
    assert render_at(db_path, "2026-11-23T10:00:00+01:00") == ""
    result = proc("prompt", "--format", "{late}")
    assert (result.returncode, result.stdout, result.stderr) == (0, b"", b"")


@pytest.mark.parametrize(
    ("when", "due", "today"),
    [
        # Spring forward (Sun 28 Mar 2027, 02:00 → 03:00): the day is 23 hours long.
        ("2027-03-28T00:30:00+01:00", "2027-03-28T23:30:00+02:00", True),
        ("2027-03-28T00:30:00+01:00", "2027-03-29T00:00:00+02:00", False),
        # Fall back (Sun 25 Oct 2026, 03:00 → 02:00): 25 hours long.
        ("2026-10-25T00:30:00+02:00", "2026-10-25T23:59:00+01:00", True),
        ("2026-10-25T00:30:00+02:00", "2026-10-26T00:00:00+01:00", False),
    ],
)
def test_today_follows_the_local_day_across_dst(
    pk, db_path: Path, monkeypatch, when: str, due: str, today: bool
) -> None:
    monkeypatch.setenv("PK_NOW", when)
    pk("add", "Close the books", "--to", "Dana", "--due", due.replace("+02:00", "")[:16])
    # The CLI read the due as Berlin wall time; check it is the instant meant.
    stored = json.loads(db_path.read_text())["promises"]["1"]["due"]
    assert datetime.fromisoformat(stored) == datetime.fromisoformat(due)
    assert render_at(db_path, when) == ("[pk 1 today]" if today else "")


def test_end_of_day_matches_zoneinfo_over_a_year(db_path: Path) -> None:
    for zone in ("Europe/Berlin", "America/Santiago", "Australia/Lord_Howe", "Asia/Kolkata"):
        tz = ZoneInfo(zone)
        start = datetime(2026, 1, 1, 12, tzinfo=tz)
        built = prompt_index.build({}, tz, start, (0, 0))
        index = prompt.Index(built.dumps())
        for day in range(0, 365, 1):
            moment = start + timedelta(days=day, hours=day % 13)
            local = moment.astimezone(tz)
            expected = (
                datetime.combine(local.date() + timedelta(days=1), datetime.min.time(), tz)
                .astimezone(UTC)
                .timestamp()
            )
            # A day that begins in a gap starts when the clocks jump: zoneinfo folds forward.
            got = index.end_of_day(int(moment.timestamp()))
            assert abs(got - expected) in (0, 3600, 1800) and (
                got == expected or datetime.fromtimestamp(got, tz).date() != local.date()
            ), (zone, local)


def test_every_commit_writes_the_index_beside_the_store(pk, db_path: Path) -> None:
    pk("add", "Budget", "--to", "Dana", "--due", "3pm")
    index = prompt_index.index_path(db_path)
    info = os.stat(db_path)
    head = index.read_text().splitlines()[0].split()
    assert head[:2] == ["pk-prompt-index", "2"]
    assert index.read_text().splitlines()[2] == "soon 14400"  # config's default `soon`, 4h
    assert (int(head[2]), int(head[3])) == (info.st_mtime_ns, info.st_size)
    assert oct(index.stat().st_mode & 0o777) == "0o600"
    assert not [p for p in db_path.parent.iterdir() if ".tmp-" in p.name]


def run_prompt(proc, *args: str) -> subprocess.CompletedProcess:
    result = proc("prompt", *args)
    assert result.returncode == 0
    assert b"Traceback" not in result.stderr
    return result


@pytest.mark.parametrize(
    "damage",
    ["missing", "empty", "garbage", "binary", "truncated", "negative", "injection", "stale"],
)
def test_a_bad_index_prints_nothing_and_exits_0(ledger: Path, proc, damage: str) -> None:
    index = prompt_index.index_path(ledger)
    assert run_prompt(proc).stdout.strip()  # sanity: the good index shows something
    text = index.read_text()
    if damage == "missing":
        index.unlink()
    elif damage == "empty":
        index.write_text("")
    elif damage == "garbage":
        index.write_text("{not: an index}\n")
    elif damage == "binary":
        index.write_bytes(b"\xff\xfe\x00pk-prompt-index 2\n")
    elif damage == "truncated":
        index.write_text(text[: len(text) // 2])
    elif damage == "negative":
        index.write_text(re.sub(r"^mine (\d+)", r"mine -\1", text, flags=re.M))
    elif damage == "injection":
        index.write_text(text.replace("\nmine ", "\nmine $(touch pwned) "))
    elif damage == "stale":
        # The store changed without pk (a restore, an edit by hand): the index no longer matches.
        data = json.loads(ledger.read_text())
        data["promises"]["2"]["status"] = "done"
        ledger.write_text(json.dumps(data))
    result = run_prompt(proc)
    assert (result.stdout, result.stderr) == (b"", b"")


@pytest.mark.parametrize("damage", ["missing", "empty", "truncated"])
def test_the_next_pk_command_restores_the_index(ledger: Path, pk, proc, damage: str) -> None:
    """The index is written without fsync: a power cut may leave it missing, empty or cut
    short (what an unsynced rename can leave), and the next command must rebuild it."""
    index = prompt_index.index_path(ledger)
    if damage == "missing":
        index.unlink()
    else:
        index.write_text("" if damage == "empty" else index.read_text()[:40])
    assert run_prompt(proc).stdout == b""
    pk("list")
    assert run_prompt(proc).stdout.decode().startswith("[pk 1 late")
    data = json.loads(ledger.read_text())
    data["promises"]["1"]["status"] = "done"  # by hand: stale now
    ledger.write_text(json.dumps(data))
    assert run_prompt(proc).stdout == b""
    pk("overdue")
    assert run_prompt(proc).stdout.decode().startswith("[pk 1 today")


def test_a_read_does_not_wait_for_a_writer(ledger: Path, pk) -> None:
    index = prompt_index.index_path(ledger)
    index.unlink()
    store = clocked(ledger)
    with store.write("held"):  # another pk holds the lock: the read goes on without the index
        clocked(ledger, lock_timeout=5).read()  # a read refreshes a stale index
        assert not index.exists()
    store.read()
    assert index.exists()


def test_titles_never_reach_the_index_or_the_segment(pk, db_path: Path, proc) -> None:
    pk("add", "Budget", "--to", "Dana", "--due", "2026-11-20", "--past")
    data = json.loads(db_path.read_text())
    # Written by something other than pk (the CLI refuses control characters in titles).
    data["promises"]["1"]["title"] = "\x1b]0;owned\x07\x1b[31m late \u202e"
    data["promises"]["1"]["person"] = "\x1b[2J"
    db_path.write_text(json.dumps(data))
    index = prompt_index.index_path(db_path)
    index.unlink()
    clocked(db_path).read()
    assert re.fullmatch(r"[a-z0-9 \n-]+", index.read_text())
    out = run_prompt(proc).stdout.decode()
    assert out == "[pk 1 late]\n"


def test_bad_options_and_formats_exit_0_without_a_traceback(ledger: Path, proc) -> None:
    for args in (["--format", "{nope}"], ["--format", "{late"], ["--bogus"], ["--format"]):
        result = run_prompt(proc, *args)
        assert result.stdout == b""
        assert result.stderr.count(b"\n") <= 1
    bad_now = proc("prompt", env={"PK_NOW": "yesterday-ish"})
    assert (bad_now.returncode, bad_now.stdout) == (0, b"")
    assert bad_now.stderr == b"pk prompt: PK_NOW is not an ISO 8601 date-time: 'yesterday-ish'\n"
    bogus = proc("prompt", "--bogus")
    assert b"unknown option '--bogus'" in bogus.stderr and b"--format" not in bogus.stderr


def test_db_option_and_help(ledger: Path, proc, tmp_path: Path, pk) -> None:
    elsewhere = {"PK_DB": str(tmp_path / "none.json")}
    assert proc("prompt", env=elsewhere).stdout == b""
    for args in (("--db", str(ledger), "prompt"), ("prompt", "--db", str(ledger))):
        assert proc(*args, env=elsewhere).stdout.startswith(b"[pk 1 late")
    help_text = proc("prompt", "--help").stdout.decode()
    assert "next_slot_min" in help_text and "Example" in help_text
    # The in-process command (what `--help` documents) gives the same segment.
    assert pk("--db", str(ledger), "prompt", env=elsewhere).stdout.startswith("[pk 1 late")


def test_fast_path_imports_nothing_heavy(ledger: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "promisekeeper", "prompt"],
        env=env,
        capture_output=True,
        timeout=60,
    )
    assert result.returncode == 0
    assert result.stdout.decode().startswith("[pk 1 late")
    loaded = {line.split("|")[-1].strip() for line in result.stderr.decode().splitlines()}
    assert "promisekeeper.shell.prompt" in loaded
    heavy = {m for m in loaded if m.split(".")[0] in FORBIDDEN}
    assert heavy == set()
    assert not {"promisekeeper.storage.store", "promisekeeper.cli", "promisekeeper.config"} & loaded


def test_fast_path_modules_via_sys_modules(ledger: Path) -> None:
    code = (
        "import sys\n"
        "sys.argv = ['pk', 'prompt']\n"
        "from promisekeeper.__main__ import main\n"
        "main()\n"
        "sys.stderr.write(' '.join(sorted(sys.modules)))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, timeout=60)
    modules = set(result.stderr.decode().split())
    assert "promisekeeper.shell.prompt" in modules
    assert not {m for m in modules if m.split(".")[0] in FORBIDDEN}


@pytest.mark.parametrize(
    "env",
    [
        {"PK_DB": "/somewhere/p.json"},
        {"PK_DB": "~/p.json"},
        {"PK_DB": "", "XDG_DATA_HOME": "/xdg"},
        {"PK_DB": "", "XDG_DATA_HOME": ""},
    ],
)
def test_prompt_finds_the_store_where_pk_does(monkeypatch, env: dict[str, str]) -> None:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    assert prompt.db_path() == str(paths.db_path())
