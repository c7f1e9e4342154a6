"""The store file's layout: how records are written (`dumps`) and read back (`load_file`), and
the checks that tell a store from anything else. It knows tables and records, never promises.

orjson writes, and reads whatever a write needs whole: on 10,000 promises the standard library
spends ~8x longer serialising and ~3x longer parsing. But `import orjson` itself loads
`dataclasses`, `inspect`, `uuid`, `platform` and `json` (~13 ms, about a third of `pk list`), so
the reads of the open promises alone (`pk list`, `pk overdue`) parse with the standard library's
`json` (~1 ms to import) and give exactly orjson's result (`lightjson.light_loads`).
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterator
from io import BytesIO
from itertools import islice
from pathlib import Path
from typing import Any, BinaryIO

from ..errors import StoreCorrupt, StoreError
from .block import (
    OLD_SEAL,
    SEAL,
    ClosedBlock,
    block_keys,
    read_sealed,
)
from .files import META, PROMISES, TABLES
from .lightjson import light_loads, orjson_module

SCHEMA_VERSION = 1


def empty_data() -> dict[str, Any]:
    return {
        META: {"1": {"schema": SCHEMA_VERSION, "generation": 0, "next_id": {}}},
        **{name: {} for name in TABLES},
    }


# Records per piece written and per orjson call reading: small enough that a piece costs little
# memory, large enough that the calls cost no more time than one call over the whole file.
SLICE = 128


def dumps(data: dict[str, Any]) -> bytes:
    """UTF-8 JSON, compact inside a record, one record a line (see `load_file`)::

        {
        "_meta":{
        "1":{"schema":1,"generation":7,"next_id":{"promises":3},"closed_block":[...]}
        },
        "promises":{
        "2":{"uuid":"...","title":"...","status":"open"},
        "1":{"uuid":"...","title":"...","status":"done"}
        }
        }

    The same JSON to any reader (TinyDB, jq, an older pk) as one compact line; the line breaks
    only let `load_file` parse it a slice at a time. orjson because `pk add` rewrites the whole
    store: on 10,000 promises the standard library spends ~8x longer serialising (bench/)."""
    return b"".join(dump_slices(data))


def dump_slices(data: dict[str, Any], block: ClosedBlock | None = None) -> Iterator[bytes]:
    """`dumps` in pieces of up to SLICE records, made as they are written: a commit never holds
    the whole file's bytes joined (2 MB at 50,000 promises, twice over while they were).

    The promises table ends with its *closed block*: every surely-closed promise line
    (`may_be_open`), one run of bytes, located and sealed in `_meta` (`SEAL`). At 50,000
    promises that is 2,400 of 3,400 lines, 80% of the file: a read of the open promises
    (`pk list`) parses only what comes before it, and a write (`load_for_write`) carries it
    as bytes, checked by one crc32. The seal also holds the block's horizon, the earliest
    time a line in it may move to the archive, so that a write need not look through the block
    for promises to archive before then. `block` is what a write carried: its lines are
    written back as they were read, the block's own bytes and crc reused when none was taken
    out, and promises closed since follow them."""
    orjson_dumps = orjson_module().dumps
    if not all(isinstance(table, dict) for table in data.values()):
        yield orjson_dumps(data)  # not a store's shape: one line, which load_file reads whole
        return
    if block is not None and PROMISES not in data:
        raise ValueError("a closed block without a promises table")
    head, closed, seal = _promise_lines(data.get(PROMISES, {}), block)
    yield b"{"
    for number, (name, table) in enumerate(data.items()):
        yield b"%s\n%s:{" % (b"," if number else b"", _json_key(name))
        if name == PROMISES:
            lines: Iterator[bytes] = iter(head)
        else:
            if name == META:
                table = _with_seal(table, seal)
            lines = (b"%s:%s" % (_json_key(k), orjson_dumps(v)) for k, v in table.items())
        first = True
        while piece := list(islice(lines, SLICE)):
            yield (b"\n" if first else b",\n") + b",\n".join(piece)
            first = False
        if name == PROMISES and closed:
            yield b"\n" if first else b",\n"
            yield from closed
        yield b"\n}"
    yield b"\n}\n"


def _promise_lines(
    table: dict[str, Any], block: ClosedBlock | None
) -> tuple[list[bytes], list[bytes], list[Any]]:
    """The promises table's lines (`"id":{...}`, no separators): the head (every line that
    may be open), the closed block in pieces, and the block's seal."""
    from .archive import archivable_from  # writers only: it loads orjson, as a write does

    orjson_dumps = orjson_module().dumps
    horizon = block.horizon if block is not None else None  # of the lines carried unparsed
    head: list[bytes] = []
    fresh: list[bytes] = []  # closed lines that join the block at its end
    changed: set[str] = set()  # carried lines whose record was parsed and changed in place
    for key, record in table.items():
        line = b"%s:%s" % (_json_key(key), orjson_dumps(record))
        if block is not None and key in block:
            if block.line(key) == line:  # parsed for a look, unchanged: it stays in its place
                horizon = _earlier(horizon, archivable_from(record))
                continue
            changed.add(key)
        if may_be_open(line):
            head.append(line)
        else:
            fresh.append(line)
            horizon = _earlier(horizon, archivable_from(record))
    tail = b",\n".join(fresh)
    if block is not None and not changed and not block.taken:
        closed = [block.raw]  # as read: neither split nor checked again
        crc = block.crc
        if fresh:
            joint = b",\n" + tail if block.raw else tail
            closed.append(joint)
            crc = zlib.crc32(joint, crc)
        count = block.count + len(fresh)
    else:
        kept = [line for key, line in block.remaining() if key not in changed] if block else []
        closed = [b",\n".join([*kept, *fresh])]
        crc = zlib.crc32(closed[0])
        count = len(kept) + len(fresh)
    size = sum(len(piece) for piece in closed)
    before = sum(len(line) + 2 for line in head) - (0 if size else 2) if head else 0
    return head, closed if size else [], [before, size, count, crc, horizon]


