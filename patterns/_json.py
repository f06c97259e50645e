"""Compact JSON text of a decoded value, at any depth and with integers of any length.

`json.dumps` recurses (a pattern of Jackson's 1,000 levels exhausts Python's limit) and refuses
integers past 4,300 digits; orjson refuses integers past 64 bits and nesting past 255 levels.
Limits that AWS measures on a pattern's text (SNS's 256 KB, Lambda's and Pipes' 4,096
characters) measure a dict pattern as this text.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["compact_json", "int_text"]


class _Text(str):
    """A piece of output text on `compact_json`'s stack (never a value of the caller's)."""


def compact_json(value: Any) -> str:
    """The compact JSON text of a decoded value (``separators=(",", ":")``, non-ASCII kept).

    Args:
        value: dicts, lists or tuples, str, int, float, bool or None, nested to any depth.

    Returns:
        The text, as ``json.dumps(value, ensure_ascii=False, separators=(",", ":"))`` writes it
        where that succeeds.
    """
    out: list[str] = []
    # Work items, popped last first: a value still to write, or a `_Text` to write as it is.
    stack: list[Any] = [value]
    while stack:
        item = stack.pop()
        if type(item) is _Text:
            out.append(item)
        elif isinstance(item, dict):
            parts: list[Any] = [_Text("}")]
            for i, (key, child) in enumerate(reversed(list(item.items()))):
                parts += [child, _Text(_scalar(key) + ":")]
                if i < len(item) - 1:
                    parts.append(_Text(","))
            parts.append(_Text("{"))
            stack.extend(parts)
        elif isinstance(item, (list, tuple)):
            parts = [_Text("]")]
            for i, child in enumerate(reversed(item)):
                parts.append(child)
                if i < len(item) - 1:
                    parts.append(_Text(","))
            parts.append(_Text("["))
            stack.extend(parts)
        else:
            out.append(_scalar(item))
    return "".join(out)


def _scalar(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, int):
        return int_text(int(value))
    return json.dumps(value, ensure_ascii=False)


def int_text(value: int) -> str:
    """The decimal text of an int of any length (``str()`` refuses more than 4,300 digits).

    Args:
        value: the integer.

    Returns:
        Its digits, with a minus sign when negative.
    """
    if value.bit_length() < 10_000:  # about 3,000 digits: within str()'s limit
        return str(value)
    # Split into chunks small enough for str(), most significant first.
    chunk = 10**1000
    negative = value < 0
    value = -value if negative else value
    parts: list[str] = []
    while value:
        value, low = divmod(value, chunk)
        parts.append(str(low))
    head = parts.pop()
    text = head + "".join(part.zfill(1000) for part in reversed(parts))
    return "-" + text if negative else text
