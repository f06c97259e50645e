"""`patterns.validate` (and `patterns.wildcards`' syntax check), through `patterns.compile`:
every reason text, the order checks are made in, and where an error says the fault is.

Reasons marked "recorded" are AWS's own answers (../shared/conformance/cases.jsonl); the rest
are AWS-NOTES §1.7 texts or event-ruler's (JsonRuleCompiler, CIDR) wording, which AWS returns.
"""

from __future__ import annotations

import json

import pytest

import patterns
from patterns import InvalidPatternError

PREFIX = "Event pattern is not valid. Reason: "
AB_SHAPE = "Value of anything-but must be an array or single string/number value."
AB_LIST = "Inside anything but list, start|null|boolean is not supported."
AB_MIXED = "Inside anything but list, either all values are number or string, mixed type is not supported"
AB_IC_LIST = "Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported."
TOO_COMPLEX = (
    "Rule is too complex - try using fewer wildcard characters or fewer repeating character "
    "sequences after a wildcard character"
)


def reject(pattern) -> InvalidPatternError:
    with pytest.raises(InvalidPatternError) as info:
        patterns.compile(pattern)
    err = info.value
    assert str(err) == PREFIX + err.reason
    return err


def leaf(value: str) -> str:
    """A pattern text with `value` as the one entry of the value list at $.a."""
    return '{"a": [' + value + "]}"


