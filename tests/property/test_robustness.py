"""Whatever is thrown at `compile` and `matches`, only the library's own errors come out."""

from __future__ import annotations

import json

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

import patterns
from patterns import InvalidEventError, InvalidPatternError

from ..strategies import events, json_values, odd_events, valid_patterns

# Every Machine and Pattern here runs on each matcher twin (tests/conftest.py: `twin`).
pytestmark = pytest.mark.usefixtures("twin")

PATTERN = patterns.compile(
    {"a": [{"anything-but": "x"}], "b": {"c": [{"numeric": [">", 0]}, {"exists": False}]}}
)


def compile_or_invalid(source) -> None:
    try:
        patterns.compile(source)
    except InvalidPatternError as err:
        assert err.reason and str(err).endswith(err.reason)


@given(json_values())
@example({"$or": [{"a": ["x"]}, {"b": []}]})
@example({"a": [{"numeric": ["=", 1e308, 1]}]})
def test_robustness_any_json_value_compiles_or_is_invalid(value) -> None:
    compile_or_invalid(value)
    compile_or_invalid(json.dumps(value))


@given(st.text(max_size=60))
@example('{"a": ["\\ud800"]}')
@example("{'a': 1}")
def test_robustness_any_text_compiles_or_is_invalid(text: str) -> None:
    compile_or_invalid(text)


@given(st.binary(max_size=60))
@example(b'{"a": ["\xff"]}')
def test_robustness_any_bytes_compile_or_are_invalid(data: bytes) -> None:
    compile_or_invalid(data)


def matches_or_invalid(event) -> None:
    try:
        result = PATTERN.matches(event)
    except InvalidEventError:
        return
    assert isinstance(result, bool)


@given(json_values())
def test_robustness_any_json_event(value) -> None:
    matches_or_invalid(value if isinstance(value, dict) else json.dumps(value))
    matches_or_invalid(json.dumps(value).encode())


@given(st.binary(max_size=60) | st.text(max_size=60))
@example(b'{"b": 123456789012345678901234567890, "a": NaN}')
@example('{"a": "\\ud800"}')
def test_robustness_any_bytes_or_text_event(data) -> None:
    matches_or_invalid(data)


@given(odd_events())
def test_robustness_odd_dict_event(event: dict) -> None:
    matches_or_invalid(event)


@given(valid_patterns(), events())
def test_robustness_valid_pattern_on_any_event_gives_bool(value: dict, event: dict) -> None:
    assert isinstance(patterns.compile(value).matches(event), bool)
