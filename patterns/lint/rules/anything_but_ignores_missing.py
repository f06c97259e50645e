"""W101 anything-but-ignores-missing: `anything-but` on a field events may lack."""

from __future__ import annotations

from collections.abc import Iterator

from patterns.model import AnythingBut, Exists

from ..aws import ALWAYS_PRESENT
from .helpers import is_eventbridge_rule, leaf_matchers, leaves
from .pipeline import PatternContext
from .registry import Finding, rule

__all__ = ["anything_but_ignores_missing"]


@rule("W101", "anything-but-ignores-missing")
def anything_but_ignores_missing(ctx: PatternContext) -> Iterator[Finding]:
    """## What it does
    Checks for `anything-but` on a field that events may not have, without
    `{"exists": false}` beside it.

    ## Why is this bad?
    `anything-but` matches only a field that is present: an event without the field does not
    match, although "anything but `x`" reads as if it should. Events lacking the field are
    dropped without a trace.

    ## Example
    ```json
    {"source": ["aws.ec2"], "detail": {"state": [{"anything-but": "running"}]}}
    ```

    ## Use instead
    ```json
    {"source": ["aws.ec2"], "detail": {"state": [{"anything-but": "running"}, {"exists": false}]}}
    ```
    """
    if ctx.model is None:
        return
    for path, _, leaf in leaves(ctx.model):
        if is_eventbridge_rule(ctx) and path in ALWAYS_PRESENT:
            continue
        if any(isinstance(m, Exists) for m in leaf.matchers):
            continue
        for i, m in leaf_matchers(leaf):
            if isinstance(m, AnythingBut):
                yield ctx.at(
                    m.span,
                    f"{leaf.json_path}[{i}]",
                    f"`anything-but` never matches an event without `{path}`",
                    'add `{"exists": false}` to the list if events without the field should match',
                )
                break
