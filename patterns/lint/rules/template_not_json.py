"""W125 template-not-json: an input template that looks like JSON and is not JSON once filled."""

from __future__ import annotations

import json
from collections.abc import Iterator

from patterns.transform import template_placeholders

from .pipeline import PatternContext
from .registry import Finding, rule

__all__ = ["template_not_json"]

#: What each placeholder is filled with to read the template's own syntax: any JSON value where a
#: value stands (AWS writes every value as JSON there), plain letters inside a string.
_FILL = {"value": "null", "json-string": "x"}


@rule("W125", "template-not-json", scope="transformer")
def template_not_json(ctx: PatternContext) -> Iterator[Finding]:
    """## What it does
    Checks a rule target's `InputTemplate` that starts with `{` or `[` (so EventBridge reads it
    as JSON) and is not JSON once its placeholders are filled, whatever the event holds: a
    trailing comma, a key without quotation marks, single quotes, a missing bracket.

    ## Why is this bad?
    PutTargets accepts the template, but EventBridge cannot deliver the filled text: every
    matching event fails at the target (to its dead-letter queue, if it has one) and the target
    receives nothing.

    ## Example
    ```yaml
    Resources:
      Rule:
        Type: AWS::Events::Rule
        Properties:
          EventPattern: {"source": ["aws.ec2"]}
          Targets:
            - Id: queue
              Arn: arn:aws:sqs:us-east-1:123456789012:q
              InputTransformer:
                InputPathsMap: {instance: "$.detail.instance-id"}
                InputTemplate: '{"instance": <instance>,}'
    ```

    ## Use instead
    ```yaml
    Resources:
      Rule:
        Type: AWS::Events::Rule
        Properties:
          EventPattern: {"source": ["aws.ec2"]}
          Targets:
            - Id: queue
              Arn: arn:aws:sqs:us-east-1:123456789012:q
              InputTransformer:
                InputPathsMap: {instance: "$.detail.instance-id"}
                InputTemplate: '{"instance": <instance>}'
    ```
    """
    ex = ctx.extracted
    info = ex.transformer
    if info is None or not info.template_known:
        return
    is_json, slots = template_placeholders(ex.text)
    if not is_json:
        return
    # The filled text, and for each of its characters the template offset it came from.
    parts: list[str] = []
    origin: list[int] = []
    pos = 0
    for start, end, _, where in slots:
        parts.append(ex.text[pos:start])
        origin.extend(range(pos, start))
        fill = _FILL.get(where, "x")
        parts.append(fill)
        origin.extend([start] * len(fill))
        pos = end
    parts.append(ex.text[pos:])
    origin.extend(range(pos, len(ex.text)))
    filled = "".join(parts)
    try:
        json.loads(filled)
    except json.JSONDecodeError as exc:
        at = origin[exc.pos] if exc.pos < len(origin) else len(ex.text) - 1
        yield Finding(
            f"The template starts like JSON but is not JSON once filled ({exc.msg}): EventBridge "
            "does not deliver the event",
            at,
            at + 1,
            "$",
            "fix the template's JSON, or start it with a quotation mark to send plain text",
        )
