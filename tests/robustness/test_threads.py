"""Matching threads beside a mutating one: every answer is the right one for a rule set in force.

Issue 7: the lazily built wildcard DFA is written by readers, so 7 one-wildcard rules on one field
and 4 matching threads gave wrong answers and an `IndexError`. Here 4 threads match events with
many distinct strings (each new string makes the lazy DFA grow) against wildcard, prefix,
numeric, anything-but and array rules, while a fifth thread adds and removes rules (each change
makes the next match publish fresh tables, with an empty DFA memo).

The right answer for an event under a rule set comes from the reference matcher
(`Pattern.matches`, the oracle), computed before the threads start. The mutator appends each
rule set to `history` before the change that makes it; a match that began when change `a` was
complete must equal the oracle's answer for one of `history[a:]`.
"""

from __future__ import annotations

import functools
import random
import threading

import orjson
import pytest

import patterns

from ..concurrency import run_together

# Every Machine and Pattern here runs on each matcher twin (tests/conftest.py: `twin`).
pytestmark = pytest.mark.usefixtures("twin")

#: One field, seven wildcard rules (the issue's shape), and rules of the other kinds beside them.
RULES: dict[str, dict] = {
    **{f"w{i}": {"s": [{"wildcard": w}]} for i, w in enumerate(["a*", "*b", "a*b*c", "*c*a", "b*a*", "*ab*", "c*"])},
    "prefix": {"s": [{"prefix": "ab"}]},
    "numeric": {"n": [{"numeric": [">=", 3, "<", 7]}]},
    "anything-but": {"s": [{"anything-but": {"prefix": "a"}}]},
    "array": {"items": {"k": ["a"], "v": [{"numeric": [">", 5]}]}},
    "mixed": {"s": [{"wildcard": "*a*"}], "n": [{"numeric": ["<", 5]}]},
}  # fmt: skip
STABLE = ["w0", "w1", "w2", "w3", "w4", "w5", "w6"]
MOVING = [name for name in RULES if name not in STABLE]


def _events(rng: random.Random, count: int) -> list[bytes]:
    out = []
    for _ in range(count):
        s = "".join(rng.choice("abcx") for _ in range(rng.randrange(1, 9)))
        items = [{"k": rng.choice("ab"), "v": rng.randrange(10)} for _ in range(rng.randrange(0, 4))]
        out.append(orjson.dumps({"s": s, "n": rng.randrange(10), "items": items}))
    return out


def test_threads_answers_match_the_oracle_for_a_rule_set_in_force() -> None:
    rng = random.Random(7)
    events = _events(rng, 400)
    compiled = {name: patterns.compile(p) for name, p in RULES.items()}
    verdict = {name: [p.matches(e) for e in events] for name, p in compiled.items()}

    machine = patterns.Machine()
    for name in STABLE:
        machine.add(name, compiled[name])
    history: list[frozenset[str]] = [frozenset(STABLE)]
    completed = [0]
    done = threading.Event()
    errors: list[BaseException] = []
    checked = [0]

    def expected(rules: frozenset[str], i: int) -> frozenset[str]:
        return frozenset(name for name in rules if verdict[name][i])

    def matcher(seed: int) -> None:
        local = random.Random(seed)
        try:
            while not done.is_set():
                i = local.randrange(len(events))
                first = completed[0]
                names = machine.match(events[i])
                allowed = {expected(rules, i) for rules in history[first:]}
                assert len(names) == len(set(names)), names
                assert frozenset(names) in allowed, (events[i], names, allowed)
                checked[0] += 1
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)
            done.set()

    def mutator() -> None:
        live = set(STABLE)
        try:
            for _ in range(120):
                if errors:
                    return
                name = rng.choice(MOVING)
                if name in live:
                    live.discard(name)
                    history.append(frozenset(live))
                    machine.remove(name)
                else:
                    live.add(name)
                    history.append(frozenset(live))
                    machine.add(name, compiled[name])
                completed[0] = len(history) - 1
                for _ in range(10):  # let the readers fill the fresh tables' DFA memo
                    if done.is_set():
                        return
                    machine.match(events[rng.randrange(len(events))])
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            done.set()

    # switch threads as often as possible, inside DFA steps
    run_together([*(functools.partial(matcher, seed) for seed in range(4)), mutator])
    if errors:
        raise errors[0]
    assert checked[0] > 1000
    for i in range(len(events)):
        assert frozenset(machine.match(events[i])) == expected(history[-1], i)
