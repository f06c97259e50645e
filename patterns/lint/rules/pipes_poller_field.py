"""W116 pipes-poller-field: a Pipes filter on fields the poller adds after filtering."""

from __future__ import annotations

from collections.abc import Iterator

from ..aws import NATIVE_FIELDS, POLLER_FIELDS
from .helpers import fields
from .pipeline import PatternContext
from .registry import Finding, rule

__all__ = ["pipes_poller_field"]


@rule("W116", "pipes-poller-field")
def pipes_poller_field(ctx: PatternContext) -> Iterator[Finding]:
    """## What it does
    Checks EventBridge Pipes filters on fields the Pipes poller adds to each record
    (`awsRegion`, `eventSource`, `eventSourceARN`, `eventVersion`, `eventID`, `eventName`,
    `invokeIdentityArn`, `eventSourceKey`), except those the source's own records carry
    (DynamoDB stream records have `eventName`, `eventID`, `eventSource`, ...).

    ## Why is this bad?
    Pipes filter the record before those fields are added, so the condition never holds and
    every record is dropped.

    ## Example
    ```yaml
    Resources:
      Pipe:
        Type: AWS::Pipes::Pipe
        Properties:
          RoleArn: arn:aws:iam::123456789012:role/p
          Source: arn:aws:sqs:us-east-1:123456789012:orders
          Target: arn:aws:sqs:us-east-1:123456789012:q
          SourceParameters:
            FilterCriteria:
              Filters:
                - Pattern: '{"eventSourceARN": ["arn:aws:sqs:us-east-1:123456789012:orders"]}'
    ```

    ## Use instead
    ```yaml
    Resources:
      Pipe:
        Type: AWS::Pipes::Pipe
        Properties:
          RoleArn: arn:aws:iam::123456789012:role/p
          Source: arn:aws:sqs:us-east-1:123456789012:orders
          Target: arn:aws:sqs:us-east-1:123456789012:q
          SourceParameters:
            FilterCriteria:
              Filters:
                - Pattern: '{"body": {"kind": ["order"]}}'
    ```
    """
    kind = ctx.extracted.source_kind
    if ctx.model is None or ctx.extracted.kind != "pipe" or kind is None:
        return
    added = POLLER_FIELDS - NATIVE_FIELDS.get(kind, frozenset())
    for _, f, top in fields(ctx.model):
        if top and f.key in added:
            yield ctx.at(
                f.span,
                "$",
                f"`{f.key}` is added by the Pipes poller after filtering; a Pipes filter never sees it",
                "filter on the record's own fields",
            )
