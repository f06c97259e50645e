"""`CIndex` (src_ext/_values.pxi), the value indexes in C, against `fire`, the pure twin's probe.

The contract: for every published `ValueIndex` and every event value, `probe_value` gives the
target states of the list ids `fire(vi, value, lists)` gives (as a multiset, in any order), or
None exactly where the value is left to Python: a string when the index holds a wildcard
automaton that was not built (over its state budget), or a non-ASCII string when some structure
reads the casefolded value (and a string UTF-8 cannot encode). IP addresses and built wildcard
automata are answered in C. Indexes come from real machines; the expected answers from `fire`.
"""

from __future__ import annotations

import ipaddress
import os
import random
import threading
from array import array
from dataclasses import replace
from unittest import mock

import pytest
from hypothesis import given, note
from hypothesis import strategies as st

from patterns import InvalidPatternError, Machine, _match_py
from patterns.automaton import T_EXACT, ValueIndex
from patterns.engine import Twin
from patterns.events import BigNumber
from patterns.walk import fire

try:
    from patterns._match_c import compile_index, probe_value
except ImportError:  # not built here (or built without the C indexes)
    if os.environ.get("PATTERNS_REQUIRE_EXTENSIONS"):
        pytest.fail(
            "PATTERNS_REQUIRE_EXTENSIONS is set but patterns._match_c has no compile_index", pytrace=False
        )
    pytest.skip("patterns._match_c is not built here (pure-Python install)", allow_module_level=True)

#: Structures whose string answers only Python gives when their automaton was not built.
WILDCARDS = ("wildcard", "ab_wildcard")

#: Every kind of event scalar, edge cases included (an int too large for a double reads as inf).
COMMON_VALUES = [
    "", "a", "ab", "abc", "A", "AB", "aB", "b", "ba", "x", "y", "é", "éa", "aé", "É", "日本", "日",
    "ß", "SS", "ss", "10.0.0.1", "010.0.0.1", "::1", "::ffff:a00:1", "a*b", "*",
    0, 0.0, -0.0, 1, 1.0, 1.5, -1, 3, 5, 2**70, -(2**70), 2**1100, -(2**1100), 1e-7, 1e300,
    True, False, None, BigNumber(), BigNumber(negative=True),
]  # fmt: skip


#: The pure twin, but with a writer that lowers every index as the compiled twin's does, and keeps
#: the lowered form (the compiled twin's writer drops it once the index's `CIndex` is made).
LOWERING = replace(Twin.of(_match_py), reads_lowered=True)


def _tables(rules: list, dialect: str = "eventbridge"):
    """(the value indexes, the lists) of a machine holding `rules`, published by one match."""
    with mock.patch.object(Twin, "current", classmethod(lambda cls: LOWERING)):
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
    if any(getattr(vi, name) is not None and not getattr(vi, name).is_dfa for name in WILDCARDS):
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
        ci = compile_index(vi)
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
    ci = compile_index(vi)
    assert probe_value(ci, "x") == list(lists[vi.exact["x"]])
    assert probe_value(ci, "x") != []
    assert probe_value(ci, "y") == []
    assert probe_value(ci, 1) == []


def test_probe_value_refuses_a_non_scalar() -> None:
    indexes, _ = _tables([{"a": ["x"]}])
    with pytest.raises(TypeError):
        probe_value(compile_index(indexes[0]), [1])


def test_lone_surrogate_value_is_left_to_python() -> None:
    indexes, _ = _tables([{"a": ["x", {"prefix": "x"}]}])
    assert probe_value(compile_index(indexes[0]), "x\ud800") is None


