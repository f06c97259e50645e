"""Events: decoding (orjson) and the leaves they flatten into, the form every matcher reads.

An event is a JSON object. Matching never looks at its tree directly; it looks at its *leaves*:

    {"detail": {"state": "x", "tags": [{"k": 1}, {"k": 2}]}}
      ->  Leaf("detail.state", "x",  trail=())
          Leaf("detail.tags.k", 1,   trail=((0, 0),))      array 0, element 0
          Leaf("detail.tags.k", 2,   trail=((0, 1),))      array 0, element 1

A leaf's path is its keys joined with ".", which is how EventBridge treats dotted keys (an event
key "a.b" and the nesting a -> b name the same field). `flatten` (in the `_match` twins) produces them. Arrays add no path segment; each element
contributes its own leaves, tagged in `trail` with (array id, element index) for every array
passed through. Two leaves can be matched together only when they agree on every array they share
(array consistency). Empty arrays and empty objects have no leaves, so they count as absent.
"""

from __future__ import annotations

import json
import math
from typing import Any, NamedTuple

import orjson

from .errors import InvalidEventError

__all__ = ["Leaf", "as_double", "decode_event", "find_non_json", "json_type", "quantize"]


class Leaf(NamedTuple):
    """One scalar of an event: dotted path, value (str, int, float, bool or None), array trail."""

    path: str
    value: Any
    trail: tuple[tuple[int, int], ...]


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def decode_event(event: bytes | bytearray | memoryview | str | dict) -> dict:
    """Decode an event given as JSON bytes, JSON text or an already-decoded dict.

    Args:
        event: the event.

    Returns:
        The event as a dict (the given dict itself when one is given).

    Raises:
        InvalidEventError: not JSON, not valid UTF-8, or not a JSON object.
    """
    if isinstance(event, dict):
        return event
    if isinstance(event, (bytes, bytearray, memoryview, str)):
        try:
            value = orjson.loads(event)
        except orjson.JSONDecodeError as exc:
            value = _decode_fallback(event, exc)
        if not isinstance(value, dict):
            raise InvalidEventError(f"Expected `object`, got `{json_type(value)}` - at `$`")
        return value
    raise InvalidEventError(f"Expected `bytes`, `str` or `dict`, got `{type(event).__name__}` - at `$`")


def _decode_fallback(event: Any, exc: orjson.JSONDecodeError) -> Any:
    # Older orjson releases refuse integers beyond 64 bits (recent ones read them as doubles),
    # which are valid JSON; the standard library reads them (and nothing else orjson refuses,
    # once NaN and Infinity are turned away). Matching compares numbers as doubles either way.
    if "64-bit" not in str(exc):
        raise InvalidEventError(f"Event is not valid JSON: {exc}", offset=exc.pos) from None
    try:
        text = event if isinstance(event, str) else bytes(event).decode("utf-8")
        return json.loads(text, parse_constant=_reject_constant)
    except (ValueError, UnicodeDecodeError) as inner:
        raise InvalidEventError(f"Event is not valid JSON: {inner}") from None


def json_type(value: Any) -> str:
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if value is None:
        return "null"
    return type(value).__name__


def as_double(number: float) -> float:
    """The IEEE-754 double AWS compares a JSON number as; integers too large for one become ±inf."""
    try:
        return float(number)
    except OverflowError:
        return math.inf if number > 0 else -math.inf


def quantize(number: float, decimals: int | None) -> float:
    """A number as a service that compares numbers to `decimals` places sees it (SNS: 5).

    Rounds half to even on the double's exact value; integers, infinities and ``decimals=None``
    pass through unchanged. Patterns and events both go through it, so equality and ranges are
    decided on the rounded values.

    Args:
        number: the number (an int or a float).
        decimals: decimal places kept, or None to keep the number as it is.

    Returns:
        The rounded number (a float when `number` is one).
    """
    if decimals is None or not isinstance(number, float) or math.isinf(number) or math.isnan(number):
        return number
    return round(number, decimals)


def find_non_json(value: Any, root: str = "$") -> tuple[str, str]:
    """Where the first thing JSON cannot hold sits in a decoded value, and what it is.

    Called only once a fast walk has met such a thing, so it can afford to build JSON paths. It
    walks with its own stack, so no nesting depth can exhaust Python's.

    Args:
        value: a decoded value (dicts, lists, str, int, float, bool, None).
        root: the JSON path of `value` itself.

    Returns:
        (JSON path, our message), or ("", "") when everything is JSON.
    """
    stack: list[tuple[Any, str]] = [(value, root)]
    while stack:
        v, path = stack.pop()
        if isinstance(v, dict):
            for key, child in reversed(list(v.items())):
                if not isinstance(key, str):
                    return path, f"Expected `str` key, got `{type(key).__name__}` - at `{path}`"
                stack.append((child, f"{path}.{key}"))
        elif isinstance(v, (list, tuple)):
            stack.extend((child, f"{path}[{i}]") for i, child in reversed(list(enumerate(v))))
        elif isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
            return path, f"Expected a finite number, got `{v}` - at `{path}`"
        elif not (v is None or isinstance(v, (str, int, float))):
            return path, f"Expected a JSON value, got `{type(v).__name__}` - at `{path}`"
    return "", ""
