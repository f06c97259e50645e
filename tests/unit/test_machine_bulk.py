"""`Machine.add_many` and `Machine(rules=...)`: many rules at once, all or none, published once.

Every answer is held to the same rules added one by one and to the reference matcher
(`patterns.oracle`); the thread test holds readers to whole batches (`tests/concurrency.py`).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import orjson
import pytest

import patterns
from patterns import InvalidPatternError, Machine
from patterns.automaton import PatchedTable, ValueIndex
from patterns.events import decode_event, flatten
from patterns.oracle import matches as oracle_matches

from ..concurrency import RuleChanges

# Every Machine here runs on each matcher twin (tests/conftest.py: `twin`).
pytestmark = pytest.mark.usefixtures("twin")

SHAPES = [
    {"s": ["a"]},
    {"s": [{"prefix": "a"}]},
    {"s": [{"suffix": "b"}], "n": [{"numeric": [">", 3]}]},
    {"n": [{"numeric": [">=", 2, "<", 6]}]},
    {"n": [3, 4]},
    {"s": [{"anything-but": ["ab", "b"]}]},
    {"s": [{"wildcard": "a*b"}]},
    {"d": {"k": ["v"]}, "$or": [{"n": [1]}, {"s": [{"equals-ignore-case": "AB"}]}]},
    {"d": {"k": [{"exists": False}]}, "s": ["b"]},
    {"items": {"k": ["a"], "v": [{"numeric": ["<", 5]}]}},
    {"n": [{"exists": True}]},
]


def _events(rng: random.Random, count: int) -> list[bytes]:
    out = []
    for _ in range(count):
        event: dict = {
            "s": "".join(rng.choice("ab") for _ in range(rng.randrange(1, 4))),
            "n": rng.randrange(8),
        }
        if rng.random() < 0.5:
            event["d"] = {"k": rng.choice("vw")}
        if rng.random() < 0.5:
            event["items"] = [{"k": rng.choice("ab"), "v": rng.randrange(8)} for _ in range(rng.randrange(3))]
        out.append(orjson.dumps(event))
    return out


EVENTS = _events(random.Random(3), 60)
_COMPILED = [patterns.compile(p) for p in SHAPES]
_VERDICT = [[oracle_matches(p.branches, flatten(decode_event(e))) for e in EVENTS] for p in _COMPILED]


def _expected(rules: dict[str, int], i: int) -> list[str]:
    # names in the order they were first added; `rules` maps name -> index in SHAPES
    return [name for name, shape in rules.items() if _VERDICT[shape][i]]


def _answers(machine: Machine) -> list[list[str]]:
    return [machine.match(e) for e in EVENTS]


def _one_by_one(items: list[tuple[str, int]]) -> Machine:
    machine = Machine()
    for name, shape in items:
        machine.add(name, SHAPES[shape])
    return machine


@pytest.mark.parametrize("built", [False, True], ids=["fresh", "matched-before"])
@pytest.mark.parametrize("batch", [3, 40], ids=["small-batch", "large-batch"])
def test_machine_add_many_answers_as_adds_one_by_one(built: bool, batch: int) -> None:
    rng = random.Random(batch)
    before = [(f"r{i}", rng.randrange(len(SHAPES))) for i in range(40)]
    # new names, names already in the machine, and names twice in the batch
    names = [f"r{rng.randrange(60)}" for _ in range(batch)]
    items = [(name, rng.randrange(len(SHAPES))) for name in names]
    machine = _one_by_one(before)
    if built:
        machine.match(EVENTS[0])
    machine.add_many([(name, SHAPES[shape]) for name, shape in items])
    expected_rules = dict(before)
    for name, shape in items:
        expected_rules[name] = shape
    assert list(machine) == list(expected_rules)
    assert _answers(machine) == [_expected(expected_rules, i) for i in range(len(EVENTS))]
    assert _answers(machine) == _answers(_one_by_one(before + items))


def test_machine_add_many_later_duplicate_replaces_in_the_first_place() -> None:
    machine = Machine()
    machine.add_many([("x", {"s": ["a"]}), ("y", {"s": ["a"]}), ("x", {"s": [{"prefix": "a"}]})])
    assert list(machine) == ["x", "y"]
    assert machine["x"] == patterns.compile({"s": [{"prefix": "a"}]})
    assert machine.match(b'{"s": "ab"}') == ["x"]
    assert machine.match(b'{"s": "a"}') == ["x", "y"]


@pytest.mark.parametrize("built", [False, True], ids=["fresh", "matched-before"])
def test_machine_add_many_bad_pattern_adds_no_rule(built: bool) -> None:
    machine = Machine()
    machine.add("keep", {"s": ["a"]})
    if built:
        assert machine.match(b'{"s": "a"}') == ["keep"]
    items = [("new", {"s": ["a"]}), ("keep", {"s": ["b"]}), ("bad", {"s": []}), ("later", {"s": ["a"]})]
    with pytest.raises(InvalidPatternError) as caught:
        machine.add_many(items)
    err = caught.value
    assert (err.rule, err.index) == ("bad", 2)
    assert str(err) == "Event pattern is not valid. Reason: Empty arrays are not allowed"  # AWS's text
    assert any("'bad'" in note and "item 2" in note for note in err.__notes__)
    assert list(machine) == ["keep"]
    assert machine["keep"] == patterns.compile({"s": ["a"]})
    assert machine.match(b'{"s": "a"}') == ["keep"]
    assert machine.match(b'{"s": "b"}') == []
    machine.add("new", {"s": ["a"]})  # rule ids and names were not spent by the failed batch
    assert machine.match(b'{"s": "a"}') == ["keep", "new"]


def test_machine_add_many_refuses_what_is_not_a_pair_or_not_its_dialect() -> None:
    machine = Machine()
    with pytest.raises(TypeError, match=r"Expected a `\(name, pattern\)` pair, got `str` - at item 1"):
        machine.add_many([("a", {"s": ["a"]}), "b"])
    sns = patterns.compile({"s": ["a"]}, dialect="sns-attributes")
    with pytest.raises(ValueError, match="Expected a pattern of dialect `eventbridge`") as caught:
        machine.add_many([("a", {"s": ["a"]}), ("b", sns)])
    assert any("'b'" in note for note in caught.value.__notes__)
    assert len(machine) == 0


def test_machine_constructor_takes_rules() -> None:
    pairs = [("x", {"s": ["a"]}), ("y", '{"s": [{"prefix": "a"}]}'), ("z", patterns.compile({"n": [1]}))]
    for rules in (dict(pairs), pairs, iter(pairs)):
        machine = Machine(rules=rules)
        assert list(machine) == ["x", "y", "z"]
        assert machine.match(b'{"s": "ab", "n": 1}') == ["y", "z"]
    sns = Machine("sns-attributes", rules={"p": {"color": ["red"]}})
    assert sns.dialect.name == "sns-attributes"
    assert sns.match({"color": {"DataType": "String", "StringValue": "red"}}) == ["p"]
    with pytest.raises(InvalidPatternError) as caught:
        Machine(rules={"ok": {"s": ["a"]}, "bad": {"s": "a"}})
    assert (caught.value.rule, caught.value.index) == ("bad", 1)


def test_machine_add_many_publishes_once(monkeypatch: pytest.MonkeyPatch) -> None:
    machine = Machine(rules=[(f"r{i}", SHAPES[i % len(SHAPES)]) for i in range(40)])
    machine.match(EVENTS[0])
    published: list[object] = []
    real = Machine._set_tables

    def spy(self: Machine, tables: object) -> None:
        published.append(tables)
        real(self, tables)  # type: ignore[arg-type]

    monkeypatch.setattr(Machine, "_set_tables", spy)
    for batch in (2, 30):  # change by change, then one rebuild
        published.clear()
        machine.add_many([(f"b{batch}-{i}", SHAPES[i % len(SHAPES)]) for i in range(batch)])
        assert len(published) == 1
    machine.add_many([])
    assert len(published) == 1


def test_machine_add_many_readers_see_whole_batches() -> None:
    # readers match while a writer adds batches (new names, replacements, names twice in one
    # batch) and removes rules: each answer must be that of a rule set in force, never of part
    # of a batch
    rng = random.Random(11)
    machine = Machine()  # never matched: its first publication happens under the threads
    first = {f"s{i}": i for i in range(4)}
    machine.add_many([(name, _COMPILED[shape]) for name, shape in first.items()])
    changes: RuleChanges[dict[str, int]] = RuleChanges(first)
    checked = [0]

    def reader(seed: int) -> Callable[[], None]:
        def body() -> None:
            local = random.Random(seed)
            while changes.running():
                i = local.randrange(len(EVENTS))
                mark = changes.mark()
                names = machine.match(EVENTS[i])
                allowed = [_expected(rules, i) for rules in changes.since(mark)]
                assert names in allowed, (EVENTS[i], names, allowed)
                checked[0] += 1

        return body

    def writer() -> None:
        live = dict(first)
        for _ in range(120):
            if not changes.running():
                return
            if live and rng.random() < 0.3:
                name = rng.choice(list(live))
                del live[name]
                changes.changing(dict(live))
                machine.remove(name)
            else:
                batch = [
                    (f"m{rng.randrange(12)}", rng.randrange(len(SHAPES))) for _ in range(rng.randrange(1, 8))
                ]
                for name, shape in batch:
                    live[name] = shape
                changes.changing(dict(live))
                machine.add_many([(name, _COMPILED[shape]) for name, shape in batch])
            changes.changed()

    changes.race([reader(seed) for seed in range(3)], writer)
    assert checked[0] > 0
    assert list(machine) == list(changes.history[-1])
    assert _answers(machine) == [_expected(changes.history[-1], i) for i in range(len(EVENTS))]


# --- Many numeric ranges on one field: the segment tree (issue 20) ----------------------------


def _numeric_rules(rng: random.Random, count: int) -> list[tuple[str, dict]]:
    rules = []
    for i in range(count):
        a, b = sorted(rng.sample(range(-6, 7), 2))
        shape = rng.randrange(7)
        if shape == 0:
            leaf: list = [{"numeric": [rng.choice([">", ">="]), a]}]
        elif shape == 1:
            leaf = [{"numeric": [rng.choice(["<", "<="]), b]}]
        elif shape == 2:
            leaf = [{"numeric": [rng.choice([">", ">="]), a, rng.choice(["<", "<="]), b]}]
        elif shape == 3:
            leaf = [a, {"numeric": [">", b]}]
        elif shape == 4:
            leaf = [{"numeric": ["=", a]}, {"numeric": ["<", a - 1]}]
        elif shape == 5:
            leaf = [{"anything-but": [a, b]}]
        else:
            leaf = [{"exists": True}, {"numeric": [">=", b]}]
        rule: dict = {"n": leaf}
        if rng.random() < 0.2:
            rule["s"] = ["a"]
        rules.append((f"r{i}", rule))
    return rules


@pytest.mark.parametrize("seed", range(4))
def test_machine_numbers_as_a_tree_answer_as_the_slots_and_the_oracle(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    from patterns import indexes
    from patterns.describe import describe

    rng = random.Random(seed)
    rules = _numeric_rules(rng, 60)
    values = [x / 2 for x in range(-16, 17)]
    events = [orjson.dumps({"n": x, "s": rng.choice("ab")}) for x in values]
    events += [orjson.dumps({"n": rng.sample(values, 3)}), b'{"s": "a"}', b'{"n": "5"}', b'{"n": null}']
    slots = Machine(rules=rules)
    slots_answers = [slots.match(e) for e in events]
    monkeypatch.setattr(indexes, "_TREE_FROM", 0)
    monkeypatch.setattr(indexes, "_TREE_SLACK", 0)
    tree = Machine(rules=rules)
    compiled = dict(rules)
    for event, expected in zip(events, slots_answers, strict=True):
        flat = flatten(decode_event(event))
        oracle = [name for name, p in compiled.items() if oracle_matches(patterns.compile(p).branches, flat)]
        got = tree.match(event)
        assert (got == expected, expected == oracle) == (True, True), (event, got, expected, oracle)
    assert tree._tables is not None and any(
        vi.num_tree is not None for step in tree._tables.walk[0] if step for _, _, _, vi in step[1]
    )
    assert describe(tree) == describe(slots)  # the same intervals, drawn from either form
    # changes on the tree's field (adds, replacements, removals) answer as a fresh machine
    for name, rule in _numeric_rules(rng, 30):
        tree.add(f"{name}-{seed}", rule)
        compiled[f"{name}-{seed}"] = rule
    for name in list(compiled)[::3]:
        tree.remove(name)
        del compiled[name]
    fresh = Machine(rules=compiled)
    assert [tree.match(e) for e in events] == [fresh.match(e) for e in events]


def test_machine_many_nested_ranges_build_a_tree_not_quadratic_lists() -> None:
    # 2,000 nested ranges on one field: the slots would hold 2,000,000 targets in all
    machine = Machine(rules=[(f"r{i}", {"a": [{"numeric": [">", i]}]}) for i in range(2_000)])
    assert machine.match(b'{"a": 10.5}') == [f"r{i}" for i in range(11)]
    tables = machine._tables
    assert tables is not None
    total = sum(len(items) for items in tables.walk[1])
    assert total < 2_000 * 30  # about n log n


@pytest.mark.parametrize("seed", range(3))
def test_machine_number_tree_patched_by_changes_answers_as_fresh(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # changes on a tree index patch it (`_Live.patch_numbers`): ranges whose bounds are keys go
    # into the tree's nodes, others into `num_extra` (3 at most here, then a rebuild), removals
    # leave both; every answer is a fresh machine's and the oracle's
    from patterns import compiler, indexes

    monkeypatch.setattr(indexes, "_TREE_FROM", 0)
    monkeypatch.setattr(indexes, "_TREE_SLACK", 0)
    monkeypatch.setattr(compiler, "_EXTRA_RANGES", 3)
    rng = random.Random(seed)
    live = {f"r{i}": {"n": [{"numeric": [">", i]}]} for i in range(-5, 6)}
    machine = Machine(rules=live)
    values = [x / 4 for x in range(-30, 31)]
    events = [orjson.dumps({"n": x}) for x in values] + [orjson.dumps({"n": values[::7]})]
    patched = _count_patches(monkeypatch, "patch_numbers")

    def rule() -> dict:
        a = rng.choice([rng.randrange(-5, 6), rng.randrange(-20, 21) / 4])
        b = a + rng.choice([0.25, 1, 3])
        return {
            "n": rng.choice(
                [[{"numeric": [">=", a, "<", b]}], [a], [{"numeric": ["<=", b]}, {"numeric": [">", b + 1]}]]
            )
        }

    _churn(machine, live, events, rng, rule, steps=60, names=20)
    assert patched[0] > 10


@pytest.mark.parametrize("seed", range(3))
def test_machine_affix_index_patched_by_changes_answers_as_fresh(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # changes on an index of prefixes and suffixes patch it (`_Live.patch_affixes`, a
    # `PatchedTable` per structure; 5 changed keys at most here, then a rebuild; patched from
    # any size here, where a real one is patched only from `_PATCH_AFFIXES_FROM` keys)
    from patterns import compiler

    monkeypatch.setattr(compiler, "_OVERLAY_MAX", 5)
    monkeypatch.setattr(compiler, "_PATCH_AFFIXES_FROM", 0)
    rng = random.Random(seed)
    words = ["", "a", "ab", "abc", "B", "Ab", "ba", "bab", "c"]

    def leaf() -> list:
        out: list = []
        for _ in range(rng.randrange(1, 3)):
            op, word = rng.choice(["prefix", "suffix"]), rng.choice(words[1:])
            out.append({op: {"equals-ignore-case": word}} if rng.random() < 0.3 else {op: word})
        return out

    live = {f"r{i}": {"s": leaf()} for i in range(8)}
    machine = Machine(rules=live)
    events = [orjson.dumps({"s": a + b}) for a in words for b in words] + [
        b'{"s": 5}',
        b'{"s": ["ab", "Bc"]}',
    ]
    patched = _count_patches(monkeypatch, "patch_affixes")
    _churn(machine, live, events, rng, lambda: {"s": leaf()}, steps=50, names=12)
    assert patched[0] > 10


@pytest.mark.parametrize("seed", range(4))
def test_machine_exact_index_patched_through_an_overlay_answers_as_fresh(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # changes on a large exact-only index go to an overlay (`PatchedTable` over the shared base,
    # `ValueIndex.patches`; the compiled index looks a key up there first, `GONE` hiding a
    # removed one, then in the base's): patched from any size here (a real one from
    # `_PATCH_EXACT_FROM` keys), laid out whole again past 5 changed keys
    from patterns import compiler

    monkeypatch.setattr(compiler, "_OVERLAY_MAX", 5)
    monkeypatch.setattr(compiler, "_PATCH_EXACT_FROM", 0)
    rng = random.Random(seed)
    words = ["a", "b", "ab", "é", "x" * 20, "10", ""]

    def rule() -> dict:
        leaf = rng.sample(words, rng.randrange(1, 3))
        return {"s": leaf} if rng.random() < 0.8 else {"s": leaf, "t": [rng.choice(words)]}

    live = {f"r{i}": rule() for i in range(8)}
    machine = Machine(rules=live)
    events = (
        [orjson.dumps({"s": w}) for w in [*words, "zz"]]
        + [orjson.dumps({"s": [a, b], "t": c}) for a in words[:3] for b in words[3:] for c in words[:2]]
        + [b'{"s": 10}', b'{"s": null}', b"{}"]
    )

    def overlaid(node, path) -> bool:  # type: ignore[no-untyped-def]
        entry = compiler._field(node, path)
        return entry is not None and type(entry[1].exact_only) is compiler.PatchedTable

    patched = _count_patches(monkeypatch, "patch_field", overlaid)
    _churn(machine, live, events, rng, rule, steps=60, names=12, dicts=True)
    assert patched[0] > 10


def test_machine_bulk_builds_leave_the_collector_as_they_found_it(monkeypatch: pytest.MonkeyPatch) -> None:
    # `add_many` and a large first layout pause the cyclic collector (`patterns._gc`), and give
    # it back as it was: on, or off, also when a pattern is refused
    import gc

    from patterns import _gc, compiler

    monkeypatch.setattr(compiler, "_PAUSE_FROM", 1)
    seen: list[bool] = []
    real = compiler._build

    def spy(*args):  # type: ignore[no-untyped-def]
        seen.append(gc.isenabled())
        return real(*args)

    monkeypatch.setattr(compiler, "_build", spy)
    rules = [(f"r{i}", SHAPES[i % len(SHAPES)]) for i in range(20)]
    for enabled in (True, False):
        (gc.enable if enabled else gc.disable)()
        try:
            machine = Machine(rules=rules)
            assert machine.match(EVENTS[0]) == _expected(
                {n: i % len(SHAPES) for i, (n, _) in enumerate(rules)}, 0
            )
            with pytest.raises(InvalidPatternError):
                machine.add_many([("x", {"s": ["a"]}), ("bad", {"s": []})])
            assert gc.isenabled() is enabled
            assert _gc._paused == 0
        finally:
            gc.enable()
    assert seen == [False, False]  # the layout ran with the collector off


def test_machine_add_many_takes_bus_subscribers() -> None:
    # a bus machine's rules are filter configurations; a subscriber with two DATA filters makes
    # the machine read that part twice (`_read_copies`), before the batch is published
    from patterns import SubscriberFilter

    live = {"ContentType": "application/json", "aws:DeliveryType": "LIVE"}

    def event(data: bytes, metadata: dict | None = None) -> dict:
        out: dict = {"Data": data, "SystemMetadata": live}
        if metadata is not None:
            out["Metadata"] = metadata
        return out

    subscribers: dict = {
        "big": {"Filters": [{"Scope": "DATA", "Pattern": '{"total": [{"numeric": [">", 500]}]}'}]},
        "acme": SubscriberFilter({"Filters": [{"Scope": "METADATA", "Pattern": '{"tenant": ["acme"]}'}]}),
        "both": {
            "Filters": [
                {"Scope": "DATA", "Pattern": '{"total": [{"numeric": [">", 100]}]}'},
                {"Scope": "DATA", "Pattern": '{"total": [{"numeric": ["<", 1000]}]}'},
            ]
        },
    }
    bulk = Machine("bus", rules=subscribers)
    one_by_one = Machine("bus")
    for name, subscriber in subscribers.items():
        one_by_one.add(name, subscriber)
    for ev in (
        event(b'{"total": 900}', {"tenant": "acme"}),
        event(b'{"total": 50}'),
        event(b'{"total": 5000}'),
    ):
        assert bulk.match(ev) == one_by_one.match(ev)
    assert bulk.match(event(b'{"total": 900}', {"tenant": "acme"})) == ["big", "acme", "both"]


def test_small_affix_index_is_rebuilt_not_patched() -> None:
    """A change to a small index of prefixes rebuilds it: the compiled twin keeps probing it in
    C (a `PatchedTable` is read by Python), and a small rebuild costs little."""
    machine = Machine(rules={f"r{i}": {"s": [{"prefix": f"p{i}-"}]} for i in range(50)})
    machine.match(b"{}")
    machine.add("late", {"s": [{"prefix": "late-"}]})
    assert machine.match(b'{"s": "late-1"}') == ["late"]
    indexes = [
        part
        for entry in machine._current().walk[0]
        if entry is not None
        for edge in entry[1] or ()
        for part in edge
        if isinstance(part, ValueIndex)
    ]
    prefixes = [vi.prefix for vi in indexes if vi.prefix]
    assert prefixes and not any(isinstance(p, PatchedTable) for p in prefixes)


def test_changes_across_state_pages_leave_older_snapshots_whole() -> None:
    # 3,000 tenants on one field: states on three pages (`automaton.Paged`, PAGE = 1,024) and an
    # exact index past `_PATCH_EXACT_FROM` keys, patched through its overlay. Each change copies
    # the pages it writes: a match holding the tables before it still answers as they were.
    from patterns import compiler
    from patterns.automaton import PAGE

    n = 3_000
    assert n > 2 * PAGE and n > compiler._PATCH_EXACT_FROM

    def event(i: int) -> bytes:
        return orjson.dumps({"source": "s", "detail": {"k": f"v{i}"}})

    m = Machine(rules=[(f"t{i}", {"source": ["s"], "detail": {"k": [f"v{i}"]}}) for i in range(n)])
    assert m.match(event(5)) == ["t5"]
    before, fast = m._tables, m._fast
    for i in (5, 1_500, 2_999):
        m.remove(f"t{i}")
    m.add("new", {"detail": {"k": ["v1500", "v7"]}})
    m.add("t7", {"source": ["s"], "detail": {"k": ["v8"]}})  # replaced: its old value is gone
    assert [m.match(event(i)) for i in (5, 7, 8, 1_500, 2_999, 2_998)] == [
        [],
        ["new"],
        ["t7", "t8"],
        ["new"],
        [],
        ["t2998"],
    ]
    old = [["t5"], ["t7"], ["t8"], ["t1500"], ["t2999"], ["t2998"]]
    assert [_reference(before, m, event(i)) for i in (5, 7, 8, 1_500, 2_999, 2_998)] == old
    if fast is not None:  # the compiled road of the tables before the changes
        assert [fast.match(event(i)) for i in (5, 7, 8, 1_500, 2_999, 2_998)] == old


def _reference(tables, m: Machine, raw: bytes) -> list[str]:
    from patterns import engine

    return [tables.names[r] for r in sorted(engine.run(tables, m.dialect, raw))]


def _churn(
    machine: Machine, live: dict, events: list[bytes], rng: random.Random, rule: Any, *,
    steps: int, names: int, dicts: bool = False,
) -> None:  # fmt: skip
    """Random removes of `live` rules and adds of `rule()` (under one of `names` names), each
    followed by every event: `machine` answers as a fresh machine of `live` and as the oracle
    (and, with `dicts`, for the decoded event too)."""
    machine.match(events[0])
    for step in range(steps):
        if live and rng.random() < 0.4:
            name = rng.choice(list(live))
            del live[name]
            machine.remove(name)
        else:
            name = f"m{rng.randrange(names)}"
            live[name] = rule()
            machine.add(name, live[name])
        fresh = Machine(rules=live)
        for event in events:
            flat = flatten(decode_event(event))
            oracle = [n for n, p in live.items() if oracle_matches(patterns.compile(p).branches, flat)]
            assert machine.match(event) == fresh.match(event) == oracle, (step, event)
            if dicts:
                assert machine.match(orjson.loads(event)) == oracle, (step, event)


def _count_patches(monkeypatch: pytest.MonkeyPatch, method: str, counts: Any = None) -> list[int]:
    """Spy on `compiler._Live.<method>` (a patch of one field in place of its rebuild): the
    returned list's one item counts the patches it made (those `counts(node, path)` accepts)."""
    from patterns import compiler

    patched = [0]
    real = getattr(compiler._Live, method)

    def counting(self, node, path, changes):  # type: ignore[no-untyped-def]
        done = real(self, node, path, changes)
        patched[0] += done and (counts is None or counts(node, path))
        return done

    monkeypatch.setattr(compiler._Live, method, counting)
    return patched


