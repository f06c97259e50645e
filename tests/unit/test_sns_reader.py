"""The compiled readers of SNS inputs give the reference's answers and errors, on any input:
`_match_c.attributes_to_event` (MessageAttributes maps) and `_match_c.body_to_event` (message
bodies) against `patterns.sns`' own."""

from __future__ import annotations

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from patterns import InvalidEventError
from patterns.sns import attributes_to_event, body_to_event

from ..conftest import twin_module


class _Text(str):
    pass


class _Map(dict):
    pass


_NUMBER_TEXTS = st.one_of(
    st.from_regex(r"[+-]?([0-9]{1,25}\.?[0-9]{0,25}|\.[0-9]{1,10})([eE][+-]?[0-9]{1,4})?", fullmatch=True),
    st.sampled_from(["", "abc", "NaN", "Infinity", " 1", "1 ", "1_000", "0x10", "1e", ".", "+", "-.5", "5.", "1e400",
                     "-1e400", "١٢", "9" * 311, "9" * 320 + ".5", "1e-400"]),
)  # fmt: skip
_ARRAY_TEXTS = st.one_of(
    st.lists(st.one_of(st.text(max_size=4), st.integers(-(2**63), 2**64 - 1), st.floats(allow_nan=False, allow_infinity=False),
                       st.booleans(), st.none()), max_size=4).map(lambda v: orjson.dumps(v).decode()),
    st.sampled_from(["['a']", "100", '"x"', "null", "{}", '{"a": 1.123456}', "[[1.5]]", "", "[", "[1, 2,]"]),
)  # fmt: skip
_ENTRIES = st.one_of(
    st.builds(lambda t: {"DataType": "String", "StringValue": t}, st.text(max_size=5)),
    st.builds(lambda t: {"DataType": "Number", "StringValue": t}, _NUMBER_TEXTS),
    st.builds(lambda t: {"DataType": "String.Array", "StringValue": t}, _ARRAY_TEXTS),
    st.builds(lambda: {"DataType": "Binary", "BinaryValue": b"\x00"}),
    st.builds(lambda d, t: {"DataType": d, "StringValue": t},
              st.sampled_from(["Number.float", "String.x", "Binary.y", "Text", "", "string", _Text("String")]),
              st.one_of(_NUMBER_TEXTS, st.text(max_size=3))),
    st.builds(lambda t: {"DataType": "String", "StringValue": _Text(t)}, st.text(max_size=3)),
    st.sampled_from([{"StringValue": "x"}, {"DataType": 5, "StringValue": "x"}, {"DataType": "String"},
                     {"DataType": "Number", "StringValue": 5}, "x", None, _Map(DataType="String", StringValue="y")]),
)  # fmt: skip


def _outcome(read, attributes):
    try:
        return ("event", repr(read(attributes)))  # repr: 1 and 1.0 differ, and so does order
    except InvalidEventError as exc:
        return ("error", str(exc))


@given(
    items=st.lists(
        st.tuples(st.one_of(st.text(max_size=3), st.just(7), st.just(_Text("t"))), _ENTRIES), max_size=6
    ),
    as_subclass=st.booleans(),
)
def test_compiled_attributes_reader_gives_the_reference_answers(items, as_subclass):
    compiled = twin_module("cython").attributes_to_event
    attributes = (_Map if as_subclass else dict)(items)
    assert _outcome(compiled, attributes) == _outcome(attributes_to_event, attributes)


@pytest.mark.parametrize("value", [None, [], "x", b"{}", 3])
def test_compiled_attributes_reader_refuses_what_the_reference_refuses(value):
    compiled = twin_module("cython").attributes_to_event
    assert _outcome(compiled, value) == _outcome(attributes_to_event, value)
    assert _outcome(compiled, value)[0] == "error"


_JSON_VALUES = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(2**63), 2**64 - 1),
        st.floats(allow_nan=False, allow_infinity=False),
        st.text(max_size=4),
    ),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=3), inner, max_size=4),
    max_leaves=20,
)
_BODY_TEXTS = st.one_of(
    st.dictionaries(st.text(max_size=3), _JSON_VALUES, max_size=5).map(lambda v: orjson.dumps(v).decode()),
    _JSON_VALUES.map(lambda v: orjson.dumps(v).decode()),
    st.sampled_from(['{"a": 1e400, "b": [1.123456789, -2e-7]}', '{"a": 123456789012345678901234567890.5}',
                     '{"a": "\\ud800", "b": 0.000005}', '{"a": 1, "a": 2.5}', "[1.5]", '"x"', "plain text", "",
                     "{", '{"a": NaN}', "\ufeff{}", '{"a": [[[0.1234567]]]}']),
)  # fmt: skip


@given(text=_BODY_TEXTS, given_as=st.sampled_from(["str", "bytes", "bytearray", "memoryview", "dict"]))
def test_compiled_body_reader_gives_the_reference_answers(text, given_as):
    compiled = twin_module("cython").body_to_event
    if given_as == "dict":
        try:
            body = orjson.loads(text)
        except orjson.JSONDecodeError:
            return
    else:
        raw = text.encode("utf-8", "surrogatepass")
        body = {"str": text, "bytes": raw, "bytearray": bytearray(raw), "memoryview": memoryview(raw)}[
            given_as
        ]
    assert _outcome(compiled, body) == _outcome(body_to_event, body)


@pytest.mark.parametrize("value", [None, 3, 2.5, [1.5], b"\xff", object(), {"a": float("nan")}, {"a": (1,)}])
def test_compiled_body_reader_refuses_what_the_reference_refuses(value):
    compiled = twin_module("cython").body_to_event
    assert _outcome(compiled, value) == _outcome(body_to_event, value)
