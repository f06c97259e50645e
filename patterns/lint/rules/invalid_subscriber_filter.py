"""E107 invalid-subscriber-filter: a Custom Event Bus subscriber filter `SubscriberFilter` refuses."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from patterns.errors import InvalidPatternError
from patterns.subscribers import SCOPE_DIALECTS, SubscriberFilter

from .helpers import error_finding, pattern_size
from .pipeline import PatternContext
from .registry import Finding, rule

__all__ = ["VALID_FILTER", "configuration_error", "invalid_subscriber_filter"]

# SubscriberFilter's length message (patterns.dialects.check_pattern_length): its limit and count.
_TOO_LONG = re.compile(r"at most (\d+) characters, got (\d+)$")

#: A filter every scope accepts, standing for the filters a message is not about.
VALID_FILTER = {"Scope": "DATA", "Pattern": '{"a": ["b"]}'}


def configuration_error(filters: list[dict[str, Any]]) -> str | None:
    """`patterns.SubscriberFilter`'s message for a ``Filters`` list, None when it accepts it."""
    try:
        SubscriberFilter({"Filters": filters})
    except InvalidPatternError as err:
        return str(err)
    return None


@rule("E107", "invalid-subscriber-filter")
def invalid_subscriber_filter(ctx: PatternContext) -> Iterator[Finding]:
    """## What it does
    Reports a filter of a Custom Event Bus subscriber (`AWS::EventsV2::Subscriber`
    `FilterConfiguration.Filters[]`, Terraform's `awscc_eventsv2_subscriber`) that
    CreateSubscriber refuses, with the message of
    `patterns.SubscriberFilter`: a `wildcard` in any scope, an operator, `$or` or a nested object
    in a `METADATA` filter (exact values only), a pattern over 4,096 characters or over the
    limits EventBridge patterns have, and a `Scope` other than `DATA`, `METADATA` and
    `SYSTEM_METADATA`.

    ## Why is this bad?
    The stack fails to deploy. Subscriber filters are EventBridge patterns with fewer operators,
    so a pattern copied from a rule can be refused.

    ## Example
    ```yaml
    Resources:
      Subscriber:
        Type: AWS::EventsV2::Subscriber
        Properties:
          Name: acme-orders
          EventBusArn: arn:aws:events:us-east-1:123456789012:event-busv2/orders/1
          InvokeConfiguration: {TargetArn: arn:aws:sqs:us-east-1:123456789012:q, RoleArn: arn:aws:iam::123456789012:role/r}
          FilterConfiguration:
            Filters:
              - Scope: METADATA
                Pattern: '{"tenant": [{"prefix": "acme"}]}'
    ```

    ## Use instead
    List the exact values (`METADATA` filters match nothing else), or filter the data instead.

    ```yaml
    Resources:
      Subscriber:
        Type: AWS::EventsV2::Subscriber
        Properties:
          Name: acme-orders
          EventBusArn: arn:aws:events:us-east-1:123456789012:event-busv2/orders/1
          InvokeConfiguration: {TargetArn: arn:aws:sqs:us-east-1:123456789012:q, RoleArn: arn:aws:iam::123456789012:role/r}
          FilterConfiguration:
            Filters:
              - Scope: METADATA
                Pattern: '{"tenant": ["acme", "acme-eu"]}'
    ```
    """
    ex = ctx.extracted
    if ex.kind != "subscriber" or ex.filter_position is None:
        return
    index = ex.filter_position[0]
    if ex.scope != "?" and ex.scope not in SCOPE_DIALECTS:
        entry: dict[str, Any] = (
            {"Pattern": VALID_FILTER["Pattern"]}
            if ex.scope is None
            else {"Scope": ex.scope, "Pattern": VALID_FILTER["Pattern"]}
        )
        message = configuration_error([VALID_FILTER] * index + [entry])
        if message is not None:
            f = Finding(
                message, None, None, "$", "a Scope is one of `DATA`, `METADATA` and `SYSTEM_METADATA`"
            )
            if ex.scope_anchor is not None:
                f.extracted = replace(ex, anchor=ex.scope_anchor)  # the scope lives outside the pattern
            yield f
            return
    if ctx.error is None or ctx.syntax_error:
        return
    # The pattern was compiled in its scope's dialect, as SubscriberFilter compiles it
    # (patterns.subscribers.SCOPE_DIALECTS): the message is SubscriberFilter's.
    finding = error_finding(ctx, ctx.error)
    too_long = _TOO_LONG.search(finding.message)
    if too_long is not None and ex.unknowns:
        # the length counted template values as written: count them at their shortest instead
        measured = pattern_size(ctx)
        if measured is None or measured[0] <= int(too_long.group(1)):
            return
        finding.message = finding.message[: too_long.start(2)] + f"at least {measured[0]}"
        finding.help = "template values counted at their shortest"
    yield finding
