"""EventBridge's engine rules the three matching roads share: IP strings, exists:false per element, BigNumber.

Every case is checked on the reference matcher (`patterns.oracle`), on `Pattern.matches` and on a
`Machine` given bytes and given a dict, so a rule holds on every road or the test says which not.
"""

from __future__ import annotations

import orjson
import pytest

import patterns
from patterns.events import decode_event, flatten
from patterns.oracle import matches as oracle_matches

# Every Machine and Pattern here runs on each matcher twin (tests/conftest.py: `twin`).
pytestmark = pytest.mark.usefixtures("twin")


def _answers(pattern: dict, event_text: str, dialect: str = "eventbridge") -> set[bool]:
    compiled = patterns.compile(pattern, dialect=dialect)
    machine = patterns.Machine(dialect)
    machine.add("r", pattern)
    answers = {
        oracle_matches(compiled.branches, flatten(decode_event(event_text))),
        compiled.matches(event_text),
        machine.match(event_text.encode()) == ["r"],
        machine.match(event_text) == ["r"],
        machine.match(decode_event(event_text)) == ["r"],  # the dict road (BigNumbers included)
    }
    return answers


def _holds(pattern: dict, event: object) -> bool:
    text = event if isinstance(event, str) else orjson.dumps(event).decode()
    answers = _answers(pattern, text)
    assert len(answers) == 1, f"the roads disagree on {pattern} / {text}"
    return answers.pop()


# --- an exact string that is an IP address -----------------------------------------------------


@pytest.mark.parametrize(
    ("pattern_ip", "event_ip", "expected"),
    [
        ("2001:db8::1", "2001:0db8:0000:0000:0000:0000:0000:0001", True),
        ("2001:0db8::0001", "2001:db8::1", True),
        ("10.0.0.1", "10.0.0.01", True),
        ("10.0.0.1", "10.0.0.1", True),
        ("10.0.0.1", "10.0.0.2", False),
        ("::ffff:10.0.0.1", "10.0.0.1", False),  # not an IPv6 text shape: an exact string
        ("10.0.0.1", "::ffff:a00:1", True),  # IPv4-mapped IPv6 is the IPv4 address
        ("not-an-ip", "not-an-ip", True),
    ],
)
def test_exact_ip_string_matches_any_textual_form(pattern_ip: str, event_ip: str, expected: bool) -> None:
    assert _holds({"addr": [pattern_ip]}, {"addr": event_ip}) is expected


def test_other_string_operators_still_see_ip_text() -> None:
    assert _holds({"addr": [{"prefix": "10.0.0.0"}]}, {"addr": "10.0.0.01"})
    assert not _holds({"addr": [{"prefix": "10.0.0.0"}]}, {"addr": "10.0.0.1"})
    assert _holds({"addr": [{"anything-but": "10.0.0.1"}]}, {"addr": "10.0.0.01"})


# --- exists:false decided per array element ------------------------------------------------------

COUPON = {"items": {"sku": ["A"], "coupon": [{"exists": False}]}}


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        ([{"sku": "A"}, {"sku": "B", "coupon": "X"}], True),  # the example
        ([{"sku": "A", "coupon": "Y"}, {"sku": "B"}], False),  # the element without coupon is not A
        ([{"sku": "A", "coupon": "Y"}], False),
        ([{"sku": "A"}], True),
        ([{"sku": "B"}, {"sku": "A"}], True),
    ],
)
def test_exists_false_is_decided_per_element(items: list, expected: bool) -> None:
    assert _holds(COUPON, {"items": items}) is expected


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        ([{"sku": "A", "coupon": "Z"}, {"sku": "B"}], True),  # A's element holds coupon Z
        ([{"sku": "B", "coupon": "Z"}, {"sku": "A"}], True),  # A's element has no coupon
        ([{"sku": "A", "coupon": "Y"}, {"sku": "B"}], False),
    ],
)
def test_exists_false_beside_a_value_counts_both_ways(items: list, expected: bool) -> None:
    # One value list reaching its condition through a leaf in one element and through absence
    # in another: the Machine once kept only the absence's elements (a wrong "no" for the first).
    pattern = {"items": {"sku": ["A"], "coupon": [{"exists": False}, "Z"]}}
    assert _holds(pattern, {"items": items}) is expected


