"""Near misses between names and values: the edit distance and the "did you mean" choices built on it.

A person who writes ``detail.stat`` for ``detail.state``, ``Detail`` for ``detail``, ``detail_type``
for ``detail-type`` or ``"Stopped"`` for ``"stopped"`` should be told the intended spelling. Two
tests, kept apart because they mean different things:

    closest_name   a field name: equal but for case, else within `MAX_DISTANCE` edits
                   (insert, delete, replace, swap two neighbours) of one candidate
    closest_value  a value: equal once case, ``-``/``_`` and whitespace are set aside (a value
                   two letters off is another value, ``"stopped"`` and ``"stopping"``)

Everything here is plain string work, with no knowledge of patterns or events, so every layer
above (explain, pattern-lint's rules) can use it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["MAX_DISTANCE", "closest_name", "closest_value", "edit_distance", "loose_form"]

#: The most edits a name may be from the one it is taken for.
MAX_DISTANCE = 2


def edit_distance(a: str, b: str, limit: int = MAX_DISTANCE) -> int:
    """The optimal-string-alignment distance between `a` and `b`, capped at ``limit + 1``.

    Insertions, deletions, substitutions and swaps of two neighbouring characters each count one.
    The cap keeps the work to a band around the diagonal: past `limit` the exact count is of no use.

    Args:
        a: one string.
        b: the other.
        limit: the largest distance worth telling apart.

    Returns:
        The distance, or ``limit + 1`` when it is larger than `limit`.
    """
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    # rows of the classic table; only the last two rows (and the one before, for swaps) are kept
    before: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], before[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        before, previous = previous, current
    return min(previous[len(b)], limit + 1)


def closest_name(name: str, candidates: Iterable[str]) -> str | None:
    """The candidate `name` was probably meant to be, or None.

    A candidate equal to `name` but for case wins; otherwise the nearest within `MAX_DISTANCE`
    edits (and fewer edits than `name` has characters, so ``"a"`` is never taken for ``"b"``);
    ties go to the first in sorted order. `name` itself is never suggested.

    Args:
        name: the name written.
        candidates: the names that exist there.

    Returns:
        The suggestion, or None when no candidate is close.
    """
    others = sorted(set(candidates) - {name})
    folded = name.casefold()
    for c in others:
        if c.casefold() == folded:
            return c
    best, best_distance = None, MAX_DISTANCE + 1
    for c in others:
        d = edit_distance(name, c)
        if d < best_distance and d < len(name):
            best, best_distance = c, d
    return best


_LOOSE = re.compile(r"[\s_-]+")


def loose_form(value: str) -> str:
    """`value` with case, hyphens, underscores and whitespace set aside (``"In_Progress"`` -> ``"inprogress"``)."""
    return _LOOSE.sub("", value.casefold())


def closest_value(value: str, accepted: Iterable[str]) -> str | None:
    """The accepted string `value` differs from only in case, hyphens, underscores or whitespace.

    Args:
        value: the value found.
        accepted: the values that would have matched.

    Returns:
        The first such accepted value (sorted), or None (also when `value` is itself accepted).
    """
    others = sorted(set(accepted))
    if value in others:
        return None
    loose = loose_form(value)
    return next((a for a in others if loose_form(a) == loose), None)
