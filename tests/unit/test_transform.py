"""patterns.transform: what a target receives (input transformers, Custom Event Bus transformers).

The truth is AWS's recorded output: every input transformer and InputPath case LocalStack recorded
against AWS (35; each names its test, snapshot key and recording date), read from outside the
repository: data drawn from a fetched repository is kept in the steering repository's shared/, not
committed here. The file is ``conformance/input_transformers.json`` of ../shared (or of
``PATTERNS_SHARED_DIR``) when the steering repository has it, or the path in
``PATTERNS_TRANSFORMER_CASES``; without either, those tests skip
and say so. The documented examples follow, then our own edge cases.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

import patterns
from patterns import (
    BusTransformer,
    InputTransformer,
    InvalidEventError,
    InvalidTransformerError,
    PatternsError,
    UndeliverableEventError,
    render_for_target,
)
from patterns.bus import read_bus_event
from patterns.transform import RESERVED_VARIABLES, Target, render_for_subscriber

from ..conftest import SHARED
from ..strategies import json_values, odd_events

DATA = Path(
    os.environ.get("PATTERNS_TRANSFORMER_CASES") or SHARED / "conformance" / "input_transformers.json"
)
RECORDED: list[dict[str, Any]] = json.loads(DATA.read_text())["cases"] if DATA.is_file() else []
_NO_CASES = (
    f"AWS-recorded transformer cases not found at {DATA}: they live outside this repository "
    "(set PATTERNS_TRANSFORMER_CASES to their file)"
)


def _redact(text: str, redactions: dict[str, str]) -> Any:
    """Our output with the redactions LocalStack's snapshot applied to AWS's."""
    for old, new in redactions.items():
        if ":" in old:
            text = text.replace(old, new)
    if any(":" not in k for k in redactions):
        value = json.loads(text)
        for dotted, new in redactions.items():
            if ":" in dotted:
                continue
            *parents, last = dotted.split(".")
            node = value
            for p in parents:
                node = node[p]
            node[last] = new
        return value
    return text


@pytest.mark.skipif(not RECORDED, reason=_NO_CASES)
@pytest.mark.parametrize("case", RECORDED or [{}], ids=[c["name"] for c in RECORDED] or ["none"])
def test_recorded_aws_output(case: dict[str, Any]) -> None:
    options = {k: case[k] for k in ("rule_name", "event_bus_name") if k in case}
    if "expected_error" in case:
        with pytest.raises(InvalidTransformerError) as err:
            render_for_target(case["target"], case["event"], **options)
        assert str(err.value) == case["expected_error"]
        return
    if case.get("expected_undeliverable"):
        with pytest.raises(UndeliverableEventError):
            render_for_target(case["target"], case["event"], **options)
        return
    got = render_for_target(case["target"], case["event"], **options)
    got_value = _redact(got, case.get("redactions", {}))
    if "expected_text" in case:
        assert got_value == case["expected_text"]
    else:
        assert (json.loads(got_value) if isinstance(got_value, str) else got_value) == case["expected_json"]


@pytest.mark.skipif(not RECORDED, reason=_NO_CASES)
def test_recorded_cases_name_their_source() -> None:
    assert len(RECORDED) == 35
    for case in RECORDED:
        assert case["source"]["repo"] == "localstack/localstack"
        assert case["source"]["key"].startswith("tests/aws/services/events/")


# --- the user guide's examples ("Amazon EventBridge input transformation", awsdocs/amazon-eventbridge-
# user-guide doc_source/eb-transform-target-input.md at 10e936eebdd8b9ea9f5670e316e11bddada84aca)

EC2_EVENT = {
    "version": "0",
    "id": "7bf73129-1428-4cd3-a780-95db273d1602",
    "detail-type": "EC2 Instance State-change Notification",
    "source": "aws.ec2",
    "account": "123456789012",
    "time": "2015-11-11T21:29:54Z",
    "region": "us-east-1",
    "resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"],
    "detail": {"instance-id": "i-0123456789", "state": "RUNNING"},
}
EC2_PATHS = {"timestamp": "$.time", "instance": "$.detail.instance-id", "state": "$.detail.state"}
EXAMPLE_ARN = "arn:aws:events:us-east-2:123456789012:rule/example"


def _ec2(template: str) -> str:
    return InputTransformer(EC2_PATHS, template).render(EC2_EVENT, rule_name="example", rule_arn=EXAMPLE_ARN)


def test_doc_simple_string() -> None:
    assert _ec2('"instance <instance> is in <state>"') == '"instance i-0123456789 is in RUNNING"'


def test_doc_string_with_escaped_quotes() -> None:
    # The console's behaviour, as the page says (the CLI would unescape the backslashes first).
    assert _ec2(r'"instance \"<instance>\" is in <state>"') == r'"instance \"i-0123456789\" is in RUNNING"'


def test_doc_simple_json() -> None:
    got = _ec2('{\n  "instance" : <instance>,\n  "state": <state>\n}')
    assert got == '{\n  "instance" : "i-0123456789",\n  "state": "RUNNING"\n}'


def test_doc_json_with_strings_and_variables() -> None:
    got = _ec2(
        '{\n "instance" : <instance>,\n "state": "<state>",\n'
        ' "instanceStatus": "instance \\"<instance>\\" is in <state>"\n}'
    )
    assert json.loads(got) == {
        "instance": "i-0123456789",
        "state": "RUNNING",
        "instanceStatus": 'instance "i-0123456789" is in RUNNING',
    }


def test_doc_json_with_static_information() -> None:
    got = _ec2('{\n  "instance" : <instance>,\n  "state": [ 9, <state>, true ],\n  "Transformed" : "Yes"\n}')
    assert json.loads(got) == {
        "instance": "i-0123456789",
        "state": [9, "RUNNING", True],
        "Transformed": "Yes",
    }


def test_doc_reserved_variables_in_json() -> None:
    got = json.loads(
        _ec2(
            '{\n  "instance" : <instance>,\n  "state": <state>,\n  "ruleArn" : <aws.events.rule-arn>,\n'
            '  "ruleName" : <aws.events.rule-name>,\n  "originalEvent" : <aws.events.event>\n}'
        )
    )
    assert got["ruleArn"] == EXAMPLE_ARN
    assert got["ruleName"] == "example"
    assert (got["instance"], got["state"]) == ("i-0123456789", "RUNNING")
    # "commented for brevity" on the page; recorded (LocalStack): the event without `detail`,
    # `detail-type` as `detailType`, in this order.
    assert list(got["originalEvent"]) == [
        "id",
        "account",
        "detailType",
        "time",
        "source",
        "region",
        "resources",
        "version",
    ]


def test_doc_reserved_variables_in_string() -> None:
    assert _ec2('"<aws.events.rule-name> triggered"') == '"example triggered"'


def test_doc_cloudwatch_log_group_quotes_the_string_value() -> None:
    # The page shows `"timestamp" : 2015-11-11T21:29:54Z` (unquoted, not JSON); AWS's recorded
    # output quotes a string standing as a JSON value (json-template-all): the recordings win.
    got = _ec2('{\n  "timestamp" : <timestamp>,\n  "message": "instance \\"<instance>\\" is in <state>"\n}')
    assert json.loads(got) == {
        "timestamp": "2015-11-11T21:29:54Z",
        "message": 'instance "i-0123456789" is in RUNNING',
    }


def test_doc_array_index_path() -> None:
    # The current page: "You can also use square brackets and index to get items from an array".
    t = InputTransformer({"arn": "$.resources[0]"}, '{"arn": <arn>}')
    assert t.render(EC2_EVENT) == '{"arn": "arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"}'


# --- the API reference's examples (API_InputTransformer); no output is documented there

API_EVENT = {"detail": {"instance": "i-1", "status": "running"}}
API_PATHS = {"instance": "$.detail.instance", "status": "$.detail.status"}


def test_api_plain_text_template_fills_raw_text() -> None:
    # Ours (unverified): a template that is neither JSON nor a JSON string is text.
    assert (
        InputTransformer(API_PATHS, "<instance> is in state <status>").render(API_EVENT)
        == "i-1 is in state running"
    )
    got = InputTransformer(API_PATHS, '<instance> is in state "<status>"').render(API_EVENT)
    assert got == 'i-1 is in state "running"'


def test_api_json_with_variables_in_quotes_or_out() -> None:
    got = InputTransformer(
        API_PATHS, '{"myInstance": <instance>,"myStatus": "<instance> is in state \\"<status>\\""}'
    ).render(API_EVENT)
    assert json.loads(got) == {"myInstance": "i-1", "myStatus": 'i-1 is in state "running"'}


# --- validation (PutTargets)


def test_undefined_placeholder_is_refused_with_aws_text() -> None:
    with pytest.raises(InvalidTransformerError) as err:
        InputTransformer({"a": "$.a"}, '"<a> and <b>"', target_id="t1")
    assert str(err.value) == "InputTemplate for target t1 contains invalid placeholder b."


def test_every_predefined_variable_needs_no_path() -> None:
    template = "{" + ", ".join(f'"k{i}": <{name}>' for i, name in enumerate(RESERVED_VARIABLES)) + "}"
    got = json.loads(InputTransformer(None, template).render(EC2_EVENT, rule_name="r"))
    assert got["k0"] == "arn:aws:events:us-east-1:123456789012:rule/r"
    assert got["k1"] == "r"
    assert got["k2"] == "2015-11-11T21:29:54Z"
    assert "detail" not in got["k3"]
    assert got["k4"] == EC2_EVENT


@pytest.mark.parametrize("template", ["{<a>: 1}", '{"x": {<a> : 1}}', '{"<a>": 1}', '{"pre-<a>" : 1}'])
def test_placeholder_as_object_key_is_refused(template: str) -> None:
    with pytest.raises(InvalidTransformerError, match="as an object key"):
        InputTransformer({"a": "$.a"}, template)


def test_placeholder_as_value_after_a_key_is_fine() -> None:
    assert (
        InputTransformer({"a": "$.a"}, '{"k": <a>, "j": "x:<a>"}').render({"a": "v"})
        == '{"k": "v", "j": "x:v"}'
    )


@pytest.mark.parametrize("key", ["AWS.x", "aws.events.rule-name", "aws.events.event"])
def test_reserved_key_is_refused(key: str) -> None:
    with pytest.raises(InvalidTransformerError, match="reserved"):
        InputTransformer({key: "$.a"}, '"x"')


@pytest.mark.parametrize("key", ["", "a b", "a.b", "ü", "x" * 257])
def test_key_outside_the_api_pattern_is_refused(key: str) -> None:
    with pytest.raises(InvalidTransformerError):
        InputTransformer({key: "$.a"}, '"x"')


def test_key_of_256_allowed_characters_is_fine() -> None:
    InputTransformer({"a-_9Z" + "x" * 251: "$.a"}, '"x"')


def test_at_most_100_variables() -> None:
    InputTransformer({f"v{i}": "$.a" for i in range(100)}, '"x"')
    with pytest.raises(InvalidTransformerError, match="at most 100 variables, got 101"):
        InputTransformer({f"v{i}": "$.a" for i in range(101)}, '"x"')


def test_template_length_limits() -> None:
    InputTransformer(None, '"' + "x" * 8190 + '"')
    for template in ("", '"' + "x" * 8191 + '"'):
        with pytest.raises(InvalidTransformerError, match="1 to 8192 characters"):
            InputTransformer(None, template)


def test_path_length_limit_and_type() -> None:
    with pytest.raises(InvalidTransformerError, match="at most 256 characters"):
        InputTransformer({"a": "$." + "x" * 255}, '"<a>"')
    with pytest.raises(InvalidTransformerError, match="Expected `str`, got `number`"):
        InputTransformer({"a": 5}, '"<a>"')  # type: ignore[dict-item]


def test_template_must_be_str() -> None:
    with pytest.raises(InvalidTransformerError, match="Expected `str`, got `dict`"):
        InputTransformer(None, {"a": 1})  # type: ignore[arg-type]


# --- rendering edge cases


def test_missing_path_as_value_inside_string_and_in_text() -> None:
    t = InputTransformer({"m": "$.nope.deeper"}, '{"v": <m>, "s": "a<m>b", "l": [<m>]}')
    assert t.render({"x": 1}) == '{"v": "", "s": "ab", "l": [""]}'
    assert InputTransformer({"m": "$.nope"}, '"a<m>b"').render({}) == '"ab"'


def test_unparseable_path_selects_nothing() -> None:
    # The user guide: PutTargets does not validate paths.
    assert InputTransformer({"m": "detail.x"}, '"<m>"').render({"detail": {"x": 1}}) == '""'
    assert InputTransformer({"m": "$..x"}, '"<m>"').render({"detail": {"x": 1}}) == '""'


def test_numbers_booleans_null_are_json_text_everywhere() -> None:
    event = {"d": {"i": 7, "f": 1.5, "neg": -2, "t": True, "n": None}}
    paths = {k: f"$.d.{k}" for k in ("i", "f", "neg", "t", "n")}
    t = InputTransformer(
        paths, '{"i": <i>, "f": <f>, "neg": <neg>, "t": <t>, "n": <n>, "s": "<i>|<f>|<t>|<n>"}'
    )
    assert json.loads(t.render(event)) == {
        "i": 7,
        "f": 1.5,
        "neg": -2,
        "t": True,
        "n": None,
        "s": "7|1.5|true|null",
    }
    assert InputTransformer(paths, '"<i> <t> <n>"').render(event) == '"7 true null"'


def test_unicode_is_kept_as_is() -> None:
    t = InputTransformer({"u": "$.u", "o": "$.o"}, '{"u": <u>, "s": "→<u>", "o": <o>}')
    got = t.render({"u": "héllo ✓ 日本", "o": {"ключ": "значение"}})
    assert got == '{"u": "héllo ✓ 日本", "s": "→héllo ✓ 日本", "o": {"ключ":"значение"}}'


def test_nested_arrays_and_indexes() -> None:
    event = {"m": [[1, 2], [3, [4, 5]]], "items": [{"id": "a"}, {"id": "b"}]}
    t = InputTransformer(
        {
            "all": "$.m",
            "inner": "$.m[1][1]",
            "last": "$.m[-1][0]",
            "first": "$.items[0].id",
            "ids": "$.items[*].id",
        },
        '{"all": <all>, "inner": <inner>, "last": <last>, "first": <first>, "ids": <ids>}',
    )
    assert json.loads(t.render(event)) == {
        "all": [[1, 2], [3, [4, 5]]],
        "inner": [4, 5],
        "last": 3,
        "first": "a",
        "ids": ["a", "b"],
    }
    assert InputTransformer({"x": "$.m[9]"}, '"<x>"').render(event) == '""'
    assert InputTransformer({"x": "$.m"}, '"<x>"').render(event) == '"[[1,2],[3,[4,5]]]"'


def test_bracket_key_and_wildcard_object() -> None:
    event = {"detail": {"a-b": 1, "c": 2}}
    assert InputTransformer({"x": "$['detail']['a-b']"}, '{"x": <x>}').render(event) == '{"x": 1}'
    assert InputTransformer({"x": "$.detail.*"}, '{"x": <x>}').render(event) == '{"x": [1,2]}'


def test_string_with_a_quote_breaks_a_json_template() -> None:
    # The user guide: values are not escaped.
    t = InputTransformer({"s": "$.s"}, '{"s": <s>}')
    assert t.render({"s": "plain"}) == '{"s": "plain"}'
    with pytest.raises(UndeliverableEventError, match="AWS does not deliver"):
        t.render({"s": 'say "hi"'})


def test_object_in_a_string_of_a_json_template_is_undeliverable() -> None:
    with pytest.raises(UndeliverableEventError):
        InputTransformer({"o": "$.o"}, '{"s": "<o>"}').render({"o": {"k": "v"}})


def test_text_templates_are_not_checked_as_json() -> None:
    assert InputTransformer({"o": "$.o"}, "x <o> y").render({"o": {"k": ["v", 1]}}) == "x {k:[v,1]} y"


def test_event_as_bytes_str_and_dict_agree() -> None:
    t = InputTransformer({"s": "$.detail.state"}, '"<s>"')
    event = {"detail": {"state": "ok"}}
    assert t.render(json.dumps(event)) == t.render(json.dumps(event).encode()) == t.render(event) == '"ok"'


def test_event_that_is_not_an_object_is_refused() -> None:
    with pytest.raises(InvalidEventError):
        InputTransformer(None, '"x"').render(b"[1]")


def test_variables_lists_selected_values() -> None:
    t = InputTransformer({"s": "$.a", "m": "$.nope"}, '"<s> <m> <aws.events.rule-name>"')
    assert t.variables({"a": 1}, rule_name="r") == {"s": 1, "aws.events.rule-name": "r"}


def test_ingestion_time_default_and_given() -> None:
    t = InputTransformer(None, '"<aws.events.event.ingestion-time>"')
    assert t.render({"time": "T"}) == '"T"'
    assert t.render({"time": "T"}, ingestion_time="I") == '"I"'
    assert t.render({}).endswith('Z"')


def test_rule_arn_for_a_custom_bus() -> None:
    t = InputTransformer(None, '"<aws.events.rule-arn>"')
    got = t.render({"region": "eu-west-1", "account": "1"}, rule_name="r", event_bus_name="b")
    assert got == '"arn:aws:events:eu-west-1:1:rule/b/r"'


# --- render_for_target


def test_target_with_constant_input() -> None:
    assert render_for_target({"Id": "t", "Input": '{"k": 1}'}, {"a": 1}) == '{"k": 1}'


def test_target_input_path_selecting_nothing() -> None:
    assert render_for_target({"Id": "t", "InputPath": "$.nope"}, {"a": 1}) == ""


def test_target_with_two_inputs_is_refused_with_aws_text() -> None:
    with pytest.raises(InvalidTransformerError) as err:
        render_for_target({"Id": "t9", "Input": "{}", "InputPath": "$"}, {})
    assert (
        str(err.value) == "Only one of Input, InputPath, or InputTransformer must be provided for target t9."
    )


def test_target_without_input_gets_the_event() -> None:
    assert render_for_target({"Id": "t"}, b'{"a": [1, {"b": null}]}') == '{"a":[1,{"b":null}]}'


def test_target_is_checked_once_and_renders_many() -> None:
    target = Target(
        {"Id": "t1", "InputTransformer": {"InputPathsMap": {"s": "$.detail.s"}, "InputTemplate": "<s>!"}}
    )
    assert (target.kind, target.target_id) == ("InputTransformer", "t1")
    assert [target.render({"detail": {"s": s}}) for s in ("a", "b")] == ["a!", "b!"]
    assert Target({"Id": "t"}).kind is None


@pytest.mark.parametrize(
    ("target", "match"),
    [
        ([], "Expected a target"),
        ({"Id": "t", "Input": {"k": 1}}, r"Expected `str`, got `object` - at `Input`"),
        ({"Id": "t", "InputPath": 7}, r"at `InputPath`"),
        ({"Id": "t", "InputTransformer": "<x>"}, r"at `InputTransformer`"),
        (
            {"Id": "t2", "InputTransformer": {"InputTemplate": "<x>"}},
            "InputTemplate for target t2 contains invalid placeholder x.",
        ),
    ],
)
def test_target_refusals(target: Any, match: str) -> None:
    with pytest.raises(InvalidTransformerError, match=match):
        Target(target)


# --- Custom Event Bus: BusTransformer reads events with patterns.bus.read_bus_event

DOC_BUS_EVENT = {
    "Data": {"orderId": "12345", "priority": "high"},
    "Metadata": {"tenant": "acme"},
    "SystemMetadata": {
        "ContentType": "application/json",
        "aws:EventId": "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111",
        "aws:IngestionTime": "2026-09-23T18:00:00Z",
        "aws:DeliveryType": "LIVE",
    },
}
LIVE = {"aws:DeliveryType": "LIVE"}
JSON_SYSTEM = {"ContentType": "application/json", **LIVE}
BINARY_SYSTEM = {"ContentType": "application/octet-stream", **LIVE}


def _bus(data: Any, system: dict[str, str] = JSON_SYSTEM, **more: Any) -> dict[str, Any]:
    return {"Data": data, "SystemMetadata": system, **more}


def test_raw_is_the_data_unchanged() -> None:
    raw = BusTransformer()
    assert raw.type == "RAW"
    assert raw.render(_bus(b'{ "a" : 1 }')) == b'{ "a" : 1 }'
    assert raw.render(_bus('{ "a" : 1 }')) == '{ "a" : 1 }'
    assert raw.render(_bus(bytearray(b"[1]"))) == b"[1]"
    assert raw.render(DOC_BUS_EVENT) == '{"orderId":"12345","priority":"high"}'
    assert raw.render(_bus(b"\xff\x00", BINARY_SYSTEM)) == b"\xff\x00"


def test_with_metadata_is_the_envelope() -> None:
    got = json.loads(BusTransformer("WITH_METADATA").render(DOC_BUS_EVENT))
    assert got == DOC_BUS_EVENT
    assert list(got) == ["Data", "Metadata", "SystemMetadata"]


def test_with_metadata_decodes_json_data_and_base64_binary() -> None:
    got = json.loads(BusTransformer("WITH_METADATA").render(_bus(b'[1, "x"]')))
    assert got == {"Data": [1, "x"], "Metadata": {}, "SystemMetadata": JSON_SYSTEM}
    binary = _bus(b"\x00\x01\xfe", BINARY_SYSTEM)
    assert json.loads(BusTransformer("WITH_METADATA").render(binary))["Data"] == "AAH+"
    assert (
        json.loads(BusTransformer("WITH_METADATA").render(_bus("\x00\x01", BINARY_SYSTEM)))["Data"] == "AAE="
    )


def test_bus_event_reader_keeps_what_delivery_needs() -> None:
    event = read_bus_event(_bus(b"[3.5]"))
    assert (event.data, event.raw, event.decoded) == (None, b"[3.5]", [3.5])  # no DATA filter reads it
    event = read_bus_event(json.dumps(_bus({"a": 1})))
    assert (event.data, event.raw, event.decoded) == ({"a": 1}, None, {"a": 1})
    event = read_bus_event(_bus(memoryview(b"abc"), BINARY_SYSTEM))
    assert (event.data, event.raw, event.decoded) == (None, b"abc", None)


# Each is refused by the bus machine and by every transformer, with the same error: one reader.
REFUSED_BUS_EVENTS = [
    ({"Data": 1}, "Expected `SystemMetadata`"),
    ({"Data": 1, "SystemMetadata": {"ContentType": "application/json"}}, "Expected `aws:DeliveryType`"),
    ({"Data": 1, "SystemMetadata": {"ContentType": "text/plain", **LIVE}}, "Expected a ContentType"),
    (_bus(1, {"ContentType": 5, **LIVE}), r"at `\$.SystemMetadata.ContentType`"),
    (_bus(1, Metadata=[]), r"at `\$.Metadata`"),
    (_bus(1, Metadata={"a/b": "x"}), "without `/`"),
    ({"SystemMetadata": JSON_SYSTEM}, "Expected `Data`"),
    (_bus(b"not json"), r"Event is not valid JSON.*in `\$.Data`"),
    (_bus(b"\xff"), r"in `\$.Data`"),
    (
        _bus({"a": 1}, {"ContentType": "application/eventbridge+json", **LIVE}, Metadata={"k": "v"}),
        "PutEvents",
    ),
    (_bus({"a": {1}}), r"at `\$.Data.a`"),
    (_bus([{1}]), r"at `\$.Data\[0\]`"),
    (_bus({"a": 1}, BINARY_SYSTEM), "Expected `bytes` or `str` data"),
]


@pytest.mark.parametrize(("event", "match"), REFUSED_BUS_EVENTS)
def test_bus_transformers_refuse_what_the_bus_machine_refuses(event: dict[str, Any], match: str) -> None:
    machine = patterns.Machine(dialect="bus")
    machine.add(
        "all",
        {"Filters": [{"Scope": "SYSTEM_METADATA", "Pattern": '{"aws:DeliveryType": [{"exists": true}]}'}]},
    )
    with pytest.raises(InvalidEventError, match=match) as by_machine:
        machine.match(event)
    for transformer in (BusTransformer("RAW"), BusTransformer("WITH_METADATA")):
        with pytest.raises(InvalidEventError) as by_transformer:
            transformer.render(event)
        assert str(by_transformer.value) == str(by_machine.value)


def test_render_for_subscriber_reads_its_transformer() -> None:
    assert render_for_subscriber({"Name": "s"}, _bus(b"{}")) == b"{}"
    got = render_for_subscriber({"Transformer": {"Type": "WITH_METADATA"}}, _bus(1))
    assert (
        got
        == '{"Data":1,"Metadata":{},"SystemMetadata":{"ContentType":"application/json","aws:DeliveryType":"LIVE"}}'
    )


def test_bus_transformer_from_config() -> None:
    assert BusTransformer.from_config(None).type == "RAW"
    assert BusTransformer.from_config({"Type": "WITH_METADATA"}).type == "WITH_METADATA"


@pytest.mark.parametrize(
    ("type_", "expression", "match"),
    [
        ("raw", None, "Expected `RAW`, `WITH_METADATA` or `JSONATA`, got `raw`"),
        ("JSONATA", None, "Expected a JSONata expression, got none"),
        ("RAW", "{% 1 %}", "Expected no JSONata expression for `RAW`"),
        ("JSONATA", "$events.Data", r"Expected one `\{% ... %\}` block"),
        ("JSONATA", "{% 1 %} trailing", r"Expected one `\{% ... %\}` block"),
        ("JSONATA", "{% " + "1" * 8190 + " %}", "1 to 8192 characters"),
    ],
)
def test_bus_transformer_refusals(type_: str, expression: str | None, match: str) -> None:
    with pytest.raises(InvalidTransformerError, match=match):
        BusTransformer(type_, expression)


# --- JSONATA (the optional `jsonata` extra)


def test_jsonata_doc_example() -> None:
    pytest.importorskip("jsonatapy", reason="JSONATA needs the `jsonata` extra")
    t = BusTransformer(
        "JSONATA", '{% { "orderId": $events.Data.orderId, "priority": $events.Data.priority } %}'
    )
    assert t.render(DOC_BUS_EVENT) == '{"orderId":"12345","priority":"high"}'


def test_jsonata_reads_the_putevents_envelope_under_data() -> None:
    pytest.importorskip("jsonatapy", reason="JSONATA needs the `jsonata` extra")
    envelope = {"source": "shop", "detail-type": "Order", "detail": {"orderId": "12345"}}
    event = _bus(envelope, {"ContentType": "application/eventbridge+json", **LIVE})
    t = BusTransformer("JSONATA", "{% $events.Data.detail.orderId %}")
    assert t.render(event) == '"12345"'


def test_jsonata_metadata_unicode_numbers_and_arrays() -> None:
    pytest.importorskip("jsonatapy", reason="JSONATA needs the `jsonata` extra")
    t = BusTransformer(
        "JSONATA",
        '{% {"t": $events.Metadata.tenant, "n": $sum($events.Data.items.q), "ids": $events.Data.items[q > 1].id,'
        ' "type": $events.SystemMetadata.ContentType} %}',
    )
    event = {
        "Data": b'{"items": [{"id": "\xc3\xa9", "q": 1}, {"id": "b", "q": 2}, {"id": "c", "q": 3}]}',
        "Metadata": {"tenant": "日本"},
        "SystemMetadata": JSON_SYSTEM,
    }
    assert json.loads(t.render(event)) == {"t": "日本", "n": 6, "ids": ["b", "c"], "type": "application/json"}


def test_jsonata_invalid_expression_is_refused() -> None:
    pytest.importorskip("jsonatapy", reason="JSONATA needs the `jsonata` extra")
    with pytest.raises(InvalidTransformerError, match="Expected a JSONata expression"):
        BusTransformer("JSONATA", "{% { a: %}")


def test_jsonata_failing_on_an_event_is_undeliverable() -> None:
    pytest.importorskip("jsonatapy", reason="JSONATA needs the `jsonata` extra")
    t = BusTransformer("JSONATA", '{% $error("no order") %}')
    with pytest.raises(UndeliverableEventError, match="no order"):
        t.render(DOC_BUS_EVENT)


def test_jsonata_runaway_expression_stops() -> None:
    pytest.importorskip("jsonatapy", reason="JSONATA needs the `jsonata` extra")
    t = BusTransformer("JSONATA", "{% ($f := function($x){$f($x)}; $f(1)) %}")
    with pytest.raises(UndeliverableEventError, match="D1012"):
        t.render(DOC_BUS_EVENT)


def test_jsonata_missing_library_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    real_import = builtins.__import__

    def no_jsonatapy(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "jsonatapy":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_jsonatapy)
    with pytest.raises(PatternsError, match=r"pip install 'eventpatterns\[jsonata\]'"):
        BusTransformer("JSONATA", "{% 1 %}")


def test_public_names() -> None:
    for name in (
        "InputTransformer",
        "BusTransformer",
        "render_for_target",
        "InvalidTransformerError",
        "UndeliverableEventError",
    ):
        assert name in patterns.__all__
    assert issubclass(InvalidTransformerError, ValueError)
    assert issubclass(UndeliverableEventError, PatternsError)


# --- robustness: only the library's own errors come out


_TEMPLATE_TEXT = st.text(alphabet='<>{}[]":,\\ abx01.-', max_size=30)


@given(_TEMPLATE_TEXT, json_values())
@example('{"k": "<a>"}', {"o": 1})
@example('{"k": <a>}', 'q"uote')
@example("<a", None)
def test_any_template_builds_or_is_refused_and_renders_or_is_undeliverable(template: str, value: Any) -> None:
    try:
        t = InputTransformer({"a": "$.v", "b": "$.v[0]"}, template)
    except InvalidTransformerError:
        return
    try:
        got = t.render({"v": value}, rule_name="r")
    except UndeliverableEventError:
        return
    assert isinstance(got, str)
    if template.lstrip()[:1] in ("{", "["):
        json.loads(got)


@given(json_values())
def test_a_json_value_placeholder_gives_the_value(value: Any) -> None:
    # Strings are not escaped, so only those JSON needs no escape for come back whole.
    t = InputTransformer({"a": "$.v"}, '{"k": <a>}')
    if isinstance(value, str) and (set(value) & {'"', "\\"} or any(c < " " for c in value)):
        return
    assert json.loads(t.render({"v": value})) == {"k": value}


@given(odd_events())
def test_events_holding_what_json_cannot_are_refused(event: dict[str, Any]) -> None:
    t = InputTransformer(None, '{"e": <aws.events.event.json>}')
    try:
        t.render(event)
    except InvalidEventError:
        return
    json.loads(t.render(event))


@given(json_values(), st.sampled_from(["RAW", "WITH_METADATA"]), st.sampled_from(["bytes", "decoded"]))
@example("", "RAW", "decoded")
def test_bus_transformers_render_any_data(data: Any, type_: str, given_as: str) -> None:
    # A str `Data` is the data's text (not a decoded JSON string): send a str as JSON bytes.
    sent = json.dumps(data).encode() if given_as == "bytes" or isinstance(data, str) else data
    got = BusTransformer(type_).render(_bus(sent, Metadata={"k": "v"}))
    if type_ == "RAW" and isinstance(sent, bytes):
        assert got == sent
        return
    assert isinstance(got, str)
    expected = (
        data if type_ == "RAW" else {"Data": data, "Metadata": {"k": "v"}, "SystemMetadata": JSON_SYSTEM}
    )
    assert json.loads(got) == expected


def test_str_data_is_the_data_text() -> None:
    # A str `Data` is the data's text: JSON data decodes, as the bus machine reads it.
    assert BusTransformer("RAW").render(_bus('"abc"')) == '"abc"'
    with_metadata = BusTransformer("WITH_METADATA")
    assert with_metadata.render(_bus('"abc"')).startswith('{"Data":"abc",')
    assert with_metadata.render(_bus('{"a": 1}')).startswith('{"Data":{"a":1}')
