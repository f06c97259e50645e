"""Pure-Python twin of the hot loops: the readable reference for `_match_c`, same names and results."""

from __future__ import annotations

import math
from typing import Any

from .errors import InvalidEventError
from .events import Leaf, json_type

__all__ = ["flatten"]


def flatten(event: dict) -> list[Leaf]:
    """List the leaves of a decoded event, in document order.

    Args:
        event: the decoded event (a dict).

    Returns:
        Its leaves; see the module docstring for their form.

    Raises:
        InvalidEventError: a dict event holds something JSON cannot (a set, a non-string key, NaN).
    """
    leaves: list[Leaf] = []
    arrays = [0]  # next array id, in a list so the walk can bump it

    def walk(value: Any, path: str, trail: tuple, where: str) -> None:
        if isinstance(value, dict):
            for key, child in value.items():
                if not isinstance(key, str):
                    raise InvalidEventError(f"Expected `str` key, got `{type(key).__name__}` - at `{where}`")
                walk(child, f"{path}.{key}" if path else key, trail, f"{where}.{key}")
        elif isinstance(value, list):
            array_id = arrays[0]
            arrays[0] += 1
            for index, child in enumerate(value):
                walk(child, path, trail + ((array_id, index),), f"{where}[{index}]")
        elif value is None or isinstance(value, (str, bool, int)):
            leaves.append(Leaf(path, value, trail))
        elif isinstance(value, float):
            if math.isnan(value) or math.isinf(value):
                raise InvalidEventError(f"Expected a finite number, got `{value}` - at `{where}`")
            leaves.append(Leaf(path, value, trail))
        else:
            raise InvalidEventError(
                f"Expected a JSON value, got `{type(value).__name__}` - at `{where}`"
            )

    if not isinstance(event, dict):
        raise InvalidEventError(f"Expected `object`, got `{json_type(event)}` - at `$`")
    walk(event, "", (), "$")
    return leaves
