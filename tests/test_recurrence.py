"""Repeat rules (each phrase's next three occurrences, month ends, DST, days off) and recurring
promises end to end: done/drop schedule the next occurrence, `drop --series` stops the series."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from promisekeeper.config import WorkTime
from promisekeeper.core.recurrence import next_occurrence, occurrences, parse_rule
from promisekeeper.errors import BadInput

BERLIN = ZoneInfo("Europe/Berlin")
FRI_NOON = datetime(2026, 11, 27, 12, 0, tzinfo=BERLIN)


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=BERLIN)


@pytest.mark.parametrize(
    "phrase, anchor, expected",
    [
        ("day", FRI_NOON, ["2026-11-28", "2026-11-29", "2026-11-30"]),
        ("workday", FRI_NOON, ["2026-11-30", "2026-12-01", "2026-12-02"]),
        ("week on fri", FRI_NOON, ["2026-12-04", "2026-12-11", "2026-12-18"]),
        ("every week on mon and thu", FRI_NOON, ["2026-11-30", "2026-12-03", "2026-12-07"]),
        ("2 weeks", FRI_NOON, ["2026-12-11", "2026-12-25", "2027-01-08"]),
        ("month on 1st", FRI_NOON, ["2026-12-01", "2027-01-01", "2027-02-01"]),
        ("month on last fri", FRI_NOON, ["2026-12-25", "2027-01-29", "2027-02-26"]),
        ("month on 2nd tue", FRI_NOON, ["2026-12-08", "2027-01-12", "2027-02-09"]),
        # Nov 30 is a Monday; Jan 30-31 2027 are a weekend, so January's is Fri 29.
        ("month on last workday", FRI_NOON, ["2026-11-30", "2026-12-31", "2027-01-29"]),
        # A short month gives its last day, not a skipped month.
        ("month on 31st", FRI_NOON, ["2026-11-30", "2026-12-31", "2027-01-31"]),
        ("month", local(2027, 1, 31, 12, 0), ["2027-02-28", "2027-03-31", "2027-04-30"]),
        ("quarter", FRI_NOON, ["2027-02-27", "2027-05-27", "2027-08-27"]),
        ("year on mar 31", FRI_NOON, ["2027-03-31", "2028-03-31", "2029-03-31"]),
        ("year on feb 29", FRI_NOON, ["2027-02-28", "2028-02-29", "2029-02-28"]),
        ("FREQ=WEEKLY;BYDAY=MO", FRI_NOON, ["2026-11-30", "2026-12-07", "2026-12-14"]),
        ("RRULE:FREQ=MONTHLY;BYMONTHDAY=15", FRI_NOON, ["2026-12-15", "2027-01-15", "2027-02-15"]),
    ],
)
def test_next_three_occurrences_keep_the_local_time(phrase, anchor, expected):
    found = occurrences(phrase, anchor, BERLIN, count=3)
    assert [d.date().isoformat() for d in found] == expected
    assert all(d.astimezone(BERLIN).strftime("%H:%M") == anchor.strftime("%H:%M") for d in found)


def test_weekly_at_nine_stays_at_nine_across_spring_dst():
    found = occurrences("week on fri", local(2026, 3, 20, 9, 0), BERLIN, count=3)
    assert [d.isoformat() for d in found] == [
        "2026-03-27T09:00:00+01:00",
        "2026-04-03T09:00:00+02:00",  # the UTC time moves an hour, the wall clock does not
        "2026-04-10T09:00:00+02:00",
    ]


def test_weekly_across_autumn_dst():
    found = occurrences("week on mon", local(2026, 10, 19, 9, 0), BERLIN, count=2)
    assert [d.isoformat() for d in found] == [
        "2026-10-26T09:00:00+01:00",
        "2026-11-02T09:00:00+01:00",
    ]
    assert found[0].utcoffset() != local(2026, 10, 19, 9, 0).utcoffset()


def test_a_wall_clock_time_the_clocks_skip_moves_forward_not_away():
    found = occurrences("day", local(2026, 3, 28, 2, 30), BERLIN, count=3)
    assert [d.isoformat() for d in found] == [
        "2026-03-29T03:30:00+02:00",  # 02:30 does not exist that night
        "2026-03-30T02:30:00+02:00",
        "2026-03-31T02:30:00+02:00",
    ]


def test_workdays_skip_days_off_and_last_workday_steps_back():
    work = WorkTime(
        days_off=frozenset({date(2026, 12, 24), date(2026, 12, 25), date(2026, 12, 31)})
    )
    skipped = occurrences("workday", local(2026, 12, 23, 9, 0), BERLIN, work, count=3)
    assert [d.date().isoformat() for d in skipped] == ["2026-12-28", "2026-12-29", "2026-12-30"]
    month_end = next_occurrence(
        "month on last workday", FRI_NOON, BERLIN, work, after=local(2026, 12, 1)
    )
    assert month_end is not None and month_end.date().isoformat() == "2026-12-30"


def test_occurrences_count_from_the_anchor_not_from_after():
    # Every 2 weeks from Fri 27 Nov: asking after 13 Dec gives 25 Dec, not 27 Dec.
    found = next_occurrence("2 weeks", FRI_NOON, BERLIN, after=local(2026, 12, 13))
    assert found == local(2026, 12, 25, 12, 0)


def test_a_raw_rule_that_runs_out_has_no_next():
    assert next_occurrence("FREQ=WEEKLY;COUNT=1", FRI_NOON, BERLIN) is None


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "fortnightly",
        "month on 32nd",
        "week on funday",
        "day on mon",
        "year on feb 30",
        "FREQ=SOMETIMES",
        "0 days",
        "DTSTART:20260101T000000\nRRULE:FREQ=DAILY",
        # more often than daily: a promise is not due every second
        "FREQ=SECONDLY",
        "FREQ=MINUTELY;INTERVAL=5",
        "RRULE:FREQ=HOURLY",
        "FREQ=DAILY;BYHOUR=9,17",
    ],
)
def test_an_invalid_rule_is_refused_with_examples(bad):
    with pytest.raises(BadInput) as caught:
        parse_rule(bad)
    message = str(caught.value)
    assert "\n" not in message
    if "DTSTART" not in bad:
        assert "week on fri" in message and "month on last workday" in message


# --- recurring promises through the CLI (pinned at Mon 23 Nov 2026 10:00 Berlin) -----------------


def add_weekly(pk, *extra: str) -> dict:
    return pk.json(
        "add",
        "Time cards to payroll",
        "--to",
        "Payroll",
        "--due",
        "fri 12:00",
        "--every",
        "week on fri",
        *extra,
    )


def test_add_every_stores_the_series(pk):
    created = add_weekly(pk)
    assert created["series"]["rule"] == "week on fri"
    assert len(created["series"]["id"]) == 36
    assert created["series"]["anchor"] == created["due"] == "2026-11-27T11:00:00+00:00"


def test_add_with_a_bad_rule_writes_nothing(pk, db_path):
    result = pk("add", "x", "--to", "A", "--due", "fri", "--every", "fortnightly", code=2)
    assert "try: day, workday, week on fri" in result.stderr
    assert not db_path.exists()


def test_done_schedules_the_next_occurrence_with_a_new_id_in_the_same_series(pk):
    first = add_weekly(pk)
    result = pk("done", "1")
    assert "Next: #2 “Time cards to payroll” due Fri 4 Dec 12:00" in result.stderr
    second = pk.json("show", "2")
    assert second["id"] != first["id"] and second["uuid"] != first["uuid"]
    assert second["series"]["id"] == first["series"]["id"]
    assert second["series"]["previous"] == 1
    assert second["due"] == "2026-12-04T11:00:00+00:00"
    assert second["status"] == "open"
    shown = pk("show", "1").stdout
    assert "repeats" in shown and "week on fri" in shown
    assert "series: #2 Fri 4 Dec 12:00 open" in shown


def test_dropping_one_occurrence_schedules_the_next(pk):
    add_weekly(pk)
    pk("drop", "1", "--reason", "payroll closed this week")
    assert pk.json("show", "2")["due"] == "2026-12-04T11:00:00+00:00"


def test_drop_series_stops_it(pk):
    add_weekly(pk)
    result = pk("drop", "1", "--series")
    assert "stopped" in result.stderr
    assert pk("show", "2", code=3)
    assert pk.json("show", "1")["series"]["stopped"]


def test_drop_series_on_a_promise_that_does_not_repeat_is_refused(pk):
    pk("add", "x", "--to", "A", "--due", "fri")
    assert "does not repeat" in pk("drop", "1", "--series", code=4).stderr
    assert pk.json("show", "1")["status"] == "open"


def test_reopen_and_done_again_does_not_duplicate_the_next(pk):
    add_weekly(pk)
    pk("done", "1")
    pk("reopen", "1")
    pk("done", "1")
    assert len(pk.json("list")) == 1


def test_a_renegotiated_occurrence_does_not_shift_the_series(pk):
    add_weekly(pk)
    pk("move", "1", "next mon", "--reason", "payroll asked for Monday")
    pk("done", "1")
    assert pk.json("show", "2")["due"] == "2026-12-04T11:00:00+00:00"


def test_finishing_late_never_creates_an_overdue_occurrence(pk):
    pk(
        "add",
        "Standup notes",
        "--to",
        "Team",
        "--due",
        "2026-11-18 09:00",
        "--past",
        "--every",
        "day",
    )
    pk("done", "1")
    nxt = pk.json("show", "2")
    assert nxt["due"] == "2026-11-24T08:00:00+00:00"  # tomorrow 09:00, not Thu 19 Nov
    assert nxt["overdue"] is False


def test_add_every_with_a_sub_daily_rrule_is_refused_and_writes_nothing(pk, db_path):
    result = pk("add", "x", "--to", "A", "--due", "fri", "--every", "FREQ=SECONDLY", code=2)
    assert "at most daily" in result.stderr and "week on fri" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not db_path.exists()


@pytest.fixture
def walked(monkeypatch) -> list:
    """Every occurrence dateutil generates while `occurrences` searches: the cost of a lookup."""
    from promisekeeper.core import recurrence

    generated: list = []
    real = recurrence.rrulestr

    def counting(*args, **kwargs):
        schedule = real(*args, **kwargs)
        inner = schedule._iter

        def _iter():
            for value in inner():
                generated.append(value)
                yield value

        schedule._iter = _iter
        return schedule

    monkeypatch.setattr(recurrence, "rrulestr", counting)
    return generated


@pytest.mark.parametrize(
    "phrase, expected",
    [
        ("day", "2026-11-24T09:00:00+01:00"),
        ("3 days", "2026-11-25T09:00:00+01:00"),  # 2025-11-24 + 366 days: the phase is kept
        ("2 weeks on mon", "2026-12-07T09:00:00+01:00"),  # 262 fortnights on, not 30 Nov
        ("month on 31st", "2026-11-30T09:00:00+01:00"),
        ("workday", "2026-11-24T09:00:00+01:00"),
    ],
)
def test_a_series_years_behind_is_found_without_walking_from_its_anchor(walked, phrase, expected):
    anchor = local(2016, 11, 21, 9, 0) if phrase != "3 days" else local(2025, 11, 24, 9, 0)
    if phrase == "month on 31st":
        anchor = local(2016, 10, 31, 9, 0)
    found = next_occurrence(phrase, anchor, BERLIN, after=local(2026, 11, 23, 10, 0))
    assert found is not None and found.isoformat() == expected
    assert len(walked) < 70, len(walked)  # ten years daily from the anchor would be 3,650


def test_done_on_a_daily_series_a_year_late_walks_a_few_days_not_a_year(pk, walked):
    pk(
        "add",
        "Standup notes",
        "--to",
        "Team",
        "--due",
        "2025-11-20 09:00",
        "--past",
        "--every",
        "day",
    )
    walked.clear()
    pk("done", "1")
    assert pk.json("show", "2")["due"] == "2026-11-24T08:00:00+00:00"
    assert 0 < len(walked) < 10, len(walked)


@pytest.mark.parametrize("rule", ["garbage rule", "FREQ=SECONDLY"])
def test_done_with_an_unreadable_stored_rule_completes_and_warns(pk, db_path, rule):
    import json

    add_weekly(pk)
    data = json.loads(db_path.read_text())
    data["promises"]["1"]["series"]["rule"] = rule  # by hand, or accepted by an older version
    db_path.write_text(json.dumps(data))
    result = pk("done", "1")
    assert pk.json("show", "1")["status"] == "done"
    assert len(pk.json("list", "--all")) == 1  # nothing scheduled
    warning = [line for line in result.stderr.splitlines() if "unreadable" in line]
    assert len(warning) == 1 and repr(rule) in warning[0] and "no next occurrence" in warning[0]
    assert "pk doctor" in warning[0]


def test_done_with_a_damaged_stored_anchor_completes_and_warns(pk, db_path):
    import json

    add_weekly(pk)
    data = json.loads(db_path.read_text())
    data["promises"]["1"]["series"]["anchor"] = "last friday-ish"
    db_path.write_text(json.dumps(data))
    result = pk("drop", "1")
    assert pk.json("show", "1")["status"] == "dropped"
    assert "series anchor 'last friday-ish' is unreadable" in result.stderr


def damage(db_path, pid: str, **fields) -> None:
    import json

    data = json.loads(db_path.read_text())
    data["promises"][pid].update(fields)
    db_path.write_text(json.dumps(data))


def test_show_a_series_is_whole_when_another_record_is_damaged(pk, db_path):
    add_weekly(pk)
    pk("done", "1")  # schedules #2
    pk("add", "Unrelated", "--to", "Kim", "--due", "fri")
    damage(db_path, "3", due="not a time")
    result = pk("show", "1")
    assert "Time cards to payroll" in result.stdout
    assert "series: #2 Fri 4 Dec 12:00 open" in result.stdout


def test_show_fails_before_printing_anything_when_its_series_has_a_damaged_record(pk, db_path):
    add_weekly(pk)
    pk("done", "1")
    damage(db_path, "2", due="not a time")
    result = pk("show", "1", code=65)
    assert result.stdout == ""
    assert "promise 2" in result.stderr
