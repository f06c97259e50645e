"""W105 key-outside-envelope: top-level keys that are not fields of the EventBridge envelope."""

from __future__ import annotations

import re
from collections.abc import Iterator

from patterns.spelling import closest_name

from ..aws import ENVELOPE
from .helpers import fields, is_eventbridge_rule, show
from .pipeline import PatternContext
from .registry import Finding, rule

__all__ = ["key_outside_envelope"]


def _envelope_guess(key: str) -> str | None:
    """The envelope field `key` near-misses: ``detailType``, ``detail_type``, ``Source``, ``regoin``."""
    normal = re.sub(r"(?<=[a-z])(?=[A-Z])", "-", key).replace("_", "-").lower()
    if normal in ENVELOPE:
        return normal
    return closest_name(normal, ENVELOPE)


@rule("W105", "key-outside-envelope")
def key_outside_envelope(ctx: PatternContext) -> Iterator[Finding]:
    """## What it does
    Checks EventBridge patterns for top-level keys that are not fields of the event envelope
    (`version`, `id`, `detail-type`, `source`, `account`, `time`, `region`, `resources`,
    `detail`, `replay-name`): `detailType`, `detail_type`, `Source`, or a `detail` field such as
    `eventName` written at the top level.

    ## Why is this bad?
    Events have no such field, so the pattern never matches; AWS accepts it silently. Terraform's
    `jsonencode` keys are HCL identifiers, which makes `detail_type` an easy slip.

    ## Example
    ```json
    {"source": ["aws.ec2"], "detail_type": ["EC2 Instance State-change Notification"]}
    ```

    ## Use instead
    ```json
    {"source": ["aws.ec2"], "detail-type": ["EC2 Instance State-change Notification"]}
    ```
    """
    if ctx.model is None or not is_eventbridge_rule(ctx):
        return
    for _, f, top in fields(ctx.model):
        if not top or f.key == "$or":
            continue
        head = f.key.split(".")[0]
        if head in ENVELOPE:
            continue
        guess = _envelope_guess(head)
        if guess is not None:
            help = f"did you mean `{guess}`?"
        else:
            help = f"fields of the event's payload live under `detail`: {show({'detail': {f.key: '...'}})}"
        yield ctx.at(
            f.span, "$", f"`{f.key}` is not a field of EventBridge events, so this never matches", help
        )
