"""`Machine.match_batch` and its `BatchResult` (issue 19), and the compiled walk's many matches.

The batch's answers are `match`'s, event by event (the property test compares them with the
oracle on random input: tests/property/test_batch_agree.py); here, what a consumer reads of a
`BatchResult` (flat C-int arrays with the buffer protocol, names, errors at their index, the
sequence protocol), and, on the dense workload (`bench.workloads.dense_*`: arrays of objects,
exists:false per element, 14 rules an event), that both twins give the oracle's answers and that
the compiled walk decides array consistency and absence in C, calling neither Python fallback.
"""

from __future__ import annotations

import gc

import orjson
import pytest

import patterns
from bench.workloads import dense_events, dense_rules
from patterns import BatchResult, InvalidEventError
from patterns.events import decode_event, flatten
from patterns.oracle import matches as oracle_matches

from ..conftest import twin_module

# Every Machine and Pattern here runs on each matcher twin (tests/conftest.py: `twin`).
pytestmark = pytest.mark.usefixtures("twin")


def _machine() -> patterns.Machine:
    machine = patterns.Machine()
    machine.add("a", {"k": ["x"]})
    machine.add("b", {"items": {"sku": ["s1"], "gift": [{"exists": False}]}})
    machine.add("c", {"k": [{"prefix": ""}]})
    return machine


EVENTS = [
    b'{"k": "x"}',
    b'{"k": "y", "items": [{"sku": "s1", "gift": true}, {"sku": "s1"}]}',
    b'{"k": ',
    '{"k": "x", "items": [{"sku": "s1", "gift": true}]}',
    {"k": "x", "items": [{"sku": "s1"}]},
    b'{"k": 1e400}',
    b"[1]",
]


def test_batch_result_reads_as_arrays_names_and_errors() -> None:
    machine = _machine()
    result = machine.match_batch(EVENTS)
    assert isinstance(result, BatchResult) and len(result) == len(EVENTS)
    assert list(result.offsets) == [0, 2, 4, 4, 6, 9, 9, 9]
    assert list(result.rule_ids) == [0, 2, 1, 2, 0, 2, 0, 1, 2]
    for arr in (result.offsets, result.rule_ids):  # C ints behind the buffer protocol: no copy for Arrow
        view = memoryview(arr)
        assert view.format == "i" and view.itemsize == 4 and view.contiguous
    assert dict(result.names) == {0: "a", 1: "b", 2: "c"}
    with pytest.raises(TypeError):
        result.names[3] = "d"  # type: ignore[index]  # read-only
    assert sorted(result.errors) == [2, 6]
    assert all(isinstance(e, InvalidEventError) for e in result.errors.values())
    assert result[0] == ["a", "c"] and result[-2] == [] and result[4] == ["a", "b", "c"]
    with pytest.raises(InvalidEventError):
        result[2]
    with pytest.raises(IndexError):
        result[len(EVENTS)]
    assert result[3:5] == [["a", "c"], ["a", "b", "c"]]
    expected = []
    for event in EVENTS:
        try:
            expected.append(machine.match(event))
        except InvalidEventError as exc:
            expected.append(type(exc))
    got = [r if isinstance(r, list) else type(r) for r in result.names_or_errors()]
    assert got == expected
    assert repr(result) == "BatchResult(events=7, matches=9, errors=2)"


def test_batch_takes_any_iterable_and_sees_later_rules() -> None:
    machine = _machine()
    assert machine.match_batch(iter(EVENTS[:2]))[1] == ["b", "c"]
    machine.remove("c")
    machine.add("d", {"k": ["y"]})
    result = machine.match_batch(tuple(EVENTS[:2]))
    assert result[0] == ["a"] and result[1] == ["b", "d"] and result.names[3] == "d"


