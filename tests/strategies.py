"""Hypothesis strategies: valid patterns (as dicts), JSON values, events, and odd event contents."""

from __future__ import annotations

from hypothesis import strategies as st

KEYS = st.sampled_from(["a", "b", "source", "detail", "detail-type", "k1", "état", "x y"])
SHORT_TEXT = st.text(st.characters(codec="utf-8", exclude_characters="*\\"), max_size=6)

# Numbers a double holds exactly (numeric and anything-but refuse others).
EXACT_NUMBERS = st.one_of(
    st.integers(-(2**53), 2**53),
    st.floats(allow_nan=False, allow_infinity=False, width=64).filter(lambda f: abs(f) < 1e300),
)


def _ipv4_cidr() -> st.SearchStrategy[str]:
    octet = st.integers(0, 255)
    return st.builds(
        lambda a, b, c, d, m: f"{a}.{b}.{c}.{d}/{m}", octet, octet, octet, octet, st.integers(0, 31)
    )


WILDCARDS = st.builds(lambda a, b: f"{a}*{b}", SHORT_TEXT, SHORT_TEXT) | SHORT_TEXT


@st.composite
def numeric_expressions(draw) -> dict:
    kind = draw(st.sampled_from(["=", "<", "<=", ">", ">=", "range"]))
    if kind != "range":
        return {"numeric": [kind, draw(EXACT_NUMBERS)]}
    lo, hi = sorted(draw(st.lists(EXACT_NUMBERS, min_size=2, max_size=2, unique=True)))
    return {"numeric": [draw(st.sampled_from([">", ">="])), lo, draw(st.sampled_from(["<", "<="])), hi]}


def _anything_but() -> st.SearchStrategy[dict]:
    strings = st.lists(SHORT_TEXT, min_size=1, max_size=3)
    nonempty = st.lists(SHORT_TEXT.filter(bool), min_size=1, max_size=3)
    return st.one_of(
        st.builds(lambda v: {"anything-but": v}, SHORT_TEXT | EXACT_NUMBERS),
        st.builds(lambda v: {"anything-but": v}, strings),
        st.builds(lambda v: {"anything-but": v}, st.lists(EXACT_NUMBERS, min_size=1, max_size=3)),
        st.builds(lambda op, v: {"anything-but": {op: v}}, st.sampled_from(["prefix", "suffix"]),
                  SHORT_TEXT.filter(bool) | nonempty),
        st.builds(lambda v: {"anything-but": {"equals-ignore-case": v}}, SHORT_TEXT | strings),
        st.builds(lambda v: {"anything-but": {"wildcard": v}}, WILDCARDS),
    )  # fmt: skip


MATCHERS = st.one_of(
    SHORT_TEXT,
    EXACT_NUMBERS,
    st.sampled_from([True, False, None]),
    st.builds(lambda v: {"prefix": v}, SHORT_TEXT),
    st.builds(lambda v: {"suffix": v}, SHORT_TEXT),
    st.builds(lambda v: {"prefix": {"equals-ignore-case": v}}, SHORT_TEXT),
    st.builds(lambda v: {"suffix": {"equals-ignore-case": v}}, SHORT_TEXT),
    st.builds(lambda v: {"equals-ignore-case": v}, SHORT_TEXT),
    st.builds(lambda v: {"wildcard": v}, WILDCARDS),
    st.builds(lambda v: {"exists": v}, st.booleans()),
    st.builds(lambda v: {"cidr": v}, _ipv4_cidr()),
    numeric_expressions(),
    _anything_but(),
)

VALUE_LISTS = st.lists(MATCHERS, min_size=1, max_size=3)


def valid_patterns(max_leaves: int = 6) -> st.SearchStrategy[dict]:
    """Valid EventBridge patterns as dicts: nested objects, value lists and two-branch ``$or``."""
    objects = st.recursive(
        st.dictionaries(KEYS, VALUE_LISTS, min_size=1, max_size=3),
        lambda inner: st.dictionaries(KEYS, VALUE_LISTS | inner, min_size=1, max_size=3),
        max_leaves=max_leaves,
    )
    with_or = st.builds(lambda base, branches: {**base, "$or": branches}, objects,
                        st.lists(objects, min_size=2, max_size=3))  # fmt: skip
    return objects | with_or


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
    keys = KEYS | st.text(max_size=4)
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
