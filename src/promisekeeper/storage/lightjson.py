"""orjson's reading of JSON, by the standard library's parser: for the reads that must not pay
for `import orjson` (it loads dataclasses, inspect, uuid, platform and json: ~13 ms, a third of
`pk list`). `tests/test_light_json.py` holds the two to the same values and refusals."""

from __future__ import annotations

from typing import Any


def orjson_module() -> Any:
    """orjson, imported on first use: only writes, whole reads and the texts the two parsers
    could read differently need it."""
    import orjson

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
        return orjson_module().loads(raw)
    text = raw.decode()  # a UnicodeDecodeError is a ValueError, as orjson's error is
    if _decoder is None:
        import json

        _decoder = json.JSONDecoder(parse_int=_int, parse_float=_float, parse_constant=_doubt)
    try:
        return _decoder.decode(text)
    except (_Doubt, RecursionError):
        return orjson_module().loads(raw)
