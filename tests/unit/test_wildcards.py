"""`patterns.wildcards` (matching, complexity) and `patterns.wildcard_dfa.WildcardDFA`.

The references here are deliberately naive: a regex per operand, a position-set NFA simulation,
and the exhaustive subset construction `complexity` used before issue 7 (`brute_complexity`),
which is exponential but exact on small inputs.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable

import pytest
from hypothesis import example, given, note
from hypothesis import strategies as st

from patterns.wildcard_dfa import WildcardDFA
from patterns.wildcards import STAR, WildcardSyntaxError, check_syntax, complexity, matches, tokens

from ..concurrency import run_together

# --- References ------------------------------------------------------------------------------------


def regex_matches(pattern: str, value: str) -> bool:
    """Brute force: the operand as a regex (fine on the short values of these tests)."""
    body = "".join(".*" if t is STAR else re.escape(t) for t in tokens(pattern))
    return re.fullmatch(body, value, re.DOTALL) is not None


def _closure(toks: tuple[str | None, ...], states: Iterable[int]) -> frozenset[int]:
    out: set[int] = set()
    stack = list(states)
    while stack:
        s = stack.pop()
        if s in out:
            continue
        out.add(s)
        if s < len(toks) and toks[s] is STAR:
            stack.append(s + 1)
    return frozenset(out)


def nfa_matches(pattern: str, value: str) -> bool:
    """The position-set NFA, one character at a time."""
    toks = tokens(pattern)
    live = _closure(toks, [0])
    for ch in value:
        moved = {s if toks[s] is STAR else s + 1 for s in live if s < len(toks) and toks[s] in (STAR, ch)}
        live = _closure(toks, moved)
    return len(toks) in live


def brute_complexity(patterns: Iterable[str]) -> int:
    """The complexity as defined before issue 7: every reachable tuple of live sets (exponential)."""
    machines = [tokens(p) for p in patterns]
    alphabet = {t for toks in machines for t in toks if t is not STAR}
    alphabet.add("\x00other")  # stand-in for every character no operand names
    start = tuple(_closure(toks, [0]) for toks in machines)
    seen = {start}
    frontier = [start]
    best = sum(len(s) for s in start)
    while frontier:
        current = frontier.pop()
        for ch in alphabet:
            nxt = []
            for toks, live in zip(machines, current, strict=True):
                moved = set()
                for s in live:
                    if s < len(toks):
                        if toks[s] is STAR:
                            moved.add(s)
                        elif toks[s] == ch:
                            moved.add(s + 1)
                nxt.append(_closure(toks, moved))
            state = tuple(nxt)
            if state not in seen:
                seen.add(state)
                frontier.append(state)
                best = max(best, sum(len(s) for s in state))
    return best


# --- Strategies ----------------------------------------------------------------------------------

# Source pieces: a literal, a star, an escaped star, an escaped backslash, a non-ASCII letter.
_PIECES = st.sampled_from(["a", "b", "a", "b", "*", "\\*", "\\\\", "é"])


def _valid(text: str) -> bool:
    try:
        check_syntax(text)
    except WildcardSyntaxError:
        return False
    return True


OPERANDS = st.lists(_PIECES, max_size=7).map("".join).filter(_valid)
VALUES = st.text(st.sampled_from("ab*\\éc"), max_size=10)


# --- matches -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "value", "expected"),
    [
        ("", "", True),
        ("", "a", False),
        ("*", "", True),
        ("*", "anything", True),
        ("a*", "a", True),
        ("*a", "ba", True),
        ("a*a", "a", False),  # the head and the tail may not overlap
        ("a*a", "aa", True),
        ("*ab*ab*", "abab", True),
        ("*ab*ab*", "aba", False),
        ("x\\*y", "x*y", True),
        ("x\\*y", "xzy", False),
        ("a\\\\*", "a\\bc", True),
        ("é*ü", "éxxü", True),
    ],
)
def test_matches_examples(pattern: str, value: str, expected: bool) -> None:
    assert matches(pattern, value) is expected
    assert regex_matches(pattern, value) is expected


def test_matches_rejects_bad_syntax() -> None:
    with pytest.raises(WildcardSyntaxError):
        matches("a**", "a")


def test_matches_hostile_value_answers() -> None:
    # Several stars against a long near-miss: a backtracking regex slows down here; one pass does not.
    pattern = "*a*a*a*a*a*b"
    assert not matches(pattern, "a" * 20_000)
    assert matches(pattern, "a" * 20_000 + "b")


@given(OPERANDS, VALUES)
@example("a*a", "a")
@example("*\\**", "*")
def test_matches_equals_nfa_and_regex(pattern: str, value: str) -> None:
    expected = regex_matches(pattern, value)
    assert nfa_matches(pattern, value) is expected
    assert matches(pattern, value) is expected


# --- WildcardDFA ---------------------------------------------------------------------------------


def _expected(operands: list[tuple[str, int]], value: str) -> tuple[int, ...]:
    return tuple(sorted({payload for op, payload in operands if regex_matches(op, value)}))


def test_wildcard_dfa_examples() -> None:
    dfa = WildcardDFA([("a*c", 1), ("*b", 2), ("x\\*y", 3), ("*", 1)])
    assert dfa.is_dfa
    assert dfa.run("abc") == (1,)
    assert dfa.run("ab") == (1, 2)
    assert dfa.run("x*y") == (1, 3)
    assert dfa.run("") == (1,)
    assert WildcardDFA([("a*c", 1)]).run("ab") == ()


def test_wildcard_dfa_operands_are_given_back_as_written() -> None:
    operands = [("a*c", 1), ("x\\*y*", 3), ("back\\\\slash", 2), ("*", 1)]
    assert WildcardDFA(operands).operands == tuple(operands)


def test_wildcard_dfa_without_operands_matches_nothing() -> None:
    dfa = WildcardDFA([])
    assert dfa.run("") == ()
    assert dfa.run("a") == ()


@given(st.lists(st.tuples(OPERANDS, st.integers(0, 3)), max_size=5), st.lists(VALUES, max_size=8))
@example([("a*", 0), ("*a", 1)], ["a", "ba", "ab", ""])
def test_wildcard_dfa_equals_fallback_nfa_and_brute_force(operands, values) -> None:
    dfa = WildcardDFA(operands)
    fallback = WildcardDFA(operands, max_states=0)  # over budget at once: operand by operand
    assert dfa.is_dfa
    assert not fallback.is_dfa or not operands
    for value in values:
        expected = _expected(operands, value)
        note(f"value={value!r} expected={expected}")
        assert dfa.run(value) == expected
        assert fallback.run(value) == expected
        assert expected == tuple(sorted({p for op, p in operands if nfa_matches(op, value)}))


def test_wildcard_dfa_over_budget_tests_operand_by_operand() -> None:
    operands = [(f"*{c}*{c}*", i) for i, c in enumerate("abcde")]  # 3**5 DFA states
    small = WildcardDFA(operands, max_states=50)
    by_positions = WildcardDFA(operands, max_positions=100)
    full = WildcardDFA(operands)
    assert not small.is_dfa
    assert not by_positions.is_dfa
    assert full.is_dfa
    for value in ["", "aa", "abab", "exe", "abcde" * 2, "zz"]:
        expected = _expected(operands, value)
        assert small.run(value) == expected
        assert by_positions.run(value) == expected
        assert full.run(value) == expected


@pytest.mark.parametrize("max_states", [0, 2_000], ids=["fallback", "dfa"])
def test_wildcard_dfa_shared_by_threads_gives_right_answers(max_states: int) -> None:
    # Issue 7: 7 one-wildcard operands on one field, 4 threads. Each round starts a fresh instance
    # and lets all threads at it at once, when a lazily built automaton would be growing.
    operands = [(p, i) for i, p in enumerate(["*a*", "a*b", "*b", "ab*", "*ba*", "b*a*b", "*aa*"])]
    values = ["".join("ab"[(k >> j) & 1] for j in range(k % 7)) + "ab"[k % 2] * (k % 3) for k in range(200)]
    expected = [_expected(operands, v) for v in values]
    wrong: list[tuple[str, tuple[int, ...]]] = []
    errors: list[BaseException] = []
    for _ in range(10):
        dfa = WildcardDFA(operands, max_states=max_states)
        barrier = threading.Barrier(4)

        def work(dfa: WildcardDFA = dfa, barrier: threading.Barrier = barrier) -> None:
            try:
                barrier.wait()
                for _ in range(3):
                    for value, want in zip(values, expected, strict=True):
                        got = dfa.run(value)
                        if got != want:
                            wrong.append((value, got))
            except BaseException as exc:  # noqa: BLE001 - reported by the assert below
                errors.append(exc)

        run_together([work] * 4)  # switch threads as often as possible
    assert errors == []
    assert wrong == []


# --- complexity ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("operands", "expected"),
    [
        ([], 0),
        ([""], 1),  # the empty operand: its accept position, alive on the empty input
        (["abc"], 1),
        (["*"], 2),
        (["a*"], 2),  # trailing star: the star and the accept position
        (["*a"], 3),  # "a": the star, its successor and the accept position
        (["a*b*c"], 5),  # two stars and successors, and the accept position after "c"
        (["*a*"], 4),
        (["x*", "x*", "x*"], 6),  # equal operands add up
        (["a\\*b", "a\\\\b"], 2),  # escapes are literals
        (["é*ü", "é*"], 5),
        (["ab", "a*"], 3),  # on "a": 1 in "ab", 2 in "a*"
    ],
)
def test_complexity_examples(operands: list[str], expected: int) -> None:
    assert complexity(operands) == expected
    assert brute_complexity(operands) == expected


def test_complexity_hostile_inputs_answer() -> None:
    # Exponential for the subset construction (issue 7); the values follow from the decomposition.
    stars = [f"*{c}*" for c in "abcdefghijklmnopqrst"]
    assert complexity(stars) == 80  # every operand keeps its two stars and their successors
    assert complexity(stars, limit=11) > 11
    assert complexity([f"literal-{i}" for i in range(2_000)]) == 2_000
    assert complexity(["x*"] * 10_000) == 20_000
    assert complexity(["*" + "ab" * 50_000], limit=11) > 11
    assert complexity(["*a" + "b" * 100_000]) == 3  # no prefix of the tail recurs inside it


@given(st.lists(OPERANDS, max_size=5), st.integers(0, 14))
@example(["", "*"], 2)
@example(["a*", "a*b", "*a"], 5)
@example(["ab*a", "a*ba", "*aba"], 8)
def test_complexity_equals_exhaustive_search(operands: list[str], limit: int) -> None:
    expected = brute_complexity(operands)
    note(f"brute force: {expected}")
    assert complexity(operands) == expected
    capped = complexity(operands, limit=limit)
    if expected > limit:
        assert capped > limit
    else:
        assert capped == expected


def test_wildcard_dfa_matches_each_operand() -> None:
    dfa = WildcardDFA([("a*c", 1), ("*b", 2), ("x\\*y", 3)])
    assert dfa.run("abc") == (1,)
    assert dfa.run("ab") == (2,)
    assert dfa.run("acb") == (2,)
    assert dfa.run("x*y") == (3,)
    assert dfa.run("xzy") == ()
    assert dfa.run("abc") == (1,)  # again: the table is read, never written
