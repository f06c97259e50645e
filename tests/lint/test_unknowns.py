"""Template values nobody can know, tracked one by one: a finding that does not depend on one still fires."""

from __future__ import annotations

import json
from pathlib import Path

from patterns.lint.cli import main
from patterns.lint.rules import check_group, check_pattern
from patterns.lint.sources import extract_text

UNKNOWNS = Path(__file__).parent / "fixtures" / "unknowns"


def _found(capsys: object, *paths: str) -> list[tuple[int, int, str]]:
    main(["check", *paths, "--format", "json"])
    records = json.loads(capsys.readouterr().out)  # type: ignore[attr-defined]
    return [(r["line"], r["column"], r["code"]) for r in records]


def test_terraform_bare_reference_leaves_other_findings(capsys):
    # issue 23: one bare reference (`name = aws_s3_bucket.x.bucket`) used to hide `detail_type`
    found = _found(capsys, str(UNKNOWNS / "bare-reference.tf"))
    assert found == [
        (7, 5, "W105"),  # beside a bare reference where a list belongs
        (19, 24, "W105"),  # beside `${jsonencode(var.keys)}` outside a string, in a heredoc
        (26, 5, "W105"),  # beside a numeric bound that is a variable
    ]


def test_cloudformation_ref_leaves_other_findings(capsys):
    found = _found(capsys, str(UNKNOWNS / "bare-reference.yaml"))
    # `!Ref Bucket` where a list belongs hides nothing; the `!GetAtt` key is not called a field
    assert found == [(8, 9, "W105"), (16, 9, "W105")]


def test_finding_about_the_unknown_is_still_dropped():
    text = '{"source": ["aws.s3"], "${var.key}": ["x"]}'
    (ex,) = extract_text("t.json", text)
    ex.unknowns.clear()  # without the unknown, the key is a field AWS events lack
    assert [d.code for d in check_pattern(ex)[1]] == ["W105"]
    tf = 'resource "aws_cloudwatch_event_rule" "r" {\n  event_pattern = "{\\"${var.key}\\": [\\"x\\"]}"\n}\n'
    (ex,) = extract_text("main.tf", tf)
    assert [u.text for u in ex.unknowns] == ["${var.key}"]
    assert check_pattern(ex)[1] == []


def _long_rule(unknown_value: str, n: int) -> str:
    accounts = ", ".join(f'"{i:012d}"' for i in range(n))
    return (
        'resource "aws_cloudwatch_event_rule" "r" {\n'
        f'  event_pattern = jsonencode({{ source = ["aws.ec2"], account = [{accounts}], '
        f"detail = {{ name = {unknown_value} }} }})\n}}\n"
    )


def test_size_with_unknowns_is_a_lower_bound():
    # 300 accounts: over 4,096 characters whatever the reference holds
    (ex,) = extract_text("main.tf", _long_rule("aws_s3_bucket.x.bucket", 300))
    diagnostics = check_pattern(ex)[1]
    assert [d.code for d in diagnostics] == ["E105"]
    assert diagnostics[0].help.startswith("the pattern is at least 4")
    # 190 accounts: over the 2,048 quota at the reference's shortest
    (ex,) = extract_text("main.tf", _long_rule("aws_s3_bucket.x.bucket", 190))
    diagnostics = check_pattern(ex)[1]
    assert [d.code for d in diagnostics] == ["W112"]
    assert "at least 2906 characters" in diagnostics[0].message


def test_size_near_a_limit_with_unknowns_is_not_claimed():
    # 130 accounts: about 2,000 characters known; the reference may or may not push it over 2,048
    (ex,) = extract_text("main.tf", _long_rule("aws_s3_bucket.x.bucket", 130))
    assert check_pattern(ex)[1] == []


def test_counts_with_a_list_unknown_are_lower_bounds():
    values = ", ".join(f'"v{i}"' for i in range(5))
    tf = (
        'variable "regions" {\n  type = list(string)\n}\n'
        'resource "aws_sns_topic_subscription" "s" {\n'
        f"  filter_policy = jsonencode({{ a = [{values}], b = [{values}], c = [{values}], d = var.regions }})\n}}\n"
    )
    (ex,) = extract_text("main.tf", tf)
    diagnostics = check_pattern(ex)[1]
    assert [d.code for d in diagnostics] == ["W111"]
    assert diagnostics[0].message.startswith("the policy counts at least 125 combinations")


def _group(text: str) -> list[tuple[str, str]]:
    contexts = [check_pattern(ex)[0] for ex in extract_text("t.yaml", text)]
    return [(d.code, d.where) for d in check_group(contexts)]


_RULES = """
Resources:
  All:
    Type: AWS::Events::Rule
    Properties:
      EventPattern: {source: [%s]}
      Targets: [{Id: q, Arn: !GetAtt Queue.Arn}]
  Stopped:
    Type: AWS::Events::Rule
    Properties:
      EventPattern: {source: [aws.ec2], detail: {state: [%s]}}
      Targets: [{Id: q, Arn: !GetAtt Queue.Arn}]
"""


def test_covered_whatever_the_narrower_patterns_unknowns_hold():
    # `Stopped` filters on `!Ref State` besides `source`: `All` covers it whatever the value
    found = _group(_RULES % ("aws.ec2", "!Ref State"))
    assert found == [("W120", "Resources.Stopped.Properties.EventPattern")]


def test_no_coverage_claimed_through_the_broader_patterns_unknowns():
    # `All`'s `!Ref Source` could be anything: it may not cover `Stopped`
    assert _group(_RULES % ("!Ref Source", "stopped")) == []


def test_no_duplicate_claimed_between_patterns_with_unknowns():
    # the same text, `!Ref Source` in both; a per-instance value (Terraform's `each.value`) could
    # differ between two resources, so W119 claims nothing about patterns holding template values
    same = _RULES.replace("detail: {state: [%s]}", "detail: {state: [x]}").replace("aws.ec2", "!Ref Source")
    same = same.replace("source: [%s]}", "source: [!Ref Source], detail: {state: [x]}}")
    assert "W119" not in [code for code, _ in _group(same)]
    assert [code for code, _ in _group(same.replace("!Ref Source", "aws.ec2"))] == ["W119"]
