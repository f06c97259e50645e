"""W111 near-limit: a pattern within 20% of a limit AWS enforces."""

from __future__ import annotations

from collections.abc import Iterator

from patterns.model import Wildcard, count_branches
from patterns.sns import combinations
from patterns.wildcards import complexity

from .helpers import leaves
from .pipeline import PatternContext, unknown_spellings
from .registry import Finding, rule

__all__ = ["near_limit"]


def _near(value: int, limit: int) -> bool:
    return value > limit * 0.8


@rule("W111", "near-limit")
def near_limit(ctx: PatternContext) -> Iterator[Finding]:
    """## What it does
    Checks for patterns within 20% of a limit AWS enforces: `$or` combinations (1,000 on
    EventBridge), SNS combinations (150), wildcard complexity.

    ## Why is this bad?
    The next small edit (one more value, one more `$or` branch) makes the deploy fail, in a
    change that looks harmless in review.

    ## Example
    ```json sns-attributes
    {"a": ["1", "2", "3", "4", "5"], "b": ["1", "2", "3", "4", "5"], "c": ["1", "2", "3", "4", "5"]}
    ```

    ## Use instead
    ```json sns-attributes
    {"a": ["1", "2", "3", "4", "5"], "b": ["1", "2", "3", "4", "5"], "c": [{"prefix": "x"}]}
    ```
    """
    if ctx.model is None:
        return
    d = ctx.dialect
    # a template value written as a list may hold several values: the counts are then lower bounds
    least = "at least " if any(form == "list" for _, _, form in unknown_spellings(ctx)) else ""
    if d.max_or_combinations is not None:
        n = count_branches(ctx.model)
        if _near(n, d.max_or_combinations):
            yield Finding(
                f"`$or` expands to {least}{n} combinations; AWS refuses more than {d.max_or_combinations}"
            )
    if d.max_combinations is not None and (ctx.model.fields or ctx.model.ors):
        n = combinations(ctx.model)
        if _near(n, d.max_combinations):
            yield Finding(
                f"the policy counts {least}{n} combinations; SNS refuses more than {d.max_combinations}"
            )
    cap = d.wildcard_max_complexity
    if cap is not None:
        for path, _, leaf in leaves(ctx.model):
            operands = [m.value for m in leaf.matchers if isinstance(m, Wildcard)]
            if operands:
                n = complexity(operands)
                if _near(n, cap):
                    yield ctx.at(
                        leaf.span,
                        leaf.json_path,
                        f"wildcards on `{path}` are close to AWS's complexity limit ({n} of {cap})",
                        "use fewer `*`, or prefix/suffix where they suffice",
                    )
