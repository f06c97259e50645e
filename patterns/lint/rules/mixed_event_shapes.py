"""W122 mixed-event-shapes: a subscriber DATA filter reading both the PutEvents envelope and a raw payload."""

from __future__ import annotations

from collections.abc import Iterator

from ..aws import ENVELOPE
from .helpers import fields
from .pipeline import PatternContext, key_path
from .registry import Finding, rule

__all__ = ["PUT_EVENTS_KEYS", "mixed_event_shapes"]

#: The envelope keys only an event published with PutEvents has in its Data (a PutRawEvents
#: payload is the data as sent: "Event structure: data, metadata, and system metadata").
PUT_EVENTS_KEYS = frozenset({"source", "detail-type", "detail"})


@rule("W122", "mixed-event-shapes")
def mixed_event_shapes(ctx: PatternContext) -> Iterator[Finding]:
    """## What it does
    Checks a Custom Event Bus subscriber's `DATA` filter whose top-level keys mix the
    `PutEvents` envelope (`source`, `detail-type`, `detail`) with keys that are not envelope
    fields (the payload's own, as a `PutRawEvents` event carries it).

    ## Why is this bad?
    A `PutEvents` event's data is the envelope, with the payload under `detail`; a
    `PutRawEvents` event's data is the payload as sent, without the envelope. A filter that needs
    both shapes at once matches neither, and the subscriber receives nothing. CreateSubscriber
    accepts it.

    ## Example
    ```yaml
    Resources:
      Subscriber:
        Type: AWS::EventsV2::Subscriber
        Properties:
          Name: placed-orders
          EventBusArn: arn:aws:events:us-east-1:123456789012:event-busv2/orders/1
          InvokeConfiguration: {TargetArn: arn:aws:sqs:us-east-1:123456789012:q, RoleArn: arn:aws:iam::123456789012:role/r}
          FilterConfiguration:
            Filters:
              - Scope: DATA
                Pattern: '{"source": ["orders"], "status": ["PLACED"]}'
    ```

    ## Use instead
    For events published with PutEvents, the payload under `detail`:

    ```yaml
    Resources:
      Subscriber:
        Type: AWS::EventsV2::Subscriber
        Properties:
          Name: placed-orders
          EventBusArn: arn:aws:events:us-east-1:123456789012:event-busv2/orders/1
          InvokeConfiguration: {TargetArn: arn:aws:sqs:us-east-1:123456789012:q, RoleArn: arn:aws:iam::123456789012:role/r}
          FilterConfiguration:
            Filters:
              - Scope: DATA
                Pattern: '{"source": ["orders"], "detail": {"status": ["PLACED"]}}'
    ```
    """
    ex = ctx.extracted
    if ctx.model is None or ex.kind != "subscriber" or ex.scope != "DATA":
        return
    top = [f for _, f, is_top in fields(ctx.model) if is_top]
    envelope = next((f.key for f in top if f.key in PUT_EVENTS_KEYS), None)
    payload = next((f for f in top if f.key not in ENVELOPE), None)
    if envelope is None or payload is None:
        return
    yield ctx.at(
        payload.span,
        key_path("$", payload.key),
        f"`{payload.key}` is not an envelope field, but `{envelope}` reads the PutEvents envelope: "
        "no event's data has both",
        f"PutEvents: move `{payload.key}` under `detail`; PutRawEvents: drop `{envelope}`",
    )
