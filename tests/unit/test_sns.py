"""SNS dialects: attributes and bodies as events, the SNS operator set, texts, limits and scopes."""

from __future__ import annotations

import pytest

import patterns
from patterns import InvalidEventError, InvalidPatternError
from patterns.dialects import EVENTBRIDGE, SNS_ATTRIBUTES, SNS_BODY, dialect_for_scope
from patterns.sns import (
    MAX_POLICY_BYTES,
    attributes_to_event,
    body_to_event,
    combinations,
    policy_keys,
)

# Every Machine and Pattern here runs on each matcher twin (tests/conftest.py: `twin`).
pytestmark = pytest.mark.usefixtures("twin")

ATTRS = "sns-attributes"
BODY = "sns-body"


def s(value: str) -> dict:
    return {"DataType": "String", "StringValue": value}


def n(value: str) -> dict:
    return {"DataType": "Number", "StringValue": value}


def arr(value: str) -> dict:
    return {"DataType": "String.Array", "StringValue": value}


def binary() -> dict:
    return {"DataType": "Binary", "BinaryValue": b"\x00\x01"}


def matches(policy: dict, message, dialect: str = ATTRS) -> bool:
    return patterns.compile(policy, dialect=dialect).matches(message)


def reject(policy, dialect: str = ATTRS) -> InvalidPatternError:
    with pytest.raises(InvalidPatternError) as info:
        patterns.compile(policy, dialect=dialect)
    return info.value


# --- the issue's examples ------------------------------------------------------------------------


def test_sns_issue_examples_match():
    attrs = {
        "store": s("example_corp"),
        "price": n("1200"),
        "tags": arr('["a", "b"]'),
    }
    policy = {"store": ["example_corp"], "price": [{"numeric": [">=", 1000]}]}
    assert matches(policy, attrs)
    assert matches({"order": {"kind": ["premium"]}}, '{"order": {"kind": "premium"}}', BODY)


def test_sns_dialects_are_registered():
    assert patterns.DIALECTS["sns-attributes"] is SNS_ATTRIBUTES
    assert patterns.DIALECTS["sns-body"] is SNS_BODY


# --- MessageAttributes: data types -----------------------------------------------------------------


def test_attributes_to_event_types():
    event = attributes_to_event(
        {"a": s("x"), "b": n("12"), "c": n("1.5"), "d": arr('["p", 2, true, null]'), "e": binary()}
    )
    assert event == {"a": "x", "b": 12, "c": 1.5, "d": ["p", 2, True, None]}


def test_attributes_numeric_matches_number_attribute_only():
    policy = {"price": [{"numeric": [">", 100]}]}
    assert matches(policy, {"price": n("101")})
    assert not matches(policy, {"price": s("101")})  # a String holding digits is not a number


def test_attributes_string_value_does_not_match_number_attribute():
    assert matches({"price": ["100"]}, {"price": s("100")})
    assert not matches({"price": ["100"]}, {"price": n("100")})
    assert matches({"price": [100]}, {"price": n("100")})
    assert not matches({"price": [100]}, {"price": s("100")})


def test_attributes_number_equality_is_numeric():
    assert matches({"price": [100]}, {"price": n("100.0")})
    assert matches({"price": [{"numeric": ["=", 300]}]}, {"price": n("3e2")})


def test_attributes_anything_but_string_does_not_exclude_number():
    assert matches({"v": [{"anything-but": ["100"]}]}, {"v": n("100")})
    assert not matches({"v": [{"anything-but": [100]}]}, {"v": n("100")})


def test_attributes_string_array_matches_per_element():
    assert matches({"tags": ["b"]}, {"tags": arr('["a", "b"]')})
    assert not matches({"tags": ["c"]}, {"tags": arr('["a", "b"]')})
    assert matches({"tags": [{"prefix": "so"}]}, {"tags": arr('["rugby", "soccer"]')})
    assert matches({"tags": [100]}, {"tags": arr("[100, 50]")})


def test_attributes_string_array_anything_but_is_existential():
    # SNS guide: ["rugby", "baseball"] matches anything-but ["rugby", "tennis"].
    policy = {"sport": [{"anything-but": ["rugby", "tennis"]}]}
    assert matches(policy, {"sport": arr('["rugby", "baseball"]')})


def test_attributes_string_array_scalar_json_is_one_value():
    assert matches({"price": [100, 500]}, {"price": arr("100")})


