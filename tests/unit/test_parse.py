"""`patterns.parse`: JSON source into nodes with spans, and Jackson's wording for syntax errors."""

from __future__ import annotations

import sys

import orjson
import pytest

import patterns
from patterns import InvalidPatternError
from patterns.parse import JArray, JLiteral, JNumber, JObject, JsonSyntaxError, JString, parse_json

PREFIX = "Event pattern is not valid. Reason: "
VALUE_LIST = "(JSON String, Number, Array, Object or token 'null', 'true' or 'false')"


def syntax_error(text: str) -> InvalidPatternError:
    with pytest.raises(InvalidPatternError) as info:
        patterns.compile(text)
    return info.value


# --- nodes and spans ---------------------------------------------------------------------------


def test_parse_json_object_span_covers_whole_text() -> None:
    node = parse_json('{"a": [1, "x"]}')
    assert isinstance(node, JObject)
    span = node.span
    assert (span.line, span.column, span.offset) == (1, 1, 0)
    assert (span.end_line, span.end_column, span.end_offset) == (1, 16, 15)


def test_parse_json_member_key_and_values_have_columns() -> None:
    node = parse_json('{"a": [1, "x", true]}')
    (member,) = node.members
    assert member.key == "a"
    assert (member.key_span.line, member.key_span.column) == (1, 2)
    array = member.value
    assert isinstance(array, JArray)
    assert array.span.column == 7
    number, string, literal = array.items
    assert isinstance(number, JNumber) and number.span.column == 8
    assert isinstance(string, JString) and string.span.column == 11 and string.span.end_column == 14
    assert isinstance(literal, JLiteral) and literal.value is True and literal.span.column == 16


def test_parse_json_spans_count_lines_from_one() -> None:
    text = '{\n  "detail": {\n    "state": ["on"]\n  }\n}'
    node = parse_json(text)
    detail = node.members[0]
    assert (detail.key_span.line, detail.key_span.column) == (2, 3)
    state = detail.value.members[0]
    assert (state.key_span.line, state.key_span.column) == (3, 5)
    value = state.value.items[0]
    assert (value.span.line, value.span.column) == (3, 15)
    assert text[value.span.offset : value.span.end_offset] == '"on"'
    assert (node.span.end_line, node.span.end_column) == (5, 2)


def test_parse_json_string_escapes_are_decoded() -> None:
    node = parse_json(r'["a\"b", "\u00e9", "\\", "\/", "\n"]')
    assert [item.value for item in node.items] == ['a"b', "é", "\\", "/", "\n"]


def test_parse_json_number_keeps_text_and_value() -> None:
    node = parse_json("[10, 1.50, -0, 1e2, 3E-1]")
    assert [n.text for n in node.items] == ["10", "1.50", "-0", "1e2", "3E-1"]
    assert [n.value for n in node.items] == [10, 1.5, 0, 100.0, 0.3]
    assert isinstance(node.items[0].value, int) and isinstance(node.items[3].value, float)


def test_parse_json_integer_beyond_64_bits_is_kept_exactly() -> None:
    node = parse_json("[123456789012345678901234567890]")
    assert node.items[0].value == 123456789012345678901234567890


def test_parse_json_literals_are_distinct() -> None:
    node = parse_json("[true, false, null]")
    assert [item.value for item in node.items] == [True, False, None]


def test_parse_json_duplicate_keys_are_all_kept_in_order() -> None:
    node = parse_json('{"a": ["x"], "b": ["y"], "a": ["z"]}')
    assert [m.key for m in node.members] == ["a", "b", "a"]
    assert node.members[2].value.items[0].value == "z"


def test_parse_json_equality_ignores_spans() -> None:
    assert parse_json('{"a":[1]}') == parse_json('{\n  "a" : [ 1 ]\n}')


def test_parse_json_surrounding_whitespace_is_allowed() -> None:
    node = parse_json(' \t\r\n{"a": []} \n')
    assert isinstance(node, JObject) and (node.span.line, node.span.column) == (2, 1)


def test_parse_json_syntax_error_carries_reason_and_position() -> None:
    with pytest.raises(JsonSyntaxError) as info:
        parse_json("{'a': 1}")
    err = info.value
    assert (
        err.reason == "Unexpected character (''' (code 39)): was expecting double-quote to start field name"
    )
    assert (err.line, err.column, err.offset) == (1, 2, 1)


# --- Jackson's wording, through compile (recorded AWS texts first) -------------------------------


def test_parse_error_unrecognized_token_as_recorded_by_aws() -> None:
    err = syntax_error("this is valid json but not a dict")
    assert str(err) == PREFIX + f"Unrecognized token 'this': was expecting {VALUE_LIST}"
    assert err.reason == f"Unrecognized token 'this': was expecting {VALUE_LIST}"
    # Jackson (AWS) reports the location after the token: line 1, column 5.
    assert (err.line, err.column) == (1, 5)


def test_parse_error_single_quote_field_name_as_recorded_by_aws() -> None:
    err = syntax_error("{'bad': 'quotation'}")
    assert (
        str(err)
        == PREFIX + "Unexpected character (''' (code 39)): was expecting double-quote to start field name"
    )
    assert (err.line, err.column) == (1, 2)


