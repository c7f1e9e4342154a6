"""A write carries the file's sealed closed block unparsed (`layout.load_for_write`), and a
read of the open promises skips it (`load_file(open_only=True)`): both must give exactly what
parsing everything gives, and never trust bytes the seal does not vouch for."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import pytest
from conftest import mutations

from promisekeeper.errors import StoreCorrupt
from promisekeeper.storage import layout
from promisekeeper.storage import store as store_module
from promisekeeper.storage.block import SEAL, read_sealed, surely_done_at
from promisekeeper.storage.layout import dumps, load_file, load_for_write
from promisekeeper.storage.store import PROMISES, Store

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # a Monday


def whole_reads(path: Path):
    """`load_for_write` without carrying: every record parsed."""
    return load_file(path), None


def content(path: Path) -> dict:
    """A store file as any JSON reader sees it, without the seal (where the block is)."""
    data = orjson.loads(path.read_bytes())
    del data["_meta"]["1"][SEAL]
    return data


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


def test_a_carrying_write_leaves_what_a_whole_write_leaves(pk, isolated, monkeypatch):
    carried_counts = []
    real = layout.load_for_write

    def counting(path: Path):
        found = real(path)
        carried_counts.append(0 if found[1] is None else len(found[1]))
        return found

    monkeypatch.setattr(store_module, "load_for_write", counting)
    carrying, whole = isolated / "carrying.json", isolated / "whole.json"
    for step, (days, args) in enumerate(STEPS):
        run(pk, monkeypatch, carrying, step, args, days, carry=True)
        run(pk, monkeypatch, whole, step, args, days, carry=False)
        assert content(carrying) == content(whole), (step, args)
        # Both sealed: the next write of either carries its block.
        assert real(carrying)[1] is not None and real(whole)[1] is not None
        # The open promises read past the block give what the whole parse gives.
        for path in (carrying, whole):
            open_ones = {k for k, v in content(path)[PROMISES].items() if v["status"] == "open"}
            assert set(load_file(path, open_only=True)[PROMISES]) >= open_ones
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


def block_of(path: Path) -> bytes:
    """The closed block's bytes, where the seal says they are."""
    raw = path.read_bytes()
    before, size, *_ = orjson.loads(raw)["_meta"]["1"][SEAL]
    start = raw.index(b'\n"promises":{\n') + len(b'\n"promises":{\n') + before
    return raw[start : start + size]


def test_the_closed_lines_form_one_sealed_block_at_the_end_of_the_table(db_path) -> None:
    closed_store(db_path)
    data, block = load_for_write(db_path)
    assert list(data[PROMISES]) == ["1"] and block is not None
    assert list(block.lines()) == ["2", "3", "4"]
    assert block.raw == block_of(db_path) == b",\n".join(block.lines().values())
    assert data["_meta"]["1"][SEAL][2:] == [3, block.crc, "2026-11-02T09:00:00+00:00"]
    raw = db_path.read_bytes()
    assert raw.index(block.raw + b"\n}") > raw.index(b'"Promise 0"')  # after the open one, last


def test_a_write_keeps_the_block_as_it_was_and_adds_what_closed_after_it(db_path) -> None:
    store = closed_store(db_path)
    before = block_of(db_path)
    with store.write("add") as tx:
        tx.insert(PROMISES, {**tx.record(PROMISES, 1), "uuid": "u9"})  # type: ignore[dict-item]
    assert block_of(db_path) == before  # not one byte moved
    with store.write("done") as tx:
        tx.put(PROMISES, 1, {**tx.record(PROMISES, 1), "status": "done", "done_at": "x"})  # type: ignore[dict-item]
    after = block_of(db_path)
    assert after.startswith(before + b',\n"1":') and after.count(b"\n") == 3
    data, block = load_for_write(db_path)  # the crc was carried on, and holds
    assert block is not None and list(block.lines()) == ["2", "3", "4", "1"]
    assert list(data[PROMISES]) == ["5"]


def test_a_closed_record_asked_for_is_parsed_and_written_back_only_if_it_changed(db_path) -> None:
    store = closed_store(db_path)
    with store.write("look") as tx:
        record = tx.record(PROMISES, 3)
        assert record is not None and record["title"] == "Promise 2"
        tx.record(PROMISES, 2)
        tx.data[PROMISES]["2"]["title"] = "Changed in place"  # noticed though not through put
        tx.put(PROMISES, 1, {**tx.record(PROMISES, 1), "title": "Promise Zero"})  # type: ignore[dict-item]
    data, block = load_for_write(db_path)
    # 3 was only looked at: kept in its place; 2 changed: written again, after the others.
    assert block is not None and list(block.lines()) == ["3", "4", "2"]
    assert b"Changed in place" in block.lines()["2"]
    with store.write("reopen") as tx:
        record = tx.record(PROMISES, 3)
        tx.put(PROMISES, 3, {**record, "status": "open", "done_at": None})  # type: ignore[dict-item]
        assert tx.block is not None and "3" not in tx.block and len(tx.block) == 2
    data, block = load_for_write(db_path)
    assert block is not None and list(block.lines()) == ["4", "2"]
    assert data[PROMISES]["3"]["status"] == "open"
    assert [p.title for p in store.read().promises("open")] == ["Promise Zero", "Promise 2"]


