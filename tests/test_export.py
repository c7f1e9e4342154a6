"""Export and import: ICS parsed with the icalendar package, CSV for spreadsheets, and JSON
export → import → export byte for byte; `--merge` adds with new ids and no duplicates by uuid."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import icalendar
import pytest

from promisekeeper.storage.store import REQUESTS, Store

LONG = ("Quarterly numbers, forecasts; and the Ünïcode-heavy appendix for the board — " * 2).strip()


def seed_history(pk) -> None:
    pk(
        "add",
        "Send Q3 headcount numbers",
        "--to",
        "Dana",
        "--team",
        "Finance",
        "--due",
        "fri 3pm",
        "--tag",
        "payroll",
    )
    pk("add", "Updated floor plan", "--from", "Sam", "--due", "tomorrow")
    pk("add", LONG, "--to", "Board", "--due", "dec 3 14:00")
    pk("add", "Time cards", "--to", "Payroll", "--due", "fri 12:00", "--every", "week on fri")
    pk("move", "1", "next tue", "--reason", "waiting on the audit file")
    pk("note", "1", "draft sent")
    pk("done", "2")
    pk("thank", "2", "--note", "saved my Friday")
    pk("done", "4")  # schedules #5
    pk("drop", "3", "--reason", "board meeting cancelled")


def add_request(db_path: Path, status: str = "booked") -> int:
    slot = {"start": "2026-11-24T13:00:00+00:00", "end": "2026-11-24T13:30:00+00:00"}
    with Store(db_path).write("seed") as tx:
        return tx.insert(
            REQUESTS,
            {
                "uuid": f"0000-{status}",
                "title": "Explain the VPN setup, please",
                "person": "Jo",
                "team": "IT",
                "need_minutes": 30,
                "reason": "customer call first",
                "created": "2026-11-23T09:00:00+00:00",
                "status": status,
                "proposed": [slot],
                "slot": slot if status == "booked" else None,
                "forced": False,
                "promise_id": None,
                "history": [],
            },
        )


def test_ics_is_valid_icalendar_with_todos_and_slot_events(pk, db_path):
    seed_history(pk)
    add_request(db_path)
    add_request(db_path, status="proposed")  # not booked: no event
    raw = pk("export", "--format", "ics").stdout_bytes
    assert raw.startswith(b"BEGIN:VCALENDAR\r\n") and raw.endswith(b"END:VCALENDAR\r\n")
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))  # folded, in octets
    calendar = icalendar.Calendar.from_ical(raw)
    todos = {str(t["SUMMARY"]): t for t in calendar.walk("VTODO")}
    assert (
        set(todos) == {"Send Q3 headcount numbers", "Updated floor plan", LONG, "Time cards"}
        and len(calendar.walk("VTODO")) == 5
    )
    headcount = todos["Send Q3 headcount numbers"]
    assert headcount["DUE"].dt.isoformat() == "2026-12-01T16:00:00+00:00"  # the final deadline
    assert str(headcount["STATUS"]) == "NEEDS-ACTION"
    assert "COMPLETED" not in headcount
    delivered = todos["Updated floor plan"]
    assert str(delivered["STATUS"]) == "COMPLETED"
    assert delivered["COMPLETED"].dt.isoformat() == "2026-11-23T09:00:00+00:00"
    assert str(todos[LONG]["STATUS"]) == "CANCELLED"
    assert len({str(t["UID"]) for t in calendar.walk("VTODO")}) == 5
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    event = events[0]
    assert str(event["SUMMARY"]) == "Help Jo: Explain the VPN setup, please"
    assert event["DTSTART"].dt.isoformat() == "2026-11-24T13:00:00+00:00"
    assert event["DTEND"].dt.isoformat() == "2026-11-24T13:30:00+00:00"


def test_csv_has_a_row_per_promise_and_defuses_formulas(pk):
    pk("add", '=HYPERLINK("http://evil")', "--to", "Dana", "--due", "fri")
    pk("add", "Plain", "--to", "Dana", "--due", "fri", "--tag", "a", "--tag", "b")
    rows = list(csv.DictReader(io.StringIO(pk("export", "-f", "csv").stdout)))
    assert [r["id"] for r in rows] == ["1", "2"]
    assert rows[0]["title"] == '\'=HYPERLINK("http://evil")'
    assert rows[1]["tags"] == "a b"
    assert rows[1]["due"] == "2026-11-27T16:00:00+00:00"


def test_json_round_trip_is_byte_for_byte_into_an_empty_store(pk, db_path, tmp_path):
    seed_history(pk)
    add_request(db_path)
    first = pk("export", "--format", "json").stdout_bytes
    data = json.loads(first)
    assert [p["id"] for p in data["promises"]] == [1, 2, 3, 4, 5]
    other = tmp_path / "other.json"
    exported = tmp_path / "export.json"
    exported.write_bytes(first)
    env = {"PK_DB": str(other)}
    assert "Restored 5 promises and 1 request." in pk("import", str(exported), env=env).stdout
    second = pk("export", "--format", "json", env=env).stdout_bytes
    assert second == first
    restored = pk.json("show", "1", env=env)
    assert [e["type"] for e in restored["history"]] == ["created", "moved", "note"]
    # ids keep counting after the restored ones
    assert pk.json("add", "New", "--to", "X", "--due", "fri", env=env)["id"] == 6


def test_export_to_a_file(pk, tmp_path):
    pk("add", "x", "--to", "A", "--due", "fri")
    target = tmp_path / "backup.json"
    result = pk("export", "-o", str(target))
    assert result.stdout == ""
    assert json.loads(target.read_text())["promises"][0]["title"] == "x"


def test_import_refuses_a_non_empty_store_without_merge(pk, tmp_path):
    pk("add", "x", "--to", "A", "--due", "fri")
    exported = tmp_path / "e.json"
    exported.write_bytes(pk("export").stdout_bytes)
    assert "--merge" in pk("import", str(exported), code=4).stderr
    assert len(pk.json("list")) == 1


def test_merge_gives_new_ids_and_skips_duplicates_by_uuid(pk, db_path, tmp_path):
    seed_history(pk)
    exported = tmp_path / "e.json"
    exported.write_bytes(pk("export").stdout_bytes)
    other = tmp_path / "other.json"
    env = {"PK_DB": str(other)}
    pk("add", "Already here", "--to", "Kim", "--due", "fri", env=env)
    merged = pk.json("import", str(exported), "--merge", env=env)
    assert merged == {"promises": 5, "requests": 0, "skipped": 0, "merged": True}
    listing = json.loads(pk("export", env=env).stdout)["promises"]
    assert [p["id"] for p in listing] == [1, 2, 3, 4, 5, 6]
    assert listing[0]["title"] == "Already here"
    # the series link follows the new ids: the occurrence after old #4 now follows new #5
    nxt = next(p for p in listing if p["series"] and p["series"].get("previous"))
    assert nxt["series"]["previous"] == 5 and nxt["id"] == 6
    again = pk.json("import", str(exported), "--merge", env=env)
    assert again == {"promises": 0, "requests": 0, "skipped": 5, "merged": True}
    assert len(json.loads(pk("export", env=env).stdout)["promises"]) == 6


@pytest.mark.parametrize(
    "content, message",
    [
        ("not json", "not a promisekeeper JSON export"),
        ('{"format": "other"}', "not a promisekeeper JSON export"),
        ('{"format": "promisekeeper-export", "version": 99}', "newer"),
        (
            '{"format": "promisekeeper-export", "version": 1, '
            '"promises": [{"id": 1, "uuid": "u"}]}',
            "promise 1: missing field",
        ),
        ('{"format": "promisekeeper-export", "version": 1, "promises": [{"id": "1"}]}', "bad"),
    ],
)
def test_import_refuses_what_is_not_an_export_and_writes_nothing(
    pk, db_path, tmp_path, content, message
):
    source = tmp_path / "bad.json"
    source.write_text(content)
    result = pk("import", str(source), code=2)
    assert message in result.stderr
    assert not db_path.exists()


def test_export_refuses_an_unknown_format(pk):
    assert "'json', 'csv', 'ics', 'vdir'" in pk("export", "-f", "xml", code=2).stderr


def test_json_export_keeps_stored_c1_and_bidi_characters_inert(pk, db_path):
    """Text written into the store by hand must not steer the terminal of `pk export`."""
    import json as _json

    pk("add", "Budget", "--to", "Dana", "--due", "fri")
    data = _json.loads(db_path.read_text())
    data["promises"]["1"]["title"] = "Budget\u009b31m \u202eevil"
    db_path.write_text(_json.dumps(data))
    out = pk("export", "--format", "json").stdout
    assert "\u009b" not in out and "\u202e" not in out
    assert "\\u009b" in out and "\\u202e" in out
    assert _json.loads(out)["promises"][0]["title"] == "Budget\u009b31m \u202eevil"


HOSTILE = "Budget\x1b[2J\x07\u009b31m \u202eevil"
HOSTILE_SHOWN = "Budget\\x1b[2J\\x07\\x9b31m \\u202eevil"


def plant_hostile_text(pk, db_path) -> None:
    """Text written into the store by hand: ESC, BEL, a C1 CSI and RLO."""
    pk("add", "Budget", "--to", "Dana", "--due", "fri", "--tag", "q4")
    data = json.loads(db_path.read_text())
    record = data["promises"]["1"]
    record["title"] = HOSTILE
    record["person"] = "Dana\u202e"
    record["tags"] = ["q4\x1b]8;;"]
    db_path.write_text(json.dumps(data))


def assert_inert(raw: bytes) -> None:
    for char in ("\x1b", "\x07", "\u009b", "\u202e"):
        assert char.encode("utf-8") not in raw, repr(char)


def test_csv_export_keeps_stored_control_and_bidi_characters_inert(pk, db_path):
    plant_hostile_text(pk, db_path)
    raw = pk("export", "--format", "csv").stdout_bytes
    assert_inert(raw)
    row = next(csv.DictReader(io.StringIO(raw.decode("utf-8"))))
    assert row["title"] == HOSTILE_SHOWN
    assert row["person"] == "Dana\\u202e"
    assert row["tags"] == "q4\\x1b]8;;"


def test_ics_export_keeps_stored_control_and_bidi_characters_inert(pk, db_path):
    plant_hostile_text(pk, db_path)
    raw = pk("export", "--format", "ics").stdout_bytes
    assert_inert(raw)
    todo = icalendar.Calendar.from_ical(raw).walk("VTODO")[0]
    # the escapes' backslashes are RFC 5545-escaped, so a calendar shows them as typed here
    assert str(todo["SUMMARY"]) == HOSTILE_SHOWN
    assert "Dana\\u202e" in str(todo["DESCRIPTION"])


def test_an_export_path_with_a_newline_stays_on_one_line_in_the_error(pk, tmp_path):
    pk("add", "x", "--to", "A", "--due", "fri")
    target = tmp_path / "no such\ndir" / "out.json"
    result = pk("export", "-o", str(target), code=74)
    assert len(result.stderr.strip().splitlines()) == 1
    assert "export not written" in result.stderr and "no such\\x0adir" in result.stderr


def test_an_export_path_with_a_newline_stays_on_one_line_in_the_hint(pk, tmp_path):
    pk("add", "x", "--to", "A", "--due", "fri")
    result = pk("export", "-o", str(tmp_path / "line\nbreak.json"))
    assert result.stderr.strip().endswith("line\\x0abreak.json (json).")
    assert len(result.stderr.strip().splitlines()) == 1


def test_an_import_path_with_a_newline_stays_on_one_line_in_the_error(pk, tmp_path):
    result = pk("import", str(tmp_path / "missing\n.json"), code=2)
    assert len(result.stderr.strip().splitlines()) == 1
    assert "cannot read" in result.stderr and "missing\\x0a.json" in result.stderr


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("title", "Send\nnumbers", "the title contains a control character (U+000A)"),
        ("person", "Dana\x1b[31m", "the name contains a control character (U+001B)"),
        ("tags", ["ok", "bad\ttag"], "the tag contains a control character (U+0009)"),
        ("title", "x" * 501, "the title is 501 characters; 500 at most"),
    ],
)
def test_import_refuses_what_pk_add_would_refuse(pk, db_path, tmp_path, field, value, words):
    pk("add", "Send numbers", "--to", "Dana", "--due", "fri")
    data = json.loads(pk("export", "--format", "json").stdout)
    data["promises"][0][field] = value
    source = tmp_path / "e.json"
    source.write_text(json.dumps(data))
    db_path.unlink()
    result = pk("import", str(source), code=2)
    assert result.stderr == f"pk: export: promise 1: {words}; nothing was imported\n"
    assert not db_path.exists()