def _earlier(one: str | None, other: str | None) -> str | None:
    """The earlier of two horizons, None being never."""
    return other if one is None else one if other is None else min(one, other)


def _with_seal(meta: dict[str, Any], seal: list[Any]) -> dict[str, Any]:
    record = meta.get("1")
    if not isinstance(record, dict):
        return meta
    record = {key: value for key, value in record.items() if key != OLD_SEAL}
    return {**meta, "1": {**record, SEAL: seal}}


def _json_key(key: str) -> bytes:
    if type(key) is not str:  # what orjson.dumps of the whole store would refuse too
        raise TypeError(f"a store key must be text, not {type(key).__name__}")
    if key.isdigit() and key.isascii():  # every id: nothing to escape
        return b'"%s"' % key.encode()
    return orjson_module().dumps(key)


def corrupt(path: Path, reason: str) -> StoreCorrupt:
    return StoreCorrupt(
        f"{path} is not a valid promisekeeper store ({reason}); it was left untouched: "
        f"run `pk doctor` to inspect it"
    )


def validate(data: Any, path: Path) -> dict[str, Any]:
    """Check the shape of a loaded file; raise StoreCorrupt (never repair) when it is off."""
    if not isinstance(data, dict):
        raise corrupt(path, f"top level is {type(data).__name__}, not an object")
    meta_table = data.get(META)
    if not isinstance(meta_table, dict) or not isinstance(meta_table.get("1"), dict):
        raise corrupt(path, "no _meta record")
    meta = meta_table["1"]
    schema = meta.get("schema")
    if not isinstance(schema, int):
        raise corrupt(path, "no schema version")
    if schema > SCHEMA_VERSION:
        raise StoreCorrupt(
            f"{path} was written by a newer pk (schema {schema}, this pk reads {SCHEMA_VERSION}); "
            f"upgrade pk — the file was left untouched"
        )
    if not isinstance(meta.get("generation", 0), int) or not isinstance(
        meta.get("next_id", {}), dict
    ):
        raise corrupt(path, "malformed _meta record")
    for name in TABLES:
        table = data.setdefault(name, {})
        if not isinstance(table, dict):
            raise corrupt(path, f"table {name!r} is {type(table).__name__}, not an object")
        for key, record in table.items():
            if not key.isdigit() or int(key) <= 0:
                raise corrupt(path, f"table {name!r} has a non-integer id {key!r}")
            if not isinstance(record, dict):
                raise corrupt(path, f"{name} record {key} is not an object")
    return data