def test_every_record_is_there_by_id_for_whoever_asks_for_all(db_path) -> None:
    store = closed_store(db_path)
    with store.write("reopen") as tx:
        tx.put(PROMISES, 3, {**tx.record(PROMISES, 3), "status": "open", "done_at": None})  # type: ignore[dict-item]
    assert list(orjson.loads(db_path.read_bytes())[PROMISES]) == ["1", "3", "2", "4"]
    with store.write("look") as tx:
        assert [pid for pid, _ in tx.records(PROMISES)] == [1, 2, 3, 4]
        assert tx.next_id(PROMISES) == 5
    with store.write("add") as tx:
        assert tx.next_id(PROMISES) == 5  # carried ids count before anything is parsed
        assert tx.block is not None and len(tx.block) == 2 and not tx.block._lines  # unsplit
    assert [p.id for p in store.read().promises()] == [1, 2, 3, 4]


def test_an_edit_by_hand_breaks_the_seal_and_the_file_is_read_whole(db_path) -> None:
    store = closed_store(db_path)
    raw = db_path.read_bytes()
    db_path.write_bytes(raw.replace(b'"title":"Promise 2"', b'"title":"Promise Two"'))
    data, block = load_for_write(db_path)
    assert block is None and data[PROMISES]["3"]["title"] == "Promise Two"  # parsed, kept
    assert load_file(db_path, open_only=True)[PROMISES].keys() == {"1"}
    with store.write("add") as tx:
        tx.insert(PROMISES, {**tx.record(PROMISES, 1), "uuid": "u9"})  # type: ignore[dict-item]
    assert orjson.loads(db_path.read_bytes())[PROMISES]["3"]["title"] == "Promise Two"
    assert load_for_write(db_path)[1] is not None  # sealed again by that write


def test_a_file_by_an_earlier_pk_is_read_whole_then_sealed(db_path) -> None:
    closed_store(db_path)
    data = load_file(db_path)
    data["_meta"]["1"]["closed_seal"] = [1, 3]  # what an earlier pk wrote instead
    del data["_meta"]["1"][SEAL]
    db_path.write_bytes(orjson.dumps(data))
    assert load_for_write(db_path)[1] is None
    with Store(db_path).write("add") as tx:
        tx.insert(PROMISES, {**tx.record(PROMISES, 1), "uuid": "u9"})  # type: ignore[dict-item]
    meta = orjson.loads(db_path.read_bytes())["_meta"]["1"]
    assert "closed_seal" not in meta and meta[SEAL][2] == 3
    assert load_for_write(db_path)[1] is not None


def test_a_key_in_both_the_head_and_the_block_is_left_to_the_whole_parse(db_path) -> None:
    closed_store(db_path)
    raw = db_path.read_bytes()
    seal = orjson.loads(raw)["_meta"]["1"][SEAL]
    twin = b'"3":{"title":"twin"},\n'
    at = raw.index(b'\n"promises":{\n') + len(b'\n"promises":{\n')
    moved = [seal[0] + len(twin), *seal[1:]]
    edited = raw[:at] + twin + raw[at:]
    edited = edited.replace(orjson.dumps(seal), orjson.dumps(moved))
    db_path.write_bytes(edited)
    assert read_sealed(edited, orjson.loads) is not None  # the seal itself holds
    data, block = load_for_write(db_path)
    assert block is None and data[PROMISES]["3"]["title"] == "Promise 2"  # the later one wins
    assert data == orjson.loads(edited) | {"requests": data["requests"]}


def test_a_damaged_closed_line_is_never_carried_into_a_write(db_path) -> None:
    store = closed_store(db_path)
    raw = db_path.read_bytes()
    db_path.write_bytes(raw.replace(b'"title":"Promise 2"', b'"title":"Promise 2'))
    assert [p.title for p in store.read(open_only=True).promises("open")] == ["Promise 0"]
    with pytest.raises(StoreCorrupt, match="pk doctor"), store.write("add"):
        pass
    assert db_path.read_bytes() == raw.replace(b'"title":"Promise 2"', b'"title":"Promise 2')


