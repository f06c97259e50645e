"""`patterns.compiler`: the Builder (trie, publication by copy-on-write, compaction) and
`one_rule_tables`, read through the tables they publish; and the lowering of each value index.

The lowering's contract: a `LoweredIndex` (`ValueIndex.lowered`) holds every column the compiled
walker reads, in the form it reads it (local lists, references, UTF-8 keys, u64 halves, flat DFA
rows), so that the twin only copies it. `_lowered_probe` below reads those columns as
`CIndex.probe` (src_ext) does, in Python; for every index of real machines and every value it
must give the target states of the list ids `fire` gives (as a multiset), or None exactly where
the compiled twin leaves the value to Python. These tests run on both twins: the lowering is the
compiler's, whichever twin reads.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import replace
from unittest import mock

import patterns
from patterns import Machine, _match_py, compiler
from patterns import lower as lower_module
from patterns.automaton import (
    AFFIX_TAGS,
    N_TAGS,
    STRING_TAGS,
    T_AB_FOLDED,
    T_AB_PREFIX,
    T_AB_STR,
    T_AB_SUFFIX,
    T_EXACT,
    T_FOLDED,
    T_PREFIX,
    T_PREFIX_CI,
    T_SUFFIX,
    T_SUFFIX_CI,
    LoweredDFA,
    LoweredIndex,
    ValueIndex,
)
from patterns.compiler import Builder, one_rule_tables
from patterns.dialects import EVENTBRIDGE
from patterns.engine import Twin, run
from patterns.events import BigNumber
from patterns.netaddr import parse_ip
from patterns.numbers import as_double, number_key
from patterns.walk import StateEntries, fire, run_machine, select_leaves

from ..concurrency import run_together
from ..conftest import twin_module


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


# --- Lowering: ValueIndex.lowered -------------------------------------------------------------------

#: Every kind of event scalar, edge cases included.
VALUES = [
    "", "a", "ab", "abc", "A", "AB", "aB", "b", "ba", "x", "y", "z", "é", "éa", "aé", "É", "日本", "日",
    "ß", "SS", "ss", "v1", "v14", "xab", "aab", "éb", "b日本", "hello", "HELLO", "x\u0000y", "a😀b",
    "10.0.0.1", "010.0.0.1", "10.0.0.255", "11.0.0.0", "1.2.3.4", "1.2.3.5", "::1", "::",
    "::ffff:a00:1", "2001:db8::1", "2001:DB8::1", "2001:db9::", "2001:db8::1:0", "2001:db8::ff00:1", "a*b", "axb", "*", "zz", "zzz", "bq", "aq",
    0, 0.0, -0.0, 1, 1.0, 1.5, -1, 2, 3, 5, 2.5e9, 2**70, -(2**70), 2**1100, 1e-7, 1e300,
    True, False, None, BigNumber(), BigNumber(negative=True),
]  # fmt: skip

#: Rules holding every structure a value index has, several per field, lists of one item and
#: of several (two leaves sharing a value), keys a lone surrogate makes unencodable.
RULES = [
    {"a": ["x", "é", "", "日本", "x\u0000y", "10.0.0.1", "2001:db8::1", "\ud800"]},
    {"a": ["x", "ab", "::ffff:102:304"]},
    {"a": [{"prefix": "a"}, {"prefix": "ab"}, {"prefix": "é"}, {"suffix": "b"}, {"suffix": "日本"}]},
    {"a": [{"prefix": "a"}, {"suffix": ""}, {"prefix": "\ud800x"}]},
    {"a": [{"equals-ignore-case": "HeLLo"}, {"prefix": {"equals-ignore-case": "AB"}}]},
    {"a": [{"suffix": {"equals-ignore-case": "Lo"}}, {"equals-ignore-case": "ß"}]},
    {"a": [{"wildcard": "a*b"}, {"wildcard": "*日*"}]},
    {"a": [{"wildcard": "a*b"}, "y"]},
    {"a": [{"numeric": [">", 0, "<=", 5]}, 3, {"numeric": ["<", -1]}]},
    {"a": [3, True, None]},
    {"a": [False, {"exists": True}]},
    {"a": [{"cidr": "10.0.0.0/8"}, {"cidr": "2001:db8::/32"}, {"cidr": "::/127"}]},
    {"a": [{"cidr": "10.0.0.0/24"}, {"cidr": "1.2.3.4/31"}, {"cidr": "2001:db8::ff00:0/104"}]},
    # one anything-but per rule: operands of one value list lead to one state, so excluding
    # one of them would change no answer
    {"b": [{"anything-but": ["x", "y"]}]},
    {"b": [{"anything-but": {"prefix": "a"}}]},
    {"b": [{"anything-but": {"suffix": "b"}}]},
    {"b": [{"anything-but": {"equals-ignore-case": ["X", "Ab"]}}]},
    {"b": [{"anything-but": [1, 2]}]},
    {"b": [{"anything-but": 0}]},
    {"b": [{"anything-but": [1.5, 2.5e9]}]},
    {"b": [{"anything-but": {"wildcard": "a*"}}]},
    {"b": [{"anything-but": {"wildcard": ["*b", "日*"]}}]},
    {"b": [{"anything-but": {"prefix": "é"}}, "ab", {"exists": False}]},
    {"c": ["x"]},
    {"c": ["x", "y"]},
    {"d": [{"prefix": "v"}]},
    {"f": [{"wildcard": "zz*"}, {"wildcard": "b*"}, {"wildcard": "a*q"}]},  # rows out of order
    {"e": [{"numeric": [">=", 1]}]},
    {"e": [{"numeric": [">", 2]}]},  # the first local list comes after the strings
]


#: The pure twin, but with a writer that lowers every index (the compiled twin's writer does; the
#: pure twin's need not): the lowering is the compiler's, whichever build runs the test.
LOWERING = replace(Twin.of(_match_py), reads_lowered=True)


def _lowering_machine(dialect: str = "eventbridge") -> Machine:
    with mock.patch.object(Twin, "current", classmethod(lambda cls: LOWERING)):
        return Machine(dialect=dialect)


def _tables(rules: list, dialect: str = "eventbridge"):
    """(the value indexes, the lists) of a machine holding `rules`, published by one match."""
    m = _lowering_machine(dialect)
    for i, rule in enumerate(rules):
        m.add(f"r{i}", rule)
    m.match(b"{}")
    tables = m._tables
    return tables.flat().indexes, tables.walk[1]


# --- a reader of the lowered columns: `CIndex.probe` in Python -------------------------------------


def _resolve(lo: LoweredIndex, j: int) -> list[int]:
    """The ints a reference stands for (`CIndex._push_ref`)."""
    if j >= 0:
        return list(lo.list_items[lo.list_off[j] : lo.list_off[j + 1]])
    return [-2 - j] if j <= -2 else []


def _keys(lo: LoweredIndex) -> dict[tuple[int, bytes], int]:
    keys, at = {}, 0
    for i in range(0, len(lo.entries), 3):
        tag, length, ref = lo.entries[i : i + 3]
        keys[(tag, lo.key_data[at : at + length])] = ref
        at += length
    assert at == len(lo.key_data)
    return keys


def _dfa_run(dfa: LoweredDFA, text: str) -> list[int]:
    """The accepting payloads after reading `text` (`_dfa_run`), as the row columns give them."""
    if not len(dfa.other):
        return []
    state = 0
    for ch in text:
        a, b = dfa.mv_off[state], dfa.mv_off[state + 1]
        i = bisect_left(dfa.mv_cp, ord(ch), a, b)
        state = dfa.mv_next[i] if i < b and dfa.mv_cp[i] == ord(ch) else dfa.other[state]
        if state < 0:
            return []
    return list(dfa.acc[dfa.acc_off[state] : dfa.acc_off[state + 1]])


def _slot(keys: list[int], key: int) -> int:
    i = bisect_left(keys, key)
    return 2 * i + 1 if i < len(keys) and keys[i] == key else 2 * i


def _lowered_probe(lo: LoweredIndex, value) -> list[int] | None:
    """The target states the lowered index gives for one value, or None (left to Python)."""
    keys = _keys(lo)
    out: list[int] = []
    excluded: list[int] = []

    def lookup(tag: int, text: bytes) -> int:
        return keys.get((tag, text), -1)

    def affixes(tag: int, text: bytes, suffix: bool, into: list[int]) -> None:
        for length in lo.lens[lo.lens_start[tag] : lo.lens_end[tag]]:
            if length > len(text):
                return
            into.extend(_resolve(lo, lookup(tag, text[len(text) - length :] if suffix else text[:length])))

    t = type(value)
    if t is str:
        if lo.str_python or (lo.needs_fold and not value.isascii()):
            return None
        try:
            s = value.encode("utf-8")
        except UnicodeEncodeError:  # no event value holds a lone surrogate (the C probe: None)
            return None
        fs = s.lower() if lo.needs_fold else s  # an ASCII string's casefold
        for tag, text in ((T_EXACT, s), (T_FOLDED, fs)):
            if lo.tags >> tag & 1:
                out.extend(_resolve(lo, lookup(tag, text)))
        for tag, text, suffix in ((T_PREFIX, s, False), (T_PREFIX_CI, fs, False), (T_SUFFIX, s, True),
                                  (T_SUFFIX_CI, fs, True)):  # fmt: skip
            affixes(tag, text, suffix, out)
        if lo.wildcard is not None:
            for j in _dfa_run(lo.wildcard, value):
                out.extend(_resolve(lo, j))
        ip = parse_ip(value) if lo.has_ip else None
        if ip is not None and ip[0] == 4:
            i = bisect_left(lo.ip4_keys, ip[1])
            if i < len(lo.ip4_keys) and lo.ip4_keys[i] == ip[1]:
                out.extend(_resolve(lo, lo.ip4_refs[i]))
            if lo.cidr4_keys is not None:
                out.extend(_resolve(lo, lo.cidr4_refs[_slot(list(lo.cidr4_keys), ip[1])]))
        elif ip is not None:
            ip6 = [hi << 64 | low for hi, low in zip(lo.ip6_hi, lo.ip6_lo, strict=True)]
            i = bisect_left(ip6, ip[1])
            if i < len(ip6) and ip6[i] == ip[1]:
                out.extend(_resolve(lo, lo.ip6_refs[i]))
            if lo.cidr6_refs is not None:
                cidr6 = [hi << 64 | low for hi, low in zip(lo.cidr6_hi, lo.cidr6_lo, strict=True)]
                out.extend(_resolve(lo, lo.cidr6_refs[_slot(cidr6, ip[1])]))
        if lo.ab_refs is not None:
            for tag, text in ((T_AB_STR, s), (T_AB_FOLDED, fs)):
                if lo.tags >> tag & 1:
                    excluded.extend(_resolve(lo, lookup(tag, text)))
            affixes(T_AB_PREFIX, s, False, excluded)
            affixes(T_AB_SUFFIX, s, True, excluded)
            if lo.ab_wildcard is not None:
                excluded.extend(_dfa_run(lo.ab_wildcard, value))
    elif t is bool or value is None:
        out.extend(_resolve(lo, lo.literal[2 if value is None else int(value)]))
    elif t is not BigNumber:
        x = as_double(value)
        if len(lo.num_keys):
            out.extend(_resolve(lo, lo.num_slots[_slot(list(lo.num_keys), number_key(x))]))
        i = bisect_left(lo.abnum_keys, number_key(x))
        if x == x and i < len(lo.abnum_keys) and lo.abnum_keys[i] == number_key(x):
            excluded.extend(_resolve(lo, lo.abnum_refs[i]))
    out.extend(_resolve(lo, lo.exists))
    if value is not None and value != "":
        out.extend(_resolve(lo, lo.exists_value))
    if lo.ab_refs is not None:
        out.extend(s for i, j in enumerate(lo.ab_refs) if i not in excluded for s in _resolve(lo, j))
    return out


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _check(indexes, lists, values) -> int:
    """Assert the contract for every index and value; returns how many answers the columns gave."""
    answered = 0
    for vi in indexes:
        lo = vi.lowered
        assert isinstance(lo, LoweredIndex)
        for value in values:
            got = _lowered_probe(lo, value)
            if got is None:
                assert type(value) is str
                assert lo.str_python or (vi.needs_fold and not value.isascii()) or not _encodable(value)
                continue
            expected = sorted(s for k in fire(vi, value, lists) for s in lists[k])
            assert sorted(got) == expected, (value, vi.lowered)
            answered += 1
    return answered


def test_tags_are_distinct_and_below_n_tags() -> None:
    tags = [tag for tag, _ in STRING_TAGS]
    assert sorted(tags) == list(range(1, N_TAGS))
    assert {T_PREFIX, T_SUFFIX, T_PREFIX_CI, T_SUFFIX_CI, T_AB_PREFIX, T_AB_SUFFIX} == AFFIX_TAGS


def test_lowered_columns_give_what_fire_gives_for_every_structure() -> None:
    indexes, lists = _tables(RULES)
    assert len(indexes) >= 5
    answered = _check(indexes, lists, VALUES)
    assert answered > len(indexes) * len(VALUES) // 2
    lowered = [vi.lowered for vi in indexes]
    # every kind of column is exercised (or the test checks nothing of it)
    assert any(lo.list_off[-1] for lo in lowered)  # a local list of several items
    assert any(lo.list_off[-1] and not len(lo.entries) for lo in lowered)  # numbers' alone
    assert any(j <= -2 for lo in lowered for j in lo.entries[2::3])  # a one-item list in place
    assert any(len(lo.lens) for lo in lowered)
    assert any(lo.wildcard is not None and lo.ab_wildcard is None for lo in lowered)
    assert any(lo.ab_wildcard is not None for lo in lowered)
    assert any(len(lo.abnum_keys) for lo in lowered)
    assert any(len(lo.ip4_keys) and len(lo.ip6_hi) for lo in lowered)
    assert any(lo.cidr4_keys is not None and lo.cidr6_refs is not None for lo in lowered)


def test_lowered_keys_leave_out_lone_surrogates_and_count_lengths_in_bytes() -> None:
    indexes, _ = _tables([{"a": ["x", "\ud800"]}, {"a": [{"prefix": "é"}, {"prefix": "\udfffx"}]}])
    (vi,) = indexes
    lo = vi.lowered
    assert sorted(key for _, key in _keys(lo)) == [b"x", "é".encode()]
    assert list(lo.lens[lo.lens_start[T_PREFIX] : lo.lens_end[T_PREFIX]]) == [2]  # "é": 2 bytes


def test_lowered_exists_value_of_sns_bodies() -> None:
    indexes, lists = _tables([{"a": [{"exists": True}]}, {"a": ["x"]}], dialect="sns-body")
    (vi,) = indexes
    assert vi.lowered.exists_value != -1
    assert _lowered_probe(vi.lowered, None) == _lowered_probe(vi.lowered, "") == []
    _check(indexes, lists, VALUES)


def test_lowered_wildcard_over_budget_is_left_to_python() -> None:
    rules = [{"a": [{"wildcard": f"*tok{i}*"}]} for i in range(16)]
    indexes, lists = _tables(rules)
    (vi,) = indexes
    assert not vi.wildcard.is_dfa
    assert vi.lowered.str_python and vi.lowered.wildcard is None
    assert _lowered_probe(vi.lowered, "tok1") is None
    _check(indexes, lists, VALUES)


def test_patched_exact_index_is_lowered_too() -> None:
    m = _lowering_machine()
    m.add("r0", {"a": ["x"]})
    m.match(b"{}")
    m.add("r1", {"a": ["y"]})  # a change patches the exact-only index of "a" (`patch_field`)
    m.add("r2", {"a": ["x", "z"]})
    m.match(b"{}")
    tables = m._tables
    indexes, lists = tables.flat().indexes, tables.walk[1]
    (vi,) = indexes
    assert vi.exact_only is not None
    assert _check(indexes, lists, ["x", "y", "z", "w", 1, None]) == 6


def test_exact_only_columns_equal_what_the_general_loop_makes() -> None:
    # `lower` makes an exact-only index's key columns in one pass per column; they must be
    # exactly what its loop over every string structure makes of the same dict.
    many = [f"v{i}" for i in range(lower_module._COLUMNS_FROM)]  # enough keys to be made by column
    rules = [
        {"k": [*many, "x", "é", "日本", ""]},  # non-ASCII keys: lengths in bytes
        {"k": ["y"]},
        {"m": [*many, "a", "b"]},
        {"m": ["a"]},  # "a" in two lists: a local list
        {"s": [*many, "p", "\ud800q"]},  # a lone surrogate: left out
        {"t": ["a", "b"]},  # a small index: the loop
    ]
    indexes, lists = _tables(rules)
    exact_only = [vi for vi in indexes if vi.exact_only is not None]
    assert len(exact_only) == 4
    for vi in exact_only:
        general = ValueIndex()
        general.exact = vi.exact  # the same dict, not marked exact-only: the general loop
        want, got = lower_module.lower(general, lists), vi.lowered
        assert got.key_data == want.key_data
        assert list(got.entries) == list(want.entries)
        assert (list(got.list_off), list(got.list_items)) == (list(want.list_off), list(want.list_items))
        assert got.tags == want.tags == 1 << T_EXACT
    assert any(len(vi.lowered.list_items) for vi in exact_only)
    _check(indexes, lists, [*VALUES, "p", "\ud800q", "日本"])


def test_a_twin_that_does_not_read_them_gets_no_lowered_columns() -> None:
    pure = Twin.of(_match_py)
    assert not pure.reads_lowered
    builder = Builder(pure)
    builder.add(0, "r", *_branches({"a": ["x"], "b": [{"prefix": "p"}]}))
    tables = builder.build()
    assert all(vi.lowered is None for vi in tables.flat().indexes)
    builder = Builder(LOWERING)
    builder.add(0, "r", *_branches({"a": ["x"], "b": [{"prefix": "p"}]}))
    assert all(vi.lowered is not None for vi in builder.build().flat().indexes)


# --- What the writer keeps (issue 20, small tables) -----------------------------------------------

#: Every kind of state and index: exact, prefix, numbers, anything-but, exists, absence edges,
#: wildcards, IP addresses, two rules ending at one state, a rule of two branches.
SMALL_RULES = [
    {"source": ["aws.ec2"], "detail": {"id": ["i-1"]}},
    {"source": ["aws.ec2"], "detail": {"id": ["i-1"]}},
    {"source": ["aws.s3"], "detail": {"key": [{"prefix": "in/"}], "size": [{"numeric": [">", 10]}]}},
    {"source": ["orders"], "detail": {"state": [{"anything-but": ["void", "test"]}]}},
    {"source": ["users"], "detail": {"admin": [{"exists": True}], "gone": [{"exists": False}]}},
    {"detail": {"name": [{"wildcard": "a*b"}], "ip": ["10.0.0.1", {"cidr": "10.1.0.0/16"}]}},
    {"$or": [{"a": ["x"]}, {"b": [{"suffix": ".png"}]}]},
]
SMALL_EVENTS = [
    {"source": "aws.ec2", "detail": {"id": "i-1"}},
    {"source": "aws.s3", "detail": {"key": "in/x", "size": 11}},
    {"source": "aws.s3", "detail": {"key": "in/x", "size": 10}},
    {"source": "orders", "detail": {"state": "paid"}},
    {"source": "orders", "detail": {"state": "void"}},
    {"source": "users", "detail": {"admin": False}},
    {"source": "users", "detail": {"admin": False, "gone": 1}},
    {"detail": {"name": "axxb", "ip": "10.1.2.3"}},
    {"detail": {"name": "ab", "ip": "10.0.0.1"}},
    {"a": "x", "b": "y.png"},
    {"b": ["q.png", "r"]},
    {"detail": [{"id": "i-1"}, {"name": "ab"}], "source": "aws.ec2"},
]


def _reference_answers(tables) -> list[set[int]]:
    # the reference road (`patterns.walk`) over the tables' entries, whatever twin made them
    answers = []
    for event in SMALL_EVENTS:
        by_path, contexts = select_leaves(event, tables.prefixes, tables.path_ids)
        answers.append(run_machine(tables, by_path, contexts))
    return answers


def test_compiled_writer_keeps_no_reference_entries_and_makes_them_on_demand() -> None:
    built = {}
    for twin in (Twin.of(twin_module("cython")), Twin.of(_match_py)):
        builder = Builder(twin)
        for i, rule in enumerate(SMALL_RULES):
            builder.add(i, f"r{i}", *_branches(rule))
        first = builder.build()
        # a change, then a snapshot made by copy-on-write: its entries too
        changed = builder.remove(0, _branches(SMALL_RULES[0])[0])
        changed = builder.add(
            7, "r7", *_branches({"source": ["aws.s3"], "detail": {"key": [{"prefix": "out/"}]}})
        )
        built[twin.reads_lowered] = (first, changed)
    for compiled, pure in zip(built[True], built[False], strict=True):
        assert isinstance(compiled.walk[0], StateEntries) and type(pure.walk[0]) is list
        assert len(compiled.walk[0]) == len(pure.walk[0])
        for made, kept in zip(compiled.walk[0], pure.walk[0], strict=True):  # the same state ids
            if kept is None:
                assert made is None
                continue
            assert made[0] == kept[0] and made[2] == kept[2]  # rule ids, absence edges
            assert [(e[0], e[1] is None) for e in made[1] or ()] == [
                (e[0], e[1] is None) for e in kept[1] or ()
            ]
        assert _reference_answers(compiled) == _reference_answers(pure)
        assert any(_reference_answers(pure))
        # the compiled walk agrees with the reference road over its own tables
        for event, expected in zip(SMALL_EVENTS, _reference_answers(compiled), strict=True):
            assert set(compiled.twin.match_dict(compiled, event)) == expected, event
        # the lowered form is dropped once each index's CIndex is made
        assert all(vi.lowered is None and vi.cwalk is not None for vi in compiled.flat().indexes)


def test_builder_counts_branches_of_rules_ending_at_one_state() -> None:
    # a node keeps one branch of one rule as the rule id alone, and a count per rule beside others
    builder = Builder(Twin.current())
    one, empty = _branches({"a": ["x"]})
    builder.add(0, "twice", one + one, empty)  # two branches of rule 0 end at one state
    builder.add(1, "once", one, empty)
    tables = builder.build()
    assert _match(tables, {"a": "x"}) == {"twice", "once"}
    tables = builder.remove(1, one)
    assert _match(tables, {"a": "x"}) == {"twice"}
    tables = builder.add(0, "twice", one, empty, replacing=one + one)  # one branch left
    assert _match(tables, {"a": "x"}) == {"twice"}
    tables = builder.add(1, "once", one, empty)
    assert _match(tables, {"a": "x"}) == {"twice", "once"}
    tables = builder.remove(0, one)
    tables = builder.remove(1, one)
    assert _match(tables, {"a": "x"}) == set()
    assert builder.add(2, "again", one, empty) is not None
    assert _match(builder.build(), {"a": "x"}) == {"again"}


def test_reference_road_of_compiled_tables_from_many_threads_agrees() -> None:
    # the compiled twin's reference entries and probes are made on first use, by any thread
    built = []
    for twin in (Twin.of(twin_module("cython")), Twin.of(_match_py)):
        builder = Builder(twin)
        for i, rule in enumerate(SMALL_RULES):
            builder.add(i, f"r{i}", *_branches(rule))
        built.append(builder.build())
    compiled, pure = built
    got: list[list[set[int]]] = []  # each reader's answers (a reader that raised adds none)

    def reader() -> None:
        for _ in range(10):
            got.append(_reference_answers(compiled))

    run_together([reader] * 6)
    assert got == [_reference_answers(pure)] * 60
    assert all(vi.walk is not None for vi in compiled.flat().indexes)
