"""`Machine` changes published incrementally: the same answers as a fresh build, whole rule sets
for concurrent readers, and garbage compacted so that memory stays bounded.

Once a machine has published tables (its first match), every `add` and `remove` publishes new
tables by copy-on-write of what it touched (docs/automaton.md, "Changes and
concurrency"). These tests compare the machine after random changes with a machine built afresh
from the same rules and with the reference matcher, watch readers on other threads while a
writer changes rules, and check that freed ids are compacted away.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import random
import tracemalloc
from unittest import mock

import orjson
import pytest
from hypothesis import given, note
from hypothesis import strategies as st

import patterns
from patterns import InvalidPatternError, Machine, compiler
from patterns.automaton import Tables
from patterns.events import decode_event, flatten
from patterns.oracle import matches as oracle_matches

from ..concurrency import RuleChanges
from ..strategies import events_for, patterns_for

# Every Machine and Pattern here runs on each matcher twin (tests/conftest.py: `twin`).
pytestmark = pytest.mark.usefixtures("twin")

DIALECTS = sorted(patterns.DIALECTS)
NAMES = [f"r{i}" for i in range(6)]


def _oracle(rules: dict[str, patterns.Pattern], event, dialect: str) -> list[str] | None:
    """The reference matcher's answer for an EventBridge event (None: another dialect, whose
    inputs `Pattern.matches` first reads as its service does)."""
    if dialect != "eventbridge":
        return None
    flat = flatten(decode_event(event))
    return [name for name, p in rules.items() if oracle_matches(p.branches, flat)]


def _fresh(rules: dict[str, patterns.Pattern], dialect: str) -> Machine:
    fresh = Machine(dialect=dialect)
    for name, p in rules.items():
        fresh.add(name, p)
    return fresh


def _check(m: Machine, rules: dict[str, patterns.Pattern], events: list, dialect: str) -> None:
    fresh = _fresh(rules, dialect)
    assert list(m) == list(rules)
    for event in events:
        got = m.match(event)
        assert got == fresh.match(event), event
        assert got == [name for name, p in rules.items() if p.matches(event)], event
        expected = _oracle(rules, event, dialect)
        if expected is not None:
            assert got == expected, event


def _changes(dialect: str) -> st.SearchStrategy[list]:
    change = st.one_of(
        st.tuples(st.just("add"), st.sampled_from(NAMES), patterns_for(dialect)),
        st.tuples(st.just("remove"), st.sampled_from(NAMES), st.none()),
    )
    # After each group of changes, a match: groups of one mostly, sometimes several in a row.
    return st.lists(st.lists(change, min_size=1, max_size=3), min_size=1, max_size=8)


@pytest.mark.parametrize("dialect", DIALECTS)
@given(data=st.data())
def test_machine_incremental_equals_fresh_build_and_oracle(dialect: str, data: st.DataObject) -> None:
    compact = data.draw(st.booleans(), label="compact at every change")
    groups = data.draw(_changes(dialect), label="changes")
    events = data.draw(st.lists(events_for(dialect), min_size=1, max_size=4), label="events")
    m = Machine(dialect=dialect)
    m.match(events[0])  # publish (empty) tables: from here on every change is incremental
    rules: dict[str, patterns.Pattern] = {}
    slack = mock.patch.object(compiler, "_COMPACT_SLACK", 0) if compact else contextlib.nullcontext()
    with slack:
        for group in groups:
            for op, name, candidate in group:
                if op == "add":
                    try:
                        p = patterns.compile(candidate, dialect=dialect)
                    except InvalidPatternError:
                        continue
                    m.add(name, p)
                    rules[name] = p  # a replaced rule keeps its place in the dict, as in the machine
                elif name in rules:
                    m.remove(name)
                    del rules[name]
            note(f"rules now {list(rules)}")
            _check(m, rules, events, dialect)


@pytest.mark.parametrize(
    "steps",
    [
        # a replaced rule keeps its place; the same value list shared, then dropped by one rule
        [("add", "a", {"x": ["1"]}), ("add", "b", {"x": ["1"]}), ("add", "a", {"x": ["2"]}), ("remove", "b", None)],
        # exists:false edges come and go: the walk's array phase must notice them
        [("add", "a", {"x": [{"exists": False}]}), ("remove", "a", None), ("add", "b", {"y": ["1"]})],
        # anything-but exclusion lists shared by two indexes, one of them removed
        [("add", "a", {"x": [{"anything-but": ["1", "2"]}]}), ("add", "b", {"y": [{"anything-but": ["1", "2"]}]}),
         ("remove", "a", None), ("add", "a", {"x": ["3"], "y": [{"anything-but": "1"}]})],
        # an exact-only index patched in place, a value twice in one list, then a kind that is not
        [("add", "a", {"x": ["1", "1", "2"]}), ("add", "b", {"x": ["2"]}), ("remove", "a", None),
         ("add", "c", {"x": [{"prefix": "1"}]}), ("add", "d", {"x": ["10.0.0.1"]})],
        # an exact-only index beside absence edges on one field: dropping its last value keeps them
        [("add", "a", {"x": [{"exists": False}]}), ("add", "b", {"x": ["1"]}), ("remove", "b", None),
         ("add", "b", {"x": ["2"]})],
        # the empty pattern (SNS bodies) added, replaced and removed
        [("add", "a", {}), ("add", "b", {"x": ["1"]}), ("add", "a", {"x": ["1"]}), ("add", "a", {})],
    ],
    ids=["replace-keeps-place", "exists-false", "anything-but-shared", "exact-patch", "exact-beside-absence", "empty-rule"],
)  # fmt: skip
def test_machine_incremental_pinned(steps: list) -> None:
    dialect = "sns-body"  # takes {} and everything else here
    events = [
        {"x": "1"}, {"x": "2"}, {"x": "3", "y": "1"}, {"y": "2"}, {}, {"x": ["1", "3"]}, {"x": "10.0.0.1"},
        {"x": [{"z": 1}], "y": "4"}, "not json",
    ]  # fmt: skip
    m = Machine(dialect=dialect)
    m.match({})
    rules: dict[str, patterns.Pattern] = {}
    for op, name, rule in steps:
        if op == "add":
            rules[name] = patterns.compile(rule, dialect=dialect)
            m.add(name, rules[name])
        else:
            m.remove(name)
            del rules[name]
        _check(m, rules, events, dialect)


def _reachable_shape(m: Machine) -> tuple[int, list[str]]:
    """(live states, the names of the rule ids ending at them, sorted) of the flat tables."""
    tables = m._current()
    flat = tables.flat()
    live = 1 + sum(1 for p in flat.state_parent if p >= 0)
    return live, sorted(tables.names[r] for r in flat.term_rules)


def test_machine_incremental_flat_tables_describe_the_same_trie() -> None:
    rng = random.Random(3)
    m = Machine()
    m.match(b"{}")
    live: dict[str, dict] = {}
    for step in range(300):
        name = f"r{rng.randrange(40)}"
        if name in live and rng.random() < 0.4:
            m.remove(name)
            del live[name]
        else:
            live[name] = {"source": [f"s{rng.randrange(5)}"], "detail": {"n": [rng.randrange(4)]}}
            if step % 3 == 0:
                live[name]["detail"]["gone"] = [{"exists": False}]
            m.add(name, live[name])
    assert _reachable_shape(m) == _reachable_shape(
        _fresh({n: patterns.compile(p) for n, p in live.items()}, "eventbridge")
    )


def test_machine_incremental_pickles_its_rules() -> None:
    import pickle

    m = Machine()
    m.match(b"{}")
    m.add("a", {"x": ["1"]})
    m.add("b", {"x": ["2"]})
    m.remove("a")
    copy = pickle.loads(pickle.dumps(m))
    assert list(copy) == ["b"] and copy.match(b'{"x": "2"}') == ["b"]


# --- readers beside a writer ---------------------------------------------------------------------

#: Rules whose answers differ per event; the writer adds, replaces and removes them.
SHAPES: list[dict] = [
    {"s": ["a"]},
    {"s": [{"prefix": "a"}], "n": [{"numeric": [">", 3]}]},
    {"s": [{"anything-but": ["a", "b"]}]},
    {"items": {"k": ["a"], "v": [{"numeric": [">=", 5]}]}},
    {"gone": [{"exists": False}], "s": [{"wildcard": "*b*"}]},
    {"$or": [{"n": [1, 2]}, {"items": {"k": ["b"]}}]},
    {"s": [{"equals-ignore-case": "AB"}]},
]


def _thread_events(rng: random.Random, count: int) -> list[bytes]:
    out = []
    for _ in range(count):
        event: dict = {
            "s": "".join(rng.choice("abx") for _ in range(rng.randrange(1, 4))),
            "n": rng.randrange(8),
        }
        if rng.random() < 0.5:
            event["items"] = [
                {"k": rng.choice("ab"), "v": rng.randrange(10)} for _ in range(rng.randrange(1, 4))
            ]
        if rng.random() < 0.3:
            event["gone"] = 1
        out.append(orjson.dumps(event))
    return out


def test_machine_incremental_readers_see_whole_rule_sets() -> None:
    rng = random.Random(11)
    events = _thread_events(rng, 300)
    compiled = [patterns.compile(p) for p in SHAPES]
    verdict = [[p.matches(e) for e in events] for p in compiled]
    m = Machine()
    m.add("stable", compiled[0])
    m.match(events[0])  # published: every change below is incremental
    # the rule sets (name -> shape number) a match may see, recorded around each change
    changes: RuleChanges[dict[str, int]] = RuleChanges({"stable": 0})
    checked = [0]

    def expected(rules: dict[str, int], i: int) -> list[str]:
        return [name for name, shape in rules.items() if verdict[shape][i]]

    def reader(seed: int) -> None:
        local = random.Random(seed)
        while changes.running():
            i = local.randrange(len(events))
            mark = changes.mark()
            names = m.match(events[i])
            allowed = [expected(rules, i) for rules in changes.since(mark)]
            assert names in allowed, (events[i], names, allowed)
            checked[0] += 1

    def writer() -> None:
        live = {"stable": 0}
        for _ in range(2000):
            if not changes.running():
                return
            name = f"r{rng.randrange(12)}"
            if name in live and rng.random() < 0.4:
                del live[name]
                changes.changing(dict(live))
                m.remove(name)
            else:
                shape = rng.randrange(len(SHAPES))
                live[name] = shape  # a replaced name keeps its place
                changes.changing(dict(live))
                m.add(name, compiled[shape])
            changes.changed()

    with mock.patch.object(compiler, "_COMPACT_SLACK", 0):  # compactions happen under the readers too
        # switch threads as often as possible, inside changes and walks
        changes.race([functools.partial(reader, seed) for seed in range(4)], writer)
    assert checked[0] > 100
    for i in range(len(events)):
        assert m.match(events[i]) == expected(changes.history[-1], i)


# --- compaction ----------------------------------------------------------------------------------


def test_machine_incremental_compacts_and_memory_stays_bounded() -> None:
    m = Machine()
    base = [(f"base{i}", {"source": [f"s{i % 5}"], "detail": {"id": [f"id-{i}"]}}) for i in range(40)]
    for name, p in base:
        m.add(name, p)
    m.match(b"{}")
    extra = [
        (f"x{i}", {"source": [f"other-{i}"], "detail": {"n": [{"numeric": [">", i]}], "gone": [{"exists": False}]}})
        for i in range(300)
    ]  # fmt: skip
    builds = [0]
    real_build = compiler.Builder.build

    def counting_build(self: compiler.Builder) -> Tables:
        builds[0] += 1
        return real_build(self)

    sizes = []
    levels = []
    tracemalloc.start()
    try:
        with mock.patch.object(compiler.Builder, "build", counting_build):
            for _ in range(4):
                for name, p in extra:
                    m.add(name, p)
                for name, _ in extra:
                    m.remove(name)
                tables = m._current()
                sizes.append((len(tables.walk[0]), tables.lists_used, len(tables.names)))
                del tables
                gc.collect()
                levels.append(tracemalloc.get_traced_memory()[0])
    finally:
        tracemalloc.stop()
    # Compaction ran (full rebuilds from the builder) and left tables sized by the 40 live
    # rules, not by the 300 that came and went, in every cycle.
    assert builds[0] >= 4
    live_states, _ = _reachable_shape(m)
    for states, lists, names in sizes:
        assert states <= 2 * live_states + 64
        assert lists <= 4 * live_states + 64
        assert names <= 2 * len(base) + 64
    assert max(levels[1:]) - min(levels[1:]) < 32_000  # no growth from cycle to cycle
    assert m.match(b'{"source": "s3", "detail": {"id": "id-3"}}') == ["base3"]
