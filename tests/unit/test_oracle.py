"""Matching semantics, through `compile(...).matches(...)` (a one-rule automaton, the Machine's engine).

Expectations come from AWS-NOTES §1.1 and the AWS docs it cites, not from running the code. The
reference matcher, `patterns.oracle`, is held to `Pattern.matches` on random rules and events in
tests/property/test_machine_vs_oracle.py.
"""

from __future__ import annotations

import pytest

import patterns


def check(pattern, event, expected: bool) -> None:
    assert patterns.compile(pattern).matches(event) is expected


def cases(*rows):
    return pytest.mark.parametrize(
        ("pattern", "event", "expected"),
        [pytest.param(p, e, x, id=f"{'match' if x else 'no'}-{i}") for i, (p, e, x) in enumerate(rows)],
    )


@cases(
    ({"a": ["x"]}, {"a": "x"}, True),
    ({"a": ["x"]}, {"a": "X"}, False),  # case-sensitive
    ({"a": ["x"]}, {"a": "x "}, False),
    ({"a": ["x"]}, {"A": "x"}, False),  # keys are case-sensitive
    ({"a": ["x"]}, {"b": "x"}, False),  # missing field
    ({"a": ["x", "y"]}, {"a": "y"}, True),  # values OR
    ({"a": ["x"], "b": ["y"]}, {"a": "x"}, False),  # fields AND
    ({"a": ["x"], "b": ["y"]}, {"a": "x", "b": "y", "c": "z"}, True),  # other fields ignored
    ({"a": ["é"]}, {"a": "e\u0301"}, False),  # no Unicode normalisation
    ({"a": [""]}, {"a": ""}, True),
    ({"a": [""]}, {"a": None}, False),  # "" and null are distinct
    ({"a": ["1"]}, {"a": 1}, False),  # strings never equal numbers
    ({"a": [1]}, {"a": "1"}, False),
)
def test_oracle_exact_strings(pattern, event, expected) -> None:
    check(pattern, event, expected)


@cases(
    ({"a": [300]}, {"a": 300}, True),
    ({"a": [300]}, {"a": 300.0}, True),  # equal as doubles (LocalStack number_comparison_float)
    ('{"a": [300.0]}', '{"a": 3.0e2}', True),
    ({"a": [300]}, {"a": 301}, False),
    ({"a": [-0.5]}, {"a": -0.5}, True),
    ({"a": [0]}, {"a": -0.0}, True),
    ({"a": [1]}, {"a": True}, False),  # True is not 1
    ({"a": [0]}, {"a": False}, False),
    ({"a": [True]}, {"a": 1}, False),
    ({"a": [True]}, {"a": True}, True),
    ({"a": [False]}, {"a": False}, True),
    ({"a": [True]}, {"a": False}, False),
    ({"a": [None]}, {"a": None}, True),
    ({"a": [None]}, {"a": False}, False),
    ({"a": [False]}, {"a": None}, False),
    ({"a": [None]}, {}, False),  # null is not absence
    ({"a": [None]}, {"a": []}, False),  # [null] does not match an empty array
    ({"a": ["true"]}, {"a": True}, False),
)
def test_oracle_numbers_and_literals(pattern, event, expected) -> None:
    check(pattern, event, expected)


@cases(
    ({"a": ["x"]}, {"a": ["y", "x"]}, True),  # any element
    ({"a": ["x"]}, {"a": ["y", "z"]}, False),
    ({"a": ["x"]}, {"a": []}, False),
    ({"a": ["x"]}, {"a": [["x"]]}, True),  # nested arrays flatten
    ({"a": ["x", "q"]}, {"a": ["q", "r"]}, True),  # non-empty intersection
    ({"e": {"n": ["Anna"]}}, {"e": [{"n": "Bob"}, {"n": "Anna"}]}, True),  # objects in arrays are crushed
    # array consistency: both fields must come from the same element
    (
        {"e": {"f": ["Anna"], "l": ["Smith"]}},
        {"e": [{"f": "Anna", "l": "Jones"}, {"f": "Bob", "l": "Smith"}]},
        False,
    ),
    (
        {"e": {"f": ["Anna"], "l": ["Smith"]}},
        {"e": [{"f": "Bob", "l": "Jones"}, {"f": "Anna", "l": "Smith"}]},
        True,
    ),
    # fields outside the array combine with any element
    ({"k": ["v"], "e": {"f": ["Anna"]}}, {"k": "v", "e": [{"f": "x"}, {"f": "Anna"}]}, True),
    # different arrays do not constrain each other
    (
        {"a": {"x": ["1"]}, "b": {"y": ["2"]}},
        {"a": [{"x": "1"}, {"x": "0"}], "b": [{"y": "0"}, {"y": "2"}]},
        True,
    ),
)
def test_oracle_arrays(pattern, event, expected) -> None:
    check(pattern, event, expected)


