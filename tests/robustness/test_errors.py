"""Clear errors, never a crash (issue 7): no interpreter setting changed, no deep recursion, and
only the library's own exceptions (`PatternsError` subclasses) escape the public API."""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import textwrap

import orjson
import pytest

import patterns
from patterns import InvalidPatternError, PatternsError

from ._budget import ROOT

# Every Machine and Pattern here runs on each matcher twin (tests/conftest.py: `twin`).
pytestmark = pytest.mark.usefixtures("twin")

#: Invalid at the bottom: a number where "a" needs an object or an array, 1,000 objects down.
DEEP_INVALID = '{"a":' * 1000 + "1" + "}" * 1000


def _deep_pattern(depth: int, leaf: str = '["x"]') -> str:
    return '{"a":' * depth + leaf + "}" * depth


# --- Recursion -----------------------------------------------------------------------------------


def test_errors_recursion_limit_unchanged() -> None:
    before = sys.getrecursionlimit()
    with pytest.raises(InvalidPatternError):
        patterns.compile(DEEP_INVALID)
    with pytest.raises(InvalidPatternError):
        patterns.compile(orjson.loads(DEEP_INVALID))
    assert sys.getrecursionlimit() == before


def test_errors_deep_pattern_in_a_small_stack_thread() -> None:
    # 512 KB is macOS's default thread stack; before issue 7 the library raised the recursion
    # limit, the walk overflowed the stack and the process died with SIGSEGV.
    code = textwrap.dedent(
        f"""
        import sys, threading
        sys.path.insert(0, {str(ROOT)!r})
        import patterns
        text = '{{"a":' * 1000 + '1' + '}}' * 1000
        value = 1
        for _ in range(1000):
            value = {{"a": value}}
        seen = []
        def work():
            for source in (text, value):
                try:
                    patterns.compile(source)
                except patterns.InvalidPatternError:
                    seen.append("invalid")
                except BaseException as exc:
                    seen.append(type(exc).__name__)
        threading.stack_size(512 * 1024)
        t = threading.Thread(target=work)
        t.start()
        t.join()
        print(seen)
        sys.exit(0 if seen == ["invalid", "invalid"] else 3)
        """
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert proc.returncode == 0, (proc.returncode, proc.stdout[-500:], proc.stderr[-500:])


def test_errors_pattern_with_many_fields_matches() -> None:
    # 1,000 fields: Pattern.matches raised RecursionError before issue 7, where Machine matched.
    pattern = {f"f{i}": ["x"] for i in range(1000)}
    event = {f"f{i}": "x" for i in range(1000)}
    m = patterns.Machine()
    m.add("r", pattern)
    assert m.match(event) == ["r"]
    assert patterns.compile(pattern).matches(event) is True
    assert patterns.compile(pattern).matches(orjson.dumps(event)) is True


def test_errors_answer_independent_of_history() -> None:
    # Before issue 7, compiling a pattern deeper than 150 raised the recursion limit, after which
    # the 1,000-field match answered True where it had raised: the answer depended on history.
    pattern = patterns.compile({f"f{i}": ["x"] for i in range(1000)})
    event = {f"f{i}": "x" for i in range(1000)}

    def answer():
        try:
            return pattern.matches(event)
        except RecursionError as exc:  # the failure itself is asserted below
            return type(exc).__name__

    first = answer()
    patterns.compile(_deep_pattern(200))
    assert answer() == first
    assert first is True


def test_errors_sns_body_deep_array() -> None:
    # A 500-deep array in an SNS body (orjson reads up to 1,024) raised RecursionError.
    body = '{"a": ' + "[" * 500 + '"x"' + "]" * 500 + "}"
    p = patterns.compile({"a": ["x"]}, dialect="sns-body")
    m = patterns.Machine("sns-body")
    m.add("r", {"a": ["x"]})
    assert p.matches(body) is True
    assert m.match(body) == ["r"]
    assert m.match(orjson.loads(body)) == ["r"]


# --- Numbers beyond Python's 4,300-digit limit ---------------------------------------------------

BIG = "9" * 5000


def _only_ours(fn) -> None:
    with contextlib.suppress(PatternsError):
        fn()


@pytest.mark.parametrize(
    "source",
    [
        f'{{"a": [{BIG}]}}',
        f'{{"a": [{{"numeric": [">", {BIG}]}}]}}',
        f'{{"a": [{{"anything-but": [{BIG}]}}]}}',
        f'{{"a": [{{"cidr": "10.0.0.0/{BIG}"}}]}}',
        f'{{"a": [{{"cidr": "{BIG}.0.0.0/8"}}]}}',
        f'{{"a": [{{"cidr": "::{BIG}/64"}}]}}',
    ],
    ids=["value", "numeric", "anything-but", "cidr-mask", "cidr-octet", "cidr-v6"],
)
@pytest.mark.parametrize("dialect", sorted(patterns.DIALECTS))
def test_errors_huge_number_in_pattern_text(source: str, dialect: str) -> None:
    _only_ours(lambda: patterns.compile(source, dialect=dialect))
    _only_ours(lambda: patterns.compile(source + " ", dialect=dialect))  # same text, other road?


@pytest.mark.parametrize("dialect", sorted(patterns.DIALECTS))
def test_errors_huge_number_in_pattern_dict(dialect: str) -> None:
    huge = 10**5000 - 1
    _only_ours(lambda: patterns.compile({"a": [huge]}, dialect=dialect))
    _only_ours(lambda: patterns.compile({"a": [{"numeric": [">", huge]}]}, dialect=dialect))
    _only_ours(lambda: patterns.compile({"a": [{"anything-but": huge}]}, dialect=dialect))


@pytest.mark.parametrize(
    "event",
    [
        b'{"a": %s}' % BIG.encode(),
        b'{"a": "%s.0.0.1"}' % BIG.encode(),
        b'{"a": "10.0.0.%s"}' % BIG.encode(),
        {"a": 10**5000 - 1},
        {"a": f"{BIG}.0.0.1"},
    ],
    ids=["number-bytes", "ip-octet-bytes", "ip-last-octet-bytes", "number-dict", "ip-octet-dict"],
)
def test_errors_huge_number_in_event(event) -> None:
    rules = [
        {"a": [{"cidr": "10.0.0.0/8"}]},
        {"a": [{"numeric": [">", 0]}]},
        {"a": [1]},
        {"a": [{"anything-but": 1}]},
    ]
    m = patterns.Machine()
    for i, rule in enumerate(rules):
        m.add(f"r{i}", rule)
        _only_ours(lambda rule=rule: patterns.compile(rule).matches(event))
    _only_ours(lambda: m.match(event))


def test_errors_huge_number_in_sns_number_attribute() -> None:
    attributes = {"a": {"DataType": "Number", "StringValue": BIG}}
    for rule in ({"a": [{"exists": True}]}, {"a": [{"numeric": [">", 0]}]}, {"a": [1]}):
        _only_ours(lambda rule=rule: patterns.compile(rule, dialect="sns-attributes").matches(attributes))
        m = patterns.Machine("sns-attributes")
        m.add("r", rule)
        _only_ours(lambda m=m: m.match(attributes))


# --- Numbers a double cannot hold, in events -----------------------------------------------------


@pytest.mark.parametrize("number", ["1e400", "-1e400", "1" * 1000, "-" + "1" * 1000])
def test_errors_out_of_range_event_number_is_accepted(number: str) -> None:
    # Valid JSON: accepted, present (exists: true), and, as in event-ruler, where such numbers
    # are not numerically comparable, neither in a numeric range nor equal to any number.
    event = b'{"a": %s}' % number.encode()
    rules = {
        "exists": {"a": [{"exists": True}]},
        "absent": {"a": [{"exists": False}]},
        "above": {"a": [{"numeric": [">", 0]}]},
        "below": {"a": [{"numeric": ["<", 0]}]},
        "big": {"a": [1e308]},
        "minus-big": {"a": [-1e308]},
    }
    m = patterns.Machine()
    for name, rule in rules.items():
        m.add(name, rule)
    assert m.match(event) == ["exists"]
    assert m.match(event.decode()) == ["exists"]
    assert [name for name, rule in rules.items() if patterns.compile(rule).matches(event)] == ["exists"]


# --- Round trips ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ['{"a": [1e309]}', '{"a": [-1e309]}', '{"a": {"b": [1]}, "a": {"c": [2]}}', '{"a": ["x"], "a": ["y"]}'],
    ids=["1e309", "-1e309", "duplicate-object", "duplicate-list"],
)
def test_errors_round_trip_through_to_json(text: str) -> None:
    try:
        p = patterns.compile(text)
    except InvalidPatternError:
        return  # refusing is fine; accepting then refusing the own output is not
    assert patterns.compile(p.to_json()) == p
    # json, not orjson: a literal past a double's range (1e309, accepted as AWS accepts it) is
    # written as an integer past it (10**309), which orjson (64-bit integers) cannot write
    text = json.dumps(p.to_json())
    assert patterns.compile(text) == p
