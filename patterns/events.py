"""Events: decoding (orjson) and the leaves they flatten into, the form every matcher reads.

An event is a JSON object. Matching never looks at its tree directly; it looks at its *leaves*:

    {"detail": {"state": "x", "tags": [{"k": 1}, {"k": 2}], "ids": [7, 8]}}
      ->  Leaf("detail.state", "x", context=0)
          Leaf("detail.tags.k", 1,  context=1)      element 0 of array 0
          Leaf("detail.tags.k", 2,  context=2)      element 1 of array 0
          Leaf("detail.ids", 7,     context=0)      scalar elements stay in their array's context
          Leaf("detail.ids", 8,     context=0)
      contexts: parent = [-1, 0, 0], array = [-1, 0, 0], path = ["", "detail.tags", "detail.tags"]

A leaf's path is its keys joined with ".", which is how EventBridge treats dotted keys (an event
key "a.b" and the nesting a -> b name the same field). Arrays add no path segment. Each object or
array element of an array opens a *context*, numbered in the order met (so a context's number is
larger than its parent's); context 0 is the event itself. `Contexts` records, for each context,
the context it sits in and the array it is an element of. Scalar array elements get no context of
their own (as in event-ruler, the engine behind EventBridge): only leaves at other paths could
conflict with their element, and none sit inside a scalar. Leaves chosen together must be
*array-consistent*: no two in different elements of one array (`patterns.consistency`). Empty
arrays and empty objects have no leaves, so they count as absent.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import Any, NamedTuple, NoReturn

import orjson

from .errors import InvalidEventError

__all__ = [
    "MAX_DOUBLE_INT",
    "BigNumber",
    "Contexts",
    "Flat",
    "Leaf",
    "check_tree",
    "decode_event",
    "decode_json",
    "find_non_json",
    "flatten",
    "json_type",
    "plain_scalar",
]

#: Integers at or beyond this magnitude have no double (float() overflows): 2**1024.
MAX_DOUBLE_INT = 1 << 1024


class BigNumber:
    """A JSON number no double can hold (``1e400``, a 1,000-digit integer) in an event.

    EventBridge's engine reads such a number but cannot compare it numerically, so it is
    present (``exists``, ``anything-but``) and matches no number, range or string condition.
    Only the sign is kept: the digits may be longer than Python turns into an int.
    """

    __slots__ = ("negative",)

    def __init__(self, negative: bool = False) -> None:
        self.negative = negative

    def __eq__(self, other: object) -> bool:
        return isinstance(other, BigNumber) and other.negative == self.negative

    def __hash__(self) -> int:
        return hash((BigNumber, self.negative))

    def __repr__(self) -> str:
        return f"BigNumber(negative={self.negative})"


class Leaf(NamedTuple):
    """One scalar of an event: dotted path, value, and the context it sits in (see the module doc).

    The value is a str, int, float, bool, None or `BigNumber`.
    """

    path: str
    value: Any
    context: int


class Contexts(NamedTuple):
    """The contexts of an event (see the module doc): per context, its parent, array and path.

    Context 0 is the event itself (parent and array -1, path ""). For every other context c,
    ``parent[c] < c``, ``array[c]`` numbers the array whose element it is, and ``path[c]`` is
    that array's dotted path (read by ``exists: false``, which is decided per element). `path`
    may be left empty where no ``exists: false`` is asked.
    """

    parent: list[int]
    array: list[int]
    path: Sequence[str] = ()


#: The only contexts of an event whose leaves sit in no array element: context 0 alone.
ROOT_ONLY = Contexts([-1], [-1], [""])


class Flat(NamedTuple):
    """A flattened event: its leaves in document order, and its contexts."""

    leaves: list[Leaf]
    contexts: Contexts


def decode_event(event: bytes | bytearray | memoryview | str | dict) -> dict:
    """Decode an event given as JSON bytes, JSON text or an already-decoded dict.

    Args:
        event: the event.

    Returns:
        The event as a dict (the given dict itself when one is given). Numbers no double can
        hold are `BigNumber`s.

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


