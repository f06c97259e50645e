"""`patterns.automaton`: the published tables as data, and their flat form (`Tables.flat`)."""

from __future__ import annotations

import dataclasses

import pytest

import patterns
from patterns import _match_py
from patterns.automaton import Tables, ValueIndex
from patterns.compiler import Builder
from patterns.engine import Twin

RULES = {
    "a": {"source": ["x"], "detail": {"n": [{"numeric": [">", 1]}]}},
    "b": {"source": ["x"]},
    "c": {"detail": {"gone": [{"exists": False}], "k": ["v"]}},
}


def _tables() -> Tables:
    builder = Builder(Twin.of(_match_py))
    for rule_id, (name, pattern) in enumerate(RULES.items()):
        p = patterns.compile(pattern)
        builder.add(rule_id, name, p.branches, p.is_empty)
    return builder.build()


def test_tables_are_frozen() -> None:
    tables = _tables()
    with pytest.raises(dataclasses.FrozenInstanceError):
        tables.names = {}  # type: ignore[misc]


def test_value_index_starts_empty() -> None:
    vi = ValueIndex()
    assert vi.exists == vi.exists_value == -1 and not vi.needs_fold
    assert all(
        getattr(vi, n) is None for n in vi.__slots__ if n not in ("exists", "exists_value", "needs_fold")
    )


def test_flat_offsets_cover_every_state_and_list() -> None:
    tables = _tables()
    flat = tables.flat()
    states = len(tables.walk[0])
    for off in (flat.term_off, flat.edge_off, flat.absent_off):
        assert len(off) == states + 1 and list(off) == sorted(off)
    assert len(flat.list_off) == tables.lists_used + 1
    assert sorted(flat.term_rules) == [0, 1, 2]  # each rule ends once
    assert len(flat.edge_vix) == len(flat.indexes) == len(flat.edge_path)
    assert len(flat.absent_path) == 1  # c's exists:false


def test_flat_state_bits_say_what_each_state_has() -> None:
    tables = _tables()
    flat = tables.flat()
    for s in range(len(flat.state_has)):
        has = flat.state_has[s]
        assert bool(has & 1) == (flat.term_off[s + 1] > flat.term_off[s])
        assert bool(has & 4) == (flat.absent_off[s + 1] > flat.absent_off[s])
        edges = flat.edge_off[s + 1] > flat.edge_off[s] or bool(has & 4)
        assert bool(has & 2) == edges
    assert flat.state_parent[0] == -1
    assert all(flat.state_parent[s] < s for s in range(1, len(flat.state_parent)))


def test_flat_is_made_once_and_cached() -> None:
    tables = _tables()
    assert tables.flat() is tables.flat()


def test_flat_path_ids_name_the_rule_paths() -> None:
    tables = _tables()
    flat = tables.flat()
    assert {tables.path_names[p] for p in flat.edge_path} == {"source", "detail.n", "detail.k", "detail.gone"}
    assert {tables.path_names[p] for p in flat.absent_path} == {"detail.gone"}
