"""W107 duplicate-key: a key given twice in one object."""

from __future__ import annotations

from collections.abc import Iterator

from patterns.parse import JObject, Span

from .pipeline import PatternContext, key_path, paths_in
from .registry import Finding, rule

__all__ = ["duplicate_key"]


@rule("W107", "duplicate-key")
def duplicate_key(ctx: PatternContext) -> Iterator[Finding]:
    """## What it does
    Checks for a key given twice in one object of a pattern.

    ## Why is this bad?
    AWS keeps only the last value list for a path: the first is dropped silently, so the pattern
    matches other events than the ones it reads as matching.

    ## Example
    ```json
    {"detail": {"location": ["eu-west-1"], "location": ["us-east-1"]}}
    ```

    ## Use instead
    ```json
    {"detail": {"location": ["eu-west-1", "us-east-1"]}}
    ```
    """
    if ctx.tree is None:
        return
    for node, path, _ in paths_in(ctx.tree):
        if not isinstance(node, JObject):
            continue
        seen: dict[str, Span | None] = {}
        for m in node.members:
            if m.key in seen:
                first = seen[m.key]
                where = f" (first at offset {first.offset})" if first is not None else ""
                line_note = ""
                if first is not None:
                    line, column, _, _ = ctx.extracted.positions.span(first.offset)
                    line_note = f" (first at {line}:{column})"
                yield ctx.at(
                    m.key_span,
                    key_path(path, m.key),
                    f"`{m.key}` is given twice in one object{line_note or where}; AWS keeps only the last",
                    "merge the values into one list",
                )
            seen[m.key] = m.key_span
