"""W110 catch-all-string-match: string operators that match every string."""

from __future__ import annotations

from collections.abc import Iterator

from patterns.model import Prefix, Suffix, Wildcard

from .helpers import leaf_matchers, leaves, show
from .pipeline import PatternContext
from .registry import Finding, rule

__all__ = ["catch_all_string_match"]


@rule("W110", "catch-all-string-match")
def catch_all_string_match(ctx: PatternContext) -> Iterator[Finding]:
    """## What it does
    Checks for `{"prefix": ""}`, `{"suffix": ""}` and `{"wildcard": "*"}`, which match every
    string.

    ## Why is this bad?
    They read as a filter but filter nothing (among strings): usually a template value that came
    out empty, or a catch-all that sends every event to the target (cost, loops).

    ## Example
    ```json
    {"source": ["aws.s3"], "detail": {"object": {"key": [{"prefix": ""}]}}}
    ```

    ## Use instead
    ```json
    {"source": ["aws.s3"], "detail": {"object": {"key": [{"prefix": "uploads/"}]}}}
    ```
    """
    if ctx.model is None:
        return
    for path, _, leaf in leaves(ctx.model):
        for i, m in leaf_matchers(leaf):
            if (isinstance(m, (Prefix, Suffix)) and m.value == "") or (
                isinstance(m, Wildcard) and m.value == "*"
            ):
                yield ctx.at(
                    m.span,
                    f"{leaf.json_path}[{i}]",
                    f"{show(m.to_json())} matches every string value of `{path}`",
                    'write the intended prefix, or `{"exists": true}` if any value will do',
                )
