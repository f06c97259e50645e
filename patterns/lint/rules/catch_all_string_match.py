"""W110 catch-all-string-match: string operators that match every string."""

from __future__ import annotations

from collections.abc import Iterator

from patterns.model import Leaf, Prefix, Suffix, Wildcard

from .helpers import is_eventbridge_rule, leaf_matchers, leaves, show
from .pipeline import PatternContext
from .registry import Finding, rule

__all__ = ["catch_all_string_match"]


def _documented_catch_all(ctx: PatternContext) -> Leaf | None:
    """The value list of a top-level `source` that is `[{"prefix": ""}]` alone, on EventBridge."""
    if ctx.model is None or not is_eventbridge_rule(ctx):
        return None
    for f in ctx.model.fields:
        if f.key == "source" and isinstance(f.value, Leaf) and len(f.value.matchers) == 1:
            m = f.value.matchers[0]
            if isinstance(m, Prefix) and m.value == "":
                return f.value
    return None


@rule("W110", "catch-all-string-match")
def catch_all_string_match(ctx: PatternContext) -> Iterator[Finding]:
    """## What it does
    Checks for `{"prefix": ""}`, `{"suffix": ""}` and `{"wildcard": "*"}`, which match every
    string.

    Not reported: `{"source": [{"prefix": ""}]}`, the prefix alone in the value list of the
    envelope's `source`. That is AWS's documented idiom for a rule meant to receive every event of
    its bus (an archive, "send all events to CloudWatch Logs"): every event has a `source`.

    ## Why is this bad?
    Elsewhere they read as a filter but filter nothing (among strings): usually a template value
    that came out empty, or a catch-all that sends every event to the target (cost, loops).

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
    idiom = _documented_catch_all(ctx)
    for path, _, leaf in leaves(ctx.model):
        if leaf is idiom:
            continue
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
