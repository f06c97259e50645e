"""`patterns.events`: `decode_event` and `flatten`, the leaves every matcher reads."""

from __future__ import annotations

import collections
import enum

import pytest

from patterns import InvalidEventError
from patterns.events import BigNumber, Contexts, Leaf, decode_event, decode_json, flatten
from patterns.numbers import as_double

# --- decode_event --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "event", [b'{"a": 1}', bytearray(b'{"a": 1}'), memoryview(b'{"a": 1}'), '{"a": 1}'], ids=type
)
def test_decode_event_reads_bytes_and_text(event) -> None:
    assert decode_event(event) == {"a": 1}


def test_decode_event_returns_given_dict_itself() -> None:
    event = {"a": [1]}
    assert decode_event(event) is event


def test_decode_event_reads_integers_beyond_64_bits() -> None:
    # Valid JSON: AWS reads them; matching compares numbers as doubles, so the double is what counts.
    event = decode_event('{"a": 123456789012345678901234567890, "b": [-18446744073709551617]}')
    assert as_double(event["a"]) == float(123456789012345678901234567890)
    assert as_double(event["b"][0]) == float(-18446744073709551617)


@pytest.mark.parametrize(
    "text",
    ['{"a": NaN}', '{"a": Infinity}', '{"a": -Infinity}', '{"b": 123456789012345678901234567890, "a": NaN}'],
)
def test_decode_event_rejects_nan_and_infinity(text: str) -> None:
    with pytest.raises(InvalidEventError):
        decode_event(text)


@pytest.mark.parametrize(
    "event",
    [b'{"a": "\xff"}', b'{"a": "\xc3"}', b'{"b": 123456789012345678901234567890, "a": "\xed\xa0\x80"}'],
)
def test_decode_event_rejects_invalid_utf8(event: bytes) -> None:
    with pytest.raises(InvalidEventError):
        decode_event(event)


@pytest.mark.parametrize(
    ("text", "kind"),
    [("[1]", "array"), ('"x"', "string"), ("1", "number"), ("null", "null"), ("true", "boolean")],
)
def test_decode_event_rejects_non_object(text: str, kind: str) -> None:
    with pytest.raises(InvalidEventError) as info:
        decode_event(text)
    assert str(info.value) == f"Expected `object`, got `{kind}` - at `$`"


@pytest.mark.parametrize("text", ["", "{", '{"a": }', "{'a': 1}", '{"a": 1} x'])
def test_decode_event_rejects_non_json_with_offset(text: str) -> None:
    with pytest.raises(InvalidEventError) as info:
        decode_event(text)
    assert info.value.offset is None or 0 <= info.value.offset <= len(text)
    assert str(info.value).startswith("Event is not valid JSON")


@pytest.mark.parametrize("event", [None, 1, [], ("x",)], ids=repr)
def test_decode_event_rejects_other_types(event) -> None:
    with pytest.raises(InvalidEventError) as info:
        decode_event(event)
    assert str(info.value) == f"Expected `bytes`, `str` or `dict`, got `{type(event).__name__}` - at `$`"


def test_decode_event_errors_are_value_errors() -> None:
    with pytest.raises(ValueError):
        decode_event(b"[")


@pytest.mark.parametrize(
    ("text", "negative"),
    [("1e400", False), ("-1e400", True), ("9" * 1000, False), ("-" + "9" * 5000, True), ("1.5e99999", False)],
    ids=lambda v: str(v)[:12],
)
def test_decode_event_reads_numbers_no_double_holds_as_big_numbers(text: str, negative: bool) -> None:
    # Valid JSON that EventBridge accepts; its engine cannot compare such numbers.
    event = decode_event('{"a": [1, ' + text + "]}")
    assert event == {"a": [1, BigNumber(negative)]}


def test_decode_event_keeps_escaped_lone_surrogates() -> None:
    # Valid JSON that orjson refuses and Jackson (EventBridge) keeps, as a dict event keeps it.
    assert decode_event(b'{"a": "10.1.2.\\ud8003"}') == {"a": "10.1.2.\ud8003"}
    with pytest.raises(InvalidEventError):
        decode_event(b'{"a": "\xed\xa0\x80"}')  # the same surrogate as raw bytes is not UTF-8


def test_decode_event_reads_tiny_numbers_as_zero() -> None:
    assert decode_event('{"a": 1e-400, "b": 4.9e-324}') == {"a": 0.0, "b": 5e-324}


# --- flatten -------------------------------------------------------------------------------------


def test_flatten_leaves_in_document_order() -> None:
    event = {"detail": {"state": "x", "tags": [{"k": 1}, {"k": 2}]}, "n": None}
    flat = flatten(event)
    assert flat.leaves == [
        Leaf("detail.state", "x", 0),
        Leaf("detail.tags.k", 1, 1),
        Leaf("detail.tags.k", 2, 2),
        Leaf("n", None, 0),
    ]
    assert flat.contexts == Contexts([-1, 0, 0], [-1, 0, 0], ["", "detail.tags", "detail.tags"])


def test_flatten_nested_arrays_open_one_context_per_element_that_is_a_container() -> None:
    flat = flatten({"a": [[1, 2], [3]], "b": [4]})
    # Inner arrays are elements of array 0 (contexts 1 and 2); their scalars stay in them.
    assert flat.leaves == [Leaf("a", 1, 1), Leaf("a", 2, 1), Leaf("a", 3, 2), Leaf("b", 4, 0)]
    assert flat.contexts == Contexts([-1, 0, 0], [-1, 0, 0], ["", "a", "a"])


