"""`patterns.core`: the roads `compile` takes, and what a `Pattern` keeps.

The direct walk's answers are held to the full walk's on random patterns in
tests/property/test_direct_walk.py; here, the edges of where it hands a pattern over.
"""

from __future__ import annotations

import json
import pickle
import sys
from collections.abc import Callable
from typing import Any

import pytest

import patterns
from patterns import InvalidPatternError
from patterns.dialects import get_dialect
from patterns.model import expand
from patterns.validate import validate_decoded


def nested(depth: int) -> dict:
    """``{"a": {"a": ... ["x"]}}``, `depth` objects deep."""
    value: Any = ["x"]
    for _ in range(depth):
        value = {"a": value}
    return value


@pytest.mark.parametrize("depth", [1, 32, 33, 40, 999])
@pytest.mark.parametrize("as_text", [True, False])
def test_compile_any_depth_up_to_the_cap(depth: int, as_text: bool) -> None:
    # Past the direct walk's 32 levels the trampolined walks take over: no RecursionError.
    text = '{"a": ' * depth + '["x"]' + "}" * depth  # (json.dumps recurses)
    p = patterns.compile(text if as_text else nested(depth))
    ((condition,),) = p.branches
    assert condition.path == ".".join(["a"] * depth)
    assert condition.leaf.json_path == "$" + ".a" * depth


def test_compile_refuses_past_the_nesting_cap() -> None:
    # 1,001 levels with the value list: the same refusal as before the direct walk
    with pytest.raises(InvalidPatternError, match=r"Document nesting depth \(1001\)"):
        patterns.compile(nested(1000))


def test_direct_walk_leaves_deep_patterns_to_the_full_walk() -> None:
    d = get_dialect("eventbridge")
    assert validate_decoded(nested(30), d) is not None
    assert validate_decoded(nested(40), d) is None


def _with_frames_left(frames: int, call: Callable[[], Any]) -> Any:
    # `call` run with only about `frames` frames left below the recursion limit
    depth = 0
    frame = sys._getframe()
    while frame is not None:
        depth += 1
        frame = frame.f_back

    def down(n: int) -> Any:
        return call() if n <= 0 else down(n - 1)

    return down(sys.getrecursionlimit() - depth - frames)


def test_compile_close_to_the_recursion_limit() -> None:
    # A caller already deep in its own stack: the direct walks' recursion (a frame a level)
    # runs out, and the trampolined walks, which need few frames, answer instead. (With 30
    # frames left both direct walks run out and their fallbacks are needed; with 22 even the
    # trampolined walks have too few.)
    text = json.dumps(nested(30))
    expected = patterns.compile(text)
    got = _with_frames_left(30, lambda: (lambda p: (p, p.branches))(patterns.compile(text)))
    assert got[0] == expected
    assert got[1] == expected.branches


def test_pattern_branches_made_on_first_use_then_kept() -> None:
    p = patterns.compile({"source": ["aws.ec2"], "detail": {"state": ["stopped"]}})
    assert p._branches is None  # a pattern compiled only to be checked never expands
    branches = p.branches
    assert branches is p.branches
    assert branches == expand(p.model)
    assert [c.path for c in branches[0]] == ["source", "detail.state"]


def test_pattern_pickles_before_and_after_branches() -> None:
    p = patterns.compile('{"a": {"b": [1, "x"]}, "$or": [{"c": ["y"]}, {"d": [true]}]}')
    fresh = pickle.loads(pickle.dumps(p))
    assert fresh == p and fresh.source == p.source
    assert fresh.branches == p.branches
    assert pickle.loads(pickle.dumps(p)).branches == p.branches


def test_branch_paths_shared_between_patterns() -> None:
    # A Machine keeps every rule's branches: one string per path, not one per rule
    first = patterns.compile({"detail": {"state": ["a"]}}).branches[0][0].path
    second = patterns.compile('{"detail": {"state": ["b"]}}').branches[0][0].path
    assert first == "detail.state" and first is second


@pytest.mark.parametrize(
    ("text", "paths"),
    [
        # a repeated key: the source decides (AWS keeps the last value list per path)
        ('{"a": ["x"], "b": ["y"], "a": ["z"]}', [("b", ["y"]), ("a", ["z"])]),
        ('{"a": {"b": ["x"]}, "a": {"c": ["y"]}}', [("a.b", ["x"]), ("a.c", ["y"])]),
        # ':' in strings, no repeated key: the decoded value serves
        ('{"a": ["arn:aws:s3:::x"], "b": {"c": ["h:m"]}}', [("a", ["arn:aws:s3:::x"]), ("b.c", ["h:m"])]),
    ],
)
def test_compile_text_with_colons_and_repeated_keys(text: str, paths: list) -> None:
    (branch,) = patterns.compile(text).branches
    assert [(c.path, c.leaf.to_json()) for c in branch] == paths


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        # numbers a double does not hold: their text decides, as AWS's does
        ('{"a": [{"numeric": [">", 1.00000000000000001]}]}', "Cannot compare number : 1.00000000000000001"),
        ('{"a": [{"anything-but": 1e-400}]}', "Cannot compare number : 1e-400"),
    ],
)
def test_compile_text_numbers_read_from_their_source(text: str, reason: str) -> None:
    with pytest.raises(InvalidPatternError) as info:
        patterns.compile(text)
    assert info.value.reason == reason
    assert info.value.column is not None  # found in the source, with its position


def test_compile_number_texts_as_written() -> None:
    (branch,) = patterns.compile('{"a": [1.5, 100, 1E2]}').branches
    assert [m.text for m in branch[0].leaf.matchers] == ["1.5", "100", "1E2"]


def test_compile_too_complex_wildcard_refused_with_its_path() -> None:
    with pytest.raises(InvalidPatternError) as info:
        patterns.compile('{"a": {"b": [{"wildcard": "' + "*a" * 12 + '*"}]}}')
    assert info.value.reason.startswith("Rule is too complex")
    assert (info.value.path, info.value.line, info.value.column) == ("$.a.b", 1, 13)


@pytest.mark.parametrize(
    ("operand", "exact"),
    [
        ("9007199254740992", True),  # 2^53: every integer up to it is a double
        ("9007199254740993", False),  # 2^53 + 1 is not
        ("-9007199254740993", False),
        ("1.50", True),  # not the double's repr, yet the same number
        ("1E2", True),
        ("0.1", True),  # the double's own repr: read as the double 0.1, as AWS reads it
        ("0.10000000000000001", False),
    ],
)
def test_numeric_operand_exact_as_a_double(operand: str, exact: bool) -> None:
    text = '{"a": [{"numeric": ["=", ' + operand + "]}]}"
    if exact:
        patterns.compile(text)
    else:
        with pytest.raises(InvalidPatternError, match="Cannot compare number : " + operand):
            patterns.compile(text)
