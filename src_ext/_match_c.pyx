# cython: language_level=3
"""Compiled twin of `patterns._match_py`: same public names, signatures and results, faster.

Only hot loops live here; their meaning is defined by the pure-Python twin, and tests hold the two
(and the oracle) to the same answers.
"""

from patterns.errors import InvalidEventError
from patterns.events import Contexts, Flat, Leaf, check_tree, json_type, plain_scalar

__all__ = ["flatten"]


def flatten(event) -> Flat:
    """List the leaves of a decoded event, in document order, with its contexts (see `patterns.events`).

    Args:
        event: the decoded event (a dict).

    Returns:
        Its leaves and contexts.

    Raises:
        InvalidEventError: not a dict, or it holds something JSON cannot.
    """
    if not isinstance(event, dict):
        raise InvalidEventError(f"Expected `object`, got `{json_type(event)}` - at `$`")
    check_tree(event)
    cdef list leaves = []
    cdef list parent = [-1], array = [-1], paths = [""], elements
    cdef Py_ssize_t next_array = 0, array_id, ctx
    cdef str path
    cdef object value, child
    # An explicit stack as in the Python twin: no recursion, so no event is too deep.
    cdef list stack = [(event, "", 0)]
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
                else:  # a scalar element stays in the array's own context
                    elements.append((child, path, ctx))
            stack.extend(reversed(elements))
        else:
            leaves.append(Leaf(path, plain_scalar(value), ctx))
    return Flat(leaves, Contexts(parent, array, paths))