def test_exists_false_absent_everywhere_still_holds() -> None:
    assert _holds({"a": [{"exists": False}]}, {"b": 1})
    assert not _holds({"a": [{"exists": False}]}, {"a": 1})
    assert not _holds({"a": [{"exists": False}]}, {"a": [1, 2]})  # scalar elements open no element


def _task(state: str, provider: str, interface: str | None) -> dict:
    resource: dict = {"legacyFocusCategory": "XXXXXFocus"}
    if interface is not None:
        resource["additionalContext"] = {"capabilityInterfaces": [{"interfaceName": interface}]}
    return {"taskInstanceState": state, "provider": {"id": provider}, "resources": [resource]}


def _rule(absent: str) -> dict:
    return {
        "requestContext": {
            "taskInstances": {
                "taskInstanceState": ["ACTIVE"],
                "provider": {"id": ["XXXXXXXXXXXX"]},
                "resources": {"additionalContext": {"capabilityInterfaces": {absent: [{"exists": False}]}}},
            }
        }
    }


def test_exists_false_event_ruler_acmachine_case() -> None:
    # event-ruler's ACMachineTest.testACWithExistFalseRule: the first task instance is ACTIVE,
    # pinned to the provider, and its resource has no interfaceName.
    event1 = {
        "requestContext": {"taskInstances": [_task("ACTIVE", "XXXXXXXXXXXX", None), _task("x", "y", "D.D")]}
    }
    event2 = {
        "requestContext": {"taskInstances": [_task("ACTIVE", "XXXXXXXXXXXX", "X.X"), _task("x", "y", "X.X")]}
    }
    assert _holds(_rule("interfaceName"), event1)
    assert _holds(_rule("abc"), event1)
    assert not _holds(_rule("interfaceName"), event2)
    assert _holds(_rule("abc"), event2)


# --- numbers no double holds ---------------------------------------------------------------------


@pytest.mark.parametrize("number", ["1e400", "-1e400", "1" * 1000])
def test_big_numbers_are_present_but_compare_with_nothing(number: str) -> None:
    event = '{"n": ' + number + ', "s": "x"}'
    assert _answers({"n": [{"exists": True}]}, event) == {True}
    assert _answers({"n": [{"numeric": [">", 0]}]}, event) == {False}
    assert _answers({"n": [{"numeric": ["<", 0]}]}, event) == {False}
    assert _answers({"n": [{"anything-but": [1]}]}, event) == {True}
    assert _answers({"n": [{"anything-but": "x"}]}, event) == {True}
    assert _answers({"n": [{"prefix": "1"}]}, event) == {False}


# --- SNS message bodies: exists:true needs a value -----------------------------------------------


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ('{"store": "fans"}', True),
        ('{"store": null}', False),  # "the key must have a non-null and non-empty value"
        ('{"store": ""}', False),
        ('{"store": 0}', True),
        ('{"store": false}', True),
        ('{"store": [null, "x"]}', True),  # one element with a value is enough
        ('{"store": [null, ""]}', False),
        ('{"other": "x"}', False),
    ],
)
def test_sns_body_exists_true_needs_a_non_null_non_empty_value(body: str, expected: bool) -> None:
    assert _answers({"store": [{"exists": True}]}, body, dialect="sns-body") == {expected}


@pytest.mark.parametrize("body", ['{"store": null}', '{"store": ""}'])
def test_eventbridge_exists_true_keeps_null_and_empty_as_present(body: str) -> None:
    assert _answers({"store": [{"exists": True}]}, body) == {True}
