"""Hypothesis strategies: patterns, events and rule sets, drawn from two vocabularies.

Open vocabulary (`valid_patterns`, `json_values`, `events`, `odd_events`): any short text and any
number a double holds. For round trips and for what `compile` and `matches` must survive; a
pattern and an event drawn from it rarely meet.

Shared vocabulary (`patterns`, `flat_patterns`, `patterns_for`, `json_events`, `attribute_maps`,
`events_for`, `witness_events`): patterns and events draw keys and values from the same few
words, numbers and addresses, so that random rules match random events often, and the edge cases
of each operator (case folding ``ß``/``SS``, ``-0.0``/``0``/``0.0``, 64-bit overflow, IPv4 and
IPv6, dotted keys, the empty key) meet each other. For the machine, twin and road tests.

Both draw value matchers with one builder (`_matchers`), so each holds every operator.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from hypothesis import strategies as st

from patterns.oracle import value_matches

# --- Value matchers, over either vocabulary -----------------------------------------------------


@dataclass(frozen=True)
class _Vocabulary:
    """The values a vocabulary's matchers take."""

    strings: st.SearchStrategy[str]
    nonempty: st.SearchStrategy[str]  # anything-but prefix and suffix refuse ""
    numbers: st.SearchStrategy[int | float]  # a double holds each exactly (numeric refuses others)
    wildcards: st.SearchStrategy[str]
    cidrs: st.SearchStrategy[str]


def _numeric(numbers: st.SearchStrategy) -> st.SearchStrategy[dict]:
    one = st.builds(lambda op, x: {"numeric": [op, x]}, st.sampled_from(["=", "<", "<=", ">", ">="]), numbers)
    two = st.builds(
        lambda lo, hi, a, b: {"numeric": [a, min(lo, hi), b, max(lo, hi)]},
        numbers, numbers, st.sampled_from([">", ">="]), st.sampled_from(["<", "<="]),
    )  # fmt: skip
    return one | two.filter(lambda d: d["numeric"][1] != d["numeric"][3])


def _anything_but(v: _Vocabulary) -> st.SearchStrategy[dict]:
    return st.one_of(
        st.builds(lambda x: {"anything-but": x}, v.strings | v.numbers),
        st.builds(lambda x: {"anything-but": x}, st.lists(v.strings, min_size=1, max_size=3)),
        st.builds(lambda x: {"anything-but": x}, st.lists(v.numbers, min_size=1, max_size=3)),
        st.builds(lambda op, x: {"anything-but": {op: x}}, st.sampled_from(["prefix", "suffix"]),
                  v.nonempty | st.lists(v.nonempty, min_size=1, max_size=3)),
        st.builds(lambda x: {"anything-but": {"equals-ignore-case": x}},
                  v.strings | st.lists(v.strings, min_size=1, max_size=3)),
        st.builds(lambda x: {"anything-but": {"wildcard": x}}, v.wildcards),
    )  # fmt: skip


def _matchers(v: _Vocabulary) -> st.SearchStrategy:
    """One entry of a pattern's value list: a literal or any operator."""
    return st.one_of(
        v.strings,
        v.numbers,
        st.sampled_from([True, False, None]),
        st.builds(lambda x: {"prefix": x}, v.strings),
        st.builds(lambda x: {"suffix": x}, v.strings),
        st.builds(lambda x: {"prefix": {"equals-ignore-case": x}}, v.strings),
        st.builds(lambda x: {"suffix": {"equals-ignore-case": x}}, v.strings),
        st.builds(lambda x: {"equals-ignore-case": x}, v.strings),
        st.builds(lambda x: {"wildcard": x}, v.wildcards),
        st.builds(lambda x: {"exists": x}, st.booleans()),
        st.builds(lambda x: {"cidr": x}, v.cidrs),
        _numeric(v.numbers),
        _anything_but(v),
    )


def _objects(keys: st.SearchStrategy[str], values: st.SearchStrategy, max_leaves: int) -> st.SearchStrategy:
    # Nested objects whose leaves are value lists.
    return st.recursive(
        st.dictionaries(keys, values, min_size=1, max_size=3),
        lambda inner: st.dictionaries(keys, values | inner, min_size=1, max_size=3),
        max_leaves=max_leaves,
    )


def _with_or(objects: st.SearchStrategy[dict]) -> st.SearchStrategy[dict]:
    return st.builds(lambda base, branches: {**base, "$or": branches}, objects,
                     st.lists(objects, min_size=2, max_size=3))  # fmt: skip


# --- Open vocabulary ----------------------------------------------------------------------------

OPEN_KEYS = st.sampled_from(["a", "b", "source", "detail", "detail-type", "k1", "état", "x y"])
# No star or backslash: wildcards are built from two of these around one star.
SHORT_TEXT = st.text(st.characters(codec="utf-8", exclude_characters="*\\"), max_size=6)
EXACT_NUMBERS = st.one_of(
    st.integers(-(2**53), 2**53),
    st.floats(allow_nan=False, allow_infinity=False, width=64).filter(lambda f: abs(f) < 1e300),
)


