"""The pattern model: frozen dataclasses for a validated pattern, each node keeping its source span.

A pattern is a tree that mirrors the JSON it came from:

    Obj(fields=(Field("source", Leaf((Equals("aws.ec2"),))),
                Field("detail", Obj(fields=(Field("state", Leaf((AnythingBut("values", ("running",)),))),)))),
        ors=())

`Obj.fields` AND together, the matchers of one `Leaf` OR together, and every `Or` (a `$or` key)
ORs its branches, each itself an `Obj` read relative to where the `$or` stands. `expand()` turns
the tree into its disjunctive normal form: a tuple of *branches*, each a tuple of `Condition`s
(dotted path + leaf) that must all hold. Matchers, the compiler and the linter all read that form.

Every matcher kind is its own class, so that a pattern's `true` and `1` (equal in Python) never
compare equal here. Spans and JSON paths are excluded from equality: two patterns are equal when
they match the same events by construction, wherever they were written.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from ._trampoline import Walk, run
from .parse import Span

__all__ = [
    "AnythingBut",
    "Branch",
    "Cidr",
    "Condition",
    "Equals",
    "EqualsIgnoreCase",
    "Exists",
    "Field",
    "Leaf",
    "Literal",
    "Matcher",
    "NumberEquals",
    "Numeric",
    "Obj",
    "Or",
    "Prefix",
    "Suffix",
    "Wildcard",
]


def _meta() -> Any:
    return field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Equals:
    """Exact string: the event value is this string, byte for byte."""

    value: str
    span: Span | None = _meta()

    def to_json(self) -> Any:
        return self.value


@dataclass(frozen=True, slots=True)
class NumberEquals:
    """A number in a value list: any event number equal to it as a double (300 matches 300.0)."""

    value: float
    text: str = field(default="", compare=False)
    span: Span | None = _meta()

    def to_json(self) -> Any:
        if math.isinf(self.value):
            # JSON has no infinity: a literal past a double's range (1e309) is written as an
            # integer past it, which reads back as the same infinite double.
            return 10**309 if self.value > 0 else -(10**309)
        return int(self.value) if self.value.is_integer() and abs(self.value) < 2**53 else self.value


@dataclass(frozen=True, slots=True)
class Literal:
    """``true``, ``false`` or ``null`` in a value list."""

    value: bool | None
    span: Span | None = _meta()

    def to_json(self) -> Any:
        return self.value


@dataclass(frozen=True, slots=True)
class Prefix:
    """``{"prefix": v}`` or, with `ignore_case`, ``{"prefix": {"equals-ignore-case": v}}``."""

    value: str
    ignore_case: bool = False
    span: Span | None = _meta()

    def to_json(self) -> Any:
        return {"prefix": {"equals-ignore-case": self.value} if self.ignore_case else self.value}


@dataclass(frozen=True, slots=True)
class Suffix:
    """``{"suffix": v}`` or, with `ignore_case`, ``{"suffix": {"equals-ignore-case": v}}``."""

    value: str
    ignore_case: bool = False
    span: Span | None = _meta()

    def to_json(self) -> Any:
        return {"suffix": {"equals-ignore-case": self.value} if self.ignore_case else self.value}


@dataclass(frozen=True, slots=True)
class EqualsIgnoreCase:
    """``{"equals-ignore-case": v}``: equal after full Unicode case folding."""

    value: str
    span: Span | None = _meta()

    def to_json(self) -> Any:
        return {"equals-ignore-case": self.value}


@dataclass(frozen=True, slots=True)
class Wildcard:
    """``{"wildcard": v}``: ``*`` is any run of characters; ``\\*`` and ``\\\\`` are literal."""

    value: str
    span: Span | None = _meta()

    def to_json(self) -> Any:
        return {"wildcard": self.value}


@dataclass(frozen=True, slots=True)
class AnythingBut:
    """``{"anything-but": ...}``: some value of the field is not excluded.

    `kind` is ``"values"`` (strings or numbers, equal as for `Equals` / `NumberEquals`),
    ``"prefix"``, ``"suffix"``, ``"equals-ignore-case"`` or ``"wildcard"``; `values` holds the
    excluded strings (numbers as floats for ``"values"``). `single` records whether the pattern gave
    one value rather than a list, for faithful serialisation only.
    """

    kind: str
    values: tuple[str | float, ...]
    single: bool = field(default=False, compare=False)
    span: Span | None = _meta()

    def to_json(self) -> Any:
        values: list[Any] = [
            int(v) if isinstance(v, float) and v.is_integer() and abs(v) < 2**53 else v for v in self.values
        ]
        operand: Any = values[0] if self.single else values
        if self.kind == "values":
            return {"anything-but": operand}
        return {"anything-but": {self.kind: operand}}


@dataclass(frozen=True, slots=True)
class Numeric:
    """``{"numeric": [...]}`` as an interval; a bound of None is unbounded on that side."""

    lower: float | None
    lower_inclusive: bool
    upper: float | None
    upper_inclusive: bool
    span: Span | None = _meta()

    def to_json(self) -> Any:
        def num(v: float) -> Any:
            return int(v) if v.is_integer() and abs(v) < 2**53 else v

        if self.lower is not None and self.lower == self.upper:
            return {"numeric": ["=", num(self.lower)]}
        terms: list[Any] = []
        if self.lower is not None:
            terms += [">=" if self.lower_inclusive else ">", num(self.lower)]
        if self.upper is not None:
            terms += ["<=" if self.upper_inclusive else "<", num(self.upper)]
        return {"numeric": terms}


@dataclass(frozen=True, slots=True)
class Exists:
    """``{"exists": true|false}``: the field has (or has no) scalar value in the event.

    `needs_value`: ``exists: true`` holds only for a value that is neither null nor ``""`` (SNS's
    message-body scope: "the key must have a non-null and non-empty value"; set by the dialect).
    """

    value: bool
    span: Span | None = _meta()
    needs_value: bool = False

    def to_json(self) -> Any:
        return {"exists": self.value}


@dataclass(frozen=True, slots=True)
class Cidr:
    """``{"cidr": "10.0.0.0/24"}``: a string IP address inside the network.

    `version` is 4 or 6; `low` and `high` are the first and last address of the network as
    integers, so membership is one range test.
    """

    text: str = field(compare=False)
    version: int
    low: int
    high: int
    span: Span | None = _meta()

    def to_json(self) -> Any:
        return {"cidr": self.text}


Matcher = (
    Equals
    | NumberEquals
    | Literal
    | Prefix
    | Suffix
    | EqualsIgnoreCase
    | Wildcard
    | AnythingBut
    | Numeric
    | Exists
    | Cidr
)


@dataclass(frozen=True, slots=True)
class Leaf:
    """A value list: the field matches when any of `matchers` does."""

    matchers: tuple[Matcher, ...]
    span: Span | None = _meta()
    json_path: str = field(default="", compare=False)

    def to_json(self) -> Any:
        return [m.to_json() for m in self.matchers]


@dataclass(frozen=True, slots=True, eq=False)
class Field:
    """One key of a pattern object, with a nested object or a value list under it."""

    key: str
    value: Obj | Leaf
    span: Span | None = _meta()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Field):
            return NotImplemented
        return Obj((self,)) == Obj((other,))

    def __hash__(self) -> int:
        return hash(Obj((self,)))


@dataclass(frozen=True, slots=True, eq=False)
class Or:
    """A recognised ``$or``: any one branch must hold; branches read relative to their parent."""

    branches: tuple[Obj, ...]
    span: Span | None = _meta()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Or):
            return NotImplemented
        return Obj((), (self,)) == Obj((), (other,))

    def __hash__(self) -> int:
        return hash(Obj((), (self,)))


@dataclass(frozen=True, slots=True, eq=False)
class Obj:
    """A pattern object: all `fields` and every `Or` in `ors` must hold."""

    fields: tuple[Field, ...]
    ors: tuple[Or, ...] = ()
    span: Span | None = _meta()

    def to_json(self) -> dict:
        """Serialise back to a JSON-ready dict that compiles to a pattern matching the same events.

        A key the source repeated becomes one key: repeated objects merge (AWS keeps every path
        of each), and of repeated value lists the last stays (AWS keeps the last). Several ``$or``
        keys in one object become one ``$or`` over their cross product.
        """
        return run(self._to_json())

    def _to_json(self) -> Walk[dict]:
        out: dict[str, Any] = {}
        for f in self.fields:
            value = (yield f.value._to_json()) if isinstance(f.value, Obj) else f.value.to_json()
            if isinstance(value, dict) and isinstance(out.get(f.key), dict):
                out[f.key] = yield _merge(out[f.key], value)
            else:
                out.pop(f.key, None)
                out[f.key] = value
        if self.ors:
            alternatives: list[dict] = [{}]
            for group in self.ors:
                serialised = []
                for b in group.branches:
                    serialised.append((yield b._to_json()))
                merged = []
                for a in alternatives:
                    for b in serialised:
                        merged.append((yield _merge(a, b)))
                alternatives = merged
            out["$or"] = alternatives
        return out

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Obj):
            return NotImplemented
        return self is other or _shape(self) == _shape(other)

    def __hash__(self) -> int:
        return hash(_shape(self))


def _shape(obj: Obj) -> tuple:
    """A flat tuple equal for two objects exactly when they are equal (spans aside).

    Built without recursion, so comparing and hashing deep patterns needs no stack: a dataclass's
    generated ``__eq__`` would recurse once per level, through C.
    """
    out: list[Any] = []
    stack: list[Any] = [obj]
    while stack:
        node = stack.pop()
        if isinstance(node, Obj):
            out.append(("{", len(node.fields), len(node.ors)))
            # pushed in reverse: popped, and so written, in order
            stack.extend(reversed(node.ors))
            stack.extend(reversed(node.fields))
        elif isinstance(node, Field):
            out.append(node.key)
            if isinstance(node.value, Leaf):
                out.append(node.value)
            else:
                stack.append(node.value)
        else:  # Or
            out.append(("$or", len(node.branches)))
            stack.extend(reversed(node.branches))
    return tuple(out)


def _merge(first: dict, second: dict) -> Walk[dict]:
    """Two serialised pattern objects as one: nested objects merge, the second's lists win."""
    out = dict(first)
    for key, value in second.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = yield _merge(out[key], value)
        elif key == "$or" and "$or" in out:
            merged = []
            for a in out[key]:
                for b in value:
                    merged.append((yield _merge(a, b)))
            out[key] = merged
        else:
            out.pop(key, None)
            out[key] = value
    return out


