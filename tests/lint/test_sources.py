"""Finding patterns in host files, and mapping positions back through strings, heredocs and trees."""

from __future__ import annotations

from pathlib import Path

import pytest

from patterns.lint.rules import check_group, check_pattern
from patterns.lint.sources import SourceError, align, extract_text


def _lint(name: str, text: str) -> list[tuple[int, int, str]]:
    found = extract_text(name, text)
    out = []
    contexts = []
    for ex in found:
        ctx, diagnostics = check_pattern(ex)
        contexts.append(ctx)
        out += [(d.line, d.column, d.code) for d in diagnostics]
    out += [(d.line, d.column, d.code) for d in check_group(contexts)]
    return sorted(out)


def test_align_json_escapes():
    raw = r"{\"a\": [\"x\\\"y\"]}"
    decoded = '{"a": ["x\\"y"]}'
    starts = align(decoded, raw, 100, escapes=True)
    assert len(starts) == len(decoded)
    assert [raw[s - 100] for s in starts[:3]] == ["{", "\\", "a"]


def test_align_block_scalar_indentation():
    raw = '    {\n      "a": [1]\n    }\n'
    decoded = '{\n  "a": [1]\n}\n'
    starts = align(decoded, raw, 0, escapes=False, indent=4)
    assert raw[starts[decoded.index('"a"')] :].startswith('"a"')


TF_CRLF = (
    'resource "aws_cloudwatch_event_rule" "r" {\r\n'
    "  event_pattern = <<EOF\r\n"
    '{"source": ["a"],\r\n'
    ' "detail": {"n": [{"numeric": [">", "1"]}]}}\r\n'
    "EOF\r\n"
    "}\r\n"
)


def test_terraform_heredoc_with_crlf():
    assert _lint("m.tf", TF_CRLF) == [(4, 37, "E102")]


def test_terraform_sns_scope_pipes_and_lambda_filters():
    text = """
resource "aws_sns_topic_subscription" "s" {
  topic_arn           = aws_sns_topic.t.arn
  filter_policy_scope = "MessageBody"
  filter_policy       = jsonencode({ order = { kind = ["a", "a"] } })
}
resource "aws_pipes_pipe" "p" {
  source = aws_sqs_queue.q.arn
  source_parameters {
    filter_criteria {
      filter {
        pattern = jsonencode({ eventSourceARN = ["x"] })
      }
    }
  }
}
resource "aws_lambda_event_source_mapping" "m" {
  event_source_arn = aws_sqs_queue.q.arn
  filter_criteria {
    filter {
      pattern = jsonencode({ orderType = ["premium"] })
    }
  }
}
"""
    assert _lint("m.tf", text) == [(5, 61, "W108"), (12, 32, "W116"), (21, 30, "W115")]
    kinds = {(e.kind, e.dialect, e.source_kind) for e in extract_text("m.tf", text)}
    assert kinds == {("sns", "sns-body", None), ("pipe", "pipes", "sqs"), ("esm", "lambda", "sqs")}


def test_terraform_local_reference_and_file(tmp_path):
    (tmp_path / "pattern.json").write_text('{\n  "source": ["a"],\n  "Source": ["b"]\n}\n', "utf-8")
    tf = tmp_path / "main.tf"
    tf.write_text(
        "locals {\n"
        '  p = jsonencode({ source = ["x"], detailType = ["y"] })\n'
        "}\n"
        'resource "aws_cloudwatch_event_rule" "a" { event_pattern = local.p }\n'
        'resource "aws_cloudwatch_event_rule" "b" { event_pattern = file("${path.module}/pattern.json") }\n',
        "utf-8",
    )
    found = extract_text(str(tf), tf.read_text("utf-8"))
    assert [Path(e.file).name for e in found] == ["main.tf", "pattern.json"]
    results = {}
    for ex in found:
        _, diagnostics = check_pattern(ex)
        results[Path(ex.file).name] = [(d.line, d.column, d.code) for d in diagnostics]
    assert results == {"main.tf": [(2, 36, "W105")], "pattern.json": [(3, 3, "W105")]}


def test_terragrunt_inputs():
    text = """
inputs = {
  rules = [
    { name = "a", event_pattern = jsonencode({ source = ["x"], "detail-type" = "y" }) },
  ]
}
"""
    assert _lint("terragrunt.hcl", text) == [(4, 80, "E102")]


def test_hcl_that_does_not_parse_raises():
    with pytest.raises(SourceError):
        extract_text("m.tf", 'resource "x" "y" { event_pattern = jsonencode({ \n')