def test_attributes_string_array_not_json_never_matches_a_value():
    assert not matches({"f": ["anything"]}, {"f": arr("['anything']")})
    assert not matches({"f": [{"exists": True}]}, {"f": arr("one hundred")})
    # Left out like a Binary attribute: `exists: false` holds when another attribute is there.
    assert matches({"f": [{"exists": False}]}, {"f": arr("not json"), "g": s("x")})


def test_attributes_binary_is_ignored():
    assert not matches({"blob": [{"exists": True}]}, {"blob": binary(), "x": s("y")})
    assert matches({"blob": [{"exists": False}]}, {"blob": binary(), "x": s("y")})


def test_attributes_custom_type_labels_read_as_their_type():
    assert matches({"p": [{"numeric": ["<", 2]}]}, {"p": {"DataType": "Number.float", "StringValue": "1.5"}})
    assert matches({"p": ["x"]}, {"p": {"DataType": "String.custom", "StringValue": "x"}})


# --- MessageAttributes: no attributes --------------------------------------------------------------


@pytest.mark.parametrize(
    "policy",
    [
        {"store": [{"exists": False}]},
        {"attr1": [None, {"anything-but": "whatever"}]},  # recorded against AWS: no match
        {"store": ["x"]},
    ],
)
def test_attributes_none_at_all_match_no_policy(policy):
    assert not matches(policy, {})
    assert not matches(policy, {"blob": binary()})  # only Binary: nothing SNS compares


def test_attributes_exists_false_needs_another_attribute():
    assert matches({"store": [{"exists": False}]}, {"other": s("x")})


def test_attributes_empty_policy_matches_everything():
    for message in ({}, {"a": s("x")}, {"b": binary()}):
        assert matches({}, message)


def test_attributes_to_event_none_when_nothing_compared():
    assert attributes_to_event({}) is None
    assert attributes_to_event({"b": binary()}) is None


# --- MessageAttributes: inputs Publish refuses -----------------------------------------------------


@pytest.mark.parametrize(
    ("attributes", "text"),
    [
        ([], "Expected `dict` of message attributes, got `list` - at `$`"),
        ('{"a": 1}', "Expected `dict` of message attributes, got `str` - at `$`"),
        ({1: s("x")}, "Expected `str` attribute name, got `int` - at `$`"),
        ({"a": "x"}, "Expected `dict` attribute value, got `str` - at `$.a`"),
        ({"a": {"StringValue": "x"}}, "Expected `str` DataType, got `NoneType` - at `$.a.DataType`"),
        (
            {"a": {"DataType": "Text", "StringValue": "x"}},
            "The message attribute 'a' has an invalid message attribute type, the set of supported "
            "type prefixes is Binary, Number, and String.",
        ),
        (
            {"a": {"DataType": "String"}},
            "The message attribute 'a' must contain non-empty message attribute value for message "
            "attribute type 'String'.",
        ),
        (
            {"a": {"DataType": "Number", "StringValue": ""}},
            "The message attribute 'a' must contain non-empty message attribute value for message "
            "attribute type 'Number'.",
        ),
        ({"a": n("abc")}, "Expected a number for a Number attribute, got `abc` - at `$.a.StringValue`"),
        ({"a": n("NaN")}, "Expected a number for a Number attribute, got `NaN` - at `$.a.StringValue`"),
        ({"a": n(" 1")}, "Expected a number for a Number attribute, got ` 1` - at `$.a.StringValue`"),
        ({"a": n("1e400")}, "Expected a number SNS can hold, got `1e400` - at `$.a.StringValue`"),
    ],
)
def test_attributes_publish_would_refuse(attributes, text):
    with pytest.raises(InvalidEventError) as info:
        patterns.compile({"a": ["x"]}, dialect=ATTRS).matches(attributes)
    assert str(info.value) == text


# --- MessageBody -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    ["Regular string message", '"Regular string message"', "[1, 2]", "12", "null", "", b"\xff\xfe", [1], 3],
)
def test_body_that_is_not_a_json_object_never_matches(body):
    assert body_to_event(body) is None
    assert not matches({"a": [{"exists": False}]}, body, BODY)
    assert matches({}, body, BODY)  # the empty policy filters nothing


def test_body_of_an_unusable_type_is_an_event_error():
    with pytest.raises(InvalidEventError):
        patterns.compile({"a": ["x"]}, dialect=BODY).matches({1, 2})


