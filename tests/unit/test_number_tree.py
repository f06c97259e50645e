"""The nodes of a number index's segment tree (`indexes.tree_node`) and their edits
(`compiler._edit_node`): a node of many targets is kept in chunks, and an edit remakes a chunk.

Held to a plain set of targets per node: whatever the edits, the node's lists hold exactly the
set's targets, its chunks stay disjoint, ascending and at most twice `TREE_CHUNK` long, and the
index's reference counts (`refs`) name exactly the lists the node holds.
"""

from __future__ import annotations

import random

import pytest

from patterns.compiler import _edit_node
from patterns.indexes import TREE_CHUNK, Lists, tree_node


class _Counting:
    def __init__(self, lists: Lists, refs: dict[int, int]) -> None:
        self.lists, self.refs = lists, refs

    def add(self, items: list[int]) -> int:
        k = self.lists.add(items)
        self.refs[k] = self.refs.get(k, 0) + 1
        return k


def _held(node: int | tuple[int, ...]) -> tuple[int, ...]:
    if type(node) is int:
        return () if node < 0 else (node,)
    return node  # type: ignore[return-value]


def _check(node: int | tuple[int, ...], lists: Lists, refs: dict[int, int], expected: set[int]) -> None:
    chunks = [lists.items[k] for k in _held(node)]
    flat = [t for chunk in chunks for t in chunk]
    assert flat == sorted(expected)  # disjoint, ascending, exactly the targets
    assert all(0 < len(chunk) <= 2 * TREE_CHUNK for chunk in chunks)
    assert type(node) is int or len(node) > 1  # a tuple only for two chunks or more
    assert dict.fromkeys(_held(node), 1) == refs


def test_tree_node_chunks_only_past_twice_the_chunk() -> None:
    lists = Lists()
    assert tree_node([], lists) == -1
    small = tree_node(list(range(2 * TREE_CHUNK)), lists)
    assert type(small) is int and lists.items[small] == tuple(range(2 * TREE_CHUNK))
    large = tree_node(list(range(5 * TREE_CHUNK + 1)), lists)
    assert type(large) is tuple and [len(lists.items[k]) for k in large] == [TREE_CHUNK] * 5 + [1]


@pytest.mark.parametrize("seed", range(6))
def test_edit_node_keeps_the_targets_of_a_set(seed: int) -> None:
    rng = random.Random(seed)
    lists = Lists()
    refs: dict[int, int] = {}
    targets = set(rng.sample(range(3 * TREE_CHUNK), rng.randrange(0, 3 * TREE_CHUNK)))
    node = tree_node(sorted(targets), _Counting(lists, refs))
    for _ in range(60):
        edits = [(rng.random() < 0.5, rng.randrange(4 * TREE_CHUNK)) for _ in range(rng.randrange(1, 40))]
        if rng.random() < 0.1:  # every target removed, then one added, in one change
            edits = [(False, t) for t in sorted(targets)] + [(True, rng.randrange(4 * TREE_CHUNK))]
        for added, target in edits:
            (targets.add if added else targets.discard)(target)
        node = _edit_node(node, edits, lists, refs)
        refs = {k: n for k, n in refs.items() if n}
        _check(node, lists, refs, targets)
