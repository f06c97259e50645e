"""Numbers as AWS compares them: the double of a JSON number, SNS's rounding, and the
order-preserving integer key under which the automaton's numeric ranges are stored.

A leaf of the house: it imports nothing of `patterns`. Patterns (validation, compilation) and
events (every matcher) read numbers through these three functions, so both sides of a
comparison see one value.
"""

from __future__ import annotations

import math
import struct

__all__ = ["as_double", "double_of_key", "number_key", "quantize"]

_DOUBLE = struct.Struct("<d")
_U64 = struct.Struct("<Q")
_SIGN = 1 << 63
_ALL = (1 << 64) - 1


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


def number_key(x: float) -> int:
    """The order-preserving unsigned 64-bit key of a double: a < b exactly when key(a) < key(b).

    Positives get the sign bit set, negatives have every bit flipped; -0.0 is first made 0.0 so
    that the two zeros, equal as doubles, share a key.
    """
    if x == 0.0:
        x = 0.0
    (bits,) = _U64.unpack(_DOUBLE.pack(x))
    return bits ^ _ALL if bits & _SIGN else bits | _SIGN


def double_of_key(key: int) -> float:
    """The double whose `number_key` is `key` (0.0 for the zeros' shared key)."""
    bits = key ^ _SIGN if key & _SIGN else key ^ _ALL
    (x,) = _DOUBLE.unpack(_U64.pack(bits))
    return x
