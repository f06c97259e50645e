"""W124 unreachable-input-path: an input transformer variable no event of the rule can fill."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from patterns.model import Leaf
from patterns.transform import parse_input_path

from ..aws import ENVELOPE, ENVELOPE_STRINGS
from ..sources import Extracted
from .helpers import branch_leaves, only_absent
from .pipeline import PatternContext, prepare
from .registry import Finding, rule

__all__ = ["unreachable_input_path"]

Branch = list[tuple[tuple[str, ...], Leaf]]


def _blocked(branch: Branch, steps: tuple[tuple[str, Any], ...]) -> str | None:
    """Why `branch` keeps the path from selecting anything (a field it matches as a value, or as
    absent), or None.

    A value list matches a value (a string, number, boolean or null, or an array of them): the
    path cannot then go on with a key below it. ``exists: false`` alone matches only events
    without the field: nothing at or below it.
    """
    keys: list[str] = []
    for i, (kind, arg) in enumerate(steps):
        if kind != "key":
            return None
        keys.append(arg)
        for field_keys, leaf in branch:
            if field_keys != tuple(keys):
                continue
            name = ".".join(field_keys)
            if only_absent(leaf):
                return f"the rule's pattern matches only events without `{name}`"
            if i + 1 < len(steps) and steps[i + 1][0] == "key":
                return f"the rule's pattern matches `{name}` as a value, which has no `{steps[i + 1][1]}`"
    return None


def _envelope_reason(steps: tuple[tuple[str, Any], ...]) -> str | None:
    kind, first = steps[0]
    if kind == "index":
        return "an event is an object, not an array"
    if kind != "key":
        return None
    if first not in ENVELOPE:
        return f"EventBridge events have no top-level `{first}` (the payload is under `detail`)"
    rest = steps[1:]
    if first in ENVELOPE_STRINGS - {"resources"} and rest:
        return f"`{first}` is a string in every event"
    # `resources` holds strings: an index (or `*`) may follow it, nothing after that
    if first == "resources" and rest and (rest[0][0] == "key" or (len(rest) > 1 and rest[1][0] != "all")):
        return "`resources` is an array of strings in every event"
    return None


@rule("W124", "unreachable-input-path", scope="transformer")
def unreachable_input_path(ctx: PatternContext) -> Iterator[Finding]:
    """## What it does
    Checks each `InputPathsMap` path of a rule target's input transformer against the events
    the rule's pattern matches: a path outside the event envelope (`id`, `version`,
    `detail-type`, `source`, `account`, `time`, `region`, `resources`, `detail`), below a field
    that is a string in every event (`$.source.name`), below a field the pattern matches as a
    value (the pattern pins `detail.state` to `"running"`, the path reads
    `$.detail.state.name`), at a field the pattern requires to be absent, or text that is not a
    path at all (`detail.state`, without `$`).

    ## Why is this bad?
    The variable selects nothing in every event the rule delivers, so the target always
    receives an empty value (`""`, or nothing inside a string) where the author meant data.

    ## Example
    ```yaml
    Resources:
      Rule:
        Type: AWS::Events::Rule
        Properties:
          EventPattern: {"source": ["aws.ec2"], "detail": {"state": ["running"]}}
          Targets:
            - Id: queue
              Arn: arn:aws:sqs:us-east-1:123456789012:q
              InputTransformer:
                InputPathsMap: {state: "$.detail.state.name"}
                InputTemplate: '{"state": <state>}'
    ```

    ## Use instead
    ```yaml
    Resources:
      Rule:
        Type: AWS::Events::Rule
        Properties:
          EventPattern: {"source": ["aws.ec2"], "detail": {"state": ["running"]}}
          Targets:
            - Id: queue
              Arn: arn:aws:sqs:us-east-1:123456789012:q
              InputTransformer:
                InputPathsMap: {state: "$.detail.state"}
                InputTemplate: '{"state": <state>}'
    ```
    """
    info = ctx.extracted.transformer
    if info is None:
        return
    branches = _rule_branches(info.rule)
    for _, _, path in info.paths:
        if path is None or path.unknowns:
            continue
        steps = parse_input_path(path.text)
        if steps is None:
            yield _at(
                path,
                f"`{path.text}` is not a JSON path EventBridge reads: it selects nothing",
                "start it with `$`",
            )
            continue
        if not steps:
            continue  # `$`: the whole event
        reason = _envelope_reason(steps)
        if reason is None and branches:
            blocked = [_blocked(b, steps) for b in branches]
            if all(k is not None for k in blocked):
                reason = blocked[0]
        if reason is not None:
            help = ""
            if steps[0][0] == "key" and steps[0][1] not in ENVELOPE:
                help = f"did you mean `$.detail{path.text[1:]}`?"
            yield _at(path, f"`{path.text}` selects nothing in the events this rule matches: {reason}", help)


def _rule_branches(rule_pattern: Extracted | None) -> list[Branch]:
    """The branches of the rule's pattern; none when it is not known (not found, not valid, or
    holding template values, which could stand for objects)."""
    if rule_pattern is None or rule_pattern.unknowns:
        return []
    ctx = prepare(rule_pattern)
    return branch_leaves(ctx.model) if ctx.model is not None else []


def _at(path: Extracted, message: str, help: str) -> Finding:
    return Finding(message, 0, len(path.text), "$", help, extracted=path)