def load_file(path: Path, *, open_only: bool = False) -> dict[str, Any]:
    """Read and validate the store; a missing file is an empty store.

    `open_only` is for views of the open promises (`pk list`, `pk overdue`): the closed block
    (`dump_slices`) is checked by its crc32 and left out unparsed. Most of the hot file is
    recent history (2,400 of 3,400 records at 50,000 promises), and parsing it was most of
    their read. In a file without a seal that holds, a promise record that is surely closed
    (`may_be_open`) is left out unparsed and its text unchecked: a write always reads
    everything, and refuses a file it does not wholly understand before changing anything.

    Otherwise a file in `dumps`' layout is parsed a slice of records at a time: at 50,000
    promises (~3,000 records, 2 MB) reading it whole held the bytes and orjson's parse of all
    of them beside the result, ~6 MB of peak memory more than the records themselves. Any
    other file (written by hand, by an older pk or by `pk doctor`) is read whole, as before.

    The open promises alone are few, so they are parsed by `light_loads`: the same result
    without importing orjson."""
    try:
        with path.open("rb") as handle:
            if open_only:
                raw = handle.read()
                found = read_sealed(raw, light_loads)
                if found is not None:
                    return validate(found[0], path)
                data = read_by_records(BytesIO(raw), may_be_open, light_loads)
            else:
                data = read_by_records(handle, None, orjson_module().loads)
                if data is None:
                    handle.seek(0)
                    raw = handle.read()
    except FileNotFoundError:
        return empty_data()
    except IsADirectoryError as exc:
        raise StoreError(f"{path} is a directory, not a store file (use --db FILE)") from exc
    except PermissionError as exc:
        raise StoreError(f"cannot read {path}: permission denied") from exc
    except OSError as exc:
        raise StoreError(f"cannot read {path}: {exc.strerror or exc}") from exc
    if data is None:
        orjson = orjson_module()
        try:
            data = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:  # a json.JSONDecodeError too, with .msg
            raise corrupt(path, load_problem(raw, exc.msg)) from exc
        del raw
    return validate(data, path)


def read_by_records(
    handle: BinaryIO,
    keep: Callable[[bytes], bool] | None = None,
    loads: Callable[[bytes], Any] | None = None,
) -> dict[str, Any] | None:
    """The store, when the file is exactly in `dumps`' layout; None for any other file (the
    caller then reads it whole, which also names what is wrong with a broken one).

    Accepts only what parsing the whole file would accept, with the same result: every record
    line but a table's last ends with the comma continuing it, and each slice of a table's
    records is parsed by `loads` (orjson's, or one that gives its result) as one object,
    `{` + lines + `}`, so their text is checked as JSON. A promise line that `keep` refuses is
    left out, and its text goes unchecked."""
    if handle.readline() != b"{\n":
        return None
    if loads is None:
        loads = orjson_module().loads
    data: dict[str, Any] = {}
    table: dict[str, Any] | None = None
    more_tables = True  # after `{` or a table's `},`; False after the last table's `}`
    filtered = False  # whether `keep` applies to the current table
    comma: bool | None = None  # whether the table's last record line ended with a comma
    lines: list[bytes] = []  # record lines waiting to be parsed, each with its comma
    try:
        for line in handle:
            if table is not None and line[:1] == b'"':  # a record
                if comma is False:  # two records without a comma between them
                    return None
                comma = line.endswith(b",\n")
                if filtered and not keep(line):  # type: ignore[misc]
                    continue
                lines.append(line)
                if len(lines) == SLICE:
                    table.update(_parse_slice(lines, loads))
                    lines = []
            elif table is not None and line in (b"}\n", b"},\n"):  # the table's end
                if comma:  # a comma before the `}`
                    return None
                if lines:
                    table.update(_parse_slice(lines, loads))
                    lines = []
                table, more_tables = None, line == b"},\n"
            elif table is None and more_tables and line.endswith(b":{\n"):  # a table's start
                name = loads(line[:-3])
                if not isinstance(name, str) or name in data:
                    return None
                table = data[name] = {}
                filtered, comma = keep is not None and name == PROMISES, None
            elif table is None and not more_tables and line == b"}\n":  # the file's end
                return data if not handle.read(1) else None
            else:
                return None
    except ValueError:  # orjson's and json's JSONDecodeError, a UnicodeDecodeError
        return None
    return None  # the file ended early


