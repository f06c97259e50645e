"""Nothing lost (issue 7): one bad event costs only its own result, and compiled rules pickle."""

from __future__ import annotations

import pickle

import orjson
import pytest

import patterns
from patterns import InvalidEventError

# Every Machine and Pattern here runs on each matcher twin (tests/conftest.py: `twin`).
pytestmark = pytest.mark.usefixtures("twin")

# --- match_many(events, errors="raise" | "yield") ---------------------------------------------

GOOD = b'{"source": "aws.ec2"}'
OTHER = b'{"source": "aws.s3"}'
BAD = b'{"source": '


def _machine() -> patterns.Machine:
    m = patterns.Machine()
    m.add("ec2", {"source": ["aws.ec2"]})
    return m


def test_match_many_yield_puts_the_error_in_place_and_goes_on() -> None:
    results = list(_machine().match_many([GOOD, BAD, OTHER, "not json", GOOD], errors="yield"))
    assert len(results) == 5
    assert results[0] == ["ec2"]
    assert isinstance(results[1], InvalidEventError)
    assert results[2] == []
    assert isinstance(results[3], InvalidEventError)
    assert results[4] == ["ec2"]


def test_match_many_raise_is_the_default() -> None:
    m = _machine()
    it = m.match_many([GOOD, BAD, GOOD])
    assert next(it) == ["ec2"]
    with pytest.raises(InvalidEventError):
        next(it)
    it = m.match_many([GOOD, BAD, GOOD], errors="raise")
    assert next(it) == ["ec2"]
    with pytest.raises(InvalidEventError):
        next(it)


def test_match_many_unknown_errors_mode_is_refused() -> None:
    with pytest.raises(ValueError):
        list(_machine().match_many([GOOD], errors="ignore"))


# --- Pickling -----------------------------------------------------------------------------------

#: Rules valid in every dialect (flat, no wildcard, no cidr), and extra ones where it allows.
COMMON = {
    "exact": {"a": ["x"]},
    "prefix": {"a": [{"prefix": "ab"}]},
    "number": {"n": [{"numeric": [">", 1, "<=", 5]}]},
    "anything-but": {"a": [{"anything-but": ["x", "y"]}]},
    "exists-not": {"b": [{"exists": False}]},
    "or": {"$or": [{"a": ["z"]}, {"n": [3]}]},
}
EXTRA = {
    "cidr": {"ip": [{"cidr": "10.0.0.0/8"}]},  # not in Lambda's or Pipes' language
    "nested": {"d": {"e": ["f"]}},
    "wildcard": {"a": [{"wildcard": "a*c"}]},
}

EVENTS = [
    {"a": "x", "n": 3},
    {"a": "abc", "n": 5, "b": "q"},
    {"a": "z", "n": 9, "ip": "10.1.2.3"},
    {"a": "y", "ip": "11.0.0.1", "d": {"e": "f"}},
    {"n": 2},
    {"b": "x"},
]


def _inputs(dialect: str) -> list:
    if dialect == "sns-attributes":
        out = []
        for event in EVENTS:
            attrs = {}
            for key, value in event.items():
                if isinstance(value, str):
                    attrs[key] = {"DataType": "String", "StringValue": value}
                elif isinstance(value, int):
                    attrs[key] = {"DataType": "Number", "StringValue": str(value)}
            out.append(attrs)
        return out
    return EVENTS + [orjson.dumps(e) for e in EVENTS]


def _answer(fn):
    # A dialect may refuse some of these inputs (InvalidEventError): the copy must refuse them too.
    try:
        return fn()
    except InvalidEventError as err:
        return type(err)


def _rules(dialect: str) -> dict[str, patterns.Pattern]:
    out = {}
    for name, rule in {**COMMON, **EXTRA}.items():
        try:
            out[name] = patterns.compile(rule, dialect=dialect)
        except patterns.InvalidPatternError:
            assert name in EXTRA, (name, dialect)
    return out


@pytest.mark.parametrize("dialect", sorted(patterns.DIALECTS))
def test_pickle_pattern_answers_the_same(dialect: str) -> None:
    for name, p in _rules(dialect).items():
        copy = pickle.loads(pickle.dumps(p))
        assert copy == p, name
        inputs = _inputs(dialect)
        assert [_answer(lambda e=e, c=copy: c.matches(e)) for e in inputs] == [
            _answer(lambda e=e, p=p: p.matches(e)) for e in inputs
        ], name


@pytest.mark.parametrize("dialect", sorted(patterns.DIALECTS))
def test_pickle_machine_answers_the_same(dialect: str) -> None:
    m = patterns.Machine(dialect)
    for name, p in _rules(dialect).items():
        m.add(name, p)
    inputs = _inputs(dialect)
    before = [_answer(lambda e=e: m.match(e)) for e in inputs]
    for protocol in (pickle.DEFAULT_PROTOCOL, pickle.HIGHEST_PROTOCOL):
        copy = pickle.loads(pickle.dumps(m, protocol=protocol))
        assert list(copy) == list(m)
        assert copy.dialect.name == dialect
        assert [_answer(lambda e=e, c=copy: c.match(e)) for e in inputs] == before
        # The copy is a working machine of its own: changes to it leave the original alone.
        copy.add("extra", {"a": ["x"]})
        copy.remove("exact")
        assert "extra" not in m and "exact" in m
    assert [_answer(lambda e=e: m.match(e)) for e in inputs] == before


def test_pickle_machine_before_first_match() -> None:
    # Tables are built lazily; a machine pickled before any match must work as well.
    m = patterns.Machine()
    m.add("exact", {"a": ["x"]})
    copy = pickle.loads(pickle.dumps(m))
    assert copy.match({"a": "x"}) == ["exact"]