@cases(
    ({"d": {"s": ["on"]}}, {"d": {"s": "on"}}, True),
    ({"d": {"s": ["on"]}}, {"d": {"t": "on"}}, False),
    ({"d": {"s": ["on"]}}, {"s": "on"}, False),  # nesting must match
    ({"d": {"s": ["on"]}}, {"d": "on"}, False),
    ({"d.s": ["on"]}, {"d": {"s": "on"}}, True),  # dotted key in the pattern
    ({"d": {"s": ["on"]}}, {"d.s": "on"}, True),  # dotted key in the event
    ({"d.s": ["on"]}, {"d.s": "on"}, True),
    ({"a": {"b": {"c": [1]}}}, {"a": {"b": {"c": 1}}}, True),
)
def test_oracle_nested_objects_and_dotted_keys(pattern, event, expected) -> None:
    check(pattern, event, expected)


@cases(
    ({"a": [{"prefix": "us-"}]}, {"a": "us-east-1"}, True),
    ({"a": [{"prefix": "us-"}]}, {"a": "US-east-1"}, False),
    ({"a": [{"prefix": "us-"}]}, {"a": "eu-west-1"}, False),
    ({"a": [{"prefix": ""}]}, {"a": ""}, True),  # empty prefix matches any string
    ({"a": [{"prefix": ""}]}, {"a": 5}, False),  # but only strings
    ({"a": [{"prefix": "1"}]}, {"a": 12}, False),
    ({"a": [{"prefix": "t"}]}, {"a": True}, False),
    ({"a": [{"suffix": ".png"}]}, {"a": "x.png"}, True),
    ({"a": [{"suffix": ".png"}]}, {"a": "x.PNG"}, False),
    ({"a": [{"suffix": ".png"}]}, {"a": "x.png.jpg"}, False),
    ({"a": [{"prefix": {"equals-ignore-case": "EventB"}}]}, {"a": "eventbridge"}, True),
    ({"a": [{"prefix": {"equals-ignore-case": "EventB"}}]}, {"a": "xeventbridge"}, False),
    ({"a": [{"suffix": {"equals-ignore-case": ".PNG"}}]}, {"a": "photo.png"}, True),
    ({"a": [{"suffix": {"equals-ignore-case": ".PNG"}}]}, {"a": "photo.jpg"}, False),
    ({"a": [{"equals-ignore-case": "alice"}]}, {"a": "ALICE"}, True),
    ({"a": [{"equals-ignore-case": "alice"}]}, {"a": "alicex"}, False),
    ({"a": [{"equals-ignore-case": "école"}]}, {"a": "ÉCOLE"}, True),  # beyond ASCII
    ({"a": [{"equals-ignore-case": "αβγ"}]}, {"a": "ΑΒΓ"}, True),
    ({"a": [{"equals-ignore-case": "straße"}]}, {"a": "STRASSE"}, True),  # full case folding
    ({"a": [{"equals-ignore-case": "1"}]}, {"a": 1}, False),
    ({"a": [{"exactly": "x"}]}, {"a": "x"}, True),
)
def test_oracle_string_operators(pattern, event, expected) -> None:
    check(pattern, event, expected)