# (pattern text, reason, JSON path of the faulty node)
REJECTIONS = [
    # --- shape of the pattern
    ('["not", "a", "dict"]', "Filter is not an object", "$"),  # recorded
    ('"x"', "Filter is not an object", "$"),
    ('{"int": 42}', '"int" must be an object or an array', "$.int"),  # recorded
    ('{"string": "my-value"}', '"string" must be an object or an array', "$.string"),  # recorded
    ('{"a": null}', '"a" must be an object or an array', "$.a"),
    ('{"a": true}', '"a" must be an object or an array', "$.a"),
    ('{"$or": "x"}', '"$or" must be an object or an array', "$['$or']"),
    ("{}", "Empty objects are not allowed", "$"),
    ('{"a": {}}', "Empty objects are not allowed", "$.a"),
    ('{"resources": []}', "Empty arrays are not allowed", "$.resources"),  # recorded
    (leaf('["x"]'), "Match value must be String, number, true, false, or null", "$.a[0]"),
    # --- match expressions
    (leaf("{}"), "Match expression name not found", "$.a[0]"),
    (leaf('{"NUMERIC": ["=", 5]}'), "Unrecognized match type NUMERIC", "$.a[0].NUMERIC"),  # recorded
    (leaf('{"EXISTS": true}'), "Unrecognized match type EXISTS", "$.a[0].EXISTS"),  # recorded
    (leaf('{"begins-with": "x"}'), "Unrecognized match type begins-with", "$.a[0]['begins-with']"),
    (leaf('{"prefix": "x", "suffix": "y"}'), "Only one key allowed in match expression", "$.a[0]"),
    (leaf('{"exists": true, "x": 1}'), "Only one key allowed in match expression", "$.a[0]"),
    (leaf('{"numeric": ["=", 1], "x": 1}'), "Too many elements in numeric expression", "$.a[0]"),
    (leaf('{"anything-but": "x", "y": 1}'), "Too many elements in numeric expression", "$.a[0]"),
    # --- string operators
    (leaf('{"prefix": 123}'), "prefix match pattern must be a string", "$.a[0].prefix"),  # recorded
    (leaf('{"prefix": ["2022"]}'), "prefix match pattern must be a string", "$.a[0].prefix"),  # recorded
    (leaf('{"prefix": null}'), "prefix match pattern must be a string", "$.a[0].prefix"),
    (leaf('{"suffix": 123}'), "suffix match pattern must be a string", "$.a[0].suffix"),  # recorded
    (leaf('{"suffix": [".png"]}'), "suffix match pattern must be a string", "$.a[0].suffix"),  # recorded
    (leaf('{"equals-ignore-case": ["x"]}'), "equals-ignore-case match pattern must be a string",
     "$.a[0]['equals-ignore-case']"),  # recorded
    (leaf('{"equals-ignore-case": {"prefix": "ec2"}}'), "equals-ignore-case match pattern must be a string",
     "$.a[0]['equals-ignore-case']"),  # recorded
    (leaf('{"exactly": 5}'), "exact match pattern must be a string", "$.a[0].exactly"),
    (leaf('{"prefix": {"equals-ignore-case": 5}}'), "equals-ignore-case match pattern must be a string",
     "$.a[0].prefix"),
    (leaf('{"suffix": {"equals-ignore-case": null}}'), "equals-ignore-case match pattern must be a string",
     "$.a[0].suffix"),
    (leaf('{"prefix": {}}'), "Prefix expression name not found", "$.a[0].prefix"),
    (leaf('{"suffix": {}}'), "Suffix expression name not found", "$.a[0].suffix"),
    (leaf('{"prefix": {"foo": "x"}}'), "Unsupported prefix pattern: foo", "$.a[0].prefix.foo"),
    (leaf('{"suffix": {"foo": "x"}}'), "Unsupported suffix pattern: foo", "$.a[0].suffix.foo"),
    (leaf('{"prefix": {"equals-ignore-case": "x", "y": 1}}'), "Only one key allowed in match expression",
     "$.a[0].prefix"),
    # --- wildcard
    (leaf('{"wildcard": 123}'), "wildcard match pattern must be a string", "$.a[0].wildcard"),  # recorded
    (leaf('{"wildcard": ["a*"]}'), "wildcard match pattern must be a string", "$.a[0].wildcard"),  # recorded
    (leaf('{"wildcard": "arn:aws:events:us-east-1:**:event-bus/*"}'), "Consecutive wildcard characters at pos 26",
     "$.a[0].wildcard"),  # recorded
    (leaf('{"wildcard": "**"}'), "Consecutive wildcard characters at pos 1", "$.a[0].wildcard"),
    (leaf(r'{"wildcard": "a\\x"}'), "Invalid escape character at pos 2", "$.a[0].wildcard"),
    (leaf('{"wildcard": "*:*:*:*:*:event-bus/*"}'), TOO_COMPLEX, "$.a"),  # recorded
    # --- exists
    (leaf('{"exists": "true"}'), "exists match pattern must be either true or false.", "$.a[0].exists"),
    (leaf('{"exists": null}'), "exists match pattern must be either true or false.", "$.a[0].exists"),
    (leaf('{"exists": 1}'), "exists match pattern must be either true or false.", "$.a[0].exists"),
    # --- cidr
    (leaf('{"cidr": ["bad-type"]}'), "prefix match pattern must be a string", "$.a[0].cidr"),  # recorded
    (leaf('{"cidr": 10}'), "prefix match pattern must be a string", "$.a[0].cidr"),
    (leaf('{"cidr": "bad-filter"}'), "Malformed CIDR, one '/' required", "$.a[0].cidr"),  # recorded
    (leaf('{"cidr": "10.0.0.0/8/8"}'), "Malformed CIDR, one '/' required", "$.a[0].cidr"),
    (leaf('{"cidr": "bad-/64filter"}'), "Malformed CIDR, mask bits must be an integer", "$.a[0].cidr"),  # recorded
    (leaf('{"cidr": "10.0.0.0/8.5"}'), "Malformed CIDR, mask bits must be an integer", "$.a[0].cidr"),
    (leaf('{"cidr": "10.0.0.0/-1"}'), "Malformed CIDR, mask bits must not be negative", "$.a[0].cidr"),
    (leaf('{"cidr": "xx.11.xx/8"}'), "Nonstandard IP address: xx.11.xx", "$.a[0].cidr"),  # recorded
    (leaf('{"cidr": "xxxx:db8:1234:1a00::/64"}'), "Nonstandard IP address: xxxx:db8:1234:1a00::",
     "$.a[0].cidr"),  # recorded
    (leaf('{"cidr": "256.0.0.0/8"}'), "Invalid IP address: 256.0.0.0", "$.a[0].cidr"),
    (leaf('{"cidr": "10.0.0.1/32"}'), "IPv4 mask bits must be < 32", "$.a[0].cidr"),
    (leaf('{"cidr": "2001:db8::1/128"}'), "IPv6 mask bits must be < 128", "$.a[0].cidr"),
    # --- numeric
    (leaf('{"numeric": 10}'), "Value of numeric must be an array.", "$.a[0].numeric"),  # recorded
    (leaf('{"numeric": []}'), "Invalid member in numeric match: ]", "$.a[0].numeric[0]"),
    (leaf('{"numeric": [5]}'), "Invalid member in numeric match: 5", "$.a[0].numeric[0]"),
    (leaf('{"numeric": [null]}'), "Invalid member in numeric match: null", "$.a[0].numeric[0]"),
    (leaf('{"numeric": ["!=", 5]}'), "Unrecognized numeric range operator: !=", "$.a[0].numeric[0]"),
    (leaf('{"numeric": ["=", "5"]}'), "Value of equals must be numeric", "$.a[0].numeric[1]"),
    (leaf('{"numeric": ["<"]}'), "Value of < must be numeric", "$.a[0].numeric[1]"),
    (leaf('{"numeric": [">=", null]}'), "Value of >= must be numeric", "$.a[0].numeric[1]"),
    (leaf('{"numeric": [">", 0, "<"]}'), "Value of < must be numeric", "$.a[0].numeric[3]"),  # recorded
    (leaf('{"numeric": [">", 0, "<=", "9"]}'), "Value of <= must be numeric", "$.a[0].numeric[3]"),
    (leaf('{"numeric": ["=", 1, 2]}'), "Too many elements in numeric expression", "$.a[0].numeric[2]"),
    (leaf('{"numeric": ["<", 5, "<", 6]}'), "Too many elements in numeric expression", "$.a[0].numeric[2]"),
    (leaf('{"numeric": [">", 0, ">", 0]}'), "Bad numeric range operator: >", "$.a[0].numeric[2]"),  # recorded
    (leaf('{"numeric": [">", 0, "=", 5]}'), "Bad numeric range operator: =", "$.a[0].numeric[2]"),
    (leaf('{"numeric": [">", 0, 5]}'), "Bad value in numeric range: 5", "$.a[0].numeric[2]"),
    (leaf('{"numeric": [">", 5, "<", 5]}'), "Bottom must be less than top", "$.a[0].numeric[3]"),
    (leaf('{"numeric": [">=", 5, "<=", 4]}'), "Bottom must be less than top", "$.a[0].numeric[3]"),
    (leaf('{"numeric": [">", 0, "<", 5, 6]}'), "Too many terms in numeric range expression", "$.a[0].numeric[4]"),
    (leaf('{"numeric": ["=", 1e400]}'), "Cannot compare number : 1e400", "$.a[0].numeric[1]"),
    # --- anything-but
    (leaf('{"anything-but": null}'), AB_SHAPE, "$.a[0]['anything-but']"),  # recorded
    (leaf('{"anything-but": true}'), AB_SHAPE, "$.a[0]['anything-but']"),
    (leaf('{"anything-but": ["stopped", null]}'), AB_LIST, "$.a[0]['anything-but'][1]"),  # recorded
    (leaf('{"anything-but": [true]}'), AB_LIST, "$.a[0]['anything-but'][0]"),
    (leaf('{"anything-but": [["x"]]}'), AB_LIST, "$.a[0]['anything-but'][0]"),
    (leaf('{"anything-but": ["a", 1]}'), AB_MIXED, "$.a[0]['anything-but']"),
    (leaf('{"anything-but": [1, "a"]}'), AB_MIXED, "$.a[0]['anything-but']"),
    (leaf('{"anything-but": []}'), AB_MIXED, "$.a[0]['anything-but']"),
    (leaf('{"anything-but": {}}'), "Anything-But expression name not found", "$.a[0]['anything-but']"),
    (leaf('{"anything-but": {"exists": true}}'), "Unsupported anything-but pattern: exists",
     "$.a[0]['anything-but'].exists"),
    (leaf('{"anything-but": {"numeric": [">", 1]}}'), "Unsupported anything-but pattern: numeric",
     "$.a[0]['anything-but'].numeric"),
    (leaf('{"anything-but": {"prefix": ""}}'), "Null prefix/suffix not allowed",
     "$.a[0]['anything-but'].prefix"),  # recorded
    (leaf('{"anything-but": {"suffix": ""}}'), "Null prefix/suffix not allowed",
     "$.a[0]['anything-but'].suffix"),  # recorded
    (leaf('{"anything-but": {"prefix": ["a", ""]}}'), "Null prefix/suffix not allowed",
     "$.a[0]['anything-but'].prefix[1]"),
    (leaf('{"anything-but": {"prefix": 123}}'), "prefix/suffix match pattern must be a string",
     "$.a[0]['anything-but'].prefix"),  # recorded
    (leaf('{"anything-but": {"prefix": [123, "test"]}}'), "prefix/suffix match pattern must be a string",
     "$.a[0]['anything-but'].prefix[0]"),  # recorded
    (leaf('{"anything-but": {"suffix": [null, ".txt"]}}'), "prefix/suffix match pattern must be a string",
     "$.a[0]['anything-but'].suffix[0]"),  # recorded
    (leaf('{"anything-but": {"prefix": {"equals-ignore-case": "file"}}}'), AB_SHAPE,
     "$.a[0]['anything-but'].prefix"),  # recorded
    (leaf('{"anything-but": {"suffix": {"equals-ignore-case": ".png"}}}'), AB_SHAPE,
     "$.a[0]['anything-but'].suffix"),  # recorded
    (leaf('{"anything-but": {"wildcard": 123}}'), "wildcard match pattern must be a string",
     "$.a[0]['anything-but'].wildcard"),  # recorded
    (leaf('{"anything-but": {"wildcard": [123, "*/dir/*"]}}'), "wildcard match pattern must be a string",
     "$.a[0]['anything-but'].wildcard[0]"),  # recorded
    (leaf('{"anything-but": {"wildcard": "a**"}}'), "Consecutive wildcard characters at pos 2",
     "$.a[0]['anything-but'].wildcard"),
    (leaf('{"anything-but": {"equals-ignore-case": 123}}'), AB_IC_LIST,
     "$.a[0]['anything-but']['equals-ignore-case']"),  # recorded
    (leaf('{"anything-but": {"equals-ignore-case": [123, 456]}}'), AB_IC_LIST,
     "$.a[0]['anything-but']['equals-ignore-case'][0]"),  # recorded
    (leaf('{"anything-but": {"equals-ignore-case": ["x", null]}}'), AB_IC_LIST,
     "$.a[0]['anything-but']['equals-ignore-case'][1]"),
    (leaf('{"anything-but": {"equals-ignore-case": true}}'), AB_SHAPE,
     "$.a[0]['anything-but']['equals-ignore-case']"),
    # --- $or that is not recognised is a plain field: its objects are read as match expressions
    ('{"$or": [{"a": ["x"]}]}', "Unrecognized match type a", "$['$or'][0].a"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "reason", "path"), REJECTIONS, ids=[f"{r[1][:40]}|{r[0]}" for r in REJECTIONS]
)
def test_validate_rejects_with_aws_reason(text: str, reason: str, path: str) -> None:
    err = reject(text)
    assert err.reason == reason
    assert err.path == path
    # Text input always says where the fault is, inside the text.
    assert err.line == 1 and err.column is not None and 1 <= err.column <= len(text)


