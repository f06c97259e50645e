"""Issue 7's robustness tests: the work budget, and a check that no test changes the interpreter.

Each test reproduces a fault issue 7 lists (wrong answers, unbounded time, foreign exceptions,
lost results) and failed on the code before its fixes.
"""

from __future__ import annotations

import sys

import pytest

from ._budget import BudgetExceeded, budget, count_calls

#: The recursion limit when these tests were collected: the library must never change it (it
#: once raised it after a deep pattern, and with it some answers).
_RECURSION_LIMIT = sys.getrecursionlimit()


@pytest.fixture(autouse=True)
def _recursion_limit_untouched():
    yield
    assert sys.getrecursionlimit() == _RECURSION_LIMIT, "the library changed the recursion limit"


class WorkBudget:
    """`within(fn, size)`: run `fn` in this process and return its result, failing the test when
    it makes more than `budget(size)` calls (the call is aborted there, not left to run)."""

    def within(self, fn, size: int, *, per_unit: int | None = None, base: int | None = None):
        kwargs = {k: v for k, v in (("per_unit", per_unit), ("base", base)) if v is not None}
        limit = budget(size, **kwargs)
        try:
            _calls, result = count_calls(fn, limit)
        except BudgetExceeded as exc:
            pytest.fail(f"work budget exceeded: {exc} for an input of size {size:,}")
        return result


@pytest.fixture
def work() -> WorkBudget:
    """The in-process work budget (see `tests/robustness/_budget.py`)."""
    return WorkBudget()
