"""A write carries the sealed, surely-closed promise lines unparsed (`layout.load_for_write`):
it must leave exactly the files a write that parses everything leaves, and never trust a line
the seal does not vouch for."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import pytest

from promisekeeper.errors import StoreCorrupt
from promisekeeper.storage import layout
from promisekeeper.storage import store as store_module
from promisekeeper.storage.layout import SEAL, done_after, load_file, load_for_write
from promisekeeper.storage.store import PROMISES, Store

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # a Monday


def whole_reads(path: Path):
    """`load_for_write` as it was: every record parsed."""
    return load_file(path), {}, []


# (days after START, command): help slots, series and thanks included, and enough days for
# closed promises to reach the archive in the middle.
STEPS = [
    (0, ["add", "Send the Q3 numbers", "--to", "Dana", "--due", "tomorrow 3pm"]),
    (0, ["add", "Budget review", "--to", "Lee", "--due", "wed"]),
    (0, ["add", "Laptop order", "--from", "Sam", "--due", "thu"]),
    (0, ["add", "Weekly report", "--to", "Priya", "--due", "fri", "--every", "week"]),
    (0, ["add", "Onboarding list", "--to", "Mika", "--due", "fri", "--tag", "hr"]),
    (1, ["done", "1"]),
    (1, ["drop", "2", "--reason", "no longer needed"]),
    (2, ["done", "3"]),
    (2, ["thank", "3", "--note", "thanks for the laptop"]),
    (3, ["done", "4"]),
    (3, ["add", "Slides", "--to", "Ana", "--due", "mon"]),
    (4, ["reopen", "1"]),
    (4, ["note", "1", "waiting on finance"]),
    (5, ["done", "1"]),
    (5, ["undo"]),
    (6, ["done", "1"]),
    (6, ["delete", "2", "--yes"]),
    (7, ["undo"]),
    (8, ["move", "5", "next fri", "--reason", "scope grew"]),
    (45, ["add", "After the month", "--to", "Dana", "--due", "tomorrow"]),  # archives 1 and 3
    (45, ["done", "5"]),
    (46, ["reopen", "3"]),  # back from the archive
    (46, ["edit", "6", "--title", "Slides for the board"]),
    (47, ["done", "8"]),
    (80, ["add", "Much later", "--to", "Lee", "--due", "fri"]),
]


def run(pk, monkeypatch, db: Path, step: int, args: list[str], days: int, carry: bool) -> None:
    counter = itertools.count(step * 100)
    with monkeypatch.context() as patch:
        patch.setattr(uuid, "uuid4", lambda: uuid.UUID(int=next(counter), version=4))
        if not carry:
            patch.setattr(store_module, "load_for_write", whole_reads)
        now = (START + timedelta(days=days)).isoformat()
        pk("--db", str(db), *args, env={"PK_NOW": now})


def test_a_carrying_write_leaves_the_files_a_whole_write_leaves(pk, isolated, monkeypatch):
    carried_counts = []
    real = layout.load_for_write

    def counting(path: Path):
        found = real(path)
        carried_counts.append(len(found[1]))
        return found

    monkeypatch.setattr(store_module, "load_for_write", counting)
    carrying, whole = isolated / "carrying.json", isolated / "whole.json"
    for step, (days, args) in enumerate(STEPS):
        run(pk, monkeypatch, carrying, step, args, days, carry=True)
        run(pk, monkeypatch, whole, step, args, days, carry=False)
        assert carrying.read_bytes() == whole.read_bytes(), (step, args)
        for suffix in (".archive", ".idx"):
            a, b = Path(f"{carrying}{suffix}"), Path(f"{whole}{suffix}")
            assert a.exists() == b.exists(), (step, suffix)
            if suffix == ".archive" and a.exists():
                assert a.read_bytes() == b.read_bytes(), (step, args)
    assert max(carried_counts) >= 2  # closed promises really were carried
    assert Path(f"{carrying}.archive").exists()  # and some reached the archive on the way
    titles = {r["title"] for r in orjson.loads(carrying.read_bytes())[PROMISES].values()}
    assert "Much later" in titles and "Slides for the board" in titles


def closed_store(db: Path, count: int = 3) -> Store:
    """A store with one open promise and `count` done ones, written (so sealed) by pk."""
    from promisekeeper.model import Promise

    store = Store(db)
    with store.write("build") as tx:
        for number in range(count + 1):
            tx.add_promise(
                Promise(
                    id=0,
                    uuid=f"u{number}",
                    title=f"Promise {number}",
                    person="Dana",
                    direction="to",
                    due=START,
                    created=START,
                    status="done" if number else "open",
                    done_at=START if number else None,
                )
            )
    return store


def test_only_the_open_lines_are_parsed_when_the_seal_holds(db_path) -> None:
    closed_store(db_path)
    data, carried, order = load_for_write(db_path)
    assert sorted(carried) == ["2", "3", "4"] and list(data[PROMISES]) == ["1"]
    assert order == ["1", "2", "3", "4"]
    assert data["_meta"]["1"][SEAL][1] == 3


def test_a_closed_record_asked_for_is_parsed_then_written_back(db_path) -> None:
    store = closed_store(db_path)
    with store.write("reopen") as tx:
        record = tx.record(PROMISES, 3)
        assert record is not None and record["title"] == "Promise 2"
        tx.put(PROMISES, 3, {**record, "status": "open", "done_at": None})
        assert "3" not in tx.carried and len(tx.carried) == 2
    data = orjson.loads(db_path.read_bytes())
    assert list(data[PROMISES]) == ["1", "2", "3", "4"]  # each where it was
    assert data[PROMISES]["3"]["status"] == "open"
    assert [p.title for p in store.read().promises("open")] == ["Promise 0", "Promise 2"]


def test_every_record_is_there_for_whoever_asks_for_all(db_path) -> None:
    store = closed_store(db_path)
    with store.write("look") as tx:
        assert [pid for pid, _ in tx.records(PROMISES)] == [1, 2, 3, 4]
        assert tx.next_id(PROMISES) == 5
    with store.write("add") as tx:
        assert tx.next_id(PROMISES) == 5  # carried ids count before anything is parsed
        assert len(tx.carried) == 3


def test_an_edit_by_hand_breaks_the_seal_and_the_file_is_read_whole(db_path) -> None:
    store = closed_store(db_path)
    raw = db_path.read_bytes()
    db_path.write_bytes(raw.replace(b'"title":"Promise 2"', b'"title":"Promise Two"'))
    data, carried, _ = load_for_write(db_path)
    assert carried == {} and data[PROMISES]["3"]["title"] == "Promise Two"  # parsed, kept
    with store.write("add") as tx:
        tx.insert(PROMISES, {**tx.record(PROMISES, 1), "uuid": "u9"})  # type: ignore[dict-item]
    assert orjson.loads(db_path.read_bytes())[PROMISES]["3"]["title"] == "Promise Two"
    assert load_for_write(db_path)[1]  # sealed again by that write


def test_a_damaged_closed_line_is_never_carried_into_a_write(db_path) -> None:
    store = closed_store(db_path)
    raw = db_path.read_bytes()
    db_path.write_bytes(raw.replace(b'"title":"Promise 2"', b'"title":"Promise 2'))
    assert [p.title for p in store.read(open_only=True).promises("open")] == ["Promise 0"]
    with pytest.raises(StoreCorrupt, match="pk doctor"), store.write("add"):
        pass
    assert db_path.read_bytes() == raw.replace(b'"title":"Promise 2"', b'"title":"Promise 2')


@pytest.mark.parametrize(
    ("line", "later"),
    [
        (b'"1":{"status":"done","done_at":"2026-11-20T09:00:00+00:00","x":1}', True),
        (b'"1":{"status":"done","done_at":"2026-10-01T09:00:00+00:00"}', False),  # earlier
        (b'"1":{"status":"done","done_at":"2026-10-24T09:00:00+00:00"}', False),  # the cutoff
        (b'"1":{"status":"dropped","done_at":null}', False),
        (b'"1":{"status":"done","done_at":"2026-11-20T09:00:00+01:00"}', False),  # not stored form
        (b'"1":{"status":"done","done_at":"2026-11-20T09:00:00.5+00:00"}', False),
        (b'"1":{"status":"done","done_at":"2026-11-20T09:00:00+00:00","h":{"done_at":"x"}}', False),
        (b'"1":{"status":"dropped","done_at":"2026-11-20T09:00:00+00:00"}', False),
    ],
)
def test_done_after_keeps_only_what_is_surely_done_within_the_window(line, later) -> None:
    assert done_after(line, b"2026-10-24T09:00:00+00:00") is later
