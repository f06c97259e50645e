"""`patterns.machine`: the Machine API, the tables it builds, and memory returned on remove."""

from __future__ import annotations

import gc
import tracemalloc

import pytest

import patterns
from patterns import InvalidPatternError, Machine

# Every Machine and Pattern here runs on each matcher twin (tests/conftest.py: `twin`).
pytestmark = pytest.mark.usefixtures("twin")

EC2 = '{"source": ["aws.ec2"], "detail": {"state": ["stopped"]}}'
EVENT = b'{"source": "aws.ec2", "detail": {"state": "stopped", "amount": 1000}}'


def test_machine_issue_example() -> None:
    m = Machine(dialect="eventbridge")
    m.add("ec2-stopped", EC2)
    m.add("big-orders", {"detail": {"amount": [{"numeric": [">=", 1000]}]}})
    assert m.match(EVENT) == ["ec2-stopped", "big-orders"]
    assert list(m.match_many([EVENT, b'{"source": "x"}'])) == [["ec2-stopped", "big-orders"], []]
    m.remove("big-orders")
    assert len(m) == 1 and "ec2-stopped" in m and "big-orders" not in m
    assert m.match(EVENT) == ["ec2-stopped"]


def test_machine_is_exported() -> None:
    assert patterns.Machine is Machine
    assert "Machine" in patterns.__all__


def test_machine_add_raises_as_compile_does() -> None:
    m = Machine()
    bad = '{"a": [{"numeric": [">", "x"]}]}'
    with pytest.raises(InvalidPatternError) as from_compile:
        patterns.compile(bad)
    with pytest.raises(InvalidPatternError) as from_add:
        m.add("r", bad)
    assert str(from_add.value) == str(from_compile.value)
    assert from_add.value.line == from_compile.value.line
    assert len(m) == 0 and m.match(b'{"a": 1}') == []


def test_machine_refused_replacement_keeps_old_rule() -> None:
    m = Machine()
    m.add("r", '{"a": ["x"]}')
    with pytest.raises(InvalidPatternError):
        m.add("r", '{"a": "x"}')
    assert m.match(b'{"a": "x"}') == ["r"]


def test_machine_replace_keeps_place_and_drops_old_pattern() -> None:
    m = Machine()
    m.add("first", '{"a": ["x"]}')
    m.add("second", '{"a": ["x"]}')
    m.add("first", '{"a": ["y"]}')
    assert list(m) == ["first", "second"]
    assert m.match(b'{"a": "x"}') == ["second"]
    assert m.match(b'{"a": ["x", "y"]}') == ["first", "second"]


def test_machine_result_order_is_first_added_order() -> None:
    m = Machine()
    for name in ["z", "a", "m"]:
        m.add(name, '{"a": [{"exists": true}]}')
    assert m.match(b'{"a": 1}') == ["z", "a", "m"]
    m.remove("a")
    m.add("a", '{"a": [1]}')
    assert m.match(b'{"a": 1}') == ["z", "m", "a"]


def test_machine_remove_unknown_name_raises_key_error() -> None:
    m = Machine()
    with pytest.raises(KeyError):
        m.remove("nope")


def test_machine_rejects_pattern_of_other_dialect() -> None:
    m = Machine(dialect="eventbridge")
    with pytest.raises(ValueError, match="sns-body"):
        m.add("r", patterns.compile('{"a": ["x"]}', dialect="sns-body"))


def test_machine_getitem_returns_pattern() -> None:
    m = Machine()
    m.add("r", EC2)
    assert m["r"] == patterns.compile(EC2)


def test_machine_unknown_dialect_is_value_error() -> None:
    with pytest.raises(ValueError):
        Machine(dialect="sqs")


def test_machine_event_errors_as_pattern_matches() -> None:
    m = Machine()
    m.add("r", EC2)
    for bad in (b"[1]", b"{", {"a": {1, 2}}, 3):
        with pytest.raises(patterns.InvalidEventError):
            m.match(bad)


