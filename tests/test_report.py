"""Standup and statistics on a hand-built store at the pinned instant, Monday 23 Nov 2026 10:00
Europe/Berlin: the standup covers Friday, each format has a golden output, and the statistics have
known rates."""

from __future__ import annotations

import itertools
import json
import uuid
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from promisekeeper.config import Settings
from promisekeeper.core.report import Counts, default_since, standup, stats
from promisekeeper.model import Promise, iso
from promisekeeper.storage.store import PROMISES, REQUESTS, Store

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=BERLIN)
SETTINGS = Settings(tz=BERLIN)


def at(text: str) -> datetime:
    """A local Berlin time, '2026-11-20 15:00'."""
    return datetime.fromisoformat(text).replace(tzinfo=BERLIN)


def promise(
    title: str,
    person: str,
    due: str,
    *,
    direction: str = "to",
    team: str | None = None,
    done: str | None = None,
    dropped: bool = False,
    moved_from: list[str] = (),  # type: ignore[assignment]
    created: str = "2026-11-02 09:00",
) -> dict:
    history = [
        {
            "at": iso(at(created)),
            "type": "created",
            "due": iso(at(moved_from[0] if moved_from else due)),
        }
    ]
    chain = [*moved_from, due]
    for old, new in itertools.pairwise(chain):
        history.append(
            {
                "at": iso(at(created)),
                "type": "moved",
                "from": iso(at(old)),
                "to": iso(at(new)),
                "reason": "asked",
            }
        )
    status = "done" if done else "dropped" if dropped else "open"
    if done:
        late = max(0, int((at(done) - at(due)).total_seconds()))
        history.append(
            {"at": iso(at(done)), "type": "done", "on_time": late == 0, "late_seconds": late}
        )
    if dropped:
        history.append({"at": iso(at(created)), "type": "dropped", "reason": None})
    return Promise(
        id=0,
        uuid=str(uuid.uuid5(uuid.NAMESPACE_URL, title)),
        title=title,
        person=person,
        direction=direction,  # type: ignore[arg-type]
        due=at(due),
        created=at(created),
        team=team,
        status=status,  # type: ignore[arg-type]
        done_at=at(done) if done else None,
        history=tuple(history),
    ).to_dict()


def seed(db_path: Path, promises: list[dict], requests: list[dict] = ()) -> None:  # type: ignore[assignment]
    with Store(db_path).write("seed") as tx:
        for record in promises:
            tx.insert(PROMISES, record)
        for record in requests:
            tx.insert(REQUESTS, record)


def request(
    title: str, person: str, start: str, end: str, status: str = "booked", team=None
) -> dict:
    slot = {"start": iso(at(start)), "end": iso(at(end))}
    return {
        "uuid": str(uuid.uuid5(uuid.NAMESPACE_URL, "req" + title)),
        "title": title,
        "person": person,
        "team": team,
        "need_minutes": 30,
        "reason": None,
        "created": iso(at("2026-11-20 09:00")),
        "status": status,
        "proposed": [slot],
        "slot": slot if status == "booked" else None,
        "forced": False,
        "promise_id": None,
        "history": [],
    }


STANDUP_PROMISES = [
    promise(
        "Send Q3 headcount numbers",
        "Dana",
        "2026-11-20 15:00",
        team="Finance",
        done="2026-11-20 14:00",
    ),
    promise("Slides for the all-hands", "Lee", "2026-11-19 17:00", done="2026-11-20 10:00"),
    promise("Thursday's report", "Lee", "2026-11-19 12:00", done="2026-11-19 11:00"),
    promise(
        "Budget draft", "Dana", "2026-11-23 15:00", team="Finance", moved_from=["2026-11-20 15:00"]
    ),
    promise("Vendor contract review", "Kim", "2026-11-20 17:00", team="Legal"),
    promise("Q4 plan", "Kim", "2026-11-25 12:00", team="Legal"),
    promise("Hiring plan", "Ana", "2026-11-26 17:00"),
    promise("Updated floor plan", "Sam", "2026-11-20 12:00", direction="from", team="Facilities"),
    promise("Access badge", "Ana", "2026-11-24 17:00", direction="from"),
    promise("Dropped idea", "Lee", "2026-11-23 12:00", dropped=True),
]
STANDUP_REQUESTS = [
    request("Explain the VPN setup", "Jo", "2026-11-23 14:00", "2026-11-23 14:30", team="IT"),
    request("Review a draft", "Max", "2026-11-24 10:00", "2026-11-24 10:30"),
    request("Not booked yet", "Max", "2026-11-23 11:00", "2026-11-23 11:30", status="proposed"),
]


