"""W120 covered-pattern: a pattern another pattern on the same bus or topic always covers."""

from __future__ import annotations

from collections.abc import Iterator

from patterns.subsume import canonical, covers

from .helpers import describe
from .pipeline import PatternContext
from .registry import Finding, rule

__all__ = ["covered_pattern"]


@rule("W120", "covered-pattern", scope="group")
def covered_pattern(contexts: list[PatternContext]) -> Iterator[Finding]:
    """## What it does
    Checks one file for a pattern that another pattern on the same bus or topic always covers:
    every event the first matches, the second matches too.

    ## Why is this bad?
    Each such event triggers both rules. That is sometimes meant (two targets), but often one
    rule was meant to be narrower, or the broader one was meant to exclude what the narrower one
    handles (`anything-but`).

    ## Example
    ```yaml
    Resources:
      All:
        Type: AWS::Events::Rule
        Properties:
          EventPattern: {"source": ["aws.ec2"]}
      Stopped:
        Type: AWS::Events::Rule
        Properties:
          EventPattern: {"source": ["aws.ec2"], "detail": {"state": ["stopped"]}}
    ```

    ## Use instead
    ```yaml
    Resources:
      All:
        Type: AWS::Events::Rule
        Properties:
          EventPattern: {"source": ["aws.ec2"], "detail": {"state": [{"anything-but": "stopped"}]}}
      Stopped:
        Type: AWS::Events::Rule
        Properties:
          EventPattern: {"source": ["aws.ec2"], "detail": {"state": ["stopped"]}}
    ```
    """
    for b in contexts:
        for a in contexts:
            if (
                a is b
                or a.pattern is None
                or b.pattern is None
                or canonical(a.pattern.branches) == canonical(b.pattern.branches)
            ):
                continue
            if covers(a.pattern.branches, b.pattern.branches):
                yield Finding(
                    f"every event this pattern matches is also matched by {describe(a.extracted)}",
                    help="narrow one of them if an event should reach only one target",
                    extracted=b.extracted,
                )
                break