def flatten_model(obj: Obj) -> list[Any]:
    """A pattern model as a flat list (post-order), for pickling without recursion.

    Leaves stay objects (they are shallow); each `Field`, `Or` and `Obj` becomes one tuple that
    says how many of the items before it are its children. `unflatten_model` inverts it.
    """
    out: list[Any] = []
    # (node, expanded?): a node is written after its children, so it is pushed twice
    stack: list[tuple[Any, bool]] = [(obj, False)]
    while stack:
        node, expanded = stack.pop()
        if isinstance(node, Leaf):
            out.append(node)
        elif expanded:
            if isinstance(node, Obj):
                out.append(("O", len(node.fields), len(node.ors), node.span))
            elif isinstance(node, Field):
                out.append(("F", node.key, node.span))
            else:
                out.append(("R", len(node.branches), node.span))
        else:
            stack.append((node, True))
            if isinstance(node, Obj):
                children = list(node.fields) + list(node.ors)
            elif isinstance(node, Field):
                children = [node.value]
            else:
                children = list(node.branches)
            stack.extend((child, False) for child in reversed(children))
    return out


def unflatten_model(items: list[Any]) -> Obj:
    """The model `flatten_model` wrote (one loop, any depth)."""
    built: list[Any] = []
    for item in items:
        if isinstance(item, Leaf):
            built.append(item)
            continue
        kind = item[0]
        if kind == "F":
            built.append(Field(item[1], built.pop(), item[2]))
        elif kind == "R":
            n = item[1]
            branches = tuple(built[len(built) - n :]) if n else ()
            del built[len(built) - n :]
            built.append(Or(branches, item[2]))
        else:
            nf, no = item[1], item[2]
            parts = built[len(built) - nf - no :] if nf + no else []
            del built[len(built) - nf - no :]
            built.append(Obj(tuple(parts[:nf]), tuple(parts[nf:]), item[3]))
    (root,) = built
    return root


