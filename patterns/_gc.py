"""Pausing Python's cyclic garbage collector while a large structure is built.

Building a big tree of containers (a 3 MB pattern decoded, 100,000 rules compiled and laid out)
starts a young collection every 700 new containers and full ones as the survivors grow, so the
collector walks the growing structure over and over: measured, 40 to 65 per cent of such builds
(docs/performance.md). What is built here holds no cycles worth finding meanwhile, so `paused`
switches the collector off for the build and back on after it.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["paused"]

_paused = 0  # builds running with the collector paused (under `_lock`)
_resume = False  # whether the last of them turns it back on (it was on when the first began)
_lock = threading.Lock()


@contextmanager
def paused() -> Iterator[None]:
    """Run the body with the cyclic collector off, then restore it.

    Builds on several threads share one pause: the last one out turns the collector back on,
    if it was on when the first came in. A thread that switches the collector off (or on) while
    such a build runs may see its setting undone when the build ends. Objects freed meanwhile
    are freed at once by reference counting; only cyclic garbage waits for the next collection.
    """
    global _paused, _resume
    with _lock:
        if not _paused:
            _resume = gc.isenabled()
            gc.disable()
        _paused += 1
    try:
        yield
    finally:
        with _lock:
            _paused -= 1
            if not _paused and _resume:
                gc.enable()
