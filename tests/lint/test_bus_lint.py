"""pattern-lint on the Custom Event Bus and on input transformers: what the readers find, that the
errors are `SubscriberFilter`'s and `InputTransformer`'s own messages, what the warnings leave
alone, and findings at the same places in every output format."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from test_cli import _positions  # tests/lint is no package: its modules import by name

from patterns import InputTransformer, SubscriberFilter
from patterns.errors import InvalidPatternError, InvalidTransformerError
from patterns.lint.cli import main
from patterns.lint.render import FORMATS
from patterns.lint.rules import check_group, check_pattern
from patterns.lint.sources import extract_text

FIXTURES = Path(__file__).parent / "fixtures"
SUBSCRIBER = """
Resources:
  Orders:
    Type: AWS::EventsV2::Subscriber
    Properties:
      Name: orders
      FilterConfiguration:
        Filters:
{filters}
"""
RULE = """
Resources:
  Rule:
    Type: AWS::Events::Rule
    Properties:
      EventPattern: {pattern}
      Targets:
        - Id: queue
          Arn: arn:aws:sqs:us-east-1:123456789012:q
          InputTransformer:
            InputPathsMap: {paths}
            InputTemplate: {template}
"""


def _subscriber(*filters: tuple[str, str]) -> str:
    lines = [f"          - Scope: {scope}\n            Pattern: '{pattern}'" for scope, pattern in filters]
    return SUBSCRIBER.format(filters="\n".join(lines))


def _diagnostics(name: str, text: str) -> list:
    contexts, out = [], []
    for ex in extract_text(name, text):
        ctx, found = check_pattern(ex)
        contexts.append(ctx)
        out += found
    return sorted(out + check_group(contexts), key=lambda d: (d.line, d.column, d.code))


def _codes(name: str, text: str) -> list[str]:
    return [d.code for d in _diagnostics(name, text)]


# --- what the readers find ---------------------------------------------------------------


def test_subscriber_filters_read_with_their_scope_dialect_grouped_per_subscriber():
    text = _subscriber(("DATA", '{"a": ["1"]}'), ("METADATA", '{"t": ["x"]}'), ("SYSTEM_METADATA", "{}"))
    found = extract_text("t.yaml", text)
    assert [(ex.kind, ex.dialect, ex.scope, ex.filter_position) for ex in found] == [
        ("subscriber", "bus-data", "DATA", (0, 3)),
        ("subscriber", "bus-metadata", "METADATA", (1, 3)),
        ("subscriber", "bus-data", "SYSTEM_METADATA", (2, 3)),
    ]
    assert {ex.group for ex in found} == {"subscriber:Resources.Orders"}


def test_awscc_subscriber_filters_read_as_subscriber_filters_not_lambda_filters():
    text = """
resource "awscc_eventsv2_subscriber" "s" {
  filter_configuration = {
    filters = [{ scope = "METADATA", pattern = jsonencode({ t = ["x"] }) }, { scope = "DATA", pattern = "{}" }]
  }
}
"""
    found = extract_text("main.tf", text)
    assert [(ex.kind, ex.dialect, ex.scope, ex.filter_position, ex.group) for ex in found] == [
        ("subscriber", "bus-metadata", "METADATA", (0, 2), "subscriber:awscc_eventsv2_subscriber.s"),
        ("subscriber", "bus-data", "DATA", (1, 2), "subscriber:awscc_eventsv2_subscriber.s"),
    ]


def test_input_transformer_read_beside_its_rule_pattern():
    text = RULE.format(
        pattern='{"source": ["aws.ec2"]}', paths='{s: "$.detail.state"}', template="'{\"s\": <s>}'"
    )
    rule, transformer = extract_text("t.yaml", text)
    assert transformer.kind == "transformer"
    assert transformer.text == '{"s": <s>}'
    assert transformer.transformer is not None
    assert transformer.transformer.rule is rule
    assert transformer.transformer.target_id == "queue"
    ((key, _, path),) = transformer.transformer.paths
    assert (key, path.text if path else None) == ("s", "$.detail.state")


@pytest.mark.parametrize(
    "rule",
    ["aws_cloudwatch_event_rule.r.name", '"by-name"'],
    ids=["address", "literal-name"],
)
def test_terraform_target_linked_to_its_rule_by_address_or_name(rule):
    text = f"""
