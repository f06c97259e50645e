"""`patterns.compiler`: the Builder (trie, publication by copy-on-write, compaction) and
`one_rule_tables`, read through the tables they publish."""

from __future__ import annotations

from unittest import mock

import patterns
from patterns import compiler
from patterns.compiler import Builder, one_rule_tables
from patterns.dialects import EVENTBRIDGE
from patterns.engine import Twin, run


def _branches(pattern, dialect="eventbridge"):
    p = patterns.compile(pattern, dialect=dialect)
    return p.branches, p.is_empty


def _match(tables, event) -> set[str]:
    return {tables.names[r] for r in run(tables, EVENTBRIDGE, event)}


def test_builder_publishes_nothing_before_its_first_build() -> None:
    builder = Builder(Twin.current())
    assert builder.add(0, "a", *_branches({"a": ["x"]})) is None
    assert not builder.built
    tables = builder.build()
    assert builder.built and _match(tables, {"a": "x"}) == {"a"}


def test_builder_changes_after_a_build_return_new_tables_and_leave_the_old_ones_alone() -> None:
    builder = Builder(Twin.current())
    builder.add(0, "a", *_branches({"a": ["x"]}))
    first = builder.build()
    second = builder.add(1, "b", *_branches({"a": ["x"], "b": ["y"]}))
    assert second is not None and second is not first
    assert _match(first, {"a": "x", "b": "y"}) == {"a"}  # a published snapshot never changes
    assert _match(second, {"a": "x", "b": "y"}) == {"a", "b"}
    third = builder.remove(0, _branches({"a": ["x"]})[0])
    assert _match(third, {"a": "x", "b": "y"}) == {"b"}
    assert _match(second, {"a": "x", "b": "y"}) == {"a", "b"}


def test_builder_replacing_a_rules_branches_drops_the_old_ones() -> None:
    builder = Builder(Twin.current())
    old, empty = _branches({"a": ["x"]})
    builder.add(0, "r", old, empty)
    builder.build()
    tables = builder.add(0, "r", *_branches({"a": ["y"]}), replacing=old)
    assert _match(tables, {"a": "x"}) == set()
    assert _match(tables, {"a": "y"}) == {"r"}


def test_builder_compacts_with_a_full_build_when_garbage_passes_half() -> None:
    builder = Builder(Twin.current())
    for i in range(10):
        builder.add(i, f"r{i}", *_branches({"a": [f"x{i}"], "b": [{"prefix": f"p{i}"}]}))
    builder.build()
    builds = []
    real = Builder.build

    def counting(self):
        builds.append(1)
        return real(self)

    with mock.patch.object(compiler, "_COMPACT_SLACK", 0), mock.patch.object(Builder, "build", counting):
        tables = None
        for i in range(10):
            tables = builder.remove(i, _branches({"a": [f"x{i}"], "b": [{"prefix": f"p{i}"}]})[0])
    assert builds, "removing every rule never compacted"
    assert tables is not None and len(tables.flat().term_off) - 1 == 1  # the root alone is left


def test_one_rule_tables_matches_as_the_pattern_does() -> None:
    branches, empty = _branches({"$or": [{"a": ["x"]}, {"b": [{"numeric": [">", 0]}]}]})
    tables = one_rule_tables(branches, empty, Twin.current())
    assert tables.names == {0: ""}
    assert _match(tables, {"b": 1}) == {""}
    assert _match(tables, {"b": 0}) == set()


def test_one_rule_tables_of_the_empty_pattern_match_every_event() -> None:
    branches, empty = _branches({}, "sns-body")  # SNS's way to filter nothing
    assert empty
    tables = one_rule_tables(branches, empty, Twin.current())
    assert tables.empty_rules == (0,)
    assert _match(tables, {"anything": 1}) == {""}
