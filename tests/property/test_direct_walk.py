"""The direct walk (`validate.validate_decoded`, `model._expand_direct`) against the full walks.

`compile` takes a shortcut for typical patterns: a plain recursive walk over the decoded value
builds the model with no source nodes, and `expand` recurses directly up to a depth; anything
else (every fault, deep nesting, values JSON cannot hold, a repeated key, a number the decoder may
have rounded) is left to the trampolined walks over source nodes. These tests hold the two roads
to one answer on random patterns, valid and not, in every dialect: the same model field for field
(spans, JSON paths, number texts included), the same branches in the same order, and for an
invalid pattern the same error, text and position.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import math
from collections import OrderedDict
from types import MappingProxyType
from typing import Any
from unittest import mock

import pytest
from hypothesis import example, given, note
from hypothesis import strategies as st

import patterns
from patterns import core
from patterns import model as model_module
from patterns._trampoline import run
from patterns.dialects import BUS_DIALECTS, DIALECTS, get_dialect
from patterns.validate import validate, validate_decoded

from ..strategies import json_values, pattern_values, patterns_for, valid_patterns
from .test_roads_agree import RAW_NUMBERS, Raw, to_text

DIALECT_NAMES = sorted({**DIALECTS, **BUS_DIALECTS})

# --- What the roads answer --------------------------------------------------------------------


def exact(value: Any) -> Any:
    """A value with every field of every model object spelt out (also those equality ignores:
    spans, JSON paths, number texts), and each scalar's type beside it (``1``, ``True``, ``1.0``
    and ``-0.0`` all differ)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return (type(value).__name__, *(exact(getattr(value, f.name)) for f in dataclasses.fields(value)))
    if isinstance(value, tuple):
        return tuple(exact(v) for v in value)
    if isinstance(value, float):
        return ("float", repr(value))
    return (type(value).__name__, value)


def outcome(pattern: Any, dialect: str) -> tuple:
    """What `compile` gives, spelt out: the pattern, or the error with every attribute."""
    try:
        p = patterns.compile(pattern, dialect=dialect)
    except patterns.InvalidPatternError as err:
        where = (err.path, err.line, err.column, err.end_line, err.end_column, err.offset)
        return ("refused", str(err), err.reason, where)
    except Exception as err:  # noqa: BLE001 - whatever escapes must escape both roads alike
        return ("raised", type(err).__name__, str(err))
    return ("compiled", p.dialect.name, p.source, exact(p.model), exact(p.branches))


def full_road_outcome(pattern: Any, dialect: str) -> tuple:
    """`outcome` with the direct walk switched off: every pattern takes the full walk."""
    with mock.patch.object(core, "validate_decoded", lambda value, d: None):
        return outcome(pattern, dialect)


def check_roads(pattern: Any, dialect: str) -> tuple:
    got = outcome(pattern, dialect)
    note(f"outcome: {got!r}")
    assert got == full_road_outcome(pattern, dialect)
    return got


# --- Patterns: valid ones, and ones broken in every way the walks tell apart --------------------

RESERVED = ["prefix", "suffix", "anything-but", "numeric", "exists", "wildcard", "cidr", "equals-ignore-case",
            "exactly", "regex", "=", "<", "$or", "a", "a.b"]  # fmt: skip
ODD = st.sampled_from([math.nan, math.inf, (), ("x",), frozenset(), b"x", 1 + 2j, object()])


def _deep(depth: int) -> dict:
    value: Any = ["x"]
    for _ in range(depth):
        value = {"a": value}
    return value