def test_parse_error_unquoted_value_as_recorded_by_aws() -> None:
    err = syntax_error('{"not": closed mark"')
    assert err.reason == f"Unrecognized token 'closed': was expecting {VALUE_LIST}"
    assert (err.line, err.column) == (1, 15)


def test_parse_error_position_on_a_later_line() -> None:
    err = syntax_error('{\n  "a": [\n    tru\n  ]\n}')
    assert err.reason == f"Unrecognized token 'tru': was expecting {VALUE_LIST}"
    assert (err.line, err.column) == (3, 8)


@pytest.mark.parametrize("text", ["", "   ", "\n\t\r\n"], ids=["empty", "spaces", "whitespace"])
def test_parse_error_no_content(text: str) -> None:
    err = syntax_error(text)
    assert str(err) == PREFIX + "No content to map due to end-of-input"


def test_parse_error_eof_inside_object_names_start_marker() -> None:
    text = '{"a": ["x"]'
    err = syntax_error(text)
    assert err.reason == (
        "Unexpected end-of-input: expected close marker for Object "
        f'(start marker at [Source: (String)"{text}"; line: 1, column: 1])'
    )


def test_parse_error_eof_inside_array_names_start_marker() -> None:
    text = '{"a": ["x"'
    err = syntax_error(text)
    assert err.reason == (
        "Unexpected end-of-input: expected close marker for Array "
        f'(start marker at [Source: (String)"{text}"; line: 1, column: 7])'
    )


def test_parse_error_eof_inside_string() -> None:
    err = syntax_error('{"a": ["x')
    assert err.reason == "Unexpected end-of-input: was expecting closing quote for a string value"


def test_parse_error_missing_colon() -> None:
    err = syntax_error('{"a" ["x"]}')
    assert (
        err.reason
        == "Unexpected character ('[' (code 91)): was expecting a colon to separate field name and value"
    )
    assert err.column == 6


def test_parse_error_missing_comma_between_members() -> None:
    err = syntax_error('{"a": ["x"] "b": ["y"]}')
    assert (
        err.reason == "Unexpected character ('\"' (code 34)): was expecting comma to separate Object entries"
    )


def test_parse_error_missing_comma_between_array_items() -> None:
    err = syntax_error('{"a": ["x" "y"]}')
    assert (
        err.reason == "Unexpected character ('\"' (code 34)): was expecting comma to separate Array entries"
    )


def test_parse_error_trailing_comma_in_array() -> None:
    err = syntax_error('{"a": ["x",]}')
    assert err.reason == "Unexpected character (']' (code 93)): expected a value"


def test_parse_error_leading_zero() -> None:
    err = syntax_error('{"a": [01]}')
    assert err.reason == "Invalid numeric value: Leading zeroes not allowed"


def test_parse_error_minus_without_digit() -> None:
    err = syntax_error('{"a": [-]}')
    assert err.reason == (
        "Unexpected character (']' (code 93)) in numeric value: "
        "expected digit (0-9) to follow minus sign, for valid numeric value"
    )


def test_parse_error_unrecognized_escape() -> None:
    err = syntax_error(r'{"a": ["\x"]}')
    assert err.reason == "Unrecognized character escape 'x' (code 120)"


def test_parse_error_control_character_in_string() -> None:
    err = syntax_error('{"a": ["x\ty"]}')
    assert err.reason == (
        "Illegal unquoted character ((CTRL-CHAR, code 9)): has to be escaped using backslash "
        "to be included in string value"
    )


def test_parse_error_misspelt_literal() -> None:
    err = syntax_error('{"a": [nul]}')
    assert err.reason == f"Unrecognized token 'nul': was expecting {VALUE_LIST}"


def test_parse_error_offset_and_context_point_at_fault() -> None:
    text = "{'bad': 'quotation'}"
    err = syntax_error(text)
    assert err.offset == 1
    assert err.get_context(text) == "{'bad': 'quotation'}\n ^\n"


def test_parse_error_invalid_utf8_bytes() -> None:
    err = syntax_error(b'{"a": ["\xff"]}')
    assert err.reason == "Invalid UTF-8 start byte 0xff"
    assert err.offset == 8


@pytest.mark.parametrize(
    "text",
    ["[" * 50_000, '{"a":' + "[" * 5000 + "]" * 5000 + "}", '{"a":' * 5000 + '["x"]' + "}" * 5000],
    ids=["unclosed-arrays", "closed-arrays", "nested-objects"],
)
def test_parse_deep_nesting_is_rejected_not_crashing(text: str) -> None:
    with pytest.raises(InvalidPatternError) as info:
        patterns.compile(text)
    assert info.value.reason == (
        "Document nesting depth (1001) exceeds the maximum allowed "
        "(1000, from `StreamReadConstraints.getMaxNestingDepth()`)"
    )


def test_parse_nesting_up_to_jackson_limit_is_accepted() -> None:
    # 999 objects and one array: depth 1000, Jackson's (and so AWS's) limit.
    limit = sys.getrecursionlimit()
    text = '{"a":' * 999 + '["x"]' + "}" * 999
    event = '{"a":' * 999 + '"x"' + "}" * 999
    assert patterns.compile(text).matches(event)
    # orjson, not json: the standard library's decoder recurses, and this test must not need
    # a raised recursion limit (the library never raises it)
    assert patterns.compile(orjson.loads(text)).matches(event)
    assert sys.getrecursionlimit() == limit