def test_machine_keeps_no_branches_of_its_rules_and_still_removes_them() -> None:
    # A machine inserts a rule's branches in its trie and does not keep them on the rule's
    # `Pattern` (about 250 bytes a many-tenant rule): removing or replacing the rule expands
    # its pattern again, and leaves the machine answering as one built without the rule.
    rules = [(f"r{i}", {"source": ["s"], "detail": {"id": [f"t{i}"], "n": [{"numeric": [">", i]}]}})
             for i in range(50)]  # fmt: skip
    given = {i: patterns.compile(rules[i][1]) for i in (7, 8, 9)}
    assert given[7].branches and given[7]._branches is not None  # a pattern whose branches were read
    machine = Machine(rules=rules[:7])
    machine.add("r7", given[7])
    machine.add_many([(n, given.get(i, p)) for i, (n, p) in enumerate(rules) if i >= 8])
    assert given[8]._branches is None and given[9]._branches is None  # the machine read, not kept
    assert machine["r7"] is given[7] and given[7]._branches is not None  # the caller's, as it was
    event = {"source": "s", "detail": {"id": "t9", "n": 100}}
    assert machine.match(event) == ["r9"]
    machine.remove("r9")
    machine.add("r10", {"source": ["s"], "detail": {"id": ["t9"]}})  # a replacement
    machine.remove("r7")
    machine.add("r8", {"source": ["s"], "detail": {"id": ["t8"]}})  # a Pattern replaced by a dict
    fresh = Machine(rules=[(n, p) for n, p in rules if n not in ("r7", "r8", "r9", "r10")]
                    + [("r10", {"source": ["s"], "detail": {"id": ["t9"]}}),
                       ("r8", {"source": ["s"], "detail": {"id": ["t8"]}})])  # fmt: skip
    for i in range(50):
        event = {"source": "s", "detail": {"id": f"t{i}", "n": i + 1}}
        assert machine.match(event) == fresh.match(event)
    assert machine.match({"source": "s", "detail": {"id": "t9", "n": 100}}) == ["r10"]
    assert machine.stats() == fresh.stats()


