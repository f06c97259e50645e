"""Many matches an event, and threads: `match` vs `match_many` vs `match_batch` (issue 19).

The dense workload (`workloads.dense_*`: AWS-shaped events, four kinds in five carrying arrays of
objects; 1,000 mixed rules match about 14 of them an event, 10,000 about 150), matched by each
road, interleaved in every round so a shared machine's drift hits all of them alike; and each
batch road on one thread, then the same work split over two. Figures are medians, with the
ratios in extra_info (`python -m pytest bench/bench_batch.py --benchmark-only`).
"""

from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Callable

import orjson
import pytest

from patterns import Machine

from .workloads import dense_events, dense_rules

EVENTS = 2_000
BATCH = 500  # events a batch call takes (and a thread's unit of work)


def _machine(rules: int) -> tuple[Machine, list[bytes]]:
    machine = Machine()
    for name, rule in dense_rules(rules):
        machine.add(name, rule)
    events = dense_events(EVENTS)
    machine.match(events[0])
    return machine, events


def _roads(machine: Machine) -> dict[str, Callable[[list[bytes]], None]]:
    match = machine.match

    def per_event(chunk: list[bytes]) -> None:
        for event in chunk:
            match(event)

    def many(chunk: list[bytes]) -> None:
        for _ in machine.match_many(chunk):
            pass

    def batch(chunk: list[bytes]) -> None:
        machine.match_batch(chunk)

    def batch_names(chunk: list[bytes]) -> None:
        for _ in machine.match_batch(chunk).names_or_errors():
            pass

    def loads(chunk: list[bytes]) -> None:
        for event in chunk:
            orjson.loads(event)

    return {"orjson.loads": loads, "match": per_event, "match_many": many, "match_batch": batch,
            "match_batch+names": batch_names}  # fmt: skip


@pytest.mark.benchmark(group="machine-dense")
@pytest.mark.parametrize("rules", [1_000, 10_000], ids=lambda n: f"{n}-rules")
def test_dense_roads(benchmark, rules: int) -> None:
    """One round: the 2,000 dense events through each road (and `orjson.loads` of each, the
    yardstick of issue 19), in batches of 500; extra_info holds each road's median us an event
    and its ratio to `orjson.loads`."""
    machine, events = _machine(rules)
    chunks = [events[i : i + BATCH] for i in range(0, EVENTS, BATCH)]
    roads = _roads(machine)
    times: dict[str, list[float]] = {name: [] for name in roads}

    def one_round() -> None:
        for name, road in roads.items():
            start = time.perf_counter()
            for chunk in chunks:
                road(chunk)
            times[name].append((time.perf_counter() - start) / EVENTS * 1e6)

    benchmark.pedantic(one_round, rounds=9, iterations=1, warmup_rounds=1)
    med = {name: statistics.median(t) for name, t in times.items()}
    benchmark.extra_info["matches_per_event"] = round(len(machine.match_batch(events).rule_ids) / EVENTS, 1)
    for name, us in med.items():
        benchmark.extra_info[f"us_{name}"] = round(us, 2)
        benchmark.extra_info[f"{name}_to_loads"] = round(us / med["orjson.loads"], 2)


@pytest.mark.benchmark(group="machine-dense-threads")
@pytest.mark.parametrize("road", ["match_many", "match_batch"])
def test_dense_two_threads(benchmark, road: str) -> None:
    """One round: the 2,000 dense events matched 3 times over by `road` (batches of 500) against
    1,000 dense rules, first on one thread, then the same work split over two; extra_info holds
    the median events/s of each (5 rounds) and their ratio (issue 19: at least 1.7 on two idle
    cores; the compiled build releases the GIL for each batch's scans and walks).

    Beside the wall-clock ratio, each thread's own CPU time (`time.thread_time`): `cpu_ratio`
    is the CPU an event costs on two threads over one (above 1: the threads slow each other
    down, through shared caches or a shared core, whatever the GIL does), and `busy_2_threads`
    the CPUs the two threads kept busy (below 2: a thread waited, for the GIL or for a core
    another process held). On a shared box, where the wall-clock ratio says little, these two
    still tell the serial share (idle time) from contention (dearer events).
    """
    PASSES = 3
    machine, events = _machine(1_000)
    chunks = [events[i : i + BATCH] for i in range(0, EVENTS, BATCH)] * PASSES
    work = _roads(machine)[road]
    rates: dict[int, list[float]] = {1: [], 2: []}
    cpu: dict[int, list[float]] = {1: [], 2: []}
    busy: list[float] = []

    def body(mine: list[list[bytes]], spent: list[float]) -> None:
        start = time.thread_time()
        for chunk in mine:
            work(chunk)
        spent.append(time.thread_time() - start)

    def one_round() -> None:
        for threads in (1, 2):
            spent: list[float] = []
            workers = [
                threading.Thread(target=body, args=(chunks[k::threads], spent)) for k in range(threads)
            ]
            start = time.perf_counter()
            for w in workers:
                w.start()
            for w in workers:
                w.join()
            wall = time.perf_counter() - start
            rates[threads].append(PASSES * EVENTS / wall)
            cpu[threads].append(sum(spent) / (PASSES * EVENTS) * 1e6)
            if threads == 2:
                busy.append(sum(spent) / wall)

    benchmark.pedantic(one_round, rounds=5, iterations=1, warmup_rounds=1)
    one, two = statistics.median(rates[1]), statistics.median(rates[2])
    cpu_one, cpu_two = statistics.median(cpu[1]), statistics.median(cpu[2])
    benchmark.extra_info.update(
        events_per_s_1_thread=round(one),
        events_per_s_2_threads=round(two),
        ratio=round(two / one, 3),
        cpu_us_per_event_1_thread=round(cpu_one, 3),
        cpu_us_per_event_2_threads=round(cpu_two, 3),
        cpu_ratio=round(cpu_two / cpu_one, 3),
        busy_2_threads=round(statistics.median(busy), 3),
    )
