"""`Machine.match` against the reference matcher applied rule by rule, on every dialect.

For random rule sets (mixed operators, ``$or``, arrays, nesting, dotted keys) and random events,
the names a machine returns are exactly the rules the reference matcher (`patterns.oracle`) says
match, in insertion order, and `Pattern.matches` agrees; also after random sequences of add,
replace and remove.
"""

from __future__ import annotations

import contextlib
import json

import pytest
from hypothesis import example, given, note
from hypothesis import strategies as st

import patterns
from patterns import InvalidPatternError, Machine
from patterns.events import flatten
from patterns.oracle import matches as oracle_matches

from ..strategies import (
    EVENT_NUMBERS,
    MATCHERS,
    STRINGS,
    events_for,
    pattern_values,
    patterns_for,
    witness_events,
)

# Every Machine and Pattern here runs on each matcher twin (tests/conftest.py: `twin`).
pytestmark = pytest.mark.usefixtures("twin")

DIALECTS = sorted(patterns.DIALECTS)


def _compiled(candidates: list[dict], dialect: str) -> list[patterns.Pattern]:
    out = []
    for candidate in candidates:
        with contextlib.suppress(InvalidPatternError):
            out.append(patterns.compile(candidate, dialect=dialect))
    return out


def _inputs(event, dialect: str) -> list:
    # Every form a caller may pass: the dict (read whole) and, for JSON inputs, its bytes
    # (read with field skipping).
    if dialect == "sns-attributes" or not isinstance(event, dict):
        return [event]
    text = json.dumps(event)  # not orjson: events hold integers beyond 64 bits
    return [event, text, text.encode()]


def _events(data: st.DataObject, dialect: str, rules: dict[str, patterns.Pattern], candidates: list) -> list:
    """Random inputs, and for JSON dialects inputs built on the rules' own paths and values."""
    strategy = events_for(dialect)
    if dialect != "sns-attributes":
        conditions = list({(c.path, c.leaf): None for p in rules.values() for b in p.branches for c in b})
        values = [v for c in candidates for v in pattern_values(c)]
        strategy = strategy | witness_events(conditions, values) | witness_events(conditions, values)
    return data.draw(st.lists(strategy, min_size=1, max_size=5), label="events")


def _oracle(p: patterns.Pattern, event) -> bool:
    # The reference matcher itself (Pattern.matches runs the Machine's engine since issue 7).
    decoded = p.dialect.decode(event)
    if decoded is None:
        return not (p.model.fields or p.model.ors)
    return oracle_matches(p.branches, flatten(decoded))


def _expected(rules: dict[str, patterns.Pattern], event) -> list[str]:
    expected = [name for name, p in rules.items() if _oracle(p, event)]
    assert expected == [name for name, p in rules.items() if p.matches(event)], "Pattern.matches"
    return expected


@pytest.mark.parametrize("dialect", DIALECTS)
@given(data=st.data())
def test_machine_equals_oracle_on_random_rule_sets(dialect: str, data: st.DataObject) -> None:
    candidates = data.draw(st.lists(patterns_for(dialect), min_size=1, max_size=8), label="patterns")
    rules = {f"r{i}": p for i, p in enumerate(_compiled(candidates, dialect))}
    machine = Machine(dialect=dialect)
    for name, p in rules.items():
        machine.add(name, p)
    for event in _events(data, dialect, rules, candidates):
        expected = _expected(rules, event)
        for given_as in _inputs(event, dialect):
            note(f"event {given_as!r}: expected {expected}")
            assert machine.match(given_as) == expected


