"""A `Machine` shared by matching threads while another thread adds, replaces and removes rules.

Readers match on each road a caller takes: `match` each time, `match_many` over a list (matched in
batches), `match_batch` (both answers of a batch from one rule set), and a `match` kept from an earlier match, as a router keeps it (on the compiled build,
the machine's published `LiveMatch`'s: it must see every later change too). The writer records
each rule set before the change that makes it (`tests/concurrency.py`, `RuleChanges`); a match
must give exactly the answer of one rule set in force while it ran: the names of the rules that
match, in the order the names were first added, each answer computed beforehand with the
reference matcher (`patterns.oracle`). Nothing may raise.

The rules keep issue 7's shape (7 one-wildcard rules on one field, where readers writing a lazily
memoised wildcard DFA gave wrong answers and an `IndexError`), beside prefix, numeric,
anything-but, exists, ``$or`` and array rules; one rule, "swap", is only ever replaced, by
patterns that match every event, so it must be in every answer.
"""

from __future__ import annotations

import random
import sys
import threading
from collections.abc import Callable

import orjson
import pytest

import patterns
from patterns.events import decode_event, flatten
from patterns.oracle import matches as oracle_matches

from ..concurrency import RuleChanges

# Every Machine and Pattern here runs on each matcher twin (tests/conftest.py: `twin`).
pytestmark = pytest.mark.usefixtures("twin")

#: Issue 7's shape: one field, seven wildcard rules; always in force.
STABLE = {
    f"w{i}": {"s": [{"wildcard": w}]}
    for i, w in enumerate(["a*", "*b", "a*b*c", "*c*a", "b*a*", "*ab*", "c*"])
}
#: Patterns that match every event below (each has a non-empty `s` and numbers `n` >= 0).
SWAP = [
    {"s": [{"wildcard": "*"}]},
    {"s": [{"prefix": ""}]},
    {"n": [{"numeric": [">=", 0]}]},
    {"n": [{"exists": True}]},
    {"s": [{"anything-but": "never"}]},
    {"$or": [{"s": [{"suffix": ""}]}, {"absent": ["x"]}]},
]
#: Patterns the moving rules take (a name's pattern changes when it is added again).
MOVING = [
    {"s": [{"prefix": "ab"}]},
    {"n": [{"numeric": [">=", 3, "<", 7]}]},
    {"n": [3]},
    {"s": [{"anything-but": {"prefix": "a"}}]},
    {"items": {"k": ["a"], "v": [{"numeric": [">", 5]}]}},
    {"s": [{"wildcard": "*a*"}], "n": [{"numeric": ["<", 5]}]},
    {"s": [{"prefix": "a"}], "n": [{"numeric": [">=", 5]}]},
    {"detail": {"k": ["v"]}, "$or": [{"n": [3]}, {"s": [{"suffix": "c"}]}]},
    {"s": [{"anything-but": "ab"}], "detail": {"k": [{"exists": True}]}},
    {"detail": {"k": [{"exists": False}]}, "s": [{"equals-ignore-case": "AB"}]},
]
SHAPES = [*STABLE.values(), *SWAP, *MOVING]
#: Indexes in SHAPES of the patterns "swap" takes, and of those the moving rules take.
SWAP_SHAPES = range(len(STABLE), len(STABLE) + len(SWAP))
MOVING_SHAPES = range(SWAP_SHAPES.stop, len(SHAPES))
MOVING_NAMES = [f"r{i}" for i in range(8)]
ROADS = ["match", "match_many", "kept", "match", "match_batch"]
CHANGES = 300


def _events(rng: random.Random, count: int) -> list[bytes]:
    # Many distinct strings, numbers alone and in arrays, arrays of objects, a nested field or none.
    out = []
    for _ in range(count):
        s = "".join(rng.choice("abcx") for _ in range(rng.randrange(1, 9)))
        n = (
            rng.randrange(10)
            if rng.random() < 0.7
            else [rng.randrange(10) for _ in range(rng.randrange(1, 4))]
        )
        items = [{"k": rng.choice("ab"), "v": rng.randrange(10)} for _ in range(rng.randrange(0, 4))]
        event = {"s": s, "n": n, "items": items}
        if rng.random() < 0.5:
            event["detail"] = {"k": rng.choice("vw")}
        out.append(orjson.dumps(event))
    return out


