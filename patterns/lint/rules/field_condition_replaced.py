"""W118 field-condition-replaced: one field given two conditions in one branch."""

from __future__ import annotations

from collections.abc import Iterator

from patterns.model import Field, Obj

from .helpers import branch_fields
from .pipeline import PatternContext
from .registry import Finding, rule

__all__ = ["field_condition_replaced"]


@rule("W118", "field-condition-replaced")
def field_condition_replaced(ctx: PatternContext) -> Iterator[Finding]:
    """## What it does
    Checks for one field given two different conditions in one branch of a pattern, through a
    dotted key beside its nesting (`"a.b"` and `"a": {"b": ...}`) or a `$or` branch repeating a
    field of its parent.

    ## Why is this bad?
    AWS keeps one condition per field: the one met last replaces the other, so the pattern does
    not require both, as it reads.

    ## Example
    ```json
    {"detail": {"state": ["running"]}, "$or": [{"detail": {"state": ["stopped"]}}, {"source": ["aws.ec2"]}]}
    ```

    ## Use instead
    ```json
    {"$or": [{"detail": {"state": ["stopped"]}}, {"source": ["aws.ec2"], "detail": {"state": ["running"]}}]}
    ```
    """
    if ctx.model is None or len(ctx.pattern.branches if ctx.pattern else ()) > 256:
        return
    reported: set[int] = set()
    for branch in branch_fields(ctx.model):
        seen: dict[str, tuple[Field, Obj]] = {}
        for path, f, parent in branch:
            if path in seen:
                first, first_parent = seen[path]
                same_object_key = first_parent is parent and first.key == f.key  # W107's case
                if not same_object_key and first.value != f.value and id(first) not in reported:
                    reported.add(id(first))
                    where = ""
                    if f.span is not None:
                        line, column, _, _ = ctx.extracted.positions.span(f.span.offset)
                        where = f" at {line}:{column}"
                    yield ctx.at(
                        first.span,
                        first.value.json_path,  # type: ignore[union-attr]
                        f"this condition on `{path}` is replaced by the one{where}; AWS keeps only the last",
                        "give each field one condition per branch",
                    )
            seen[path] = (f, parent)