@pytest.fixture
def standup_store(db_path: Path) -> Path:
    seed(db_path, STANDUP_PROMISES, STANDUP_REQUESTS)
    return db_path


def test_a_monday_standup_covers_friday():
    assert default_since(NOW, SETTINGS) == at("2026-11-20 00:00")


def test_standup_sections_hold_the_right_promises(standup_store):
    view = Store(standup_store).read()
    report = standup(view.promises(), view.records(REQUESTS), NOW, SETTINGS)
    titles = {s.key: [e.title for e in s.entries] for s in report.sections}
    assert titles == {
        "done": ["Slides for the all-hands", "Send Q3 headcount numbers"],
        "due_today": ["Budget draft"],
        "overdue": ["Vendor contract review"],
        "coming_up": ["Q4 plan"],  # Tue and Wed are the next two working days; Thu is not
        "waiting": ["Updated floor plan", "Access badge"],  # the late one first
        "help_slots": ["Explain the VPN setup"],
    }


GOLDEN_PLAIN = """\
Standup Mon 23 Nov 2026, since Fri 20 Nov 00:00

Done
  #2  Slides for the all-hands  → Lee  kept 17h late (Fri 20 Nov 10:00)
  #1  Send Q3 headcount numbers  → Dana [Finance]  kept on time (Fri 20 Nov 14:00)

Due today
  #4  Budget draft  → Dana [Finance]  due Mon 23 Nov 15:00 — in 5h, moved 1×

Overdue
  #5  Vendor contract review  → Kim [Legal]  due Fri 20 Nov 17:00 — 2 days 17h late

Coming up
  #6  Q4 plan  → Kim [Legal]  due Wed 25 Nov 12:00 — in 2 days 2h

Waiting on others
  #8  Updated floor plan  ← Sam [Facilities]  due Fri 20 Nov 12:00 — 2 days 22h late
  #9  Access badge  ← Ana  due Tue 24 Nov 17:00 — in 1 day 7h

Help slots today
  request #1  Explain the VPN setup  help Jo [IT]  14:00–14:30
"""

GOLDEN_MARKDOWN = """\
## Standup Mon 23 Nov 2026, since Fri 20 Nov 00:00

### Done
- #2 Slides for the all-hands → Lee — kept 17h late (Fri 20 Nov 10:00)
- #1 Send Q3 headcount numbers → Dana (Finance) — kept on time (Fri 20 Nov 14:00)

### Due today
- #4 Budget draft → Dana (Finance) — due Mon 23 Nov 15:00 — in 5h, moved 1×

### Overdue
- #5 Vendor contract review → Kim (Legal) — due Fri 20 Nov 17:00 — 2 days 17h late

### Coming up
- #6 Q4 plan → Kim (Legal) — due Wed 25 Nov 12:00 — in 2 days 2h

### Waiting on others
- #8 Updated floor plan ← Sam (Facilities) — due Fri 20 Nov 12:00 — 2 days 22h late
- #9 Access badge ← Ana — due Tue 24 Nov 17:00 — in 1 day 7h

### Help slots today
- request #1 Explain the VPN setup help Jo (IT) — 14:00–14:30
"""