def test_malformed_lowered_columns_raise_instead_of_being_read() -> None:
    # CIndex copies the compiler's lowered columns as they are; what its probes' reads rely on
    # (types, lengths, offsets, references, key bounds) is checked while copying.
    indexes, lists = _tables([{"a": ["x", {"prefix": "ab"}, {"numeric": [">", 0]}]}, {"a": ["x", "y"]}])
    (vi,) = indexes
    lo = vi.lowered

    def lowered(**changes) -> ValueIndex:
        bad = ValueIndex()
        bad.lowered = lo._replace(**changes)
        return bad

    assert sorted(probe_value(compile_index(lowered()), "x")) == _expected(vi, "x", lists) != []
    n_lists = len(lo.list_off) - 1
    cases = [
        (TypeError, {"list_items": list(lo.list_items)}),  # not an array
        (TypeError, {"num_keys": array("q", [0] * len(lo.num_keys))}),  # signed where unsigned is read
        (ValueError, {"list_off": array("q", [0, len(lo.list_items) + 1])}),  # past the items
        (ValueError, {"num_slots": array("q", [-1])}),  # not 2n + 1 slots
        (ValueError, {"exists": n_lists}),  # a reference to no local list
        (OverflowError, {"literal": array("q", [-2 - 2**40, -1, -1])}),  # a state past 32 bits
        (ValueError, {"lens": array("q", [-1])}),  # a negative key length
        (ValueError, {"entries": array("q", [T_EXACT, len(lo.key_data) + 1, -1])}),  # past the bytes
    ]
    for error, changes in cases:
        with pytest.raises(error):
            compile_index(lowered(**changes))


# --- strings --------------------------------------------------------------------------------------


def test_exact_strings_non_ascii_and_empty() -> None:
    indexes, lists = _tables([{"a": ["x", "é", "", "日本", "x\u0000y"]}, {"a": ["é", "ab"]}])
    values = [*COMMON_VALUES, "x\u0000y", "x\u0000", "e\u0301", "日本語", "xx"]
    _with(indexes, "exact")
    assert _check(indexes, lists, values) == len(indexes) * len(values)


def test_keys_of_every_length_up_to_40_bytes_differing_in_any_one_byte() -> None:
    # The key hash reads keys of up to 16 bytes as two words from both ends (4 to 7 bytes as
    # two 32-bit words, 1 to 3 as three bytes) and longer ones 16 bytes a round: every byte of
    # every length must count, or two keys one byte apart would share an answer.
    values = []
    for n in range(41):
        base = "".join(chr(97 + (7 * i) % 26) for i in range(n))
        values += [base] + [base[:i] + "Z" + base[i + 1 :] for i in range(n)]
    rules = [{"a": values[k::3]} for k in range(3)]
    rules += [{"b": [{"prefix": v} for v in values[:60:2]]}, {"b": [{"suffix": v} for v in values[1:60:2]]}]
    indexes, lists = _tables(rules)
    _with(indexes, "exact")
    probes = values + [v + "q" for v in values[::5]]
    assert _check(indexes, lists, probes) == len(indexes) * len(probes)
    for vi in indexes:  # and each exact key finds its own list, not a neighbour's
        if vi.exact:
            ci = compile_index(vi)
            for value, k in vi.exact.items():
                assert sorted(probe_value(ci, value)) == sorted(lists[k])


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
    ci = compile_index(vi)
    for value in ascii_values:
        got = probe_value(ci, value)
        assert got is not None and sorted(got) == _expected(vi, value, lists), value
    assert any(_expected(vi, value, lists) for value in ascii_values)
    for value in non_ascii:
        assert probe_value(ci, value) is None, value
    _check(indexes, lists, COMMON_VALUES)


def test_numbers_still_in_c_when_folding_is_needed() -> None:
    indexes, lists = _tables([{"a": [{"equals-ignore-case": "é"}, {"numeric": [">", 0]}]}])
    ci = compile_index(indexes[0])
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
    ci = compile_index(vi)
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
    ci = compile_index(vi)
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
    ci = compile_index(vi)
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


# --- IP addresses ------------------------------------------------------------------------------------