def aged_store(db: Path, closed: dict[str, dict]) -> None:
    """One open promise and the closed ones given (id: the fields that close it)."""
    base = {"uuid": "u", "title": "t", "person": "Dana", "direction": "to"}
    base |= {"due": "2026-09-01T09:00:00+00:00", "created": "2026-09-01T09:00:00+00:00"}
    promises = {"1": base | {"uuid": "u1", "status": "open"}}
    promises |= {key: base | {"uuid": f"u{key}", **fields} for key, fields in closed.items()}
    meta = {"schema": 1, "generation": 1, "next_id": {PROMISES: 10}}
    db.write_bytes(dumps({"_meta": {"1": meta}, PROMISES: promises, "requests": {}}))


def done(day: str) -> dict:
    return {"status": "done", "done_at": f"2026-{day}T09:00:00+00:00"}


def test_the_horizon_is_the_earliest_time_a_closed_line_may_move_to_the_archive(db_path):
    dropped = {"status": "dropped", "done_at": None}
    dropped["history"] = [{"at": "2026-10-05T09:00:00+00:00", "type": "dropped"}]
    series = done("09-01") | {"series": {"every": "week"}}  # kept hot whatever its age
    aged_store(db_path, {"2": done("10-20"), "3": dropped, "4": series, "5": done("10-09")})
    assert load_for_write(db_path)[1].horizon == "2026-10-05T09:00:00+00:00"  # type: ignore[union-attr]
    aged_store(db_path, {"4": series})
    assert load_for_write(db_path)[1].horizon is None  # type: ignore[union-attr]


def archiving_store(db: Path, now: datetime) -> Store:
    return Store(db, now=now, archive_after=timedelta(days=30))


def test_a_write_before_the_horizon_looks_through_no_closed_line(db_path, monkeypatch) -> None:
    aged_store(db_path, {"2": done("10-20"), "3": done("10-09"), "4": done("11-01")})
    looked = []
    monkeypatch.setattr(store_module, "surely_done_at", lambda line: looked.append(line))
    store = archiving_store(db_path, datetime(2026, 11, 8, 8, 0, tzinfo=UTC))  # cutoff: 10-09
    with store.write("note") as tx:
        tx.put(PROMISES, 1, {**tx.record(PROMISES, 1), "title": "changed"})  # type: ignore[dict-item]
    assert looked == [] and not Path(f"{db_path}.archive").exists()
    _, block = load_for_write(db_path)
    assert block is not None and not block._lines  # nothing was split either
    assert block.horizon == "2026-10-09T09:00:00+00:00"


def test_past_the_horizon_the_due_lines_move_and_the_horizon_follows(db_path) -> None:
    aged_store(db_path, {"2": done("10-20"), "3": done("10-09"), "4": done("11-01")})
    store = archiving_store(db_path, datetime(2026, 11, 12, 8, 0, tzinfo=UTC))  # cutoff: 10-13
    with store.write("note") as tx:
        tx.put(PROMISES, 1, {**tx.record(PROMISES, 1), "title": "changed"})  # type: ignore[dict-item]
    _, block = load_for_write(db_path)
    assert block is not None and sorted(block.keys) == ["2", "4"]  # 3 went to the archive
    assert block.horizon == "2026-10-20T09:00:00+00:00"
    assert b'"u3"' in Path(f"{db_path}.archive").read_bytes()


@pytest.mark.parametrize("statuses", ["od", "do", "odd", "dod", "dd", "oo"])
def test_the_sealed_reader_accepts_only_what_the_whole_parse_reads_the_same(statuses) -> None:
    """Every near miss of a sealed file is refused by the block reader (the caller then reads
    it whole) or gives, block lines included, exactly what parsing the whole file gives."""
    promises = {
        str(n): {"t": n, "status": "open" if s == "o" else "done"}
        for n, s in enumerate(statuses, 1)
    }
    raw = dumps({"_meta": {"1": {"schema": 1}}, PROMISES: promises, "requests": {"1": {}}})
    accepted = 0
    for variant in mutations(raw):
        found = read_sealed(variant, orjson.loads)
        if found is None:
            continue
        data, block, _ = found
        if block:
            data[PROMISES].update(orjson.loads(b"{%s}" % block))
        try:
            reference = orjson.loads(variant)
        except orjson.JSONDecodeError:
            pytest.fail(f"accepted a file that is not JSON: {variant!r}")
        assert data == reference, variant
        accepted += 1
    assert accepted  # whitespace near misses are still the same JSON


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
def test_only_a_line_surely_done_within_the_window_stays_unparsed(line, later) -> None:
    done = surely_done_at(line)
    assert (done is not None and done > b"2026-10-24T09:00:00+00:00") is later
