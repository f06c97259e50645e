"""Lambda event filtering and EventBridge Pipes dialects: operator support, wording, limits.

Operator support comes from the Lambda filtering page's rule syntax table and the EventBridge
operators page's "Pipe support" column (see `patterns.dialects`); the documented examples of
each source are in tests/unit/test_records.py.
"""

from __future__ import annotations

import json

import pytest

import patterns
from patterns import InvalidPatternError, Machine
from patterns.dialects import EVENTBRIDGE, LAMBDA, PIPES, SNS_BODY, get_dialect

# Every Machine and Pattern here runs on each matcher twin (tests/conftest.py: `twin`).
pytestmark = pytest.mark.usefixtures("twin")

LAMBDA_PREFIX = "Invalid filter pattern definition. Reason: "
PIPES_PREFIX = "Filter pattern is not valid. Reason: "


def refusal(pattern, dialect: str) -> InvalidPatternError:
    with pytest.raises(InvalidPatternError) as info:
        patterns.compile(pattern, dialect=dialect)
    return info.value


# --- the dialects are registered data ------------------------------------------------------------


def test_dialects_are_registered_by_name() -> None:
    assert patterns.DIALECTS["lambda"] is LAMBDA
    assert patterns.DIALECTS["pipes"] is PIPES
    assert get_dialect("lambda") is LAMBDA
    assert Machine(dialect="pipes").dialect is PIPES


def test_dialects_keep_eventbridge_numbers_and_or_cap() -> None:
    for d in (LAMBDA, PIPES):
        assert (d.numeric_min, d.numeric_max) == (EVENTBRIDGE.numeric_min, EVENTBRIDGE.numeric_max)
        assert d.max_or_combinations == EVENTBRIDGE.max_or_combinations
        assert d.max_pattern_length == 4096


def test_dialects_filter_quotas() -> None:
    assert (LAMBDA.max_filters, LAMBDA.max_filters_quota) == (5, 10)
    assert (PIPES.max_filters, PIPES.max_filters_quota) == (5, 5)
    assert EVENTBRIDGE.max_filters is None and SNS_BODY.max_filters is None


# --- operators each service documents: accepted --------------------------------------------------

# The rows of Lambda's filter rule syntax table, as its examples write them.
LAMBDA_TABLE = [
    {"UserID": [None]},
    {"LastName": [""]},
    {"Name": ["Alice"]},
    {"Name": [{"equals-ignore-case": "alice"}]},
    {"Location": ["New York"], "Day": ["Monday"]},
    {"PaymentType": ["Credit", "Debit"]},
    {"Weather": [{"anything-but": ["Raining"]}]},
    {"Price": [{"numeric": ["=", 100]}]},
    {"Price": [{"numeric": [">", 10, "<=", 20]}]},
    {"ProductName": [{"exists": True}]},
    {"ProductName": [{"exists": False}]},
    {"Region": [{"prefix": "us-"}]},
    {"FileName": [{"suffix": ".png"}]},
]

# The rows of the EventBridge operators page whose "Pipe support" is Yes.
PIPES_TABLE = [
    *LAMBDA_TABLE,
    {"state": [{"anything-but": "initializing"}]},
    {"service": [{"prefix": {"equals-ignore-case": "eventb"}}]},
    {"service": [{"suffix": {"equals-ignore-case": "tBridge"}}]},
    {"$or": [{"Location": ["New York"]}, {"Day": ["Monday"]}]},
]


@pytest.mark.parametrize("pattern", LAMBDA_TABLE, ids=json.dumps)
def test_lambda_accepts_every_documented_operator(pattern: dict) -> None:
    assert patterns.compile(pattern, dialect="lambda").dialect is LAMBDA


@pytest.mark.parametrize("pattern", PIPES_TABLE, ids=json.dumps)
def test_pipes_accepts_every_documented_operator(pattern: dict) -> None:
    assert patterns.compile(pattern, dialect="pipes").dialect is PIPES


@pytest.mark.parametrize("dialect", ["lambda", "pipes"])
def test_cidr_is_accepted_and_matches_as_on_eventbridge(dialect: str) -> None:
    # Not in either service's operator table, but used by AWS's own sample Lambda filters.
    pattern = patterns.compile({"body": {"ip": [{"cidr": "10.0.0.0/24"}]}}, dialect=dialect)
    record = {"messageId": "1", "eventSource": "aws:sqs"}
    assert pattern.matches({**record, "body": '{"ip": "10.0.0.7"}'})
    assert not pattern.matches({**record, "body": '{"ip": "10.0.1.7"}'})


