"""`compile` and `Pattern`: from pattern text or dict to a validated, matchable pattern.

Decoding takes one of two roads. The fast road decodes the text with orjson and validates the
decoded value; it has no source positions. The slow road parses with lark, which keeps every
node's span. The slow road is taken only when positions or exact source order matter: the text is
not valid JSON (to word the fault as AWS does), it may hold a duplicate key (AWS keeps the last
one *per path*, which a decoded dict cannot show), or validation failed (to say where). So a
valid pattern costs an orjson decode, and an invalid one always reports line and column.
"""

from __future__ import annotations

import math
import re
from typing import Any

import orjson

from ._match import flatten
from .dialects import Dialect, get_dialect
from .errors import InvalidPatternError
from .events import decode_event
from .model import Branch, Obj, count_branches, expand
from .oracle import matches as oracle_matches
from .parse import JArray, JLiteral, JMember, JNode, JNumber, JObject, JsonSyntaxError, JString, parse_json
from .validate import Rejection, validate

__all__ = ["Pattern", "compile"]

PatternSource = str | bytes | bytearray | dict

# A JSON string literal; removing these from pattern text leaves one ':' per object member.
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)


class Pattern:
    """A validated pattern of one dialect, ready to match events.

    Instances are immutable and safe to share between threads.

    Attributes:
        dialect: the `Dialect` it was validated against.
        model: the pattern model (`patterns.model.Obj`).
        branches: its disjunctive normal form (`patterns.model.expand`).
        source: the text it was compiled from, or None for a dict.
    """

    __slots__ = ("branches", "dialect", "model", "source")

    def __init__(self, model: Obj, dialect: Dialect, source: str | None = None) -> None:
        self.model = model
        self.dialect = dialect
        self.source = source
        self.branches: tuple[Branch, ...] = expand(model)

    def matches(self, event: bytes | str | dict) -> bool:
        """Whether the pattern matches an event.

        Args:
            event: JSON bytes, JSON text, or a decoded dict.

        Returns:
            True when the event matches.

        Raises:
            InvalidEventError: the event is not JSON, not valid UTF-8, or not a JSON object.
        """
        return oracle_matches(self.branches, flatten(decode_event(event)))

    def to_json(self) -> dict:
        """The pattern as a JSON-ready dict; compiling it gives an equal `Pattern`."""
        return self.model.to_json()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Pattern):
            return NotImplemented
        return self.dialect.name == other.dialect.name and self.model == other.model

    def __hash__(self) -> int:
        return hash((self.dialect.name, self.model))

    def __repr__(self) -> str:
        return f"Pattern({orjson.dumps(self.to_json()).decode()!r}, dialect={self.dialect.name!r})"


def compile(pattern: PatternSource, *, dialect: str | Dialect = "eventbridge") -> Pattern:  # noqa: A001
    """Validate a pattern exactly as AWS does and prepare it for matching.

    Args:
        pattern: JSON text (str or UTF-8 bytes) or an already-decoded dict.
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
        return _compile_text(pattern, d)
    node, _ = from_python(pattern, d)
    return Pattern(_validate(node, d, None), d, None)


def _compile_text(text: str, d: Dialect) -> Pattern:
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError:
        node = _parse_or_raise(text, d)
    else:
        node, members = from_python(value, d)
        if members != _JSON_STRING.sub("", text).count(":"):
            node = _parse_or_raise(text, d)  # a duplicate key: AWS's per-path rule needs the source
    return Pattern(_validate(node, d, text), d, text)


def _parse_or_raise(text: str, d: Dialect) -> JNode:
    try:
        return parse_json(text)
    except JsonSyntaxError as exc:
        raise _error(
            d, d.syntax_prefix + exc.reason, line=exc.line, column=exc.column, offset=exc.offset
        ) from None


def _validate(node: JNode, d: Dialect, text: str | None) -> Obj:
    try:
        obj = validate(node, d)
    except Rejection as rejection:
        if rejection.span is None and text is not None:
            # The fast road has no positions: walk the source again to say where the fault is.
            try:
                validate(parse_json(text), d)
            except Rejection as located:
                rejection = located
            except JsonSyntaxError:  # cannot happen for text orjson read; keep the first answer
                pass
        raise _rejection_error(d, rejection) from None
    limit = d.max_or_combinations
    if limit is not None and count_branches(obj) > limit:
        raise _error(d, f"Too many combinations of $or, the maximum is {limit}", path="$")
    return obj


def _rejection_error(d: Dialect, rejection: Rejection) -> InvalidPatternError:
    span = rejection.span
    message = rejection.reason if rejection.whole else d.message(rejection.reason)
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
    members = [0]
    try:
        return _convert(value, members), members[0]
    except _NotJson:
        pass
    # Only now work out where the fault is: building JSON paths on the way costs every call.
    path, message = _find_non_json(value, "$")
    raise _error(d, message, path=path)


class _NotJson(Exception):
    pass


def _convert(v: Any, members: list[int]) -> JNode:
    t = type(v)  # exact types first: a decoded document holds nothing else
    if t is str:
        return JString(v)
    if t is list:
        return JArray(tuple([_convert(c, members) for c in v]))
    if t is dict:
        out = []
        for key, child in v.items():
            if type(key) is not str:
                raise _NotJson
            out.append(JMember(key, _convert(child, members)))
        members[0] += len(out)
        return JObject(tuple(out))
    if t is int:
        return JNumber(str(v), v)
    if t is float:
        if math.isnan(v) or math.isinf(v):
            raise _NotJson
        return JNumber(repr(v), v)
    if v is None or t is bool:
        return JLiteral(v)
    # subclasses (OrderedDict, IntEnum, str enums, tuples): read as their JSON base type
    if isinstance(v, bool):
        return JLiteral(bool(v))
    if isinstance(v, str):
        return JString(str(v))
    if isinstance(v, int):
        return _convert(int(v), members)
    if isinstance(v, float):
        return _convert(float(v), members)
    if isinstance(v, dict):
        return _convert(dict(v), members)
    if isinstance(v, (list, tuple)):
        return _convert(list(v), members)
    raise _NotJson


def _find_non_json(v: Any, path: str) -> tuple[str, str]:
    """The JSON path and our message for the first thing in `v` that JSON cannot hold."""
    if isinstance(v, dict):
        for key, child in v.items():
            if not isinstance(key, str):
                return path, f"Expected `str` key, got `{type(key).__name__}` - at `{path}`"
            found = _find_non_json(child, f"{path}.{key}")
            if found[0]:
                return found
        return "", ""
    if isinstance(v, (list, tuple)):
        for index, child in enumerate(v):
            found = _find_non_json(child, f"{path}[{index}]")
            if found[0]:
                return found
        return "", ""
    if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
        return path, f"Expected a finite number, got `{v}` - at `{path}`"
    if v is None or isinstance(v, (str, int, float)):
        return "", ""
    return path, f"Expected a JSON value, got `{type(v).__name__}` - at `{path}`"
