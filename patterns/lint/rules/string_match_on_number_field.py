"""W104 string-match-on-number-field: string operators on fields that carry numbers."""

from __future__ import annotations

from collections.abc import Iterator

from patterns.model import (
    Cidr,
    Equals,
    EqualsIgnoreCase,
    Matcher,
    NumberEquals,
    Numeric,
    Prefix,
    Suffix,
    Wildcard,
)

from ..aws import NUMBER_FIELDS
from .helpers import leaf_matchers, leaves
from .pipeline import PatternContext
from .registry import Finding, rule

__all__ = ["string_match_on_number_field"]


def _string_matcher(m: Matcher) -> bool:
    return isinstance(m, (Prefix, Suffix, EqualsIgnoreCase, Wildcard, Cidr))


@rule("W104", "string-match-on-number-field")
def string_match_on_number_field(ctx: PatternContext) -> Iterator[Finding]:
    """## What it does
    Checks for `prefix`, `suffix`, `equals-ignore-case`, `wildcard` and `cidr` on fields that
    carry numbers: fields the same pattern tests with `numeric` or number values elsewhere, and
    number fields of known event sources.

    ## Why is this bad?
    These operators match strings only; a number never starts with `"4"`.

    ## Example
    ```json
    {"$or": [{"detail": {"code": [{"numeric": [">=", 500]}]}}, {"detail": {"code": [{"prefix": "4"}]}}]}
    ```

    ## Use instead
    ```json
    {"$or": [{"detail": {"code": [{"numeric": [">=", 500]}]}}, {"detail": {"code": [{"numeric": [">=", 400, "<", 500]}]}}]}
    ```
    """
    if ctx.model is None:
        return
    numeric_paths: set[str] = set()
    string_paths: set[str] = set()
    for path, _, leaf in leaves(ctx.model):
        for m in leaf.matchers:
            if isinstance(m, (Numeric, NumberEquals)):
                numeric_paths.add(path)
            elif isinstance(m, Equals):
                string_paths.add(path)
    known = NUMBER_FIELDS.get(ctx.extracted.source_kind or "", frozenset())
    for path, _, leaf in leaves(ctx.model):
        if (path not in numeric_paths or path in string_paths) and path not in known:
            continue
        for i, m in leaf_matchers(leaf):
            if _string_matcher(m):
                op = type(m).__name__
                op = {"EqualsIgnoreCase": "equals-ignore-case"}.get(op, op.lower())
                yield ctx.at(
                    m.span,
                    f"{leaf.json_path}[{i}]",
                    f"`{op}` on `{path}` never matches a number, and `{path}` carries numbers",
                    "use `numeric` to test numbers",
                )
