"""A deterministic work budget: count the function calls a callable makes, abort past a bound.

Bounded-time tests may not assert on time, so they assert on work. `count_calls` runs a callable
under `sys.setprofile` and counts every Python call and every call of a C function (``call`` and
``c_call`` events). Past the budget the profile function raises `BudgetExceeded`; on CPython 3.11
an exception raised by a profile function unsets it and propagates from the profiled frame, so
exponential code stops at the budget instead of running for minutes.

What the count cannot see: work done inside one C call (a regular expression's backtracking,
big-integer arithmetic, copying long strings or tuples) and anything in the compiled twin. Those
scenarios run in a subprocess (`run_isolated`) whose wall-clock kill is a hang guard only: the
assertion is still on the call count the child reports, or on the child finishing at all.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]

#: Calls allowed per unit of input size, and calls allowed whatever the size. Calibrated on the
#: pure-Python twin, where every step is a visible call: linear code spends 5 to 60 calls per
#: event value or pattern character, so 200 leaves a margin of 3x or more; the exponential and
#: quadratic code before issue 7's fixes spent 10 to 1,000 times the budget at the sizes the
#: tests use.
PER_UNIT = 200
BASE = 10_000
#: Seconds before an isolated child is killed: a hang guard, never the assertion.
HANG_GUARD = 60
#: Address-space cap of an isolated child (a runaway walk ends in MemoryError, not the host).
MEMORY_CAP = 2 * 2**30


class BudgetExceeded(Exception):
    """Raised from the profile function once a call count passes its budget."""


def budget(size: int, per_unit: int = PER_UNIT, base: int = BASE) -> int:
    """The call budget of an input of `size` units: linear in the size."""
    return per_unit * size + base


def count_calls(fn: Callable[[], Any], limit: int) -> tuple[int, Any]:
    """Run `fn()` counting Python and C function calls; abort past `limit`.

    Args:
        fn: the work to measure (build its inputs beforehand: only the call is counted).
        limit: the most calls allowed.

    Returns:
        (calls counted, what `fn` returned).

    Raises:
        BudgetExceeded: more than `limit` calls (`fn` is aborted).
        Whatever `fn` raises.
    """
    calls = 0

    def profile(frame, event, arg):
        nonlocal calls
        if event == "call" or event == "c_call":
            calls += 1
            if calls > limit:
                raise BudgetExceeded(f"more than {limit:,} calls")

    previous = sys.getprofile()
    sys.setprofile(profile)
    try:
        result = fn()
    finally:
        sys.setprofile(previous)
    return calls, result


def json_size(value: Any) -> int:
    """The number of values (containers and scalars) in a decoded JSON value, walked iteratively."""
    size = 0
    stack = [value]
    while stack:
        v = stack.pop()
        size += 1
        if isinstance(v, dict):
            stack.extend(v.values())
        elif isinstance(v, list):
            stack.extend(v)
    return size


@dataclass(frozen=True)
class Outcome:
    """What an isolated child reported: how it ended, its call count, and its answer or error."""

    status: str  # "ok", "raised", "budget", "killed" (hang guard), "crashed" (no report)
    calls: int | None = None
    value: Any = None  # repr of the result, or "ExcType: message"
    detail: str = ""


_CHILD = """
import json, sys
sys.path.insert(0, {root!r})
from tests.robustness._budget import BudgetExceeded, count_calls
{setup}
try:
    if {limit} is None:  # no count: the work is inside C calls, where a count sees nothing
        calls, result = None, ({call})
    else:
        calls, result = count_calls(lambda: ({call}), {limit})
except BudgetExceeded as exc:
    out = {{"status": "budget", "value": str(exc)}}
except BaseException as exc:
    out = {{"status": "raised", "value": type(exc).__name__ + ": " + str(exc)[:300]}}
else:
    out = {{"status": "ok", "calls": calls, "value": repr(result)[:300]}}
print("OUTCOME " + json.dumps(out), flush=True)
"""


def run_isolated(
    setup: str, call: str, limit: int | None, *, pure: bool = True, hang_guard: float = HANG_GUARD
) -> Outcome:
    """Run `setup` then count the calls of the expression `call` in a child interpreter.

    Args:
        setup: statements that build the inputs (not counted).
        call: an expression doing the work (counted against `limit`).
        limit: the call budget; None runs the call uncounted (for work done inside C calls,
            quadratic copying of strings and tuples, that only the hang guard can catch).
        hang_guard: seconds before the child is killed (a stall, never a speed assertion).
        pure: run the pure-Python twin (``PATTERNS_NO_EXTENSIONS=1``), where all work is visible
            to the count; False runs whichever twin the install selects.

    Returns:
        The child's `Outcome`; "killed" when the hang guard fired, "crashed" when the child died
        without a report (a signal such as SIGSEGV, or MemoryError at the cap).
    """
    code = _CHILD.format(root=str(ROOT), setup=textwrap.dedent(setup), call=call, limit=limit)
    env = dict(os.environ)
    env.pop("PATTERNS_NO_EXTENSIONS", None)
    if pure:
        env["PATTERNS_NO_EXTENSIONS"] = "1"

    def cap() -> None:  # runs in the child before exec
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))

    try:
        proc = subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            timeout=hang_guard,
            env=env,
            cwd=ROOT,
            preexec_fn=cap if sys.platform.startswith("linux") else None,
        )
    except subprocess.TimeoutExpired:
        return Outcome("killed", detail=f"still running after the {hang_guard} s hang guard")
    for line in proc.stdout.splitlines():
        if line.startswith("OUTCOME "):
            report = json.loads(line[len("OUTCOME ") :])
            return Outcome(report["status"], report.get("calls"), report.get("value"))
    return Outcome("crashed", detail=f"exit {proc.returncode}: {proc.stderr[-500:]}")
