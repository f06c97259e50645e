"""Every road to a verdict gives the same verdict (issue 7), for every dialect and any input.

For one rule set and one input: `Pattern.matches` of each rule, `Machine.match` on the input as
given (bytes, str or a Python value), on its other spelling (str for bytes) and on its decoded
value all give the same answer, or all raise `InvalidEventError`, and nothing else escapes.
Inputs are anything a caller could pass: JSON text with numbers no double holds (``1e400``, 1,000
digits), invalid UTF-8, deep nesting, and Python values holding NaN, tuples, sets, bytes and
non-string keys.
"""

from __future__ import annotations

import contextlib
import json
import math

import pytest
from hypothesis import example, given, note
from hypothesis import strategies as st

import patterns
from fuzz._common import faithful_json
from patterns import InvalidEventError, InvalidPatternError

from ..strategies import EVENT_KEYS, EVENT_NUMBERS, STRINGS, patterns_for

# Every Machine and Pattern here runs on each matcher twin (tests/conftest.py: `twin`).
pytestmark = pytest.mark.usefixtures("twin")

DIALECT_NAMES = sorted(patterns.DIALECTS)


class Raw:
    """A number written as given in JSON text (``1e400``, a 1,000-digit integer, ``NaN``)."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return f"Raw({self.text[:20]!r}{'...' if len(self.text) > 20 else ''})"


RAW_NUMBERS = st.sampled_from(
    ["1e400", "-1e400", "1e-400", "4.9e-324", "2.5e-324", "1e309", "1" * 1000, "-" + "9" * 1000, "9" * 5000,
     "123456789012345678901234567890", "1E+2", "-0", "0.0", "NaN", "Infinity", "-Infinity"]
)  # fmt: skip

KEYS = st.sampled_from(EVENT_KEYS) | st.text(max_size=3)
SCALARS = st.one_of(
    st.sampled_from(STRINGS),
    st.sampled_from(EVENT_NUMBERS),
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=2**63, max_value=2**200),
    st.floats(),  # NaN and infinities included
    st.text(max_size=4),
)


def _deep(leaf, depth: int, kind: str):
    for _ in range(depth):
        leaf = [leaf] if kind == "list" else {"a": leaf}
    return leaf


def text_trees() -> st.SearchStrategy:
    """JSON-ish trees whose numbers may be `Raw` text."""
    return st.recursive(
        SCALARS.filter(lambda v: not (isinstance(v, float) and not math.isfinite(v))) | RAW_NUMBERS.map(Raw),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=3),
        max_leaves=10,
    )


def to_text(value) -> str:
    """JSON text of a tree from `text_trees` (Raw numbers written verbatim); iterative."""
    out: list[str] = []
    stack: list = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, str) and v.startswith("\x00TOKEN"):
            out.append(v[6:])
        elif isinstance(v, Raw):
            out.append(v.text)
        elif isinstance(v, dict):
            parts: list = ["\x00TOKEN{"]
            for i, (k, child) in enumerate(v.items()):
                if i:
                    parts.append("\x00TOKEN,")
                parts.extend(["\x00TOKEN" + json.dumps(k) + ":", child])
            parts.append("\x00TOKEN}")
            stack.extend(reversed(parts))
        elif isinstance(v, list):
            parts = ["\x00TOKEN["]
            for i, child in enumerate(v):
                if i:
                    parts.append("\x00TOKEN,")
                parts.append(child)
            parts.append("\x00TOKEN]")
            stack.extend(reversed(parts))
        else:
            out.append(json.dumps(v))
    return "".join(out)


@st.composite
def wire_inputs(draw):
    """Event bytes or text: JSON with odd numbers, deep nesting, corrupted bytes."""
    tree = draw(text_trees())
    if draw(st.integers(0, 5)) == 0:
        tree = {
            draw(st.sampled_from(EVENT_KEYS)): _deep(
                tree, draw(st.integers(1, 1200)), draw(st.sampled_from(["list", "obj"]))
            )
        }
    elif draw(st.booleans()):
        tree = {"a": tree, **({"b": tree} if draw(st.booleans()) else {})}
    text = to_text(tree)
    data = text.encode("utf-8", "surrogatepass")
    if draw(st.integers(0, 6)) == 0 and data:
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.sampled_from([b"\xff", b"\xc3", b"\xed\xa0\x80", b"\x00"])) + data[at:]
        return data  # bytes only: the text may no longer decode
    if draw(st.integers(0, 7)) == 0:
        return draw(st.binary(max_size=40))
    return data if draw(st.booleans()) else data.decode("utf-8", "surrogatepass")


ODD = st.one_of(
    st.just(float("nan")),
    st.just(float("inf")),
    st.builds(tuple, st.lists(SCALARS, max_size=2)),
    st.frozensets(st.sampled_from(STRINGS), max_size=2).map(set),
    st.binary(max_size=3),
    st.just(object()),
)


def python_values() -> st.SearchStrategy:
    """Python values a caller may pass: dicts of JSON and of things JSON cannot hold."""
    keys = KEYS | st.integers(-2, 2) | st.none() | st.tuples(st.integers(0, 1))
    leaves = SCALARS | ODD
    tree = st.recursive(
        leaves,
        lambda inner: (
            st.lists(inner, max_size=3) | st.tuples(inner, inner) | st.dictionaries(keys, inner, max_size=3)
        ),
        max_leaves=10,
    )
    deep = st.builds(_deep, tree, st.integers(1, 1500), st.sampled_from(["list", "obj"])).map(
        lambda v: {"a": v}
    )
    attributes = st.dictionaries(
        st.sampled_from(["a", "b", "c"]),
        st.fixed_dictionaries(
            {"DataType": st.sampled_from(["String", "Number", "String.Array", "Binary", "Number.x", "Bad"])},
            optional={
                "StringValue": st.sampled_from(["1", "x", "1e400", "9" * 5000, '[1, "a"]', "[", "NaN"])
                | st.text(max_size=4)
            },
        ),
        max_size=3,
    )
    return st.dictionaries(KEYS, tree, max_size=4) | deep | tree | attributes


def _answer(fn):
    try:
        return fn()
    except InvalidEventError:
        return InvalidEventError
    # Anything else escapes and fails the test: only InvalidEventError may.


@st.composite
def rule_sets(draw, dialect: str) -> dict[str, patterns.Pattern]:
    rules: dict[str, patterns.Pattern] = {}
    for i, candidate in enumerate(draw(st.lists(patterns_for(dialect), min_size=1, max_size=4))):
        try:
            rules[f"r{i}"] = patterns.compile(candidate, dialect=dialect)
        except InvalidPatternError:
            continue
    return rules


def check(dialect: str, rules: dict[str, patterns.Pattern], roads: dict[str, object]) -> None:
    machine = patterns.Machine(dialect)
    for name, p in rules.items():
        machine.add(name, p)
    answers = {}
    for road, event in roads.items():
        verdicts = {name: _answer(lambda p=p, e=event: p.matches(e)) for name, p in rules.items()}
        if rules and InvalidEventError in verdicts.values():
            assert set(verdicts.values()) == {InvalidEventError}, (road, verdicts)
            expected = InvalidEventError
        else:
            expected = [name for name in rules if verdicts[name]] if rules else None
        got = _answer(lambda e=event: machine.match(e))
        note(f"{road}: Pattern.matches -> {verdicts}, Machine.match -> {got}")
        if expected is not None:
            assert got == expected, (road, got, expected)
        answers[road] = got
    assert len(set(map(repr, answers.values()))) == 1, answers


#: A MessageAttributes map is never JSON text (Publish takes it as a structure): for that
#: dialect bytes and str are refused, which `test_attributes_never_come_as_text` pins.
WIRE_DIALECTS = [d for d in DIALECT_NAMES if d != "sns-attributes"]


def test_attributes_never_come_as_text() -> None:
    p = patterns.compile({"a": [{"exists": True}]}, dialect="sns-attributes")
    for wire in ('{"a": {"DataType": "String", "StringValue": "x"}}', b"{}"):
        with pytest.raises(InvalidEventError):
            p.matches(wire)
        with pytest.raises(InvalidEventError):
            patterns.Machine("sns-attributes").match(wire)


@pytest.mark.parametrize("dialect", WIRE_DIALECTS)
@given(data=st.data())
@example(data=None)
def test_roads_agree_on_wire_input(dialect: str, data) -> None:
    if data is None:  # the reproducer, in every dialect that reads JSON text
        rules = {"r": patterns.compile({"a": ["x"], "a.b": ["y"]}, dialect=dialect)}
        wire = b'{"a": [{"b": "y"}, "x"]}'
    else:
        rules = data.draw(rule_sets(dialect), label="rules")
        wire = data.draw(wire_inputs(), label="input")
    roads: dict[str, object] = {"given": wire}
    if isinstance(wire, bytes):
        with contextlib.suppress(UnicodeDecodeError):
            roads["text"] = wire.decode("utf-8")
    decoded = faithful_json(wire)
    if decoded is not None:
        roads["decoded"] = decoded[0]
    check(dialect, rules, roads)


@pytest.mark.parametrize("dialect", DIALECT_NAMES)
@given(data=st.data())
def test_roads_agree_on_python_values(dialect: str, data) -> None:
    rules = data.draw(rule_sets(dialect), label="rules")
    value = data.draw(python_values(), label="value")
    check(dialect, rules, {"given": value})
