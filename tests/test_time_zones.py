"""Deadlines and "today"/"overdue" at fixed instants through the CLI, across DST changes."""

from __future__ import annotations

import pytest


def use_zone(isolated, monkeypatch, zone: str, now: str, extra: str = "") -> None:
    (isolated / "config.toml").write_text(f'timezone = "{zone}"\n{extra}')
    monkeypatch.setenv("PK_NOW", now)


@pytest.mark.parametrize(
    "zone, now, phrase, stored, shown",
    [
        # Saturday before Europe's autumn change: tomorrow 9am is 09:00 CET, not 08:00/10:00.
        (
            "Europe/Berlin",
            "2026-10-24T12:00:00+02:00",
            "tomorrow 9am",
            "2026-10-25T08:00:00+00:00",
            "Sun 25 Oct 09:00",
        ),
        # Spring forward in Berlin.
        (
            "Europe/Berlin",
            "2026-03-28T12:00:00+01:00",
            "tomorrow 9am",
            "2026-03-29T07:00:00+00:00",
            "Sun 29 Mar 09:00",
        ),
        # New York spring forward and fall back.
        (
            "America/New_York",
            "2026-03-07T12:00:00-05:00",
            "tomorrow 9am",
            "2026-03-08T13:00:00+00:00",
            "Sun 8 Mar 09:00",
        ),
        (
            "America/New_York",
            "2026-10-31T12:00:00-04:00",
            "tomorrow 9am",
            "2026-11-01T14:00:00+00:00",
            "Sun 1 Nov 09:00",
        ),
        (
            "America/New_York",
            "2026-11-23T10:00:00-05:00",
            "eod",
            "2026-11-23T22:00:00+00:00",
            "Mon 23 Nov 17:00",
        ),
    ],
)
def test_deadlines_are_wall_clock_in_the_configured_zone(
    pk, isolated, monkeypatch, zone, now, phrase, stored, shown
):
    use_zone(isolated, monkeypatch, zone, now)
    result = pk("add", "x", "--to", "A", "--due", phrase)
    assert f"due {shown}" in result.stdout
    assert pk.json("show", "1")["due"] == stored


def test_a_time_inside_the_dst_gap_is_refused(pk, isolated, monkeypatch):
    use_zone(isolated, monkeypatch, "Europe/Berlin", "2026-03-28T12:00:00+01:00")
    result = pk("add", "x", "--to", "A", "--due", "2026-03-29 02:30", code=2)
    assert "does not exist" in result.stderr


def test_today_and_overdue_are_decided_in_the_users_zone(pk, isolated, monkeypatch):
    # 23:30 in New York is already the next day in UTC; "today" must still be the local day.
    use_zone(isolated, monkeypatch, "America/New_York", "2026-11-23T20:00:00-05:00")
    pk("add", "tonight", "--to", "A", "--due", "23:30")
    pk("add", "tomorrow morning", "--to", "A", "--due", "tomorrow 8am")
    monkeypatch.setenv("PK_NOW", "2026-11-23T21:00:00-05:00")
    env = {"NO_COLOR": "", "FORCE_COLOR": "1", "TTY_COMPATIBLE": "1"}
    lines = pk("list", env=env).stdout.splitlines()
    tonight = next(line for line in lines if "tonight" in line)
    morning = next(line for line in lines if "tomorrow morning" in line)
    assert "33m" in tonight  # due today (and within `soon`): yellow, bold
    assert "33m" not in morning
    monkeypatch.setenv("PK_NOW", "2026-11-23T23:45:00-05:00")
    assert [p["title"] for p in pk.json("overdue")] == ["tonight"]


def test_a_config_end_of_day_moves_eod(pk, isolated, monkeypatch):
    use_zone(
        isolated,
        monkeypatch,
        "Europe/Berlin",
        "2026-11-23T10:00:00+01:00",
        '[work]\nend = "18:30"\n',
    )
    assert "due Mon 23 Nov 18:30" in pk("add", "x", "--to", "A", "--due", "eod").stdout


def test_a_bad_config_is_one_line(pk, isolated):
    (isolated / "config.toml").write_text('timezone = "Mars/Olympus"\n')
    result = pk("list", code=78)
    assert "unknown timezone 'Mars/Olympus'" in result.stderr
    assert result.stderr.count("\n") == 1


@pytest.mark.parametrize(
    "now, phrase, shown",
    [
        # Issue 9: two days across a DST change are "in 2 days", not "in 1 day".
        ("2026-03-28T10:00:00+01:00", "in 2 days", "due Mon 30 Mar 10:00 — in 2 days"),
        ("2026-10-24T10:00:00+02:00", "in 2 days", "due Mon 26 Oct 10:00 — in 2 days"),
        ("2026-03-28T10:00:00+01:00", "mon", "due Mon 30 Mar 17:00 — in 2 days 7h"),
    ],
)
def test_durations_in_words_count_calendar_days_across_dst(
    pk, isolated, monkeypatch, now, phrase, shown
):
    use_zone(isolated, monkeypatch, "Europe/Berlin", now)
    assert shown in pk("add", "x", "--to", "A", "--due", phrase).stdout


def test_a_month_day_never_lands_a_year_away(pk, isolated, monkeypatch):
    # Issue 9: on Wed 2 Dec, "dec 1" is yesterday: refused with the way on, or kept with --past.
    use_zone(isolated, monkeypatch, "Europe/Berlin", "2026-12-02T10:00:00+01:00")
    refused = pk("add", "x", "--to", "A", "--due", "dec 1", code=2)
    assert (
        "'dec 1' is in the past (Tue 1 Dec 17:00); try dec 1 2027, or add --past" in refused.stderr
    )
    pk("add", "x", "--to", "A", "--due", "dec 1", "--past")
    assert pk.json("show", "1")["due"] == "2026-12-01T16:00:00+00:00"
