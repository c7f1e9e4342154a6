"""`pk sync` against a real Radicale on loopback: two devices (two stores) share one collection,
and a "phone" edits items with raw HTTP, as a tasks app would."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import icalendar
import pytest
from servers import start_radicale

LATER = "2026-11-23T11:00:00+01:00"
LATEST = "2026-11-23T12:00:00+01:00"


@pytest.fixture
def collection(radicale, isolated: Path) -> str:
    url = radicale.make_calendar("promises")
    config = isolated / "config.toml"
    config.write_text(f'timezone = "Europe/Berlin"\n[sync]\nurl = "{url}"\ntimeout = "5s"\n')
    return url


@pytest.fixture
def device_b(isolated: Path) -> dict[str, str]:
    return {"PK_DB": str(isolated / "laptop.json")}


def show(pk, pid: int, env: dict | None = None) -> dict:
    return pk.json("show", str(pid), env=env)


def items(radicale) -> dict[str, icalendar.Component]:
    """Every VTODO on the server by UID, read straight from its storage."""
    folder = radicale.storage / "collection-root" / "me" / "promises"
    found = {}
    for path in folder.glob("*.ics"):
        for component in icalendar.Calendar.from_ical(path.read_bytes()).walk("VTODO"):
            found[str(component["UID"])] = component
    return found


def test_promises_travel_between_two_devices(pk, collection, device_b, radicale) -> None:
    pk("add", "Budget review", "--to", "Dana", "--due", "fri 3pm", "--tag", "q4")
    pk("add", "Floor plan", "--from", "Sam", "--due", "wed")
    first = pk("sync")
    assert "Sent 2" in first.stdout
    assert len(items(radicale)) == 2

    second = pk("sync", env=device_b)
    assert "applied 2 (2 new from another device)" in second.stdout
    laptop = pk.json("list", env=device_b)
    assert sorted(p["title"] for p in laptop) == ["Budget review", "Floor plan"]
    budget = next(p for p in laptop if p["title"] == "Budget review")
    assert budget["tags"] == ["q4"] and budget["person"] == "Dana"
    floor = next(p for p in laptop if p["title"] == "Floor plan")
    assert floor["direction"] == "from"

    # move, note, done and drop on the laptop appear on the desktop
    bid, fid = budget["id"], floor["id"]
    env_later = {**device_b, "PK_NOW": LATER}
    pk("move", str(bid), "mon 5pm", "--reason", "numbers late", env=env_later)
    pk("note", str(bid), "sent draft to Dana", env=env_later)
    pk("drop", str(fid), "--reason", "Sam moved teams", env=env_later)
    assert "Sent 2" in pk("sync", env=env_later).stdout

    result = pk("sync", env={"PK_NOW": LATEST})
    assert "applied" in result.stdout
    desk = show(pk, 1)
    assert desk["due"].startswith("2026-11-30T16:00")
    assert [n["text"] for n in desk["notes"]] == ["sent draft to Dana"]
    assert any(
        e["type"] == "moved" and e["reason"] == "moved in another app" for e in desk["history"]
    )
    assert show(pk, 2)["status"] == "dropped"

    pk("done", "1", env={"PK_NOW": LATEST})
    pk("sync", env={"PK_NOW": LATEST})
    pk("sync", env={**device_b, "PK_NOW": LATEST})
    assert show(pk, bid, env=device_b)["status"] == "done"
    # nothing left to do on either side
    again = pk.json("sync", env={"PK_NOW": LATEST})
    assert again["sent"] == 0 and again["applied"] == 0


def test_a_phone_ticks_done_moves_and_tags_and_its_properties_survive(
    pk, collection, radicale
) -> None:
    pk("add", "Send slides", "--to", "Ana", "--due", "fri 3pm")
    pk("sync")
    ((uid, todo),) = items(radicale).items()
    text = todo.to_ical().decode()
    # what a phone app does: complete it, change the deadline, add its own property and category
    todo["STATUS"] = "COMPLETED"
    todo.pop("DUE")
    todo.add("DUE", icalendar.vDDDTypes.from_ical("20261126T090000Z"))
    todo.add("COMPLETED", icalendar.vDDDTypes.from_ical("20261126T100000Z"))
    todo.add("X-PHONE-APP", "tasks.org")
    todo.add("CATEGORIES", ["errand"])
    todo.pop("LAST-MODIFIED")
    todo.add("LAST-MODIFIED", icalendar.vDDDTypes.from_ical("20261123T093000Z"))
    cal = icalendar.Calendar()
    cal.add("VERSION", "2.0")
    cal.add("PRODID", "-//phone//EN")
    cal.add_component(todo)
    assert text != cal.to_ical().decode()
    assert radicale.put("promises", f"{uid}.ics", cal.to_ical().decode()) in (201, 204)

    summary = pk.json("sync")
    assert summary["applied_by_kind"]["done"] == 1
    promise = show(pk, 1)
    assert promise["status"] == "done"
    assert promise["done_at"] == "2026-11-26T10:00:00+00:00"
    assert promise["kept_on_time"] is True  # due Fri 27th 15:00: done Thursday
    assert "errand" in promise["tags"]

    # pk writes the item again (a local edit): the phone's property and category stay
    pk("edit", "1", "--title", "Send the slides")
    pk("sync")
    after = items(radicale)[uid]
    assert str(after["X-PHONE-APP"]) == "tasks.org"
    assert "errand" in after["CATEGORIES"].cats
    assert str(after["SUMMARY"]) == "Send the slides"


def test_concurrent_edits_of_different_fields_merge(pk, collection, device_b) -> None:
    pk("add", "Report", "--to", "Dana", "--due", "fri 3pm")
    pk("sync")
    pk("sync", env=device_b)
    pk("edit", "1", "--title", "Quarterly report", env={"PK_NOW": LATER})
    pk("move", "1", "mon 5pm", "--reason", "waiting on data", env={**device_b, "PK_NOW": LATER})
    pk("sync", env={"PK_NOW": LATER})
    pk("sync", env={**device_b, "PK_NOW": LATER})
    pk("sync", env={"PK_NOW": LATER})
    for env in (None, device_b):
        p = show(pk, 1, env=env)
        assert p["title"] == "Quarterly report"
        assert p["due"].startswith("2026-11-30T16:00")


def test_same_field_later_wins_and_history_keeps_the_other(pk, collection, device_b) -> None:
    pk("add", "Report", "--to", "Dana", "--due", "fri 3pm")
    pk("sync")
    pk("sync", env=device_b)
    pk("edit", "1", "--title", "Early title", env={"PK_NOW": LATER})
    pk("edit", "1", "--title", "Later title", env={**device_b, "PK_NOW": LATEST})
    pk("sync", env={"PK_NOW": LATER})
    pk("sync", env={**device_b, "PK_NOW": LATEST})
    pk("sync", env={"PK_NOW": LATEST})
    assert show(pk, 1)["title"] == "Later title"
    laptop = show(pk, 1, env=device_b)
    assert laptop["title"] == "Later title"
    conflicts = [e["text"] for e in laptop["history"] if e["type"] == "sync_conflict"]
    assert conflicts == ["conflict: kept title Later title, the other side had title Early title"]


def test_expired_sync_token_falls_back_to_a_full_listing(pk, collection, device_b, radicale):
    pk("add", "One", "--to", "Dana", "--due", "fri")
    pk("sync")
    pk("sync", env=device_b)
    pk("add", "Two", "--to", "Dana", "--due", "fri", env=device_b)
    pk("sync", env=device_b)
    cache = radicale.storage / "collection-root" / "me" / "promises" / ".Radicale.cache"
    assert cache.exists()
    shutil.rmtree(cache)
    assert "1 new from another device" in pk("sync").stdout
    assert [p["title"] for p in pk.json("list")] == ["One", "Two"]


def test_empty_collection_guard_changes_nothing(pk, collection, radicale, isolated) -> None:
    pk("add", "One", "--to", "Dana", "--due", "fri")
    pk("add", "Two", "--to", "Dana", "--due", "fri")
    pk("sync")
    for path in (radicale.storage / "collection-root" / "me" / "promises").glob("*.ics"):
        path.unlink()
    shutil.rmtree(radicale.storage / "collection-root/me/promises/.Radicale.cache")
    result = pk("sync", code=73)
    assert "is empty, but 2 items were synced there" in result.stderr
    assert [p["status"] for p in pk.json("list")] == ["open", "open"]


def test_deleted_remotely_and_unchanged_locally_is_dropped(pk, collection, radicale) -> None:
    pk("add", "One", "--to", "Dana", "--due", "fri")
    pk("add", "Two", "--to", "Dana", "--due", "fri")
    pk("sync")
    uid = pk.json("show", "1")["uuid"]
    status, _, _ = radicale.request("DELETE", f"me/promises/{uid}.ics")
    assert status in (200, 204)
    pk("sync")
    one = show(pk, 1)
    assert one["status"] == "dropped"
    assert one["history"][-1]["reason"] == "deleted in another app"


def test_server_stopped_mid_run_fails_in_one_line_and_the_next_sync_completes(
    pk, collection, radicale, isolated
) -> None:
    pk("add", "One", "--to", "Dana", "--due", "fri")
    radicale.stop()
    result = pk("sync", code=69)
    assert result.stderr.count("\n") == 1
    assert "not answering" in result.stderr and "127.0.0.1" in result.stderr
    assert pk.json("list")[0]["title"] == "One"  # nothing lost
    server = start_radicale(isolated / "radicale", port=radicale.port)
    try:
        assert "Sent 1" in pk("sync").stdout
    finally:
        server.stop()


def test_wrong_password_is_a_one_line_error_with_its_own_exit_code(
    pk, radicale_auth, isolated
) -> None:
    url = radicale_auth.make_calendar("promises")
    config = isolated / "config.toml"
    config.write_text(f'timezone = "Europe/Berlin"\n[sync]\nurl = "{url}"\nusername = "me"\n')
    pk("add", "One", "--to", "Dana", "--due", "fri")
    result = pk("sync", code=77, env={"PK_SYNC_PASSWORD": "wrong"})
    assert "check username and password" in result.stderr
    assert "wrong" not in result.stderr
    assert "Sent 1" in pk("sync", env={"PK_SYNC_PASSWORD": "secret"}).stdout


def test_items_pk_did_not_make_are_counted_and_left_alone(pk, collection, radicale) -> None:
    foreign = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//phone//EN\r\nBEGIN:VTODO\r\n"
        "UID:phone-1\r\nDTSTAMP:20261120T100000Z\r\nSUMMARY:Buy milk\r\nEND:VTODO\r\n"
        "END:VCALENDAR\r\n"
    )
    radicale.put("promises", "phone-1.ics", foreign)
    pk("add", "One", "--to", "Dana", "--due", "fri")
    summary = pk.json("sync")
    assert summary["foreign"] == 1
    assert "1 item not made by pk left alone" in summary["summary"]
    assert [p["title"] for p in pk.json("list")] == ["One"]
    _, _, body = radicale.request("GET", "me/promises/phone-1.ics")
    assert b"Buy milk" in body


def test_undo_after_a_sync_reverts_locally_and_the_next_sync_sends_it(
    pk, collection, device_b
) -> None:
    pk("add", "One", "--to", "Dana", "--due", "fri")
    pk("sync")
    pk("sync", env=device_b)
    pk("done", "1", env=device_b)
    pk("sync", env=device_b)
    pk("sync")
    assert show(pk, 1)["status"] == "done"
    pk("undo")
    assert show(pk, 1)["status"] == "open"
    pk("sync")
    pk("sync", env=device_b)
    assert show(pk, 1, env=device_b)["status"] == "open"


def test_dry_run_changes_nothing(pk, collection, radicale) -> None:
    pk("add", "One", "--to", "Dana", "--due", "fri")
    result = pk.json("sync", "--dry-run")
    assert result["sent"] == 1 and result["dry_run"] is True
    assert items(radicale) == {}
    assert json.loads(json.dumps(result))["summary"].startswith("Would send 1")
