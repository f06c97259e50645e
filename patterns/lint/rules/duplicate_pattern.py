"""W119 duplicate-pattern: two identical patterns on one bus or topic."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from patterns.subsume import canonical

from .helpers import describe, shared_targets
from .pipeline import PatternContext
from .registry import Finding, rule

__all__ = ["duplicate_pattern"]


@rule("W119", "duplicate-pattern", scope="group")
def duplicate_pattern(contexts: list[PatternContext]) -> Iterator[Finding]:
    """## What it does
    Checks one file for two identical patterns on the same event bus or SNS topic whose rules
    send events to a target they share. Rules whose targets all differ are not reported (one
    event reaching several targets is fan-out, and usually meant); when the file does not say
    where a rule's events go, the finding says that the targets may differ.

    ## Why is this bad?
    Usually a copied rule whose pattern was meant to change; otherwise every event is delivered
    twice (two rules, two invocations, two bills).

    ## Example
    ```yaml
    Resources:
      A:
        Type: AWS::Events::Rule
        Properties:
          EventPattern: {"source": ["aws.ec2"]}
      B:
        Type: AWS::Events::Rule
        Properties:
          EventPattern: {"source": ["aws.ec2"]}
    ```

    ## Use instead
    ```yaml
    Resources:
      A:
        Type: AWS::Events::Rule
        Properties:
          EventPattern: {"source": ["aws.ec2"]}
      B:
        Type: AWS::Events::Rule
        Properties:
          EventPattern: {"source": ["aws.s3"]}
    ```
    """
    seen: dict[Any, PatternContext] = {}
    if contexts and contexts[0].extracted.kind == "subscriber":
        return  # a subscriber's filters AND: a repeated one changes nothing delivered
    for ctx in contexts:
        assert ctx.pattern is not None
        if ctx.extracted.unknowns:
            continue  # two patterns with template values may differ in what those hold
        key = canonical(ctx.pattern.branches)
        if key not in seen:
            seen[key] = ctx
            continue
        shared = shared_targets(seen[key].extracted, ctx.extracted)
        if shared == ():
            continue  # the same events to different targets: fan-out
        message = (
            f"the same pattern as {describe(seen[key].extracted)}, on the same "
            f"{'topic' if ctx.extracted.kind == 'sns' else 'bus'}"
        )
        if shared is None:
            message += ", and their targets may differ (not both written in this file)"
            help = "if each rule feeds its own target, this is fan-out: ignore it; else merge the two"
        else:
            message += f"; both send it to `{shared[0]}`"
            help = "merge the two, or change the one that was meant to differ"
        yield Finding(message, help=help, extracted=ctx.extracted)