def decode_json(text: bytes | bytearray | memoryview | str) -> Any:
    """Decode JSON text of any value (not only an object) as `decode_event` reads an event.

    Args:
        text: JSON bytes or text.

    Returns:
        The value; numbers no double can hold are `BigNumber`s.

    Raises:
        InvalidEventError: not JSON, or not valid UTF-8.
    """
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        return _decode_fallback(text, exc)


def _decode_fallback(event: Any, exc: orjson.JSONDecodeError) -> Any:
    # orjson refuses some valid JSON that EventBridge accepts: numbers a double cannot hold
    # (1e400, a 400-digit integer), which its engine then cannot compare, and escaped lone
    # surrogates ("\ud800"), which Jackson keeps in a Java string as Python keeps them in a str.
    # The standard library reads those (numbers past a double as `BigNumber`s, through hooks
    # that never call int() on thousands of digits); what it refuses too is refused with
    # orjson's message and position. Only events orjson refused pay for this second reading.
    try:
        text = event if isinstance(event, str) else bytes(event).decode("utf-8")
        return json.loads(
            text, parse_int=_parse_int, parse_float=_parse_float, parse_constant=_reject_constant
        )
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise InvalidEventError(f"Event is not valid JSON: {exc}", offset=exc.pos) from None


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


# A double holds magnitudes below ~1.8e308, so an integer of 309 digits or fewer may fit.
_INT_DIGITS_THAT_MAY_FIT = 309


def _parse_int(text: str) -> int | BigNumber:
    digits = len(text) - (text[0] == "-")
    if digits <= _INT_DIGITS_THAT_MAY_FIT:
        value = int(text)
        if -MAX_DOUBLE_INT < value < MAX_DOUBLE_INT:
            return value
    return BigNumber(text[0] == "-")


def _parse_float(text: str) -> float | BigNumber:
    value = float(text)  # float() has no digit limit; it overflows to +-inf
    if math.isinf(value):
        return BigNumber(text[0] == "-")
    return value


def json_type(value: Any) -> str:
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float, BigNumber)):
        return "number"
    if value is None:
        return "null"
    return type(value).__name__


def plain_scalar(value: Any) -> Any:
    """An event scalar as the matchers read it (`check_tree` has accepted it).

    Subclasses of JSON scalar types (an enum, numpy.float64) become their plain value; integers
    no double can hold become `BigNumber`.
    """
    t = type(value)
    if t is str or t is bool or value is None or t is float or t is BigNumber:
        return value
    if t is int:
        return value if -MAX_DOUBLE_INT < value < MAX_DOUBLE_INT else BigNumber(value < 0)
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, str):
        return str(value)
    if isinstance(value, int):
        return plain_scalar(int(value))
    return float(value)


_CLOSE = object()  # marker of the walks below: the container whose id follows is done


def check_tree(event: Any) -> None:
    """Check that a caller's decoded event holds only what JSON can, in time linear in its size.

    Dicts, lists and tuples (and their subclasses) with str keys; str, int, finite float, bool,
    None and `BigNumber` scalars; no container inside itself. No paths are built on the way.

    Raises:
        InvalidEventError: the first fault, with its JSON path.
    """
    stack: list[Any] = [event]
    open_ids: set[int] = set()  # containers on the way from the event to the current node
    while stack:
        value = stack.pop()
        t = type(value)
        if t is str or t is int or t is bool or value is None or t is BigNumber:
            continue
        if t is float:
            if value - value == 0.0:  # false for NaN and the infinities
                continue
            _reject_tree(event)
        if value is _CLOSE:
            open_ids.discard(stack.pop())
            continue
        if t is dict or t is list or isinstance(value, (dict, list, tuple)):
            key = id(value)
            if key in open_ids:
                _reject_tree(event)
            open_ids.add(key)
            stack.append(key)
            stack.append(_CLOSE)
            if isinstance(value, dict):
                for k in value:
                    if type(k) is not str:
                        _reject_tree(event)
                stack.extend(value.values())
            else:
                stack.extend(value)
        elif isinstance(value, (str, int)) or (isinstance(value, float) and value - value == 0.0):
            continue  # a subclass of a scalar type: read as its plain value
        else:
            _reject_tree(event)


