"""The compiled twin, the pure twin and the reference matcher agree (issue 9), on any JSON input.

One rule set goes into two machines, one per twin (`use_twin`), and each input is matched by
both and by the oracle (`oracle.matches` over the flattened `decode_event`, per rule): the three
answers are equal, or all three are `InvalidEventError`. Inputs are JSON text written the ways
producers write it: escapes where plain characters would do (``\\u0061``, ``\\/``), non-ASCII
keys and values raw or escaped, whitespace anywhere, keys repeated in one object (the last one
counts), numbers no double holds, deep nesting, arrays of objects, and invalid bytes.
"""

from __future__ import annotations

import json
import reprlib

import pytest
from hypothesis import example, given, note
from hypothesis import strategies as st

import patterns
from patterns import InvalidEventError, InvalidPatternError
from patterns.events import decode_event, flatten
from patterns.oracle import matches as oracle_matches

from ..conftest import use_twin
from ..strategies import pattern_values, patterns_for, witness_events
from .test_roads_agree import python_values, rule_sets, wire_inputs

#: The dialects whose events are JSON text the compiled road reads (the others decode first).
JSON_DIALECTS = ["eventbridge"]


def _machine(monkeypatch, tag: str, dialect: str, rules: dict[str, patterns.Pattern]) -> patterns.Machine:
    with monkeypatch.context() as m:
        use_twin(m, tag)
        machine = patterns.Machine(dialect)
        for name, p in rules.items():
            machine.add(name, p)
        machine.match(b"{}")  # tables built now, by this twin (and read by it from now on)
    return machine


def _oracle(rules: dict[str, patterns.Pattern], raw) -> list[str] | type[InvalidEventError]:
    try:
        flat = flatten(decode_event(raw))
    except InvalidEventError:
        return InvalidEventError
    return [name for name, p in rules.items() if oracle_matches(p.branches, flat)]


def _answer(machine: patterns.Machine, raw):
    try:
        return machine.match(raw)
    except InvalidEventError:
        return InvalidEventError


@st.composite
def written(draw, value) -> str:
    """JSON text of a decoded value, written as a producer might: escapes, spaces, repeats."""

    def space() -> str:
        return draw(st.sampled_from(["", "", "", " ", "\n  ", "\t"]))

    def string(text: str) -> str:
        out = []
        for ch in text:
            how = draw(st.integers(0, 9))
            if ch in '"\\' or ord(ch) < 0x20:
                out.append(json.dumps(ch)[1:-1])
            elif how == 0:  # an escape where the plain character would do
                out.append(f"\\u{ord(ch):04x}" if ord(ch) < 0x10000 else json.dumps(ch)[1:-1])
            elif how == 1 and ch == "/":
                out.append("\\/")
            else:
                out.append(ch)
        return '"' + "".join(out) + '"'

    def write(v) -> str:
        if isinstance(v, dict):
            parts = []
            for k, child in v.items():
                if draw(st.integers(0, 7)) == 0:  # a repeat before the value that counts
                    parts.append(space() + string(k) + space() + ":" + space() + json.dumps("dup") + space())
                parts.append(space() + string(k) + space() + ":" + space() + write(child) + space())
            return "{" + ",".join(parts) + "}"
        if isinstance(v, list):
            return "[" + ",".join(space() + write(child) + space() for child in v) + "]"
        if isinstance(v, str):
            return string(v)
        if isinstance(v, float) and v.is_integer() and draw(st.booleans()):
            return repr(v).replace("e+", "E")  # 1e+16 -> 1E16: another spelling of one double
        return json.dumps(v)

    return space() + write(value) + space()


@st.composite
def rules_and_inputs(draw, dialect: str):
    candidates = draw(st.lists(patterns_for(dialect), min_size=1, max_size=6), label="patterns")
    rules: dict[str, patterns.Pattern] = {}
    for i, candidate in enumerate(candidates):
        try:
            rules[f"r{i}"] = patterns.compile(candidate, dialect=dialect)
        except InvalidPatternError:
            continue
    conditions = list({(c.path, c.leaf): None for p in rules.values() for b in p.branches for c in b})
    values = [v for c in candidates for v in pattern_values(c)]
    inputs = []
    for _ in range(draw(st.integers(1, 4))):
        if draw(st.integers(0, 3)) == 0:
            inputs.append(draw(wire_inputs(), label="odd input"))
            continue
        event = draw(witness_events(conditions, values), label="event")
        text = draw(written(event), label="text")
        inputs.append(text.encode("utf-8", "surrogatepass") if draw(st.booleans()) else text)
    return rules, inputs


@pytest.mark.cython
@pytest.mark.parametrize("dialect", JSON_DIALECTS)
@given(data=st.data())
@example(data=None)
def test_compiled_pure_and_oracle_agree(monkeypatch, dialect: str, data) -> None:
    if data is None:  # the case: bytes and dict once disagreed on it
        rules = {"r": patterns.compile({"a": ["x"], "a.b": ["y"]}, dialect=dialect)}
        inputs = [b'{"a": [{"b": "y"}, "x"]}', '{"a": [{"b": "y"}, "x"]}']
    else:
        rules, inputs = data.draw(rules_and_inputs(dialect))
    compiled = _machine(monkeypatch, "cython", dialect, rules)
    pure = _machine(monkeypatch, "python", dialect, rules)
    assert compiled._tables.twin.match_json.__module__ == "patterns._match_c"
    assert pure._tables.twin.match_json.__module__ == "patterns._match_py"
    for raw in inputs:
        expected = _oracle(rules, raw)
        got_compiled, got_pure = _answer(compiled, raw), _answer(pure, raw)
        note(f"{raw!r}: oracle {expected}, compiled {got_compiled}, pure {got_pure}")
        assert got_compiled == expected
        assert got_pure == expected
        if isinstance(raw, (bytes, str)) and expected is not InvalidEventError:
            decoded = decode_event(raw)  # the decoded event: the dict road of both twins
            assert _answer(compiled, decoded) == expected
            assert _answer(pure, decoded) == expected


@pytest.mark.cython
@given(data=st.data())
@example(data=None)
def test_compiled_and_pure_agree_on_python_values(monkeypatch, data) -> None:
    # Decoded events as callers pass them: the compiled twin walks plain dicts in C
    # (`match_dict`) and leaves the rest (NaN, subclasses, bytes, cycles, 1,500 levels) to the
    # reference road; both twins give one answer, or both raise InvalidEventError.
    if data is None:
        rules = {"r": patterns.compile({"a": ["x"], "a.b": ["y"]})}
        cycle: dict = {"a": ["x"]}
        cycle["a"].append(cycle)
        deep: dict = {"b": "y"}
        for _ in range(3000):
            deep = {"a": deep}
        values = [
            {"a": [{"b": "y"}, "x"]},
            {"a": ({"b": "y"}, "x")},
            {"a": [{"b": "y"}, float("nan")]},
            cycle,
            deep,
        ]
    else:
        rules = data.draw(rule_sets("eventbridge"), label="rules")
        values = data.draw(st.lists(python_values(), min_size=1, max_size=3), label="values")
    compiled = _machine(monkeypatch, "cython", "eventbridge", rules)
    pure = _machine(monkeypatch, "python", "eventbridge", rules)
    for value in values:
        got_compiled, got_pure = _answer(compiled, value), _answer(pure, value)
        note(f"{reprlib.repr(value)}: compiled {got_compiled}, pure {got_pure}")  # reprlib: depth-capped
        assert got_compiled == got_pure
