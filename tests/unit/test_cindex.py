"""`CIndex` (src_ext/_cindex.pxi), the value indexes in C, against `fire`, the pure twin's probe.

The contract: for every published `ValueIndex` and every event value, `probe_value` gives the
target states of the list ids `fire(vi, value, lists)` gives (as a multiset, in any order), or
None exactly where the value is left to Python: a string when the index holds a wildcard or an
IP structure, or a non-ASCII string when some structure reads the casefolded value (and a
string UTF-8 cannot encode). Indexes come from real machines; the expected answers from `fire`.
"""

from __future__ import annotations

import os
import threading

import pytest
from hypothesis import given, note
from hypothesis import strategies as st

from patterns import InvalidPatternError, Machine
from patterns._match_py import fire
from patterns.events import BigNumber

try:
    from patterns._match_c import compile_index, probe_value
except ImportError:  # not built here (or built without the C indexes)
    if os.environ.get("PATTERNS_REQUIRE_EXTENSIONS"):
        pytest.fail(
            "PATTERNS_REQUIRE_EXTENSIONS is set but patterns._match_c has no compile_index", pytrace=False
        )
    pytest.skip("patterns._match_c is not built here (pure-Python install)", allow_module_level=True)

#: Structures whose string answers only Python gives (WildcardDFA, the IP parser).
PYTHON_ONLY_STR = ("wildcard", "ab_wildcard", "ip_exact", "cidr4_keys", "cidr6_keys")

#: Every kind of event scalar, edge cases included (an int too large for a double reads as inf).
COMMON_VALUES = [
    "", "a", "ab", "abc", "A", "AB", "aB", "b", "ba", "x", "y", "é", "éa", "aé", "É", "日本", "日",
    "ß", "SS", "ss", "10.0.0.1",
    0, 0.0, -0.0, 1, 1.0, 1.5, -1, 3, 5, 2**70, -(2**70), 2**1100, -(2**1100), 1e-7, 1e300,
    True, False, None, BigNumber(), BigNumber(negative=True),
]  # fmt: skip


def _tables(rules: list, dialect: str = "eventbridge"):
    """(the value indexes, the lists) of a machine holding `rules`, published by one match."""
    m = Machine(dialect=dialect)
    for i, rule in enumerate(rules):
        m.add(f"r{i}", rule)
    m.match(b"{}")
    tables = m._tables
    return tables.flat().indexes, tables.walk[1]


def _python_only(vi, value) -> bool:
    """Whether the contract lets `probe_value` answer None for this index and value."""
    if type(value) is not str:
        return False
    if any(getattr(vi, name) is not None for name in PYTHON_ONLY_STR):
        return True
    if vi.needs_fold and not value.isascii():
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _expected(vi, value, lists) -> list[int]:
    return sorted(s for k in fire(vi, value, lists) for s in lists[k])


def _check(indexes, lists, values) -> int:
    """Assert the contract for every index and value; returns how many answers came from C."""
    in_c = 0
    for vi in indexes:
        ci = compile_index(vi, lists)
        for value in values:
            got = probe_value(ci, value)
            if _python_only(vi, value):
                assert got is None, (value, got)
                continue
            assert got is not None, value
            assert sorted(got) == _expected(vi, value, lists), value
            in_c += 1
    return in_c


def _with(indexes, name: str) -> list:
    """The indexes holding structure `name`; at least one (or the test checks nothing)."""
    found = [vi for vi in indexes if getattr(vi, name) not in (None, -1)]
    assert found, f"no index holds {name}"
    return found


# --- hand examples ----------------------------------------------------------------------------------


def test_exact_hand_example_gives_the_states_of_the_list() -> None:
    indexes, lists = _tables([{"a": ["x"]}])
    (vi,) = indexes
    ci = compile_index(vi, lists)
    assert probe_value(ci, "x") == list(lists[vi.exact["x"]])
    assert probe_value(ci, "x") != []
    assert probe_value(ci, "y") == []
    assert probe_value(ci, 1) == []


def test_probe_value_refuses_a_non_scalar() -> None:
    indexes, lists = _tables([{"a": ["x"]}])
    with pytest.raises(TypeError):
        probe_value(compile_index(indexes[0], lists), [1])