def test_lambda_accepts_or_on_multiple_fields() -> None:
    p = patterns.compile({"$or": [{"body": {"a": ["x"]}}, {"body": {"b": ["y"]}}]}, dialect="lambda")
    assert len(p.branches) == 2


def test_documented_operators_match_as_on_eventbridge() -> None:
    event = {"Name": "ALICE", "FileName": "a.PNG", "Price": 15, "Region": "us-east-1"}
    pattern = {
        "Name": [{"equals-ignore-case": "alice"}],
        "Price": [{"numeric": [">", 10, "<=", 20]}],
        "Region": [{"prefix": "us-"}],
    }
    for dialect in ("lambda", "pipes", "eventbridge"):
        assert patterns.compile(pattern, dialect=dialect).matches(event)
        assert not patterns.compile({"FileName": [{"suffix": ".png"}]}, dialect=dialect).matches(event)


# --- operators a service does not support: refused, naming the service ---------------------------

UNSUPPORTED = [
    # (pattern, dialects refusing it, the form named, JSON path)
    ({"a": [{"wildcard": "dir/*.png"}]}, ("lambda", "pipes"), "Match type `wildcard`", "$.a[0].wildcard"),
    ({"a": [{"exactly": "x"}]}, ("lambda", "pipes"), "Match type `exactly`", "$.a[0].exactly"),
    (
        {"Region": [{"anything-but": {"prefix": "us-"}}]},
        ("lambda", "pipes"),
        "`anything-but` with `prefix`",
        "$.Region[0]['anything-but'].prefix",
    ),
    (
        {"FileName": [{"anything-but": {"suffix": ".png"}}]},
        ("lambda", "pipes"),
        "`anything-but` with `suffix`",
        "$.FileName[0]['anything-but'].suffix",
    ),
    (
        {"state": [{"anything-but": {"equals-ignore-case": "initializing"}}]},
        ("lambda", "pipes"),
        "`anything-but` with `equals-ignore-case`",
        "$.state[0]['anything-but']['equals-ignore-case']",
    ),
    (
        {"FilePath": [{"anything-but": {"wildcard": "*/lib/*"}}]},
        ("lambda", "pipes"),
        "`anything-but` with `wildcard`",
        "$.FilePath[0]['anything-but'].wildcard",
    ),
    (
        {"service": [{"prefix": {"equals-ignore-case": "eventb"}}]},
        ("lambda",),
        "`prefix` with `equals-ignore-case`",
        "$.service[0].prefix['equals-ignore-case']",
    ),
    (
        {"service": [{"suffix": {"equals-ignore-case": "tBridge"}}]},
        ("lambda",),
        "`suffix` with `equals-ignore-case`",
        "$.service[0].suffix['equals-ignore-case']",
    ),
]

SERVICE = {"lambda": "Lambda event filtering", "pipes": "EventBridge Pipes filtering"}
PREFIX = {"lambda": LAMBDA_PREFIX, "pipes": PIPES_PREFIX}


@pytest.mark.parametrize(
    ("pattern", "dialect", "form", "path"),
    [(p, d, form, path) for p, ds, form, path in UNSUPPORTED for d in ds],
    ids=lambda v: json.dumps(v) if isinstance(v, dict) else None,
)
def test_unsupported_operator_is_refused_naming_the_service(
    pattern: dict, dialect: str, form: str, path: str
) -> None:
    err = refusal(json.dumps(pattern), dialect)
    reason = f"{form} is not supported by {SERVICE[dialect]}"
    assert err.reason == reason
    assert str(err) == PREFIX[dialect] + reason
    assert err.path == path
    assert err.line == 1 and err.column is not None


@pytest.mark.parametrize("pattern", [p for p, *_ in UNSUPPORTED], ids=json.dumps)
def test_eventbridge_still_accepts_what_lambda_refuses(pattern: dict) -> None:
    patterns.compile(pattern)


def test_sns_keeps_event_rulers_text_for_wildcard() -> None:
    err = refusal({"a": [{"wildcard": "x*"}]}, "sns-body")
    assert err.reason == "Unrecognized match type wildcard"


@pytest.mark.parametrize("dialect", ["lambda", "pipes"])
def test_unknown_operator_keeps_event_rulers_text(dialect: str) -> None:
    err = refusal({"a": [{"begins-with": "x"}]}, dialect)
    assert err.reason == "Unrecognized match type begins-with"
    assert str(err) == PREFIX[dialect] + "Unrecognized match type begins-with"


