"""Importing from Taskwarrior (`task export`) and todo.txt: pure readers, files written the way
those tools write them, a fixed `now`."""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from promisekeeper.config import settings_from_dict
from promisekeeper.errors import BadInput
from promisekeeper.exchange.drafts import Draft
from promisekeeper.exchange.taskwarrior import read_taskwarrior
from promisekeeper.exchange.todotxt import read_todotxt

TZ = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 12, 2, 10, 0, tzinfo=TZ)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


# --- Taskwarrior --------------------------------------------------------------------------------

# What `task export` prints in Taskwarrior 2.6 (json.array=on, its default): compact objects, one a
# line, inside an array; urgency a number; UDAs (here `person`) beside the built-in fields; a
# repeating task as its template (status "recurring", `mask`) plus instances (`parent`, `imask`).
TASKS = [
    {"id": 1, "description": "Send Q3 headcount numbers", "due": "20261204T140000Z",
     "entry": "20261120T091500Z", "modified": "20261121T080000Z", "person": "Dana",
     "project": "budget", "status": "pending", "tags": ["finance", "q3"],
     "uuid": "5f1c2a8e-8d3b-4a51-9e0a-1b2c3d4e5f60",
     "annotations": [
         {"entry": "20261121T080000Z", "description": "Dana needs them for the board deck"}
     ],
     "urgency": 9.3},
    {"id": 0, "description": "Review budget draft", "due": "20261125T160000Z",
     "end": "20261125T153000Z", "entry": "20261118T100000Z", "modified": "20261125T153000Z",
     "person": "Lee", "status": "completed", "uuid": "6a2d3b9f-9e4c-4b62-8f1b-2c3d4e5f6071",
     "urgency": 0},
    {"id": 0, "description": "Book the offsite venue", "due": "20261201T160000Z",
     "end": "20261130T120000Z", "entry": "20261110T100000Z", "modified": "20261130T120000Z",
     "status": "deleted", "uuid": "7b3e4c0a-af5d-4c73-9a2c-3d4e5f607182", "urgency": 0},
    {"id": 2, "description": "Floor plan", "due": "20261207T160000Z",
     "entry": "20261201T090000Z", "modified": "20261201T090000Z", "person": "Sam",
     "status": "waiting", "wait": "20261205T000000Z", "tags": ["waiting"],
     "uuid": "8c4f5d1b-b06e-4d84-8b3d-4e5f60718293", "urgency": -3},
    {"id": 3, "description": "Weekly report", "due": "20261204T160000Z",
     "entry": "20261101T090000Z", "mask": "----", "modified": "20261127T090000Z",
     "person": "Ana", "recur": "weekly", "status": "recurring",
     "uuid": "9d506e2c-c17f-4e95-9c4e-5f6071829304", "urgency": 2.4},
    {"id": 4, "description": "Weekly report", "due": "20261204T160000Z",
     "entry": "20261127T090000Z", "imask": 4, "modified": "20261127T090000Z",
     "parent": "9d506e2c-c17f-4e95-9c4e-5f6071829304", "person": "Ana", "recur": "weekly",
     "status": "pending", "uuid": "ae617f3d-d280-4fa6-8d5f-607182930415", "urgency": 2.4},
    {"id": 5, "description": "Water the plants", "entry": "20261128T090000Z",
     "modified": "20261128T090000Z", "status": "pending",
     "uuid": "bf728040-e391-40b7-9e60-718293041526", "urgency": 0.8},
]  # fmt: skip


def compact(task: dict) -> str:
    return json.dumps(task, separators=(",", ":"), ensure_ascii=False)


TW_EXPORT = "[\n" + ",\n".join(compact(task) for task in TASKS) + "\n]\n"


def tw(text: str = TW_EXPORT, **options):
    options.setdefault("person", "Priya")
    options.setdefault("person_from", "person")
    return read_taskwarrior(text, now=NOW, tz=TZ, **options)