def test_machine_dict_event_is_checked_whole() -> None:
    # A dict no JSON decoder has seen is read whole, so a non-JSON value off the rules' paths
    # is refused exactly as Pattern.matches refuses it.
    m = Machine()
    m.add("r", '{"a": ["x"]}')
    with pytest.raises(patterns.InvalidEventError):
        m.match({"a": "x", "z": float("nan")})


def test_machine_shared_prefix_shares_states() -> None:
    m = Machine()
    for i in range(50):
        m.add(f"r{i}", {"source": ["aws.ec2"], "detail-type": [f"t{i}"]})
    tables = m._current()
    # root, one state for source after detail-type per rule, one detail-type state per rule
    assert len(tables.flat().term_off) - 1 == 1 + 50 + 50
    assert m.match(b'{"source": "aws.ec2", "detail-type": "t7"}') == ["r7"]


def test_machine_identical_rules_share_one_branch() -> None:
    m = Machine()
    m.add("a", EC2)
    m.add("b", EC2)
    tables = m._current()
    assert len(tables.flat().term_off) - 1 == 3  # root -> detail.state -> source
    assert list(tables.flat().term_rules) == [0, 1]


def test_machine_exists_false_and_value_in_one_list() -> None:
    m = Machine()
    m.add("r", '{"a": [{"exists": false}, "x"]}')
    assert m.match(b'{"b": 1}') == ["r"]
    assert m.match(b'{"a": "x"}') == ["r"]
    assert m.match(b'{"a": "y"}') == []


def test_machine_array_consistency() -> None:
    m = Machine()
    m.add("r", '{"a": {"b": [1], "c": [2]}}')
    assert m.match(b'{"a": [{"b": 1, "c": 2}]}') == ["r"]
    assert m.match(b'{"a": [{"b": 1}, {"c": 2}]}') == []


def test_machine_skips_fields_no_rule_names() -> None:
    m = Machine()
    m.add("r", '{"a": {"b": ["x"]}}')
    tables = m._current()
    assert tables.prefixes == frozenset({"", "a", "a.b"})
    assert m.match(b'{"a": {"b": "x", "c": {"deep": [1, 2, 3]}}, "z": [{"y": 1}]}') == ["r"]


def test_machine_dotted_key_and_nesting_are_one_path() -> None:
    m = Machine()
    m.add("r", '{"a.b": ["x"]}')
    assert m.match(b'{"a": {"b": "x"}}') == ["r"]
    assert m.match(b'{"a.b": "x"}') == ["r"]


def test_machine_empty_sns_policy_matches_unfiltered_input() -> None:
    m = Machine(dialect="sns-body")
    m.add("all", "{}")
    m.add("some", '{"a": ["x"]}')
    assert m.match("not json") == ["all"]
    assert m.match('{"a": "x"}') == ["all", "some"]


def _rules(n: int) -> list[tuple[str, dict]]:
    return [
        (f"r{i}", {"source": [f"s{i % 7}"], "detail": {"id": [f"id-{i}"], "n": [{"numeric": [">", i]}]}})
        for i in range(n)
    ]


def _allocated(m: Machine) -> int:
    m._current()
    gc.collect()
    return tracemalloc.get_traced_memory()[0]


def test_machine_remove_returns_memory() -> None:
    m = Machine()
    base_rules = _rules(50)
    for name, p in base_rules:
        m.add(name, p)
    extra = [(f"x{i}", {"source": [f"other-{i}"], "detail": {"id": [f"y-{i}"]}}) for i in range(500)]
    tracemalloc.start()
    try:
        levels = [_allocated(m)]
        for _ in range(3):
            for name, p in extra:
                m.add(name, p)
            grown = _allocated(m)
            for name, _ in extra:
                m.remove(name)
            levels.append(_allocated(m))
    finally:
        tracemalloc.stop()
    added = grown - levels[0]
    assert added > 100_000  # the extra rules did take memory
    # It came back: what stays is capacity of dicts that do not shrink (the rule table, the
    # root's children: 50 to 70 KB for 500 rules, whatever a rule takes), kept for the next
    # rules, not growing from one cycle to the next.
    assert levels[1] - levels[0] < added / 10
    assert abs(levels[3] - levels[1]) < added / 100
    assert m.match(b'{"source": "s3", "detail": {"id": "id-3", "n": 4}}') == ["r3"]


