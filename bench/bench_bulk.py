"""Many rules in one Machine (issue 20): build, memory, match and one change, by rule count.

`python -m bench.bench_bulk [sizes...]` prints one table row per size (default 10, 1,000, 10,000,
100,000), each size measured in a fresh process (so RSS is that machine's alone), and then the
one-field cases: 20,000 numeric ranges on one field and 100,000 prefixes on one field.
`PATTERNS_NO_EXTENSIONS=1` for the pure twin. A first line gives `compile` alone: 10,000
distinct tenant rules as JSON text, one by one (`measure_compile`). Under pytest (`python -m pytest
bench/bench_bulk.py`) one round of `add_many` of 10,000 tenant rules is timed.

The rules are many-tenant rules: each pins one tenant (an instance, a bucket, a customer, an
order) by an exact value, with, by kind, a prefix, a numeric range, an anything-but or an exists
condition beside it; each event names one tenant that has a rule. Columns:

    add      `add` per rule, then the first match (which publishes the tables)
    bulk     `add_many` of all rules (in a machine of its own), then the first match
    rss/rule growth of the process's resident set while the rules were added and published,
             per rule; tm/rule the same by tracemalloc (a third machine, traced)
    match    median per-event time of `match` over 2,000 events (each matches one rule)
    add+m    one `add` of a new rule and the next match, median of 100; rm+m one `remove`
             and the next match, median of 100
    snapshot `Machine.to_bytes` of the add_many machine: its size and time; `from_bytes` and
             the first match (a machine loaded afresh); `stats().table_bytes` per rule

What the figures do not show: each round of a change is the same kind of rule (a new tenant),
the box is shared (2 cores, other work running), and the medians are of one run.
"""

from __future__ import annotations

import gc
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import orjson
import pytest

from patterns import IMPLEMENTATION, Machine
from patterns import compile as compile_pattern

from .native import Harness, HarnessError, write_inputs

SIZES = [10, 1_000, 10_000, 100_000]
#: event-ruler is measured up to this many rules (its `addRule` of 1,000 tenant rules took 13 s
#: here: numeric ranges; 100,000 would take hours).
PEER_UP_TO = 10_000
#: Above this many rules, `measure` builds with `add_many` alone (see there).
ONE_BY_ONE_UP_TO = 200_000
CHANGES = 100


def tenant_rule(i: int) -> dict:
    """Rule i: tenant i pinned by an exact value, with one more condition by kind."""
    kind = i % 5
    if kind == 0:
        return {"source": ["aws.ec2"], "detail": {"instance-id": [f"i-{i:012x}"]}}
    if kind == 1:
        return {
            "source": ["aws.s3"],
            "detail": {"bucket": [f"bucket-{i}"], "key": [{"prefix": f"in/{i % 97}/"}]},
        }
    if kind == 2:
        return {
            "source": ["orders"],
            "detail": {"customer": [f"c{i}"], "amount": [{"numeric": [">", i % 1000]}]},
        }
    if kind == 3:
        return {
            "source": ["orders"],
            "detail": {"order": [f"o{i}"], "state": [{"anything-but": ["void", "test"]}]},
        }
    return {"source": ["users"], "detail": {"user": [f"u{i}"], "admin": [{"exists": True}]}}


def tenant_event(i: int) -> bytes:
    """An event of tenant i that its rule matches."""
    kind = i % 5
    detail: dict
    if kind == 0:
        detail, source = {"instance-id": f"i-{i:012x}", "state": "running"}, "aws.ec2"
    elif kind == 1:
        detail, source = {"bucket": f"bucket-{i}", "key": f"in/{i % 97}/x.csv", "size": 10}, "aws.s3"
    elif kind == 2:
        detail, source = {"customer": f"c{i}", "amount": i % 1000 + 1, "items": [1, 2]}, "orders"
    elif kind == 3:
        detail, source = {"order": f"o{i}", "state": "paid"}, "orders"
    else:
        detail, source = {"user": f"u{i}", "admin": False}, "users"
    return orjson.dumps(
        {"version": "0", "id": str(i), "source": source, "detail-type": "x", "detail": detail}
    )


def _rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1e3