def _reduce_by_fields(self: Any) -> tuple:
    # Pickle a flat model dataclass by its field values: frozen, slotted dataclasses otherwise
    # restore through dataclasses.fields() per object, several times slower.
    return (type(self), tuple(getattr(self, name) for name in self.__slots__))


for _cls in (Equals, NumberEquals, Literal, Prefix, Suffix, EqualsIgnoreCase, Wildcard, AnythingBut):
    _cls.__reduce__ = _reduce_by_fields  # type: ignore[method-assign]
for _cls in (Numeric, Exists, Cidr, Leaf):
    _cls.__reduce__ = _reduce_by_fields  # type: ignore[method-assign]
Span.__reduce__ = _reduce_by_fields  # type: ignore[method-assign]


@dataclass(frozen=True, slots=True)
class Condition:
    """One leaf test of an expanded branch: the event field at `path` (dotted) satisfies `leaf`."""

    path: str
    leaf: Leaf


Branch = tuple[Condition, ...]

_T = TypeVar("_T")
_new = object.__new__


def _maker(cls: type[_T]) -> Callable[..., _T]:
    """A constructor of a frozen slotted dataclass of two or three fields that skips its
    generated ``__init__``: every field given, positionally, in order.

    A frozen dataclass's ``__init__`` sets each field through ``object.__setattr__``; setting the
    slots directly costs about half as much (measured: 276 ns for 472 ns). The walks that build a
    model make some twenty objects per pattern (`patterns.validate`'s direct walk, `expand`);
    everything else calls the class.
    """
    first, second, *rest = (getattr(cls, name).__set__ for name in cls.__slots__)  # type: ignore[attr-defined]
    if not rest:

        def make2(a: Any, b: Any) -> _T:
            obj = _new(cls)
            first(obj, a)
            second(obj, b)
            return obj

        return make2
    (third,) = rest

    def make3(a: Any, b: Any, c: Any) -> _T:
        obj = _new(cls)
        first(obj, a)
        second(obj, b)
        third(obj, c)
        return obj

    return make3