def test_machine_match_kept_for_later_sees_every_change() -> None:
    # A router keeps `match = machine.match` in its loop. Once published, the compiled twin's
    # `match` is the machine's own attribute (one C call): it must still answer from the
    # latest rules, before and after the first match, through adds, removes and compaction.
    m = Machine()
    m.add("a", {"source": ["x"]})
    before = m.match  # kept before anything was published
    assert before(b'{"source": "x"}') == ["a"]
    after = m.match  # kept after the first publication
    m.add("b", {"source": ["x"], "detail": {"n": [{"numeric": [">", 1]}]}})
    event = b'{"source": "x", "detail": {"n": 2}}'
    for match in (before, after, m.match):
        assert match(event) == ["a", "b"]
    for i in range(40):  # freed ids pass half the live ones: the writer compacts
        m.add(f"t{i}", {"source": [f"s{i}"]})
    for i in range(40):
        m.remove(f"t{i}")
    m.remove("a")
    for match in (before, after, m.match):
        assert match(event) == ["b"]
        assert match({"source": "x", "detail": {"n": 2}}) == ["b"]
        with pytest.raises(patterns.InvalidEventError):
            match(b'{"source": ')


def test_machine_subclass_overriding_match_keeps_its_override() -> None:
    class Counting(Machine):
        calls = 0

        def match(self, event):  # type: ignore[override]
            Counting.calls += 1
            return super().match(event)

    m = Counting()
    m.add("a", {"source": ["x"]})
    assert m.match(b'{"source": "x"}') == ["a"]
    assert m.match(b'{"source": "x"}') == ["a"]
    assert Counting.calls == 2
    assert "match" not in vars(m)


def test_live_match_answers_from_the_latest_publication() -> None:
    # `LiveMatch.publish(None, tables)` (tables without a twin's match) answers through the
    # decoding road; a new FastMatch takes over at once. Both twins make a LiveMatch.
    m = Machine()
    m.add("a", {"source": ["x"]})
    m.match(b"{}")
    live = m._matcher
    assert m.match == live.match
    old_tables = m._tables
    m.add("b", {"source": ["x"]})
    assert m.match(b'{"source": "x"}') == ["a", "b"]
    live.publish(None, old_tables)  # the reference road, on the tables before "b"
    assert m.match(b'{"source": "x"}') == ["a"]
    live.publish(m._fast, m._tables)
    assert m.match(b'{"source": "x"}') == ["a", "b"]
    with pytest.raises(RuntimeError, match="before anything was published"):
        type(live)(m._slow).match(b"{}")  # a LiveMatch no one published to: a clear error


@pytest.mark.parametrize("n_rules", [1, 2, 17, 40, 64, 65, 300, 1100])
def test_machine_answer_lists_each_matching_rule_once_in_added_order(n_rules: int) -> None:
    # Many rules matching one event, some through two branches ($or) that both hold: each
    # name once, in the order added (the compiled answer sorts up to 64 hits by insertion, up
    # to 1,024 by Shell sort and more with qsort, then drops repeats).
    m = Machine()
    names = [f"r{(i * 7) % n_rules:02d}-{i}" for i in range(n_rules)]  # added out of name order
    for i, name in enumerate(names):
        if i % 3 == 0:
            m.add(name, {"$or": [{"source": ["x"]}, {"detail": {"n": [{"numeric": [">", i]}]}}]})
        else:
            m.add(name, {"source": ["x"], "detail": {"n": [{"numeric": ["<", 1000 + i]}]}})
    assert m.match(b'{"source": "x", "detail": {"n": 999}}') == names
    assert m.match({"source": "x", "detail": {"n": 999}}) == names
    by_n = [name for i, name in enumerate(names) if i % 3 == 0 and i < 999]  # where n = 999 > i
    assert m.match(b'{"source": "y", "detail": {"n": 999}}') == by_n
