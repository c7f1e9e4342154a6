"""The `--json` shape is a contract scripts rely on: this test pins it. Adding a key is fine
(add it here too); renaming or removing one is a breaking change."""

from __future__ import annotations

PROMISE_KEYS = {
    "id",
    "uuid",
    "title",
    "person",
    "direction",
    "team",
    "tags",
    "due",
    "created",
    "status",
    "done_at",
    "notes",
    "history",
    "request_id",
    "series",
    "thanked_at",
    "thank_note",
    "effort_minutes",
    "overdue",
    "kept_on_time",
    "renegotiations",
}


def test_every_view_prints_the_same_promise_shape(pk):
    pk("add", "Send numbers", "--to", "Dana", "--team", "Finance", "--due", "fri 3pm")
    pk("add", "Late", "--from", "Sam", "--due", "2026-11-20", "--past")
    views = {
        "list": pk.json("list"),
        "overdue": pk.json("overdue"),
        "search": pk.json("search", "numbers"),
        "show": [pk.json("show", "1")],
    }
    for name, promises in views.items():
        assert promises, name
        for promise in promises:
            assert set(promise) >= PROMISE_KEYS, (name, PROMISE_KEYS - set(promise))


def test_promise_values_are_typed_as_documented(pk):
    pk(
        "add",
        "Send numbers",
        "--to",
        "Dana",
        "--team",
        "Finance",
        "--due",
        "fri 3pm",
        "--tag",
        "payroll",
    )
    pk("move", "1", "next tue", "--reason", "audit")
    pk("done", "1")
    shown = pk.json("show", "1")
    assert shown == {
        **shown,
        "id": 1,
        "title": "Send numbers",
        "person": "Dana",
        "direction": "to",
        "team": "Finance",
        "tags": ["payroll"],
        "due": "2026-12-01T16:00:00+00:00",
        "created": "2026-11-23T09:00:00+00:00",
        "status": "done",
        "done_at": "2026-11-23T09:00:00+00:00",
        "overdue": False,
        "kept_on_time": True,
        "renegotiations": 1,
    }
    assert [e["type"] for e in shown["history"]] == ["created", "moved", "done"]
    for event in shown["history"]:
        assert event["at"].endswith("+00:00")
    assert shown["history"][1] == {
        "at": "2026-11-23T09:00:00+00:00",
        "type": "moved",
        "from": "2026-11-27T14:00:00+00:00",
        "to": "2026-12-01T16:00:00+00:00",
        "reason": "audit",
    }


def test_json_lists_are_arrays_even_when_empty(pk):
    assert pk("list", "--json").stdout == "[]\n"
    assert pk("overdue", "--json").stdout == "[]\n"


def test_sync_json_shape(pk, isolated):
    folder = isolated / "vdir"
    folder.mkdir()
    config = isolated / "config.toml"
    config.write_text(f'timezone = "Europe/Berlin"\n[sync]\nurl = "{folder}"\n')
    pk("add", "Send numbers", "--to", "Dana", "--due", "fri 3pm")
    (folder / "phone.ics").write_text(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//phone//EN\r\nBEGIN:VTODO\r\n"
        "UID:phone-1\r\nDTSTAMP:20261120T100000Z\r\nSUMMARY:Buy milk\r\nEND:VTODO\r\n"
        "END:VCALENDAR\r\n"
    )
    assert pk.json("sync") == {
        "remote": str(folder),
        "dry_run": False,
        "sent": 1,
        "applied": 0,
        "applied_by_kind": {},
        "created": 0,
        "conflicts": [],
        "kept_local": [],
        "foreign": 1,
        "unreadable": 0,
        "warnings": [],
        "summary": "Sent 1, applied 0, 1 item not made by pk left alone",
    }
    pk("done", "1")
    (path,) = [p for p in folder.glob("*.ics") if p.name != "phone.ics"]
    path.write_text(path.read_text().replace("SUMMARY:Send numbers", "SUMMARY:Send the numbers"))
    shown = pk.json("sync", "--dry-run")
    assert shown["dry_run"] is True and shown["sent"] == 1
    assert shown["applied_by_kind"] == {"edited": 1} and shown["applied"] == 1
    assert all(isinstance(shown[k], list) for k in ("conflicts", "kept_local", "warnings"))