@pytest.mark.parametrize(
    ("text", "reason", "path"), REJECTIONS, ids=[f"{r[1][:40]}|{r[0]}" for r in REJECTIONS]
)
def test_validate_dict_input_gives_same_reason_and_path(text: str, reason: str, path: str) -> None:
    value = json.loads(text)
    if not isinstance(value, dict) or "1e400" in text:
        pytest.skip("compile takes dicts only for objects; a dict cannot hold 1e400 (inf is not JSON)")
    err = reject(value)
    assert (err.reason, err.path) == (reason, path)
    assert (err.line, err.column, err.offset) == (None, None, None)


def test_validate_bytes_input_gives_same_error_as_text() -> None:
    text = leaf('{"prefix": 1}')
    a, b = reject(text), reject(text.encode())
    assert (a.reason, a.path, a.line, a.column) == (b.reason, b.path, b.line, b.column)


# --- positions -----------------------------------------------------------------------------------


def test_validate_error_points_at_faulty_node() -> None:
    text = '{"detail": {"state": [{"prefix": 123}]}}'
    err = reject(text)
    assert err.offset == text.index("123")
    assert (err.line, err.column) == (1, text.index("123") + 1)
    assert (err.end_line, err.end_column) == (1, text.index("123") + 4)


def test_validate_error_position_on_later_line() -> None:
    text = '{\n  "source": ["aws.ec2"],\n  "detail": {\n    "state": []\n  }\n}'
    err = reject(text)
    assert err.reason == "Empty arrays are not allowed"
    assert err.path == "$.detail.state"
    assert (err.line, err.column) == (4, 14)
    assert err.get_context(text) == '    "state": []\n             ^\n'