@cases(
    ({"a": [{"wildcard": "dir/*.png"}]}, {"a": "dir/a/b.png"}, True),
    ({"a": [{"wildcard": "dir/*.png"}]}, {"a": "dir/.png"}, True),  # * is zero or more
    ({"a": [{"wildcard": "dir/*.png"}]}, {"a": "dir/a.jpg"}, False),
    ({"a": [{"wildcard": "*"}]}, {"a": ""}, True),
    ({"a": [{"wildcard": "a*b*c"}]}, {"a": "aXbYc"}, True),
    ({"a": [{"wildcard": "a*b*c"}]}, {"a": "aXcYb"}, False),
    ({"a": [{"wildcard": "a*"}]}, {"a": "a\nb"}, True),  # * crosses newlines
    ({"a": [{"wildcard": "abc"}]}, {"a": "abc"}, True),
    ({"a": [{"wildcard": "abc"}]}, {"a": "ABC"}, False),
    ({"a": [{"wildcard": "a\\*b"}]}, {"a": "a*b"}, True),  # \* is a literal star
    ({"a": [{"wildcard": "a\\*b"}]}, {"a": "axb"}, False),
    ({"a": [{"wildcard": "a\\\\b"}]}, {"a": "a\\b"}, True),  # \\ is a literal backslash
    ({"a": [{"wildcard": "a.c"}]}, {"a": "abc"}, False),  # no regex meaning
    ({"a": [{"wildcard": "*"}]}, {"a": 1}, False),
)
def test_oracle_wildcard(pattern, event, expected) -> None:
    check(pattern, event, expected)


@cases(
    ({"a": [{"anything-but": "x"}]}, {"a": "y"}, True),
    ({"a": [{"anything-but": "x"}]}, {"a": "x"}, False),
    ({"a": [{"anything-but": "x"}]}, {}, False),  # a missing field never matches
    ({"a": [{"anything-but": "x"}]}, {"a": []}, False),  # nor an empty array
    ({"a": [{"anything-but": "x"}]}, {"a": None}, True),  # explicit null does (LocalStack PR #9925)
    ({"a": [{"anything-but": "x"}]}, {"a": 5}, True),
    ({"a": [{"anything-but": "x"}]}, {"a": True}, True),
    ({"a": [{"anything-but": ["x", "y"]}]}, {"a": "y"}, False),
    ({"a": [{"anything-but": ["x", "y"]}]}, {"a": "z"}, True),
    ({"a": [{"anything-but": 5}]}, {"a": 5.0}, False),  # numbers compare as doubles
    ({"a": [{"anything-but": 5}]}, {"a": "5"}, True),
    ({"a": [{"anything-but": [1, 2]}]}, {"a": 3}, True),
    ({"a": [{"anything-but": [1, 2]}]}, {"a": 2}, False),
    # arrays are existential: some element is not excluded (SNS string-matching page)
    ({"a": [{"anything-but": ["rugby", "tennis"]}]}, {"a": ["rugby", "baseball"]}, True),
    ({"a": [{"anything-but": ["rugby", "tennis"]}]}, {"a": ["rugby", "tennis"]}, False),
    ({"a": [{"anything-but": {"prefix": "init"}}]}, {"a": "initial"}, False),
    ({"a": [{"anything-but": {"prefix": "init"}}]}, {"a": "final"}, True),
    (
        {"a": [{"anything-but": {"prefix": "init"}}]},
        {"a": 5},
        True,
    ),  # LocalStack content_anything_prefix_int_value
    ({"a": [{"anything-but": {"prefix": ["a", "b"]}}]}, {"a": "bee"}, False),
    ({"a": [{"anything-but": {"suffix": ".png"}}]}, {"a": "x.png"}, False),
    ({"a": [{"anything-but": {"suffix": ".png"}}]}, {"a": "x.jpg"}, True),
    ({"a": [{"anything-but": {"equals-ignore-case": "Alice"}}]}, {"a": "ALICE"}, False),
    ({"a": [{"anything-but": {"equals-ignore-case": ["Alice", "bob"]}}]}, {"a": "BOB"}, False),
    ({"a": [{"anything-but": {"equals-ignore-case": "Alice"}}]}, {"a": "Carol"}, True),
    ({"a": [{"anything-but": {"wildcard": "*.png"}}]}, {"a": "x.png"}, False),
    ({"a": [{"anything-but": {"wildcard": "*.png"}}]}, {"a": "x.jpg"}, True),
    # the usual fix for "missing never matches": add exists:false beside it
    ({"a": [{"anything-but": "x"}, {"exists": False}]}, {}, True),
)
def test_oracle_anything_but(pattern, event, expected) -> None:
    check(pattern, event, expected)


