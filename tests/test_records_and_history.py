"""Coverage the first sessions left out: history words for every event, merged help requests,
config errors at the command line, and what `Promise.from_dict` refuses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from promisekeeper.model import Promise

GOOD = {
    "uuid": "u-1",
    "title": "Q3 numbers",
    "person": "Dana",
    "direction": "to",
    "due": "2026-11-27T14:00:00+00:00",
    "created": "2026-11-23T09:00:00+00:00",
}


def test_history_shows_dropped_reopened_and_edited_in_words(pk) -> None:
    pk("add", "Q3 numbers", "--to", "Dana", "--due", "fri")
    pk("edit", "1", "--title", "Q3 headcount numbers", "--team", "Finance")
    pk("drop", "1", "--reason", "merged into the budget")
    pk("reopen", "1")
    shown = pk("show", "1").stdout
    assert "edited title: Q3 numbers → Q3 headcount numbers" in shown
    assert "dropped — merged into the budget" in shown
    assert "reopened (was dropped)" in shown


def test_merge_import_of_a_help_request_relinks_it(pk, tmp_path: Path) -> None:
    pk("later", "Budget questions", "--for", "Lee", "--need", "30m")
    pk("book", "1", "1")
    exported = tmp_path / "export.json"
    exported.write_bytes(pk("export").stdout_bytes)
    other = {"PK_DB": str(tmp_path / "other.json")}
    pk("add", "Already here", "--to", "Kim", "--due", "fri", env=other)
    pk("later", "Something else", "--for", "Kim", "--need", "30m", env=other)
    merged = pk.json("import", str(exported), "--merge", env=other)
    assert merged["requests"] == 1 and merged["promises"] == 1
    data = json.loads(pk("export", env=other).stdout)
    request = next(r for r in data["requests"] if r["title"] == "Budget questions")
    promise = next(p for p in data["promises"] if p["title"].startswith("Budget questions"))
    assert request["id"] == 2  # after the request already there
    assert request["promise_id"] == promise["id"] == 2
    assert promise["request_id"] == request["id"]


def test_a_bad_config_is_exit_78_naming_the_file_and_key(pk, isolated: Path) -> None:
    config = isolated / "config.toml"
    config.write_text('timezone = "Europe/Berlin"\nsooon = "2h"\n')
    result = pk("list", code=78)
    assert result.stderr.startswith("pk: ")
    assert str(config) in result.stderr and "'sooon'" in result.stderr
    assert result.stderr.count("\n") == 1
    config.write_text('timezone = "Europe/Berlin"\n[work]\nslot = 30\n')
    assert "work.slot" in pk("list", code=78).stderr


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"direction": "sideways"}, "direction"),
        ({"status": "maybe"}, "status"),
        ({"title": 5}, "title is not text"),
        ({"due": "2026-11-27T14:00:00"}, "without a zone"),
        ({"due": "friday"}, "Invalid isoformat"),
        ({"tags": "a,b"}, "tags"),
        ({"notes": ["text"]}, "notes"),
        ({"history": [1]}, "history"),
        ({"request_id": "7"}, "request_id"),
        ({"uuid": None}, "uuid is not text"),
    ],
)
def test_from_dict_refuses_a_bad_field_by_name(change: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Promise.from_dict(1, {**GOOD, **change})


@pytest.mark.parametrize("missing", ["uuid", "title", "person", "direction", "due", "created"])
def test_from_dict_names_a_missing_field(missing: str) -> None:
    record = {k: v for k, v in GOOD.items() if k != missing}
    with pytest.raises(ValueError, match=f"missing field '{missing}'"):
        Promise.from_dict(1, record)


def test_from_dict_refuses_what_is_not_an_object() -> None:
    with pytest.raises(ValueError, match="not an object"):
        Promise.from_dict(1, ["not", "a", "record"])  # type: ignore[arg-type]
    assert Promise.from_dict(1, GOOD).title == "Q3 numbers"