def test_validate_key_path_quotes_unusual_keys() -> None:
    err = reject('{"detail-type": {"it\'s": "x"}}')
    assert err.path == "$['detail-type']['it\\'s']"


# --- order of checks -------------------------------------------------------------------------------


def test_validate_first_fault_in_document_order_wins() -> None:
    assert reject('{"a": [], "b": "x"}').reason == "Empty arrays are not allowed"
    assert reject('{"b": "x", "a": []}').reason == '"b" must be an object or an array'


def test_validate_first_fault_across_fields_recorded_order() -> None:
    err = reject('{"a": [{"numeric": [">", 0, ">", 0]}], "b": [{"NUMERIC": [1]}]}')
    assert err.reason == "Bad numeric range operator: >"


def test_validate_operand_checked_before_extra_key() -> None:
    assert reject(leaf('{"prefix": 1, "suffix": "x"}')).reason == "prefix match pattern must be a string"


def test_validate_unknown_operator_checked_before_extra_key() -> None:
    assert reject(leaf('{"bogus": 1, "prefix": "x"}')).reason == "Unrecognized match type bogus"


def test_validate_numeric_lower_value_checked_before_range_operator() -> None:
    assert reject(leaf('{"numeric": [">", "x", ">", 0]}')).reason == "Value of > must be numeric"