def test_flatten_scalar_elements_stay_in_their_arrays_context() -> None:
    # As event-ruler records array membership: only object and array elements open one.
    flat = flatten({"a": [{"b": "y"}, "x"]})
    assert flat.leaves == [Leaf("a.b", "y", 1), Leaf("a", "x", 0)]
    assert flat.contexts == Contexts([-1, 0], [-1, 0], ["", "a"])


def test_flatten_context_numbers_grow_downwards() -> None:
    flat = flatten({"a": [{"b": [{"c": 1}, {"c": 2}]}, {"b": [{"c": 3}]}], "d": [{"e": 4}]})
    parent = flat.contexts.parent
    assert all(parent[c] < c for c in range(1, len(parent)))
    assert [leaf.value for leaf in flat.leaves] == [1, 2, 3, 4]
    # c=1 and c=3 sit in elements of one inner array each; d's element is in a fourth array
    assert len(set(flat.contexts.array[1:])) == 4


def test_flatten_empty_arrays_and_objects_have_no_leaves() -> None:
    assert flatten({"a": [], "b": {}, "c": [[], {}]}).leaves == []


def test_flatten_dotted_keys_join_like_nesting() -> None:
    assert flatten({"a.b": 1}).leaves == flatten({"a": {"b": 1}}).leaves == [Leaf("a.b", 1, 0)]


def test_flatten_keeps_value_types() -> None:
    flat = flatten({"t": True, "f": False, "i": 1, "x": 1.5, "s": "1", "big": 10**30, "huge": -(10**400)})
    values = [leaf.value for leaf in flat.leaves]
    assert values == [True, False, 1, 1.5, "1", 10**30, BigNumber(negative=True)]
    assert [type(v) for v in values] == [bool, bool, int, float, str, int, BigNumber]


def test_flatten_rejects_a_container_inside_itself() -> None:
    event: dict = {"a": {"b": []}}
    event["a"]["b"].append(event["a"])
    with pytest.raises(InvalidEventError) as info:
        flatten(event)
    assert str(info.value) == "Expected a tree, got a `dict` that contains itself - at `$.a.b[0]`"


def test_flatten_accepts_a_container_shared_by_two_places() -> None:
    shared = {"k": 1}
    assert [leaf.value for leaf in flatten({"a": shared, "b": [shared]}).leaves] == [1, 1]


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), float("-inf")], ids=str)
def test_flatten_rejects_non_finite_floats(bad) -> None:
    with pytest.raises(InvalidEventError) as info:
        flatten({"a": [1, {"b": bad}]})
    assert str(info.value) == f"Expected a finite number, got `{bad}` - at `$.a[1].b`"


def test_flatten_reads_tuples_as_arrays() -> None:
    # orjson writes a tuple as a JSON array, and so does `compile` read one in a pattern.
    assert flatten({"a": ("x", "y")}) == flatten({"a": ["x", "y"]})


def test_flatten_rejects_non_string_keys() -> None:
    with pytest.raises(InvalidEventError) as info:
        flatten({"a": {1: "x"}})
    assert str(info.value) == "Expected `str` key, got `int` - at `$.a`"


@pytest.mark.parametrize("bad", [{1, 2}, b"x", object()], ids=lambda v: type(v).__name__)
def test_flatten_rejects_non_json_values(bad) -> None:
    with pytest.raises(InvalidEventError) as info:
        flatten({"a": bad})
    assert str(info.value) == f"Expected a JSON value, got `{type(bad).__name__}` - at `$.a`"


@pytest.mark.parametrize("bad", [[], "x", None, 1], ids=repr)
def test_flatten_rejects_non_dict_event(bad) -> None:
    with pytest.raises(InvalidEventError) as info:
        flatten(bad)
    assert str(info.value).startswith("Expected `object`, got ")


class _Color(enum.IntEnum):
    RED = 1


class _Str(str):
    pass


def test_flatten_subclasses_of_json_types_read_as_plain_values() -> None:
    event = {"o": collections.OrderedDict(k=_Str("v")), "e": _Color.RED}
    leaves = flatten(event).leaves
    assert [(leaf.path, leaf.value) for leaf in leaves] == [("o.k", "v"), ("e", 1)]
    assert [type(leaf.value) for leaf in leaves] == [str, int]


def test_flatten_deep_dict_event_walks_without_recursion() -> None:
    # 5,000 levels is far past Python's recursion limit: the walk must not recurse.
    event: dict = {}
    node = event
    for _ in range(5000):
        node["a"] = {}
        node = node["a"]
    node["x"] = 1
    (leaf,) = flatten(event).leaves
    assert leaf.path == ".".join(["a"] * 5000 + ["x"])
    assert leaf.value == 1


def test_decode_json_reads_any_value_as_decode_event_reads_events() -> None:
    assert decode_json(b'[1, "a"]') == [1, "a"]
    assert decode_json("3.5") == 3.5
    assert isinstance(decode_json("1e400"), BigNumber)  # orjson refuses it; the fallback keeps it
    assert decode_json('"\\ud800"') == "\ud800"  # a lone surrogate, as Jackson keeps it
    with pytest.raises(InvalidEventError, match="Event is not valid JSON"):
        decode_json(b"{")
    with pytest.raises(InvalidEventError, match="Event is not valid JSON"):
        decode_json(b"\xff")
