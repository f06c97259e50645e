"""W123 metadata-filter-on-put-events: a METADATA filter beside filters that read the PutEvents envelope."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from .helpers import branch_leaves
from .mixed_event_shapes import envelope_key
from .pipeline import PatternContext
from .registry import Finding, rule

__all__ = ["metadata_filter_on_put_events"]


@rule("W123", "metadata-filter-on-put-events", scope="group")
def metadata_filter_on_put_events(contexts: list[PatternContext]) -> Iterator[Finding]:
    """## What it does
    Checks a Custom Event Bus subscriber with a `METADATA` filter whose `DATA` filters read the
    `PutEvents` envelope (`source`, `detail-type` or `detail` at the top level).

    ## Why is this bad?
    Metadata is what a `PutRawEvents` publisher sends beside the data; a `PutEvents` event has
    none, so a `METADATA` filter never matches it ("Filtering events for a subscriber"). The
    `DATA` filter expects `PutEvents` events, the `METADATA` filter `PutRawEvents` events: the
    subscriber's filters AND, and it receives nothing. CreateSubscriber accepts it.

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
              - Scope: DATA
                Pattern: '{"detail": {"status": ["PLACED"]}}'
              - Scope: METADATA
                Pattern: '{"tenant": ["acme"]}'
    ```

    ## Use instead
    With PutEvents, filter on a field of the event (here `detail.tenant`); keep `METADATA`
    filters for PutRawEvents publishers.

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
              - Scope: DATA
                Pattern: '{"detail": {"status": ["PLACED"], "tenant": ["acme"]}}'
    ```
    """
    members = [c for c in contexts if c.extracted.kind == "subscriber"]
    envelope = None
    for c in members:
        if c.extracted.scope == "DATA" and c.model is not None:
            # every branch needs an envelope key: the filter matches PutEvents events only
            keys = [envelope_key(b) for b in branch_leaves(c.model)]
            if keys and all(k is not None for k in keys):
                envelope = (c, str(keys[0]))
                break
    if envelope is None:
        return
    reader, key = envelope
    index = reader.extracted.filter_position[0] if reader.extracted.filter_position else "?"
    for c in members:
        ex = c.extracted
        if ex.scope != "METADATA":
            continue
        yield Finding(
            f"A PutEvents event has no Metadata, and filter {index} reads the PutEvents envelope "
            f"(`{key}`): this METADATA filter never matches the events the subscriber expects",
            None,
            None,
            "$",
            "filter a field of the event's data instead",
            extracted=replace(ex, anchor=ex.scope_anchor) if ex.scope_anchor is not None else ex,
        )