resource "aws_cloudwatch_event_target" "t" {{
  rule = {rule}
  arn  = "arn:aws:sqs:us-east-1:123456789012:q"
  input_transformer {{
    input_paths    = {{ s = "$.detail.state.name" }}
    input_template = "{{\\"s\\": <s>}}"
  }}
}}
resource "aws_cloudwatch_event_rule" "r" {{
  name          = "by-name"
  event_pattern = jsonencode({{ detail = {{ state = ["running"] }} }})
}}
"""
    assert _codes("main.tf", text) == ["W124"]


def test_summary_counts_patterns_not_transformers(capsys):
    main(["check", str(FIXTURES / "W125_template-not-json.json")])
    assert "in 1 pattern in 1 file" in capsys.readouterr().out


# --- the errors are the library's own messages -------------------------------------------


@pytest.mark.parametrize(
    ("scope", "pattern"),
    [
        ("DATA", '{"a": [{"wildcard": "x*"}]}'),
        ("METADATA", '{"a": [{"prefix": "x"}]}'),
        ("METADATA", '{"$or": [{"a": ["1"]}, {"b": ["2"]}]}'),
        ("SYSTEM_METADATA", '{"a": ["' + "x" * 4100 + '"]}'),
        ("PAYLOAD", '{"a": ["1"]}'),
    ],
)
def test_e107_message_is_subscriber_filters(scope, pattern):
    with pytest.raises(InvalidPatternError) as err:
        SubscriberFilter(
            {"Filters": [{"Scope": "DATA", "Pattern": '{"a": ["1"]}'}, {"Scope": scope, "Pattern": pattern}]}
        )
    found = _diagnostics("t.yaml", _subscriber(("DATA", '{"a": ["1"]}'), (scope, pattern)))
    assert [(d.code, d.message) for d in found] == [("E107", str(err.value))]


def test_e108_message_is_subscriber_filters_and_lands_on_the_51st_filter():
    filters = [{"Scope": "DATA", "Pattern": f'{{"id": ["{i}"]}}'} for i in range(51)]
    with pytest.raises(InvalidPatternError) as err:
        SubscriberFilter({"Filters": filters})
    text = _subscriber(*((f["Scope"], f["Pattern"]) for f in filters))
    (d,) = [d for d in _diagnostics("t.yaml", text) if d.code != "W126"]
    assert (d.code, d.message) == ("E108", str(err.value))
    assert d.line == text.splitlines().index('            Pattern: \'{"id": ["50"]}\'') + 1


@pytest.mark.parametrize(
    ("paths", "template"),
    [
        ({"s": "$.detail.state"}, '{"s": <s>, "t": <t>}'),
        ({"AWS.x": "$.detail"}, '"<AWS.x>"'),
        ({"s": "$.detail.state"}, '{"<s>": 1}'),
        ({"a b": "$.detail"}, '"x"'),
    ],
)
def test_e109_message_is_input_transformers(paths, template):
    with pytest.raises(InvalidTransformerError) as err:
        InputTransformer(paths, template, target_id="queue")
    text = RULE.format(
        pattern='{"source": ["aws.ec2"]}', paths=json.dumps(paths), template=json.dumps(template)
    )
    found = [d for d in _diagnostics("t.yaml", text) if d.code.startswith("E")]
    assert [(d.code, d.message) for d in found] == [("E109", str(err.value))]


# --- what the warnings leave alone -------------------------------------------------------


def test_w122_not_for_a_choice_between_the_two_shapes():
    # either a PutEvents event or a raw payload: each branch reads one shape
    pattern = '{"$or": [{"detail": {"id": ["1"]}}, {"id": ["1"]}]}'
    assert _codes("t.yaml", _subscriber(("DATA", pattern))) == []


def test_w122_not_for_an_absent_envelope_key():
    # `exists: false` on `detail` is how a raw-payload filter says "not a PutEvents event"
    assert _codes("t.yaml", _subscriber(("DATA", '{"detail": [{"exists": false}], "id": ["1"]}'))) == []


def test_w123_not_when_the_data_filter_also_matches_raw_payloads():
    text = _subscriber(
        ("DATA", '{"$or": [{"detail": {"id": ["1"]}}, {"id": ["1"]}]}'), ("METADATA", '{"t": ["x"]}')
    )
    assert _codes("t.yaml", text) == []


def test_repeated_subscriber_filters_are_no_duplicate_rules():
    # W119/W120 are about rules delivering twice; a subscriber's filters AND
    text = _subscriber(("DATA", '{"a": ["1"]}'), ("DATA", '{"a": ["1"]}'), ("DATA", '{"a": ["1", "2"]}'))
    assert _codes("t.yaml", text) == ["W126"]  # once per scope


def test_subscriber_pattern_errors_reported_once():
    # E107 only: not E102 (invalid-pattern), nor E105 (the classic bus's length message)
    long = '{"a": ["' + "x" * 4100 + '"]}'
    assert _codes("t.yaml", _subscriber(("DATA", long), ("DATA", '{"a": [{"wildcard": "*"}]}'))) == [
        "E107",
        "E107",
    ]


def test_e107_length_counts_template_values_at_their_shortest():
    def sub(width: int) -> str:  # a DATA filter of `width` characters, `${Suffix}` (9) inside
        filler = "x" * (width - len('{"a": ["${Suffix}"]}'))
        return f'          - Scope: DATA\n            Pattern: !Sub \'{{"a": ["{filler}${{Suffix}}"]}}\''

    fits = SUBSCRIBER.format(filters=sub(4100))  # 4,091 without the value: it may fit
    assert _codes("t.yaml", fits) == []
    over = _diagnostics("t.yaml", SUBSCRIBER.format(filters=sub(4200)))
    assert [(d.code, d.message.rsplit(": ", 1)[-1]) for d in over] == [
        ("E107", "Expected a pattern of at most 4096 characters, got at least 4191")
    ]


@pytest.mark.parametrize(
    ("pattern", "path"),
    [
        ('{"detail": {"state": ["running"]}}', "$.detail.state"),  # the value itself
        ('{"detail": {"state": ["running"]}}', "$.detail.state[0]"),  # an array of values
        ('{"$or": [{"detail": {"state": ["x"]}}, {"source": ["y"]}]}', "$.detail.state.name"),  # one branch
        ('{"detail": {"state": {"name": ["x"]}}}', "$.detail.state.name"),
        ('{"source": ["aws.ec2"]}', "$.resources[0]"),
        ('{"source": ["aws.ec2"]}', "$.resources[*]"),
        ('{"source": ["aws.ec2"]}', "$['detail-type']"),
        ('{"source": ["aws.ec2"]}', "$"),
    ],
)
def test_w124_not_for_paths_some_event_can_have(pattern, path):
    text = RULE.format(pattern=pattern, paths=json.dumps({"v": path}), template="'{\"v\": <v>}'")
    assert _codes("t.yaml", text) == []


def test_w124_not_when_the_pattern_holds_template_values():
    pattern = '!Sub \'{"detail": {"state": ["${State}"]}}\''
    text = RULE.format(pattern=pattern, paths='{v: "$.detail.state.name"}', template="'{\"v\": <v>}'")
    assert _codes("t.yaml", text) == []


def test_w125_not_when_a_template_value_could_make_it_json():
    # `${Fields}` may stand for `"a": 1` or for nothing: the JSON is not known
    text = RULE.format(
        pattern='{"source": ["aws.ec2"]}', paths='{v: "$.detail"}', template="!Sub '{\"v\": <v> ${Fields}}'"
    )
    assert _codes("t.yaml", text) == []


def test_e109_beside_a_template_value_still_reported():
    text = RULE.format(
        pattern='{"source": ["aws.ec2"]}',
        paths='{v: "$.detail"}',
        template='!Sub \'{"v": <v>, "stage": "${Stage}", "w": <w>}\'',
    )
    (d,) = _diagnostics("t.yaml", text)
    assert d.code == "E109"
    assert re.search(r"invalid placeholder w\.$", d.message)


# --- every output format -----------------------------------------------------------------

BUS_CODES = {"E107", "E108", "E109", "W122", "W123", "W124", "W125", "W126"}
BUS_FIXTURES = sorted(
    p.name
    for p in FIXTURES.glob("[EW][0-9][0-9][0-9]_*")
    if p.suffix != ".expected" and p.name[:4] in BUS_CODES
)


@pytest.mark.parametrize("fmt", [f for f in FORMATS if f != "concise"])
def test_bus_findings_at_the_same_places_in_every_format(fmt, capsys, monkeypatch):
    monkeypatch.chdir(FIXTURES)
    main(["check", *BUS_FIXTURES])
    concise = _positions("concise", capsys.readouterr().out)
    main(["check", *BUS_FIXTURES, "--format", fmt])
    assert _positions(fmt, capsys.readouterr().out) == concise
    assert len(concise) > 30