def _reject_tree(event: Any) -> NoReturn:
    where, message = find_non_json(event)
    raise InvalidEventError(message or f"Expected a JSON value - at `{where or '$'}`")


def find_non_json(value: Any, root: str = "$") -> tuple[str, str]:
    """Where the first thing JSON cannot hold sits in a decoded value, and what it is.

    Walks with its own stack (no nesting depth can exhaust Python's) and keeps, per node, a link
    to its parent, so the JSON path is built once, for the fault, not for every node: the walk
    is linear in the value's size. A container met again inside itself is a cycle.

    Args:
        value: a decoded value (dicts, lists, str, int, float, bool, None).
        root: the JSON path of `value` itself.

    Returns:
        (JSON path, our message), or ("", "") when everything is JSON.
    """
    # stack entries: (value, link) where link = (parent link, step) and step is a key or index
    stack: list[tuple[Any, Any]] = [(value, None)]
    open_ids: set[int] = set()  # containers on the path from the root to the current node
    while stack:
        v, link = stack.pop()
        if v is _CLOSE:
            open_ids.discard(link)
            continue
        if isinstance(v, (dict, list, tuple)):
            if id(v) in open_ids:
                path = _path_of(root, link)
                return path, f"Expected a tree, got a `{type(v).__name__}` that contains itself - at `{path}`"
            open_ids.add(id(v))
            stack.append((_CLOSE, id(v)))
            if isinstance(v, dict):
                for key, child in reversed(list(v.items())):
                    if not isinstance(key, str):
                        path = _path_of(root, link)
                        return path, f"Expected `str` key, got `{type(key).__name__}` - at `{path}`"
                    stack.append((child, (link, key)))
            else:
                stack.extend((child, (link, i)) for i, child in reversed(list(enumerate(v))))
        elif isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
            path = _path_of(root, link)
            return path, f"Expected a finite number, got `{v}` - at `{path}`"
        elif not (v is None or isinstance(v, (str, int, float, BigNumber))):
            path = _path_of(root, link)
            return path, f"Expected a JSON value, got `{type(v).__name__}` - at `{path}`"
    return "", ""


def _path_of(root: str, link: Any) -> str:
    steps: list[str] = []
    while link is not None:
        link, step = link
        steps.append(f"[{step}]" if isinstance(step, int) else f".{step}")
    return root + "".join(reversed(steps))


def flatten(event: Any) -> Flat:
    """List the leaves of a decoded event, in document order, with its contexts.

    Args:
        event: the decoded event (a dict).

    Returns:
        Its leaves and contexts; see `patterns.events` for their form.

    Raises:
        InvalidEventError: not a dict, or it holds something JSON cannot (a set, a non-string
            key, NaN, a container inside itself).
    """
    if not isinstance(event, dict):
        raise InvalidEventError(f"Expected `object`, got `{json_type(event)}` - at `$`")
    check_tree(event)
    leaves: list[Leaf] = []
    parent, array, paths = [-1], [-1], [""]
    next_array = 0
    # An explicit stack, not recursion: no event is too deep to walk. Children are pushed in
    # reverse so that they pop, and contexts are numbered, in document order.
    stack: list[tuple[Any, str, int]] = [(event, "", 0)]
    while stack:
        value, path, ctx = stack.pop()
        if isinstance(value, dict):
            for key, child in reversed(list(value.items())):
                stack.append((child, f"{path}.{key}" if path else key, ctx))
        elif isinstance(value, (list, tuple)):
            array_id = next_array
            next_array += 1
            elements = []
            for child in value:
                if isinstance(child, (dict, list, tuple)):
                    parent.append(ctx)
                    array.append(array_id)
                    paths.append(path)
                    elements.append((child, path, len(parent) - 1))
                else:  # a scalar element stays in the array's own context (module doc of events)
                    elements.append((child, path, ctx))
            stack.extend(reversed(elements))
        else:
            leaves.append(Leaf(path, plain_scalar(value), ctx))
    return Flat(leaves, Contexts(parent, array, paths))
