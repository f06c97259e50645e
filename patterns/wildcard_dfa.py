"""`WildcardDFA`: the wildcard operands of one value index as one automaton, built once, read-only."""

from __future__ import annotations

from collections.abc import Iterable

from .wildcards import STAR, _match_segments, _segments, tokens

__all__ = ["MAX_POSITIONS", "MAX_STATES", "WildcardDFA"]

#: Most DFA states one `WildcardDFA` builds; past it, `run` tests the operands one by one. 1,000
#: rules ``arn:aws:s3:::bucket<i>/*.png`` on one field need 6,020 states (2.3 MB, 46 ms to build);
#: operands that each need a star's worth of memory (``*tok<i>*``) need 2**n states, so beyond
#: about a dozen of them no table is worth building.
MAX_STATES = 10_000
#: Most NFA positions summed over the DFA states built: bounds construction time and memory when
#: few states hold many positions (thousands of operands on one field).
MAX_POSITIONS = 250_000

_END = ""  # token after an operand's last position: equal to no character, and not STAR

# --- Data structure ------------------------------------------------------------------------------
#
#   operands "a*c" -> 7, "*b" -> 9    flat tokens  0:a 1:* 2:c 3:END | 4:* 5:b 6:END
#                                     accept at    3 -> 7,  6 -> 9
#
#   state 0 = {0, 4, 5}      moves {'a': 1, 'b': 2}   other -1 (no position survives)
#   state 1 = {1, 2, 4, 5}   moves {'b': 3, 'c': 4}   other 5 = {1, 2, 4, 5} ...
#   moves[s]: dict char -> next state, only for characters some live literal position of s names
#   and whose next state differs from other[s]; other[s]: the next state for every other
#   character; -1 is the dead state (no live position); accept[s]: sorted payloads.
#
# Invariants: a DFA state is the closure of a set of flat positions (a star at p brings p + 1);
# states are numbered in discovery order from the start state 0; moves[s].get(ch, other[s]) is the
# state after reading ch in s; accept[s] holds the sorted distinct payloads of the operands whose
# END position s contains. Either the whole table is built or none is (`_moves is None`): then
# `run` tests each operand with the one-pass matcher of `wildcards.matches`.
#
# Why: one dict lookup per character whatever the number of operands, where one regex per operand
# costs one regex run each, and a regex with several ``.*`` can backtrack badly on hostile values.
# Building everything in the constructor, within a budget, is what lets readers share it with no
# lock: a lazily memoised DFA is written by its readers, and that raced (issue 7). Past the budget,
# testing operand by operand (each a few C-level `str.find`s, O(len(value) x len(operand)) at
# worst) beats stepping the NFA's position set in Python: with 100 operands ``*tok<i>*``, 0.08 ms
# per 74-character value against 1.8 ms.


class WildcardDFA:
    """The wildcard operands of one value index as one automaton over characters.

    Concurrency: immutable once the constructor returns; `run` reads and never writes, so any
    number of threads may share one instance without a lock. Build it before publishing it.
    """

    __slots__ = ("_accept", "_moves", "_operands", "_other")

    def __init__(
        self,
        operands: Iterable[tuple[str, int]],
        *,
        max_states: int = MAX_STATES,
        max_positions: int = MAX_POSITIONS,
    ) -> None:
        """Build the automaton of `operands`.

        Args:
            operands: (wildcard operand, payload) pairs.
            max_states: DFA state budget; past it (or past `max_positions`) no table is kept.
            max_positions: budget of NFA positions summed over the DFA states.

        Raises:
            WildcardSyntaxError: an operand is not syntax-valid.
        """
        pairs = list(operands)
        self._operands = tuple((_segments(text), payload) for text, payload in pairs)
        self._moves: tuple[dict[str, int], ...] | None = None
        self._other: tuple[int, ...] = ()
        self._accept: tuple[tuple[int, ...], ...] = ()
        table = _build(pairs, max_states, max_positions)
        if table is not None:
            self._moves, self._other, self._accept = table

    @property
    def operands(self) -> tuple[tuple[str, int], ...]:
        """The (operand, payload) pairs it was built from, in their order, each operand written
        back as wildcard text (``*`` and ``\\`` inside a literal run escaped again)."""
        return tuple(("*".join(_escaped(seg) for seg in segs), payload) for segs, payload in self._operands)

    @property
    def is_dfa(self) -> bool:
        """Whether the DFA table was built (False: over budget, `run` tests operand by operand)."""
        return self._moves is not None

    def run(self, value: str) -> tuple[int, ...]:
        """The payloads of the operands that match all of `value`.

        Args:
            value: the event string.

        Returns:
            The sorted distinct payloads of the matching operands.
        """
        moves = self._moves
        if moves is None:
            found = {p for segs, p in self._operands if _match_segments(segs, value)}
            return tuple(sorted(found))
        if not moves:
            return ()  # no operands
        other = self._other
        state = 0
        for ch in value:
            nxt = moves[state].get(ch)
            state = other[state] if nxt is None else nxt
            if state < 0:
                return ()
        return self._accept[state]


def _escaped(segment: str) -> str:
    # A literal run as operand text: the inverse of the escapes `tokens` resolves.
    return segment.replace("\\", "\\\\").replace("*", "\\*")


class _OverBudget(Exception):
    """The subset construction passed its budget."""


def _build(
    pairs: list[tuple[str, int]], max_states: int, max_positions: int
) -> tuple[tuple[dict[str, int], ...], tuple[int, ...], tuple[tuple[int, ...], ...]] | None:
    # The subset construction over flat positions (see the picture above), or None past the budget.
    tok: list[str | None] = []
    payload_at: dict[int, int] = {}
    starts: list[int] = []
    for text, payload in pairs:
        toks = tokens(text)
        starts.append(len(tok))
        tok.extend(toks)
        payload_at[len(tok)] = payload
        tok.append(_END)
    start = frozenset(starts + [p + 1 for p in starts if tok[p] is STAR])  # stars are never adjacent
    if not start:
        return (), (), ()
    if max_states < 1 or len(start) > max_positions:
        return None
    ids = {start: 0}
    sets = [start]
    budget = max_positions - len(start)

    def intern(live: frozenset[int]) -> int:
        nonlocal budget
        if not live:
            return -1
        found = ids.get(live)
        if found is not None:
            return found
        budget -= len(live)
        if len(sets) >= max_states or budget < 0:
            raise _OverBudget
        ids[live] = len(sets)
        sets.append(live)
        return len(sets) - 1

    moves: list[dict[str, int]] = []
    other: list[int] = []
    try:
        for live in sets:  # grows while it is read: a breadth-first worklist
            stay: set[int] = set()
            by_char: dict[str, set[int]] = {}
            for p in live:
                t = tok[p]
                if t is STAR:
                    stay.add(p)
                    stay.add(p + 1)
                elif t != _END:
                    targets = by_char.setdefault(t, set())
                    targets.add(p + 1)
                    if tok[p + 1] is STAR:
                        targets.add(p + 2)
            otherwise = intern(frozenset(stay))
            row: dict[str, int] = {}
            for ch, targets in by_char.items():
                nxt = intern(frozenset(stay | targets))
                if nxt != otherwise:
                    row[ch] = nxt
            moves.append(row)
            other.append(otherwise)
    except _OverBudget:
        return None
    accept = tuple(tuple(sorted({payload_at[p] for p in live if p in payload_at})) for live in sets)
    return tuple(moves), tuple(other), accept