def test_taskwarrior_pending_task_with_everything() -> None:
    first = tw().drafts[0]
    assert first == Draft(
        title="Send Q3 headcount numbers",
        person="Dana",
        direction="to",
        due=at("2026-12-04T15:00:00+01:00"),
        created=at("2026-11-20T10:15:00+01:00"),
        status="open",
        tags=("finance", "q3", "budget"),  # the project is a tag too
        notes=({"at": "2026-11-21T08:00:00+00:00", "text": "Dana needs them for the board deck"},),
        source_id="5f1c2a8e-8d3b-4a51-9e0a-1b2c3d4e5f60",
    )
    # Times come back in the user's zone, so they print as local times.
    assert first.due.utcoffset() == at("2026-12-04T15:00:00+01:00").utcoffset()


def test_taskwarrior_statuses() -> None:
    drafts = {d.title: d for d in tw().drafts}
    done = drafts["Review budget draft"]
    assert (done.status, done.done_at) == ("done", at("2026-11-25T16:30:00+01:00"))
    dropped = drafts["Book the offsite venue"]
    assert (dropped.status, dropped.done_at, dropped.dropped_at) == (
        "dropped",
        None,
        at("2026-11-30T13:00:00+01:00"),
    )
    waiting = drafts["Floor plan"]
    # Taskwarrior's "waiting" status only hides a task until its wait date: still open. The
    # user's +waiting tag (GTD "waiting for") is what makes it Sam's promise to me.
    assert (waiting.status, waiting.direction, waiting.person, waiting.tags) == (
        "open",
        "from",
        "Sam",
        (),
    )


def test_taskwarrior_skips_with_reasons() -> None:
    plan = tw()
    assert [d.title for d in plan.drafts] == [
        "Send Q3 headcount numbers",
        "Review budget draft",
        "Book the offsite venue",
        "Floor plan",
        "Weekly report",  # the instance of the repeating task
    ]
    assert plan.skipped == [
        (
            "'Weekly report' (task 9d506e2c)",
            "the template of a repeating task; its instances are imported one by one",
        ),
        ("'Water the plants' (task bf728040)", "no due date; every promise has a deadline"),
    ]


def test_taskwarrior_one_object_per_line() -> None:
    # `rc.json.array=off`, and Taskwarrior 2.3's comma after each object, read the same.
    plain = "\n".join(compact(task) for task in TASKS) + "\n"
    old = ",\n".join(compact(task) for task in TASKS) + "\n"
    assert tw(plain) == tw() == tw(old)


def test_taskwarrior_person_from_project_and_fallback() -> None:
    plan = tw(person_from="project", person="Me-Default")
    by_title = {d.title: d for d in plan.drafts}
    # The project names the person, so it is not also a tag.
    assert (
        by_title["Send Q3 headcount numbers"].person,
        by_title["Send Q3 headcount numbers"].tags,
    ) == (
        "budget",
        ("finance", "q3"),
    )
    # Tasks without a project fall back to --person.
    assert by_title["Review budget draft"].person == "Me-Default"


def test_taskwarrior_without_a_person() -> None:
    plan = tw(person_from="person", person=None)
    assert (
        "'Book the offsite venue' (task 7b3e4c0a)",
        "no 'person' field; give --person NAME (or --person-from FIELD)",
    ) in plan.skipped
    plan = tw(person_from=None, person=None)
    assert plan.drafts == []
    assert {why for _, why in plan.skipped} >= {
        "no person; give --person NAME (or --person-from FIELD)"
    }


def task(**fields) -> str:
    base = {
        "uuid": "c0839151-f4a2-41c8-8f71-829304152637",
        "description": "Send numbers",
        "status": "pending",
        "entry": "20261201T090000Z",
        "due": "20261204T160000Z",
    }
    return json.dumps([{**base, **fields}])


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        (
            {"description": "Send \x1b[31mnumbers"},
            "the title contains a control character (U+001B)",
        ),
        ({"description": "line one\nline two"}, "the title contains a control character (U+000A)"),
        ({"description": "x" * 501}, "the title is 501 characters; 500 at most"),
        ({"description": ""}, "the title is empty"),
        ({"due": "tomorrow"}, "due 'tomorrow' is not a Taskwarrior date"),
        ({"due": "20261331T160000Z"}, "due '20261331T160000Z' is not a Taskwarrior date"),
        ({"due": "2026-12-04T16:00:00"}, "not a Taskwarrior date"),  # no offset: whose zone?
        # The last second of year 9999 in UTC is in year 10000 in Berlin: skipped, not a crash.
        ({"due": "99991231T235959Z"}, "due '99991231T235959Z' is not a Taskwarrior date"),
        ({"status": "completed"}, "completed without an end date"),
        ({"status": "frozen"}, "unknown status 'frozen'"),
        ({"tags": ["ok", "bad\u202etag"]}, "the tag contains a control character (U+202E)"),
        (
            {"annotations": [{"entry": "20261201T090000Z", "description": "a\x07b"}]},
            "the note contains a control character (U+0007)",
        ),
        ({"person": "Da\x00na"}, "the name contains a control character (U+0000)"),
    ],
)
def test_taskwarrior_refused_fields_skip_the_task(fields: dict, reason: str) -> None:
    plan = tw(task(**fields))
    assert plan.drafts == []
    [(what, why)] = plan.skipped
    assert reason in why
    # The report line itself is safe to print.
    assert what.isprintable()


