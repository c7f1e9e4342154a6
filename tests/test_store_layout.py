"""The hot file's layout (one record a line) and the reader that parses it a slice at a time:
it must read exactly what parsing the whole file reads, and never accept a file that is not JSON."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta

import orjson
import pytest
from conftest import mutations

from promisekeeper.errors import StoreCorrupt
from promisekeeper.model import Promise
from promisekeeper.storage import layout
from promisekeeper.storage.block import SEAL
from promisekeeper.storage.files import atomic_write
from promisekeeper.storage.layout import SLICE, dump_slices, dumps, load_file, read_by_records
from promisekeeper.storage.lightjson import light_loads
from promisekeeper.storage.store import PROMISES, Store

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def data_with(count: int) -> dict:
    records = {
        str(pid): {"uuid": f"u{pid}", "title": f'T{pid} "q" \n é ,\n}},\n', "history": []}
        for pid in range(1, count + 1)
    }
    return {
        "_meta": {"1": {"schema": 1, "generation": 3, "next_id": {"promises": count + 1}}},
        PROMISES: records,
        "requests": {},
    }


def numbered(number: int, **fields) -> Promise:
    """Promise `number` to Dana, due tomorrow; `fields` change any other part of it."""
    return Promise(
        id=0,
        uuid=f"u{number}",
        title=f"Promise {number}",
        person="Dana",
        direction="to",
        due=NOW + timedelta(days=1),
        created=NOW,
        **fields,
    )


def unsealed(value: object) -> object:
    """A loaded store without the seal `dumps` adds to `_meta` (see the tests of carrying)."""
    if not isinstance(value, dict) or not isinstance(value.get("_meta", {}).get("1"), dict):
        return value
    meta = {k: v for k, v in value["_meta"]["1"].items() if k != SEAL}
    return {**value, "_meta": {**value["_meta"], "1": meta}}


def whole(raw: bytes) -> object:
    """What parsing the whole file gives: the reference the slice reader must agree with."""
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return "refused"


def sliced(raw: bytes) -> object:
    return read_by_records(io.BytesIO(raw))


@pytest.mark.parametrize(
    "data",
    [
        data_with(0),
        data_with(1),
        data_with(SLICE - 1),
        data_with(SLICE),
        data_with(SLICE + 1),
        data_with(2 * SLICE),
        data_with(2 * SLICE + 3),
        {"_meta": {"1": {"schema": 1}}, "requests": {"2": {"title": "r"}}, "_default": {}},
    ],
    ids=lambda d: f"{len(d.get(PROMISES, {}))}-records",
)
def test_the_layout_is_the_same_json_and_reads_back_the_same(data):
    raw = dumps(data)
    assert json.loads(raw) == orjson.loads(raw)
    assert unsealed(orjson.loads(raw)) == data
    assert raw.startswith(b"{\n") and raw.endswith(b"\n}\n")
    # One record a line: what lets the reader parse a slice at a time.
    assert raw.count(b"\n") == 2 + 2 * len(data) + sum(len(table) for table in data.values())
    assert sliced(raw) == orjson.loads(raw)


def test_a_store_written_by_pk_is_in_the_layout_and_read_without_parsing_it_whole(
    db_path, monkeypatch
):
    store = Store(db_path)
    with store.write("add") as tx:
        for number in range(SLICE + 5):
            tx.add_promise(numbered(number))
    raw = db_path.read_bytes()
    assert sliced(raw) == orjson.loads(raw)
    whole_reads = []
    real_loads = orjson.loads

    def counting_loads(value):
        whole_reads.append(len(value) == len(raw))
        return real_loads(value)

    monkeypatch.setattr(orjson, "loads", counting_loads)
    promises = store.read().promises()
    assert [p.title for p in promises] == [f"Promise {n}" for n in range(SLICE + 5)]
    assert whole_reads and not any(whole_reads)


@pytest.mark.parametrize(
    "raw",
    [
        b'{"_meta":{"1":{"schema":1}},"promises":{}}',  # an older pk's one compact line
        json.dumps(data_with(3), indent=2).encode(),  # written by hand
        json.dumps(data_with(3)).encode(),
        dumps(data_with(3)).replace(b"\n", b"\r\n"),
        dumps(data_with(3))[:-1],  # no final newline
    ],
)
def test_any_other_json_file_is_read_whole_with_the_same_result(tmp_path, raw):
    path = tmp_path / "promises.json"
    path.write_bytes(raw)
    assert load_file(path) == {"requests": {}, PROMISES: {}, **orjson.loads(raw)}


@pytest.mark.parametrize("records", [1, 2, 3, 4])
def test_the_slice_reader_accepts_only_what_the_whole_file_parse_accepts(monkeypatch, records):
    monkeypatch.setattr(layout, "SLICE", 2)  # slices end inside a table and at its end
    data = data_with(0)
    data[PROMISES] = {str(pid): {"t": pid} for pid in range(1, records + 1)}
    data["requests"] = {"1": {"r": [1, {}]}}
    raw = dumps(data)
    assert unsealed(sliced(raw)) == data
    checked = 0
    for variant in mutations(raw):
        result = sliced(variant)
        if result is not None:
            assert result == whole(variant), variant
            checked += 1
    assert checked  # some near misses are still good JSON, and read the same


@pytest.mark.parametrize(
    "raw",
    [
        b'{\n"_meta":{\n"1":{"schema":1},\n},\n"promises":{\n}\n}\n',  # comma after the last
        b'{\n"_meta":{\n"1":{"schema":1}\n}\n"promises":{\n}\n}\n',  # no comma between tables
        b'{\n"_meta":{\n"1":{"schema":1}\n},\n"promises":{\n"1":{}\n"2":{}\n}\n}\n',
        b'{\n"_meta":{\n"1":{"schema":1}\n},\n"promises":{\n"1":{}\n}\n}\n}\n',
        b'{\n"_meta":{\n"1":{"schema":1}\n},\n"promises":{\n"1":{}\n',  # cut short
    ],
)
def test_a_broken_file_in_the_layout_is_refused_as_invalid_json(tmp_path, raw):
    path = tmp_path / "promises.json"
    path.write_bytes(raw)
    assert sliced(raw) is None
    with pytest.raises(StoreCorrupt, match="invalid JSON"):
        load_file(path)


@pytest.mark.parametrize("records", [b'"1":{},\n"2":{},\n', b'"1":{},\n"2":{},\n"3":{},\n'])
def test_a_comma_after_a_tables_last_record_is_an_error_wherever_a_slice_ends(monkeypatch, records):
    monkeypatch.setattr(layout, "SLICE", 2)
    raw = b'{\n"_meta":{\n"1":{"schema":1}\n},\n"promises":{\n' + records + b"}\n}\n"
    assert whole(raw) == "refused"
    assert sliced(raw) is None


def test_atomic_write_writes_pieces_as_they_come(tmp_path):
    target = tmp_path / "promises.json"
    made = []

    def pieces():
        for piece in (b"{\n", b'"a":1', b"\n}\n"):
            made.append(piece)
            yield piece

    atomic_write(target, pieces())
    assert target.read_bytes() == b'{\n"a":1\n}\n' and len(made) == 3


def test_a_piece_that_cannot_be_made_leaves_the_old_file_and_no_temp_file(tmp_path):
    target = tmp_path / "promises.json"
    target.write_bytes(b"old")

    def pieces():
        yield b"new, half of it"
        raise TypeError("not serialisable")

    with pytest.raises(TypeError):
        atomic_write(target, pieces())
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir() if ".tmp-" in p.name] == []


def test_a_commit_writes_the_same_bytes_as_dumps(db_path):
    store = Store(db_path)
    with store.write("add") as tx:
        for number in range(2 * SLICE + 1):
            tx.insert(PROMISES, {"uuid": f"u{number}", "title": "t", "person": "p"})
    assert db_path.read_bytes() == dumps(load_file(db_path))
    # Pieces of at most SLICE records: 2 * SLICE + 1 promises come in three.
    records = [piece.count(b'"uuid"') for piece in dump_slices(load_file(db_path))]
    assert [count for count in records if count] == [SLICE, SLICE, 1]


# --- `load_file(open_only=True)`: `pk list` and `pk overdue` leave closed records unparsed ---


@pytest.mark.parametrize(
    ("line", "kept"),
    [
        (b'"1":{"title":"a","status":"done","done_at":null},\n', False),
        (b'"1":{"title":"a","status":"dropped"}\n', False),
        (b'"1":{"title":"a","status":"open"},\n', True),
        (b'"1":{"title":"a"},\n', True),  # no status: open
        (b'"1":{"status":"open","tags":["status"]},\n', True),
        # A title that spells a closed status is escaped text, not a key.
        (b'"1":{"title":"\\"status\\":\\"done\\"","status":"open"},\n', True),
        # Two of them: parse to be sure, whichever is the record's own.
        (b'"1":{"notes":[{"status":"done"}],"status":"open"},\n', True),
        (b'"1":{"status": "done"},\n', True),  # not as pk writes it: parsed
    ],
)
def test_only_a_surely_closed_record_is_left_unparsed(line, kept):
    assert layout.may_be_open(line) is kept


def open_part(data: dict) -> dict:
    """The tables as an open-only read must give them: every open promise, every other table."""
    if not isinstance(data.get(PROMISES), dict):
        return data
    table = data[PROMISES].items()
    return {**data, PROMISES: {k: v for k, v in table if v.get("status", "open") == "open"}}


def mixed(records: int) -> dict:
    statuses = ["open", "done", "dropped", "open", "done"]
    data = data_with(0)
    data[PROMISES] = {
        str(pid): {"t": pid, "status": statuses[pid % len(statuses)]}
        for pid in range(1, records + 1)
    }
    data["requests"] = {"1": {"status": "done", "r": [1, {}]}}  # another table: never skipped
    return data


@pytest.mark.parametrize("records", [1, 3, 5])
def test_the_open_only_reader_gives_the_open_promises_of_what_it_accepts(monkeypatch, records):
    """Every near miss of a good file is refused, or read with the open promises and the other
    tables that parsing it whole gives. A file the whole parse refuses is accepted only when
    the damage is inside a closed record it never parsed: then it reads as the good file did."""
    monkeypatch.setattr(layout, "SLICE", 2)
    data = mixed(records)
    raw = dumps(data)

    def open_only(raw: bytes) -> dict | None:
        found = read_by_records(io.BytesIO(raw), layout.may_be_open, light_loads)
        return None if found is None else open_part(found)

    assert unsealed(open_only(raw)) == open_part(data)
    accepted_damage = 0
    for variant in mutations(raw):
        result = open_only(variant)
        if result is None:
            continue
        reference = whole(variant)
        if reference == "refused":
            assert unsealed(result) == open_part(data), variant
            accepted_damage += 1
        else:
            assert result == open_part(reference), variant
    assert accepted_damage  # closed records' text really goes unchecked


def test_a_damaged_closed_record_still_lists_but_refuses_a_write(db_path):
    store = Store(db_path)
    with store.write("add") as tx:
        for number, status in enumerate(["done", "open"]):
            tx.add_promise(
                numbered(number, status=status, done_at=NOW if status == "done" else None)
            )
    raw = db_path.read_bytes()
    db_path.write_bytes(raw.replace(b'"title":"Promise 0"', b'"title":"Promise 0'))
    view = store.read(open_only=True)
    assert [p.title for p in view.promises("open")] == ["Promise 1"]
    for ask in (view.promises, view.archived, lambda: view.promise(1)):
        with pytest.raises(ValueError, match="only the open promises"):
            ask()  # closed ones may be missing: never answered silently without them
    with pytest.raises(StoreCorrupt, match="pk doctor"), store.write("add"):
        pass
    assert db_path.read_bytes() != raw  # and the damaged file was left as it was
