"""W120 covered-pattern: a pattern another pattern on the same bus or topic always covers."""

from __future__ import annotations

from collections.abc import Iterator

from patterns.subsume import canonical, covers

from .helpers import describe, shared_targets
from .pipeline import PatternContext
from .registry import Finding, rule

__all__ = ["covered_pattern"]


@rule("W120", "covered-pattern", scope="group")
def covered_pattern(contexts: list[PatternContext]) -> Iterator[Finding]:
    """## What it does
    Checks one file for a pattern that another pattern on the same bus or topic always covers
    (every event the first matches, the second matches too) when the two rules send events to a
    target they share. Rules whose targets all differ are not reported: one event reaching
    several targets is fan-out, and usually meant. When the file does not say where a rule's
    events go (targets attached elsewhere), the finding says that the targets may differ.

    ## Why is this bad?
    Each such event reaches the shared target twice. Often one rule was meant to be narrower, or
    the broader one was meant to exclude what the narrower one handles (`anything-but`).

    ## Example
    ```yaml
    Resources:
      All:
        Type: AWS::Events::Rule
        Properties:
          EventPattern: {"source": ["aws.ec2"]}
          Targets: [{Id: q, Arn: !GetAtt Queue.Arn}]
      Stopped:
        Type: AWS::Events::Rule
        Properties:
          EventPattern: {"source": ["aws.ec2"], "detail": {"state": ["stopped"]}}
          Targets: [{Id: q, Arn: !GetAtt Queue.Arn}]
    ```

    ## Use instead
    ```yaml
    Resources:
      All:
        Type: AWS::Events::Rule
        Properties:
          EventPattern: {"source": ["aws.ec2"], "detail": {"state": [{"anything-but": "stopped"}]}}
          Targets: [{Id: q, Arn: !GetAtt Queue.Arn}]
      Stopped:
        Type: AWS::Events::Rule
        Properties:
          EventPattern: {"source": ["aws.ec2"], "detail": {"state": ["stopped"]}}
          Targets: [{Id: q, Arn: !GetAtt Queue.Arn}]
    ```
    """
    if contexts and contexts[0].extracted.kind == "subscriber":
        return  # a subscriber's filters AND: a wider one is redundant, not a double delivery
    for b in contexts:
        # with template values, b's known part: a pattern covering it covers b, whatever they hold
        narrow = b.known_branches() if b.extracted.unknowns else None
        for a in contexts:
            if a is b or a.pattern is None or b.pattern is None or a.extracted.unknowns:
                continue  # a's template values could make it narrower than it reads
            if narrow is None and canonical(a.pattern.branches) == canonical(b.pattern.branches):
                continue  # the same pattern: W119's finding
            shared = shared_targets(a.extracted, b.extracted)
            if shared == ():
                continue  # different targets: fan-out
            if not covers(a.pattern.branches, b.pattern.branches if narrow is None else narrow):
                continue
            message = f"every event this pattern matches is also matched by {describe(a.extracted)}"
            if narrow is not None:
                message = message.replace("matches is", "matches (whatever its template values hold) is")
            if shared is None:
                message += ", and their targets may differ (not both written in this file)"
                help = (
                    "if each rule feeds its own target, this is fan-out: ignore it; else narrow one of them"
                )
            else:
                message += f"; both send it to `{shared[0]}`"
                help = "narrow one of them if an event should reach the target once"
            yield Finding(message, help=help, extracted=b.extracted)
            break
