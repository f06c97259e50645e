"""A `Machine` shared by matching threads while another thread adds, replaces and removes rules.

Every rule below matches the one event used, so the right answer for a rule set is the set of
its names. The mutating thread records each rule set in `history` before it starts the change
that makes it, and counts the changes it completed; a match that began when `a` changes were
complete must return one of the rule sets from `history[a]` on (the one after a change in
flight may already show). A replaced rule must never vanish, and nothing may raise.
"""

from __future__ import annotations

import functools
import random
import threading

import pytest

from patterns import Machine

from ..concurrency import run_together

# Every Machine and Pattern here runs on each matcher twin (tests/conftest.py: `twin`).
pytestmark = pytest.mark.usefixtures("twin")

EVENT = b'{"n": [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], "m": "x", "detail": {"k": "v"}}'


def _pattern(i: int, rng: random.Random) -> dict:
    # Different shapes that all match EVENT.
    return rng.choice(
        [
            {"n": [i % 10]},
            {"m": [{"prefix": "x"}], "n": [{"numeric": [">=", i % 10]}]},
            {"detail": {"k": ["v"]}, "$or": [{"n": [i % 10]}, {"m": ["nope"]}]},
            {"m": [{"anything-but": "y"}], "detail": {"k": [{"exists": True}]}},
        ]
    )


def test_machine_threads_see_whole_rule_sets() -> None:
    rng = random.Random(4)
    machine = Machine()
    machine.add("stable", {"m": ["x"]})
    machine.add("swap", {"n": [0]})
    history: list[frozenset[str]] = [frozenset({"stable", "swap"})]
    completed = [0]  # index in history of the rule set of the last completed change
    done = threading.Event()
    errors: list[BaseException] = []
    checked = [0]

    def matcher(mode: int) -> None:
        # 0: machine.match each time; 1: match_many; 2: a `match` kept from the thread's start,
        # as a router keeps it (the class's method or, once published, the compiled LiveMatch's):
        # it must see every later change too
        kept = machine.match
        try:
            while not done.is_set():
                first = completed[0]
                if mode == 1:
                    results = list(machine.match_many([EVENT, EVENT]))
                else:
                    results = [kept(EVENT) if mode == 2 else machine.match(EVENT)]
                allowed = set(history[first:])  # read after the match: every set it may have seen
                for names in results:
                    assert "stable" in names and "swap" in names, names
                    assert len(names) == len(set(names))
                    assert frozenset(names) in allowed, (names, first)
                    checked[0] += 1
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)
            done.set()

    def mutator() -> None:
        try:
            live = {"stable", "swap"}
            for step in range(400):
                if errors:
                    return
                op = rng.random()
                if op < 0.2:
                    history.append(frozenset(live))
                    machine.add("swap", _pattern(step, rng))  # replace: never absent
                elif op < 0.6 or len(live) < 3:
                    name = f"r{rng.randrange(30)}"
                    live.add(name)
                    history.append(frozenset(live))
                    machine.add(name, _pattern(step, rng))
                else:
                    name = rng.choice(sorted(live - {"stable", "swap"}))
                    live.discard(name)
                    history.append(frozenset(live))
                    machine.remove(name)
                completed[0] = len(history) - 1
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)
        finally:
            done.set()

    # switch threads often, to interleave inside changes and matches
    run_together([*(functools.partial(matcher, i % 3) for i in range(5)), mutator], 1e-5)
    if errors:
        raise errors[0]
    assert len(history) == 401
    assert checked[0] > 0
    assert frozenset(machine.match(EVENT)) == history[-1]
    assert set(machine) == set(history[-1])