def test_validate_numeric_bottom_checked_before_term_count() -> None:
    assert reject(leaf('{"numeric": [">", 5, "<", 1, 7]}')).reason == "Bottom must be less than top"


def test_validate_anything_but_list_item_checked_before_mix() -> None:
    assert reject(leaf('{"anything-but": ["a", 1, null]}')).reason == AB_LIST


def test_validate_fault_inside_value_list_names_the_item() -> None:
    err = reject(leaf('"x", {"prefix": 1}, 3'))
    assert (err.reason, err.path) == ("prefix match pattern must be a string", "$.a[1].prefix")


def test_validate_fault_inside_or_branch_has_branch_path() -> None:
    err = reject('{"$or": [{"a": ["x"]}, {"b": []}]}')
    assert (err.reason, err.path) == ("Empty arrays are not allowed", "$['$or'][1].b")


def test_validate_wildcard_complexity_checked_after_syntax_of_whole_pattern() -> None:
    # Complexity is a whole-rule check: a later syntax fault is reported first.
    text = '{"a": [{"wildcard": "*:*:*:*:*:event-bus/*"}], "b": []}'
    assert reject(text).reason == "Empty arrays are not allowed"


# --- accepted edge forms ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        leaf('{"cidr": "10.0.0.0/8/"}'),  # Java's split drops the trailing empty part
        leaf('{"cidr": "10.0.0.0/31"}'),
        leaf('{"cidr": "2001:db8::/127"}'),
        leaf('{"cidr": "0.0.0.0/0"}'),
        leaf('{"numeric": ["=", -0.5]}'),
        leaf('{"numeric": [">", -1e9, "<=", 1e9]}'),
        leaf('{"wildcard": "a*\\\\**"}'),  # an escaped star between two stars is not "consecutive"
        leaf('{"wildcard": "a\\\\\\\\b"}'),
        leaf('{"wildcard": ""}'),
        leaf('{"prefix": ""}'),
        leaf('{"anything-but": {"equals-ignore-case": ["A", "b"]}}'),
        leaf('{"anything-but": {"prefix": ["a", "b"]}}'),
        leaf('{"anything-but": 5}'),
        leaf('{"exactly": "x"}'),
        leaf("123456789012345678901234567890"),  # a literal number is never refused (compared as text)
        '{"a": [1e400]}',
        '{"a.b": ["x"], "c": {"d.e": [null]}}',
    ],
)
def test_validate_accepts(text: str) -> None:
    assert isinstance(patterns.compile(text), patterns.Pattern)