#: (see `_maker`) ``make_obj(fields, ors, span)``, ``make_field(key, value, span)``,
#: ``make_leaf(matchers, span, json_path)``, ``make_equals(value, span)``,
#: ``make_literal(value, span)``, ``make_condition(path, leaf)``.
make_obj = _maker(Obj)
make_field = _maker(Field)
make_leaf = _maker(Leaf)
make_equals = _maker(Equals)
make_literal = _maker(Literal)
make_condition = _maker(Condition)


def count_branches(obj: Obj, limit: int | None = None) -> int:
    """How many branches `expand` would give, computed without expanding (for the ``$or`` cap).

    Args:
        obj: the pattern model.
        limit: when given, counting stops past it: any answer above `limit` is `limit` + 1, so
            10^5 ``$or`` groups of two cost 10^5 steps, not a 2^100000 product.

    Returns:
        The count (capped at `limit` + 1).
    """
    cap = None if limit is None else limit + 1
    return run(_count(obj, cap))


def _count(obj: Obj, cap: int | None) -> Walk[int]:
    total = 1
    for f in obj.fields:
        if isinstance(f.value, Obj):
            total *= yield _count(f.value, cap)
            if cap is not None and total >= cap:
                return cap
    for group in obj.ors:
        alternatives = 0
        for b in group.branches:
            alternatives += yield _count(b, cap)
            if cap is not None and alternatives >= cap:
                return cap
        total *= alternatives
        if cap is not None and total >= cap:
            return cap
    return total


