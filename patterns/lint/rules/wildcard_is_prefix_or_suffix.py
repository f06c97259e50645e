"""W109 wildcard-is-prefix-or-suffix: a `wildcard` that is a plain `prefix` or `suffix`."""

from __future__ import annotations

from collections.abc import Iterator

from patterns.model import Wildcard

from .helpers import leaf_matchers, leaves, show
from .pipeline import PatternContext
from .registry import Finding, rule

__all__ = ["wildcard_is_prefix_or_suffix"]


@rule("W109", "wildcard-is-prefix-or-suffix")
def wildcard_is_prefix_or_suffix(ctx: PatternContext) -> Iterator[Finding]:
    """## What it does
    Checks for a `wildcard` whose only `*` is at the end or at the start: a plain `prefix` or
    `suffix`.

    ## Why is this bad?
    Wildcards cost more to match, count toward the rule-complexity limit, and are not accepted
    by EventBridge Pipes or SNS; `prefix` and `suffix` say the same thing everywhere.

    ## Example
    ```json
    {"detail": {"bucket": [{"wildcard": "logs-*"}]}}
    ```

    ## Use instead
    ```json
    {"detail": {"bucket": [{"prefix": "logs-"}]}}
    ```
    """
    if ctx.model is None:
        return
    for _, _, leaf in leaves(ctx.model):
        for i, m in leaf_matchers(leaf):
            if not isinstance(m, Wildcard) or "\\" in m.value or m.value.count("*") != 1 or m.value == "*":
                continue
            if m.value.endswith("*"):
                better = {"prefix": m.value[:-1]}
            elif m.value.startswith("*"):
                better = {"suffix": m.value[1:]}
            else:
                continue
            yield ctx.at(
                m.span,
                f"{leaf.json_path}[{i}]",
                f"wildcard `{m.value}` is a plain {next(iter(better))}",
                f"use {show(better)}",
            )
