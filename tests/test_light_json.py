"""`lightjson.light_loads`, the standard-library parse `pk list` and `pk overdue` use instead
of orjson's (whose import costs them ~13 ms): for any bytes, the same value or refusal as orjson."""

from __future__ import annotations

import json
import math

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from promisekeeper.storage.lightjson import light_loads


def outcome(loads, raw: bytes):
    try:
        value = loads(raw)
    except ValueError:
        return "refused"
    # NaN never equals itself: compare its repr (neither parser should ever give one).
    return ("nan",) if isinstance(value, float) and math.isnan(value) else (type(value), value)


def same(raw: bytes) -> None:
    assert outcome(light_loads, raw) == outcome(orjson.loads, raw), raw


# Where the two parsers differ by default: each must come out as orjson's reading.
EDGES = [
    b'{"a":NaN}',
    b'{"a":Infinity}',
    b'{"a":-Infinity}',
    b'{"a":1e400}',
    b'{"a":-1e400}',
    b'{"a":1.5e308}',
    b'{"a":18446744073709551615}',
    b'{"a":18446744073709551616}',
    b'{"a":-9223372036854775808}',
    b'{"a":-9223372036854775809}',
    b'{"a":"\\ud800"}',  # a lone surrogate, escaped
    b'{"a":"\\udc00x"}',
    b'{"a":"\\ud83d\\ude00"}',  # a pair: fine
    b'{"a":"\xed\xa0\x80"}',  # a surrogate encoded in UTF-8
    b'{"a":"\xff"}',
    b'\xef\xbb\xbf{"a":1}',  # a byte-order mark
    b'{"a":"\x01"}',
    b'{"a":1,"a":2}',
    b'{"a":0123}',
    b'{"a":-0}',
    b'{"a":-0.0}',
    b'{"a":1} x',
    b'{"a":1}\n\t ',
    b'{"a":[1,]}',
    b"",
    b"[" * 2000 + b"]" * 2000,  # past json's recursion limit and orjson's depth
    b"[" * 900 + b"]" * 900,
    b'{"a":' * 1100 + b"1" + b"}" * 1100,
]


@pytest.mark.parametrize("raw", EDGES)
def test_the_light_parse_reads_the_edges_as_orjson_does(raw: bytes) -> None:
    same(raw)


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(JSON_VALUES, st.booleans())
def test_the_light_parse_gives_orjsons_value_for_any_json(value, ascii_only: bool) -> None:
    """Written by the standard library (orjson refuses integers beyond 64 bits), with and
    without \\u escapes for non-ASCII text."""
    raw = json.dumps(value, ensure_ascii=ascii_only).encode()
    same(raw)


@settings(max_examples=500, deadline=None)
@given(
    st.binary(min_size=1, max_size=60).map(lambda b: b),
    st.sampled_from(
        [b'{"title":"Send","tags":["q4"],"n":12,"x":1.5}', b'{"a":[true,false,null,"\\u00e9"]}']
    ),
    st.integers(min_value=0, max_value=60),
)
def test_the_light_parse_refuses_what_orjson_refuses(noise: bytes, base: bytes, at: int) -> None:
    """Near misses of a record: bytes spliced in, anywhere (NUL, invalid UTF-8, stray quotes,
    letters that spell NaN...)."""
    at = min(at, len(base))
    same(base[:at] + noise + base[at:])
    same(base[:at] + base[at + 1 :])