def expand(obj: Obj) -> tuple[Branch, ...]:
    """The disjunctive normal form of a pattern: its branches, each an AND of conditions.

    Paths are dotted (``{"a": {"b": ...}}`` and ``{"a.b": ...}`` both give ``a.b``). Within one
    branch a path holds one value list: where a pattern names the same path twice (a dotted key
    beside its nesting, or a ``$or`` branch repeating a field of its parent), the one met last in
    document order wins, as in AWS's rule compiler, which keeps one value list per path.

    Args:
        obj: the pattern model.

    Returns:
        The branches, in the order ``$or`` lists them.
    """
    try:
        branches = [_expand_single(obj, "", 0)]
    except _HasOr:
        try:
            branches = _expand_direct(obj, "", 0)
        except (_TooDeep, RecursionError):  # (RecursionError: a caller deep in its stack)
            branches = run(_expand(obj, ""))
    except (_TooDeep, RecursionError):
        branches = run(_expand(obj, ""))
    return tuple(
        [tuple([make_condition(path, leaf) for path, leaf in branch.items()]) for branch in branches]
    )


#: Levels `_expand_direct` recurses on the interpreter's stack before `expand` walks the pattern
#: with the trampoline instead: typical patterns nest a few levels; Jackson allows 1,000.
_DIRECT_DEPTH = 32


class _TooDeep(Exception):
    pass


class _HasOr(Exception):
    pass


def _expand_single(obj: Obj, prefix: str, depth: int) -> dict[str, Leaf]:
    # The one branch of a pattern without `$or` (most rules): `_expand_direct` without its
    # lists of branches (a quarter of its time), merging alike (a leaf met again moves last, a
    # nested object's paths update in place). Raises `_HasOr` at the first `$or` met, and
    # `_TooDeep` as `_expand_direct`. tests/property/test_direct_walk.py holds them equal.
    if obj.ors:
        raise _HasOr
    if depth > _DIRECT_DEPTH:
        raise _TooDeep
    out: dict[str, Leaf] = {}
    for f in obj.fields:
        path = sys.intern(f"{prefix}.{f.key}" if prefix else f.key)  # (as in `_expand_direct`)
        value = f.value
        if type(value) is Leaf:
            out.pop(path, None)
            out[path] = value
        else:
            out.update(_expand_single(value, path, depth + 1))
    return out


def _expand_direct(obj: Obj, prefix: str, depth: int) -> list[dict[str, Leaf]]:
    # `_expand` as plain recursion, for patterns up to `_DIRECT_DEPTH` deep: no generator per
    # object. tests/property/test_direct_walk.py holds the two equal.
    if depth > _DIRECT_DEPTH:
        raise _TooDeep
    branches: list[dict[str, Leaf]] = [{}]
    for f in obj.fields:
        # interned: every rule naming a path shares one string (a Machine keeps every rule's)
        path = sys.intern(f"{prefix}.{f.key}" if prefix else f.key)
        if isinstance(f.value, Leaf):
            for branch in branches:
                branch.pop(path, None)  # re-insert so that document order is kept
                branch[path] = f.value
        else:
            subs = _expand_direct(f.value, path, depth + 1)
            if len(branches) == 1 and len(subs) == 1:
                branches[0].update(subs[0])  # as below: the dicts in `branches` are this call's
            else:
                branches = [{**branch, **sub} for branch in branches for sub in subs]
    for group in obj.ors:
        alternatives = []
        for b in group.branches:
            alternatives.extend(_expand_direct(b, prefix, depth + 1))
        branches = [{**branch, **alt} for branch in branches for alt in alternatives]
    return branches


def _expand(obj: Obj, prefix: str) -> Walk[list[dict[str, Leaf]]]:
    branches: list[dict[str, Leaf]] = [{}]
    for f in obj.fields:
        path = sys.intern(f"{prefix}.{f.key}" if prefix else f.key)  # (as in `_expand_direct`)
        if isinstance(f.value, Leaf):
            for branch in branches:
                branch.pop(path, None)  # re-insert so that document order is kept
                branch[path] = f.value
        else:
            subs = yield _expand(f.value, path)
            branches = [{**branch, **sub} for branch in branches for sub in subs]
    for group in obj.ors:
        alternatives = []
        for b in group.branches:
            alternatives.extend((yield _expand(b, prefix)))
        branches = [{**branch, **alt} for branch in branches for alt in alternatives]
    return branches
