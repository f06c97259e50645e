"""Array consistency: can each condition of a branch take one event leaf, no two from different elements of one array?

Every matcher (the reference matcher and the Machine's walk) asks this question once it knows, per
condition, the contexts of the leaves that satisfy it (`patterns.events` defines contexts). It is
answered in time linear in the candidates (times the conditions), never by trying combinations:

    event  {"x": [{"b": 1}, {"c": 1}],  "y": [{"d": 1}, {"d": 2}]}
    contexts   0 (event) --array 0--> 1 {"b": 1}, 2 {"c": 1}
                         --array 1--> 3 {"d": 1}, 4 {"d": 2}
    branch  x.b, y.d         candidates  {1}, {3, 4}   -> yes: 1 and 3 are in different arrays
    branch  x.b, x.c         candidates  {1}, {2}      -> no: both need one element of array 0

The contexts form a tree whose levels alternate between "an element" and "one of its arrays"; two
leaves conflict exactly when they sit below different elements of one array. So the question
splits along the tree: at an element, the conditions its own leaves satisfy are done, and each
remaining one must be satisfied below one of its arrays; below an array, all the conditions sent
to it must be satisfied inside *one* element. Arrays under one element constrain nothing between
them. Walking the tree top-down says which conditions each element must satisfy (its
*requirement*: usually exactly one set, as a condition can usually descend through one array
only); walking it bottom-up says whether it can. A condition that several arrays of one element
could satisfy (only dotted keys aliasing nested ones, or duplicate keys, make that) is tried in
each: the requirements of an element then grow to a few sets. Their number grows with the
conditions of one branch that two arrays of one element could both satisfy (exponentially, in
the worst case), never with the size of the event.

Why not a search over combinations (the obvious algorithm): three 60-element arrays hold 216,000
combinations, so a 2 KB event took seconds; this walk visits each candidate context once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import product

from .events import Contexts

__all__ = ["absent_in", "consistent_choice"]


def consistent_choice(candidates: Sequence[Sequence[int]], contexts: Contexts) -> bool:
    """Whether every condition can take one of its candidate contexts, all array-consistent.

    Args:
        candidates: per condition, the contexts of the leaves that satisfy it (each non-empty
            for the answer to be True). Context 0 (the event itself) is consistent with every
            choice, so a condition holding at context 0 needs no choice; so does one holding by
            absence (pass context 0 for it).
        contexts: the event's contexts (`patterns.events.Contexts`).

    Returns:
        True when a consistent choice exists.
    """
    parent, array = contexts.parent, contexts.array
    direct: dict[int, int] = {}  # context -> conditions (bitmask) its own leaves satisfy
    full = 0
    bit = 1
    for cands in candidates:
        if not cands:
            return False
        if 0 in cands:
            continue  # satisfied at the event itself: consistent with anything
        full |= bit
        for c in cands:
            direct[c] = direct.get(c, 0) | bit
        bit <<= 1
    if full & (full - 1) == 0:
        return True  # at most one condition needs a choice: any of its candidates will do

    # The part of the context tree the candidates reach: every candidate and its ancestors,
    # each walked once. Children have larger numbers than their parents, so descending order
    # visits every child before its parent.
    reached = set(direct)
    for c in direct:
        while c:
            c = parent[c]
            if c in reached:
                break
            reached.add(c)
    reached.add(0)
    order = sorted(reached, reverse=True)
    # below[c]: the conditions satisfiable at or under c. arrays[c]: c's arrays -> (their reached
    # elements, [the conditions satisfiable under them]).
    below = dict.fromkeys(order, 0)
    below.update(direct)
    arrays: dict[int, dict[int, tuple[list[int], list[int]]]] = {}
    for c in order:
        if c == 0:
            continue
        p = parent[c]
        slot = arrays.setdefault(p, {}).get(array[c])
        if slot is None:
            slot = arrays[p][array[c]] = ([], [0])
        slot[0].append(c)
        slot[1][0] |= below[c]
        below[p] |= below[c]
    if below.get(0, 0) & full != full:
        return False

    # Top-down: the requirement sets of each element (parents before children: ascending).
    need: dict[int, set[int]] = {0: {full}}
    # splits[(c, R)]: the ways to send R's remaining conditions into c's arrays, each a tuple of
    # (array, conditions) pairs; filled top-down, read bottom-up.
    splits: dict[tuple[int, int], list[tuple[tuple[int, int], ...]]] = {}
    for c in reversed(order):  # parents before children
        for req in need.get(c, ()):
            rest = req & ~direct.get(c, 0)
            if not rest:
                splits[c, req] = [()]
                continue
            options = []
            for a, (_, can) in arrays.get(c, {}).items():
                if can[0] & rest:
                    options.append((a, can[0] & rest))
            ways = _splits(rest, options)
            splits[c, req] = ways
            for way in ways:
                for a, part in way:
                    for child in arrays[c][a][0]:
                        if below[child] & part == part:
                            need.setdefault(child, set()).add(part)

    # Bottom-up: which requirements each element can meet (children before parents).
    can_meet: dict[tuple[int, int], bool] = {}
    for c in order:
        for req in need.get(c, ()):
            ok = False
            for way in splits[c, req]:
                if all(
                    any(can_meet.get((child, part), False) for child in arrays[c][a][0]) for a, part in way
                ):
                    ok = True
                    break
            can_meet[c, req] = ok
    return can_meet.get((0, full), False)


def _splits(rest: int, options: list[tuple[int, int]]) -> list[tuple[tuple[int, int], ...]]:
    """Ways to send each condition of `rest` into one array that can satisfy it.

    `options`: (array, conditions of `rest` it can satisfy). Usually every condition has one
    array (one way); a condition several arrays could satisfy is tried in each.
    """
    covered = 0
    for _, can in options:
        covered |= can
    if covered != rest:
        return []
    shared = 0
    seen = 0
    for _, can in options:
        shared |= seen & can
        seen |= can
    if not shared:
        return [tuple(options)]
    # Conditions with a choice: assign each to one of the arrays that can take it.
    choices = []
    bits = []
    b = shared
    while b:
        low = b & -b
        bits.append(low)
        choices.append([a for a, can in options if can & low])
        b ^= low
    ways = []
    for picks in product(*choices):
        parts = {a: can & ~shared for a, can in options}
        for low, a in zip(bits, picks, strict=True):
            parts[a] |= low
        ways.append(tuple((a, part) for a, part in parts.items() if part))
    return ways


def absent_in(path: str, present: Iterable[int], contexts: Contexts) -> list[int]:
    """Where ``{"exists": false}`` on `path` holds: the contexts without a leaf at `path` below.

    Decided per element, as event-ruler decides it: in ``{"items": [{"sku": "A"}, {"sku": "B",
    "coupon": "X"}]}``, ``items.coupon`` is absent from the first element, so a branch asking
    ``items.sku`` A and no ``items.coupon`` holds there (`consistent_choice` keeps both in that
    element). A context counts when it is the event itself (0: the path absent everywhere) or an
    element of an array on the way to `path`, and no leaf at `path` sits in it or below it.

    Args:
        path: the condition's dotted path.
        present: the contexts of the event's leaves at `path`.
        contexts: the event's contexts (with their paths).

    Returns:
        The contexts, ascending; empty when the path is present everywhere it could be absent.
    """
    parent = contexts.parent
    holds_path: set[int] = set()  # contexts with a leaf at `path` in or below them
    for c in present:
        while c >= 0 and c not in holds_path:
            holds_path.add(c)
            c = parent[c]
    if 0 not in holds_path:
        return [0]  # absent everywhere: context 0 agrees with every other choice
    paths = contexts.path
    return [
        c
        for c in range(1, len(parent))
        if c not in holds_path and (paths[c] == path or path.startswith(paths[c] + "."))
    ]
