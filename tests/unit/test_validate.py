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


# --- The `$or` cap, counted as the walk goes (issue 20) -------------------------------------------

_TOO_MANY_ORS = "Too many combinations of $or, the maximum is 1000"


def _or_shapes(n: int) -> dict[str, dict]:
    return {
        "one-or": {"$or": [{f"field{i % 7}": [f"value-{i}"]} for i in range(n)]},
        "nested": {"detail": {"$or": [{"f": {f"g{i % 5}": [f"v-{i}"]}} for i in range(n)]}},
        "groups": {f"f{i}": {"$or": [{"a": ["1"]}, {"b": ["2"]}]} for i in range(n // 10)},
    }


@pytest.mark.parametrize("shape", ["one-or", "nested", "groups"])
@pytest.mark.parametrize("road", ["text", "dict"])
def test_validate_or_cap_refuses_many_branches_with_the_same_error(shape: str, road: str) -> None:
    # (bench/bench_robustness.py times 100,000 branches, about 3 MB)
    pattern = _or_shapes(20_000)[shape]
    with pytest.raises(InvalidPatternError) as caught:
        patterns.compile(json.dumps(pattern) if road == "text" else pattern)
    err = caught.value
    assert err.reason == _TOO_MANY_ORS
    assert str(err) == "Event pattern is not valid. Reason: " + _TOO_MANY_ORS
    assert (err.path, err.line, err.column) == ("$", None, None)


def test_validate_or_cap_refuses_where_the_count_passes_it() -> None:
    # 1,001 branches prove the cap exceeded: a fault further on is never read, and one before
    # that point is still the one reported (the first fault in document order)
    branches: list[dict] = [{"a": [str(i)]} for i in range(1_200)]
    after = {"$or": [*branches[:1_100], {"a": []}, *branches[1_100:]]}
    with pytest.raises(InvalidPatternError) as caught:
        patterns.compile(json.dumps(after))
    assert caught.value.reason == _TOO_MANY_ORS
    before = {"$or": [*branches[:500], {"a": []}, *branches[500:]]}
    with pytest.raises(InvalidPatternError) as caught:
        patterns.compile(json.dumps(before))
    assert caught.value.reason == "Empty arrays are not allowed"
    assert caught.value.path == "$['$or'][500].a"


def test_validate_or_cap_counts_products_across_levels() -> None:
    # 10 x 10 x 10 = 1,000 (accepted) nested two levels deep; 10 x 10 x 11 refused
    def ors(n: int, key: str) -> dict:
        return {"$or": [{key: [str(i)]} for i in range(n)]}

    ok = {"x": ors(10, "k"), "y": {"z": {"$or": [{"w": ors(10, "v")} for _ in range(10)]}}}
    assert len(patterns.compile(json.dumps(ok)).branches) == 1_000
    bad = {"x": ors(10, "k"), "y": {"z": {"$or": [{"w": ors(10, "v")} for _ in range(11)]}}}
    with pytest.raises(InvalidPatternError, match=r"Too many combinations of \$or"):
        patterns.compile(json.dumps(bad))


def test_validate_large_text_gives_what_its_dict_gives(monkeypatch: pytest.MonkeyPatch) -> None:
    # text past `core._LARGE_TEXT` is read through lazily made nodes with the collector paused:
    # the same pattern as from its dict, the same error, and the collector left as it was
    import gc

    from patterns import core

    pattern = {"source": ["aws.ec2"], "detail": {f"f{i}": [f"v{i}", {"prefix": f"p{i}"}] for i in range(30)}}
    text = json.dumps(pattern)
    bad = text[:-1] + ', "x": []}'
    small = patterns.compile(text)
    with pytest.raises(InvalidPatternError) as small_error:
        patterns.compile(bad)
    monkeypatch.setattr(core, "_LARGE_TEXT", 64)
    assert patterns.compile(text) == small == patterns.compile(pattern)
    assert gc.isenabled()
    with pytest.raises(InvalidPatternError) as caught:
        patterns.compile(bad)
    err, expected = caught.value, small_error.value
    assert (str(err), err.path, err.line, err.column) == (str(expected), expected.path, 1, expected.column)
    tb = err.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    assert (
        err.__context__ is None and tb is not None and tb.tb_frame.f_code.co_name == "compile"
    )  # no walk frames
    assert gc.isenabled()
    gc.disable()
    try:
        patterns.compile(text)
        with pytest.raises(InvalidPatternError):
            patterns.compile(bad)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_validate_large_text_with_a_repeated_key_takes_the_source_road(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # orjson keeps the last of two equal keys; AWS's per-path rule needs the source
    from patterns import core

    monkeypatch.setattr(core, "_LARGE_TEXT", 16)
    text = '{"b": ["y"], "a": ["x"], "a": [{"exists": true}]}'
    assert patterns.compile(text) == patterns.compile('{"b": ["y"], "a": [{"exists": true}]}')
