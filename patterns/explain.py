"""Why a pattern does or does not match an event: a per-condition account, for people.

`explain(pattern, event)` walks the pattern's branches (its `$or` alternatives, expanded) and,
for every condition, says what the event holds at that path and which test failed:

    no match: the pattern's one branch fails 2 of its 3 conditions
      ✓ source         "aws.ec2"   is one of ["aws.ec2"]
      ✗ detail.state   "running"   is not one of ["stopped"]
      ✗ detail.amount  (missing)   the event has `detail` but no `detail.amount`

The verdict itself always comes from the reference matcher (`patterns.oracle`), so an
explanation never disagrees with `Pattern.matches`; the per-condition reasons only describe it.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Protocol

from .dialects import Dialect
from .events import Leaf as EventLeaf
from .events import flatten
from .model import (
    AnythingBut,
    Branch,
    Cidr,
    Condition,
    Equals,
    EqualsIgnoreCase,
    Exists,
    Literal,
    Matcher,
    NumberEquals,
    Numeric,
    Obj,
    Prefix,
    Suffix,
    Wildcard,
)
from .oracle import matches as oracle_matches
from .oracle import value_matches
from .spelling import closest_name, closest_value


class Explained(Protocol):
    """What `explain` reads of a pattern (`patterns.Pattern` has all three)."""

    @property
    def dialect(self) -> Dialect: ...

    @property
    def model(self) -> Obj: ...

    @property
    def branches(self) -> tuple[Branch, ...]: ...


__all__ = ["BranchResult", "ConditionResult", "Explanation", "explain"]


@dataclass(frozen=True)
class ConditionResult:
    """One condition of one branch, checked against the event.

    Attributes:
        path: the dotted field path (``detail.state``).
        expected: the condition's value list, as JSON (``["stopped"]``).
        found: the event's values at that path (several when it passes through arrays); empty
            when the event has none.
        holds: whether some value (or the field's absence, for ``exists: false``) satisfies it.
        kind: ``ok``, ``missing`` (no such field), ``object`` (the field holds an object),
            ``type`` (values of a type no operator of the list accepts), ``range`` (numbers
            outside a numeric range), ``excluded`` (refused by anything-but), ``present``
            (``exists: false`` on a present field) or ``value`` (other values).
        reason: the account in words (with the suggestion, when there is one).
        suggestion: for a ``missing`` field, the path the event has where the pattern's name is a
            near miss (``detail.state`` for ``detail.stat``, ``detail`` for ``Detail``); for a
            ``value`` failure, the accepted value the event's value differs from only in case,
            hyphens, underscores or whitespace (``"stopped"`` for ``"Stopped"``, as JSON);
            empty when nothing is close.
    """

    path: str
    expected: list
    found: tuple[Any, ...]
    holds: bool
    kind: str
    reason: str
    suggestion: str = ""


@dataclass(frozen=True)
class BranchResult:
    """One branch (an AND of conditions) of the pattern.

    Attributes:
        holds: whether the branch matches the event.
        conditions: each condition's result, in the pattern's order.
        note: when every condition holds on its own but the branch does not, why (values taken
            from different elements of one array).
    """

    holds: bool
    conditions: tuple[ConditionResult, ...]
    note: str = ""


@dataclass(frozen=True)
class Explanation:
    """Whether a pattern matches an event, and why.

    Attributes:
        matched: the verdict (identical to `Pattern.matches`).
        branches: one result per branch of the pattern.
        note: a remark about the whole input (an SNS input the service never filters).
    """

    matched: bool
    branches: tuple[BranchResult, ...]
    note: str = ""

    def __bool__(self) -> bool:
        """The verdict: ``if pattern.explain(event):`` reads as ``if pattern.matches(event):``."""
        return self.matched

    def __str__(self) -> str:
        lines = [self._headline()]
        if self.note:
            lines.append(f"  {self.note}")
        many = len(self.branches) > 1
        for number, branch in enumerate(self.branches, 1):
            if many:
                verdict = "holds" if branch.holds else "fails"
                lines.append(f"  branch {number} of {len(self.branches)} ($or): {verdict}")
            indent = "    " if many else "  "
            width_path = max((len(c.path) for c in branch.conditions), default=0)
            found = [_found_text(c) for c in branch.conditions]
            width_found = max((len(f) for f in found), default=0)
            for c, f in zip(branch.conditions, found, strict=True):
                mark = "✓" if c.holds else "✗"
                lines.append(f"{indent}{mark} {c.path.ljust(width_path)}  {f.ljust(width_found)}  {c.reason}")
            if branch.note:
                lines.append(f"{indent}✗ {branch.note}")
        return "\n".join(lines)

    def _headline(self) -> str:
        if not self.branches:
            return "match" if self.matched else "no match"
        if self.matched:
            held = sum(b.holds for b in self.branches)
            if len(self.branches) == 1:
                return "match: every condition holds"
            return f"match: {held} of {len(self.branches)} branches hold"
        if len(self.branches) == 1:
            branch = self.branches[0]
            failed = sum(not c.holds for c in branch.conditions)
            if failed == 0:
                return "no match: every condition holds alone, but not together"
            return f"no match: {failed} of {len(branch.conditions)} conditions fail"
        return f"no match: none of the {len(self.branches)} branches holds"


def _show(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _short(value: Any, limit: int = 40) -> str:
    text = _show(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _found_text(c: ConditionResult) -> str:
    if not c.found:
        return "(missing)" if c.kind != "object" else "(object)"
    if len(c.found) == 1:
        return _short(c.found[0])
    return _short(list(c.found))


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    return "a string"


def _interval(m: Numeric) -> str:
    parts = []
    if m.lower is not None:
        parts.append(f"{'>=' if m.lower_inclusive else '>'} {_num(m.lower)}")
    if m.upper is not None:
        parts.append(f"{'<=' if m.upper_inclusive else '<'} {_num(m.upper)}")
    return " and ".join(parts) if parts else "any number"


def _num(v: float) -> str:
    return str(int(v)) if v.is_integer() and abs(v) < 2**53 else repr(v)


_STRING_ONLY = (Equals, Prefix, Suffix, EqualsIgnoreCase, Wildcard, Cidr)
_NUMBER_ONLY = (Numeric, NumberEquals)


def _op_name(m: Matcher) -> str:
    if isinstance(m, Equals):
        return "exact strings"
    names = {Prefix: "prefix", Suffix: "suffix", EqualsIgnoreCase: "equals-ignore-case", Wildcard: "wildcard",
             Cidr: "cidr", Numeric: "numeric", NumberEquals: "number values"}  # fmt: skip
    return names.get(type(m), type(m).__name__.lower())


def _why_not(matchers: tuple[Matcher, ...], values: list[Any]) -> tuple[str, str]:
    """(kind, reason) for present values that no matcher accepts."""
    ops = [m for m in matchers if not isinstance(m, Exists)]
    if any(isinstance(m, Exists) and not m.value for m in matchers) and not ops:
        return "present", "is present, but the list asks for it to be absent (`exists: false`)"
    if ops and all(isinstance(m, _STRING_ONLY) for m in ops) and not any(isinstance(v, str) for v in values):
        kinds = sorted({_type_name(v) for v in values})
        names = sorted({_op_name(m) for m in ops})
        verb = "matches" if len(names) == 1 else "match"
        return (
            "type",
            f"type mismatch: the value is {' or '.join(kinds)}; {', '.join(names)} {verb} strings only",
        )
    if (
        ops
        and all(isinstance(m, _NUMBER_ONLY) for m in ops)
        and not any(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)
    ):
        kinds = sorted({_type_name(v) for v in values})
        return (
            "type",
            f"type mismatch: the value is {' or '.join(kinds)}; numeric conditions match numbers only",
        )
    numerics = [m for m in ops if isinstance(m, Numeric)]
    if numerics and len(numerics) == len(ops):
        ranges = " or ".join(_interval(m) for m in numerics)
        return "range", f"outside the range: needs {ranges}"
    excluders = [m for m in ops if isinstance(m, AnythingBut)]
    if excluders and len(excluders) == len(ops):
        return "excluded", f"excluded by {_show(excluders[0].to_json())}"
    expected = [m.to_json() for m in ops]
    if all(isinstance(m, (Equals, NumberEquals, Literal)) for m in ops):
        return "value", f"is not one of {_short(expected, 60)}"
    return "value", f"matches none of {_short(expected, 60)}"


def _condition(condition: Condition, by_path: dict[str, list[EventLeaf]]) -> ConditionResult:
    path, leaf = condition.path, condition.leaf
    expected = leaf.to_json()
    leaves = by_path.get(path, [])
    values = [lf.value for lf in leaves]
    absent_ok = any(isinstance(m, Exists) and not m.value for m in leaf.matchers)
    if not leaves:
        if absent_ok:
            return ConditionResult(path, expected, (), True, "ok", "absent, as `exists: false` asks")
        inside = sorted(p for p in by_path if p.startswith(path + "."))
        if inside:
            return ConditionResult(
                path,
                expected,
                (),
                False,
                "object",
                f"`{path}` holds an object (fields like `{inside[0]}`); conditions test values",
            )
        parent = path
        while "." in parent:
            parent = parent.rsplit(".", 1)[0]
            if parent in by_path:  # the parent is a value, so nothing can be inside it
                value = by_path[parent][0].value
                return ConditionResult(
                    path,
                    expected,
                    (),
                    False,
                    "missing",
                    f"missing: `{parent}` holds {_type_name(value)} ({_short(value)}), not an object",
                )
            if any(p.startswith(parent + ".") for p in by_path):
                return _missing(path, expected, f"missing: the event has `{parent}` but no `{path}`", by_path)
        return _missing(path, expected, f"missing: the event has no `{path}`", by_path)
    for value in values:
        for m in leaf.matchers:
            if not isinstance(m, Exists) and value_matches(m, value):
                if isinstance(m, (Equals, NumberEquals, Literal)):
                    reason = f"is one of {_short(expected, 60)}"
                    if len(values) > 1:
                        reason = f"{_short(value)} is one of {_short(expected, 60)}"
                else:
                    reason = f"{_short(value)} matches {_short(m.to_json())}"
                return ConditionResult(path, expected, tuple(values), True, "ok", reason)
            if isinstance(m, Exists) and m.value:
                return ConditionResult(
                    path, expected, tuple(values), True, "ok", "is present (`exists: true`)"
                )
    kind, reason = _why_not(leaf.matchers, values)
    suggestion = ""
    if kind == "value":
        accepted = [m.value for m in leaf.matchers if isinstance(m, Equals)]
        close = next((c for v in values if isinstance(v, str) and (c := closest_value(v, accepted))), None)
        if close is not None:
            suggestion = _show(close)
            reason += f"; did you mean {suggestion}? (values match exactly: case, hyphens and spaces count)"
    return ConditionResult(path, expected, tuple(values), False, kind, reason, suggestion)


def _missing(
    path: str, expected: list[Any], reason: str, by_path: dict[str, list[EventLeaf]]
) -> ConditionResult:
    """A missing field's result, with the event's field of a near-miss name when there is one."""
    suggestion = _near_path(path, by_path)
    if suggestion:
        reason += f"; did you mean `{suggestion}`?"
    return ConditionResult(path, expected, (), False, "missing", reason, suggestion)


def _near_path(path: str, by_path: dict[str, list[EventLeaf]]) -> str:
    """The event's path where `path` names a field of the deepest level the event has, near-missed.

    ``detail.stat`` against an event with ``detail.state`` gives ``detail.state``; ``Detail.state``
    against ``detail.state`` gives ``detail.state`` (or ``detail`` alone when the rest of the
    path is not there either).
    """
    segments = path.split(".")
    for depth in range(len(segments) - 1, -1, -1):
        prefix = ".".join(segments[:depth]) + "." if depth else ""
        names = {p[len(prefix) :].split(".")[0] for p in by_path if p.startswith(prefix)}
        if not names:
            continue  # the event has nothing at this level either: look one level up
        guess = closest_name(segments[depth], names)
        if guess is None:
            return ""
        near = prefix + guess
        whole = ".".join([near, *segments[depth + 1 :]])
        return whole if whole in by_path else near
    return ""


def _element_numbers(flat: Any) -> list[int]:
    """Per context, its number among the object and array elements of its array (linear).

    Contexts of one array are numbered in the order they were met, so counting as they come
    gives each its place; scalar elements open no context and are not counted.
    """
    contexts = flat.contexts
    seen: dict[int, int] = {}
    numbers = [0] * len(contexts.parent)
    for c in range(1, len(contexts.parent)):
        array = contexts.array[c]
        numbers[c] = seen.get(array, 0)
        seen[array] = numbers[c] + 1
    return numbers


def _trail(leaf: EventLeaf, flat: Any, numbers: list[int]) -> tuple[tuple[int, int], ...]:
    """(array, element number) for every array element a leaf sits in, innermost first."""
    contexts = flat.contexts
    out = []
    c = leaf.context
    while c > 0:
        out.append((contexts.array[c], numbers[c]))
        c = contexts.parent[c]
    return tuple(out)


def _some(numbers: set[int], shown: int = 8) -> str:
    """`1, 3, 5` (and how many more past the first `shown`)."""
    ordered = sorted(numbers)
    text = ", ".join(str(x) for x in ordered[:shown])
    return text + (f" and {len(ordered) - shown} more" if len(ordered) > shown else "")


def _array_note(branch: tuple[Condition, ...], by_path: dict[str, list[EventLeaf]], flat: Any) -> str:
    """Name the array whose elements satisfy different conditions of one branch."""
    elements: dict[int, dict[str, set[int]]] = defaultdict(dict)
    numbers = _element_numbers(flat)
    for condition in branch:
        for lf in by_path.get(condition.path, []):
            if any(
                not isinstance(m, Exists) and value_matches(m, lf.value) for m in condition.leaf.matchers
            ) or any(isinstance(m, Exists) and m.value for m in condition.leaf.matchers):
                for array_id, index in _trail(lf, flat, numbers):
                    elements[array_id].setdefault(condition.path, set()).add(index)
    for per_path in elements.values():
        paths = sorted(per_path)
        for i, a in enumerate(paths):
            for b in paths[i + 1 :]:
                if not per_path[a] & per_path[b]:
                    ea, eb = _some(per_path[a]), _some(per_path[b])
                    return (
                        f"array elements satisfy different conditions: `{a}` holds in element {ea}, "
                        f"`{b}` in element {eb}; one element must satisfy both"
                    )
    return "the conditions hold on values from different array elements; one element must satisfy them all"


def explain(pattern: Explained, event: Any) -> Explanation:
    """Explain whether and why a pattern matches an event.

    Args:
        pattern: a compiled pattern (`patterns.compile`).
        event: the input, as `Pattern.matches` takes it (JSON bytes or text, a dict; for SNS
            dialects the attributes map or the message body).

    Returns:
        The verdict, and per branch and condition what the event holds and which test failed.

    Raises:
        InvalidEventError: the input is not one the service accepts (see `Pattern.matches`).
    """
    decoded = pattern.dialect.decode(event)
    if decoded is None:
        empty = not (pattern.model.fields or pattern.model.ors)
        return Explanation(
            empty,
            (),
            "the service does not filter this input (an SNS body that is not a JSON object, or a message "
            "without attributes): only an empty policy lets it through",
        )
    flat = flatten(decoded)
    # a flattened event is a `Flat` (leaves and their contexts); older twins gave the leaves alone
    leaves = getattr(flat, "leaves", flat)
    by_path: dict[str, list[EventLeaf]] = defaultdict(list)
    for lf in leaves:
        by_path[lf.path].append(lf)
    results = []
    for branch in pattern.branches:
        holds = oracle_matches([branch], flat)
        conditions = tuple(_condition(c, by_path) for c in branch)
        note = ""
        if not holds and all(c.holds for c in conditions):
            note = _array_note(branch, by_path, flat)
        results.append(BranchResult(holds, conditions, note))
    return Explanation(any(b.holds for b in results), tuple(results))
