"""config.py: every key typed and checked, days off with ranges, and the prompt-index fingerprint.

An unknown key or a value of the wrong type is a ConfigError (exit 78) naming the file, the key
and what is allowed: a typo that silently changes nothing is the worst kind of setting.
"""

from __future__ import annotations

import tomllib
from datetime import date, time, timedelta
from pathlib import Path

import pytest

from promisekeeper.config import load_settings, settings_from_dict
from promisekeeper.errors import ConfigError

FULL = """
timezone = "Europe/Berlin"
soon = "2h"
archive_after = "60d"
reminder = "30m"
max_due_per_day = 3

[work]
start = "08:30"
end = "16:30"
days = ["mon", "tue", "wed", "thu", "friday"]
lunch = "12:00-12:45"
days_off = ["2026-12-08", "2026-12-24..2026-12-27", 2027-01-06]
slot = "45m"
buffer = "10m"

[work.hours]
fri = "08:30-14:00"
wed = "off"

[calendar]
busy = ["https://cal.example/me.ics", "~/cal/work.ics"]
username = "me"
password_command = "pass show cal"
refresh = "5m"
timeout = "20s"

[sync]
url = "https://dav.example/me/promises/"
username = "me"
password_command = "pass show dav"
history_days = 14
timeout = "15s"
"""


def from_toml(text: str):
    return settings_from_dict(tomllib.loads(text), source="~/.config/pk/config.toml")


def test_every_allowed_key_is_read_and_typed() -> None:
    settings = from_toml(FULL)
    assert settings.tz.key == "Europe/Berlin"  # type: ignore[attr-defined]
    assert settings.soon == timedelta(hours=2)
    assert settings.archive_after == timedelta(days=60)
    assert settings.reminder == timedelta(minutes=30)
    assert settings.max_due_per_day == 3
    work = settings.work
    assert work.hours == {
        0: (time(8, 30), time(16, 30)),
        1: (time(8, 30), time(16, 30)),
        3: (time(8, 30), time(16, 30)),
        4: (time(8, 30), time(14, 0)),
    }
    assert work.lunch == (time(12), time(12, 45))
    assert work.days_off == {
        date(2026, 12, 8),
        date(2026, 12, 24),
        date(2026, 12, 25),
        date(2026, 12, 26),
        date(2026, 12, 27),
        date(2027, 1, 6),
    }
    assert (work.slot, work.buffer) == (timedelta(minutes=45), timedelta(minutes=10))
    cal = settings.calendar
    assert cal.busy == ("https://cal.example/me.ics", "~/cal/work.ics")
    assert (cal.username, cal.password_command) == ("me", "pass show cal")
    assert (cal.refresh, cal.timeout) == (timedelta(minutes=5), timedelta(seconds=20))
    sync = settings.sync
    assert sync.url == "https://dav.example/me/promises/"
    assert (sync.username, sync.password_command) == ("me", "pass show dav")
    assert (sync.history_days, sync.timeout) == (14, timedelta(seconds=15))


def test_defaults() -> None:
    settings = settings_from_dict({"timezone": "UTC"})
    assert settings.soon == timedelta(hours=4)
    assert settings.archive_after == timedelta(days=30)
    assert settings.reminder == timedelta(hours=1)
    assert settings.max_due_per_day == 5
    assert sorted(settings.work.hours) == [0, 1, 2, 3, 4]
    assert settings.work.days_off == frozenset()
    assert settings.calendar.busy == ()
    assert settings.sync.url is None
    assert settings.sync.history_days == 30


def test_reminder_off_disables_it() -> None:
    assert settings_from_dict({"timezone": "UTC", "reminder": "off"}).reminder is None
    assert settings_from_dict({"timezone": "UTC", "reminder": "Off"}).reminder is None


def test_toml_times_are_accepted() -> None:
    settings = from_toml('timezone = "UTC"\n[work]\nstart = 08:00:00\nend = 15:00:00\n')
    assert settings.work.hours[0] == (time(8), time(15))


@pytest.mark.parametrize(
    ("days_off", "expected"),
    [
        (["2026-12-24..2027-01-01"], 9),  # inclusive at both ends, across the year
        (["2026-12-24 .. 2026-12-24"], 1),
        (["2026-12-24..2026-12-26", "2026-12-25"], 3),  # overlaps count once
        ([], 0),
    ],
)
def test_days_off_ranges(days_off: list[str], expected: int) -> None:
    settings = settings_from_dict({"timezone": "UTC", "work": {"days_off": days_off}})
    assert len(settings.work.days_off) == expected
    if days_off == ["2026-12-24..2027-01-01"]:
        assert date(2027, 1, 1) in settings.work.days_off
        assert not settings.work.is_workday(date(2026, 12, 31))
        assert settings.work.is_workday(date(2027, 1, 4))


