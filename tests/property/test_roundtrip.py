"""Round trips of valid patterns: compile -> to_json -> compile gives an equal `Pattern`."""

from __future__ import annotations

import json

from hypothesis import example, given, note

import patterns

from ..strategies import events, valid_patterns


@given(valid_patterns())
@example({"a": [300, 300.0]})  # numbers equal as doubles
@example({"a": [1, True]})  # true is not 1
@example({"a": [{"anything-but": {"prefix": "x"}}], "$or": [{"b": ["1"]}, {"c": {"d": [None]}}]})
def test_roundtrip_to_json_compiles_to_equal_pattern(value: dict) -> None:
    p = patterns.compile(value)
    serialised = p.to_json()
    note(f"to_json: {serialised!r}")
    assert patterns.compile(serialised) == p
    assert patterns.compile(json.dumps(serialised)) == p


@given(valid_patterns())
def test_roundtrip_text_and_dict_compile_alike(value: dict) -> None:
    text = json.dumps(value, ensure_ascii=False)
    assert patterns.compile(text) == patterns.compile(value) == patterns.compile(text.encode())


@given(valid_patterns(), events())
def test_roundtrip_serialised_pattern_matches_alike(value: dict, event: dict) -> None:
    p = patterns.compile(value)
    assert patterns.compile(p.to_json()).matches(event) == p.matches(event)
