"""E102 invalid-pattern: a pattern AWS rejects, with AWS's message."""

from __future__ import annotations

from collections.abc import Iterator

from .helpers import error_finding, limit_reason
from .pipeline import PatternContext
from .registry import Finding, rule

__all__ = ["invalid_pattern"]


@rule("E102", "invalid-pattern")
def invalid_pattern(ctx: PatternContext) -> Iterator[Finding]:
    """## What it does
    Reports a pattern AWS rejects, with AWS's own message: a value that is not in a list, an
    unknown operator, an operand of the wrong type, a malformed numeric range, a nested SNS
    attribute policy, and every other rule of the service's validator.

    ## Why is this bad?
    AWS refuses the pattern: the deploy or API call fails with this message.

    ## Example
    ```json
    {"source": "aws.ec2", "detail": {"state": ["stopped"]}}
    ```

    ## Use instead
    ```json
    {"source": ["aws.ec2"], "detail": {"state": ["stopped"]}}
    ```
    """
    err = ctx.error
    if err is None or ctx.syntax_error or limit_reason(err.reason) or ctx.extracted.kind == "subscriber":
        return  # a subscriber filter's: E107
    yield error_finding(ctx, err)