def test_validate_or_expansion_cap_is_1000_combinations() -> None:
    def ors(n: int) -> dict:
        return {"$or": [{"k": [str(i)]} for i in range(n)]}

    patterns.compile({"x": ors(10), "y": ors(10), "z": ors(10)})
    with pytest.raises(InvalidPatternError):
        patterns.compile({"x": ors(7), "y": ors(11), "z": ors(13)})


# --- duplicate keys: the last occurrence wins, per path ------------------------------------------


def test_validate_duplicate_key_last_occurrence_wins() -> None:
    p = patterns.compile('{"a": ["x"], "a": ["y"]}')
    assert p.matches({"a": "y"})
    assert not p.matches({"a": "x"})


def test_validate_duplicate_object_keys_merge_per_path() -> None:
    p = patterns.compile('{"d": {"a": ["x"]}, "d": {"b": ["y"]}}')
    assert p.matches({"d": {"a": "x", "b": "y"}})
    assert not p.matches({"d": {"b": "y"}})


def test_validate_duplicate_key_with_invalid_first_occurrence_is_rejected() -> None:
    assert reject('{"a": [], "a": ["y"]}').reason == "Empty arrays are not allowed"


# --- our own messages for dicts that are not JSON ------------------------------------------------


def test_validate_dict_with_nan_is_rejected() -> None:
    err = reject({"a": [float("nan")]})
    assert err.reason == "Expected a finite number, got `nan` - at `$.a[0]`"
    assert err.path == "$.a[0]"


def test_validate_dict_with_non_string_key_is_rejected() -> None:
    err = reject({"a": {1: ["x"]}})
    assert err.reason == "Expected `str` key, got `int` - at `$.a`"


def test_validate_dict_with_non_json_value_is_rejected() -> None:
    err = reject({"a": [{1, 2}]})
    assert err.reason == "Expected a JSON value, got `set` - at `$.a[0]`"


@pytest.mark.parametrize(
    "number",
    ["123456789012345678901234567890", "0.12345678901234567890", "1234567890.1234567890", "0.1234567", "42"],
)
def test_validate_fast_and_source_roads_agree_on_long_numbers(number: str) -> None:
    # orjson keeps only a double (and recent versions read huge integers as floats), so the
    # verdict on a number a double cannot hold must still come from its source text.
    from patterns.dialects import EVENTBRIDGE
    from patterns.parse import parse_json
    from patterns.validate import Rejection, validate

    text = '{"a": [{"numeric": [">", ' + number + "]}]}"
    try:
        validate(parse_json(text), EVENTBRIDGE)
        source_verdict = None
    except Rejection as rejection:
        source_verdict = rejection.reason
    try:
        patterns.compile(text)
        fast_verdict = None
    except InvalidPatternError as err:
        fast_verdict = err.reason
    assert fast_verdict == source_verdict
    exact = number in ("0.1234567", "42")
    assert (source_verdict is None) == exact