def measure(n: int) -> dict:
    """The figures of one rule count (run in a fresh process).

    From `ONE_BY_ONE_UP_TO` rules on, the rules go in by `add_many` only (adding a million one by
    one, and a second, traced build, would take most of an hour): RSS is then the `add_many`
    machine's, and the `add` and tracemalloc columns are left empty.
    """
    rules = [(f"t{i}", tenant_rule(i)) for i in range(n)]
    events = [tenant_event(i * 7919 % n) for i in range(2_000)]
    out: dict = {"rules": n, "twin": IMPLEMENTATION}
    one_by_one = n <= ONE_BY_ONE_UP_TO
    gc.collect()
    before = _rss()
    t0 = time.perf_counter()
    if one_by_one:
        m = Machine()
        for name, rule in rules:
            m.add(name, rule)
    else:
        m = Machine(rules=rules)
    t1 = time.perf_counter()
    assert m.match(events[0])
    t2 = time.perf_counter()
    out["add_s" if one_by_one else "add_many_s"], out["first_match_s"] = t1 - t0, t2 - t1
    out["rss_per_rule"] = (_rss() - before) / n
    times = []
    for e in events:
        t = time.perf_counter()
        m.match(e)
        times.append(time.perf_counter() - t)
    out["match_us"] = statistics.median(times) * 1e6
    adds, removes = [], []
    for j in range(CHANGES):
        name = f"new{j}"
        t = time.perf_counter()
        m.add(name, tenant_rule(n + j))
        m.match(events[j])
        adds.append(time.perf_counter() - t)
    for j in range(CHANGES):
        t = time.perf_counter()
        m.remove(f"t{j * 7 % n}" if j * 7 < n else f"new{j}")
        m.match(events[j])
        removes.append(time.perf_counter() - t)
    out["add_change_ms"], out["remove_change_ms"] = _median_ms(adds), _median_ms(removes)
    if one_by_one:
        del m
        gc.collect()
        t0 = time.perf_counter()
        m = Machine(rules=rules)
        m.match(events[0])
        out["add_many_s"] = time.perf_counter() - t0
    else:
        out["add_many_s"] += out.pop("first_match_s")
    out["table_bytes_per_rule"] = m.stats().table_bytes / n
    t0 = time.perf_counter()
    data = m.to_bytes()
    out["save_s"], out["snapshot_bytes"] = time.perf_counter() - t0, len(data)
    del m
    gc.collect()
    t0 = time.perf_counter()
    loaded = Machine.from_bytes(data)
    loaded.match(events[0])
    out["load_s"] = time.perf_counter() - t0
    del loaded
    gc.collect()
    if one_by_one:
        tracemalloc.start()
        traced = Machine(rules=rules)
        traced.match(events[0])
        out["tracemalloc_per_rule"] = tracemalloc.get_traced_memory()[0] / n
        tracemalloc.stop()
    return out


def measure_compile(n: int, rounds: int = 5) -> dict:
    """`patterns.compile` of `n` distinct tenant rules as JSON text, one by one: µs a pattern,
    median of `rounds` rounds; then the same with each pattern's `branches` read (what
    `Machine.add` reads next), and the process CPU time of the first figure's rounds."""
    texts = [json.dumps(tenant_rule(i)) for i in range(n)]
    out: dict = {"twin": IMPLEMENTATION, "patterns": n}
    for key, use in (("compile_us", lambda p: p), ("compile_branches_us", lambda p: p.branches)):
        wall, cpu = [], []
        for _ in range(rounds):
            t, c = time.perf_counter(), time.process_time()
            for text in texts:
                use(compile_pattern(text))
            wall.append((time.perf_counter() - t) / n * 1e6)
            cpu.append((time.process_time() - c) / n * 1e6)
        out[key], out[key + "_cpu"] = statistics.median(wall), statistics.median(cpu)
    return out


#: Changes per kind `measure_one_field` takes the median of: one change is a fraction of a
#: millisecond, so five samples let one collector pause or page fault move the figure.
_FIELD_CHANGES = 25


def measure_one_field(numeric: int, prefixes: int) -> dict:
    """Many operands on one field: `numeric` nested ranges, `prefixes` prefixes; each change
    figure is the median of `_FIELD_CHANGES` changes of its kind, each with the next match."""
    out: dict = {"twin": IMPLEMENTATION}
    t0 = time.perf_counter()
    m = Machine(rules=[(f"r{i}", {"a": [{"numeric": [">", i]}]}) for i in range(numeric)])
    assert m.match(b'{"a": 10.5}') == [f"r{i}" for i in range(11)]
    out["numeric_build_s"] = time.perf_counter() - t0
    for key, rule in (
        ("numeric_change_ms", lambda j: {"a": [{"numeric": ["<", -j]}]}),
        ("exact_change_ms", lambda j: {"a": [j + 0.5]}),
    ):
        samples = []
        for j in range(_FIELD_CHANGES):
            t = time.perf_counter()
            m.add(f"{key}{j}", rule(j))
            m.match(b'{"a": 1}')
            samples.append(time.perf_counter() - t)
        out[key] = _median_ms(samples)
    del m
    t0 = time.perf_counter()
    m = Machine(rules=[(f"p{i}", {"a": [{"prefix": f"k{i:06d}/"}]}) for i in range(prefixes)])
    assert m.match(b'{"a": "k000007/x"}') == ["p7"]
    out["prefix_build_s"] = time.perf_counter() - t0
    samples = []
    for j in range(_FIELD_CHANGES):
        t = time.perf_counter()
        m.remove(f"p{j * 13}")
        m.match(b'{"a": "k000007/x"}')
        samples.append(time.perf_counter() - t)
    out["prefix_remove_ms"] = _median_ms(samples)
    return out


