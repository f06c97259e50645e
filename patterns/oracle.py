"""The reference matcher: one expanded pattern against one flattened event, directly, no automaton.

This is the oracle every faster matcher is tested against, so it is written to be read, not to be
fast. The semantics in one paragraph:

A pattern is an OR of branches; a branch is an AND of conditions (dotted path + value list). A
condition holds through one event leaf at its path that one of its matchers accepts, or, for a
value list holding ``{"exists": false}``, through the path being absent: from the whole event, or
from one element of an array on the way to it (`patterns.consistency.absent_in`). The leaves
chosen for the conditions of one branch must be *array-consistent*: wherever two of them pass
through the same array, they pass through the same element of it. Whether such a choice exists
is decided by `patterns.consistency.consistent_choice`, in linear time, not by trying choices.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from functools import lru_cache

from . import wildcards
from .consistency import absent_in, consistent_choice
from .events import Flat, Leaf
from .model import (
    AnythingBut,
    Branch,
    Cidr,
    Equals,
    EqualsIgnoreCase,
    Exists,
    Literal,
    Matcher,
    NumberEquals,
    Numeric,
    Prefix,
    Suffix,
    Wildcard,
)
from .netaddr import parse_ip
from .numbers import as_double

__all__ = ["matches", "value_matches"]


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def wildcard_matches(pattern: str, value: str) -> bool:
    """Whether `value` matches the wildcard `pattern` (``*`` any run; ``\\*``, ``\\\\`` literal)."""
    return wildcards.matches(pattern, value)


@lru_cache(maxsize=4096)
def _address(text: str) -> tuple[int, int] | None:
    return parse_ip(text)


def _same_address(pattern: str, value: str) -> bool:
    address = _address(pattern)
    return address is not None and parse_ip(value) == address


def _ip_number(value: str, version: int) -> int | None:
    parsed = parse_ip(value)
    return parsed[1] if parsed is not None and parsed[0] == version else None


def _excluded(kind: str, excluded: str | float, value: object) -> bool:
    """Whether one anything-but operand excludes `value`."""
    if kind == "values":
        if isinstance(excluded, str):
            return isinstance(value, str) and value == excluded
        return _is_number(value) and as_double(value) == excluded
    if not isinstance(value, str):
        return False  # prefix, suffix, case and wildcard exclusions speak of strings only
    assert isinstance(excluded, str)
    if kind == "prefix":
        return value.startswith(excluded)
    if kind == "suffix":
        return value.endswith(excluded)
    if kind == "equals-ignore-case":
        return value.casefold() == excluded.casefold()
    return wildcard_matches(excluded, value)


def value_matches(matcher: Matcher, value: object) -> bool:
    """Whether one matcher accepts one event scalar (str, int, float, bool or None).

    `Exists` is answered for a present value (``exists: true`` holds, ``exists: false`` does not).
    """
    if isinstance(matcher, Equals):
        # An exact string that is an IP address matches that address in any textual form, as
        # EventBridge's engine compiles such strings to one-address ranges.
        return isinstance(value, str) and (value == matcher.value or _same_address(matcher.value, value))
    if isinstance(matcher, NumberEquals):
        return _is_number(value) and as_double(value) == matcher.value
    if isinstance(matcher, Literal):
        return value is matcher.value
    if isinstance(matcher, Prefix):
        if not isinstance(value, str):
            return False
        if matcher.ignore_case:
            return value.casefold().startswith(matcher.value.casefold())
        return value.startswith(matcher.value)
    if isinstance(matcher, Suffix):
        if not isinstance(value, str):
            return False
        if matcher.ignore_case:
            return value.casefold().endswith(matcher.value.casefold())
        return value.endswith(matcher.value)
    if isinstance(matcher, EqualsIgnoreCase):
        return isinstance(value, str) and value.casefold() == matcher.value.casefold()
    if isinstance(matcher, Wildcard):
        return isinstance(value, str) and wildcard_matches(matcher.value, value)
    if isinstance(matcher, AnythingBut):
        return not any(_excluded(matcher.kind, v, value) for v in matcher.values)
    if isinstance(matcher, Numeric):
        if not _is_number(value):
            return False
        x = as_double(value)
        if matcher.lower is not None and (
            x < matcher.lower or (x == matcher.lower and not matcher.lower_inclusive)
        ):
            return False
        return not (
            matcher.upper is not None
            and (x > matcher.upper or (x == matcher.upper and not matcher.upper_inclusive))
        )
    if isinstance(matcher, Exists):
        return matcher.value and not (matcher.needs_value and (value is None or value == ""))
    if isinstance(matcher, Cidr):
        if not isinstance(value, str):
            return False
        number = _ip_number(value, matcher.version)
        return number is not None and matcher.low <= number <= matcher.high
    raise TypeError(f"unknown matcher {matcher!r}")


def _branch_matches(branch: Branch, by_path: dict[str, list[Leaf]], flat: Flat) -> bool:
    # Per condition, the contexts of the leaves its matchers accept (context 0, which agrees
    # with every choice, when it holds by absence); then one consistent choice among them.
    candidates = []
    for condition in branch:
        leaves = by_path.get(condition.path, ())
        contexts = [
            leaf.context
            for leaf in leaves
            if any(value_matches(m, leaf.value) for m in condition.leaf.matchers)
        ]
        if any(isinstance(m, Exists) and not m.value for m in condition.leaf.matchers):
            # absence, decided per array element (`absent_in`)
            contexts += absent_in(condition.path, (leaf.context for leaf in leaves), flat.contexts)
        if not contexts:
            return False
        candidates.append(contexts)
    return consistent_choice(candidates, flat.contexts)


def matches(branches: Iterable[Branch], flat: Flat) -> bool:
    """Whether an expanded pattern matches a flattened event.

    Args:
        branches: the pattern's branches (`Pattern.branches`).
        flat: the flattened event (`patterns.events.flatten`).

    Returns:
        True when some branch holds.
    """
    by_path: dict[str, list[Leaf]] = defaultdict(list)
    for leaf in flat.leaves:
        by_path[leaf.path].append(leaf)
    return any(_branch_matches(branch, by_path, flat) for branch in branches)