@st.composite
def broken(draw: st.DrawFn, odd: bool) -> Any:
    """A valid pattern with a few parts replaced: by any JSON value, an empty one, an operator
    object, a `$or` of any shape, a nesting past the direct walk's depth, and (`odd`) values JSON
    cannot hold or mappings that are not dicts."""
    # (copies: strategies such as `sampled_from` hand out the same objects again)
    value = copy.deepcopy(
        draw(valid_patterns() | patterns_for(draw(st.sampled_from(["eventbridge", "sns-body"]))))
    )
    replacements = st.one_of(
        json_values(max_leaves=4),
        st.sampled_from([[], {}, [[]], [{}], ["x"], [1], [None], [True]]),
        st.builds(lambda k, v: [{k: v}], st.sampled_from(RESERVED), json_values(max_leaves=3)),
        st.builds(lambda k, v: {k: v}, st.sampled_from(RESERVED), json_values(max_leaves=3)),
        # what may stand under "$or": a list of objects, maybe with an operator name at any depth
        st.lists(
            st.dictionaries(
                st.sampled_from(RESERVED),
                st.sampled_from([["x"], {"b": ["x"]}, {"prefix": ["x"]}]),
                min_size=0,
                max_size=2,
            ),
            max_size=3,
        ),
        st.integers(30, 40).map(_deep),
        *([ODD, st.builds(lambda v: [v], ODD)] if odd else []),
    )
    for _ in range(draw(st.integers(1, 3))):
        containers: list[Any] = []
        stack = [value]
        while stack:
            node = stack.pop()
            if isinstance(node, (dict, list)) and node:
                containers.append(node)
                stack.extend(node.values() if isinstance(node, dict) else node)
        if not containers:
            break
        target = draw(st.sampled_from(containers))
        if isinstance(target, dict):
            key = draw(st.sampled_from([*target, *RESERVED, "$or"]))
            target[key] = copy.deepcopy(draw(replacements))
        else:
            target[draw(st.integers(0, len(target) - 1))] = copy.deepcopy(draw(replacements))
    if odd and draw(st.integers(0, 5)) == 0:  # a mapping that is not a dict, somewhere
        containers = (
            [v for v in value.values() if isinstance(v, dict) and v] if isinstance(value, dict) else []
        )
        if containers:
            target = draw(st.sampled_from(containers))
            key = draw(st.sampled_from(list(target)))
            if isinstance(target[key], dict):
                target[key] = draw(st.sampled_from([OrderedDict, MappingProxyType]))(target[key])
    return value


def candidates(odd: bool) -> st.SearchStrategy:
    return st.one_of(valid_patterns(), patterns_for("eventbridge"), broken(odd), json_values(max_leaves=6))


@st.composite
def texts(draw: st.DrawFn) -> str:
    """A candidate as JSON text, sometimes with a key repeated, strings holding ':', or numbers
    written as no double holds them (``1e-400``, 30 digits)."""
    value = copy.deepcopy(draw(candidates(odd=False)))
    if draw(st.integers(0, 3)) == 0:
        # numbers as raw text: each number has a chance to become one of RAW_NUMBERS
        raw = draw(RAW_NUMBERS)
        stack = [value]
        while stack:
            node = stack.pop()
            items = (
                node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
            )
            for k, v in list(items):
                if isinstance(v, (int, float)) and not isinstance(v, bool) and draw(st.booleans()):
                    node[k] = Raw(raw)
                else:
                    stack.append(v)
    text = to_text(value)
    if draw(st.integers(0, 3)) == 0 and text.startswith("{") and text != "{}":
        key = draw(st.sampled_from(["a", "b", "$or", "prefix", "x:y"]))
        text = "{" + json.dumps(key) + ": " + to_text(draw(candidates(odd=False))) + ", " + text[1:]
    if draw(st.integers(0, 3)) == 0:
        text = text.replace('"a"', '"a:b"')
    return text


# --- The two roads agree ------------------------------------------------------------------------


@pytest.mark.parametrize("dialect", DIALECT_NAMES)
@given(value=candidates(odd=True))
@example(value={"a": ["x"], "detail": {"b": [{"prefix": "in/"}], "c": [{"numeric": [">", 5]}]}})
@example(value={"$or": [{"a": ["1"]}, {"b": {"c": [2.5]}}], "d": [{"anything-but": ["x", "y"]}]})
@example(value={"a": [{"wildcard": "*a*a*a*a*a*a*a*a*a*a*a*a*"}]})  # too complex: refused
@example(value={"$or": [{"a": ["x"]}]})  # one branch: a field named "$or"
@example(value={"$or": [{"a": ["x"]}, {"b": {"prefix": ["x"]}}]})  # an operator name inside
@example(value={"$or": [{"a": ["x"]}, {"b": OrderedDict({"prefix": ["x"]})}]})
@example(value={"a": OrderedDict({"prefix": ["x"]})})
@example(value={"a": [float("nan")]})
@example(value=_deep(33))
def test_direct_walk_compiles_dicts_as_the_full_walk(dialect: str, value: Any) -> None:
    check_roads(value, dialect)


