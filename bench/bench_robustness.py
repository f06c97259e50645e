"""Issue 7's time bounds at the issue's sizes: what a hostile event or pattern costs.

The tests in `tests/robustness/` check the same reproducers by a work budget at small sizes; these
benchmarks give the figures at the sizes the issue quotes (seconds or "never ends" before its
fixes). Run them explicitly, e.g. `python -m pytest bench/bench_robustness.py --benchmark-only`
(add `PATTERNS_NO_EXTENSIONS=1` for the pure path). Each scenario is a few rounds of one call:
these are bounds, not hot loops.

`PATTERNS_BENCH_SMOKE=1` shrinks every size to check the code paths in seconds; its figures mean
nothing.
"""

from __future__ import annotations

import os

import orjson
import pytest

import patterns
from patterns import InvalidPatternError

SMOKE = bool(os.environ.get("PATTERNS_BENCH_SMOKE"))
ROUNDS = 3


def size(full: int, smoke: int) -> int:
    return smoke if SMOKE else full


def once(benchmark, fn):
    """Time `fn` for a few rounds of one call each; return its last result."""
    return benchmark.pedantic(fn, rounds=ROUNDS, iterations=1, warmup_rounds=0)


def refused(fn):
    """A call that is expected to raise InvalidPatternError: return its reason."""

    def run():
        try:
            fn()
        except InvalidPatternError as err:
            return err.reason
        return None

    return run


def _machine(pattern) -> patterns.Machine:
    m = patterns.Machine()
    m.add("r", pattern)
    m.match(b"{}")  # build the tables outside the timed call
    return m


# --- Array consistency ------------------------------------------------------------------------

ACROSS = {"x": {"b": ["1"]}, "y": {"c": ["1"]}, "z": {"d": ["1"]}, "zz": {"e": [{"exists": False}]}}
WITHIN = {"a": {"b": ["1"], "c": ["1"]}}
ENGINES = ["pattern", "machine"]


@pytest.mark.benchmark(group="robustness")
@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("n", [size(60, 4), size(100, 5)], ids=lambda n: f"3x{n}")
def test_array_consistency_across_arrays(benchmark, engine: str, n: int) -> None:
    """One round: one match (JSON bytes) of an event with three n-element arrays (x, y, z, each
    element satisfying its condition) and `zz.e` present, against a rule that therefore fails:
    3x60 took 2 to 3 s and 3x100 16 s before issue 7's fixes (every combination tried)."""
    event = orjson.dumps(
        {"x": [{"b": "1"}] * n, "y": [{"c": "1"}] * n, "z": [{"d": "1"}] * n, "zz": {"e": "1"}}
    )
    if engine == "pattern":
        p = patterns.compile(ACROSS)
        assert once(benchmark, lambda: p.matches(event)) is False
    else:
        m = _machine(ACROSS)
        assert once(benchmark, lambda: m.match(event)) == []


@pytest.mark.benchmark(group="robustness")
@pytest.mark.parametrize("engine", ENGINES)
def test_array_consistency_within_one_array(benchmark, engine: str) -> None:
    """One round: one match (JSON bytes, 100 KB) of 10,000 alternating {"b": "1"} / {"c": "1"}
    elements against {"a": {"b": ["1"], "c": ["1"]}}, which no element satisfies alone: 20 s
    before issue 7's fixes."""
    n = size(10_000, 20)
    event = orjson.dumps({"a": [{"b": "1"} if i % 2 == 0 else {"c": "1"} for i in range(n)]})
    if engine == "pattern":
        p = patterns.compile(WITHIN)
        assert once(benchmark, lambda: p.matches(event)) is False
    else:
        m = _machine(WITHIN)
        assert once(benchmark, lambda: m.match(event)) == []


# --- Wildcard complexity ----------------------------------------------------------------------


def _wildcard_cases() -> dict[str, list[str]]:
    return {
        "14-contains": [f"*{chr(97 + i)}*" for i in range(size(14, 4))],  # 11.7 s before
        "20-contains": [f"*{chr(97 + i)}*" for i in range(size(20, 5))],  # never finished
        "2000-literals": [f"lit{i}" for i in range(size(2_000, 20))],  # 89 s
        "1MB-operand": ["a*" * size(500_000, 20)],  # never finished
        "10000-x-star": ["x*"] * size(10_000, 20),  # never finished
        "10000-x-star-distinct": [f"x*{i}" for i in range(size(10_000, 20))],  # 200 took 8 s
    }