def load_for_write(path: Path) -> tuple[dict[str, Any], ClosedBlock | None]:
    """The store for a change: (data, block). Like `load_file`, but the closed block
    (`dump_slices`) is carried as read, unparsed, when the seal in `_meta` vouches that it is,
    byte for byte, what pk wrote and checked then: at 50,000 promises it is 80% of the file,
    and parsing it, line by line or whole, was most of a write. Without a seal that holds (an
    older pk, a hand edit, a damaged line) the file is read whole, as `load_file` does: every
    record parsed and checked, a damaged file refused. The Transaction parses a carried line
    when one is asked for."""
    try:
        raw = path.read_bytes()
    except OSError:
        raw = b""  # `load_file` says what is wrong
    found = read_sealed(raw, orjson_module().loads)
    if found is None:
        return load_file(path), None
    data, block_raw, (_, _, count, crc, horizon) = found
    table = data.get(PROMISES)
    keys = [key.decode() for key in block_keys(block_raw)]
    if len(keys) != count or not isinstance(table, dict) or not table.keys().isdisjoint(keys):
        return load_file(path), None  # a key twice: the whole parse decides which one counts
    block = ClosedBlock(block_raw, crc, keys, horizon)
    if len(block.keys) != count:  # an id twice in the block
        return load_file(path), None
    return validate(data, path), block


def _parse_slice(lines: list[bytes], loads: Callable[[bytes], Any]) -> dict[str, Any]:
    """Record lines as one object. Every line but the last ends with its comma (the caller
    checks it), which is what separates them; the last one's, if any, goes."""
    if lines[-1].endswith(b",\n"):
        lines[-1] = lines[-1][:-2]
    return loads(b"{%s}" % b"".join(lines))  # braces around it: an object, or an error


def may_be_open(line: bytes) -> bool:
    """False only for a promise record line that is surely closed: the one `"status"` in it is
    the key of `:"done"` or `:"dropped"`. pk writes every promise with its status, compact, and
    nests no other; a second `"status"` (a tag, a title) or another spelling means: parse it.
    (Only a hand-made record that leaves its status out, so open, and nests a closed status
    somewhere else would be missed.)"""
    at = line.find(b'"status"')
    if at < 0 or line.find(b'"status"', at + 8) >= 0:
        return True
    return not line.startswith((b':"done"', b':"dropped"'), at + 8)


def load_problem(raw: bytes, msg: str) -> str:
    """Why bytes that orjson refused are not a store. Worked out only after the refusal: a
    decoded copy of a good file, kept alive beside its bytes during the parse, was the largest
    avoidable part of a read's peak memory (2 MB of the ~18 MB a 3,000-record file takes)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return "not UTF-8 text"
    return "the file is empty" if not text.strip() else f"invalid JSON: {msg}"
