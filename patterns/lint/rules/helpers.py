"""What several rules share: walks over the pattern model, and findings more than one rule makes."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

from patterns.errors import InvalidPatternError
from patterns.model import Exists, Field, Leaf, Matcher, Obj

from ..aws import LIMIT_REASONS
from ..sources import Extracted
from .pipeline import PatternContext, offset_of, unknown_spellings
from .registry import Finding

__all__ = [
    "branch_fields",
    "branch_leaves",
    "describe",
    "error_finding",
    "fields",
    "is_eventbridge_rule",
    "leaf_matchers",
    "leaves",
    "limit_reason",
    "only_absent",
    "over_filter_limit",
    "pattern_size",
    "show",
]


# --- walks over the model --------------------------------------------------------------------


def leaves(obj: Obj, prefix: str = "") -> Iterator[tuple[str, Field, Leaf]]:
    """(dotted path, field, value list) of every value list, ``$or`` branches included."""
    for f in obj.fields:
        path = f"{prefix}.{f.key}" if prefix else f.key
        if isinstance(f.value, Leaf):
            yield path, f, f.value
        else:
            yield from leaves(f.value, path)
    for group in obj.ors:
        for branch in group.branches:
            yield from leaves(branch, prefix)


def fields(obj: Obj, prefix: str = "", top: bool = True) -> Iterator[tuple[str, Field, bool]]:
    """(dotted path, field, at the top level) of every field, ``$or`` branches included."""
    for f in obj.fields:
        path = f"{prefix}.{f.key}" if prefix else f.key
        yield path, f, top
        if isinstance(f.value, Obj):
            yield from fields(f.value, path, False)
    for group in obj.ors:
        for branch in group.branches:
            yield from fields(branch, prefix, top)


def _spread(
    obj: Obj, path: Any, join: Callable[[Any, str], Any], item: Callable[[Any, Field, Obj], Any]
) -> list[list[Any]]:
    """Per branch of the pattern (``$or`` spread out): `item` of each field with a value list,
    its path made by `join` from the keys above it."""
    branches: list[list[Any]] = [[]]
    for f in obj.fields:
        here = join(path, f.key)
        if isinstance(f.value, Leaf):
            for b in branches:
                b.append(item(here, f, obj))
        else:
            subs = _spread(f.value, here, join, item)
            branches = [b + s for b in branches for s in subs]
    for group in obj.ors:
        alternatives = [s for branch in group.branches for s in _spread(branch, path, join, item)]
        branches = [b + a for b in branches for a in alternatives]
    return branches


def branch_fields(obj: Obj, prefix: str = "") -> list[list[tuple[str, Field, Obj]]]:
    """Per branch of the pattern: (dotted path, field with a value list, parent object), in order."""
    return _spread(obj, prefix, lambda path, key: f"{path}.{key}" if path else key, lambda p, f, o: (p, f, o))


def branch_leaves(obj: Obj, prefix: tuple[str, ...] = ()) -> list[list[tuple[tuple[str, ...], Leaf]]]:
    """Per branch of the pattern (``$or`` spread out): (keys, value list) of every field with one.

    Keys stay a tuple (a key may hold a dot), unlike `branch_fields`' dotted paths.
    """
    return _spread(obj, prefix, lambda path, key: (*path, key), lambda p, f, o: (p, f.value))


def only_absent(leaf: Leaf) -> bool:
    """Whether a value list matches only a missing field (``exists: false``, nothing else)."""
    return all(isinstance(m, Exists) and not m.value for m in leaf.matchers)


def leaf_matchers(leaf: Leaf) -> Iterator[tuple[int, Matcher]]:
    """(index in the value list, matcher) of every matcher of one value list."""
    yield from enumerate(leaf.matchers)


# --- what findings say -----------------------------------------------------------------------


def show(value: Any) -> str:
    """A value as a message writes it: JSON, non-ASCII kept."""
    return json.dumps(value, ensure_ascii=False)


def is_eventbridge_rule(ctx: PatternContext) -> bool:
    """Whether the pattern filters EventBridge events (a rule, an archive, or a bare pattern file)."""
    return ctx.extracted.dialect == "eventbridge" and ctx.extracted.kind in ("rule", "archive", "raw")


def describe(ex: Extracted) -> str:
    """Where a pattern lives, for a message about another one: ``Resources.A... (3:5)``."""
    line, column = ex.positions.host.position(ex.anchor)
    return f"{ex.where or 'the pattern'} ({line}:{column})"


def limit_reason(reason: str) -> bool:
    """Whether AWS's rejection is about a service limit (E103) rather than the pattern's form (E102)."""
    return reason.startswith(LIMIT_REASONS)


def error_finding(ctx: PatternContext, err: InvalidPatternError) -> Finding:
    """AWS's rejection as a finding at the node it names, with a hint for a nested SNS policy."""
    end = None
    if err.offset is not None and err.end_line is not None and err.end_column is not None:
        end = offset_of(ctx.text, err.end_line, err.end_column)
    help = ""
    if "does not support nested filter policy" in err.reason:
        help = "a nested policy filters the message body: set the subscription's FilterPolicyScope to MessageBody"
    return Finding(str(err), err.offset, end, err.path or "$", help)


#: The shortest JSON an unknown could be, by how it stands in the pattern text (see
#: `unknown_spellings`): a list holds at least one value, a string may be empty.
_SHORTEST = {"list": "[0]", "number": "0", "string": '""', "part": ""}


def pattern_size(ctx: PatternContext) -> tuple[int, bool] | None:
    """The pattern's length as AWS counts it (compact JSON unless given as text), and whether exact.

    With template values the length is the shortest they allow (each at its shortest JSON), so a
    pattern over a limit at that length is over it whatever they hold; ``exact`` is then False.
    None when the text is not JSON.
    """
    ex = ctx.extracted
    text = ctx.text
    exact = not ex.unknowns
    if not exact:
        if ctx.syntax_error:
            return None
        parts, last = [], 0
        for start, end, form in unknown_spellings(ctx):
            parts += [text[last:start], _SHORTEST[form]]
            last = end
        text = "".join([*parts, text[last:]])
    if ex.embedded:
        return len(text), exact
    try:
        return len(json.dumps(json.loads(text), ensure_ascii=False, separators=(",", ":"))), exact
    except ValueError:
        return None


def over_filter_limit(ctx: PatternContext, limit: int) -> Finding | None:
    """A finding on the first filter past `limit` in its FilterCriteria, None for every other one."""
    position = ctx.extracted.filter_position
    if position is None or position[0] != limit:
        return None  # report once, on the first filter over the limit
    return Finding(f"{position[1]} filters; at most {limit}")


def shared_targets(a: Extracted, b: Extracted) -> tuple[str, ...] | None:
    """The targets both patterns' rules send to (as written); None when either's targets are not
    in the file. ``()``: both are known and differ (fan-out)."""
    if a.targets is None or b.targets is None:
        return None
    return tuple(t for t in a.targets if t in b.targets)
