"""Machine: per-event match time against the rule count, compile time, memory per rule.

Figures quoted in the closing note of issue 4 come from here:
`python -m pytest bench --benchmark-only` (PATTERNS_NO_EXTENSIONS=1 for the pure path).
"""

from __future__ import annotations

import gc
import itertools
import pickle
import statistics
import time
import tracemalloc

import pytest

from patterns import IMPLEMENTATION, Machine, compile

from .conftest import RULE_COUNTS, load, machine_with, mixed_rules, simple_rules


@pytest.mark.benchmark(group="machine-match-per-event")
@pytest.mark.parametrize("rules", RULE_COUNTS, ids=[f"{n}-rules" for n in RULE_COUNTS])
def test_match_mixed(benchmark, events, rules: int) -> None:
    """One round: `Machine.match` of one event (JSON bytes; the next of 200 real-shaped events
    each round) against `rules` rules of the mixed workload."""
    machine = machine_with(rules)
    cycle = itertools.cycle(events)
    hits = benchmark(lambda: machine.match(next(cycle)))
    assert isinstance(hits, list)
    benchmark.extra_info["matches_per_event"] = sum(len(machine.match(e)) for e in events) / len(events)


@pytest.mark.benchmark(group="machine-scaling")
def test_match_ratio_10k_to_10_rules(benchmark, events) -> None:
    """One round: the 200 events matched by the 10-rule machine, then by the 10,000-rule one,
    each timed; extra_info holds the median per-event time of each and their ratio.

    Interleaving the two in every round cancels the drift of a shared machine, which two
    separate benchmark groups do not. The target of issue 4 (pure Python) is a ratio of 2 or
    less; this benchmark fails above it.
    """
    small, large = machine_with(10), machine_with(10_000)
    per_event: dict[str, list[float]] = {"10": [], "10000": []}

    def one_round() -> None:
        for label, machine in (("10", small), ("10000", large)):
            start = time.perf_counter()
            for event in events:
                machine.match(event)
            per_event[label].append((time.perf_counter() - start) / len(events) * 1e6)

    benchmark.pedantic(one_round, rounds=40, iterations=1, warmup_rounds=3)
    med_small, med_large = statistics.median(per_event["10"]), statistics.median(per_event["10000"])
    ratio = med_large / med_small
    benchmark.extra_info.update(
        us_per_event_10=round(med_small, 2), us_per_event_10000=round(med_large, 2), ratio=round(ratio, 3)
    )
    # Issue 4's target is the pure twin's. On the compiled one the fixed cost per event is a few
    # tenths of a microsecond, so the cost of the answer itself shows: these 10,000 rules match 6
    # rules per event where 10 match none (issue 9's target is the many-tenant set, where the
    # answer stays one rule: `python -m bench`, tenants).
    if IMPLEMENTATION == "python":
        assert ratio <= 2.0, f"10,000 rules cost {ratio:.2f}x the per-event time of 10 (target: 2x)"


@pytest.mark.benchmark(group="machine-match-per-event")
def test_match_oracle_100_rules(benchmark, events) -> None:
    """One round: what a router without an automaton does, each of 100 mixed rules'
    `Pattern.matches` (the reference matcher) on one event. For scale only."""
    rules = [compile(rule) for _, rule in mixed_rules(100)]
    cycle = itertools.cycle(events)
    benchmark(lambda: [p.matches(e) for e in [next(cycle)] for p in rules])


@pytest.mark.benchmark(group="machine-compile")
def test_add_10k_rules(benchmark) -> None:
    """One round: a new Machine, `add` of 10,000 mixed rules (validation included), and the
    first match, which publishes the tables: the whole cost of loading a 10k-rule bus."""
    rules = mixed_rules(10_000)
    machine = benchmark.pedantic(load, args=(rules,), rounds=3, iterations=1)
    assert len(machine) == 10_000


@pytest.mark.benchmark(group="machine-compile")
def test_rebuild_10k_rules(benchmark) -> None:
    """One round: a full rebuild of the tables of a 10,000-rule machine, as a change pays it
    when it compacts (freed ids past half the live ones) and the first match of a new machine."""
    machine = machine_with(10_000)

    def rebuild() -> None:
        with machine._lock:
            machine._tables = machine._builder.build()

    benchmark.pedantic(rebuild, rounds=5, iterations=1)


