"""E104 invalid-filter-policy-scope: an SNS `FilterPolicyScope` SNS refuses."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from patterns.dialects import dialect_for_scope
from patterns.errors import InvalidPatternError

from .pipeline import PatternContext
from .registry import Finding, rule

__all__ = ["invalid_filter_policy_scope"]


@rule("E104", "invalid-filter-policy-scope")
def invalid_filter_policy_scope(ctx: PatternContext) -> Iterator[Finding]:
    """## What it does
    Reports an SNS subscription whose `FilterPolicyScope` is neither `MessageAttributes` nor
    `MessageBody`, with SNS's message.

    ## Why is this bad?
    SNS refuses the subscription; the scope is case-sensitive.

    ## Example
    ```yaml
    Resources:
      Sub:
        Type: AWS::SNS::Subscription
        Properties:
          TopicArn: arn:aws:sns:us-east-1:123456789012:orders
          Protocol: sqs
          Endpoint: arn:aws:sqs:us-east-1:123456789012:q
          FilterPolicyScope: messageBody
          FilterPolicy: {"kind": ["premium"]}
    ```

    ## Use instead
    ```yaml
    Resources:
      Sub:
        Type: AWS::SNS::Subscription
        Properties:
          TopicArn: arn:aws:sns:us-east-1:123456789012:orders
          Protocol: sqs
          Endpoint: arn:aws:sqs:us-east-1:123456789012:q
          FilterPolicyScope: MessageBody
          FilterPolicy: {"kind": ["premium"]}
    ```
    """
    ex = ctx.extracted
    if ex.kind != "sns" or ex.scope is None or ex.scope in ("MessageAttributes", "MessageBody"):
        return
    try:
        dialect_for_scope(ex.scope)
    except InvalidPatternError as err:
        f = Finding(str(err), None, None, "$", "use `MessageAttributes` (the default) or `MessageBody`")
        if ex.scope_anchor is not None:
            # point at the scope value itself, which lives outside the pattern text
            f.extracted = replace(ex, anchor=ex.scope_anchor)
        yield f