def test_machine_keeps_a_text_or_dict_rule_as_its_text() -> None:
    # A rule added as text is kept as that text alone, a dict as its JSON (no model: about 700
    # bytes a many-tenant rule), each compiled again, by its own road, when read, replaced or
    # removed: to an equal pattern (a text's with its source), leaving the machine as a machine
    # built without the change; a dict orjson cannot write (an integer past 64 bits, which a
    # value list may hold) keeps its pattern.
    def rule(i: int) -> dict:
        return {"detail": {"id": [f"t{i}"], "n": [{"numeric": [">", i + 0.25]}]}}

    texts = [(f"r{i}", orjson.dumps(rule(i)).decode() if i % 2 else rule(i)) for i in range(30)]
    given = patterns.compile(texts[3][1])
    machine = Machine(rules=texts[:3] + [("r3", given)] + texts[4:])
    kept = dict(machine._rules.values())
    assert all(type(kept[i]) is (str if i % 2 else bytes) for i in range(30) if i != 3)
    assert kept[3] is given and machine["r3"] is given
    for i in (4, 5):
        assert machine[f"r{i}"] == patterns.compile(texts[i][1]) and machine[f"r{i}"] is not machine[f"r{i}"]
    assert machine["r5"].source == texts[5][1] and machine["r4"].source is None
    machine.add("r5", '{"detail": {"id": ["t6"]}}')  # replaces a text rule
    machine.add("r4", {"detail": {"id": ["t4"], "m": [1]}})  # replaces a dict rule
    machine.remove("r6")
    machine.remove("r3")
    machine.remove("r9")
    rest = [(n, t) for n, t in texts if n not in ("r3", "r4", "r5", "r6", "r9")] + [
        ("r5", '{"detail": {"id": ["t6"]}}'), ("r4", {"detail": {"id": ["t4"], "m": [1]}})]  # fmt: skip
    fresh = Machine(rules=rest)
    for i in range(30):
        for event in ({"detail": {"id": f"t{i}", "n": i + 1}}, {"detail": {"id": f"t{i}", "n": i, "m": 1}}):
            assert machine.match(event) == fresh.match(event)
    assert machine.stats() == fresh.stats()
    loaded = Machine.from_bytes(machine.to_bytes())
    assert loaded.match({"detail": {"id": "t6", "n": 0}}) == ["r5"]
    assert [loaded[n] for n in loaded] == [machine[n] for n in machine]
    machine.add("big", {"detail": {"id": [2**70]}})
    assert isinstance(machine._rules["big"][1], patterns.Pattern)
    assert machine.match({"detail": {"id": 2**70}}) == ["big"]
    machine.remove("big")
    assert machine.stats() == fresh.stats()