#: Values that are, or look close to, IP addresses: leading zeros, 256, four-digit parts, stray
#: characters, IPv6 forms `ipaddress` accepts or refuses, IPv4-mapped IPv6.
IP_VALUES = [
    "10.0.0.1", "010.000.000.001", "10.0.0.01", "10.0.0.0001", "0010.0.0.1", "10.0.0.256",
    "10.0.0.1000", "10.0.0.00256", "10.0.0.255", "10.0.0.1.", ".10.0.0.1", "10.0.0", "10.0.0.1.1",
    "10..0.1", "10.0.0.-1", "10.0.0.1 ", " 10.0.0.1", "10.0.0.a", "\uff110.0.0.1", "10.0.0.1/8",
    "0.0.0.0", "255.255.255.255", "9.255.255.255", "11.0.0.0", "10.255.255.255", "1.2.3.4", "1.2.3.5",
    "::ffff:a00:1", "::FFFF:A00:1", "0:0:0:0:0:ffff:a00:1", "::ffff:10.0.0.1", "::ffff:102:304",
    "::fffe:a00:1", "::1", "::", "::0", "0::", "1::", "::2:3:4:5:6:7:8", "1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:8",
    "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", "1::2::3", "2001:db8::0:0:0:0:0:1", "1:2:3:4::5:6:7:8", ":::", ":1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8:",
    ":1::", "::1:", ":1::2", "1::2:", "12345::", "01234::", "g::1", "a:b", ":", "2001:db8::1", "2001:DB8:0:0:0:0:0:1",
    "2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", "2001:db9::",
    "2001:db7:ffff:ffff:ffff:ffff:ffff:ffff", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "fe80::1%eth0",
    "", "x", "é.é.é.é",
]  # fmt: skip


def test_ip_exact_values_match_every_textual_form_of_the_address() -> None:
    rules = [{"a": ["10.0.0.1", "::ffff:102:304", "2001:db8::1", "x"]}, {"a": ["0.0.0.0", "::"]}]
    indexes, lists = _tables(rules)
    (vi,) = _with(indexes, "ip_exact")
    values = [*COMMON_VALUES, *IP_VALUES]
    assert _check(indexes, lists, values) == len(values)
    ci = compile_index(vi)
    ten = set(probe_value(ci, "10.0.0.1"))  # the exact string and the address: the same state
    assert ten == set(_expected(vi, "10.0.0.1", lists)) != set()
    # leading zeros read as decimal; IPv4-mapped IPv6 is the IPv4 address
    for same in ("010.000.000.001", "10.0.0.0001", "::ffff:a00:1", "0:0:0:0:0:ffff:a00:1"):
        assert set(probe_value(ci, same)) == ten, same
    assert probe_value(ci, "1.2.3.4") and probe_value(ci, "2001:0DB8::0:1") and probe_value(ci, "0::0")
    for other in ("10.0.0.256", "10.0.0.1000", "::ffff:10.0.0.1", "10.0.0.1 ", "\uff110.0.0.1"):
        assert probe_value(ci, other) == [], other


def test_cidr_rules_ipv4_and_ipv6_at_their_bounds() -> None:
    rules = [
        {"a": [{"cidr": "10.0.0.0/8"}]},
        {"a": [{"cidr": "10.0.0.0/24"}, "x"]},
        {"a": [{"cidr": "1.2.3.4/31"}]},
        {"a": [{"cidr": "0.0.0.0/0"}, 5]},
        {"a": [{"cidr": "2001:db8::/32"}]},
        {"a": [{"cidr": "::/127"}]},
        {"d": [{"cidr": "::/0"}, {"cidr": "0.0.0.0/0"}]},  # every address, and only addresses
        {"a": [{"cidr": "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ff00/120"}]},
        {"b": [{"cidr": "2001:db8::/32"}]},  # IPv6 only: an IPv4 value hits nothing
        {"c": [{"cidr": "10.0.0.0/8"}]},  # IPv4 only
    ]
    indexes, lists = _tables(rules)
    for name in ("cidr4_keys", "cidr6_keys"):
        _with(indexes, name)
    values = [*COMMON_VALUES, *IP_VALUES]
    assert _check(indexes, lists, values) == len(indexes) * len(values)
    vi = next(vi for vi in indexes if vi.cidr4_keys is not None and vi.cidr6_keys is not None)
    ci = compile_index(vi)
    # answers the rules fix, so that the comparison is not between two empty answers
    hits = {v: set(probe_value(ci, v)) for v in ("10.0.0.1", "11.0.0.0", "2001:db8::1", "2001:db9::")}
    assert hits["10.0.0.1"] > hits["11.0.0.0"] != set()  # /8, /24 and /0 against /0 alone
    assert hits["2001:db8::1"] > hits["2001:db9::"]
    assert set(probe_value(ci, "::ffff:a00:1")) == hits["10.0.0.1"]