def test_body_accepts_text_bytes_and_objects():
    policy = {"order": {"kind": ["premium"]}}
    text = '{"order": {"kind": "premium"}}'
    for body in (text, text.encode(), {"order": {"kind": "premium"}}):
        assert matches(policy, body, BODY)


def test_body_nested_policy_and_dotted_keys():
    assert matches({"a.b": ["x"]}, '{"a": {"b": "x"}}', BODY)
    assert matches({"a": {"b": ["x"]}}, '{"a.b": "x"}', BODY)
    assert matches({"a": {"b": ["x"]}}, '{"a": [[{"b": "x"}]]}', BODY)


def test_body_numbers_are_numbers():
    assert matches({"p": [{"numeric": [">", 10]}]}, '{"p": 11}', BODY)
    assert not matches({"p": [{"numeric": [">", 10]}]}, '{"p": "11"}', BODY)


# --- numbers: range and precision ----------------------------------------------------------------------


def test_sns_number_precision_is_five_decimals():
    assert matches({"price": [100.123456789]}, {"price": n("100.1234567")})
    assert matches({"price": [{"numeric": ["=", 0.000001]}]}, {"price": n("0")})
    assert not matches({"price": [100.12]}, {"price": n("100.13")})
    assert matches({"p": [100.123456789]}, '{"p": 100.1234567}', BODY)


def test_eventbridge_keeps_full_double_precision():
    assert not patterns.compile({"p": [100.123456789]}).matches({"p": 100.1234567})


@pytest.mark.parametrize("value", [1e9, -1e9, 999999999.5])
def test_sns_numeric_range_accepts_bounds(value):
    patterns.compile({"p": [{"numeric": ["<", value]}]}, dialect=ATTRS)


@pytest.mark.parametrize(
    "policy",
    [
        {"p": [{"numeric": [">", 1000000001]}]},
        {"p": [{"numeric": ["<", -2e9]}]},
        {"p": [{"anything-but": 5e9}]},
    ],
)
def test_sns_numeric_range_rejects_beyond_a_billion(policy):
    err = reject(policy)
    assert str(err) == "Invalid parameter: FilterPolicy: Value must be between -1.0E9 and 1.0E9, inclusive"


def test_sns_literal_beyond_range_is_accepted():
    patterns.compile({"store": [1000000001]}, dialect=ATTRS)


# --- the SNS operator set -------------------------------------------------------------------------------


@pytest.mark.parametrize("dialect", [ATTRS, BODY])
@pytest.mark.parametrize(
    ("policy", "reason"),
    [
        ({"k": [{"wildcard": "a*"}]}, "Unrecognized match type wildcard"),
        ({"k": [{"exactly": "a"}]}, "Unrecognized match type exactly"),
        ({"k": [{"anything-but": {"suffix": "a"}}]}, "Unsupported anything-but pattern: suffix"),
        ({"k": [{"anything-but": {"wildcard": "a*"}}]}, "Unsupported anything-but pattern: wildcard"),
        (
            {"k": [{"anything-but": {"equals-ignore-case": "a"}}]},
            "Unsupported anything-but pattern: equals-ignore-case",
        ),
        ({"k": [{"anything-but": {"exists": False}}]}, "Unsupported anything-but pattern: exists"),
        ({"k": [{"anything-but": {"prefix": ["a", "b"]}}]}, "prefix match pattern must be a string"),
        ({"k": [{"anything-but": {"prefix": False}}]}, "prefix match pattern must be a string"),
        ({"k": [{"prefix": {"equals-ignore-case": "a"}}]}, "prefix match pattern must be a string"),
        ({"k": [{"suffix": {"equals-ignore-case": "a"}}]}, "suffix match pattern must be a string"),
        ({"k": [{"cidr": ["10.0.0.0/8"]}]}, "prefix match pattern must be a string"),
        ({"k": []}, "Empty arrays are not allowed"),
        ({"k": "v"}, '"k" must be an object or an array'),
    ],
)
def test_sns_rejects_with_sns_text(dialect, policy, reason):
    err = reject(policy, dialect)
    assert str(err) == "Invalid parameter: FilterPolicy: " + reason
    assert err.reason == reason


@pytest.mark.parametrize(
    "operand",
    [
        {"prefix": "a"},
        {"suffix": "a"},
        {"equals-ignore-case": "a"},
        {"anything-but": "a"},
        {"anything-but": ["a", "b"]},
        {"anything-but": {"prefix": "a"}},
        {"numeric": [">", 0, "<=", 5]},
        {"exists": True},
        {"cidr": "10.0.0.0/24"},
    ],
)
def test_sns_accepts_its_operators(operand):
    patterns.compile({"k": [operand]}, dialect=ATTRS)
    patterns.compile({"k": [operand]}, dialect=BODY)


