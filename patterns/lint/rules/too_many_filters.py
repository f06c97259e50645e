"""E106 too-many-filters: a Pipes `FilterCriteria` with more filters than Pipes allows."""

from __future__ import annotations

from collections.abc import Iterator

from .helpers import over_filter_limit
from .pipeline import PatternContext
from .registry import Finding, rule

__all__ = ["too_many_filters"]


@rule("E106", "too-many-filters")
def too_many_filters(ctx: PatternContext) -> Iterator[Finding]:
    """## What it does
    Reports an EventBridge Pipes `FilterCriteria` with more than 5 filters, with the API's
    validation message.

    ## Why is this bad?
    CreatePipe and UpdatePipe refuse it; the limit cannot be raised.

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
              Filters: [{Pattern: '{"body": {"kind": ["a"]}}'}, {Pattern: '{"body": {"kind": ["b"]}}'}, {Pattern: '{"body": {"kind": ["c"]}}'}, {Pattern: '{"body": {"kind": ["d"]}}'}, {Pattern: '{"body": {"kind": ["e"]}}'}, {Pattern: '{"body": {"kind": ["f"]}}'}]
    ```

    ## Use instead
    Merge filters (they are OR'ed anyway) into fewer: several values in one list, or `$or`.

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
              Filters: [{Pattern: '{"body": {"kind": ["a", "b", "c", "d", "e", "f"]}}'}]
    ```
    """
    if ctx.extracted.kind != "pipe":
        return
    limit = getattr(ctx.dialect, "max_filters_quota", None) or 5
    finding = over_filter_limit(ctx, limit)
    if finding is not None:
        finding.message = (
            "1 validation error detected: Value at 'sourceParameters.filterCriteria.filters' failed to "
            f"satisfy constraint: Member must have length less than or equal to {limit}"
        )
        finding.help = f"this FilterCriteria has {ctx.extracted.filter_position[1]} filters"  # type: ignore[index]
        yield finding
