"""W103 numeric-on-string-field: number conditions on fields that arrive as strings."""

from __future__ import annotations

from collections.abc import Iterator

from patterns.model import AnythingBut, Matcher, NumberEquals, Numeric

from ..aws import ENVELOPE_STRINGS, STRING_FIELDS
from .helpers import is_eventbridge_rule, leaf_matchers, leaves
from .pipeline import PatternContext
from .registry import Finding, rule

__all__ = ["numeric_on_string_field"]


def _number_matcher(m: Matcher) -> bool:
    return isinstance(m, (Numeric, NumberEquals)) or (
        isinstance(m, AnythingBut) and m.kind == "values" and any(isinstance(v, float) for v in m.values)
    )


def _known_string_field(ctx: PatternContext, path: str) -> str | None:
    """Why the field at `path` always holds strings, or None when nothing says so."""
    ex = ctx.extracted
    if is_eventbridge_rule(ctx) and path in ENVELOPE_STRINGS:
        return f"`{path}` is always a string in EventBridge events"
    if ex.source_kind in STRING_FIELDS:
        where, why = STRING_FIELDS[ex.source_kind]
        if where.fullmatch(path):
            return why
    return None


@rule("W103", "numeric-on-string-field")
def numeric_on_string_field(ctx: PatternContext) -> Iterator[Finding]:
    """## What it does
    Checks for number conditions (`numeric`, number values, `anything-but` numbers) on fields
    that arrive as strings: EventBridge envelope fields, DynamoDB `N` attribute values (numbers
    sent as strings), SQS record attributes.

    ## Why is this bad?
    Numbers never equal strings: `{"numeric": [">", 5]}` does not match `"7"`, so the condition
    never holds (or, for `anything-but`, never excludes).

    ## Example
    ```yaml
    Resources:
      Mapping:
        Type: AWS::Lambda::EventSourceMapping
        Properties:
          FunctionName: f
          EventSourceArn: arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/1
          FilterCriteria:
            Filters:
              - Pattern: '{"dynamodb": {"NewImage": {"qty": {"N": [{"numeric": [">", 5]}]}}}}'
    ```

    ## Use instead
    ```yaml
    Resources:
      Mapping:
        Type: AWS::Lambda::EventSourceMapping
        Properties:
          FunctionName: f
          EventSourceArn: arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/1
          FilterCriteria:
            Filters:
              - Pattern: '{"dynamodb": {"NewImage": {"qty": {"N": [{"anything-but": ["0", "1", "2", "3", "4", "5"]}]}}}}'
    ```
    """
    if ctx.model is None:
        return
    for path, _, leaf in leaves(ctx.model):
        why = _known_string_field(ctx, path)
        if why is None:
            continue
        for i, m in leaf_matchers(leaf):
            if _number_matcher(m):
                yield ctx.at(
                    m.span,
                    f"{leaf.json_path}[{i}]",
                    f"number condition on `{path}` never holds: {why}",
                    "compare strings (exact values, prefix) instead",
                )