GOLDEN_RICH = """\
Standup Mon 23 Nov 2026, since Fri 20 Nov 00:00
Done
┏━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━┳━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┓
┃id ┃ what                      ┃ who    ┃ team    ┃ when                            ┃
┡━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━╇━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┩
│#2 │ Slides for the all-hands  │ → Lee  │         │ kept 17h late (Fri 20 Nov 10:00)│
│#1 │ Send Q3 headcount numbers │ → Dana │ Finance │ kept on time (Fri 20 Nov 14:00) │
└───┴───────────────────────────┴────────┴─────────┴─────────────────────────────────┘
"""


@pytest.mark.parametrize("fmt, golden", [("plain", GOLDEN_PLAIN), ("markdown", GOLDEN_MARKDOWN)])
def test_standup_golden_output(pk, standup_store, fmt, golden):
    result = pk("standup", "--format", fmt)
    assert result.stdout == golden
    assert result.stderr == ""


def test_plain_standup_has_no_colour_or_box_characters(pk, standup_store):
    out = pk("standup", "--format", "plain", env={"NO_COLOR": "", "FORCE_COLOR": "1"}).stdout
    assert "\x1b" not in out
    assert not any("\u2500" <= ch <= "\u257f" for ch in out)


def test_standup_is_plain_when_not_a_terminal(pk, standup_store):
    assert pk("standup").stdout == GOLDEN_PLAIN


def test_rich_standup_golden_first_section(pk, standup_store):
    out = pk("standup", "--format", "rich").stdout
    head = out[: out.index("Due today")]
    # Rich pads a table's title to the table's width; the padding is not the point.
    assert "\n".join(line.rstrip() for line in head.split("\n")) == GOLDEN_RICH


def test_standup_json(pk, standup_store):
    data = json.loads(pk("standup", "--format", "json").stdout)
    assert data["since"] == "2026-11-19T23:00:00+00:00"
    assert data["empty"] is False
    assert [s["key"] for s in data["sections"]] == [
        "done",
        "due_today",
        "overdue",
        "coming_up",
        "waiting",
        "help_slots",
    ]
    done = data["sections"][0]["items"]
    assert [(d["id"], d["on_time"], d["late_seconds"]) for d in done] == [
        (2, False, 17 * 3600),
        (1, True, 0),
    ]
    slot = data["sections"][-1]["items"][0]
    assert slot == {
        "kind": "request",
        "id": 1,
        "title": "Explain the VPN setup",
        "person": "Jo",
        "team": "IT",
        "start": "2026-11-23T13:00:00+00:00",
        "end": "2026-11-23T13:30:00+00:00",
    }
    assert pk.json("standup") == data


def test_standup_by_team_groups_each_section(pk, standup_store):
    out = pk("standup", "--format", "plain", "--by", "team").stdout
    assert "Waiting on others\n  Facilities\n    #8  Updated floor plan  ← Sam  due" in out
    assert "\n  no team\n    #9  Access badge" in out


def test_since_moves_the_cut_off(pk, standup_store):
    out = pk("standup", "--format", "plain", "--since", "2026-11-19").stdout
    assert "since Thu 19 Nov 00:00" in out
    assert "Thursday's report" in out
    out = pk("standup", "--format", "plain", "--since", "today").stdout
    assert "\nDone\n" not in out  # an empty section is left out


def test_an_empty_standup_says_so(pk):
    for fmt in ("plain", "markdown"):
        assert "Nothing to report" in pk("standup", "--format", fmt).stdout
    assert pk.json("standup")["sections"] == []


def test_standup_refuses_unknown_format_and_grouping(pk):
    assert "choose one of rich, plain, markdown, json" in pk("standup", "-f", "html", code=2).stderr
    assert "--by team" in pk("standup", "--by", "person", code=2).stderr


def test_stored_text_cannot_steer_the_terminal_or_the_markdown(pk, db_path):
    seed(db_path, [promise("evil \x1b[31m*bold* [x](y)", "Eve", "2026-11-23 15:00")])
    out = pk("standup", "-f", "markdown").stdout
    assert "\x1b" not in out
    assert "\\*bold\\* \\[x\\](y)" in out


# --- statistics -----------------------------------------------------------------------------------

