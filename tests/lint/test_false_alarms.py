"""Findings as users mean them: documented idioms (W110) and intended fan-out (W120) are not reported."""

from __future__ import annotations

import pytest

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
