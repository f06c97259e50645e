"""Run test threads together with frequent switching: the harness every concurrency test shares."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterable


def run_together(targets: Iterable[Callable[[], object]], switch_interval: float = 1e-6) -> None:
    """Start one thread per target, switching between threads as often as `switch_interval`
    allows (so they interleave inside walks, changes and automaton steps), and join them all.

    Targets report their own failures (the tests collect them and re-raise in the main thread);
    the interpreter's switch interval is restored whatever happens.

    Args:
        targets: the thread bodies.
        switch_interval: seconds between forced thread switches while they run.
    """
    old = sys.getswitchinterval()
    sys.setswitchinterval(switch_interval)
    try:
        threads = [threading.Thread(target=target) for target in targets]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(old)