SOURCE = "~/.config/pk/config.toml"

REFUSED = [
    # unknown keys and sections, with the allowed ones and the likely intended one
    (
        'timzone = "Europe/Berlin"',
        f"{SOURCE}: unknown key 'timzone' (allowed: timezone, soon, archive_after, reminder, "
        "max_due_per_day, [work], [calendar], [sync]); did you mean 'timezone'?",
    ),
    ("colour = true", "unknown key 'colour' (allowed: timezone, soon"),
    ("[wrok]\nstart = '09:00'", "did you mean 'work'?"),
    ("[alerts]\nx = 1", "unknown key 'alerts'"),
    (
        "[work]\nstrat = '09:00'",
        f"{SOURCE}: unknown key 'work.strat' (allowed: start, end, days, hours, lunch, days_off, "
        "slot, buffer); did you mean 'start'?",
    ),
    ("[calendar]\nrefrech = '5m'", "unknown key 'calendar.refrech' (allowed: busy, username"),
    ("[sync]\nhistory = 3", "unknown key 'sync.history' (allowed: url, username, password_command"),
    ("[work.hours]\nfriday = '09:00-12:00'\nfrai = 'off'", "unknown weekday 'frai'"),
    # wrong types
    ("timezone = 5", "timezone must be a non-empty string, got 5"),
    ('timezone = "Mars/Olympus"', "unknown timezone 'Mars/Olympus'"),
    ("soon = 4", 'soon must be a duration in quotes such as "30m"'),
    ('soon = "4 parsecs"', "soon: not a duration: '4 parsecs'"),
    ('archive_after = "1 month"', "archive_after: not a duration"),
    ("reminder = false", "reminder must be a duration"),
    ('max_due_per_day = "5"', "max_due_per_day must be a whole number, 0 or more, got '5'"),
    ("max_due_per_day = true", "max_due_per_day must be a whole number"),
    ("max_due_per_day = -1", "max_due_per_day must be a whole number"),
    ('work = "9-5"', "[work] must be a table"),
    ('[work]\ndays = "mon"', 'work.days must be a list of weekdays such as ["mon"'),
    ("[work]\ndays = ['mon', 'someday']", "work.days: unknown weekday 'someday'"),
    ("[work]\nstart = 9", 'work.start must be a time such as "09:00", got 9'),
    ("[work]\nstart = '9am'", "work.start: expected HH:MM"),
    ("[work]\nstart = '17:00'\nend = '09:00'", "work.end must be after work.start"),
    ("[work]\nlunch = '13:00-12:00'", "work.lunch: the end must be after the start"),
    ("[work]\nlunch = 12", "work.lunch: expected a range such as"),
    ("[work]\nhours = 'fri 9-3'", "[work.hours] must be a table"),
    ("[work.hours]\nfri = 9", "work.hours.fri: expected a range"),
    ("[work]\nslot = 30", "work.slot must be a duration in quotes"),
    ("[work]\nslot = '0m'", "work.slot must be longer than zero"),
    ("[work]\nbuffer = '1 month'", "work.buffer: not a duration"),
    ('[work]\ndays_off = "2026-12-24"', "work.days_off must be a list of dates such as"),
    ("[work]\ndays_off = ['24.12.2026']", "work.days_off: '24.12.2026' is not a date or range"),
    ("[work]\ndays_off = ['2026-12-24..']", "is not a date or range"),
    ("[work]\ndays_off = [20261224]", "work.days_off: 20261224 is not a date"),
    ("[work]\ndays_off = ['2027-01-01..2026-12-24']", "ends before it starts"),
    ("[work]\ndays_off = ['2026-01-01..2036-01-01']", "is longer than 400 days"),
    ("calendar = []", "[calendar] must be a table"),
    ('[calendar]\nbusy = "https://x/me.ics"', "calendar.busy must be a list of calendar URLs"),
    ("[calendar]\nbusy = [1]", "calendar.busy must be a list"),
    ("[calendar]\nusername = 3", "calendar.username must be a non-empty string, got 3"),
    ("[calendar]\npassword_command = ''", "calendar.password_command must be a non-empty string"),
    ("[calendar]\ntimeout = 10", "calendar.timeout must be a duration in quotes"),
    ("[sync]\nurl = true", "sync.url must be a non-empty string, got True"),
    ("[sync]\nhistory_days = -1", "sync.history_days must be a whole number, 0 or more"),
    ("[sync]\nhistory_days = '30d'", "sync.history_days must be a whole number"),
    ("[sync]\ntimeout = 'soon'", "sync.timeout: not a duration"),
]


