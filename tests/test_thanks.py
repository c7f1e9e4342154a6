"""Thank-yous end to end, at the pinned instant (Mon 23 Nov 2026 10:00 Berlin): a delivery to me
prompts a thank-you, `pk thanks` lists who is owed one, `pk thank` records it and drafts it."""

from __future__ import annotations


def waiting_on(pk, title: str, person: str, due: str = "tomorrow") -> int:
    return pk.json("add", title, "--from", person, "--due", due)["id"]


def test_thank_you_flow_end_to_end(pk):
    pid = waiting_on(pk, "Updated floor plan", "Sam")
    done = pk("done", str(pid))
    assert "Sam delivered #1 “Updated floor plan”." in done.stdout
    assert "pk thank 1" in done.stderr  # the nudge is talk, not output

    listed = pk.json("thanks")
    assert [p["id"] for p in listed] == [pid]

    thanked = pk("thank", str(pid), "--note", "saved my Friday")
    assert "Thanked Sam for #1 “Updated floor plan”." in thanked.stdout
    assert (
        'Tell Sam: "Hi Sam, thank you for “Updated floor plan” (delivered Mon 23 Nov 10:00 — '
        'right on time). Saved my Friday! I appreciate it."'
    ) in thanked.stdout

    stored = pk.json("show", str(pid))
    assert stored["thanked_at"] == "2026-11-23T09:00:00+00:00"
    assert stored["thank_note"] == "saved my Friday"
    assert stored["history"][-1] == {
        "at": "2026-11-23T09:00:00+00:00",
        "type": "thanked",
        "person": "Sam",
        "note": "saved my Friday",
    }
    assert pk.json("thanks") == []
    assert "Everyone who delivered has been thanked." in pk("thanks").stdout
    assert "thanked" in pk("show", str(pid)).stdout


def test_thanks_lists_oldest_delivery_first(pk):
    first = waiting_on(pk, "Floor plan", "Sam")
    second = waiting_on(pk, "Badge", "Ana")
    pk("done", str(second), env={"PK_NOW": "2026-11-23T11:00:00+01:00"})
    pk("done", str(first), env={"PK_NOW": "2026-11-23T12:00:00+01:00"})
    assert [p["id"] for p in pk.json("thanks")] == [second, first]


def test_my_own_promises_do_not_ask_for_thanks(pk):
    pk("add", "Headcount", "--to", "Dana", "--due", "fri")
    result = pk("done", "1")
    assert "thank" not in result.stderr
    assert pk.json("thanks") == []
    assert "thank-yous are for what others delivered" in pk("thank", "1", code=4).stderr


def test_thank_refuses_what_is_not_delivered_or_already_thanked(pk):
    pid = waiting_on(pk, "Floor plan", "Sam")
    assert "pk done 1" in pk("thank", str(pid), code=4).stderr
    pk("done", str(pid))
    pk("thank", str(pid))
    assert "already thanked" in pk("thank", str(pid), code=4).stderr
    assert pk("thank", "99", code=3).stderr.startswith("pk: ")


def test_late_delivery_draft(pk):
    pid = pk.json("add", "Floor plan", "--from", "Sam", "--due", "2026-11-20 12:00", "--past")["id"]
    pk("done", str(pid))
    out = pk("thank", str(pid)).stdout
    assert "delivered Mon 23 Nov 10:00)" in out and "right on time" not in out