def test_batch_names_are_made_per_event_on_demand(twin: str) -> None:
    # The twin's batch keeps the names its walk chose (`BatchNames`), one list an event made
    # when asked for, each call a new list; a declined event has none (the reference road
    # answers it, and `BatchResult` reads its names through `names`).
    machine = _machine()
    module = twin_module(twin)
    offsets, rule_ids, declined, names = module.match_batch(machine._current(), EVENTS[:4])
    assert list(declined) == [2] and len(names) == 4
    assert list(offsets) == [0, 2, 4, 4, 6] and list(rule_ids) == [0, 2, 1, 2, 0, 2]
    assert names.lists() == [["a", "c"], ["b", "c"], [], ["a", "c"]]
    assert [names.names(k) for k in range(4)] == names.lists()
    first = names.lists()
    first[0].append("z")
    assert names.names(0) == ["a", "c"] and names.lists()[0] == ["a", "c"]
    for k in (-1, 4):
        with pytest.raises(IndexError):
            names.names(k)


def test_batch_names_outlive_the_rules_they_were_matched_by() -> None:
    # The names a batch's walk chose belong to its rule set: removing every rule (and
    # collecting) leaves them readable.
    machine = _machine()
    result = machine.match_batch([b'{"k": "x"}', b'{"k": "y"}'])
    for name in ("a", "b", "c"):
        machine.remove(name)
    machine.add("e", {"k": ["y"]})
    gc.collect()
    assert result[0] == ["a", "c"] and list(result.names_or_errors()) == [["a", "c"], ["c"]]
    assert machine.match_batch([b'{"k": "y"}'])[0] == ["e"]


def test_dense_workload_twins_agree_with_the_oracle() -> None:
    rules = dense_rules(300)
    events = dense_events(60)
    machine = patterns.Machine()
    compiled = []
    for name, rule in rules:
        machine.add(name, rule)
        compiled.append((name, patterns.compile(rule)))
    expected = []
    for raw in events:
        flat = flatten(decode_event(raw))
        expected.append([name for name, p in compiled if oracle_matches(p.branches, flat)])
    assert sum(map(len, expected)) > 2 * len(events)  # many matches an event
    assert [machine.match(raw) for raw in events] == expected
    assert list(machine.match_batch(events)) == expected
    assert list(machine.match_many(events)) == expected


@pytest.mark.parametrize("elements", [10, 40, 200], ids=lambda n: f"{n}-elements")
def test_array_walk_reaching_many_states_agrees_with_the_oracle(elements: int) -> None:
    # Each element of the array takes a rule of its own, through two fields of the element:
    # the array walk reaches about 3 states an element (its table of reached states grows
    # in the C stack's storage, then onto the heap), and each rule's two conditions need a
    # consistent choice.
    machine = patterns.Machine()
    compiled = []
    for i in range(elements):
        rule = {"k": ["x"], "items": {"sku": [f"s{i}"], "n": [{"numeric": [">", i - 1]}]}}
        machine.add(f"r{i}", rule)
        compiled.append((f"r{i}", patterns.compile(rule)))
    items = [{"sku": f"s{i}", "n": i if i % 3 else -1} for i in range(elements)]
    raw = orjson.dumps({"k": "x", "items": items})
    flat = flatten(decode_event(raw))
    expected = [name for name, p in compiled if oracle_matches(p.branches, flat)]
    assert 0 < len(expected) < elements
    assert machine.match(raw) == expected
    assert machine.match_batch([raw, raw])[1] == expected


def test_compiled_walk_decides_arrays_and_absence_without_python(monkeypatch, twin: str) -> None:
    # The dense workload's conditions in arrays of objects (two fields of one element, a field
    # absent from an element) are decided in C: `consistent_choice` and `absent_in`, the
    # reference's, are left to the cases C passes on (two arrays of one element that could both
    # hold a condition, a path over 64 levels), which these events never are.
    if twin == "python":
        pytest.skip("the compiled walk's own property")
    module = twin_module("cython")

    def refuse(*args: object) -> None:
        raise AssertionError("a Python fallback ran on the hot path")

    machine = patterns.Machine()
    for name, rule in dense_rules(300):
        machine.add(name, rule)
    events = dense_events(60)
    expected = [machine.match(raw) for raw in events]  # the C walk's own answers, checked above
    monkeypatch.setattr(module, "consistent_choice", refuse)
    monkeypatch.setattr(module, "absent_in", refuse)
    assert [machine.match(raw) for raw in events] == expected
    assert list(machine.match_batch(events)) == expected