HISTORY = [
    # week of 16 Nov: one of each outcome → 1 on time of 4 settled = 25%
    promise("A on time", "Dana", "2026-11-16 17:00", team="Finance", done="2026-11-16 12:00"),
    promise("B late", "Dana", "2026-11-17 15:00", team="Finance", done="2026-11-17 17:00"),
    promise("C dropped", "Lee", "2026-11-18 12:00", dropped=True),
    promise("D overdue", "Lee", "2026-11-18 17:00"),
    # week of 9 Nov: both on time; E was moved out of the week of 2 Nov and counts by its final
    # deadline
    promise(
        "E moved",
        "Kim",
        "2026-11-12 17:00",
        team="Legal",
        done="2026-11-12 16:00",
        moved_from=["2026-11-05 17:00"],
    ),
    promise("F on time", "Kim", "2026-11-13 12:00", team="Legal", done="2026-11-13 09:00"),
    # this week: not due yet, so not in the rate
    promise("G pending", "Dana", "2026-11-27 12:00", team="Finance"),
    # outside an 8-week window
    promise("H long ago", "Dana", "2026-09-01 17:00", done="2026-09-02 17:00"),
    # owed to me: only with --theirs
    promise("I theirs late", "Sam", "2026-11-17 12:00", direction="from", done="2026-11-18 12:00"),
]


@pytest.fixture
def history(db_path: Path) -> Path:
    seed(db_path, HISTORY)
    return db_path


def test_stats_on_a_known_history(history):
    result = stats(Store(history).read().promises(), NOW, BERLIN, weeks=8)
    assert [w.start.isoformat() for w in result.weeks][-3:] == [
        "2026-11-09",
        "2026-11-16",
        "2026-11-23",
    ]
    nov9, nov16, nov23 = (w.counts for w in result.weeks[-3:])
    assert (nov16.due, nov16.kept_on_time, nov16.kept_late, nov16.dropped, nov16.overdue) == (
        4,
        1,
        1,
        1,
        1,
    )
    assert nov16.on_time_rate == 0.25
    assert (nov9.due, nov9.kept_on_time, nov9.renegotiated, nov9.moves) == (2, 2, 1, 1)
    assert nov9.on_time_rate == 1.0
    assert result.weeks[-4].counts.due == 0  # E is not counted by its first deadline
    assert (nov23.due, nov23.pending, nov23.on_time_rate) == (0, 1, None)
    total = result.total
    assert (total.due, total.kept_on_time, total.on_time_rate) == (6, 3, 0.5)
    # slips: B 2h late, D still overdue since Wed 18 Nov 17:00 (4 days 17h)
    assert total.slips == [7200, 113 * 3600]
    assert total.median_slip == (7200 + 113 * 3600) // 2
    assert total.worst_slip == 113 * 3600


def test_stats_by_person_and_theirs(history):
    promises = Store(history).read().promises()
    by_person = stats(promises, NOW, BERLIN, by="person")
    rates = {name: (c.due, c.on_time_rate) for name, c, _ in by_person.groups}
    assert rates == {"Dana": (2, 0.5), "Kim": (2, 1.0), "Lee": (2, 0.0)}
    by_team = stats(promises, NOW, BERLIN, by="team")
    assert [name for name, _, _ in by_team.groups] == ["Finance", "Legal", None]
    theirs = stats(promises, NOW, BERLIN, direction="from")
    assert (theirs.total.due, theirs.total.kept_late) == (1, 1)


def test_counts_with_nothing_due_has_no_rate():
    assert Counts().on_time_rate is None and Counts().median_slip is None


GOLDEN_STATS_PLAIN = """\
Promises you made, last 3 weeks (by final deadline)

week of  due  on time  late  dropped  overdue   moved  rate  trend
9 Nov      2        2     0        0        0  1 (1×)  100%  ########
16 Nov     4        1     1        1        1       0   25%  ##......
23 Nov     0        0     0        0        0       0     —
total      6        3     1        1        1  1 (1×)   50%  ####....

Slip (kept late or still overdue): median 2 days 9h, worst 4 days 17h.

By team

team       due  on time  late  dropped  overdue   moved  rate
Finance      2        1     1        0        0       0   50%
Legal        2        2     0        0        0  1 (1×)  100%
(no team)    2        0     0        1        1       0    0%
"""