def test_sns_syntax_error_text():
    err = reject("{invalidjson}")
    assert str(err) == (
        "Invalid parameter: FilterPolicy: failed to parse JSON. Unexpected character ('i' (code 105)): "
        "was expecting double-quote to start field name"
    )


def test_eventbridge_is_unchanged_by_sns_rules():
    with pytest.raises(InvalidPatternError):
        patterns.compile({})
    patterns.compile({"k": [{"prefix": {"equals-ignore-case": "a"}}]})
    patterns.compile({"k": [{"anything-but": {"suffix": "a"}}]})
    err = reject({"k": [{"anything-but": {"prefix": False}}]}, EVENTBRIDGE.name)
    assert err.reason == "Value of anything-but must be an array or single string/number value."


# --- scope mix-ups ------------------------------------------------------------------------------------


def test_attributes_scope_rejects_nested_policy():
    err = reject({"object": {"key": [{"prefix": "auto-"}]}})
    assert str(err) == (
        "Invalid parameter: Filter policy scope MessageAttributes does not support nested filter policy"
    )
    assert err.reason == "Filter policy scope MessageAttributes does not support nested filter policy"
    assert err.path == "$.object"
    patterns.compile({"object": {"key": [{"prefix": "auto-"}]}}, dialect=BODY)


def test_attributes_scope_reports_faults_inside_the_nesting_first():
    # Recorded against AWS: the inner fault, not the scope error.
    err = reject({"key": {"suffix": "value"}})
    assert str(err) == 'Invalid parameter: FilterPolicy: "suffix" must be an object or an array'


def test_attributes_scope_nested_error_has_a_position_in_text():
    err = reject('{"a": ["x"],\n "b": {"c": ["y"]}}')
    assert (err.line, err.column) == (2, 7)


def test_attributes_scope_or_branches_are_not_nesting():
    patterns.compile({"a": ["x"], "$or": [{"b": ["y"]}, {"c": ["z"]}]}, dialect=ATTRS)
    with pytest.raises(InvalidPatternError, match="does not support nested"):
        patterns.compile({"$or": [{"b": {"c": ["y"]}}, {"d": ["z"]}]}, dialect=ATTRS)


@pytest.mark.parametrize(
    ("scope", "dialect"),
    [(None, SNS_ATTRIBUTES), ("MessageAttributes", SNS_ATTRIBUTES), ("MessageBody", SNS_BODY)],
)
def test_dialect_for_scope(scope, dialect):
    assert dialect_for_scope(scope) is dialect


def test_dialect_for_scope_rejects_other_values():
    with pytest.raises(InvalidPatternError) as info:
        dialect_for_scope("messagebody")
    assert str(info.value) == (
        "Invalid parameter: FilterPolicyScope: Invalid value [messagebody]. "
        "Please use either MessageBody or MessageAttributes"
    )


# --- limits ---------------------------------------------------------------------------------------------


def test_sns_five_keys_accepted_six_rejected():
    five = {f"k{i}": ["v"] for i in range(5)}
    patterns.compile(five, dialect=ATTRS)
    err = reject({**five, "k5": ["v"]})
    assert str(err) == "Invalid parameter: FilterPolicy: Filter policy can not have more than 5 keys"
    assert str(reject({**five, "k5": ["v"]}, BODY)) == str(err)


def test_sns_keys_count_parents_only_in_bodies():
    policy = {f"k{i}": {"a": ["v"]} for i in range(5)}
    policy["k0"]["b"] = ["w"]
    policy["k1"]["b"] = ["w"]  # 7 leaves under 5 parents; 4 * 4 * 2 * 2 * 2 = 128 combinations
    assert policy_keys(patterns.compile(policy, dialect=BODY).model) == 5


def test_sns_keys_count_per_or_branch():
    policy = {"a": ["1"], "b": ["1"], "c": ["1"], "$or": [{"d": ["1"], "e": ["1"]}, {"f": ["1"]}]}
    patterns.compile(policy, dialect=ATTRS)  # 5 keys at most in one branch
    policy["$or"][1]["g"] = ["1"]
    policy["$or"][0]["h"] = ["1"]
    with pytest.raises(InvalidPatternError, match="more than 5 keys"):
        patterns.compile(policy, dialect=ATTRS)


