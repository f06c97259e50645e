"""`compile`, `Machine.add` and `FilterCriteria` take any `Mapping` as a decoded pattern, as their
annotations say (`Mapping[str, Any]`), nested mappings included; what is not JSON is still refused."""

from __future__ import annotations

from collections import UserDict
from types import MappingProxyType as Frozen

import pytest

import patterns

EVENT = {"source": "aws.ec2", "detail": {"state": "stopped"}}


@pytest.mark.parametrize(
    "pattern",
    [
        Frozen({"source": ["aws.ec2"], "detail": {"state": ["stopped"]}}),
        {"source": ["aws.ec2"], "detail": Frozen({"state": ("stopped",)})},
        UserDict({"source": ["aws.ec2"], "detail": UserDict({"state": ["stopped"]})}),
    ],
    ids=["mappingproxy", "nested-mappingproxy", "userdict"],
)
def test_mapping_patterns_compile_and_match(pattern):
    expected = patterns.compile({"source": ["aws.ec2"], "detail": {"state": ["stopped"]}})
    assert patterns.compile(pattern) == expected
    assert patterns.compile(pattern).matches(EVENT)
    machine = patterns.Machine()
    machine.add("r", pattern)
    assert machine.match(EVENT) == ["r"]


def test_mapping_filters():
    criteria = patterns.FilterCriteria([Frozen({"body": Frozen({"k": ["v"]})})])
    assert criteria.matches({"body": {"k": "v"}, "messageId": "1"})


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        (Frozen({"a": {1}}), "Expected a JSON value, got `set` - at `$.a`"),
        (Frozen({"a": Frozen({1: ["x"]})}), "Expected `str` key, got `int` - at `$.a`"),
        (Frozen({"a": [float("nan")]}), "Expected a finite number, got `nan` - at `$.a[0]`"),
    ],
)
def test_mapping_that_is_not_json_is_refused_with_the_path(pattern, reason):
    with pytest.raises(patterns.InvalidPatternError) as err:
        patterns.compile(pattern)
    assert err.value.reason == reason


def test_deep_mapping_is_refused_by_the_depth_limit():
    deep: object = ["x"]
    for _ in range(1001):
        deep = Frozen({"a": deep})
    with pytest.raises(patterns.InvalidPatternError, match="nesting depth"):
        patterns.compile(deep)  # type: ignore[arg-type]


def test_lambda_length_limit_reads_a_mapping():
    with pytest.raises(patterns.InvalidPatternError, match="at most 4096 characters"):
        patterns.compile(Frozen({"body": ["x" * 5000]}), dialect="lambda")
