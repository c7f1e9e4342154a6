"""The merge, against a vdir folder (the same code path as CalDAV, no server)."""

from __future__ import annotations

from pathlib import Path

import pytest

from promisekeeper.model import occurrence_uid, parse_iso


@pytest.fixture
def vdir(isolated: Path) -> Path:
    folder = isolated / "vdir"
    folder.mkdir()
    (isolated / "config.toml").write_text(f'timezone = "Europe/Berlin"\n[sync]\nurl = "{folder}"\n')
    return folder


def test_two_devices_through_a_vdir(pk, vdir, isolated) -> None:
    other = {"PK_DB": str(isolated / "other.json")}
    pk("add", "Budget", "--to", "Dana", "--due", "fri")
    pk("sync")
    assert len(list(vdir.glob("*.ics"))) == 1
    pk("sync", env=other)
    pk("done", "1", env=other)
    pk("sync", env=other)
    pk("sync")
    assert pk.json("show", "1")["status"] == "done"


def test_a_missing_vdir_folder_is_exit_66(pk, isolated) -> None:
    (isolated / "config.toml").write_text(f'[sync]\nurl = "{isolated / "nope"}"\n')
    assert "no such folder" in pk("sync", code=66).stderr


def test_a_remote_stripped_of_x_pk_properties_never_erases_local_data(pk, vdir) -> None:
    pk("add", "Budget", "--to", "Dana", "--team", "Finance", "--due", "fri")
    pk("sync")
    (path,) = vdir.glob("*.ics")
    text = path.read_text()
    stripped = "\n".join(line for line in text.splitlines() if not line.startswith("X-PK-"))
    path.write_text(stripped + "\n")
    pk("sync")
    promise = pk.json("show", "1")
    assert promise["person"] == "Dana" and promise["team"] == "Finance"


def test_the_next_occurrence_has_a_deterministic_uuid(pk) -> None:
    pk("add", "Weekly report", "--to", "Dana", "--due", "fri 3pm", "--every", "week on fri")
    first = pk.json("show", "1")
    pk("done", "1")
    second = pk.json("show", "2")
    assert second["uuid"] == occurrence_uid(
        first["series"]["id"], parse_iso(second["series"]["scheduled"])
    )
