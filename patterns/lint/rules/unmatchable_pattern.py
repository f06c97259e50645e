"""W117 unmatchable-pattern: a branch asking one field to be a value and an object at once."""

from __future__ import annotations

from collections.abc import Iterator

from patterns.model import Exists, Leaf

from .helpers import branch_fields
from .pipeline import PatternContext
from .registry import Finding, rule

__all__ = ["unmatchable_pattern"]


def _needs_value(leaf: Leaf) -> bool:
    return not any(isinstance(m, Exists) and not m.value for m in leaf.matchers)


@rule("W117", "unmatchable-pattern")
def unmatchable_pattern(ctx: PatternContext) -> Iterator[Finding]:
    """## What it does
    Checks for a pattern (or a `$or` branch) that no event can match because it asks one field
    to be a value and an object at once: a condition on `a` and another on `a.b`.

    ## Why is this bad?
    A field holding a value has no fields inside it, and one holding an object has no value, so
    the conditions contradict each other and the rule never fires. (Only an event with a key
    containing a dot, such as `"a.b"`, could satisfy both.)

    ## Example
    ```json
    {"detail": {"user": ["alice"], "user.role": ["admin"]}}
    ```

    ## Use instead
    ```json
    {"detail": {"user": {"name": ["alice"], "role": ["admin"]}}}
    ```
    """
    if ctx.model is None or len(ctx.pattern.branches if ctx.pattern else ()) > 256:
        return
    reported: set[int] = set()
    for branch in branch_fields(ctx.model):
        paths = {p: f for p, f, _ in branch}
        for path, f, _ in branch:
            if not _needs_value(f.value):  # type: ignore[arg-type]
                continue
            for other, g, _ in branch:
                if other.startswith(path + ".") and _needs_value(g.value) and id(f) not in reported:  # type: ignore[arg-type]
                    reported.add(id(f))
                    assert paths
                    yield ctx.at(
                        f.span,
                        f.value.json_path,  # type: ignore[union-attr]
                        f"no event matches: `{path}` must hold a value while `{other}` needs it to be an object",
                        f"nest the conditions: put the value of `{path}` in a field of its own",
                    )
