"""`promise_line` and `due_text` work `now` out once per listing and convert each deadline once;
they must print exactly what the per-line formula printed (`format_local(due, tz, now=now)`, then
`relative(due, now)`, then the `soon` marker), around DST changes and New Year, with `now` in the
user's zone or another, and refuse exactly what it refused. The formula is kept here, as it was
written before the shortcut, as the reference."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from promisekeeper.dates.clock import day_label, require_aware
from promisekeeper.dates.words import _calendar_parts, span
from promisekeeper.model import Promise, inert
from promisekeeper.timewords import elapsed_parts, say_parts
from promisekeeper.views.lines import due_text, promise_line, promise_lines

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")

# --- the reference: the per-line formula as it was --------------------------------------------


def ref_format_local(dt: datetime, tz: tzinfo, now: datetime) -> str:
    require_aware(dt, "format_local")
    local = dt.astimezone(tz)
    year = now.astimezone(tz).year != local.year
    return f"{day_label(local.date(), year=year)} {local:%H:%M}"


def ref_relative(when: datetime, now: datetime) -> str:
    require_aware(when, "relative")
    require_aware(now, "relative")
    seconds = (when.astimezone(UTC) - now.astimezone(UTC)).total_seconds()
    if abs(seconds) < 60:
        return "now"
    zone = now.tzinfo
    wall_when = when.astimezone(zone).replace(tzinfo=None)
    wall_now = now.astimezone(zone).replace(tzinfo=None)
    earlier, later = sorted((wall_now, wall_when))
    if later - earlier >= timedelta(days=1) and (wall_when > wall_now) == (seconds > 0):
        words = say_parts(_calendar_parts(earlier, later))
    else:
        words = say_parts(elapsed_parts(abs(seconds)))
    return f"in {words}" if seconds > 0 else f"{words} late"


def ref_due_text(p: Promise, now: datetime, tz: tzinfo, soon: timedelta) -> str:
    when = ref_format_local(p.due, tz, now)
    if p.status == "done" and p.done_at is not None:
        if p.kept_on_time:
            return f"{when} — kept on time"
        return f"{when} — kept {span(p.late_by(now).total_seconds())} late"
    if p.status == "dropped":
        return f"{when} — dropped"
    due_soon = p.is_open and now <= p.due < now + soon
    return f"{when} — {ref_relative(p.due, now)}{' · soon' if due_soon else ''}"


def ref_promise_line(p: Promise, now: datetime, tz: tzinfo, soon: timedelta) -> str:
    team = f" [{inert(p.team)}]" if p.team else ""
    tags = "".join(f" #{inert(t)}" for t in p.tags)
    who = f"{'→' if p.direction == 'to' else '←'} {inert(p.person)}"
    due = ref_due_text(p, now, tz, soon)
    return f"#{p.id}  {inert(p.title)}  {who}{team}  due {due}{tags}"


# --- random listings around the clock changes -------------------------------------------------

# Berlin and New York change their clocks on different days; New Year shows the year.
CHANGES = [
    datetime(2026, 3, 8, 7, 0, tzinfo=UTC),
    datetime(2026, 3, 29, 1, 0, tzinfo=UTC),
    datetime(2026, 10, 25, 1, 0, tzinfo=UTC),
    datetime(2026, 11, 1, 6, 0, tzinfo=UTC),
    datetime(2026, 12, 31, 23, 0, tzinfo=UTC),
]
ZONES = st.sampled_from([BERLIN, NEW_YORK])
NOW_ZONES = st.sampled_from([BERLIN, NEW_YORK, UTC])
# Seconds from a change: within hours of it (a `soon` window across it) or days (a day count).
NEAR = st.one_of(
    st.integers(min_value=-6 * 3600, max_value=6 * 3600),
    st.integers(min_value=-4 * 86400, max_value=4 * 86400),
)
# Due minus now: within the minute that says "now", hours, days, and past a year either way.
GAPS = st.one_of(
    st.integers(min_value=-120, max_value=120),
    st.integers(min_value=-2 * 86400, max_value=2 * 86400),
    st.integers(min_value=-400 * 86400, max_value=400 * 86400),
)
TEXT = st.text(min_size=1, max_size=8)


@st.composite
def listings(draw: st.DrawFn) -> tuple[Promise, datetime, tzinfo, timedelta]:
    tz = draw(ZONES)
    instant = draw(st.sampled_from(CHANGES)) + timedelta(seconds=draw(NEAR))
    now = instant.astimezone(draw(NOW_ZONES))
    soon = timedelta(minutes=draw(st.integers(min_value=0, max_value=30 * 60)))
    # Or near the end of the `soon` window, which is counted on the wall clock.
    near_soon = st.integers(min_value=-7200, max_value=7200).map(lambda s: s + soon.seconds)
    due = instant + timedelta(seconds=draw(GAPS | near_soon))
    # Stored deadlines are UTC; one built in code may be in any zone.
    due = due.astimezone(draw(st.sampled_from([UTC, UTC, BERLIN, NEW_YORK])))
    status = draw(st.sampled_from(["open", "open", "done", "dropped"]))
    done_at = None
    if status == "done" and draw(st.booleans()):
        done_at = due + timedelta(seconds=draw(GAPS))
    promise = Promise(
        id=draw(st.integers(min_value=1, max_value=99999)),
        uuid="u",
        title=draw(TEXT),
        person=draw(TEXT),
        direction=draw(st.sampled_from(["to", "from"])),
        due=due,
        created=instant - timedelta(days=30),
        team=draw(st.none() | TEXT),
        tags=tuple(draw(st.lists(TEXT, max_size=3))),
        status=status,
        done_at=done_at,
    )
    return promise, now, tz, soon


@settings(max_examples=600, deadline=None)
@given(listings())
def test_a_line_is_the_per_line_formula(listing) -> None:
    promise, now, tz, soon = listing
    assert promise_line(promise, now, tz, soon) == ref_promise_line(promise, now, tz, soon)
    assert due_text(promise, now, tz, soon) == ref_due_text(promise, now, tz, soon)


@settings(max_examples=200, deadline=None)
@given(st.lists(listings(), min_size=2, max_size=6), st.sampled_from(CHANGES), NEAR)
def test_one_listing_of_many_promises_is_the_per_line_formula(listed, change, offset) -> None:
    """Many lines under one `now` (one clock for the listing), in one zone and then another."""
    instant = change + timedelta(seconds=offset)
    for zone in (BERLIN, UTC, NEW_YORK):
        now = instant.astimezone(zone)
        for tz in (BERLIN, NEW_YORK):
            for soon in (timedelta(hours=4), timedelta(0)):
                promises = [promise for promise, *_ in listed]
                expected = [ref_promise_line(p, now, tz, soon) for p in promises]
                assert promise_lines(promises, now, tz, soon) == expected


@pytest.mark.parametrize(
    ("now", "elapsed", "marked"),
    [
        # 4 hours on the wall clock from 00:30 on Berlin's spring-forward night is 3 elapsed.
        (datetime(2026, 3, 29, 0, 30, tzinfo=BERLIN), timedelta(hours=3, minutes=15), False),
        (datetime(2026, 3, 29, 0, 30, tzinfo=BERLIN), timedelta(hours=2, minutes=45), True),
        # ...and from 23:00 before New York falls back, 5.
        (datetime(2026, 10, 31, 23, 0, tzinfo=NEW_YORK), timedelta(hours=4, minutes=30), True),
        (datetime(2026, 10, 31, 23, 0, tzinfo=NEW_YORK), timedelta(hours=5, minutes=30), False),
    ],
)
def test_the_soon_window_ends_on_the_wall_clock(now, elapsed, marked) -> None:
    promise = open_promise(now.astimezone(UTC) + elapsed)
    soon = timedelta(hours=4)
    line = promise_line(promise, now, now.tzinfo, soon)
    assert line == ref_promise_line(promise, now, now.tzinfo, soon)
    assert line.endswith(" · soon") == marked


def open_promise(due: datetime) -> Promise:
    created = datetime(2026, 1, 1, tzinfo=UTC)
    return Promise(1, "u", "Numbers", "Dana", "to", due, created)


def test_one_instant_in_two_zones_counts_days_on_each_zones_calendar() -> None:
    """An equal `now` in another zone counts days on that zone's calendar (Sunday 29 March in
    Berlin is 23 hours long; in UTC it is 24)."""
    due = datetime(2026, 3, 30, 22, 0, tzinfo=UTC)  # Tue 31 Mar 00:00 in Berlin
    in_berlin = datetime(2026, 3, 28, 23, 30, tzinfo=BERLIN)
    in_utc = in_berlin.astimezone(UTC)
    assert in_berlin == in_utc
    lines = [promise_line(open_promise(due), now, BERLIN) for now in (in_berlin, in_utc)]
    assert lines[0].endswith("due Tue 31 Mar 00:00 — in 2 days")
    assert lines[1].endswith("due Tue 31 Mar 00:00 — in 1 day 23h")


def test_a_naive_now_is_refused() -> None:
    """No caller passes one; a listing refuses it up front rather than print days counted on no
    calendar."""
    naive = datetime(2026, 3, 29, 12, 0)
    due = datetime(2026, 3, 30, 12, 0, tzinfo=UTC)
    dropped = Promise(1, "u", "Numbers", "Dana", "to", due, due, status="dropped")
    for promise in (dropped, open_promise(due)):
        with pytest.raises(ValueError, match=r"^now: expected a timezone-aware datetime"):
            promise_line(promise, naive, BERLIN)
    with pytest.raises(ValueError, match=r"^format_local: expected a timezone-aware datetime"):
        promise_line(open_promise(due.replace(tzinfo=None)), due, BERLIN)