def _ipv4_cidr() -> st.SearchStrategy[str]:
    octet = st.integers(0, 255)
    return st.builds(
        lambda a, b, c, d, m: f"{a}.{b}.{c}.{d}/{m}", octet, octet, octet, octet, st.integers(0, 31)
    )


OPEN_MATCHERS = _matchers(
    _Vocabulary(
        strings=SHORT_TEXT,
        nonempty=SHORT_TEXT.filter(bool),
        numbers=EXACT_NUMBERS,
        wildcards=st.builds(lambda a, b: f"{a}*{b}", SHORT_TEXT, SHORT_TEXT) | SHORT_TEXT,
        cidrs=_ipv4_cidr(),
    )
)


def valid_patterns(max_leaves: int = 6) -> st.SearchStrategy[dict]:
    """Valid EventBridge patterns as dicts: nested objects, value lists and two-branch ``$or``."""
    objects = _objects(OPEN_KEYS, st.lists(OPEN_MATCHERS, min_size=1, max_size=3), max_leaves)
    return objects | _with_or(objects)


JSON_SCALARS = (
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text()
)


def json_values(max_leaves: int = 12) -> st.SearchStrategy:
    """Any JSON value (as decoded Python)."""
    return st.recursive(
        JSON_SCALARS,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
        max_leaves=max_leaves,
    )


def events() -> st.SearchStrategy[dict]:
    """Decoded JSON objects, shaped like events (keys drawn from pattern keys too)."""
    keys = OPEN_KEYS | st.text(max_size=4)
    return st.recursive(
        st.dictionaries(keys, JSON_SCALARS, max_size=4),
        lambda inner: st.dictionaries(keys, inner | st.lists(inner | JSON_SCALARS, max_size=3), max_size=4),
        max_leaves=15,
    )


ODD_VALUES = st.one_of(
    st.just(float("nan")), st.just(float("inf")), st.builds(set), st.builds(tuple), st.binary(max_size=3),
    st.just(object()), st.complex_numbers(max_magnitude=1),
)  # fmt: skip


def odd_events() -> st.SearchStrategy[dict]:
    """Dicts holding things JSON cannot: NaN, sets, tuples, bytes, non-string keys."""
    return st.recursive(
        st.dictionaries(st.text(max_size=3) | st.integers() | st.none(), JSON_SCALARS | ODD_VALUES, max_size=4),
        lambda inner: st.dictionaries(st.text(max_size=3), inner | st.lists(inner | ODD_VALUES, max_size=3),
                                      max_size=3),
        max_leaves=10,
    )  # fmt: skip


# --- Shared vocabulary --------------------------------------------------------------------------

#: Keys of patterns and events; "a.b" is the dotted spelling of the nesting a -> b.
KEYS = ["a", "b", "c", "a.b"]
EVENT_KEYS = KEYS + [""]

STRINGS = ["", "a", "ab", "abc", "A", "AB", "b", "ba", "ß", "SS", "ss", "x*y", "10.0.0.1", "10.0.1.255",
           "192.168.0.1", "::1", "2001:db8::1", "2001:0db8:0:0:0:0:0:2"]  # fmt: skip
PATTERN_NUMBERS = [0, 0.0, -0.0, 1, 1.0, 1.5, -1, 300, 1000, 2.5e9]
EVENT_NUMBERS = PATTERN_NUMBERS + [999.999, 2**70, -(2**70), 1e-7]
WILDCARDS = ["a*", "*b", "a*b*", "*", "x\\*y", "*ß*", "A*", "*.1", "2001*"]
CIDRS = ["10.0.0.0/24", "10.0.0.0/8", "0.0.0.0/0", "192.168.0.1/32", "2001:db8::/32", "::1/128"]

_nonempty = st.sampled_from([s for s in STRINGS if s])

MATCHERS = _matchers(
    _Vocabulary(
        strings=st.sampled_from(STRINGS),
        nonempty=_nonempty,
        numbers=st.sampled_from(PATTERN_NUMBERS),
        wildcards=st.sampled_from(WILDCARDS),
        cidrs=st.sampled_from(CIDRS),
    )
)
VALUE_LISTS = st.lists(MATCHERS, min_size=1, max_size=3)


def flat_patterns() -> st.SearchStrategy[dict]:
    """Patterns of top-level value lists only (what SNS attribute policies allow)."""
    return st.dictionaries(st.sampled_from(["a", "b", "c"]), VALUE_LISTS, min_size=1, max_size=3)


def patterns() -> st.SearchStrategy[dict]:
    """Patterns with nesting, dotted keys and ``$or`` (not all valid in every dialect)."""
    objects = _objects(st.sampled_from(KEYS), VALUE_LISTS, max_leaves=5)
    return st.one_of(objects, objects, _with_or(objects))