@cases(
    ({"a": [{"numeric": ["=", 5]}]}, {"a": 5}, True),
    ({"a": [{"numeric": ["=", 5]}]}, {"a": 5.0}, True),
    ({"a": [{"numeric": ["=", 5]}]}, {"a": 5.000001}, False),
    ({"a": [{"numeric": ["=", 5]}]}, {"a": "5"}, False),  # strings are never numbers
    ({"a": [{"numeric": ["=", 1]}]}, {"a": True}, False),  # nor booleans
    ({"a": [{"numeric": ["<", 5]}]}, {"a": 4.9}, True),
    ({"a": [{"numeric": ["<", 5]}]}, {"a": 5}, False),
    ({"a": [{"numeric": ["<=", 5]}]}, {"a": 5}, True),
    ({"a": [{"numeric": ["<=", 5]}]}, {"a": 5.1}, False),
    ({"a": [{"numeric": [">", 5]}]}, {"a": 5}, False),
    ({"a": [{"numeric": [">", 5]}]}, {"a": 5.01}, True),
    ({"a": [{"numeric": [">=", 5]}]}, {"a": 5}, True),
    ({"a": [{"numeric": [">=", 5]}]}, {"a": 4}, False),
    ({"a": [{"numeric": [">", 0, "<", 5]}]}, {"a": 0}, False),
    ({"a": [{"numeric": [">", 0, "<", 5]}]}, {"a": 5}, False),
    ({"a": [{"numeric": [">", 0, "<", 5]}]}, {"a": 2.5}, True),
    ({"a": [{"numeric": [">=", 0, "<=", 5]}]}, {"a": 0}, True),
    ({"a": [{"numeric": [">=", 0, "<=", 5]}]}, {"a": 5}, True),
    ({"a": [{"numeric": [">=", 0, "<=", 5]}]}, {"a": -0.001}, False),
    ({"a": [{"numeric": [">", -1e9, "<", 1e9]}]}, {"a": -999999999}, True),
    ({"a": [{"numeric": [">", 0]}]}, {"a": [-1, 3]}, True),  # any element
    ({"a": [{"numeric": [">", 0]}]}, {"a": 123456789012345678901234567890}, True),  # beyond 64 bits
    ({"a": [{"numeric": [">", 0]}]}, {}, False),
    ({"a": [{"numeric": ["<", 0]}]}, {"a": None}, False),
)
def test_oracle_numeric(pattern, event, expected) -> None:
    check(pattern, event, expected)


@cases(
    ({"a": [{"exists": True}]}, {"a": "x"}, True),
    ({"a": [{"exists": True}]}, {"a": None}, True),  # null is a value
    ({"a": [{"exists": True}]}, {"a": ""}, True),
    ({"a": [{"exists": True}]}, {}, False),
    ({"a": [{"exists": True}]}, {"a": []}, False),  # LocalStack exists_list_empty_NEG
    ({"a": [{"exists": True}]}, {"a": [1]}, True),
    ({"a": [{"exists": True}]}, {"a": {"b": 1}}, False),  # object-valued: exists works on leaves only
    ({"a": [{"exists": False}]}, {}, True),
    ({"a": [{"exists": False}]}, {"a": "x"}, False),
    ({"a": [{"exists": False}]}, {"a": None}, False),
    ({"a": [{"exists": False}]}, {"a": []}, True),
    ({"a": [{"exists": False}]}, {"a": {"b": 1}}, True),
    ({"a": [{"exists": False}]}, {"a": {}}, True),
    ({"d": {"a": [{"exists": False}]}}, {"d": {"b": 1}}, True),
    ({"d": {"a": [{"exists": False}]}}, {}, True),
    ({"a": [{"exists": False}], "b": ["x"]}, {"b": "x"}, True),
    ({"a": [{"exists": False}], "b": ["x"]}, {"a": 1, "b": "x"}, False),
)
def test_oracle_exists(pattern, event, expected) -> None:
    check(pattern, event, expected)


