"""`patterns.consistency.consistent_choice` against a search over every combination, and on real events."""

from __future__ import annotations

import itertools

from hypothesis import example, given, note
from hypothesis import strategies as st

from patterns.consistency import consistent_choice
from patterns.events import Contexts, flatten


def _brute_force(candidates: list[list[int]], contexts: Contexts) -> bool:
    """Try every combination: the definition, exponential, for small cases only."""

    def elements(c: int) -> dict[int, int]:  # array -> the element of it that c sits under
        out = {}
        while c > 0:
            out[contexts.array[c]] = c
            c = contexts.parent[c]
        return out

    for pick in itertools.product(*candidates):
        chosen: dict[int, int] = {}
        if all(chosen.setdefault(a, e) == e for c in pick for a, e in elements(c).items()):
            return True
    return False


@st.composite
def context_trees(draw) -> Contexts:
    """Random context trees: each new context joins an existing array or opens a new one."""
    parent, array = [-1], [-1]
    array_parent: list[int] = []
    for c in range(1, draw(st.integers(1, 14))):
        if array_parent and draw(st.booleans()):
            a = draw(st.integers(0, len(array_parent) - 1))
        else:
            array_parent.append(draw(st.integers(0, c - 1)))
            a = len(array_parent) - 1
        parent.append(array_parent[a])
        array.append(a)
    return Contexts(parent, array)


@st.composite
def problems(draw) -> tuple[list[list[int]], Contexts]:
    contexts = draw(context_trees())
    n = len(contexts.parent)
    candidates = draw(
        st.lists(st.lists(st.integers(0, n - 1), min_size=0, max_size=4), min_size=1, max_size=5)
    )
    return candidates, contexts


# Two conditions that two arrays of the root could each satisfy (dotted keys aliasing nesting).
_ALIASED = ([[1, 3], [2, 4]], Contexts([-1, 0, 0, 0, 0], [-1, 0, 0, 1, 1]))


@given(problems())
@example(_ALIASED)
@example(([[1], [2]], Contexts([-1, 0, 0], [-1, 0, 0])))
def test_consistent_choice_equals_trying_every_combination(problem) -> None:
    candidates, contexts = problem
    note(f"candidates={candidates} parent={contexts.parent} array={contexts.array}")
    assert consistent_choice(candidates, contexts) == _brute_force(candidates, contexts)


def test_consistent_choice_aliased_arrays_split_the_conditions() -> None:
    candidates, contexts = _ALIASED
    assert consistent_choice(candidates, contexts)  # 1 for the first, 4 for the second (or 3, 2)
    assert not consistent_choice([[1], [2]], contexts)  # two elements of array 0


def test_consistent_choice_context_zero_is_consistent_with_everything() -> None:
    contexts = Contexts([-1, 0, 0], [-1, 0, 0])
    assert consistent_choice([[0], [1], [2, 0]], contexts)
    assert not consistent_choice([[1], [2]], contexts)


def test_consistent_choice_a_condition_without_candidates_fails() -> None:
    assert not consistent_choice([[0], []], Contexts([-1], [-1]))


def _contexts_of(event: dict, *paths_values: tuple[str, object]) -> list[list[int]]:
    flat = flatten(event)
    return [[leaf.context for leaf in flat.leaves if (leaf.path, leaf.value) == pv] for pv in paths_values]


def test_consistent_choice_across_independent_arrays_on_a_real_event() -> None:
    # Three 60-element arrays: 216,000 combinations, one consistent choice.
    event = {k: [{f"{k}v": str(i)} for i in range(60)] for k in ("x", "y", "z")}
    flat = flatten(event)
    candidates = _contexts_of(event, ("x.xv", "59"), ("y.yv", "0"), ("z.zv", "30"))
    assert consistent_choice(candidates, flat.contexts)


def test_consistent_choice_within_one_array_needs_one_element() -> None:
    event = {"a": [{"b": "1"} if i % 2 else {"c": "1"} for i in range(1000)]}
    flat = flatten(event)
    assert not consistent_choice(_contexts_of(event, ("a.b", "1"), ("a.c", "1")), flat.contexts)
    event["a"].append({"b": "1", "c": "1"})
    flat = flatten(event)
    assert consistent_choice(_contexts_of(event, ("a.b", "1"), ("a.c", "1")), flat.contexts)


def test_consistent_choice_nested_arrays_follow_the_element_chain() -> None:
    event = {"o": [{"i": [{"p": 1}, {"q": 2}]}, {"i": [{"p": 1, "q": 2}]}], "r": 3}
    flat = flatten(event)
    assert consistent_choice(_contexts_of(event, ("o.i.p", 1), ("o.i.q", 2), ("r", 3)), flat.contexts)
    event["o"].pop()  # only the first element is left: p and q sit in different inner elements
    flat = flatten(event)
    assert not consistent_choice(_contexts_of(event, ("o.i.p", 1), ("o.i.q", 2)), flat.contexts)