_scalars = st.sampled_from(STRINGS) | st.sampled_from(EVENT_NUMBERS) | st.sampled_from([True, False, None])


def json_events() -> st.SearchStrategy[dict]:
    """EventBridge events and SNS bodies: nested objects and arrays (of objects too), empties."""
    values = st.recursive(
        _scalars | st.just([]) | st.just({}),
        lambda inner: (
            st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(EVENT_KEYS), inner, max_size=3)
        ),
        max_leaves=8,
    )
    return st.dictionaries(st.sampled_from(EVENT_KEYS), values, max_size=4)


def _attribute() -> st.SearchStrategy[dict]:
    number = st.sampled_from([n for n in EVENT_NUMBERS if abs(n) < 2**60])
    return st.one_of(
        st.builds(lambda s: {"DataType": "String", "StringValue": s}, _nonempty),
        st.builds(lambda n: {"DataType": "Number", "StringValue": json.dumps(n)}, number),
        st.builds(
            lambda vs: {"DataType": "String.Array", "StringValue": json.dumps(vs)},
            st.lists(_nonempty | number | st.sampled_from([True, None]), max_size=3),
        ),
        st.just({"DataType": "Binary", "BinaryValue": b"\x00"}),
    )


def attribute_maps() -> st.SearchStrategy[dict]:
    """SNS Publish ``MessageAttributes`` maps (the empty one included: it matches only ``{}``)."""
    return st.dictionaries(st.sampled_from(["a", "b", "c"]), _attribute(), max_size=3)


def events_for(dialect: str) -> st.SearchStrategy:
    """Inputs of a dialect's service, as `Machine.match` and `Pattern.matches` take them."""
    if dialect == "sns-attributes":
        return attribute_maps()
    if dialect == "sns-body":
        # A decoded body is any JSON value; only an object is filtered.
        return json_events() | st.sampled_from(["not json", "[1]", '"text"'])
    return json_events()


def patterns_for(dialect: str) -> st.SearchStrategy[dict]:
    """Candidate patterns for a dialect (rule sets draw lists of them); callers keep those
    `patterns.compile` accepts."""
    if dialect == "sns-attributes":
        return flat_patterns() | st.just({})
    if dialect == "sns-body":
        return patterns() | flat_patterns() | st.just({})
    return patterns() | flat_patterns()


def pattern_values(pattern) -> list:
    """Every scalar a pattern (as a dict) mentions, operator names and keys aside."""
    out: list = []
    stack = [pattern]
    while stack:
        v = stack.pop()
        if isinstance(v, dict):
            stack.extend(v.values())
        elif isinstance(v, list):
            stack.extend(v)
        elif not isinstance(v, str) or v not in ("=", "<", "<=", ">", ">="):
            out.append(v)
    return out


def _split(value: dict, draw) -> list[dict]:
    # An object as an array of objects sharing its fields out: array consistency's test ground.
    keys = list(value)
    first = {k: value[k] for k in keys if draw(st.booleans())}
    second = {k: value[k] for k in keys if k not in first or draw(st.booleans())}
    return [first, second]


@st.composite
def witness_events(draw, conditions: list, values: list) -> dict:
    """Events built to come close to matching rules: on the paths the conditions name, values
    that satisfy one of them (found among the vocabulary and the values the rules mention, with
    the oracle's `value_matches`), sometimes absent, sometimes several, with objects split into
    arrays of objects (array consistency's test ground).

    Args:
        conditions: (path, value list) pairs of the rules' branches.
        values: scalars the rules mention.
    """
    pool = list(
        dict.fromkeys(
            [*values, *STRINGS, *EVENT_NUMBERS, True, False, None],
        )
    )
    by_path: dict[str, list] = {}
    for path, leaf in conditions:
        by_path.setdefault(path, []).append(leaf)
    tree: dict = {}
    for path in sorted(by_path):
        if draw(st.integers(0, 4)) == 0:
            continue  # absent
        leaf = draw(st.sampled_from(by_path[path]))
        good = [v for v in pool if any(value_matches(m, v) for m in leaf.matchers)]
        scalars = st.sampled_from(good or pool) if draw(st.integers(0, 4)) else st.sampled_from(pool)
        *parents, last = path.split(".")
        node = tree
        for seg in parents:
            child = node.setdefault(seg, {})
            if not isinstance(child, dict):
                break
            node = child
        else:
            if last not in node:
                node[last] = draw(scalars | st.lists(scalars, min_size=1, max_size=3))
    # Turn some objects into arrays of objects, bottom up.
    stack = [tree]
    while stack:
        node = stack.pop()
        for key, child in list(node.items()):
            if isinstance(child, dict):
                stack.append(child)
                if child and draw(st.integers(0, 2)) == 0:
                    node[key] = _split(child, draw)
    return tree