def test_ipv6_cidr_over_random_addresses_and_their_neighbours() -> None:
    rng = random.Random(7)
    nets = ["2001:db8::/32", "2001:db8:8000::/33", "::/1", "8000::/1", "fe80::/10", "::fffe:0:0/96"]
    rules = [{"a": [{"cidr": net}]} for net in nets]
    indexes, lists = _tables(rules)
    (vi,) = indexes
    values = []
    for net in nets:
        n = ipaddress.IPv6Network(net)
        for x in (int(n.network_address), int(n.broadcast_address)):
            for d in (-1, 0, 1):
                if 0 <= x + d < 2**128:
                    a = ipaddress.IPv6Address(x + d)
                    values += [a.compressed, a.exploded]
    values += [ipaddress.IPv6Address(rng.getrandbits(128)).compressed for _ in range(200)]
    assert _check(indexes, lists, values) == len(values)
    assert sum(bool(probe_value(compile_index(vi), v)) for v in values) > len(values) // 2


# --- wildcards ---------------------------------------------------------------------------------------

#: Values for wildcard operands: empty, ASCII, multibyte (2, 3 and 4 UTF-8 bytes), literal stars
#: and backslashes, a NUL.
WILDCARD_VALUES = [
    "", "a", "b", "ab", "ba", "abc", "abbc", "a*b", "a*c", "axb", "aé", "éa", "é", "éé", "日本", "日x本",
    "日本本", "本", "x😀", "😀", "😀😀", "\\", "a\\b", "*", "**", "a\u0000b", "arn:aws:s3:::bucket/x.png",
    "arn:aws:s3:::bucket/x.jpg", "arn:aws:s3:::bucket/.png", "ARN:aws:s3:::bucket/x.png",
]  # fmt: skip


def test_wildcard_operands_ascii_non_ascii_escapes_and_stars_at_ends() -> None:
    operands = ["a*", "*b", "*", "a*b*c", "日*本", "é*", "*😀", "a\\*b", "\\\\", "*a*", "ab",
                "arn:aws:s3:::bucket/*.png", "a\u0000*", ""]  # fmt: skip
    rules = [{"a": [{"wildcard": op}]} for op in operands]
    rules += [{"b": [{"wildcard": "a*"}, "x", {"prefix": "a"}, {"cidr": "10.0.0.0/8"}, 3]}]
    indexes, lists = _tables(rules)
    for vi in _with(indexes, "wildcard"):
        assert vi.wildcard.is_dfa
    values = [*COMMON_VALUES, *WILDCARD_VALUES]
    assert _check(indexes, lists, values) == len(indexes) * len(values)
    vi = next(vi for vi in indexes if vi.prefix is None)
    ci = compile_index(vi)
    got = {v: sorted(probe_value(ci, v)) for v in ("a*b", "axb", "日x本", "x😀", "", "\\", "zz")}
    assert all(states == _expected(vi, v, lists) for v, states in got.items())
    assert len(got["a*b"]) > len(got["axb"])  # the escaped star matches a star only
    # every value hits "*" (all "zz" hits); these hit an operand of their own too
    assert all(len(got[v]) > len(got["zz"]) > 0 for v in ("日x本", "x😀", "", "\\"))


def test_anything_but_wildcard_excludes_the_operands_it_matches() -> None:
    rules = [
        {"a": [{"anything-but": {"wildcard": "a*"}}]},
        {"a": [{"anything-but": {"wildcard": ["*b", "日*"]}}]},
        {"a": [{"anything-but": {"wildcard": "*"}}]},
        {"a": [{"anything-but": {"wildcard": "a\\*b"}}]},
        {"a": [{"anything-but": {"wildcard": "*😀"}}, {"anything-but": ["ab", "x"]}]},
        {"a": [{"anything-but": {"prefix": "a"}}, {"wildcard": "*b*"}]},
    ]
    indexes, lists = _tables(rules)
    (vi,) = _with(indexes, "ab_wildcard")
    assert vi.ab_wildcard.is_dfa
    values = [*COMMON_VALUES, *WILDCARD_VALUES]
    assert _check(indexes, lists, values) == len(values)
    ci = compile_index(vi)
    # "ab" is excluded by "a*", "*b", the value "ab" and the prefix "a" at once
    assert len(probe_value(ci, "ab")) < len(probe_value(ci, "zz"))
    assert probe_value(ci, "a*b") != probe_value(ci, "axb")