def test_lone_surrogate_value_is_left_to_python() -> None:
    indexes, lists = _tables([{"a": ["x", {"prefix": "x"}]}])
    assert probe_value(compile_index(indexes[0], lists), "x\ud800") is None


# --- strings --------------------------------------------------------------------------------------


def test_exact_strings_non_ascii_and_empty() -> None:
    indexes, lists = _tables([{"a": ["x", "é", "", "日本", "x\u0000y"]}, {"a": ["é", "ab"]}])
    values = [*COMMON_VALUES, "x\u0000y", "x\u0000", "e\u0301", "日本語", "xx"]
    _with(indexes, "exact")
    assert _check(indexes, lists, values) == len(indexes) * len(values)


def test_prefix_and_suffix_of_several_lengths_with_multibyte_characters() -> None:
    affixes = ["a", "ab", "abc", "é", "éa", "日本", "b", "本", "aé"]
    rules = [{"a": [{"prefix": p}]} for p in affixes] + [{"a": [{"suffix": s}]} for s in affixes]
    rules += [{"b": [{"prefix": ""}, {"suffix": ""}]}, {"b": [{"prefix": "日"}, {"suffix": "a"}]}]
    indexes, lists = _tables(rules)
    _with(indexes, "prefix")
    _with(indexes, "suffix")
    values = [*COMMON_VALUES, "abcd", "éab", "日本語", "語日本", "aéa", "ééa", "本", "é日本"]
    assert _check(indexes, lists, values) == len(indexes) * len(values)


def test_equals_ignore_case_and_affixes_ignore_case_on_ascii_and_non_ascii() -> None:
    rules = [
        {"a": [{"equals-ignore-case": "HeLLo"}, {"equals-ignore-case": "SS"}, {"equals-ignore-case": "ß"}]},
        {"a": [{"prefix": {"equals-ignore-case": "AB"}}, {"suffix": {"equals-ignore-case": "Lo"}}]},
        {"a": [{"prefix": {"equals-ignore-case": "É"}}, "HELLO"]},
        {"a": [{"equals-ignore-case": "x" * 300}]},
    ]
    indexes, lists = _tables(rules)
    (vi,) = indexes
    assert vi.needs_fold
    ascii_values = ["hello", "HELLO", "hElLo", "ss", "SS", "sS", "ABC", "abLO", "aBlo", "xLO", "", "x" * 300,
                    "X" * 300, "X" * 299 + "Y"]  # fmt: skip
    non_ascii = ["ß", "é", "ÉA", "héLLo", "ABé", "ẞ"]
    ci = compile_index(vi, lists)
    for value in ascii_values:
        got = probe_value(ci, value)
        assert got is not None and sorted(got) == _expected(vi, value, lists), value
    assert any(_expected(vi, value, lists) for value in ascii_values)
    for value in non_ascii:
        assert probe_value(ci, value) is None, value
    _check(indexes, lists, COMMON_VALUES)


def test_numbers_still_in_c_when_folding_is_needed() -> None:
    indexes, lists = _tables([{"a": [{"equals-ignore-case": "é"}, {"numeric": [">", 0]}]}])
    ci = compile_index(indexes[0], lists)
    assert probe_value(ci, "é") is None
    assert sorted(probe_value(ci, 1)) == _expected(indexes[0], 1, lists) != []


# --- numbers, literals, exists ----------------------------------------------------------------------


def test_numbers_ranges_open_and_closed_zero_ints_huge_ints() -> None:
    rules = [
        {"n": [{"numeric": [">", 0, "<=", 5]}]},
        {"n": [{"numeric": [">=", 0, "<", 5]}]},
        {"n": [{"numeric": ["<", -1]}, 3]},
        {"n": [{"numeric": [">=", 1e300]}, -0.0]},
        {"n": [{"numeric": ["=", 1.5]}, 0]},
        {"n": [{"numeric": ["<=", -1e300]}]},
        {"n": [2**70, 1]},
    ]
    indexes, lists = _tables(rules)
    _with(indexes, "num_keys")
    values = [*COMMON_VALUES, -2, -1.0000001, -0.5, 0.5, 4.999999, 5.0000001, float("inf"), float("-inf"),
              2**53 + 1, 1e308]  # fmt: skip
    assert _check(indexes, lists, values) == len(indexes) * len(values)
    # a few answers the rules fix, so that the comparison is not between two empty answers
    (vi,) = indexes
    ci = compile_index(vi, lists)
    assert sorted(probe_value(ci, 0)) == sorted(probe_value(ci, -0.0)) == _expected(vi, 0, lists) != []
    assert probe_value(ci, 5) != probe_value(ci, 5.0000001)


