"""Wildcard operands: syntax checks with AWS's messages, and the complexity AWS caps.

A wildcard pattern such as ``arn:aws:s3:::bucket/*.png`` compiles, in any automaton, to a small
NFA: one state per literal character, and at each ``*`` a state that loops on every character.
Feeding input can keep several of those states alive at once; EventBridge rejects a rule when the
number of states one input can keep alive is too high ("Rule is too complex ..."), because its
matcher's per-event work grows with that number. `complexity` computes that number exactly, by
exploring every reachable set of live states (the subset construction), so the cap is applied to
the same quantity the service measures, not to a count of stars.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

__all__ = ["WildcardSyntaxError", "check_syntax", "complexity", "tokens"]

STAR = None  # token for `*` in `tokens()`; every other token is a literal character


class WildcardSyntaxError(ValueError):
    """A wildcard operand that EventBridge rejects; the message is AWS's reason text."""


def check_syntax(pattern: str) -> None:
    """Reject what EventBridge rejects in a wildcard operand.

    Args:
        pattern: the operand.

    Raises:
        WildcardSyntaxError: two ``*`` in a row, or a backslash not followed by ``*`` or ``\\``.
    """
    tokens(pattern)


@lru_cache(maxsize=4096)
def tokens(pattern: str) -> tuple[str | None, ...]:
    """Split a wildcard operand into literal characters and `STAR` tokens, checking its syntax.

    Args:
        pattern: the operand.

    Returns:
        One token per literal character (escapes resolved) and None per ``*``.

    Raises:
        WildcardSyntaxError: see `check_syntax`.
    """
    out: list[str | None] = []
    i = 0
    n = len(pattern)
    while i < n:
        ch = pattern[i]
        if ch == "*":
            if out and out[-1] is STAR and pattern[i - 1] == "*":
                raise WildcardSyntaxError(
                    f"Consecutive wildcard characters at pos {_aws_pos(pattern, i - 1)}"
                )
            out.append(STAR)
        elif ch == "\\":
            if i + 1 >= n or pattern[i + 1] not in "*\\":
                raise WildcardSyntaxError(f"Invalid escape character at pos {_aws_pos(pattern, i)}")
            out.append(pattern[i + 1])
            i += 1
        else:
            out.append(ch)
        i += 1
    return tuple(out)


def _aws_pos(pattern: str, index: int) -> int:
    # EventBridge counts UTF-8 bytes of the operand with its JSON quotes, from 0: the character
    # at `index` stands at 1 + the byte length of what precedes it.
    return 1 + len(pattern[:index].encode("utf-8", "surrogatepass"))


def _closure(toks: tuple[str | None, ...], states: Iterable[int]) -> frozenset[int]:
    # A state is a position in `toks`; a STAR position may be skipped (it matches nothing).
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


def complexity(patterns: Iterable[str]) -> int:
    """The most NFA states one input can keep alive at once, over the given wildcard operands.

    The operands are the wildcards one rule applies to one field; they share the input, so their
    live states add up. Characters that appear in no operand behave alike, so the exploration
    only needs the operands' own characters plus one stand-in for "any other character".

    Args:
        patterns: wildcard operands (already syntax-checked).

    Returns:
        The maximum, over every input, of the number of live states after reading it.
    """
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
            for toks, live in zip(machines, current, strict=False):
                moved = set()
                for s in live:
                    if s < len(toks):
                        t = toks[s]
                        if t is STAR:
                            moved.add(s)  # a star consumes any character and stays
                        elif t == ch:
                            moved.add(s + 1)
                nxt.append(_closure(toks, moved))
            state = tuple(nxt)
            if state not in seen:
                seen.add(state)
                frontier.append(state)
                best = max(best, sum(len(s) for s in state))
    return best
