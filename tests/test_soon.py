"""Before the deadline, not only after: what is due within `soon` (default 4h) is marked in
`pk list` and has its own standup section. Pinned at Mon 23 Nov 2026 10:00 Berlin."""

from __future__ import annotations

import pytest


@pytest.fixture
def day(pk) -> None:
    pk("add", "Budget", "--to", "Dana", "--due", "1pm")  # in 3h: soon
    pk("add", "Slides", "--to", "Lee", "--due", "4pm")  # in 6h: later today
    pk("add", "Floor plan", "--from", "Sam", "--due", "12:00")  # theirs, in 2h: soon too


def test_list_marks_what_is_due_soon(pk, day) -> None:
    lines = pk("list", "--plain").stdout.splitlines()
    assert lines[1] == "#1  Budget  → Dana  due Mon 23 Nov 13:00 — in 3h · soon"
    assert lines[2] == "#2  Slides  → Lee  due Mon 23 Nov 16:00 — in 6h"
    assert "· soon" in pk("list").stdout


def test_the_soon_setting_widens_the_mark(pk, day, isolated) -> None:
    config = isolated / "config.toml"
    config.write_text(config.read_text() + 'soon = "8h"\n')
    assert pk("list", "--plain").stdout.count("· soon") == 3  # Sam's owed at 12:00 too
    config.write_text(config.read_text().replace('"8h"', '"0m"'))
    assert "soon" not in pk("list", "--plain").stdout


def test_standup_has_a_due_soon_section_before_due_today(pk, day) -> None:
    sections = pk.json("standup")["sections"]
    keys = [s["key"] for s in sections]
    assert keys[:2] == ["due_soon", "due_today"]
    assert [e["title"] for e in sections[0]["items"]] == ["Budget"]
    assert [e["title"] for e in sections[1]["items"]] == ["Slides"]
    plain = pk("standup", "--format", "plain").stdout
    assert "\nDue soon\n  #1  Budget  → Dana  due Mon 23 Nov 13:00 — in 3h\n" in plain