@cases(
    ({"ip": [{"cidr": "10.0.0.0/24"}]}, {"ip": "10.0.0.0"}, True),
    ({"ip": [{"cidr": "10.0.0.0/24"}]}, {"ip": "10.0.0.255"}, True),
    ({"ip": [{"cidr": "10.0.0.0/24"}]}, {"ip": "10.0.1.0"}, False),
    ({"ip": [{"cidr": "10.0.0.77/24"}]}, {"ip": "10.0.0.1"}, True),  # host bits of the network ignored
    ({"ip": [{"cidr": "0.0.0.0/0"}]}, {"ip": "255.255.255.255"}, True),
    ({"ip": [{"cidr": "10.0.0.0/24"}]}, {"ip": "not an ip"}, False),
    ({"ip": [{"cidr": "10.0.0.0/24"}]}, {"ip": 167772161}, False),  # non-string values never match
    ({"ip": [{"cidr": "10.0.0.0/24"}]}, {"ip": None}, False),
    ({"ip": [{"cidr": "10.0.0.0/24"}]}, {"ip": "::ffff:10.0.0.1"}, False),  # v6 value, v4 network
    ({"ip": [{"cidr": "2001:db8::/32"}]}, {"ip": "2001:db8::1"}, True),
    ({"ip": [{"cidr": "2001:db8::/32"}]}, {"ip": "2001:DB8:0:0:0:0:0:1"}, True),  # non-canonical
    ({"ip": [{"cidr": "2001:db8::/32"}]}, {"ip": "2001:0db8:0000::0001"}, True),
    ({"ip": [{"cidr": "2001:db8::/32"}]}, {"ip": "2001:db9::1"}, False),
    ({"ip": [{"cidr": "2001:DB8::/32"}]}, {"ip": "2001:db8:ffff::"}, True),  # non-canonical network
    ({"ip": [{"cidr": "2001:db8::/32"}]}, {"ip": "10.0.0.1"}, False),
    ({"ip": [{"cidr": "10.0.0.0/24"}]}, {"ip": ["1.1.1.1", "10.0.0.9"]}, True),
)
def test_oracle_cidr(pattern, event, expected) -> None:
    check(pattern, event, expected)


OR = {"$or": [{"a": ["1"]}, {"b": ["2"]}]}


@cases(
    (OR, {"a": "1"}, True),
    (OR, {"b": "2"}, True),
    (OR, {"a": "2", "b": "1"}, False),
    ({"s": ["x"], **OR}, {"s": "x", "b": "2"}, True),  # ANDed with its siblings
    ({"s": ["x"], **OR}, {"s": "y", "b": "2"}, False),
    ({"d": OR}, {"d": {"b": "2"}}, True),  # at a nested level, relative to it
    ({"d": OR}, {"b": "2"}, False),
    ({"$or": [{"a": ["1"]}, {"$or": [{"b": ["2"]}, {"c": ["3"]}]}]}, {"c": "3"}, True),  # nested $or
    ({"$or": [{"a": [{"numeric": [">", 5]}]}, {"a": ["x"]}]}, {"a": 6}, True),
    # not recognised: one object only -> "$or" is a literal field name, never present
    ({"$or": [{"a": [{"prefix": "1"}]}, {"b": ["2"]}], "c": ["3"]}, {"a": "1", "c": "3"}, True),
)
def test_oracle_or(pattern, event, expected) -> None:
    check(pattern, event, expected)


def test_oracle_or_with_reserved_field_name_is_a_literal_field() -> None:
    # A branch using a reserved word ("prefix") as a field name stops "$or" from being an OR: the
    # pattern then names a field called "$or" whose value list holds match expressions.
    text = '{"$or": [{"prefix": "a"}, {"suffix": "b"}]}'
    p = patterns.compile(text)
    assert p.matches({"$or": "abc"})
    assert not p.matches({"prefix": "a"})


def test_oracle_or_with_one_branch_is_not_an_or() -> None:
    p = patterns.compile({"$or": [{"prefix": "a"}]})
    assert p.matches({"$or": "apple"})
    assert not p.matches({"a": "x"})


def test_oracle_or_with_non_object_items_is_not_an_or() -> None:
    p = patterns.compile({"$or": [{"prefix": "a"}, "b"]})
    assert p.matches({"$or": "b"})
    assert p.matches({"$or": "abc"})


def test_oracle_matches_accepts_bytes_text_and_dict() -> None:
    p = patterns.compile({"a": ["x"]})
    assert p.matches(b'{"a": "x"}') and p.matches('{"a": "x"}') and p.matches({"a": "x"})
    assert p.matches(bytearray(b'{"a": "x"}')) and p.matches(memoryview(b'{"a": "x"}'))
