# cython: language_level=3
"""Compiled twin of `patterns._match_py`: same public names, signatures and results, faster.

Only hot loops live here; their meaning is defined by the pure-Python twin, and tests hold the two
(and the oracle) to the same answers.
"""

from libc.math cimport isinf, isnan

from patterns.errors import InvalidEventError
from patterns.events import Leaf, json_type

__all__ = ["flatten"]


cdef class _Walk:
    """State of one flattening walk: the leaves found and the next array id."""

    cdef list leaves
    cdef Py_ssize_t next_array

    def __cinit__(self):
        self.leaves = []
        self.next_array = 0

    cdef void walk(self, object value, str path, tuple trail, str where) except *:
        cdef Py_ssize_t array_id, index
        cdef double d
        if type(value) is dict:
            for key, child in (<dict>value).items():
                if type(key) is not str:
                    raise InvalidEventError(
                        f"Expected `str` key, got `{type(key).__name__}` - at `{where}`"
                    )
                self.walk(child, f"{path}.{key}" if path else key, trail, f"{where}.{key}")
        elif type(value) is list:
            array_id = self.next_array
            self.next_array += 1
            index = 0
            for child in <list>value:
                self.walk(child, path, trail + ((array_id, index),), f"{where}[{index}]")
                index += 1
        elif value is None or type(value) is str or type(value) is bool or type(value) is int:
            self.leaves.append(Leaf(path, value, trail))
        elif type(value) is float:
            d = value
            if isnan(d) or isinf(d):
                raise InvalidEventError(f"Expected a finite number, got `{value}` - at `{where}`")
            self.leaves.append(Leaf(path, value, trail))
        elif isinstance(value, dict) or isinstance(value, list) or isinstance(value, (str, int, float)):
            # subclasses (OrderedDict, IntEnum, ...): rare, so the plain twin's rules apply
            self.walk(_plain(value), path, trail, where)
        else:
            raise InvalidEventError(
                f"Expected a JSON value, got `{type(value).__name__}` - at `{where}`"
            )


cdef object _plain(object value):
    if isinstance(value, dict):
        return dict(value)
    if isinstance(value, list):
        return list(value)
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, str):
        return str(value)
    if isinstance(value, int):
        return int(value)
    return float(value)


def flatten(event: dict) -> list:
    """List the leaves of a decoded event, in document order (see `patterns.events`).

    Args:
        event: the decoded event (a dict).

    Returns:
        Its leaves.

    Raises:
        InvalidEventError: the event holds something JSON cannot.
    """
    if not isinstance(event, dict):
        raise InvalidEventError(f"Expected `object`, got `{json_type(event)}` - at `$`")
    cdef _Walk w = _Walk()
    w.walk(event, "", (), "$")
    return w.leaves
