"""`patterns.walk`, the reference walker: `select_leaves`, `fire`, `prepare` and `run_machine` over
tables the compiler publishes (the twins are held to it in tests/property)."""

from __future__ import annotations

import pytest

import patterns
from patterns import InvalidEventError, _match_py
from patterns.compiler import Builder
from patterns.engine import Twin
from patterns.events import ROOT_ONLY
from patterns.walk import fire, prepare, run_machine, select_leaves


def _tables(rules: dict[str, dict]):
    builder = Builder(Twin.of(_match_py))
    for rule_id, (name, pattern) in enumerate(rules.items()):
        p = patterns.compile(pattern)
        builder.add(rule_id, name, p.branches, p.is_empty)
    return builder.build()


def _names(tables, event: dict) -> set[str]:
    found = run_machine(tables, *select_leaves(event, tables.prefixes, tables.path_ids))
    return {tables.names[r] for r in found}


def test_select_leaves_keeps_only_rule_paths_and_skips_other_subtrees() -> None:
    prefixes = frozenset({"", "detail", "detail.state"})
    by_path, contexts = select_leaves(
        {"detail": {"state": "x", "other": {"deep": [1, 2]}}, "source": "s"}, prefixes, {"detail.state": 0}
    )
    assert by_path == {0: [("x", 0)]}
    assert contexts is ROOT_ONLY


def test_select_leaves_numbers_element_contexts_when_rule_paths_sit_in_arrays() -> None:
    by_path, contexts = select_leaves({"a": [{"b": 1}, {"b": 2}]}, frozenset({"", "a", "a.b"}), {"a.b": 0})
    assert sorted(by_path[0]) == [(1, 1), (2, 2)]
    assert contexts.parent[1:] == [0, 0] and contexts.array[1] == contexts.array[2]


def test_select_leaves_checks_a_callers_dict_only_when_asked() -> None:
    bad = {"a": float("nan")}
    with pytest.raises(InvalidEventError):
        select_leaves(bad, frozenset({"", "a"}), {"a": 0}, checked=False)
    with pytest.raises(InvalidEventError):
        select_leaves([1], frozenset({""}), {}, checked=False)


def test_fire_gives_the_lists_of_each_kind_a_value_hits() -> None:
    tables = _tables(
        {
            "exact": {"f": ["abc"]},
            "prefix": {"f": [{"prefix": "ab"}]},
            "suffix": {"f": [{"suffix": "bc"}]},
            "folded": {"f": [{"equals-ignore-case": "ABC"}]},
            "range": {"f": [{"numeric": [">", 1, "<=", 5]}]},
            "not-x": {"f": [{"anything-but": "x"}]},
        }
    )
    ((_, _, _, vi),) = tables.walk[0][0][1]  # state 0 reads one field, f
    lists = tables.walk[1]

    def names(value) -> set[str]:
        states = {s for k in fire(vi, value, lists) for s in lists[k]}
        return {tables.names[r] for s in states for r in (tables.walk[0][s][0] or ())}

    assert names("abc") == {"exact", "prefix", "suffix", "folded", "not-x"}
    assert names("aBC") == {"folded", "not-x"}
    assert names("x") == set()
    assert names(5) == {"range", "not-x"}
    assert names(1) == {"not-x"}


def test_prepare_makes_each_index_probe_once_and_reuses_it() -> None:
    tables = _tables({"r": {"f": [{"prefix": "ab"}]}})
    entry = tables.walk[0][0]
    ((path_id, exact, probe, vi),) = entry[1]
    assert exact is None and vi.walk is probe
    again = prepare((), ((path_id, vi),), (), tables.walk[1])
    assert again[1][0][2] is probe  # the index's probe, not a new one
    assert {s for k in probe("abc") for s in tables.walk[1][k]} == {1}


def test_run_machine_requires_leaves_from_one_array_element() -> None:
    tables = _tables({"r": {"a": {"b": ["x"], "c": ["y"]}}})
    assert _names(tables, {"a": [{"b": "x", "c": "y"}]}) == {"r"}
    assert _names(tables, {"a": [{"b": "x"}, {"c": "y"}]}) == set()


def test_run_machine_absence_edges_hold_per_element() -> None:
    tables = _tables({"r": {"a": {"b": ["x"], "c": [{"exists": False}]}}})
    assert _names(tables, {"a": [{"b": "x"}]}) == {"r"}
    assert _names(tables, {"a": [{"b": "x", "c": 1}]}) == set()
    assert _names(tables, {"a": [{"b": "x", "c": 1}, {"b": "x"}]}) == {"r"}