@pytest.mark.parametrize("dialect", ["lambda", "pipes"])
def test_unknown_anything_but_operator_keeps_event_rulers_text(dialect: str) -> None:
    err = refusal({"a": [{"anything-but": {"exists": True}}]}, dialect)
    assert err.reason == "Unsupported anything-but pattern: exists"


def test_lambda_prefix_with_other_object_is_a_type_fault() -> None:
    # Not the ignore-case form: the operand is simply not a string.
    err = refusal({"a": [{"prefix": {"foo": "x"}}]}, "lambda")
    assert err.reason == "prefix match pattern must be a string"


@pytest.mark.parametrize("dialect", ["lambda", "pipes"])
def test_first_fault_in_document_order_is_reported(dialect: str) -> None:
    err = refusal('{"a": [{"numeric": [">", "x"]}], "b": [{"wildcard": "*"}]}', dialect)
    assert err.reason == "Value of > must be numeric"


# --- the rest of EventBridge's rules and texts apply, under the service's prefix -----------------


@pytest.mark.parametrize("dialect", ["lambda", "pipes"])
def test_eventbridge_reasons_under_service_prefix(dialect: str) -> None:
    err = refusal('{"body": {"RequestCode": "BBBB"}}', dialect)
    assert str(err) == PREFIX[dialect] + '"RequestCode" must be an object or an array'
    assert err.path == "$.body.RequestCode"


@pytest.mark.parametrize("dialect", ["lambda", "pipes"])
def test_json_syntax_error_under_service_prefix(dialect: str) -> None:
    err = refusal('{"body": ', dialect)
    assert str(err).startswith(PREFIX[dialect])
    assert err.line == 1


def test_lambda_message_starts_with_aws_whole_text() -> None:
    # AWS answers CreateEventSourceMapping with "Invalid filter pattern definition." and no reason.
    err = refusal({"a": []}, "lambda")
    assert str(err).startswith("Invalid filter pattern definition.")
    assert err.reason == "Empty arrays are not allowed"


def test_or_expansion_cap_applies() -> None:
    group = [{"a": ["1"]}, {"b": ["2"]}, {"c": ["3"]}, {"d": ["4"]}]
    pattern = {
        "x": {"$or": group},
        "y": {"$or": group},
        "z": {"$or": group},
        "w": {"$or": group},
        "v": {"$or": group},
    }
    err = refusal(pattern, "lambda")  # 4**5 = 1,024 combinations
    assert err.reason == "Too many combinations of $or, the maximum is 1000"


# --- pattern length: Filter.Pattern holds at most 4,096 characters -------------------------------


def _pattern_of_length(n: int) -> str:
    head, tail = '{"body": {"k": ["', '"]}}'
    return head + "x" * (n - len(head) - len(tail)) + tail


@pytest.mark.parametrize("dialect", ["lambda", "pipes"])
def test_pattern_of_4096_characters_is_accepted(dialect: str) -> None:
    text = _pattern_of_length(4096)
    assert len(text) == 4096
    patterns.compile(text, dialect=dialect)


@pytest.mark.parametrize("dialect", ["lambda", "pipes"])
def test_pattern_of_4097_characters_is_refused(dialect: str) -> None:
    err = refusal(_pattern_of_length(4097), dialect)
    assert err.reason == "Expected a pattern of at most 4096 characters, got 4097"
    assert str(err) == PREFIX[dialect] + err.reason
    assert err.path == "$"


def test_pattern_length_counts_characters_not_bytes() -> None:
    head, tail = '{"body": {"k": ["', '"]}}'
    text = head + "é" * (4096 - len(head) - len(tail)) + tail
    patterns.compile(text, dialect="lambda")  # 4,096 characters, more UTF-8 bytes


def test_dict_pattern_is_measured_as_compact_json() -> None:
    head_tail = len('{"body":{"k":[""]}}')
    patterns.compile({"body": {"k": ["x" * (4096 - head_tail)]}}, dialect="lambda")
    err = refusal({"body": {"k": ["x" * (4097 - head_tail)]}}, "lambda")
    assert err.reason.startswith("Expected a pattern of at most 4096 characters")


def test_eventbridge_has_no_pattern_length_check_here() -> None:
    patterns.compile(_pattern_of_length(5000))