@pytest.mark.benchmark(group="machine-change")
@pytest.mark.parametrize("op", ["add", "remove"])
def test_change_10k_rules(benchmark, events, op: str) -> None:
    """One round: one change to a 10,000-rule machine whose tables are published (`add` of a
    new mixed rule, or `remove` of one), then the match of one event, which sees the change:
    what a change costs while events flow. The rules come from the mixed workload past the
    machine's 10,000 (the same distribution); a remove round's rule is added untimed first."""
    machine = machine_with(10_000)
    fresh = iter(mixed_rules(10_400)[10_000:])
    cycle = itertools.cycle(events)
    added: list[str] = []

    def add() -> None:
        name, rule = next(fresh)
        machine.add(name, rule)
        added.append(name)
        machine.match(next(cycle))

    def setup_remove() -> tuple[tuple[str], dict]:
        name, rule = next(fresh)
        machine.add(name, rule)
        return (name,), {}

    def remove(name: str) -> None:
        machine.remove(name)
        machine.match(next(cycle))

    try:
        if op == "add":
            benchmark.pedantic(add, rounds=300, iterations=1, warmup_rounds=10)
        else:
            benchmark.pedantic(remove, setup=setup_remove, rounds=300, warmup_rounds=10)
    finally:
        for name in added:
            machine.remove(name)
    assert len(machine) == 10_000


@pytest.mark.benchmark(group="machine-pickle")
def test_pickle_load_10k_rules(benchmark) -> None:
    """One round: `pickle.loads` of a pickled 10,000-rule machine, and the first match, which
    rebuilds its tables (a copy shipped to a worker process ready to route). The pickled size
    is recorded in the benchmark's extra_info."""
    machine = machine_with(10_000)
    data = pickle.dumps(machine)
    benchmark.extra_info["pickled_bytes"] = len(data)

    def load_and_match() -> Machine:
        copy = pickle.loads(data)
        copy.match(b"{}")
        return copy

    copy = benchmark.pedantic(load_and_match, rounds=3, iterations=1)
    assert list(copy) == list(machine)
    print(f"\npickled 10,000-rule machine: {len(data):,} bytes")


@pytest.mark.benchmark(group="machine-memory")
@pytest.mark.parametrize("shape", ["simple", "mixed"])
def test_memory_per_rule(benchmark, shape: str) -> None:
    """One round: 2,000 rules added to a new machine and its tables published. extra_info holds
    the bytes per rule (tracemalloc: the Machine with its builder and tables, and the validated
    patterns it keeps) and what is still allocated once every rule is removed again."""
    rules = simple_rules(2_000) if shape == "simple" else mixed_rules(2_000)

    gc.collect()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        machine = load(rules)
        gc.collect()
        full = tracemalloc.get_traced_memory()[0]
        for name, _ in rules:
            machine.remove(name)
        machine.match(b"{}")
        gc.collect()
        emptied = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    benchmark.extra_info["bytes_per_rule"] = round((full - base) / len(rules))
    benchmark.extra_info["bytes_left_after_remove_all"] = emptied - base
    benchmark.pedantic(load, args=(rules,), rounds=1, iterations=1)


@pytest.mark.benchmark(group="machine-match-many-threads")
@pytest.mark.parametrize("size", [50, 200, 1_000], ids=lambda n: f"lists-of-{n}")
def test_match_many_two_threads(benchmark, size: int) -> None:
    """One round: 2,000 AWS-shaped events matched 10 times over by `match_many` (lists of `size`)
    against 1,000 mixed rules, first on one thread, then the same work split over two (rounds of
    tens of milliseconds: thread start and GIL hand-offs stay small beside them); extra_info
    holds the median events/s of each and their ratio (issue 9: at least 1.5 on two cores; the
    compiled build releases the GIL per batch, the pure one cannot gain)."""
    PASSES = 10
    import threading

    from .workloads import aws_events, aws_rules

    machine = Machine()
    for name, rule in aws_rules(1_000):
        machine.add(name, rule)
    events = aws_events(2_000)
    chunks = [events[i : i + size] for i in range(0, len(events), size)]
    machine.match(events[0])
    rates: dict[int, list[float]] = {1: [], 2: []}

    def work(mine: list[list[bytes]]) -> None:
        for _ in range(PASSES):
            for chunk in mine:
                for _ in machine.match_many(chunk):
                    pass

    def one_round() -> None:
        for threads in (1, 2):
            shares = [chunks[k::threads] for k in range(threads)]
            workers = [threading.Thread(target=work, args=(share,)) for share in shares]
            start = time.perf_counter()
            for w in workers:
                w.start()
            for w in workers:
                w.join()
            rates[threads].append(PASSES * len(events) / (time.perf_counter() - start))

    benchmark.pedantic(one_round, rounds=7, iterations=1, warmup_rounds=1)
    one, two = statistics.median(rates[1]), statistics.median(rates[2])
    benchmark.extra_info.update(
        events_per_s_1_thread=round(one), events_per_s_2_threads=round(two), ratio=round(two / one, 3)
    )
