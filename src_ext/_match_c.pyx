# cython: language_level=3
"""Compiled twin of `patterns._match_py`: same public names, signatures and results, faster.

Only hot loops live here; their meaning is defined by the pure-Python twin, and tests hold the two
(and the oracle) to the same answers.
"""

from libc.math cimport isinf, isnan

from patterns.errors import InvalidEventError
from patterns.events import Leaf, find_non_json, json_type

__all__ = ["flatten"]


def flatten(event) -> list:
    """List the leaves of a decoded event, in document order (see `patterns.events`).

    Args:
        event: the decoded event (a dict).

    Returns:
        Its leaves.

    Raises:
        InvalidEventError: not a dict, or it holds something JSON cannot.
    """
    if not isinstance(event, dict):
        raise InvalidEventError(f"Expected `object`, got `{json_type(event)}` - at `$`")
    cdef list leaves = []
    cdef Py_ssize_t next_array = 0, array_id, index
    cdef double d
    cdef str path
    cdef tuple trail
    cdef object value, t
    # An explicit stack as in the Python twin: no recursion, so no event is too deep.
    cdef list stack = [(event, "", ())]
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
        elif t is float:
            d = value
            if isnan(d) or isinf(d):
                _reject(event)
            leaves.append(Leaf(path, value, trail))
        else:
            leaves.append(Leaf(path, _plain_scalar(value, event), trail))
    return leaves


cdef object _plain_scalar(object value, object event):
    # subclasses of JSON scalar types (enums, numpy.float64): their plain value
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, str):
        return str(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float) and not (isnan(value) or isinf(value)):
        return float(value)
    _reject(event)


cdef void _reject(object event) except *:
    where, message = find_non_json(event)
    raise InvalidEventError(message or f"Expected a JSON value - at `{where or '$'}`")