@pytest.mark.parametrize("dialect", DIALECT_NAMES)
@given(text=texts())
@example(text='{"a": ["x"], "a": ["y"]}')  # a repeated key: the source decides
@example(text='{"a": ["arn:aws:s3:::b"], "b": {"c": ["x"]}}')  # ':' in a string, no repeated key
@example(text='{"a": ["x:y"], "a": ["z"]}')  # both at once
@example(text='{"a": [{"numeric": [">", 1.00000000000000001]}]}')
@example(text='{"a": [1e-400, 123456789012345678]}')
@example(text='{"a": [{"anything-but": 123456789012345678901}]}')
@example(text=json.dumps(_deep(40)))
def test_direct_walk_compiles_text_as_the_full_walk(dialect: str, text: str) -> None:
    check_roads(text, dialect)


@pytest.mark.parametrize("dialect", DIALECT_NAMES)
@given(value=candidates(odd=False))
@example(value={"a": [123456789012345678], "b": [{"numeric": [">", -(10**14)]}]})
@example(value={"a": [{"anything-but": [1.5, 2]}], "b": {"c": [99999999999999]}})
def test_direct_walk_vouches_only_for_what_validate_accepts(dialect: str, value: Any) -> None:
    # The contract `compile` relies on, for any JSON value: when the direct walk answers, the full
    # walk over the value's nodes gives the same model, the member count is the value's, and a
    # number that is neither a float nor a long integer was never flagged as one.
    d = get_dialect(dialect)
    direct = validate_decoded(value, d)
    note(f"direct: {direct!r}")
    if direct is None:
        return
    obj, members, long_numbers = direct
    assert exact(obj) == exact(validate(core._lazy_node(value), d))
    assert members == core._shape(value)[0]
    numbers = [v for v in pattern_values(value) if type(v) in (int, float)]
    assert long_numbers == any(type(v) is float or abs(v) >= 10**14 for v in numbers)


@given(text=valid_patterns(max_leaves=10).map(json.dumps) | texts())
@example(text='{"a.b": ["1"], "a": {"b": ["2"], "c": ["3"]}, "$or": [{"a": {"b": ["4"]}}, {"d": ["5"]}]}')
@example(text='{"a": ["x"], "b": ["y"], "a": ["z"]}')  # a repeated key: the last one moves last
@example(text='{"a": {"b": ["x"]}, "c": ["y"], "a": {"b": ["z"], "d": ["w"]}}')
def test_direct_expand_is_the_trampolined_expand(text: str) -> None:
    try:
        obj = patterns.compile(text).model
    except patterns.InvalidPatternError:
        return
    direct = model_module._expand_direct(obj, "", 0)
    walked = run(model_module._expand(obj, ""))
    # the same branches, the same paths in the same order, the very same leaves
    assert [[(p, id(leaf)) for p, leaf in b.items()] for b in direct] == [
        [(p, id(leaf)) for p, leaf in b.items()] for b in walked
    ]
    try:
        single = model_module._expand_single(obj, "", 0)
    except model_module._HasOr:
        assert _has_or(obj)
    else:  # a pattern without `$or`: its one branch, alike
        assert not _has_or(obj)
        assert [[(p, id(leaf)) for p, leaf in single.items()]] == [
            [(p, id(leaf)) for p, leaf in b.items()] for b in walked
        ]


def _has_or(obj: model_module.Obj) -> bool:
    return bool(obj.ors) or any(
        isinstance(f.value, model_module.Obj) and _has_or(f.value) for f in obj.fields
    )