def test_literals_exists_and_absence_edges() -> None:
    rules = [
        {"a": [True]},
        {"a": [False, "x"]},
        {"a": [None]},
        {"a": [{"exists": True}]},
        {"a": [{"exists": False}, "y"]},
        {"b": [{"exists": False}], "a": [1]},
    ]
    indexes, lists = _tables(rules)
    _with(indexes, "literal")
    _with(indexes, "exists")
    assert _check(indexes, lists, COMMON_VALUES) == len(indexes) * len(COMMON_VALUES)


def test_exists_value_of_sns_bodies_excludes_null_and_empty_string() -> None:
    indexes, lists = _tables([{"a": [{"exists": True}]}, {"a": ["x"]}], dialect="sns-body")
    (vi,) = _with(indexes, "exists_value")
    ci = compile_index(vi, lists)
    assert probe_value(ci, None) == probe_value(ci, "") == []
    assert probe_value(ci, "x") and probe_value(ci, 0) and probe_value(ci, BigNumber())
    _check(indexes, lists, COMMON_VALUES)


# --- anything-but -----------------------------------------------------------------------------------


def test_anything_but_every_kind_and_overlapping_exclusions() -> None:
    rules = [
        {"a": [{"anything-but": ["x", "y"]}]},
        {"a": [{"anything-but": "x"}]},
        {"a": [{"anything-but": {"prefix": "a"}}]},
        {"a": [{"anything-but": {"prefix": "ab"}}]},
        {"a": [{"anything-but": {"prefix": "é"}}]},
        {"a": [{"anything-but": {"suffix": "b"}}]},
        {"a": [{"anything-but": {"suffix": "日本"}}]},
        {"a": [{"anything-but": {"equals-ignore-case": ["X", "Ab"]}}]},
        {"a": [{"anything-but": [1, 2]}]},
        {"a": [{"anything-but": 0}]},
        {"a": [{"anything-but": [1.5, 2.5e9]}]},
        {"a": ["ab", {"prefix": "a"}]},
    ]
    indexes, lists = _tables(rules)
    (vi,) = indexes
    for name in ("ab_lists", "ab_str", "ab_num", "ab_prefix", "ab_suffix", "ab_folded"):
        _with(indexes, name)
    values = [*COMMON_VALUES, "aab", "éb", "b日本", "X", "xab"]
    ci = compile_index(vi, lists)
    for value in values:
        if _python_only(vi, value):
            assert probe_value(ci, value) is None
        else:
            assert sorted(probe_value(ci, value)) == _expected(vi, value, lists), value
    # "ab" is excluded by several operands at once (value, prefixes, suffix, ignore-case)
    assert len(fire(vi, "ab", lists)) < len(fire(vi, "zz", lists)) + 2


def test_anything_but_many_operands_and_large_exclusions() -> None:
    rules = [{"a": [{"anything-but": ["x", f"v{i}"]}]} for i in range(300)]
    rules += [{"a": [{"anything-but": {"prefix": f"v{i}"}}]} for i in range(0, 300, 7)]
    rules += [{"a": [{"anything-but": [i, -i]}]} for i in range(100)]
    indexes, lists = _tables(rules)
    values = ["x", "v1", "v14", "v140", "v299", "z", "", 0, 1, -1, 99, 100, True, None, BigNumber()]
    assert _check(indexes, lists, values) == len(indexes) * len(values)


# --- indexes only Python answers for strings --------------------------------------------------------


def test_wildcard_and_ip_indexes_leave_strings_to_python_but_not_numbers() -> None:
    rules = [
        {"a": [{"wildcard": "a*"}, "x", 3]},
        {"b": [{"cidr": "10.0.0.0/8"}, {"numeric": [">", 5]}]},
        {"c": [{"anything-but": {"wildcard": "x*"}}, True]},
        {"d": ["10.0.0.1", 7]},
        {"e": [{"cidr": "2001:db8::/32"}, None]},
    ]
    indexes, lists = _tables(rules)
    assert len(indexes) == 5
    for vi in indexes:
        assert any(getattr(vi, name) is not None for name in PYTHON_ONLY_STR)
        ci = compile_index(vi, lists)
        assert probe_value(ci, "x") is None
        assert probe_value(ci, "10.0.0.1") is None
    assert _check(indexes, lists, COMMON_VALUES) > 0


