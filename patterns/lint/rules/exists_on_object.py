"""W102 exists-on-object: `exists` on a field that holds an object."""

from __future__ import annotations

from collections.abc import Iterator

from patterns.model import Exists

from ..aws import OBJECT_FIELDS
from .helpers import is_eventbridge_rule, leaf_matchers, leaves
from .pipeline import PatternContext
from .registry import Finding, rule

__all__ = ["exists_on_object"]


@rule("W102", "exists-on-object")
def exists_on_object(ctx: PatternContext) -> Iterator[Finding]:
    """## What it does
    Checks for `exists` on a field that holds an object: one the pattern itself descends into
    elsewhere, EventBridge's `detail`, or a DynamoDB stream image and its attribute values.

    ## Why is this bad?
    `exists` tests values, not objects: on an object-valued field `{"exists": true}` never
    matches and `{"exists": false}` always does.

    ## Example
    ```json
    {"source": ["aws.ec2"], "detail": [{"exists": true}]}
    ```

    ## Use instead
    ```json
    {"source": ["aws.ec2"], "detail": {"instance-id": [{"exists": true}]}}
    ```
    """
    if ctx.model is None:
        return
    all_paths = [path for path, _, _ in leaves(ctx.model)]
    objects = OBJECT_FIELDS.get(ctx.extracted.source_kind or "")
    for path, _, leaf in leaves(ctx.model):
        reason = None
        if any(p.startswith(path + ".") for p in all_paths):
            reason = "the pattern reads fields inside it"
        elif is_eventbridge_rule(ctx) and path == "detail":
            reason = "`detail` is always an object"
        elif objects is not None and objects.fullmatch(path):
            reason = "DynamoDB stream records hold objects there"
        if reason is None:
            continue
        for i, m in leaf_matchers(leaf):
            if isinstance(m, Exists):
                verdict = "never matches" if m.value else "always holds"
                yield ctx.at(
                    m.span,
                    f"{leaf.json_path}[{i}]",
                    f"`exists: {str(m.value).lower()}` on `{path}` {verdict}: it is an object ({reason})",
                    "test a field inside the object instead",
                )
