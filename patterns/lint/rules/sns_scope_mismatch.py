"""W114 sns-scope-mismatch: message-body keys in a policy that filters message attributes."""

from __future__ import annotations

from collections.abc import Iterator

from ..aws import BODY_KEYS
from .helpers import fields
from .pipeline import PatternContext
from .registry import Finding, rule

__all__ = ["sns_scope_mismatch"]


@rule("W114", "sns-scope-mismatch")
def sns_scope_mismatch(ctx: PatternContext) -> Iterator[Finding]:
    """## What it does
    Checks SNS filter policies whose keys look like fields of a message body (`detail`,
    `source`, `Records`, `NewStateValue`, ...) while the subscription filters message attributes
    (no `FilterPolicyScope`, or `MessageAttributes`).

    ## Why is this bad?
    The default scope compares message attributes; messages published by AWS services (and most
    applications) carry their data in the body, so the policy never matches.

    ## Example
    ```yaml
    Resources:
      Sub:
        Type: AWS::SNS::Subscription
        Properties:
          TopicArn: arn:aws:sns:us-east-1:123456789012:alarms
          Protocol: sqs
          Endpoint: arn:aws:sqs:us-east-1:123456789012:q
          FilterPolicy: {"NewStateValue": ["ALARM"]}
    ```

    ## Use instead
    ```yaml
    Resources:
      Sub:
        Type: AWS::SNS::Subscription
        Properties:
          TopicArn: arn:aws:sns:us-east-1:123456789012:alarms
          Protocol: sqs
          Endpoint: arn:aws:sqs:us-east-1:123456789012:q
          FilterPolicyScope: MessageBody
          FilterPolicy: {"NewStateValue": ["ALARM"]}
    ```
    """
    if ctx.model is None or ctx.extracted.dialect != "sns-attributes":
        return
    for _, f, top in fields(ctx.model):
        if top and f.key in BODY_KEYS:
            yield ctx.at(
                f.span,
                "$",
                f"`{f.key}` is a message-body field, but this policy filters message attributes",
                "set FilterPolicyScope to MessageBody to filter the body",
            )
            return
