"""`Machine.stats` and the memory budget (`patterns.footprint`).

The figures depend on the rule set alone (not on order, history or twin), the budget's running
total always equals a fresh count, and a refused change leaves the machine exactly as it was.
"""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from patterns import Machine
from patterns.errors import BudgetError
from patterns.footprint import Footprint, measure

pytestmark = pytest.mark.usefixtures("twin")

RULES = {
    "ec2": {"source": ["aws.ec2"], "detail": {"state": ["stopped", "terminated"]}},
    "ec2-pre": {"source": ["aws.ec2"], "detail": {"state": [{"prefix": "stop"}]}},
    "s3": {"source": ["aws.s3"], "detail": {"bucket": ["b"], "key": [{"suffix": ".png"}]}},
    "or": {"$or": [{"source": ["aws.ec2"]}, {"detail": {"n": [{"numeric": [">", 1, "<=", 5]}]}}]},
    "ip": {"detail": {"ip": [{"cidr": "10.0.0.0/8"}, {"cidr": "2001:db8::/32"}]}},
    "not": {"detail": {"env": [{"anything-but": ["dev", "test"]}], "gone": [{"exists": False}]}},
}


def test_figures_of_a_small_machine() -> None:
    m = Machine(rules=[("a", {"source": ["x"]}), ("b", {"source": ["x"], "detail": {"n": [1]}})])
    stats = m.stats()
    # root -source=x-> s1 (a ends) -detail.n=1-> s2 (b ends)
    assert (stats.rules, stats.states, stats.edges, stats.operands, stats.terminals) == (2, 3, 2, 2, 2)
    # 3 states x 16 + 2 edges x 8 + operands ("x": 8 + 1, the number 1: 8) + 2 terminals x 4
    # + rules (8 + len(name)) x 2
    assert stats.table_bytes == 48 + 16 + 9 + 8 + 8 + 18
    assert stats.as_dict()["table_bytes"] == stats.table_bytes


def test_the_same_rules_give_the_same_figures_whatever_the_history() -> None:
    expected = Machine(rules=RULES.items()).stats()
    for seed in range(5):
        rng = random.Random(seed)
        names = list(RULES)
        rng.shuffle(names)
        m = Machine(budget=1 << 30 if seed % 2 else None)
        m.match(b"{}")  # published: changes now edit the tables too
        for name in names:
            m.add(name, {"detail": {"tmp": [name]}})  # replaced below
            m.add(f"gone-{name}", {"source": [name]})
        for name in names:
            m.add(name, RULES[name])
            m.remove(f"gone-{name}")
        assert m.stats() == expected


def test_an_empty_machine() -> None:
    assert Machine().stats() == Footprint() == Footprint(0, 1, 0, 0, 0, 16)


def _same_machine(m: Machine, answers: list[list[str]], stats: Footprint, names: list[str]) -> None:
    events = [
        b'{"source": "aws.ec2", "detail": {"state": "stopped"}}',
        b'{"detail": {"n": 3, "env": "prod"}}',
    ]
    assert [m.match(e) for e in events] == answers
    assert m.stats() == stats and list(m) == names


def test_a_refused_add_leaves_the_machine_as_it_was() -> None:
    m = Machine(rules=RULES.items())
    budget = m.stats().table_bytes + 60  # room for "small" (50 bytes), not for "long"
    m = Machine(rules=RULES.items(), budget=budget)
    events = [
        b'{"source": "aws.ec2", "detail": {"state": "stopped"}}',
        b'{"detail": {"n": 3, "env": "prod"}}',
    ]
    answers, stats, names = [m.match(e) for e in events], m.stats(), list(m)
    with pytest.raises(BudgetError) as caught:
        m.add("long", {"detail": {"x": ["y" * 100]}})
    assert caught.value.budget == budget and caught.value.needed > budget
    assert "past its budget" in str(caught.value)
    _same_machine(m, answers, stats, names)
    with pytest.raises(BudgetError):  # a replacement that grows the rule
        m.add("ec2", {"source": ["aws.ec2"], "detail": {"state": ["z" * 100]}})
    _same_machine(m, answers, stats, names)
    with pytest.raises(BudgetError):  # a batch: none of it
        m.add_many([("small", {"source": ["q"]}), ("long", {"detail": {"x": ["y" * 100]}})])
    _same_machine(m, answers, stats, names)
    m.add("small", {"source": ["q"]})  # what fits still goes in
    assert "small" in m
    m.remove("small")
    assert m.stats() == stats


def test_a_budget_refuses_the_constructor_and_bad_budgets() -> None:
    with pytest.raises(BudgetError):
        Machine(rules=RULES.items(), budget=100)
    for bad in (-1, 1.5, True, "10"):
        with pytest.raises(ValueError, match="budget"):
            Machine(budget=bad)  # type: ignore[arg-type]


_OPS = st.lists(
    st.tuples(
        st.sampled_from(["add", "remove"]),
        st.sampled_from(list(RULES) + ["x", "y"]),
        st.sampled_from(list(RULES)),
    ),
    max_size=25,
)


@given(_OPS)
def test_the_running_total_equals_a_fresh_count(ops: list[tuple[str, str, str]]) -> None:
    # the budget's incremental total (`footprint.delta` per change) against `measure`
    m = Machine(budget=1 << 40)
    for i, (op, name, pattern) in enumerate(ops):
        if i == 3:
            m.match(b"{}")
        if op == "add":
            m.add(name, RULES[pattern])
        elif name in m:
            m.remove(name)
        assert m.stats() == measure(m._builder, list(m))


@given(st.lists(st.tuples(st.sampled_from(list(RULES) + ["x"]), st.sampled_from(list(RULES))), max_size=12))
def test_a_batch_is_priced_as_its_rules_one_by_one(batch: list[tuple[str, str]]) -> None:
    m = Machine(budget=1 << 40, rules=[("x", RULES["s3"]), ("ec2", RULES["or"])])
    m.add_many([(name, RULES[p]) for name, p in batch])
    assert m.stats() == measure(m._builder, list(m))
