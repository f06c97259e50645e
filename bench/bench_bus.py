"""Custom Event Bus: per-event time of `Machine(dialect="bus")` against the subscriber count.

The target of issue 21: 10,000 subscribers (1 to 3 filters each) match at most 1.5x the
per-event time of 10. Run with `python -m pytest bench/bench_bus.py --benchmark-only` (the
compiled twin when it is built; PATTERNS_NO_EXTENSIONS=1 for the pure one).
"""

from __future__ import annotations

import statistics
import time

import pytest

from patterns import Machine

from .workloads import bus_events, bus_subscribers


def bus_machine(n: int) -> Machine:
    """A bus machine of the first `n` subscribers, its tables published."""
    machine = Machine(dialect="bus")
    for name, config in bus_subscribers(n):
        machine.add(name, config)
    machine.match(bus_events(1, 1)[0])
    return machine


@pytest.mark.benchmark(group="bus-scaling")
def test_bus_ratio_10k_to_10_subscribers(benchmark) -> None:
    """One round: 200 bus events (each aimed at one of the first 10 subscribers, so both
    machines give the same answers) matched by the 10-subscriber machine, then by the
    10,000-subscriber one, each timed; extra_info holds the median per-event time of each and
    their ratio. Interleaved in every round, as bench_machine's rule-count ratio is. Timed in
    CPU time (`time.process_time`): matching is one thread with no I/O, and on a shared machine
    wall time also counts the time other jobs hold the core."""
    small, large = bus_machine(10), bus_machine(10_000)
    events = bus_events(200, 10)
    assert [small.match(e) for e in events] == [large.match(e) for e in events]
    per_event: dict[str, list[float]] = {"10": [], "10000": []}

    def one_round() -> None:
        for label, machine in (("10", small), ("10000", large)):
            start = time.process_time()
            for event in events:
                machine.match(event)
            per_event[label].append((time.process_time() - start) / len(events) * 1e6)

    benchmark.pedantic(one_round, rounds=30, iterations=1, warmup_rounds=3)
    med_small, med_large = statistics.median(per_event["10"]), statistics.median(per_event["10000"])
    benchmark.extra_info.update(
        us_per_event_10=round(med_small, 2),
        us_per_event_10000=round(med_large, 2),
        ratio=round(med_large / med_small, 3),
    )
