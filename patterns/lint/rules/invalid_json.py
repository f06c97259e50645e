"""E101 invalid-json: a pattern that is not JSON text, with AWS's (Jackson's) error."""

from __future__ import annotations

from collections.abc import Iterator

from .pipeline import PatternContext
from .registry import Finding, rule

__all__ = ["invalid_json"]


@rule("E101", "invalid-json")
def invalid_json(ctx: PatternContext) -> Iterator[Finding]:
    """## What it does
    Reports a pattern that is not JSON text, with the error AWS returns (Jackson's wording).

    ## Why is this bad?
    AWS refuses the pattern: the deploy or API call fails with this message.

    ## Example
    ```json
    {"source": ["aws.ec2"],}
    ```

    ## Use instead
    ```json
    {"source": ["aws.ec2"]}
    ```
    """
    if ctx.error is not None and ctx.syntax_error:
        err = ctx.error
        yield Finding(str(err), err.offset, err.offset, err.path or "$")