def test_machine_threads_answer_for_a_rule_set_in_force() -> None:
    rng = random.Random(7)
    events = _events(rng, 300)
    compiled = [patterns.compile(p) for p in SHAPES]
    flats = [flatten(decode_event(e)) for e in events]
    verdict = [[oracle_matches(p.branches, flat) for flat in flats] for p in compiled]
    assert all(all(verdict[shape]) for shape in SWAP_SHAPES)  # "swap" is in every right answer

    machine = patterns.Machine()  # never matched: its first publication happens under the threads
    first = {name: i for i, name in enumerate(STABLE)} | {"swap": SWAP_SHAPES[0]}
    for name, shape in first.items():
        machine.add(name, compiled[shape])
    # each rule set maps a rule's name to its pattern's index in SHAPES, in the order names were added
    changes: RuleChanges[dict[str, int]] = RuleChanges(first)
    checked = dict.fromkeys(ROADS, 0)

    def expected(rules: dict[str, int], i: int) -> list[str]:
        return [name for name, shape in rules.items() if verdict[shape][i]]

    def check(road: str, i: int, names: list[str], mark: int) -> None:
        allowed = [expected(rules, i) for rules in changes.since(mark)]
        assert names in allowed, (road, events[i], names, allowed)
        checked[road] += 1

    def reader(road: str, seed: int) -> Callable[[], None]:
        def body() -> None:
            local = random.Random(seed)
            kept = None
            while changes.running():
                i, j = local.randrange(len(events)), local.randrange(len(events))
                mark = changes.mark()
                if road == "match_batch":  # one snapshot for the whole batch: one rule set
                    result = machine.match_batch([events[i], events[j]])
                    allowed = [[expected(rules, i), expected(rules, j)] for rules in changes.since(mark)]
                    assert [result[0], result[1]] in allowed, (road, events[i], events[j], allowed)
                    checked[road] += 1
                elif road == "match_many":
                    first_names, second_names = machine.match_many([events[i], events[j]])
                    check(road, i, first_names, mark)
                    check(road, j, second_names, mark)
                elif kept is not None:
                    check(road, i, kept(events[i]), mark)
                else:
                    check(road, i, machine.match(events[i]), mark)
                    if road == "kept":
                        kept = machine.match  # after a match: the compiled build's LiveMatch's

        return body

    def writer() -> None:
        live = dict(first)
        for _ in range(CHANGES):
            if not changes.running():
                return
            choice = rng.random()
            name = "swap" if choice < 0.2 else rng.choice(MOVING_NAMES)
            if name != "swap" and name in live and choice < 0.5:
                del live[name]
                changes.changing(dict(live))
                machine.remove(name)
            else:
                # "swap" is only replaced; a replaced name keeps its place in the answers
                live[name] = rng.choice(SWAP_SHAPES if name == "swap" else MOVING_SHAPES)
                changes.changing(dict(live))
                machine.add(name, compiled[live[name]])
            changes.changed()

    # switch threads as often as possible, inside changes, walks and automaton steps
    changes.race([reader(road, seed) for seed, road in enumerate(ROADS)], writer)
    assert changes.mark() == CHANGES
    assert all(checked.values()), checked
    assert list(machine) == list(changes.history[-1])
    for i in range(len(events)):
        assert machine.match(events[i]) == expected(changes.history[-1], i)


@pytest.mark.parametrize("road", ["match_batch", "match_many"])
def test_machine_batches_let_other_threads_run(twin: str, road: str) -> None:
    # The compiled build matches a batch with the GIL released: another thread, waiting for the
    # GIL while this one holds it (the switch interval made so long that only a release lets
    # it in), runs during the batch. One `match` keeps the GIL (the control: nothing runs).
    if twin == "python":
        pytest.skip("the pure twin holds the GIL: nothing to release")
    machine = patterns.Machine()
    for name, shape in STABLE.items():
        machine.add(name, shape)
    events = _events(random.Random(3), 20_000)
    machine.match(events[0])
    batch = getattr(machine, road)

    def ran_during(work: Callable[[], object]) -> int:
        go, stop = threading.Event(), threading.Event()
        steps = [0]

        def other() -> None:
            go.wait()  # then it needs the GIL: only a release by `work` lets it in
            while not stop.is_set() and steps[0] < 200_000:
                steps[0] += 1

        old = sys.getswitchinterval()
        sys.setswitchinterval(1_000.0)
        thread = threading.Thread(target=other)
        try:
            thread.start()
            while not thread.is_alive():
                pass
            go.set()
            work()
            seen = steps[0]
        finally:
            stop.set()
            sys.setswitchinterval(old)
            thread.join()
        return seen

    assert ran_during(lambda: machine.match(events[0])) == 0
    assert ran_during(lambda: list(batch(events))) > 0
