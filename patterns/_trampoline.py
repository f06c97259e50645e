"""Deep recursion without the interpreter's stack: recursive walks written as generators, run by a loop.

Patterns nest up to Jackson's 1,000 levels and events deeper still; a recursive walk over them
would need Python's recursion limit raised, and past some depth (sooner in a thread with a small
stack: macOS gives threads 512 KB) the process dies. Raising the limit is an interpreter-wide
setting a library must not touch. So every walk over a tree of unbounded depth is written as a
generator that, where it would recurse, *yields* the generator of the sub-walk and receives its
result:

    def size(node):                        def size(node):
        total = 1                              total = 1
        for child in node.children:            for child in node.children:
            total += size(child)       ->          total += yield size(child)
        return total                           return total

    run(size(tree))   # one loop, one C frame, any depth

`run` keeps the chain of suspended generators in a list, so depth costs heap, not stack. (``yield
from`` would not do: each delegation level adds a C frame to every resumption.) An exception
raised at any depth unwinds through the suspended walks as it would through real calls.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any, TypeVar

__all__ = ["Walk", "run"]

T = TypeVar("T")

#: A walk: a generator yielding sub-walks, receiving their results, returning its own.
Walk = Generator["Walk[Any]", Any, T]


def run(walk: Walk[T]) -> T:
    """Run a walk to its result, resuming its sub-walks from one loop.

    Args:
        walk: a generator written as described in the module docstring.

    Returns:
        What the walk returns.

    Raises:
        Whatever the walk (or any sub-walk it did not catch) raises.
    """
    stack: list[Walk[Any]] = [walk]
    value: Any = None
    error: BaseException | None = None
    while True:
        top = stack[-1]
        try:
            sub = top.send(value) if error is None else top.throw(error)
        except StopIteration as done:
            stack.pop()
            if not stack:
                return done.value
            value, error = done.value, None
        except BaseException as exc:
            stack.pop()
            if not stack:
                raise
            value, error = None, exc
        else:
            stack.append(sub)
            value, error = None, None
