"""Churn on one field of numeric operands: a patched number tree answers as a fresh machine.

A field of many numeric ranges keeps them as a segment tree (`ValueIndex.num_tree`, paged), and a
change there edits copies of the pages it touches, putting a range whose bounds are no keys of the
tree beside it (`num_extra`) until `compiler._EXTRA_RANGES` of them make a change rebuild the
index (`_Live.patch_numbers`); a node of many targets keeps them in chunks (`indexes.tree_node`),
edited one chunk at a time. Here the tree is used from the first range, a node of three targets
is chunked and the budget of extra ranges is two, so random adds, replacements and removes of
numeric ranges, exact numbers, anything-but numbers and `exists` on that field cross the rebuild
again and again, and every answer, after every change, is the reference matcher's
(`patterns.oracle`) and a machine built from scratch's, on both twins (bytes and the decoded
event); `Machine.stats` is the fresh one's.
"""

from __future__ import annotations

import orjson
import pytest
from hypothesis import given, note
from hypothesis import strategies as st

import patterns
from patterns import Machine
from patterns.events import decode_event, flatten
from patterns.oracle import matches as oracle_matches

# Every Machine here runs on each matcher twin (tests/conftest.py: `twin`).
pytestmark = pytest.mark.usefixtures("twin")

#: Bounds on a grid of quarters, so that a new range's bounds are often keys of the tree already
#: (its nodes are edited) and often not (it goes to `num_extra`).
NUMBERS = st.integers(-16, 16).map(lambda i: i / 4)
VALUES = [x / 4 for x in range(-20, 21)] + [-1e300, 1e300]
EVENTS = [orjson.dumps({"n": x}) for x in VALUES] + [
    orjson.dumps({"n": VALUES[::9]}),
    b'{"n": "1"}',
    b'{"n": null}',
    b'{"m": 1}',
]
BASE = {f"b{i}": {"n": [{"numeric": [">", i]}]} for i in range(-8, 9)}


@st.composite
def operands(draw: st.DrawFn) -> dict:
    a, width = draw(NUMBERS), draw(st.sampled_from([0.5, 1, 3]))
    return draw(
        st.sampled_from(
            [
                {"numeric": [">", a]},
                {"numeric": [">=", a, "<", a + width]},
                {"numeric": ["<=", a]},
                {"numeric": ["=", a]},
            ]
        )
    )


def leaves() -> st.SearchStrategy[list]:
    numbers_alone = st.one_of(
        st.lists(operands(), min_size=1, max_size=2),  # ranges: the tree is patched
        st.lists(NUMBERS, min_size=1, max_size=2),  # exact numbers
    )
    return st.one_of(
        numbers_alone,
        numbers_alone,  # (most changes: the others make the next change rebuild the index)
        numbers_alone,
        st.lists(NUMBERS, min_size=1, max_size=2).map(lambda xs: [{"anything-but": xs}]),
        st.just([{"exists": True}]),
        st.tuples(operands(), NUMBERS).map(list),
    )


CHANGES = st.lists(
    st.one_of(
        st.tuples(st.just("add"), st.integers(0, 5), leaves()),
        st.tuples(st.just("remove"), st.sampled_from([*BASE, *(f"m{i}" for i in range(6))]), st.none()),
    ),
    min_size=1,
    max_size=24,
)


def _expected(live: dict, event: bytes) -> list[str]:
    flat = flatten(decode_event(event))
    return [name for name, p in live.items() if oracle_matches(patterns.compile(p).branches, flat)]


@given(CHANGES)
def test_number_field_churn_answers_as_fresh_and_oracle(
    monkeypatch: pytest.MonkeyPatch, changes: list
) -> None:
    from patterns import compiler, indexes

    monkeypatch.setattr(indexes, "_TREE_FROM", 0)  # a tree from the first range
    monkeypatch.setattr(indexes, "_TREE_SLACK", 0)
    monkeypatch.setattr(compiler, "_EXTRA_RANGES", 1)  # a level past one loose range
    monkeypatch.setattr(indexes, "TREE_CHUNK", 1)  # a node of three targets or more is chunked
    live = dict(BASE)
    machine = Machine(rules=live)
    machine.match(EVENTS[0])  # published: from now on every change patches or rebuilds
    for op, key, leaf in changes:
        if op == "add":
            name = f"m{key}"
            live[name] = {"n": leaf}
            machine.add(name, live[name])
        elif key in live:
            del live[key]
            machine.remove(key)
        note(f"{op} {key} {leaf}")
        fresh = Machine(rules=live)
        for event in EVENTS:
            expected = _expected(live, event)
            assert machine.match(event) == fresh.match(event) == expected, event
            assert machine.match(orjson.loads(event)) == expected, event
        assert machine.stats() == fresh.stats()


@pytest.mark.parametrize("seed", range(2))
def test_number_field_levels_merge_and_answer_as_fresh(monkeypatch: pytest.MonkeyPatch, seed: int) -> None:
    # A long churn of ranges whose bounds are mostly no keys of the tree: loose ranges merge
    # into levels, levels merge into larger ones (dropping the ranges of removed states), and
    # past as many ranges as the tree has keys the index is rebuilt; every answer stays the
    # oracle's and a fresh machine's.
    import random

    from patterns import compiler, indexes

    monkeypatch.setattr(indexes, "_TREE_FROM", 0)
    monkeypatch.setattr(indexes, "_TREE_SLACK", 0)
    monkeypatch.setattr(compiler, "_EXTRA_RANGES", 2)
    monkeypatch.setattr(indexes, "TREE_CHUNK", 2)
    merged = {"levels": 0, "dropped": 0}
    real_merge, real_live = compiler._merge_levels, compiler.live_entries

    def merge(levels, loose, counted):  # type: ignore[no-untyped-def]
        merged["levels"] += len(levels) > 0
        return real_merge(levels, loose, counted)

    def live(level, lists):  # type: ignore[no-untyped-def]
        found = real_live(level, lists)
        merged["dropped"] += len(level.entries) - len(found)
        return found

    monkeypatch.setattr(compiler, "_merge_levels", merge)
    monkeypatch.setattr(compiler, "live_entries", live)
    rng = random.Random(seed)
    live_rules = {f"b{i}": {"n": [{"numeric": [">", i]}]} for i in range(-40, 41)}
    machine = Machine(rules=live_rules)
    machine.match(EVENTS[0])
    for step in range(160):
        if rng.random() < 0.35:
            name = rng.choice(list(live_rules))
            del live_rules[name]
            machine.remove(name)
        else:
            a = rng.randrange(-48, 49) / 8
            name = f"m{rng.randrange(40)}"
            live_rules[name] = {
                "n": rng.choice([[{"numeric": [">", a]}], [{"numeric": [">=", a, "<", a + 2]}], [a]])
            }
            machine.add(name, live_rules[name])
        if step % 4 == 3:
            fresh = Machine(rules=live_rules)
            for event in EVENTS[::3]:
                assert machine.match(event) == fresh.match(event) == _expected(live_rules, event), (
                    step,
                    event,
                )
    assert merged["levels"] > 3 and merged["dropped"] > 0, merged
