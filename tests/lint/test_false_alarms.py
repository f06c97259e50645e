"""Findings as users mean them: documented idioms (W110) and intended fan-out (W120) are not reported."""

from __future__ import annotations

import pytest

from patterns.lint.cli import main
from patterns.lint.rules import check_group, check_pattern
from patterns.lint.sources import extract_text


def _codes(name: str, text: str) -> list[str]:
    contexts, out = [], []
    for ex in extract_text(name, text):
        ctx, diagnostics = check_pattern(ex)
        contexts.append(ctx)
        out += diagnostics
    out += check_group(contexts)
    return sorted(d.code for d in out)


def test_catch_all_source_prefix_is_the_documented_idiom():
    # "Send all events to CloudWatch Logs": every event has a source
    assert _codes("p.json", '{"source": [{"prefix": ""}]}') == []
    cfn = """
Resources:
  All:
    Type: AWS::Events::Rule
    Properties:
      Description: Send all events to CloudWatch Logs
      EventPattern:
        source:
          - prefix: ""
"""
    assert _codes("t.yaml", cfn) == []


@pytest.mark.parametrize(
    "pattern",
    [
        '{"source": [{"prefix": ""}, "aws.ec2"]}',  # beside a value: the value filters nothing
        '{"source": [{"wildcard": "*"}]}',
        '{"detail": {"source": [{"prefix": ""}]}}',  # a payload field named source
        '{"$or": [{"source": [{"prefix": ""}]}, {"detail-type": ["x"]}]}',  # makes the other branch moot
        '{"source": ["aws.s3"], "detail": {"key": [{"prefix": ""}]}}',
    ],
)
def test_other_catch_alls_still_warn(pattern):
    assert _codes("p.json", pattern) == ["W110"]


def test_catch_all_source_prefix_in_sns_policy_still_warns():
    # in an SNS policy `source` is a message attribute like any other, present or not
    cfn = """
Resources:
  Sub:
    Type: AWS::SNS::Subscription
    Properties:
      TopicArn: arn:aws:sns:us-east-1:123456789012:t
      Protocol: sqs
      Endpoint: arn:aws:sqs:us-east-1:123456789012:q
      FilterPolicy:
        source:
          - prefix: ""
"""
    assert "W110" in _codes("t.yaml", cfn)


def _w120(name: str, text: str) -> list[str]:
    contexts = [check_pattern(ex)[0] for ex in extract_text(name, text)]
    return [d.message for d in check_group(contexts) if d.code == "W120"]


def _cfn_rules(all_target: str, stopped_target: str | None) -> str:
    stopped = f"\n      Targets: [{{Id: t, Arn: {stopped_target}}}]" if stopped_target else ""
    return f"""
Resources:
  All:
    Type: AWS::Events::Rule
    Properties:
      EventPattern: {{"source": ["aws.ec2"]}}
      Targets: [{{Id: t, Arn: {all_target}}}]
  Stopped:
    Type: AWS::Events::Rule
    Properties:
      EventPattern: {{"source": ["aws.ec2"], "detail": {{"state": ["stopped"]}}}}{stopped}
"""


def test_covered_rule_with_a_shared_target_warns():
    (message,) = _w120("t.yaml", _cfn_rules("!GetAtt Queue.Arn", "!GetAtt Queue.Arn"))
    assert message.endswith("; both send it to `!GetAtt Queue.Arn`")


def test_covered_rule_with_other_targets_is_fan_out():
    assert _w120("t.yaml", _cfn_rules("!GetAtt Archive.Arn", "!GetAtt Pager.Arn")) == []
    assert _w120("t.yaml", _cfn_rules("arn:aws:sqs:us-east-1:1:a", "arn:aws:sqs:us-east-1:1:b")) == []


def test_covered_rule_with_unread_targets_says_they_may_differ():
    (message,) = _w120("t.yaml", _cfn_rules("!GetAtt Queue.Arn", None))
    assert "their targets may differ" in message


def test_terraform_targets_are_read_from_event_target_resources():
    rules = """
resource "aws_cloudwatch_event_rule" "all" {
  name          = "all"
  event_pattern = jsonencode({ source = ["aws.ec2"] })
}
resource "aws_cloudwatch_event_rule" "stopped" {
  name          = "stopped"
  event_pattern = jsonencode({ source = ["aws.ec2"], detail = { state = ["stopped"] } })
}
resource "aws_cloudwatch_event_target" "all" {
  rule = aws_cloudwatch_event_rule.all.name
  arn  = aws_sqs_queue.archive.arn
}
"""
    stopped_to = (
        'resource "aws_cloudwatch_event_target" "stopped" {{\n  rule = "stopped"\n  arn  = {arn}\n}}\n'
    )
    assert _w120("main.tf", rules + stopped_to.format(arn="aws_lambda_function.pager.arn")) == []
    (shared,) = _w120("main.tf", rules + stopped_to.format(arn="aws_sqs_queue.archive.arn"))
    assert "both send it to `aws_sqs_queue.archive.arn`" in shared
    (unread,) = _w120("main.tf", rules)
    assert "may differ" in unread


def test_sns_subscriptions_with_other_endpoints_are_fan_out():
    def sub(name: str, endpoint: str, policy: str) -> str:
        return f"""
  {name}:
    Type: AWS::SNS::Subscription
    Properties:
      TopicArn: !Ref Topic
      Protocol: sqs
      Endpoint: {endpoint}
      FilterPolicy: {policy}"""

    text = "Resources:" + sub("All", "!GetAtt A.Arn", '{"kind": ["order", "refund"]}')
    assert _w120("t.yaml", text + sub("Orders", "!GetAtt B.Arn", '{"kind": ["order"]}')) == []
    assert _w120("t.yaml", text + sub("Orders", "!GetAtt A.Arn", '{"kind": ["order"]}'))