def _values(count: int) -> list[str]:
    return [f"v{i}" for i in range(count)]


def test_sns_combinations_150_accepted_151_rejected():
    patterns.compile({"k": _values(150)}, dialect=ATTRS)
    patterns.compile({"a": _values(10), "b": _values(15)}, dialect=ATTRS)
    err = reject({"k": _values(151)})
    assert str(err) == "Invalid parameter: FilterPolicy: Filter policy is too complex"
    reject({"a": _values(100), "b": _values(51)})


def test_sns_combinations_or_branches_add_up():
    def policy(sources: int) -> dict:
        return {
            "source": _values(sources),
            "$or": [
                {"metricName": _values(6)},
                {
                    "metricType": _values(4),
                    "$or": [{"metricId": [1, 2, 3, 4]}, {"spaceId": [1, 2, 3, 4, 5, 6, 7]}],
                },
            ],
        }

    assert combinations(patterns.compile(policy(3), dialect=ATTRS).model) == 150
    reject(policy(4))  # 4 * (6 + 4 * 11) = 200


def test_sns_combinations_weigh_nested_keys_by_depth():
    # The SNS guide's example: 3 x 4 x 2 x 3 = 72.
    policy = {"key_a": {"key_b": {"key_c": _values(4)}}, "key_d": {"key_e": _values(3)}}
    assert combinations(patterns.compile(policy, dialect=BODY).model) == 72
    policy["key_f"] = _values(3)  # x 3 = 216, recorded as refused
    reject(policy, BODY)


def test_sns_combinations_nested_or_is_160():
    policy = {
        "$or": [{"metricName": _values(3)}, {"namespace": _values(2)}],
        "detail": {"scope": _values(2), "$or": [{"source": ["aws.cloudwatch"]}, {"type": _values(3)}]},
    }
    with pytest.raises(InvalidPatternError, match="too complex"):
        patterns.compile(policy, dialect=BODY)
    # The same shape with one metricName less: (2 + 2) * 4 * (2 + 6) = 128.
    policy["$or"][0]["metricName"] = _values(2)
    assert combinations(patterns.compile(policy, dialect=BODY).model) == 128


def test_sns_many_or_groups_are_too_complex_without_expanding():
    # 2**30 branches: refused by counting, never expanded.
    policy = {"k": {f"n{i}": {"$or": [{"x": ["1"]}, {"y": ["2"]}]} for i in range(30)}}
    with pytest.raises(InvalidPatternError, match="too complex"):
        patterns.compile(policy, dialect=BODY)


def test_sns_policy_size_limit():
    big = "x" * (MAX_POLICY_BYTES - 20)
    patterns.compile({"k": [big]}, dialect=ATTRS)
    err = reject({"k": [big + "x" * 40]})
    assert str(err) == "Invalid parameter: FilterPolicy: Filter policy is too large"
    with pytest.raises(InvalidPatternError, match="too large"):
        patterns.compile('{"k": ["' + big + "x" * 40 + '"]}', dialect=ATTRS)


def test_sns_empty_policy_is_accepted_but_not_nested():
    patterns.compile({}, dialect=ATTRS)
    patterns.compile("{}", dialect=BODY)
    err = reject({"a": {}}, BODY)
    assert err.reason == "Empty objects are not allowed"


# --- the conversion is reusable ------------------------------------------------------------------------


def test_dialect_decode_is_the_shared_conversion():
    assert SNS_ATTRIBUTES.decode({"a": s("x")}) == {"a": "x"}
    assert SNS_BODY.decode('{"a": 1.0000001}') == {"a": 1.0}
    assert SNS_BODY.decode("plain") is None
    assert EVENTBRIDGE.decode('{"a": 1}') == {"a": 1}


def test_attributes_of_str_subclasses_match_as_plain_strings() -> None:
    # The attributes decoder builds every value itself (so its events skip the second check):
    # a str subclass from the caller must still meet the exact-string index as a str.
    class Tag(str):
        pass

    attrs = {"store": {"DataType": Tag("String"), "StringValue": Tag("shop")}}
    machine = patterns.Machine("sns-attributes")
    machine.add("p", {"store": ["shop"]})
    assert machine.match(attrs) == ["p"]
    assert patterns.compile({"store": ["shop"]}, dialect="sns-attributes").matches(attrs)