def measure_peer(n: int, timeout: float = 600) -> dict | str:
    """event-ruler's figures for the same rules and events, through its native harness
    (`PATTERNS_BENCH_EVENT_RULER`, docs/performance.md "Native peers"): `addRule` of every rule,
    the heap it holds, per-event time, one `deleteRule` / `addRule` plus the next match (medians
    over the last 100 rules). A reason string where it does not run."""
    harness = Harness("event-ruler-native")
    if harness.missing:
        return harness.missing
    rules = [(f"t{i}", tenant_rule(i)) for i in range(n)]
    events = [tenant_event(i * 7919 % n) for i in range(2_000)]
    with tempfile.TemporaryDirectory() as folder:
        rules_path, events_path = write_inputs(rules, events, Path(folder))
        try:
            return harness.run(rules_path, events_path, 1.0, 3.0, timeout)
        except HarnessError as exc:
            return str(exc).splitlines()[0][:200]


def _in_child(call: str) -> dict:
    code = f"import json, bench.bench_bulk as b; print(json.dumps(b.{call}))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(done.stdout.splitlines()[-1])


def main(argv: list[str]) -> None:
    sizes = [int(a) for a in argv] or SIZES
    print(f"twin: {IMPLEMENTATION}")
    r = _in_child("measure_compile(10_000)")
    print(
        f"compile: {r['patterns']:,} distinct patterns one by one, µs/pattern (median of 5 rounds):"
        f" {r['compile_us']:.1f} (CPU {r['compile_us_cpu']:.1f}); with their branches"
        f" {r['compile_branches_us']:.1f} (CPU {r['compile_branches_us_cpu']:.1f})"
    )
    print(
        "| rules | add + first match | add_many + first match | RSS / rule | tracemalloc / rule | match / event | add + next match | remove + next match |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    rows = []
    for n in sizes:
        r = _in_child(f"measure({n})")
        rows.append(r)
        add = f"{r['add_s']:.2f} + {r['first_match_s']:.2f} s" if "add_s" in r else "—"
        traced = f"{r['tracemalloc_per_rule']:,.0f} B" if "tracemalloc_per_rule" in r else "—"
        print(
            f"| {n:,} | {add} | {r['add_many_s']:.2f} s"
            f" | {r['rss_per_rule']:,.0f} B | {traced} | {r['match_us']:.2f} µs"
            f" | {r['add_change_ms']:.2f} ms | {r['remove_change_ms']:.2f} ms |"
        )
    print()
    print("| rules | snapshot | `to_bytes` | `from_bytes` + first match | table bytes / rule (`stats`) |")
    print("| --- | --- | --- | --- | --- |")
    for r in rows:
        print(
            f"| {r['rules']:,} | {r['snapshot_bytes'] / 1e6:.2f} MB | {r['save_s']:.2f} s | {r['load_s']:.2f} s"
            f" | {r['table_bytes_per_rule']:.0f} B |"
        )
    print()
    print(
        "| event-ruler (native) | addRule all | heap / rule | match / event | addRule + next match"
        " | deleteRule + next match |"
    )
    print("| --- | --- | --- | --- | --- | --- |")
    for n in [n for n in sizes if n <= PEER_UP_TO]:
        p = measure_peer(n)
        if isinstance(p, str):
            print(f"| {n:,} | {p} | | | | |")
            continue
        print(
            f"| {n:,} | {p['build_s']:.2f} s | {p.get('heap_bytes', 0) / n:,.0f} B"
            f" | {1e6 / p['events_per_s']:.2f} µs | {p.get('add_ms', -1):.2f} ms | {p.get('remove_ms', -1):.2f} ms |"
        )
    r = _in_child("measure_one_field(20_000, 100_000)")
    print(
        f"one field: 20,000 numeric ranges built in {r['numeric_build_s']:.2f} s, one numeric change"
        f" {r['numeric_change_ms']:.1f} ms, one exact change {r['exact_change_ms']:.1f} ms;"
        f" 100,000 prefixes built in {r['prefix_build_s']:.2f} s, one remove {r['prefix_remove_ms']:.1f} ms"
    )


@pytest.mark.benchmark(group="bulk")
def test_add_many_10000_tenants(benchmark) -> None:
    """One round: `Machine(rules=...)` of 10,000 tenant rules and its first match."""
    rules = [(f"t{i}", tenant_rule(i)) for i in range(10_000)]
    event = tenant_event(3)

    def build() -> list[str]:
        return Machine(rules=rules).match(event)

    assert benchmark.pedantic(build, rounds=3, iterations=1) == ["t3"]


if __name__ == "__main__":
    main(sys.argv[1:])
