"""Wildcard complexity on the hostile inputs of issue 7, with and without the dialect's limit.

Before issue 7, `complexity` explored every reachable set of live states: 14 operands ``*a*`` ..
``*n*`` took 11.7 s, 2,000 literal operands 89 s, and 20 such operands, a 1 MB operand or 10,000
``x*`` operands never finished. Run: `python -m pytest bench/bench_wildcards.py --benchmark-only`.

`tokens` is memoised and `validate` checks every operand's syntax before it measures complexity,
so the tokens are cached here too: one round is what the complexity check itself costs.
"""

from __future__ import annotations

import random

import pytest

from patterns.wildcards import complexity

_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _random_text(n: int, seed: int) -> str:
    rnd = random.Random(seed)
    return "".join(rnd.choice(_LETTERS) for _ in range(n))


def _star_every_100(n: int) -> str:
    text = list(_random_text(n, 1))
    for k in range(100, n, 100):
        text[k] = "*"
    return "".join(text)


CASES = {
    "14-star-a-star": [f"*{c}*" for c in _LETTERS[:14]],
    "20-star-a-star": [f"*{c}*" for c in _LETTERS[:20]],
    "2000-literals": [f"order-{i:05d}-status" for i in range(2_000)],
    "1MB-star-every-100": [_star_every_100(1_000_000)],
    "1MB-leading-star": ["*" + _random_text(1_000_000, 2)],
    "1MB-literal": [_random_text(1_000_000, 3)],
    "10000-x-star": ["x*"] * 10_000,
}
LIMITS = [None, 11]


@pytest.mark.benchmark(group="wildcard-complexity")
@pytest.mark.parametrize("limit", LIMITS, ids=["no-limit", "limit-11"])
@pytest.mark.parametrize("case", list(CASES))
def test_complexity(benchmark, case: str, limit: int | None) -> None:
    """One round: `complexity(operands, limit=limit)` of one hostile operand list."""
    operands = CASES[case]
    complexity(operands, limit=limit)  # warm the token cache, as `validate`'s syntax check does
    result = benchmark.pedantic(complexity, (operands,), {"limit": limit}, rounds=5, iterations=1)
    benchmark.extra_info["complexity"] = result
    if limit is not None and complexity(operands) > limit:
        assert result > limit
    else:
        assert result == complexity(operands)
