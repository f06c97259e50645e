"""Pure-Python twin of the hot loops: the readable reference for `_match_c`, same names and results."""

from __future__ import annotations

import math
from typing import Any, NoReturn

from .errors import InvalidEventError
from .events import Leaf, find_non_json, json_type

__all__ = ["flatten"]


def flatten(event: Any) -> list[Leaf]:
    """List the leaves of a decoded event, in document order.

    Args:
        event: the decoded event (a dict).

    Returns:
        Its leaves; see `patterns.events` for their form.

    Raises:
        InvalidEventError: not a dict, or it holds something JSON cannot (a set, a non-string
            key, NaN).
    """
    if not isinstance(event, dict):
        raise InvalidEventError(f"Expected `object`, got `{json_type(event)}` - at `$`")
    leaves: list[Leaf] = []
    next_array = 0
    # An explicit stack, not recursion: no event is too deep to walk. Children are pushed in
    # reverse so that they pop, and array ids are handed out, in document order.
    stack: list[tuple[Any, str, tuple]] = [(event, "", ())]
    while stack:
        value, path, trail = stack.pop()
        t = type(value)
        if t is dict or (t is not list and isinstance(value, dict)):
            for key, child in reversed(list(value.items())):
                if type(key) is not str:
                    _reject(event)
                stack.append((child, f"{path}.{key}" if path else key, trail))
        elif t is list or isinstance(value, (list, tuple)):
            array_id = next_array
            next_array += 1
            for index in range(len(value) - 1, -1, -1):
                stack.append((value[index], path, trail + ((array_id, index),)))
        elif t is str or t is int or t is bool or value is None:
            leaves.append(Leaf(path, value, trail))
        elif t is float and not (math.isnan(value) or math.isinf(value)):
            leaves.append(Leaf(path, value, trail))
        else:
            leaves.append(Leaf(path, _plain_scalar(value, event), trail))
    return leaves


def _plain_scalar(value: Any, event: Any) -> Any:
    """A subclass of a JSON scalar type (an enum, numpy.float64) as its plain value."""
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, str):
        return str(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float) and not (math.isnan(value) or math.isinf(value)):
        return float(value)
    _reject(event)


def _reject(event: Any) -> NoReturn:
    where, message = find_non_json(event)
    raise InvalidEventError(message or f"Expected a JSON value - at `{where or '$'}`")