def test_large_wildcard_automaton_in_c_and_unbuilt_one_left_to_python() -> None:
    # 10 operands "*t<i>*" build a DFA of 3,072 states; 12 pass its budget: no table, Python runs
    built, lists = _tables([{"a": [{"wildcard": f"*t{i:02d}*"}, 1]} for i in range(10)])
    (vi,) = built
    assert vi.wildcard.is_dfa and len(vi.wildcard._moves) > 3000
    values = [*COMMON_VALUES, "t00", "xt03yt07zt09", "".join(f"t{i:02d}" for i in range(10)), "t0", "t1t"]
    assert _check(built, lists, values) == len(values)
    assert len(probe_value(compile_index(vi), values[-3])) == 10
    unbuilt, lists = _tables([{"a": [{"wildcard": f"*t{i:02d}*"}, 1]} for i in range(12)])
    (vi,) = unbuilt
    assert not vi.wildcard.is_dfa
    ci = compile_index(vi)
    assert probe_value(ci, "t00") is None and probe_value(ci, "") is None
    assert sorted(probe_value(ci, 1)) == _expected(vi, 1, lists) != []
    _check(unbuilt, lists, COMMON_VALUES)


def test_probes_from_many_threads_agree() -> None:
    rules = [{"a": ["x", {"prefix": "a"}, {"numeric": [">", 0]}, {"anything-but": "y"}, {"anything-but": 1}]},
             {"a": [{"wildcard": "*é*"}, {"cidr": "10.0.0.0/8"}, "2001:db8::1"]},
             {"a": [{"anything-but": {"wildcard": "a*"}}, {"cidr": "2001:db8::/32"}]}]  # fmt: skip
    indexes, _ = _tables(rules)
    ci = compile_index(indexes[0])
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
_wildcards = st.lists(st.sampled_from(["a", "b", "é", "日", "😀", "*", "\\*", "."]), max_size=5).map("".join)
_cidrs = st.sampled_from(["10.0.0.0/8", "10.0.0.0/24", "0.0.0.0/0", "1.2.3.4/31", "2001:db8::/32", "::/0",
                          "::ffff:0:0/96", "fe80::/10"])  # fmt: skip
_ipv4_texts = st.builds(
    lambda parts, pad: ".".join(str(p).zfill(w) for p, w in zip(parts, pad, strict=False)),
    st.lists(st.sampled_from([0, 1, 2, 3, 4, 9, 10, 11, 255, 256, 999, 1000]), min_size=3, max_size=5),
    st.lists(st.integers(0, 5), min_size=5, max_size=5),
)
_ipv6_texts = st.builds(
    lambda x, exploded: (lambda a: a.exploded if exploded else a.compressed)(ipaddress.IPv6Address(x)),
    st.integers(0, 2**128 - 1) | st.sampled_from([0xFFFF00000000 | 0x0A000001, 0x20010DB8 << 96, 1, 0]),
    st.booleans(),
)

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
    # wildcards (escaped stars, multibyte characters) and IP addresses
    st.builds(lambda v: {"wildcard": v}, _wildcards),
    st.builds(lambda v: {"anything-but": {"wildcard": v}}, _wildcards | st.lists(_wildcards, min_size=1, max_size=2)),
    st.builds(lambda v: {"cidr": v}, _cidrs),
    st.sampled_from(["10.0.0.1", "::ffff:a00:1", "2001:db8::1", "1.2.3.4"]),
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
    | st.text(alphabet="ab日😀*.\\", max_size=5)
    | _ipv4_texts
    | _ipv6_texts
    | st.text(alphabet="0123456789abcdefF:.", max_size=12)
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
    extra = ["a*b", "a.日😀", "2001:db8::1", "::ffff:a00:1", "10.0.0.256", "fe80::1", "1.2.3.5"]
    _check(indexes, lists, [*values, *_STRS, *_NUMS, *extra, True, False, None, BigNumber()])