@pytest.mark.benchmark(group="robustness")
@pytest.mark.parametrize("case", list(_wildcard_cases()))
def test_wildcard_complexity(benchmark, case: str) -> None:
    """One round: `patterns.compile` of one field whose value list holds the case's wildcard
    operands, up to AWS's answer (accepted, or "Rule is too complex")."""
    pattern = {"f": [{"wildcard": w} for w in _wildcard_cases()[case]]}
    reason = once(benchmark, refused(lambda: patterns.compile(pattern)))
    benchmark.extra_info["reason"] = reason


# --- Pattern text: the fast road's string regex -------------------------------------------------


@pytest.mark.benchmark(group="robustness")
def test_compile_escaped_quotes(benchmark) -> None:
    """One round: `patterns.compile` refusing '{"a": ["' followed by 20,000 escaped quotes
    (40 KB, an unterminated string): 20 s before issue 7's fixes (a quadratic regex)."""
    text = '{"a": ["' + '\\"' * size(20_000, 200)
    assert once(benchmark, refused(lambda: patterns.compile(text))) is not None


# --- $or ----------------------------------------------------------------------------------------


@pytest.mark.benchmark(group="robustness")
def test_or_many_groups(benchmark) -> None:
    """One round: `patterns.compile` refusing 10^5 fields each holding a `$or` of 2 branches
    (JSON text; 2^100,000 combinations against AWS's limit of 1,000): 12.5 s before issue 7's
    fixes."""
    groups = size(100_000, 20)
    text = orjson.dumps({f"f{i}": {"$or": [{"a": ["1"]}, {"b": ["2"]}]} for i in range(groups)}).decode()
    reason = once(benchmark, refused(lambda: patterns.compile(text)))
    assert reason is not None and "$or" in reason


def _one_or_of_many(n: int) -> dict:
    return {"$or": [{f"field{i % 7}": [f"value-{i:012d}"]} for i in range(n)]}


def _or_in_nested_objects(n: int) -> dict:
    return {"detail": {"$or": [{"f": {f"g{i % 5}": [f"v-{i:09d}"]}} for i in range(n)]}}


@pytest.mark.benchmark(group="robustness")
@pytest.mark.parametrize("shape", ["one-or", "nested"])
def test_or_100000_branches(benchmark, shape: str) -> None:
    """One round: `patterns.compile` refusing a ~3 MB pattern of 10^5 `$or` branches, in one
    `$or` at the root or under `detail` with nested objects (issue 20: 28 s before; refused
    once 1,001 branches are counted, with the collector paused while the text decodes)."""
    n = size(100_000, 2_000)
    text = orjson.dumps((_one_or_of_many if shape == "one-or" else _or_in_nested_objects)(n)).decode()
    reason = once(benchmark, refused(lambda: patterns.compile(text)))
    assert reason == "Too many combinations of $or, the maximum is 1000"


# --- Dict events --------------------------------------------------------------------------------


def _event_answer(fn, event):
    # Refusing a hostile event with InvalidEventError counts as finishing.
    try:
        return fn(event)
    except patterns.InvalidEventError as err:
        return err


def _deep_lists(depth: int) -> dict:
    value: object = "x"
    for _ in range(depth):
        value = [value]
    return {"a": value}


def _deep_objects(depth: int) -> dict:
    value: object = "x"
    for _ in range(depth):
        value = {"a": value}
    return value  # type: ignore[return-value]


@pytest.mark.benchmark(group="robustness")
@pytest.mark.parametrize("engine", ENGINES)
def test_dict_event_deep_lists(benchmark, engine: str) -> None:
    """One round: one match of a dict event whose field holds lists nested 40,000 deep: 5.3 s
    before issue 7's fixes (each level copied the array trail so far). The event may be refused
    with InvalidEventError; that counts as finishing."""
    event = _deep_lists(size(40_000, 50))
    fn = patterns.compile({"a": ["x"]}).matches if engine == "pattern" else _machine({"a": ["x"]}).match
    once(benchmark, lambda: _event_answer(fn, event))


@pytest.mark.benchmark(group="robustness")
@pytest.mark.parametrize("engine", ENGINES)
def test_dict_event_deep_objects(benchmark, engine: str) -> None:
    """One round: one match of a dict event of 10^6 nested objects: never finished before issue
    7's fixes (each level built the whole dotted path again). The event may be refused with
    InvalidEventError; that counts as finishing."""
    event = _deep_objects(size(1_000_000, 50))
    fn = patterns.compile({"a": ["x"]}).matches if engine == "pattern" else _machine({"a": ["x"]}).match
    once(benchmark, lambda: _event_answer(fn, event))