def test_serverless_yml_with_variables():
    text = """
service: shop
provider: {name: aws}
functions:
  worker:
    handler: app.handler
    events:
      - eventBridge:
          pattern:
            source: [shop]
            detail:
              tier: ['${self:custom.tier}']
              state: [{anything-but: x}]
      - sns:
          arn: arn:aws:sns:us-east-1:123456789012:t
          filterPolicyScope: MessageBody
          filterPolicy: {kind: [a, a]}
      - sqs:
          arn: arn:aws:sqs:us-east-1:123456789012:q
          filterPatterns:
            - {orderType: [premium]}
"""
    assert _lint("serverless.yml", text) == [(13, 23, "W101"), (17, 36, "W108"), (21, 16, "W115")]
    (rule,) = [e for e in extract_text("serverless.yml", text) if e.kind == "rule"]
    assert [u.text for u in rule.unknowns] == ["${self:custom.tier}"]


def test_cloudformation_json_string_pattern_and_fn_sub():
    text = (
        '{"Resources": {\n'
        ' "A": {"Type": "AWS::Events::Rule", "Properties": {"EventPattern": "{\\"source\\": \\"x\\"}"}},\n'
        ' "B": {"Type": "AWS::Events::Rule", "Properties": {"EventPattern":'
        ' {"Fn::Sub": "{\\"source\\": [\\"${AWS::Region}\\"], \\"x\\": [1, 1]}"}}}\n'
        "}}\n"
    )
    assert _lint("t.json", text) == [(2, 82, "E102"), (3, 116, "W105"), (3, 127, "W108")]


def test_sub_list_form_and_intrinsics_are_unknown():
    text = """
Resources:
  R:
    Type: AWS::Events::Rule
    Properties:
      EventPattern: !Sub
        - '{"source": ["${Src}"], "detail": {"n": [{"numeric": [">", ${Limit}]}]}}'
        - {Src: x, Limit: 5}
  S:
    Type: AWS::Events::Rule
    Properties:
      EventPattern:
        source: [{"Fn::GetAtt": [X, Y]}]
        account: !Ref AWS::AccountId
"""
    assert _lint("t.yaml", text) == []
    unknown = [u.text for e in extract_text("t.yaml", text) for u in e.unknowns]
    assert unknown == ["${Src}", "${Limit}", '{"Fn::GetAtt": [X, Y]}', "!Ref AWS::AccountId"]


def test_whole_pattern_as_reference_is_skipped():
    text = "Resources:\n  R:\n    Type: AWS::Events::Rule\n    Properties:\n      EventPattern: !Ref P\n"
    assert extract_text("t.yaml", text) == []


def test_archive_and_default_bus_grouping():
    text = """
Resources:
  A:
    Type: AWS::Events::Rule
    Properties: {EventPattern: {source: [x]}}
  B:
    Type: AWS::Events::Rule
    Properties: {EventBusName: other, EventPattern: {source: [x]}}
  C:
    Type: AWS::Events::Archive
    Properties: {SourceArn: bus, EventPattern: {source: [x]}}
"""
    assert _lint("t.yaml", text) == []  # different buses; archives are not rules


def test_sub_interpolated_keys_and_values_are_never_errors():
    text = """
Resources:
  F:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        Deployed:
          Type: EventBridgeRule
          Properties:
            Pattern:
              Fn::Sub:
              - |
                {
                  "detail": {
                    "requestParameters": {
                      "${keyname}": ${value},
                      "${other}": ["${Id}"]
                    }
                  }
                }
              - {keyname: stageName, value: '["prod"]', other: restApiId}
"""
    assert _lint("t.yaml", text) == []


def test_json_template_resources_sliced_with_their_offsets():
    text = (
        '{ "AWSTemplateFormatVersion" : "2010-09-09",\n'
        '  "Resources" : {\n'
        '    "Q" : { "Type" : "AWS::SQS::Queue", "Properties" : { "QueueName" : "a}]{[\\"b" } },\n'
        '    "M" : { "Type" : "AWS::Lambda::EventSourceMapping", "Properties" : {\n'
        '      "EventSourceArn" : { "Fn::GetAtt" : [ "Q", "Arn" ] },\n'
        '      "FilterCriteria" : { "Filters" : [ { "Pattern" : "{\\"kind\\": [1, 1]}" } ] } } }\n'
        "  }\n"
        "}\n"
    )
    assert _lint("t.json", text) == [(6, 58, "W115"), (6, 72, "W108")]
    (ex,) = extract_text("t.json", text)
    assert ex.source_kind == "sqs"
