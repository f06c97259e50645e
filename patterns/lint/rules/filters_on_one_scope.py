"""W126 filters-on-one-scope: two filters of one subscriber on the same scope."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from .pipeline import PatternContext
from .registry import Finding, rule

__all__ = ["filters_on_one_scope"]


@rule("W126", "filters-on-one-scope", scope="group")
def filters_on_one_scope(contexts: list[PatternContext]) -> Iterator[Finding]:
    """## What it does
    Checks a Custom Event Bus subscriber with more than one filter on the same `Scope`
    (reported once per scope, on its second filter).

    ## Why is this bad?
    AWS's pages disagree: the user guide's "Subscribing to events on a Custom Event Bus" says
    "You can have at most one filter per scope", while the `FilterConfiguration` API reference
    (and the CloudFormation and CDK references) allow 1 to 50 filters, ANDed, and say nothing of
    scopes. `patterns` follows the API reference (docs/bus.md), but CreateSubscriber may refuse
    the configuration, and one pattern per scope says the same thing anyway.

    ## Example
    ```yaml
    Resources:
      Subscriber:
        Type: AWS::EventsV2::Subscriber
        Properties:
          Name: large-eu-orders
          EventBusArn: arn:aws:events:us-east-1:123456789012:event-busv2/orders/1
          InvokeConfiguration: {TargetArn: arn:aws:sqs:us-east-1:123456789012:q, RoleArn: arn:aws:iam::123456789012:role/r}
          FilterConfiguration:
            Filters:
              - Scope: DATA
                Pattern: '{"total": [{"numeric": [">", 500]}]}'
              - Scope: DATA
                Pattern: '{"region": ["eu"]}'
    ```

    ## Use instead
    One pattern per scope: its fields AND as the filters did.

    ```yaml
    Resources:
      Subscriber:
        Type: AWS::EventsV2::Subscriber
        Properties:
          Name: large-eu-orders
          EventBusArn: arn:aws:events:us-east-1:123456789012:event-busv2/orders/1
          InvokeConfiguration: {TargetArn: arn:aws:sqs:us-east-1:123456789012:q, RoleArn: arn:aws:iam::123456789012:role/r}
          FilterConfiguration:
            Filters:
              - Scope: DATA
                Pattern: '{"total": [{"numeric": [">", 500]}], "region": ["eu"]}'
    ```
    """
    by_scope: dict[str, list[PatternContext]] = {}
    for ctx in contexts:
        ex = ctx.extracted
        if ex.kind == "subscriber" and ex.scope not in (None, "?") and ex.filter_position is not None:
            by_scope.setdefault(str(ex.scope), []).append(ctx)
    for scope, members in by_scope.items():
        if len(members) < 2:
            continue
        first = members[0].extracted.filter_position[0]  # type: ignore[index]
        ex = members[1].extracted
        yield Finding(
            f"{len(members)} filters read {scope}: the user guide allows at most one filter per "
            "scope (the API reference allows 50 filters)",
            None,
            None,
            "$",
            f"merge the {scope} patterns into filter {first}",
            extracted=replace(ex, anchor=ex.scope_anchor) if ex.scope_anchor is not None else ex,
        )