def test_stats_plain_golden(pk, history):
    assert pk("stats", "--weeks", "3", "--plain", "--by", "team").stdout == GOLDEN_STATS_PLAIN


def test_stats_rich_shows_a_trend(pk, history):
    out = pk("stats", "--weeks", "3").stdout
    assert "████████" in out and "██░░░░░░" in out
    assert "On time, week by week: █▃·" in out


def test_stats_json(pk, history):
    data = pk.json("stats", "--weeks", "3", "--by", "person")
    assert [w["week"] for w in data["weeks"]] == ["2026-W46", "2026-W47", "2026-W48"]
    assert data["total"]["on_time_rate"] == 0.5
    assert data["total"]["worst_slip_seconds"] == 113 * 3600
    assert data["groups"][0] == {
        "person": "Dana",
        "due": 2,
        "kept_on_time": 1,
        "kept_late": 1,
        "dropped": 0,
        "overdue": 0,
        "pending": 1,
        "renegotiated": 0,
        "moves": 0,
        "on_time_rate": 0.5,
        "median_slip_seconds": 7200,
        "worst_slip_seconds": 7200,
    }


def test_stats_help_defines_the_on_time_rate(pk):
    text = " ".join(pk("stats", "--help").stdout.split())
    assert "On-time rate: of the promises whose final deadline fell in the week" in text
    assert "counts once, by its final deadline" in text


def test_stats_refuses_a_bad_grouping(pk):
    assert "--by person or --by team" in pk("stats", "--by", "tag", code=2).stderr


def test_done_half_a_second_after_the_deadline_is_on_time_everywhere(pk):
    """One rule (`Promise.on_time_at`): the message said "now", the history "late", the stats
    "on time". Compared to the second, as stored, it is on time in all of them."""
    pk("add", "Send numbers", "--to", "Dana", "--due", "2026-11-23 17:00")
    late_by_half = {"PK_NOW": "2026-11-23T17:00:00.500000+01:00"}
    assert pk("done", "1", env=late_by_half).stdout == "Kept #1 “Send numbers” on time.\n"
    shown = pk("show", "1", env=late_by_half).stdout
    assert "done, on time" in shown and "kept on time" in shown
    assert "kept on time" in pk("list", "--all", "--plain", env=late_by_half).stdout
    assert pk.json("show", "1", env=late_by_half)["kept_on_time"] is True
    history = pk.json("show", "1", env=late_by_half)["history"]
    assert history[-1]["on_time"] is True and history[-1]["late_seconds"] == 0
    total = pk.json("stats", env={"PK_NOW": "2026-11-24T10:00:00+01:00"})["total"]
    assert (total["kept_on_time"], total["kept_late"]) == (1, 0)


def test_done_a_whole_second_late_is_late_everywhere(pk):
    pk("add", "Send numbers", "--to", "Dana", "--due", "2026-11-23 17:00")
    late = {"PK_NOW": "2026-11-23T17:02:01+01:00"}
    assert pk("done", "1", env=late).stdout == "Done #1 “Send numbers”, 2m late.\n"
    shown = pk("show", "1", env=late).stdout
    assert "done, 2m late" in shown and "kept 2m late" in shown
    assert pk.json("show", "1", env=late)["kept_on_time"] is False
    total = pk.json("stats", env={"PK_NOW": "2026-11-24T10:00:00+01:00"})["total"]
    assert (total["kept_on_time"], total["kept_late"]) == (0, 1)


def test_stats_help_states_the_on_time_rule(pk):
    text = " ".join(pk("stats", "--help").stdout.split())
    assert "On time means done at or before the deadline, to the second" in text
    assert "A help slot counts as kept on time whenever it is marked done" in text
