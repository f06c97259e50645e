"""W108 duplicate-value: the same value or operator twice in one value list."""

from __future__ import annotations

from collections.abc import Iterator

from patterns.model import Matcher

from .helpers import leaf_matchers, leaves, show
from .pipeline import PatternContext
from .registry import Finding, rule

__all__ = ["duplicate_value"]


@rule("W108", "duplicate-value")
def duplicate_value(ctx: PatternContext) -> Iterator[Finding]:
    """## What it does
    Checks for the same value or operator twice in one value list.

    ## Why is this bad?
    It changes nothing, so it usually hides a typo: the second entry was meant to be another
    value. In SNS policies every value also counts toward the 150-combination limit.

    ## Example
    ```json
    {"detail": {"state": ["stopped", "stopped"]}}
    ```

    ## Use instead
    ```json
    {"detail": {"state": ["stopped", "terminated"]}}
    ```
    """
    if ctx.model is None:
        return
    for path, _, leaf in leaves(ctx.model):
        seen: list[Matcher] = []
        for i, m in leaf_matchers(leaf):
            if m in seen:
                yield ctx.at(
                    m.span,
                    f"{leaf.json_path}[{i}]",
                    f"{show(m.to_json())} is already in the list of `{path}`",
                    "remove it, or write the value that was meant",
                )
            else:
                seen.append(m)
