"""E109 invalid-input-transformer: a rule target's `InputTransformer` PutTargets refuses."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace

from patterns.errors import InvalidTransformerError
from patterns.transform import InputTransformer

from .pipeline import PatternContext
from .registry import Finding, rule

__all__ = ["invalid_input_transformer"]

# The variable a message names: AWS's "contains invalid placeholder NAME." or ours "`<NAME>`".
_PLACEHOLDER = re.compile(r"invalid placeholder (.*)\.$|`<([^<>]*)>`")
# The InputPathsMap key a message is about: ours "- at `InputPathsMap.KEY`" or "got `KEY` - at `InputPathsMap`".
_AT_PATH = re.compile(r"- at `InputPathsMap\.(.*)`$")
_AT_KEY = re.compile(r"got `(.*)` - at `InputPathsMap`$")


@rule("E109", "invalid-input-transformer", scope="transformer")
def invalid_input_transformer(ctx: PatternContext) -> Iterator[Finding]:
    """## What it does
    Reports a rule target's `InputTransformer` that PutTargets refuses, with the message of
    `patterns.InputTransformer`: a template placeholder no `InputPathsMap` key defines (AWS's
    text), a placeholder used as an object key, more than 100 variables, a key outside
    `[A-Za-z0-9_-]` or reserved (`AWS.` prefix, the predefined `aws.events.*` names), a path
    over 256 characters, a template over 8,192 characters.

    ## Why is this bad?
    The target is not created, so the stack fails to deploy (or, with the API, the rule delivers
    nowhere).

    ## Example
    ```yaml
    Resources:
      Rule:
        Type: AWS::Events::Rule
        Properties:
          EventPattern: {"source": ["aws.ec2"]}
          Targets:
            - Id: queue
              Arn: arn:aws:sqs:us-east-1:123456789012:q
              InputTransformer:
                InputPathsMap: {instance: "$.detail.instance-id"}
                InputTemplate: '{"instance": <instance>, "state": <state>}'
    ```

    ## Use instead
    ```yaml
    Resources:
      Rule:
        Type: AWS::Events::Rule
        Properties:
          EventPattern: {"source": ["aws.ec2"]}
          Targets:
            - Id: queue
              Arn: arn:aws:sqs:us-east-1:123456789012:q
              InputTransformer:
                InputPathsMap: {instance: "$.detail.instance-id", state: "$.detail.state"}
                InputTemplate: '{"instance": <instance>, "state": <state>}'
    ```
    """
    ex = ctx.extracted
    info = ex.transformer
    if info is None or not info.known:
        return
    # A path that is a template value is written as "$" (any path passes); a template that is
    # one (or is absent, which the resource schema reports) as "x", so the paths are still checked.
    # A template holding template values is checked as written: a finding about one is dropped.
    paths = {key: path.text if path is not None else "$" for key, _, path in info.paths}
    template = ex.text or "x"
    try:
        InputTransformer(paths, template, target_id=info.target_id)
    except InvalidTransformerError as err:
        message = str(err)
        at_path, at_key, placeholder = (
            _AT_PATH.search(message),
            _AT_KEY.search(message),
            _PLACEHOLDER.search(message),
        )
        if at_path is not None:
            for key, _, path in info.paths:
                if key == at_path.group(1) and path is not None:
                    yield Finding(message, 0, len(path.text), "$", extracted=path)
                    return
        if at_key is not None:
            for key, key_at, _ in info.paths:
                if key == at_key.group(1):
                    yield Finding(message, extracted=replace(ex, anchor=key_at, unknowns=[]))
                    return
        if placeholder is not None and ex.text:
            name = placeholder.group(1) if placeholder.group(1) is not None else placeholder.group(2)
            at = template.find(f"<{name}>")
            if at >= 0:
                yield Finding(message, at, at + len(name) + 2, "$")
                return
        yield Finding(message)