@given(
    rule=patterns_for("eventbridge"),
    event=events_for("eventbridge"),
)
@example(rule={"a": {"b": [1]}, "c": [{"exists": False}]}, event={"a": [{"b": 1}], "": {"c": 1}})
@example(rule={"a": {"b": [1], "c": [2]}}, event={"a": [{"b": 1}, {"c": 2}]})
@example(rule={"a.b": [{"prefix": "a"}]}, event={"a": {"b": ["x", "ab"]}})
@example(rule={"a": [{"anything-but": {"wildcard": "a*"}}]}, event={"a": ["ab", 1]})
@example(rule={"a": [{"numeric": ["<=", 0]}]}, event={"a": -0.0})
@example(rule={"a": [{"suffix": {"equals-ignore-case": "ss"}}]}, event={"a": "aß"})
@example(rule={"a": [-0.0]}, event={"a": 0})
@example(
    rule={"items": {"sku": ["A"], "coupon": [{"exists": False}, "Z"]}},
    event={"items": [{"sku": "A", "coupon": "Z"}, {"sku": "B"}]},
)
def test_one_rule_machine_equals_pattern_matches(rule: dict, event: dict) -> None:
    try:
        p = patterns.compile(rule)
    except InvalidPatternError:
        return
    machine = Machine()
    machine.add("r", p)
    expected = _expected({"r": p}, event)
    for given_as in _inputs(event, "eventbridge"):
        assert machine.match(given_as) == expected


_EVERY_SCALAR = [*STRINGS, *EVENT_NUMBERS, True, False, None]


@given(value_lists=st.lists(st.lists(MATCHERS, min_size=1, max_size=2), min_size=1, max_size=12))
@example(value_lists=[[{"numeric": ["<", 0]}], [{"numeric": [">", -1]}], [-1]])
@example(value_lists=[[{"anything-but": {"prefix": "a"}}], [{"anything-but": ["a", 1]}], [{"exists": True}]])
def test_merged_value_index_equals_oracle_on_every_value(value_lists: list[list]) -> None:
    # Many rules on one field share one value index: every scalar of the vocabulary, alone and
    # in an array, goes through it.
    rules = {f"r{i}": p for i, p in enumerate(_compiled([{"a": vl} for vl in value_lists], "eventbridge"))}
    machine = Machine()
    for name, p in rules.items():
        machine.add(name, p)
    for value in _EVERY_SCALAR:
        for event in ({"a": value}, {"a": [value, "zz"]}):
            note(f"event {event!r}")
            for given_as in _inputs(event, "eventbridge"):
                assert machine.match(given_as) == _expected(rules, event)


_NAMES = st.sampled_from(["r0", "r1", "r2", "r3", "r4"])


@pytest.mark.parametrize("dialect", DIALECTS)
@given(data=st.data())
def test_machine_equals_oracle_after_random_changes(dialect: str, data: st.DataObject) -> None:
    ops = data.draw(
        st.lists(
            st.tuples(st.sampled_from(["add", "add", "remove"]), _NAMES, patterns_for(dialect)), max_size=12
        ),
        label="ops",
    )
    candidates = [c for _, _, c in ops]
    events = _events(
        data, dialect, {f"c{i}": p for i, p in enumerate(_compiled(candidates, dialect))}, candidates
    )
    machine = Machine(dialect=dialect)
    model: dict[str, patterns.Pattern] = {}
    order: list[str] = []  # names in first-added order, as the machine reports them
    for op, name, candidate in ops:
        if op == "remove":
            if name in model:
                machine.remove(name)
                del model[name]
                order.remove(name)
            else:
                with pytest.raises(KeyError):
                    machine.remove(name)
        else:
            compiled = _compiled([candidate], dialect)
            if not compiled:
                with pytest.raises(InvalidPatternError):
                    machine.add(name, candidate)
                continue  # a refused pattern leaves the rule set as it was
            machine.add(name, compiled[0])
            if name not in model:
                order.append(name)
            model[name] = compiled[0]
        note(f"after {op} {name}: {sorted(model)}")
        assert len(machine) == len(model)
        assert list(machine) == order
        ordered = {name: model[name] for name in order}
        for event in events:
            for given_as in _inputs(event, dialect):
                assert machine.match(given_as) == _expected(ordered, event)
    assert list(machine.match_many(events)) == [_expected({n: model[n] for n in order}, e) for e in events]