def test_serverless_functions_are_their_events_targets():
    text = """
functions:
  audit:
    handler: a.h
    events:
      - eventBridge: {pattern: {source: [aws.ec2]}}
  stopper:
    handler: s.h
    events:
      - eventBridge: {pattern: {source: [aws.ec2], detail: {state: [stopped]}}}
"""
    assert _w120("serverless.yml", text) == []


def test_pulumi_targets_are_read_from_event_target_resources():
    program = """
name: p
runtime: yaml
resources:
  all:
    type: aws:cloudwatch:EventRule
    properties:
      eventPattern: '{"source": ["aws.ec2"]}'
  stopped:
    type: aws:cloudwatch:EventRule
    properties:
      name: ec2-stopped
      eventPattern: '{"source": ["aws.ec2"], "detail": {"state": ["stopped"]}}'
  allTarget:
    type: aws:cloudwatch:EventTarget
    properties:
      rule: ${all.name}
      arn: ${archive.arn}
  stoppedTarget:
    type: aws:cloudwatch:EventTarget
    properties:
      rule: ec2-stopped
      arn: %s
"""
    assert _w120("Pulumi.yaml", program % "${pager.arn}") == []
    (shared,) = _w120("Pulumi.yaml", program % "${archive.arn}")
    assert "both send it to `${archive.arn}`" in shared


def _w119(name: str, text: str) -> list[str]:
    contexts = [check_pattern(ex)[0] for ex in extract_text(name, text)]
    return [d.message for d in check_group(contexts) if d.code == "W119"]


def _cfn_twins(first: str, second: str | None) -> str:
    """Two rules with the same pattern, sending to `first` and `second` (None: no Targets)."""
    targets = f"\n      Targets: [{{Id: t, Arn: {second}}}]" if second else ""
    return f"""
Resources:
  A:
    Type: AWS::Events::Rule
    Properties:
      EventPattern: {{"source": ["aws.ec2"]}}
      Targets: [{{Id: t, Arn: {first}}}]
  B:
    Type: AWS::Events::Rule
    Properties:
      EventPattern: {{"source": ["aws.ec2"]}}{targets}
"""


def test_duplicate_rules_to_other_targets_are_fan_out():
    assert _w119("t.yaml", _cfn_twins("!GetAtt Archive.Arn", "!GetAtt Pager.Arn")) == []
    (shared,) = _w119("t.yaml", _cfn_twins("!GetAtt Queue.Arn", "!GetAtt Queue.Arn"))
    assert shared.endswith("; both send it to `!GetAtt Queue.Arn`")
    (unread,) = _w119("t.yaml", _cfn_twins("!GetAtt Queue.Arn", None))
    assert "their targets may differ" in unread


CDK_FAN_OUT = """
const a = new events.Rule(this, 'ToQueue', {
  eventPattern: { source: ['aws.ec2'] },
  targets: [new targets.SqsQueue(queue)],
});
const b = new events.Rule(this, 'ToLogs', {
  eventPattern: { source: ['aws.ec2'] },
  targets: [new targets.CloudWatchLogGroup(logGroup)],
});
const c = new events.Rule(this, 'AlsoToQueue', {
  eventPattern: { source: ['aws.ec2'] },
  targets: [new targets.SqsQueue(queue)],
});
"""


def test_cdk_rules_targets_are_read_from_the_targets_list():
    pytest.importorskip("tree_sitter_typescript")
    (message,) = _w119("stack.ts", CDK_FAN_OUT)  # ToLogs is fan-out; AlsoToQueue repeats ToQueue
    assert "events.Rule('ToQueue')" in message
    assert message.endswith("; both send it to `new targets.SqsQueue(queue)`")


def test_rules_under_different_conditions_are_not_compared():
    """Two rules of one template under different `Condition`s (one deployed or the other)."""
    text = """
Resources:
  All:
    Type: AWS::Events::Rule
    Condition: NoFilter
    Properties:
      EventPattern: {"source": ["aws.ec2"]}
      Targets: [{Id: t, Arn: !GetAtt Queue.Arn}]
  Filtered:
    Type: AWS::Events::Rule
    Condition: HasFilter
    Properties:
      EventPattern: {"source": ["aws.ec2"], "detail": {"state": ["stopped"]}}
      Targets: [{Id: t, Arn: !GetAtt Queue.Arn}]
"""
    assert _w120("t.yaml", text) == []
    same = text.replace("Condition: HasFilter", "Condition: NoFilter")
    assert len(_w120("t.yaml", same)) == 1


def test_a_tag_named_pattern_is_no_unread_pattern(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "t.yaml").write_text(
        "Resources:\n  P:\n    Type: AWS::Serverless::CapacityProvider\n    Properties:\n"
        "      Tags:\n        Pattern: sqs-lmi-provisioned-esm\n"
        "  R:\n    Type: Custom::RuleMaker\n    Properties:\n      Pattern: {source: [a]}\n",
        "utf-8",
    )
    main(["check", "t.yaml"])
    out = capsys.readouterr().out
    assert "Tags.Pattern" not in out
    assert "Resources.R.Properties.Pattern` is not read" in out
