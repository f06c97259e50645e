"""The byte scanner: `scan_leaves` against `orjson.loads` + `select_leaves`, the road it replaces.

Both give the leaves on rule paths (grouped by path id) and the contexts `run_machine` reads; the
scanner reads the raw JSON once and decodes only values on rule paths. Run:
`python -m pytest bench/bench_scan.py --benchmark-only --benchmark-group-by=group,param:case`.
Both engines are the compiled build's (`patterns._match.IMPLEMENTATION == "cython"`); the slow
road is orjson plus the pure-Python `select_leaves`, as `engine.run` takes it where the twin declines.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import orjson
import pytest

from patterns import Machine
from patterns._match import scan_leaves, scan_table
from patterns.walk import select_leaves

from .conftest import machine_with

STATUS = Path(__file__).resolve().parents[2] / "shared" / "data" / "quamina-testdata" / "status.json"

# status.json (9.4 KB, 201 leaves): its first, a middle (leaf 101 of 201) and its last field.
STATUS_FIELDS = {
    "early": "context.user_id",
    "middle": "payload.retweeted_status.user.time_zone",
    "last": "payload.lang_value",
}


def _table_of(paths: list[str]) -> tuple[frozenset[str], dict[str, int]]:
    prefixes = {""} | set(paths) | {p[:j] for p in paths for j, ch in enumerate(p) if ch == "."}
    return frozenset(prefixes), {p: i for i, p in enumerate(paths)}


def _slow_road(prefixes: frozenset[str], path_ids: dict[str, int]):
    return lambda raw: select_leaves(orjson.loads(raw), prefixes, path_ids, True)


@pytest.mark.skipif(not STATUS.is_file(), reason="../shared/data is absent")
@pytest.mark.benchmark(group="scan")
@pytest.mark.parametrize("engine", ["scan_leaves", "orjson+select_leaves"])
@pytest.mark.parametrize("case", list(STATUS_FIELDS), ids=[f"status-{c}" for c in STATUS_FIELDS])
def test_scan_status(benchmark, case: str, engine: str) -> None:
    """One round: the leaves of one rule path (first, middle or last field) in status.json."""
    raw = STATUS.read_bytes()
    prefixes, path_ids = _table_of([STATUS_FIELDS[case]])
    if engine == "scan_leaves":
        table = scan_table(prefixes, path_ids)
        result = benchmark(scan_leaves, raw, table)
    else:
        result = benchmark(_slow_road(prefixes, path_ids), raw)
    assert result is not None and result[0] == {0: result[0][0]}


@pytest.mark.benchmark(group="scan")
@pytest.mark.parametrize("engine", ["scan_leaves", "orjson+select_leaves"])
@pytest.mark.parametrize("case", ["aws-1000-rules"])
def test_scan_aws_events(benchmark, events, case: str, engine: str) -> None:
    """One round: the leaves on the rule paths of the 1,000-rule mixed machine in one event (the
    next of the 200 real-shaped AWS events of bench/conftest.py each round)."""
    tables = machine_with(1_000)._current()
    cycle = itertools.cycle(events)
    if engine == "scan_leaves":
        table = scan_table(tables.prefixes, tables.path_ids)
        assert all(scan_leaves(e, table) is not None for e in events)  # the fast road is taken
        result = benchmark(lambda: scan_leaves(next(cycle), table))
    else:
        slow = _slow_road(tables.prefixes, tables.path_ids)
        result = benchmark(lambda: slow(next(cycle)))
    assert result is not None


@pytest.mark.skipif(not STATUS.is_file(), reason="../shared/data is absent")
@pytest.mark.benchmark(group="status-match")
@pytest.mark.parametrize("engine", ["Machine.match", "orjson.loads"])
@pytest.mark.parametrize("case", list(STATUS_FIELDS), ids=[f"status-{c}" for c in STATUS_FIELDS])
def test_match_status(benchmark, case: str, engine: str) -> None:
    """One round: `Machine.match` of status.json (9.4 KB) against one rule on its first, middle
    or last field, beside `orjson.loads` of it alone (issue 9's workload: the matched field early,
    middle and last)."""
    raw = STATUS.read_bytes()
    if engine == "orjson.loads":
        benchmark(orjson.loads, raw)
        return
    path = STATUS_FIELDS[case]
    value = select_leaves(orjson.loads(raw), *_table_of([path]), True)[0][0][0][0]
    machine = Machine()
    rule: dict = {}
    node = rule
    *parents, last = path.split(".")
    for seg in parents:
        node = node.setdefault(seg, {})
    node[last] = [value]
    machine.add("r", rule)
    assert benchmark(machine.match, raw) == ["r"]
