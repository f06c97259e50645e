"""One answer whatever the road: bytes or dict events, fast or lark pattern decoding (issue 7).

A verdict must not depend on how the input arrived: an event as JSON bytes, as text or as a
decoded dict; a pattern decoded by orjson (the fast road) or walked by lark because an
unrelated duplicate key forces the source road.
"""

from __future__ import annotations

import math

import orjson
import pytest

import patterns
from patterns import InvalidEventError, InvalidPatternError

# Every Machine and Pattern here runs on each matcher twin (tests/conftest.py: `twin`).
pytestmark = pytest.mark.usefixtures("twin")

# --- Events: bytes, text and dict, on the Machine and on Pattern.matches -------------------------


def test_roads_scalar_array_element_has_no_element_index() -> None:
    # event-ruler gives a scalar array element no element index, so "x" (element 1) and
    # {"b": "y"} (element 0) can satisfy one rule together: the decided answer is ['r'].
    pattern = {"a": ["x"], "a.b": ["y"]}
    event = {"a": [{"b": "y"}, "x"]}
    m = patterns.Machine()
    m.add("r", pattern)
    assert m.match(orjson.dumps(event)) == ["r"]
    assert m.match(orjson.dumps(event).decode()) == ["r"]
    assert m.match(event) == ["r"]
    assert patterns.compile(pattern).matches(event) is True
    assert patterns.compile(pattern).matches(orjson.dumps(event)) is True


def _outcome(fn):
    try:
        return fn()
    except InvalidEventError:
        return InvalidEventError


@pytest.mark.parametrize(
    "event",
    [
        {"a": "x", "b": math.nan},
        {"a": "x", "b": math.inf},
        {"a": ("x",)},
        {"a": "x", "b": {1: "y"}},
        {"a": "x", "b": {"x", "y"}},
        {"a": "x", "b": b"bytes"},
    ],
    ids=["nan", "inf", "tuple", "int-key", "set", "bytes"],
)
def test_roads_sns_body_dict_is_checked(event: dict) -> None:
    # sns-body builds a new dict from the caller's, and the Machine trusted it as checked:
    # non-JSON values reached the walker. Every road must refuse them as Pattern.matches does.
    rules = {"x": {"a": ["x"]}, "num": {"b": [{"numeric": [">", 0]}]}, "any": {"a": [{"exists": True}]}}
    m = patterns.Machine("sns-body")
    for name, rule in rules.items():
        m.add(name, rule)
    verdicts = {
        name: _outcome(lambda rule=rule: patterns.compile(rule, dialect="sns-body").matches(event))
        for name, rule in rules.items()
    }
    got = _outcome(lambda: m.match(event))
    if InvalidEventError in verdicts.values():
        assert set(verdicts.values()) == {InvalidEventError}, verdicts
        assert got is InvalidEventError, (got, verdicts)
    else:
        assert got == [name for name in rules if verdicts[name]], (got, verdicts)


def test_roads_sns_body_nan_never_satisfies_numeric() -> None:
    m = patterns.Machine("sns-body")
    m.add("num", {"b": [{"numeric": [">", 0]}]})
    with pytest.raises(InvalidEventError):
        m.match({"b": math.nan})


# --- Patterns: the fast road and the lark road give one verdict ----------------------------------

DUPLICATE = ', "b": ["x"], "b": ["y"]'


def _compiled(text: str):
    try:
        return ("ok", patterns.compile(text).model.fields[0])
    except InvalidPatternError as err:
        return ("invalid", err.reason)


@pytest.mark.parametrize(
    "text",
    [
        '{"a": [{"numeric": [">=", 1e-400]}]}',
        '{"a": [{"numeric": [">=", 4.9e-324]}]}',
        '{"a": [{"numeric": ["<", 1e-400]}]}',
        '{"a": [{"anything-but": 1e-400}]}',
        '{"a": [{"anything-but": [4.9e-324, 1]}]}',
        '{"a": [1e-400]}',
        '{"a": [4.9e-324]}',
        '{"a": [1e309]}',
        '{"a": [{"numeric": [">=", 123456789012345678901234567890]}]}',
        '{"a": [{"numeric": [">=", 2.5e-324]}]}',
    ],
)
def test_roads_pattern_verdict_does_not_depend_on_a_duplicate_key(text: str) -> None:
    # The duplicate key `b` sends the text down the lark road; field `a` must read the same.
    fast = _compiled(text)
    slow = _compiled(text[:-1] + DUPLICATE + "}")
    assert fast == slow
