"""W121 filters-over-default-quota: a Lambda event source mapping over Lambda's default filter quota."""

from __future__ import annotations

from collections.abc import Iterator

from .helpers import over_filter_limit
from .pipeline import PatternContext
from .registry import Finding, rule

__all__ = ["filters_over_default_quota"]


@rule("W121", "filters-over-default-quota")
def filters_over_default_quota(ctx: PatternContext) -> Iterator[Finding]:
    """## What it does
    Checks Lambda event source mappings with more than 5 filters, Lambda's default quota
    (adjustable up to 10).

    ## Why is this bad?
    The mapping fails to deploy in every account that has not raised the quota.

    ## Example
    ```yaml
    Resources:
      Mapping:
        Type: AWS::Lambda::EventSourceMapping
        Properties:
          FunctionName: worker
          EventSourceArn: arn:aws:sqs:us-east-1:123456789012:orders
          FilterCriteria:
            Filters: [{Pattern: '{"body": {"kind": ["a"]}}'}, {Pattern: '{"body": {"kind": ["b"]}}'}, {Pattern: '{"body": {"kind": ["c"]}}'}, {Pattern: '{"body": {"kind": ["d"]}}'}, {Pattern: '{"body": {"kind": ["e"]}}'}, {Pattern: '{"body": {"kind": ["f"]}}'}]
    ```

    ## Use instead
    Merge filters (they are OR'ed anyway) into fewer: several values in one list, or `$or`.

    ```yaml
    Resources:
      Mapping:
        Type: AWS::Lambda::EventSourceMapping
        Properties:
          FunctionName: worker
          EventSourceArn: arn:aws:sqs:us-east-1:123456789012:orders
          FilterCriteria:
            Filters: [{Pattern: '{"body": {"kind": ["a", "b", "c", "d", "e", "f"]}}'}]
    ```
    """
    if ctx.extracted.kind != "esm":
        return
    limit = getattr(ctx.dialect, "max_filters", None) or 5
    finding = over_filter_limit(ctx, limit)
    if finding is not None:
        count = ctx.extracted.filter_position[1]  # type: ignore[index]
        finding.message = f"{count} filters in one event source mapping; Lambda's default quota is {limit} (at most 10 when raised)"
        yield finding
