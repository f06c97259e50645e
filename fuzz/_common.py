"""Shared by the fuzz targets: the agreement check of every road to a verdict, and decoding."""

from __future__ import annotations

import json
import math
from typing import Any

import patterns
from patterns import InvalidEventError

__all__ = ["answer", "check_roads", "faithful_json"]


def answer(fn) -> Any:
    """`fn()`, or the class InvalidEventError when it raises that (anything else propagates)."""
    try:
        return fn()
    except InvalidEventError:
        return InvalidEventError


def _refuse(name: str) -> Any:
    raise ValueError(name)


def faithful_json(data: bytes | str) -> tuple[Any] | None:
    """The input decoded by the standard library, when that decoding says exactly what the text
    says (no NaN/Infinity constants, no number read as an infinity); else None.

    Also the property tests' decoder (tests/property/test_roads_agree.py).
    """
    try:
        value = json.loads(data.decode("utf-8") if isinstance(data, bytes) else data, parse_constant=_refuse)
    except (ValueError, RecursionError):
        return None
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, float) and not math.isfinite(v):
            return None
        if isinstance(v, dict):
            stack.extend(v.values())
        elif isinstance(v, list):
            stack.extend(v)
    return (value,)


def check_roads(machine: patterns.Machine, rules: dict[str, patterns.Pattern], roads: dict[str, Any]) -> None:
    """Assert `Pattern.matches` of every rule and `Machine.match` agree on every road, and that
    the roads agree with one another (a result, or InvalidEventError everywhere)."""
    answers = {}
    for road, event in roads.items():
        verdicts = {name: answer(lambda p=p, e=event: p.matches(e)) for name, p in rules.items()}
        got = answer(lambda e=event: machine.match(e))
        if InvalidEventError in verdicts.values():
            assert set(verdicts.values()) == {InvalidEventError}, (road, verdicts)
            assert got is InvalidEventError, (road, got, verdicts)
        else:
            expected = [name for name in rules if verdicts[name]]
            assert got == expected, (road, got, expected)
        answers[road] = repr(got)
    assert len(set(answers.values())) <= 1, answers
