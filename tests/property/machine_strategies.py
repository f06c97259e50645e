"""Hypothesis strategies for `Machine` tests: rule sets and events that share one small vocabulary.

Patterns and events draw keys and values from the same few words, numbers and addresses, so
that random rules match random events often, and the edge cases of each operator (case folding
``ß``/``SS``, ``-0.0``/``0``/``0.0``, 64-bit overflow, IPv4 and IPv6, dotted keys, the empty key)
meet each other.
"""

from __future__ import annotations

import json

from hypothesis import strategies as st

from patterns.oracle import value_matches

#: Keys of patterns and events; "a.b" is the dotted spelling of the nesting a -> b.
KEYS = ["a", "b", "c", "a.b"]
EVENT_KEYS = KEYS + [""]

STRINGS = ["", "a", "ab", "abc", "A", "AB", "b", "ba", "ß", "SS", "ss", "x*y", "10.0.0.1", "10.0.1.255",
           "192.168.0.1", "::1", "2001:db8::1", "2001:0db8:0:0:0:0:0:2"]  # fmt: skip
PATTERN_NUMBERS = [0, 0.0, -0.0, 1, 1.0, 1.5, -1, 300, 1000, 2.5e9]
EVENT_NUMBERS = PATTERN_NUMBERS + [999.999, 2**70, -(2**70), 1e-7]
WILDCARDS = ["a*", "*b", "a*b*", "*", "x\\*y", "*ß*", "A*", "*.1", "2001*"]
CIDRS = ["10.0.0.0/24", "10.0.0.0/8", "0.0.0.0/0", "192.168.0.1/32", "2001:db8::/32", "::1/128"]

_strings = st.sampled_from(STRINGS)
_numbers = st.sampled_from(PATTERN_NUMBERS)
_nonempty = st.sampled_from([s for s in STRINGS if s])


def _numeric() -> st.SearchStrategy[dict]:
    one = st.builds(
        lambda op, x: {"numeric": [op, x]}, st.sampled_from(["=", "<", "<=", ">", ">="]), _numbers
    )
    two = st.builds(
        lambda lo, hi, a, b: {"numeric": [a, min(lo, hi), b, max(lo, hi)]},
        _numbers, _numbers, st.sampled_from([">", ">="]), st.sampled_from(["<", "<="]),
    )  # fmt: skip
    return one | two.filter(lambda d: d["numeric"][1] != d["numeric"][3])


def _anything_but() -> st.SearchStrategy[dict]:
    return st.one_of(
        st.builds(lambda v: {"anything-but": v}, _strings | _numbers),
        st.builds(lambda v: {"anything-but": v}, st.lists(_strings, min_size=1, max_size=3)),
        st.builds(lambda v: {"anything-but": v}, st.lists(_numbers, min_size=1, max_size=3)),
        st.builds(lambda op, v: {"anything-but": {op: v}}, st.sampled_from(["prefix", "suffix"]),
                  _nonempty | st.lists(_nonempty, min_size=1, max_size=2)),
        st.builds(lambda v: {"anything-but": {"equals-ignore-case": v}},
                  _strings | st.lists(_strings, min_size=1, max_size=2)),
        st.builds(lambda v: {"anything-but": {"wildcard": v}}, st.sampled_from(WILDCARDS)),
    )  # fmt: skip


MATCHERS = st.one_of(
    _strings,
    _numbers,
    st.sampled_from([True, False, None]),
    st.builds(lambda v: {"prefix": v}, _strings),
    st.builds(lambda v: {"suffix": v}, _strings),
    st.builds(lambda v: {"prefix": {"equals-ignore-case": v}}, _strings),
    st.builds(lambda v: {"suffix": {"equals-ignore-case": v}}, _strings),
    st.builds(lambda v: {"equals-ignore-case": v}, _strings),
    st.builds(lambda v: {"wildcard": v}, st.sampled_from(WILDCARDS)),
    st.builds(lambda v: {"exists": v}, st.booleans()),
    st.builds(lambda v: {"cidr": v}, st.sampled_from(CIDRS)),
    _numeric(),
    _anything_but(),
)

VALUE_LISTS = st.lists(MATCHERS, min_size=1, max_size=3)


def flat_patterns() -> st.SearchStrategy[dict]:
    """Patterns of top-level value lists only (what SNS attribute policies allow)."""
    return st.dictionaries(st.sampled_from(["a", "b", "c"]), VALUE_LISTS, min_size=1, max_size=3)


def patterns() -> st.SearchStrategy[dict]:
    """Patterns with nesting, dotted keys and ``$or`` (not all valid in every dialect)."""
    objects = st.recursive(
        st.dictionaries(st.sampled_from(KEYS), VALUE_LISTS, min_size=1, max_size=3),
        lambda inner: st.dictionaries(st.sampled_from(KEYS), VALUE_LISTS | inner, min_size=1, max_size=3),
        max_leaves=5,
    )
    with_or = st.builds(
        lambda base, alts: {**base, "$or": alts}, objects, st.lists(objects, min_size=2, max_size=3)
    )
    return st.one_of(objects, objects, with_or)


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
    """Candidate patterns for a dialect; callers keep those `patterns.compile` accepts."""
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
