"""W106 or-read-as-field: a `$or` key AWS reads as a field name."""

from __future__ import annotations

from collections.abc import Iterator

from .helpers import fields
from .pipeline import PatternContext
from .registry import Finding, rule

__all__ = ["or_read_as_field"]


@rule("W106", "or-read-as-field")
def or_read_as_field(ctx: PatternContext) -> Iterator[Finding]:
    """## What it does
    Checks for a `$or` key that AWS reads as an ordinary field name: its value is not an array
    of at least two objects, or one of those objects names an operator (`prefix`, `numeric`, ...)
    as a field.

    ## Why is this bad?
    Events have no field called `$or`, so the condition never holds and the pattern never
    matches. AWS does not warn.

    ## Example
    ```json
    {"source": ["aws.s3"], "detail": {"key": {"$or": [{"prefix": "logs/"}, {"suffix": ".log"}]}}}
    ```

    ## Use instead
    ```json
    {"source": ["aws.s3"], "detail": {"key": [{"prefix": "logs/"}, {"suffix": ".log"}]}}
    ```
    """
    if ctx.model is None:
        return
    for path, f, _ in fields(ctx.model):
        if f.key == "$or":
            yield ctx.at(
                f.span,
                "$",
                f"`$or` is read as a field name here (`{path}`), so this condition never holds",
                "`$or` needs an array of two or more pattern objects, none of them naming an operator as a field",
            )
