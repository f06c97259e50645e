"""W112 pattern-over-default-quota: an EventBridge pattern over the default 2,048-character quota."""

from __future__ import annotations

from collections.abc import Iterator

from ..aws import DEFAULT_PATTERN_QUOTA, MAX_PATTERN_LENGTH
from .helpers import is_eventbridge_rule, pattern_size
from .pipeline import PatternContext
from .registry import Finding, rule

__all__ = ["pattern_over_default_quota"]


@rule("W112", "pattern-over-default-quota")
def pattern_over_default_quota(ctx: PatternContext) -> Iterator[Finding]:
    """## What it does
    Checks for EventBridge rule patterns longer than 2,048 characters, the default (adjustable)
    quota on a rule's pattern size.

    ## Why is this bad?
    The deploy fails in every account that has not raised the quota, and older Terraform AWS
    providers (before 5.25) refuse such patterns outright.

    ## Example
    A rule listing several hundred account ids.

    ## Use instead
    Fewer values (a `prefix`, or several rules), or a quota increase recorded with the template.
    """
    if not is_eventbridge_rule(ctx):
        return
    measured = pattern_size(ctx)
    if measured is None:
        return
    size, exact = measured
    if DEFAULT_PATTERN_QUOTA < size <= MAX_PATTERN_LENGTH:
        yield Finding(
            f"the pattern is {'' if exact else 'at least '}{size} characters long, over EventBridge's "
            f"default quota of {DEFAULT_PATTERN_QUOTA}",
            help="" if exact else "template values counted at their shortest",
        )
