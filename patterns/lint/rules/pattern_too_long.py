"""E105 pattern-too-long: a pattern longer than the API's 4,096 characters."""

from __future__ import annotations

from collections.abc import Iterator

from ..aws import MAX_PATTERN_LENGTH
from .helpers import pattern_size
from .pipeline import PatternContext
from .registry import Finding, rule

__all__ = ["pattern_too_long"]


@rule("E105", "pattern-too-long")
def pattern_too_long(ctx: PatternContext) -> Iterator[Finding]:
    """## What it does
    Reports an EventBridge, Lambda or Pipes pattern longer than 4,096 characters, the API's limit
    on the field, with the API's validation message.

    ## Why is this bad?
    The API call (PutRule, CreateEventSourceMapping, CreatePipe) fails; no quota increase lifts
    this limit.

    ## Example
    A pattern listing hundreds of account ids in one value list.

    ## Use instead
    Split the rule, or match a shared prefix (`{"prefix": "..."}`) instead of listing every value.
    """
    if ctx.extracted.dialect.startswith("sns") or ctx.extracted.kind == "subscriber":  # E107 for subscribers
        return
    measured = pattern_size(ctx)
    if measured is not None and measured[0] > MAX_PATTERN_LENGTH:
        size, exact = measured
        field_name = "eventPattern" if ctx.extracted.kind in ("rule", "raw", "archive") else "pattern"
        yield Finding(
            f"1 validation error detected: Value at '{field_name}' failed to satisfy constraint: "
            f"Member must have length less than or equal to {MAX_PATTERN_LENGTH}",
            None,
            None,
            "$",
            f"the pattern is {size} characters long"
            if exact
            else f"the pattern is at least {size} characters long (template values counted at their shortest)",
        )