def test_probes_from_many_threads_agree() -> None:
    rules = [{"a": ["x", {"prefix": "a"}, {"numeric": [">", 0]}, {"anything-but": "y"}, {"anything-but": 1}]}]
    indexes, lists = _tables(rules)
    ci = compile_index(indexes[0], lists)
    want = [probe_value(ci, v) for v in COMMON_VALUES]
    bad: list = []

    def run() -> None:
        for _ in range(200):
            got = [probe_value(ci, v) for v in COMMON_VALUES]
            if got != want:
                bad.append(got)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not bad


# --- random rule sets ------------------------------------------------------------------------------

# Small alphabets, so that event values meet the operands (and their case variants) often.
_STRS = [
    "",
    "a",
    "ab",
    "aB",
    "AB",
    "b",
    "ba",
    "é",
    "éa",
    "aé",
    "É",
    "日本",
    "日",
    "ß",
    "SS",
    "ss",
    "x*y",
    "10.0.0.1",
]
_NUMS = [0, 0.0, -0.0, 1, 1.5, -1, 300, 2.5e9, 2**70]
_strs = st.sampled_from(_STRS)
_nonempty = st.sampled_from([s for s in _STRS if s])
_nums = st.sampled_from(_NUMS)

_matchers = st.one_of(
    _strs,
    _nums,
    st.sampled_from([True, False, None]),
    st.builds(lambda op, v: {op: v}, st.sampled_from(["prefix", "suffix"]), _strs),
    st.builds(lambda op, v: {op: {"equals-ignore-case": v}}, st.sampled_from(["prefix", "suffix"]), _strs),
    st.builds(lambda v: {"equals-ignore-case": v}, _strs),
    st.builds(lambda v: {"exists": v}, st.booleans()),
    st.builds(lambda op, x: {"numeric": [op, x]}, st.sampled_from(["=", "<", "<=", ">", ">="]), _nums),
    st.builds(
        lambda lo, hi, a, b: {"numeric": [a, lo, b, hi]},
        _nums, _nums, st.sampled_from([">", ">="]), st.sampled_from(["<", "<="]),
    ),
    st.builds(lambda v: {"anything-but": v}, _strs | _nums | st.lists(_strs, min_size=1, max_size=3)),
    st.builds(lambda v: {"anything-but": v}, st.lists(_nums, min_size=1, max_size=3)),
    st.builds(lambda op, v: {"anything-but": {op: v}}, st.sampled_from(["prefix", "suffix"]),
              _nonempty | st.lists(_nonempty, min_size=1, max_size=2)),
    st.builds(lambda v: {"anything-but": {"equals-ignore-case": v}}, _strs | st.lists(_strs, min_size=1, max_size=2)),
    # rarer: the structures that leave strings to Python
    st.sampled_from([{"wildcard": "a*"}, {"cidr": "10.0.0.0/8"}, {"anything-but": {"wildcard": "*b"}}]),
)  # fmt: skip

_rules = st.lists(
    st.dictionaries(
        st.sampled_from(["a", "b"]), st.lists(_matchers, min_size=1, max_size=3), min_size=1, max_size=2
    ),
    min_size=1,
    max_size=8,
)
_event_values = st.lists(
    st.text(alphabet="aAbBéÉ日本ßsS", max_size=4)
    | st.sampled_from(COMMON_VALUES)
    | st.floats(allow_nan=False)
    | st.integers(-(2**80), 2**80),
    max_size=12,
)


@given(_rules, _event_values)
def test_random_rule_sets_agree_with_fire(rules: list, values: list) -> None:
    kept = []
    for rule in rules:
        try:
            Machine().add("r", rule)
        except InvalidPatternError:
            continue
        kept.append(rule)
    if not kept:
        return
    note(f"rules: {kept!r}")
    indexes, lists = _tables(kept)
    _check(indexes, lists, [*values, *_STRS, *_NUMS, True, False, None, BigNumber()])