@pytest.mark.parametrize(("toml", "says"), REFUSED)
def test_config_errors_name_the_file_key_and_what_is_allowed(toml: str, says: str) -> None:
    with pytest.raises(ConfigError) as caught:
        from_toml('timezone = "UTC"\n' + toml if not toml.startswith("timezone") else toml)
    message = str(caught.value)
    assert message.startswith(f"{SOURCE}: ")
    assert says in message
    assert "\n" not in message
    assert caught.value.exit_code == 78


def test_history_days_zero_is_allowed() -> None:
    assert (
        settings_from_dict({"timezone": "UTC", "sync": {"history_days": 0}}).sync.history_days == 0
    )


def test_load_settings_names_the_real_file(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('timezone = "UTC"\nsoon = "1h"\nsooon = "2h"\n')
    with pytest.raises(
        ConfigError, match=r"config\.toml: unknown key 'sooon'.*did you mean 'soon'"
    ):
        load_settings(path)


def test_pk_exits_78_on_an_unknown_key(pk, isolated) -> None:
    (isolated / "config.toml").write_text('timezone = "Europe/Berlin"\n[work]\nedn = "18:00"\n')
    result = pk("list", code=78)
    assert "unknown key 'work.edn'" in result.stderr
    assert "did you mean 'end'?" in result.stderr
    assert str(isolated / "config.toml") in result.stderr
    assert result.stderr.count("\n") == 1


def test_pk_reads_days_off_ranges(pk, isolated) -> None:
    # Mon 23 Nov 2026 is the pinned now; with leave until Wed, eow is still Fri but
    # "in 1 workday" is Thursday.
    (isolated / "config.toml").write_text(
        'timezone = "Europe/Berlin"\n[work]\ndays_off = ["2026-11-24..2026-11-25"]\n'
    )
    result = pk("add", "x", "--to", "A", "--due", "in 1 workday")
    assert "due Thu 26 Nov 10:00" in result.stdout


# --- the prompt-index fingerprint --------------------------------------------------------------

BASE = {"timezone": "Europe/Berlin"}


@pytest.mark.parametrize(
    "change",
    [
        {"timezone": "America/New_York"},
        {"soon": "2h"},
        {"work": {"end": "18:00"}},
        {"work": {"days": ["mon", "tue"]}},
        {"work": {"hours": {"fri": "09:00-12:00"}}},
        {"work": {"days_off": ["2026-12-24"]}},
    ],
)
def test_fingerprint_changes_with_what_decides_overdue_and_due_today(change: dict) -> None:
    before = settings_from_dict(BASE).fingerprint()
    after = settings_from_dict({**BASE, **change}).fingerprint()
    assert before != after


@pytest.mark.parametrize(
    "change",
    [
        {"sync": {"url": "https://dav.example/"}},
        {"reminder": "off"},
        {"archive_after": "90d"},
        {"work": {"slot": "1h", "lunch": "12:00-13:00"}},
        {"timezone": "Europe/Berlin"},
    ],
)
def test_fingerprint_ignores_what_the_prompt_does_not_use(change: dict) -> None:
    assert (
        settings_from_dict(BASE).fingerprint()
        == settings_from_dict({**BASE, **change}).fingerprint()
    )


def test_fingerprint_is_short_and_stable() -> None:
    # Stable across processes (no hash() randomisation): pinned for Europe/Berlin defaults.
    assert settings_from_dict(BASE).fingerprint() == "2cea4234"


def test_reading_settings_stays_cheap() -> None:
    # The shell prompt reads settings on every prompt: no dateutil, difflib only on the path that
    # needs it (a config error), and no hashlib even for the fingerprint (~5 ms to import).
    import subprocess
    import sys

    code = (
        "import sys; from promisekeeper.config import settings_from_dict; "
        "settings_from_dict({'timezone': 'UTC', 'work': {'days_off': ['2026-12-24..2026-12-25']}})"
        ".fingerprint();"
        "print(sorted(m for m in ('dateutil', 'difflib', 'hashlib', 'promisekeeper.dates') "
        "if m in sys.modules))"
    )
    src = Path(__file__).resolve().parents[1] / "src"
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(src), "PATH": ""},
    ).stdout
    assert out.strip() == "[]"
