"""The thread harness the concurrency tests share: threads run together with frequent switching,
and the record a rule-changing writer keeps for the readers that check answers beside it."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterable
from typing import Generic, TypeVar

R = TypeVar("R")


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


class RuleChanges(Generic[R]):
    """One writer thread changing rules while reader threads match: which rule sets a match may see.

        history   [R0, R1, R2, R3]     R3 is being made; 2 changes are complete
        a match that starts now may see R2 or R3 (`mark()` before it, `since(mark)` after it)

    The writer calls `changing(rules)` with the rule set a change makes before it starts that
    change, and `changed()` once the change returned. A reader reads `mark()` before a match and
    `since(mark)` after it: every rule set in force at some moment of that match (the one a change
    in flight makes may already show), so a right answer is the answer of one of them.

    Concurrency: the writer alone appends and advances the mark; readers only read (a list append
    and an attribute store are atomic under the GIL). `race` runs the threads and re-raises the
    first failure in the caller's thread.
    """

    def __init__(self, rules: R) -> None:
        """Start the history with the rule set in force before the writer runs.

        Args:
            rules: the first rule set.
        """
        self.history: list[R] = [rules]
        self._completed = 0
        self._stop = threading.Event()
        self._errors: list[BaseException] = []

    def changing(self, rules: R) -> None:
        """Record the rule set the writer's next change makes (call before the change)."""
        self.history.append(rules)

    def changed(self) -> None:
        """Record that the writer's last change returned."""
        self._completed = len(self.history) - 1

    def mark(self) -> int:
        """The number of completed changes: read it before a match."""
        return self._completed

    def since(self, mark: int) -> list[R]:
        """The rule sets a match that began at `mark` may have seen: read it after the match."""
        return self.history[mark:]

    def running(self) -> bool:
        """False once the writer returned or a thread failed: readers loop while it is True."""
        return not self._stop.is_set()

    def race(
        self,
        readers: Iterable[Callable[[], None]],
        writer: Callable[[], None],
        switch_interval: float = 1e-6,
    ) -> None:
        """Run `writer` and each reader on its own thread (see `run_together`) until all return.

        Readers loop while `running()`; the writer should stop early when it is False. The first
        failure of any thread stops the others and is raised here.

        Args:
            readers: reader bodies (each loops and asserts on the answers it gets).
            writer: the body that makes the changes, recording each with `changing`/`changed`.
            switch_interval: seconds between forced thread switches.

        Raises:
            Whatever a reader or the writer raised first.
        """

        def reader_thread(body: Callable[[], None]) -> None:
            try:
                body()
            except BaseException as exc:  # noqa: BLE001 - raised again in the caller's thread
                self._errors.append(exc)
                self._stop.set()

        def writer_thread() -> None:
            try:
                writer()
            except BaseException as exc:  # noqa: BLE001 - raised again in the caller's thread
                self._errors.append(exc)
            finally:
                self._stop.set()

        targets = [*(lambda body=body: reader_thread(body) for body in readers), writer_thread]
        run_together(targets, switch_interval)
        if self._errors:
            raise self._errors[0]
