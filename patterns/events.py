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

__all__ = ["Leaf", "as_double", "decode_event", "json_type"]


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
    raise InvalidEventError(
        f"Expected `bytes`, `str` or `dict`, got `{type(event).__name__}` - at `$`"
    )


def _decode_fallback(event: Any, exc: orjson.JSONDecodeError) -> Any:
    # orjson refuses integers beyond 64 bits, which are valid JSON; the standard library reads
    # them (and nothing else orjson refuses, once NaN and Infinity are turned away).
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


def as_double(number: int | float) -> float:
    """The IEEE-754 double AWS compares a JSON number as; integers too large for one become ±inf."""
    try:
        return float(number)
    except OverflowError:
        return math.inf if number > 0 else -math.inf
