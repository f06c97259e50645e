"""Compare JSONata libraries for `BusTransformer`: JSONata's own test suite, and speed.

Run once per candidate, each in its own environment (`jsonata-python` and `jsonata-rs` both
install a top-level package named ``jsonata``, so they cannot share one)::

    python bench/jsonata_candidates.py SUITE_DIR jsonata-python
    python bench/jsonata_candidates.py SUITE_DIR jsonata-rs
    python bench/jsonata_candidates.py SUITE_DIR jsonatapy

SUITE_DIR is ``test/test-suite`` of github:jsonata-js/jsonata. Every case of every group is run
(at most ``--per-group`` of them, chosen with a fixed seed), except cases with a ``timelimit``
(those exist to stop runaway recursion, which the reference engine bounds with a callback the
Python bindings do not all offer). A case passes when the result deep-equals the expected one
(numbers within 1e-9 relative), when ``undefinedResult`` is expected and the binding returns
nothing, or when an error is expected and one is raised (its code is not compared: not every
binding exposes it). Each case runs under a 5-second alarm; a timeout counts as a failure.

Speed: the median of 2,000 evaluations (after 200 warm-up ones) of a small expression over a
bus event shaped as `$events` (what `BusTransformer` evaluates per event).

What the figures do not show: startup cost, memory, and behaviour under threads.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import signal
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

SMALL_EXPRESSION = (
    '{"orderId": $events.Data.orderId, "tenant": $events.Metadata.tenant, "n": $count($events.Data.items)}'
)
SMALL_EVENT = {
    "Data": {"orderId": "12345", "priority": "high", "items": [1, 2, 3]},
    "Metadata": {"tenant": "acme"},
    "SystemMetadata": {"ContentType": "application/json", "aws:DeliveryType": "LIVE"},
}

_NOTHING = object()


def _adapter(name: str) -> tuple[Callable[[str], Any], Callable[[Any, Any, dict[str, Any]], Any]]:
    """(compile, evaluate) for one candidate; evaluate returns _NOTHING for undefined."""
    if name == "jsonata-python":
        import jsonata  # the pure-Python port (rayokota/jsonata-python)

        def run(expr: Any, data: Any, bindings: dict[str, Any]) -> Any:
            result = expr.evaluate(data, bindings or None)
            return _NOTHING if result is None else result

        return jsonata.Jsonata, run
    if name == "jsonata-rs":
        import jsonata  # the PyO3 binding of the Rust port

        def compile_rs(text: str) -> Any:
            expr = jsonata.Jsonata(text)
            expr.set_output_convert_nulls(False)
            return expr

        def run_rs(expr: Any, data: Any, bindings: dict[str, Any]) -> Any:
            result = expr.evaluate(data, bindings or None)
            return _NOTHING if result is jsonata.UNDEFINED else result

        return compile_rs, run_rs
    if name == "jsonatapy":
        import jsonatapy  # the PyO3 binding of jsonata-core (Rust)

        def run_py(expr: Any, data: Any, bindings: dict[str, Any]) -> Any:
            result = expr.evaluate(data, bindings or None)
            return _NOTHING if result is None else result

        return jsonatapy.compile, run_py
    raise SystemExit(f"unknown candidate {name!r}")


def _equal(got: Any, want: Any) -> bool:
    if isinstance(want, bool) or isinstance(got, bool):
        return type(got) is type(want) and got == want
    if isinstance(want, (int, float)) and isinstance(got, (int, float)):
        return math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-12)
    if isinstance(want, list) and isinstance(got, list):
        return len(got) == len(want) and all(_equal(g, w) for g, w in zip(got, want, strict=True))
    if isinstance(want, dict) and isinstance(got, dict):
        return got.keys() == want.keys() and all(_equal(got[k], want[k]) for k in want)
    return bool(got == want)


class _Timeout(Exception):
    pass


def _alarm(signum: int, frame: Any) -> None:
    raise _Timeout


def _cases(suite: Path, per_group: int) -> dict[str, list[dict[str, Any]]]:
    rng = random.Random(21)
    groups: dict[str, list[dict[str, Any]]] = {}
    for group in sorted((suite / "groups").iterdir()):
        cases: list[dict[str, Any]] = []
        for file in sorted(group.glob("*.json")):
            spec = json.loads(file.read_text())
            for case in spec if isinstance(spec, list) else [spec]:
                if "expr-file" in case:
                    case["expr"] = (group / case["expr-file"]).read_text()
                if "timelimit" in case:
                    continue
                cases.append(case)
        if len(cases) > per_group:
            cases = rng.sample(cases, per_group)
        groups[group.name] = cases
    return groups


def _data(suite: Path, case: dict[str, Any], cache: dict[str, Any]) -> Any:
    if "data" in case:
        return case["data"]
    name = case.get("dataset")
    if name is None:
        return None
    if name not in cache:
        cache[name] = json.loads((suite / "datasets" / f"{name}.json").read_text())
    return cache[name]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("suite", type=Path)
    parser.add_argument("candidate")
    parser.add_argument("--per-group", type=int, default=300)
    args = parser.parse_args(argv)
    compile_, evaluate = _adapter(args.candidate)
    signal.signal(signal.SIGALRM, _alarm)
    datasets: dict[str, Any] = {}
    total = passed = 0
    failed_groups: dict[str, int] = {}
    sys.setrecursionlimit(20_000)
    for group, cases in _cases(args.suite, args.per_group).items():
        for case in cases:
            total += 1
            signal.alarm(5)
            ok = False
            try:
                expr = compile_(case["expr"])
                got = evaluate(expr, _data(args.suite, case, datasets), case.get("bindings") or {})
                if "undefinedResult" in case:
                    ok = got is _NOTHING
                elif "result" in case:
                    # jsonata-python and jsonatapy return None for both null and undefined
                    want = case["result"]
                    ok = (got is _NOTHING and want is None) or (got is not _NOTHING and _equal(got, want))
                else:
                    ok = False  # an error was expected
            except _Timeout:
                ok = False
            except Exception:  # noqa: BLE001 - any error counts when one is expected
                ok = "code" in case or "error" in case
            finally:
                signal.alarm(0)
            passed += ok
            if not ok:
                failed_groups[group] = failed_groups.get(group, 0) + 1
    expr = compile_(SMALL_EXPRESSION)
    bindings = {"events": SMALL_EVENT}
    for _ in range(200):
        evaluate(expr, SMALL_EVENT, bindings)
    samples = []
    for _ in range(2000):
        start = time.perf_counter_ns()
        evaluate(expr, SMALL_EVENT, bindings)
        samples.append(time.perf_counter_ns() - start)
    worst = sorted(failed_groups.items(), key=lambda kv: -kv[1])[:8]
    print(
        json.dumps(
            {
                "candidate": args.candidate,
                "cases": total,
                "passed": passed,
                "pass_rate": round(passed / total, 4),
                "median_eval_us": round(statistics.median(samples) / 1000, 2),
                "worst_groups": worst,
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