def test_taskwarrior_iso_dates_and_completed_without_end() -> None:
    plan = tw(
        task(due="2026-12-04T16:00:00+00:00", status="completed", modified="20261203T100000Z"),
        person="Dana",
    )
    [draft] = plan.drafts
    assert draft.due == at("2026-12-04T17:00:00+01:00")
    assert draft.done_at == at("2026-12-03T11:00:00+01:00")  # `modified` when `end` is missing


def test_taskwarrior_duplicate_uuid() -> None:
    one = json.loads(task())[0]
    plan = tw(json.dumps([one, {**one, "description": "Again"}]), person="Dana")
    assert [d.title for d in plan.drafts] == ["Send numbers"]
    assert plan.skipped == [
        (
            "'Again' (task c0839151)",
            "the same uuid appears twice in the file; the first is imported",
        )
    ]


def test_taskwarrior_missing_entry_is_now() -> None:
    one = json.loads(task())[0]
    del one["entry"]
    [draft] = tw(json.dumps([one]), person="Dana").drafts
    assert draft.created == NOW


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[{"uuid": ', "not a Taskwarrior export: bad JSON at line 1"),
        ('{"a": 1}\nnot json\n', "line 2 is not a JSON object"),
        ("Send numbers due:2026-12-04", "line 1 is not a JSON object"),
    ],
)
def test_taskwarrior_not_an_export(text: str, message: str) -> None:
    with pytest.raises(BadInput, match=message):
        tw(text)


def test_taskwarrior_empty_export_and_non_objects() -> None:
    assert tw("[]\n").drafts == []
    plan = tw('[42, "x"]')
    assert plan.skipped == [
        ("task #1 in the file", "not a task object"),
        ("task #2 in the file", "not a task object"),
    ]


# --- todo.txt -----------------------------------------------------------------------------------

# Lines as todo.txt-cli and the format's rules write them: priority and creation date first,
# done tasks start with "x", their completion date, then the creation date; +project and
# @context anywhere; key:value add-ons (due:, t:, rec:).
TODO_TXT = """\
(A) 2026-11-20 Send Q3 numbers +budget @office due:2026-12-04 person:Dana
x 2026-11-24 2026-11-01 Review the budget draft +budget due:2026-11-25 person:Lee
2026-11-30 Floor plan @waiting due:2026-12-07 person:Sam

# comments and blank lines are passed over
(B) Call the caterer +offsite due:2026-12-03
Water the plants +home
x Sent the invite due:2026-11-20 person:Ana
Agenda for the offsite person:Zoë_Müller due:2026-12-10 t:2026-12-08 +offsite https://example.org/agenda
"""


def todo(text: str = TODO_TXT, **options):
    options.setdefault("person", None)
    return read_todotxt(text, now=NOW, tz=TZ, **options)


