"""`compile` and `Pattern`: from pattern text or dict to a validated, matchable pattern.

Decoding takes one of two roads. The fast road decodes the text with orjson and validates the
decoded value; it has no source positions. The slow road parses with lark, which keeps every
node's span. The slow road is taken only when positions or exact source order matter: the text is
not valid JSON (to word the fault as AWS does), it may hold a duplicate key (AWS keeps the last
one *per path*, which a decoded dict cannot show), or validation failed (to say where). So a
valid pattern costs an orjson decode, and an invalid one always reports line and column.

A typical decoded pattern (text or dict) is first offered to the direct walk
(`validate.validate_decoded`), which builds the model without source nodes and never refuses:
whatever it cannot vouch for takes the roads above, as before.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from typing import Any, TypeAlias

import orjson

from . import engine
from ._gc import paused as collector_paused
from ._json import int_text
from .compiler import one_rule_tables
from .dialects import Dialect, get_dialect
from .engine import Twin
from .errors import InvalidPatternError
from .events import find_non_json
from .explain import Explanation, explain
from .model import Branch, Obj, expand, flatten_model, unflatten_model
from .parse import JArray, JLiteral, JMember, JNode, JNumber, JObject, JsonSyntaxError, JString, parse_json
from .validate import LimitRejection, Rejection, validate, validate_decoded

__all__ = ["Pattern", "compile"]

#: What `compile` and `patterns.Machine.add` take: JSON text, UTF-8 bytes, or a decoded object, as
#: any `Mapping` (a dict, ``MappingProxyType``, a frozen map; nested ones too).
PatternSource: TypeAlias = str | bytes | bytearray | Mapping[str, Any]

# A JSON string literal; removing these from pattern text leaves one ':' per object member. An
# unterminated one runs to the end of the text: each match then consumes what it scanned, so the
# removal is linear in the text even when it is not JSON (possessive: nothing is scanned twice).
_JSON_STRING = re.compile(r'"(?:[^"\\]++|\\.)*+"?', re.DOTALL)


class Pattern:
    """A validated pattern of one dialect, ready to match events.

    Instances are immutable and safe to share between threads, and they pickle (by their
    model and dialect name: loading does not validate again).

    Attributes:
        dialect: the `Dialect` it was validated against.
        model: the pattern model (`patterns.model.Obj`).
        branches: its disjunctive normal form (`patterns.model.expand`).
        source: the text it was compiled from, or None for a dict.
    """

    __slots__ = ("_branches", "_tables", "dialect", "model", "source")

    def __init__(self, model: Obj, dialect: Dialect, source: str | None = None) -> None:
        self.model = model
        self.dialect = dialect
        self.source = source
        # `branches` and the one-rule automaton `matches` runs, each made on first use (a
        # pattern compiled only to be checked needs neither). Threads racing to make one each
        # make an equal one and keep whichever they stored: nothing else is written.
        self._branches: tuple[Branch, ...] | None = None
        self._tables: Any = None

    @property
    def branches(self) -> tuple[Branch, ...]:
        """Its disjunctive normal form (`patterns.model.expand`), made on first use."""
        branches = self._branches
        if branches is None:
            branches = self._branches = expand(self.model)
        return branches

    def _unkept_branches(self) -> tuple[Branch, ...]:
        # `branches`, not kept on the pattern when they were not made yet: a `Machine` reads a
        # rule's branches once to insert it (and again to remove it), and its trie holds what
        # it needs of them; kept, they would be about 250 bytes a rule of a many-tenant
        # machine (tuples and `Condition`s; the leaves are the model's own either way).
        branches = self._branches
        return expand(self.model) if branches is None else branches

    def __reduce__(self) -> tuple:
        # The model goes as a flat list: pickle recurses per nesting level, and a pattern may
        # nest 1,000 deep.
        return (_restore_pattern, (flatten_model(self.model), self.dialect.name, self.source))

    def matches(self, event: Any) -> bool:
        """Whether the pattern matches an event, read as the dialect's service reads its input.

        Args:
            event: EventBridge: JSON bytes, JSON text, or a decoded dict. ``sns-attributes``: the
                Publish ``MessageAttributes`` map. ``sns-body``: the message body (text, bytes
                or a decoded object). See `Dialect.decode`.

        Returns:
            True when the event matches. An input the service never filters (an SNS body that
            is not a JSON object, a message without attributes) matches only the empty policy.
            Decided by a one-rule automaton (`patterns.Machine`'s engine, built on first use);
            `patterns.oracle`, the reference matcher, is what the tests hold it to.

        Raises:
            InvalidEventError: the event is not JSON, not valid UTF-8, or not a JSON object
                (EventBridge), or the service would refuse the input (see `patterns.sns`).
        """
        tables = self._tables
        if tables is None:
            tables = self._tables = one_rule_tables(self.branches, self.is_empty, Twin.current())
        return bool(engine.run(tables, self.dialect, event))

    @property
    def is_empty(self) -> bool:
        """Whether this is the empty pattern ``{}``, which matches every input."""
        return not (self.model.fields or self.model.ors)

    def to_json(self) -> dict:
        """The pattern as a JSON-ready dict; compiling it gives an equal `Pattern`."""
        return self.model.to_json()

    def __eq__(self, other: object) -> bool:
        # Equal when they match the same events by construction: same dialect, same branches
        # (in any order, conditions in any order). Spans, key order and a key the source
        # repeated (AWS keeps the last value list per path) make no difference, so
        # ``compile(p.to_json()) == p`` always holds.
        if not isinstance(other, Pattern):
            return NotImplemented
        return self.dialect.name == other.dialect.name and self._meaning() == other._meaning()

    def __hash__(self) -> int:
        return hash((self.dialect.name, self._meaning()))

    def _meaning(self) -> frozenset:
        return frozenset(frozenset(branch) for branch in self.branches)

    def __repr__(self) -> str:
        # json, not orjson: a pattern may hold a lone surrogate ("\ud800"), which orjson refuses
        text = json.dumps(self.to_json(), ensure_ascii=False, separators=(",", ":"))
        return f"Pattern({text!r}, dialect={self.dialect.name!r})"

    def explain(self, event: Any) -> Explanation:
        """Why the pattern matches an event or not: per condition, what the event holds and which
        test failed (see `patterns.explain.explain`).

        Args:
            event: the input, as `matches` takes it.

        Returns:
            A `patterns.explain.Explanation`; ``str()`` of it reads at a glance.

        Raises:
            InvalidEventError: as `matches`.
        """
        return explain(self, event)


def _restore_pattern(model: list, dialect: str, source: str | None) -> Pattern:
    return Pattern(unflatten_model(model), get_dialect(dialect), source)


def compile(pattern: PatternSource, *, dialect: str | Dialect = "eventbridge") -> Pattern:
    """Validate a pattern exactly as AWS does and prepare it for matching.

    Args:
        pattern: JSON text (str or UTF-8 bytes) or an already-decoded object: a dict or any
            other `Mapping` (nested mappings read as JSON objects too).
        dialect: ``"eventbridge"`` (the default) or another name in `patterns.dialects.DIALECTS`.

    Returns:
        The compiled pattern.

    Raises:
        InvalidPatternError: AWS would reject the pattern; ``str(err)`` is AWS's message.
        ValueError: unknown dialect name.
    """
    d = get_dialect(dialect)
    if isinstance(pattern, (bytes, bytearray)):
        try:
            pattern = bytes(pattern).decode("utf-8")
        except UnicodeDecodeError as exc:
            byte = bytes(pattern)[exc.start]
            raise _error(d, f"Invalid UTF-8 start byte 0x{byte:02x}", offset=exc.start) from None
    if isinstance(pattern, str):
        if len(pattern) < _LARGE_TEXT:
            return _compile_text(pattern, d)
        with collector_paused():  # (see `_LARGE_TEXT`)
            try:
                return _compile_text(pattern, d)
            except InvalidPatternError as exc:
                # Its traceback and context hold the frames of the walk, and through them the
                # decoded tree: dropped here, it is freed before the collector is back on
                # (else the first collection after the pause walks all of it).
                error = exc.with_traceback(None)
                error.__context__ = None
        raise error
    direct = validate_decoded(pattern, d)  # None: a fault, deep nesting, or not plain JSON types
    if direct is not None:
        return Pattern(_check_limits(direct[0], d, pattern), d, None)
    _check_depth(_value_depth(pattern), d)
    try:
        node, _ = _convert(pattern)
    except _NotJson:
        # Mappings that are not dicts take this road only, so a dict costs nothing more
        thawed = _thaw(pattern)
        if thawed is not None:
            pattern = thawed
            _check_depth(_value_depth(pattern), d)
        node, _ = from_python(pattern, d)  # raises, with the path, when it is still not JSON
    return Pattern(_validate(node, d, None, pattern), d, None)


def _thaw(value: Any) -> Any:
    """A copy of `value` with every `Mapping` that is not a dict made a dict (lists and tuples
    copied as lists), or None when it holds none.

    Walks with its own stack. Containers nested deeper than `MAX_NESTING_DEPTH` are left as they
    are (the depth check refuses the pattern anyway), which also ends the walk of a cycle.
    """
    found = False

    def opened(v: Any) -> Any:
        nonlocal found
        if isinstance(v, Mapping):
            found = found or not isinstance(v, dict)
            return dict(v.items())
        return list(v)

    if not isinstance(value, (Mapping, list, tuple)):
        return None
    root = opened(value)
    stack = [(root, 1)]
    while stack:
        container, depth = stack.pop()
        if depth > MAX_NESTING_DEPTH:
            continue
        steps = container.items() if isinstance(container, dict) else enumerate(container)
        for step, child in list(steps):
            if isinstance(child, (Mapping, list, tuple)):
                container[step] = new = opened(child)
                stack.append((new, depth + 1))
    return root if found else None


#: Pattern text from this many characters on is decoded and validated with the cyclic collector
#: paused (`patterns._gc`): about a million new containers for 3 MB of text otherwise start full
#: collections over and over, two thirds of the time a 100,000-branch `$or` took to be refused.
_LARGE_TEXT = 1 << 16


def _compile_text(text: str, d: Dialect) -> Pattern:
    stripped: str | None = None  # the text without its string literals, made only when needed
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError:
        stripped = _JSON_STRING.sub("", text)
        if len(stripped) > 2 * MAX_NESTING_DEPTH:  # shorter text cannot nest deeper than the cap
            _check_depth(_text_depth(stripped), d)
        return Pattern(_validate(_parse_or_raise(text, d), d, text, text), d, text)
    direct = validate_decoded(value, d)
    if direct is not None:
        obj, members, long_numbers = direct
        # Every member has its ':' (one more for a repeated key), and strings may hold more:
        # a count equal to the members proves no key repeats, with no need to remove strings.
        # Only a float or a long integer can have come from a number literal orjson may have
        # rounded (a long mantissa, an exponent).
        if members != text.count(":") or long_numbers:
            stripped = _JSON_STRING.sub("", text)
        if stripped is None or (members == stripped.count(":") and not _INEXACT_NUMBER.search(stripped)):
            return Pattern(_check_limits(obj, d, text), d, text)
    if stripped is None:
        stripped = _JSON_STRING.sub("", text)
    members, depth = _shape(value)  # the text's nesting is the value's
    _check_depth(depth, d)
    node = _lazy_node(value)  # orjson gives JSON values only: nothing to refuse here
    if members != stripped.count(":") or _INEXACT_NUMBER.search(stripped):
        # A duplicate key (AWS's per-path rule needs the source), or a number a double may
        # not reproduce (a long mantissa, an exponent: 1e-400 reads as 0.0): its source
        # text decides (`Cannot compare number`), and orjson keeps only the double (recent
        # versions also turn huge integers into floats). Either road gives one verdict.
        node = _parse_or_raise(text, d)
    return Pattern(_validate(node, d, text, text), d, text)


#: Jackson's default StreamReadConstraints.maxNestingDepth, which AWS's parser enforces.
MAX_NESTING_DEPTH = 1000
_BRACKETS = re.compile(r"[\[\]{}]")
# A number literal with 15 or more mantissa characters (digits and a point), or with an exponent:
# a double holds 15 significant digits exactly, so shorter literals without an exponent read the
# same from orjson's double as from their text. (String literals are removed before this is
# searched.)
_INEXACT_NUMBER = re.compile(r"[0-9][0-9.]{14,}|[0-9][eE]")


def _text_depth(stripped: str) -> int:
    """The deepest nesting of brackets in JSON text whose string literals were removed."""
    depth = deepest = 0
    for bracket in _BRACKETS.findall(stripped):
        if bracket in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def _value_depth(value: Any) -> int:
    """The deepest nesting of dicts and lists in a decoded value (walked without recursion)."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        v, depth = stack.pop()
        if isinstance(v, dict):
            deepest = max(deepest, depth)
            stack.extend((child, depth + 1) for child in v.values())
        elif isinstance(v, (list, tuple)):
            deepest = max(deepest, depth)
            stack.extend((child, depth + 1) for child in v)
    return deepest


def _check_depth(depth: int, d: Dialect) -> None:
    if depth > MAX_NESTING_DEPTH:
        raise _error(
            d,
            f"Document nesting depth ({MAX_NESTING_DEPTH + 1}) exceeds the maximum allowed "
            f"({MAX_NESTING_DEPTH}, from `StreamReadConstraints.getMaxNestingDepth()`)",
        )


def _parse_or_raise(text: str, d: Dialect) -> JNode:
    try:
        return parse_json(text)
    except JsonSyntaxError as exc:
        raise _error(
            d, d.syntax_prefix + exc.reason, line=exc.line, column=exc.column, offset=exc.offset
        ) from None


def _validate(node: JNode, d: Dialect, text: str | None, source: Any = None) -> Obj:
    try:
        obj = validate(node, d)
    except Rejection as rejection:
        if rejection.span is None and text is not None and not isinstance(rejection, LimitRejection):
            # The fast road has no positions: walk the source again to say where the fault is.
            try:
                validate(parse_json(text), d)
            except Rejection as located:
                rejection = located
            except JsonSyntaxError:  # cannot happen for text orjson read; keep the first answer
                pass
        raise _rejection_error(d, rejection) from None
    # (the ``$or`` combinations were counted, and refused, by the validation walk itself)
    return _check_limits(obj, d, source)


def _check_limits(obj: Obj, d: Dialect, source: Any) -> Obj:
    # The service's limits on a valid pattern (`Dialect.limit_check`); `source` as given
    if d.limit_check is not None:
        reason = d.limit_check(obj, d, source)
        if reason is not None:
            raise _error(d, reason, path="$")
    return obj


def _rejection_error(d: Dialect, rejection: Rejection) -> InvalidPatternError:
    span = rejection.span
    message = d.whole_prefix + rejection.reason if rejection.whole else d.message(rejection.reason)
    return InvalidPatternError(
        message,
        rejection.reason,
        path=rejection.json_path,
        line=span.line if span else None,
        column=span.column if span else None,
        end_line=span.end_line if span else None,
        end_column=span.end_column if span else None,
        offset=span.offset if span else None,
    )


def _error(d: Dialect, reason: str, **where: Any) -> InvalidPatternError:
    return InvalidPatternError(d.message(reason), reason, **where)


def from_python(value: Any, d: Dialect) -> tuple[JNode, int]:
    """Turn a decoded JSON value into source nodes (without spans), checking it is JSON.

    Args:
        value: dict, list, str, int, float, bool or None, nested.
        d: the dialect, for the wording of errors.

    Returns:
        The root node and the number of object members in the tree.

    Raises:
        InvalidPatternError: the value holds something JSON cannot (a set, a non-string key, NaN).
    """
    try:
        return _convert(value)
    except _NotJson:
        pass
    # Only now work out where the fault is: building JSON paths on the way costs every call.
    path, message = find_non_json(value)
    raise _error(d, message, path=path)


def _shape(value: Any) -> tuple[int, int]:
    """(object members at any depth, deepest nesting) of a decoded JSON value (its own stack)."""
    members = deepest = 0
    stack = [(value, 1)]
    pop, push = stack.pop, stack.append
    while stack:
        container, depth = pop()
        if type(container) is dict:
            members += len(container)
            container = container.values()
        elif type(container) is not list:
            continue
        if depth > deepest:
            deepest = depth
        depth += 1
        for child in container:
            if type(child) in _JSON_CONTAINERS:
                push((child, depth))
    return members, deepest


_JSON_CONTAINERS = frozenset({dict, list})


class _LazyObject(JObject):
    """A decoded JSON object read as a `JObject` whose members are made on first read.

    The fast road's source nodes: validation reads them in document order and may stop early
    (a ``$or`` count past the cap after 1,001 of 100,000 branches), so the nodes it never
    reaches are never made: a refused 3 MB pattern costs the part read, and a valid one the
    same objects as before, made one level at a time. `members` is the dataclass's slot, left
    unset until `__getattr__` (called only while it is unset) fills it: later reads cost what a
    plain `JObject`'s cost. Only for values orjson decoded (str keys, JSON scalars).
    """

    __slots__ = ("_raw",)

    def __init__(self, raw: dict) -> None:
        self._raw = raw
        self.span = None

    def __getattr__(self, name: str) -> Any:
        if name != "members":
            raise AttributeError(name)
        self.members = members = tuple([JMember(k, _lazy_node(v)) for k, v in self._raw.items()])
        return members

    def has_key_in(self, names: frozenset[str]) -> bool:
        """As `JObject.has_key_in`, read from the decoded dicts: no node is made."""
        stack = [self._raw]
        while stack:
            for key, value in stack.pop().items():
                if key in names:
                    return True
                if type(value) is dict:
                    stack.append(value)
        return False


class _LazyArray(JArray):
    """A decoded JSON array read as a `JArray` whose items are made on first read (as
    `_LazyObject`)."""

    __slots__ = ("_raw",)

    def __init__(self, raw: list) -> None:
        self._raw = raw
        self.span = None

    def __getattr__(self, name: str) -> Any:
        if name != "items":
            raise AttributeError(name)
        self.items = items = tuple([_lazy_node(v) for v in self._raw])
        return items


def _lazy_node(value: Any) -> JNode:
    t = type(value)
    if t is dict:
        return _LazyObject(value)
    if t is list:
        return _LazyArray(value)
    return _scalar(value)


class _NotJson(Exception):
    pass


def _convert(value: Any) -> tuple[JNode, int]:
    """(root node, object members in the tree): one loop with its own stack, any depth.

    Each open container is a frame [is_dict, items, converted children]; a child container
    opens a frame of its own and, once converted, lands in its parent's children. No
    generator or call per container: patterns of megabytes convert without the interpreter's
    collector dominating (it runs once per so many new tracked objects).
    """
    if not isinstance(value, _CONTAINERS):
        return _scalar(value), 0
    members = 0
    stack = [_frame(value)]
    while True:
        is_dict, items, built = stack[-1]
        opened = False
        while len(built) < len(items):
            if is_dict:
                key, child = items[len(built)]
                if type(key) is not str:
                    raise _NotJson
            else:
                child = items[len(built)]
            if isinstance(child, _CONTAINERS):
                stack.append(_frame(child))
                opened = True
                break
            built.append(_scalar(child))
        if opened:
            continue
        stack.pop()
        if is_dict:
            members += len(items)
            node: JNode = JObject(tuple([JMember(k, n) for (k, _), n in zip(items, built, strict=True)]))
        else:
            node = JArray(tuple(built))
        if not stack:
            return node, members
        stack[-1][2].append(node)


def _frame(container: Any) -> list:
    # subclasses (OrderedDict, tuples) read as their JSON base type
    if isinstance(container, dict):
        return [True, list(container.items()), []]
    return [False, container if type(container) is list else list(container), []]


_CONTAINERS = (dict, list, tuple)


def _scalar(v: Any) -> JNode:
    t = type(v)  # exact types first: a decoded document holds nothing else
    if t is str:
        return JString(v)
    if t is int:
        return JNumber(int_text(v), v)
    if t is float:
        if math.isnan(v) or math.isinf(v):
            raise _NotJson
        return JNumber(repr(v), v)
    if v is None or t is bool:
        return JLiteral(v)
    # subclasses (IntEnum, str enums): read as their JSON base type
    if isinstance(v, bool):
        return JLiteral(bool(v))
    if isinstance(v, str):
        return JString(str(v))
    if isinstance(v, int):
        return _scalar(int(v))
    if isinstance(v, float):
        return _scalar(float(v))
    raise _NotJson
