"""E103 pattern-over-limit: a pattern beyond a limit AWS enforces, with AWS's message."""

from __future__ import annotations

from collections.abc import Iterator

from .helpers import error_finding, limit_reason
from .pipeline import PatternContext
from .registry import Finding, rule

__all__ = ["pattern_over_limit"]


@rule("E103", "pattern-over-limit")
def pattern_over_limit(ctx: PatternContext) -> Iterator[Finding]:
    """## What it does
    Reports a pattern beyond a service limit AWS enforces, with AWS's message: more than 1,000
    `$or` combinations (EventBridge), wildcards too complex to compile, an SNS policy with more
    than 150 combinations or more than 5 keys.

    ## Why is this bad?
    AWS refuses the pattern: the deploy or API call fails with this message.

    ## Example
    ```json sns-attributes
    {"a": ["1"], "b": ["1"], "c": ["1"], "d": ["1"], "e": ["1"], "f": ["1"]}
    ```

    ## Use instead
    ```json sns-attributes
    {"a": ["1"], "b": ["1"], "c": ["1"], "d": ["1"], "e": ["1"]}
    ```
    """
    err = ctx.error
    if err is None or ctx.syntax_error or not limit_reason(err.reason) or ctx.extracted.kind == "subscriber":
        return  # a subscriber filter's: E107
    yield error_finding(ctx, err)