def test_todotxt_lines() -> None:
    plan = todo()
    assert plan.drafts == [
        Draft(
            title="Send Q3 numbers",
            person="Dana",
            direction="to",
            due=at("2026-12-04T17:00:00+01:00"),  # a date alone ends with the working day
            created=at("2026-11-20T00:00:00+01:00"),
            tags=("budget", "office"),
            source_id="line 1",
        ),
        Draft(
            title="Review the budget draft",
            person="Lee",
            direction="to",
            due=at("2026-11-25T17:00:00+01:00"),
            created=at("2026-11-01T00:00:00+01:00"),
            status="done",
            done_at=at("2026-11-24T17:00:00+01:00"),
            tags=("budget",),
            source_id="line 2",
        ),
        Draft(
            title="Floor plan",
            person="Sam",
            direction="from",  # @waiting: Sam owes it to me
            due=at("2026-12-07T17:00:00+01:00"),
            created=at("2026-11-30T00:00:00+01:00"),
            source_id="line 3",
        ),
        Draft(
            title="Agenda for the offsite https://example.org/agenda",
            person="Zoë Müller",
            direction="to",
            due=at("2026-12-10T17:00:00+01:00"),
            created=NOW,  # no creation date on the line
            tags=("offsite",),
            source_id="line 9",
        ),
    ]
    assert plan.skipped == [
        (
            "'(B) Call the caterer +offsite due:2026-12-03' (line 6)",
            "no person; add person:NAME to the line or give --person NAME",
        ),
        ("'Water the plants +home' (line 7)", "no due:YYYY-MM-DD; every promise has a deadline"),
        (
            "'x Sent the invite due:2026-11-20 person:Ana' (line 8)",
            "done without a completion date; pk can't tell if it was on time",
        ),
    ]


def test_todotxt_default_person_and_working_hours() -> None:
    work = settings_from_dict(
        {"timezone": "Europe/Berlin", "work": {"start": "08:00", "end": "16:00"}}
    )
    plan = todo("(B) Call the caterer +offsite due:2026-12-03\n", person="Dana", work=work.work)
    [draft] = plan.drafts
    assert (draft.person, draft.due) == ("Dana", at("2026-12-03T16:00:00+01:00"))


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (
            "Send numbers due:2026-02-30 person:Dana",
            "due date '2026-02-30' is not a real YYYY-MM-DD date",
        ),
        ("Send numbers due:fri person:Dana", "due date 'fri' is not a real"),
        ("Send numbers due:2026-12-04 due:2026-12-05 person:Dana", "two due dates"),
        (
            "Send\tnumbers due:2026-12-04 person:Dana",
            "the title contains a control character (U+0009)",
        ),
        ("Send \x1b]0;pwned\x07numbers due:2026-12-04 person:Dana", "control character (U+001B)"),
        (
            "Send numbers +bad\u202eproject due:2026-12-04 person:Dana",
            "the tag contains a control character",
        ),
        ("+budget @office due:2026-12-04 person:Dana", "the title is empty"),
        (
            "x 2026-13-01 Sent due:2026-12-04 person:Dana",
            "completion date '2026-13-01' is not a real",
        ),
        ("0001-01-01 Ancient due:2026-12-04 person:Dana", "a date on the line is out of range"),
    ],
)
def test_todotxt_refused_lines(line: str, reason: str) -> None:
    plan = todo(line + "\n")
    assert plan.drafts == []
    [(what, why)] = plan.skipped
    assert reason in why
    assert what.isprintable()


def test_todotxt_line_endings_and_bom() -> None:
    plan = todo(
        "\ufeffSend numbers due:2026-12-04 person:Dana\r\nCall Lee due:2026-12-05 person:Lee\r\n"
    )
    assert [(d.title, d.source_id) for d in plan.drafts] == [
        ("Send numbers", "line 1"),
        ("Call Lee", "line 2"),
    ]


def test_todotxt_not_a_done_task_without_x_space() -> None:
    # "xylophone" and "X " are text, by the format's rules; only a lowercase "x " marks done.
    plan = todo(
        "xylophone lessons due:2026-12-04 person:Dana\n"
        "X 2026-11-20 Call due:2026-12-04 person:Dana\n"
    )
    assert [(d.title, d.status) for d in plan.drafts] == [
        ("xylophone lessons", "open"),
        ("X 2026-11-20 Call", "open"),
    ]


def test_todotxt_priority_only_at_the_start() -> None:
    # A priority is "(A) " at the very start; created dates follow it, never precede it.
    plan = todo("2026-11-20 (A) Send numbers due:2026-12-04 person:Dana\n")
    [draft] = plan.drafts
    assert (draft.title, draft.created) == ("(A) Send numbers", at("2026-11-20T00:00:00+01:00"))
