"""Pattern subsumption: whether every event one pattern matches, another pattern matches too.

The algebra reads patterns in their expanded form (`patterns.model.expand`: a tuple of branches,
each an AND of `Condition`s) and decides conservatively: True is sure, False means "not shown",
never "shown not to". Four levels, each built on the one below:

    covers(a, b)             every event branches `b` match, branches `a` match too
    leaf_implies(b, a)       every value value list `b` accepts, value list `a` accepts
    matcher_implies(b, a)    every value matcher `b` accepts, matcher `a` accepts
    canonical(branches)      a pattern's meaning up to order (equal forms match the same events)

The lint's group rules (``duplicate-pattern``, ``covered-pattern``) read it; it knows nothing of
lint, sources or diagnostics.
"""

from __future__ import annotations

from collections.abc import Sequence

from .model import (
    AnythingBut,
    Branch,
    Equals,
    EqualsIgnoreCase,
    Exists,
    Leaf,
    Matcher,
    NumberEquals,
    Numeric,
    Prefix,
    Suffix,
    Wildcard,
)
from .oracle import value_matches

__all__ = ["canonical", "covers", "leaf_implies", "matcher_implies"]

#: Pairs of branches `covers` compares at most; beyond, it answers False (not shown) rather than
#: spend quadratic time on two patterns with many ``$or`` combinations.
MAX_BRANCH_PAIRS = 10_000


def canonical(branches: Sequence[Branch]) -> frozenset:
    """A pattern's meaning up to order: its branches as sets of (path, set of matchers).

    Args:
        branches: the pattern's expanded form (`patterns.Pattern.branches`).

    Returns:
        A hashable value, equal for two patterns that differ only in the order of their
        branches, conditions or matchers.
    """
    return frozenset(frozenset((c.path, frozenset(c.leaf.matchers)) for c in branch) for branch in branches)


def matcher_implies(b: Matcher, a: Matcher) -> bool:
    """Whether every value `b` accepts, `a` accepts too (a safe under-approximation).

    Args:
        b: the narrower matcher, as one entry of a value list.
        a: the broader matcher.

    Returns:
        True when shown; False when not shown (or not so).
    """
    if b == a:
        return True
    if isinstance(a, Exists):
        return a.value and not isinstance(b, Exists)
    if isinstance(b, Equals):
        v = b.value
        if isinstance(a, Prefix):
            return v.casefold().startswith(a.value.casefold()) if a.ignore_case else v.startswith(a.value)
        if isinstance(a, Suffix):
            return v.casefold().endswith(a.value.casefold()) if a.ignore_case else v.endswith(a.value)
        if isinstance(a, EqualsIgnoreCase):
            return v.casefold() == a.value.casefold()
        if isinstance(a, (Wildcard, AnythingBut)):
            return value_matches(a, v)
        return False
    if isinstance(b, NumberEquals):
        if isinstance(a, (Numeric, AnythingBut)):
            return value_matches(a, b.value)
        return False
    if isinstance(b, Prefix) and isinstance(a, Prefix) and not b.ignore_case and not a.ignore_case:
        return b.value.startswith(a.value)
    if isinstance(b, Suffix) and isinstance(a, Suffix) and not b.ignore_case and not a.ignore_case:
        return b.value.endswith(a.value)
    if isinstance(b, Numeric) and isinstance(a, Numeric):
        return _inside(b, a)
    return False


def _inside(b: Numeric, a: Numeric) -> bool:
    """Whether range `b` lies within range `a`, open and closed ends included."""
    if a.lower is not None and (
        b.lower is None
        or b.lower < a.lower
        or (b.lower == a.lower and b.lower_inclusive and not a.lower_inclusive)
    ):
        return False
    return not (
        a.upper is not None
        and (
            b.upper is None
            or b.upper > a.upper
            or (b.upper == a.upper and b.upper_inclusive and not a.upper_inclusive)
        )
    )


def leaf_implies(b: Leaf, a: Leaf) -> bool:
    """Whether every value value list `b` accepts, value list `a` accepts too.

    Each matcher of `b` must be implied by some matcher of `a`; `{"exists": false}` in `b` (the
    field may be absent) needs `{"exists": false}` in `a`.

    Args:
        b: the narrower value list.
        a: the broader value list.

    Returns:
        True when shown; False when not shown (or not so).
    """
    for mb in b.matchers:
        if isinstance(mb, Exists) and not mb.value:
            if not any(isinstance(ma, Exists) and not ma.value for ma in a.matchers):
                return False
        elif not any(matcher_implies(mb, ma) for ma in a.matchers):
            return False
    return True


def covers(a: Sequence[Branch], b: Sequence[Branch]) -> bool:
    """Whether every event `b` matches, `a` matches too (decided conservatively: True is sure).

    Each branch of `b` must be implied by some branch of `a`: every condition of the `a` branch
    has a condition on the same path in the `b` branch that accepts no value it refuses. The
    leaves that satisfy `b`'s branch then satisfy `a`'s, array consistency included, since `a`'s
    conditions are a subset.

    Args:
        a: the broader pattern's branches (`patterns.Pattern.branches`).
        b: the narrower pattern's branches.

    Returns:
        True when shown; False when not shown, or when more than `MAX_BRANCH_PAIRS` pairs of
        branches would have to be compared.
    """
    if len(a) * len(b) > MAX_BRANCH_PAIRS:
        return False
    for bb in b:
        by_path = {c.path: c.leaf for c in bb}
        if not any(all(c.path in by_path and leaf_implies(by_path[c.path], c.leaf) for c in ab) for ab in a):
            return False
    return True
