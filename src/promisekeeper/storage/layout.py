"""The store file's layout: how records are written (`dumps`) and read back (`load_file`), and
the checks that tell a store from anything else. It knows tables and records, never promises.

orjson writes, and reads whatever a write needs whole: on 10,000 promises the standard library
spends ~8x longer serialising and ~3x longer parsing. But `import orjson` itself loads
`dataclasses`, `inspect`, `uuid`, `platform` and `json` (~13 ms, about a third of `pk list`), so
the reads of the open promises alone (`pk list`, `pk overdue`) parse with the standard library's
`json` (~1 ms to import) and give exactly orjson's result (`light_loads`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from itertools import islice
from pathlib import Path
from typing import Any, BinaryIO

from ..errors import StoreCorrupt, StoreError
from .files import META, PROMISES, TABLES

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
        "1":{"schema":1,"generation":7,"next_id":{"promises":3}}
        },
        "promises":{
        "1":{"uuid":"...","title":"..."},
        "2":{"uuid":"...","title":"..."}
        }
        }

    The same JSON to any reader (TinyDB, jq, an older pk) as one compact line; the line breaks
    only let `load_file` parse it a slice at a time. orjson because `pk add` rewrites the whole
    store: on 10,000 promises the standard library spends ~8x longer serialising (bench/)."""
    return b"".join(dump_slices(data))


def dump_slices(data: dict[str, Any]) -> Iterator[bytes]:
    """`dumps` in pieces of up to SLICE records, made as they are written: a commit never holds
    the whole file's bytes (2 MB at 50,000 promises, twice over while they were joined)."""
    orjson_dumps = _orjson().dumps
    if not all(isinstance(table, dict) for table in data.values()):
        yield orjson_dumps(data)  # not a store's shape: one line, which load_file reads whole
        return
    yield b"{"
    for number, (name, table) in enumerate(data.items()):
        yield b"%s\n%s:{" % (b"," if number else b"", _json_key(name))
        items, first = iter(table.items()), True
        while piece := [
            b"%s:%s" % (_json_key(k), orjson_dumps(v)) for k, v in islice(items, SLICE)
        ]:
            yield (b"\n" if first else b",\n") + b",\n".join(piece)
            first = False
        yield b"\n}"
    yield b"\n}\n"


def _json_key(key: str) -> bytes:
    if type(key) is not str:  # what orjson.dumps of the whole store would refuse too
        raise TypeError(f"a store key must be text, not {type(key).__name__}")
    return _orjson().dumps(key)


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

    `open_only` is for views of the open promises (`pk list`, `pk overdue`): a promise record
    that is surely closed (`may_be_open`) is left out unparsed. Most of the hot file is recent
    history (2,400 of 3,400 records at 50,000 promises), and parsing it was most of their read.
    Its text is then not checked as JSON: a write always reads everything, and refuses a file
    it does not wholly understand before changing anything.

    A file in `dumps`' layout is parsed a slice of records at a time: at 50,000 promises
    (~3,000 records, 2 MB) reading it whole held the bytes and orjson's parse of all of them
    beside the result, ~6 MB of peak memory more than the records themselves. Any other file
    (written by hand, by an older pk or by `pk doctor`) is read whole, as before.

    The open promises alone are few, so their slices are parsed by `light_loads`: the same
    result without importing orjson."""
    try:
        with path.open("rb") as handle:
            if open_only:
                data = read_by_records(handle, may_be_open, light_loads)
            else:
                data = read_by_records(handle, None, _orjson().loads)
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
        orjson = _orjson()
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
        loads = _orjson().loads
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


def _orjson() -> Any:
    import orjson  # writes and whole reads only: see the module's docstring

    return orjson


class _Doubt(Exception):
    """Raised inside `light_loads` where the standard library might not read as orjson does."""


def _doubt(text: str) -> Any:
    raise _Doubt(text)


def _int(text: str) -> int:
    value = int(text)
    if -(2**63) <= value < 2**64:
        return value
    raise _Doubt(text)  # orjson reads such an integer as a float


def _float(text: str) -> float:
    value = float(text)
    if value - value == 0:  # finite: orjson refuses a number out of a float's range
        return value
    raise _Doubt(text)


_decoder: Any = None


def light_loads(raw: bytes) -> Any:
    """What `orjson.loads(raw)` gives (or a ValueError where it raises one), parsed by the
    standard library's `json`. The two read the same text of JSON alike; where they could part
    (any `\\u` escape, which may be a lone surrogate orjson refuses; NaN or Infinity, numbers
    beyond 64 bits or out of a float's range; nesting deep enough for a RecursionError), orjson
    is asked. The UTF-8 check is the codec's strict one, which refuses encoded surrogates as
    orjson does (`json.loads` of bytes would let them through)."""
    global _decoder
    if b"\\u" in raw:
        return _orjson().loads(raw)
    text = raw.decode()  # a UnicodeDecodeError is a ValueError, as orjson's error is
    if _decoder is None:
        import json

        _decoder = json.JSONDecoder(parse_int=_int, parse_float=_float, parse_constant=_doubt)
    try:
        return _decoder.decode(text)
    except (_Doubt, RecursionError):
        return _orjson().loads(raw)
