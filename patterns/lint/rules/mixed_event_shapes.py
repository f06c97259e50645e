"""W122 mixed-event-shapes: a subscriber DATA filter reading both the PutEvents envelope and a raw payload."""

from __future__ import annotations

from collections.abc import Iterator

from patterns.model import Leaf, Obj

from ..aws import ENVELOPE
from .helpers import branch_leaves, fields, only_absent
from .pipeline import PatternContext, key_path
from .registry import Finding, rule

__all__ = ["PUT_EVENTS_KEYS", "envelope_key", "mixed_event_shapes"]

#: The envelope keys only an event published with PutEvents has in its Data (a PutRawEvents
#: payload is the data as sent: "Event structure: data, metadata, and system metadata").
PUT_EVENTS_KEYS = frozenset({"source", "detail-type", "detail"})


def envelope_key(branch: list[tuple[tuple[str, ...], Leaf]]) -> str | None:
    """The PutEvents envelope key one branch of a DATA pattern needs present, or None."""
    for keys, leaf in branch:
        if keys[0] in PUT_EVENTS_KEYS and not only_absent(leaf):
            return keys[0]
    return None


def _mixed(model: Obj) -> tuple[str, str] | None:
    """(envelope key, payload key) of the first branch that needs both, or None."""
    for branch in branch_leaves(model):
        envelope = envelope_key(branch)
        payload = next((keys[0] for keys, _ in branch if keys[0] not in ENVELOPE), None)
        if envelope is not None and payload is not None:
            return envelope, payload
    return None


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
    mixed = _mixed(ctx.model)
    if mixed is None:
        return
    envelope, key = mixed
    payload = next(f for _, f, top in fields(ctx.model) if top and f.key == key)
    yield ctx.at(
        payload.span,
        key_path("$", payload.key),
        f"`{payload.key}` is not an envelope field, but `{envelope}` reads the PutEvents envelope: "
        "no event's data has both",
        f"PutEvents: move `{payload.key}` under `detail`; PutRawEvents: drop `{envelope}`",
    )
