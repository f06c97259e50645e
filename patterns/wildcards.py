"""Wildcard operands: syntax checks with AWS's messages, and the complexity AWS caps.

A wildcard pattern such as ``arn:aws:s3:::bucket/*.png`` compiles, in any automaton, to a small
NFA: one state per literal character, and at each ``*`` a state that loops on every character.
Feeding input can keep several of those states alive at once; EventBridge rejects a rule when the
number of states one input can keep alive is too high ("Rule is too complex ..."), because its
matcher's per-event work grows with that number. `complexity` computes that number exactly, so
the cap is applied to the same quantity the service measures, not to a count of stars, and in
polynomial time (exploring every reachable set of live states, the subset construction, is
exponential: see "Complexity" below). `matches` tests one operand against one value.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable
from functools import lru_cache

__all__ = ["WildcardSyntaxError", "check_syntax", "complexity", "matches", "tokens"]

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


@lru_cache(maxsize=4096)
def _segments(pattern: str) -> tuple[str, ...]:
    # The literal runs between stars, escapes resolved: "a*b\\*c*" -> ("a", "b*c", "").
    out = [""]
    for tok in tokens(pattern):
        if tok is STAR:
            out.append("")
        else:
            out[-1] += tok
    return tuple(out)


def matches(pattern: str, value: str) -> bool:
    """Whether `value` matches all of the wildcard `pattern` (``*`` any run; ``\\*``, ``\\\\`` literal).

    The pattern is its literal runs between stars: the first must start `value`, the last end it,
    and the ones between occur in order in what remains. Taking the leftmost occurrence of each
    middle run is never worse than a later one (what follows only has more room), so one forward
    pass with `str.find` decides, in O(len(value) x len(pattern)) at worst, with no backtracking:
    a regex with several ``.*`` can take polynomially longer on hostile values.

    Args:
        pattern: the operand (syntax-valid, see `check_syntax`).
        value: the string to test.

    Returns:
        True when the whole of `value` matches.

    Raises:
        WildcardSyntaxError: the pattern is not syntax-valid.
    """
    return _match_segments(_segments(pattern), value)


def _match_segments(segs: tuple[str, ...], value: str) -> bool:
    # `matches` on an operand already split at its stars (`_segments`).
    if len(segs) == 1:
        return value == segs[0]
    first, last = segs[0], segs[-1]
    end = len(value) - len(last)
    if end < len(first) or not value.startswith(first) or not value.endswith(last):
        return False
    pos = len(first)
    for seg in segs[1:-1]:
        found = value.find(seg, pos, end)
        if found < 0:
            return False
        pos = found + len(seg)
    return True


# --- Complexity --------------------------------------------------------------------------------
#
# The NFA of an operand with tokens t[0..n-1] has positions 0..n; position n accepts. A literal
# position p moves to p+1 on t[p]; a star position stays on any character and is closed over p+1
# (stars are never adjacent, so the closure adds at most one position). The start set is the
# closure of {0}. `complexity` is the maximum over every input x of live(x), the sum over operands
# of the size of the live set after reading x. Split an operand as seg0 * seg1 * ... * segk
# (seg0 = the literal run before the first star; the whole operand when it has no star).
#
# (A) x is a prefix of some seg0 (a node of the trie of seg0s). Operands with x a proper prefix of
#     their seg0 hold one position, |x|; those with seg0 == x hold 2 (the first star and its
#     successor) or 1 (no star: the accept position); those whose seg0 is a proper prefix of x
#     hold what the NFA says (simulated along the trie); the rest are dead. Exact.
# (B) Any other x. An operand is alive only if it has a star and its seg0 is a proper prefix of x;
#     those seg0s lie on one trie path, so the live operands form a set S(v) = starred operands
#     whose seg0 is a prefix of the trie node v. In a live operand, a star once alive stays alive,
#     and a star's successor is alive only with it: at most 2 per star. Every other live position
#     is "segment i (i >= 1) matched for its first l >= 1 characters", not itself a star, and that
#     needs seg_i[:l] to be a suffix of x. So live(x) <= 2*stars(S) + AC_S(x), where AC_S(w)
#     counts the (operand, i, l) whose seg_i[:l] is a suffix of w: an Aho-Corasick automaton over
#     those prefixes gives its maximum over w as the largest total(node) = weight(node) +
#     total(fail(node)). The bound is reached: x = v . P . w, with P = the segments seg1..seg(k-1)
#     of every operand of S in turn (waking all their stars), w the best node's string.
#     Both terms only grow with S, so only the largest sets (v with no starred seg0 below) count.
#
# Cost: (A) is O(trie characters x live positions); (B) is linear in the segments of each largest
# set, so O(heads x total size) at worst when large operands with a short head (a leading star)
# sit in many sets. With a limit, more than `limit` operands (each holds a position on the empty
# input) or more than limit/2 stars in one operand is refused at once, live sets never exceed the
# limit, and a set stops as soon as a count passes it. Identical operands are merged and weighed.
# The property test in tests/unit/test_wildcards.py checks all this against the exhaustive search.

_STEP_MEMO = 65_536  # most (live set, character) steps one `complexity` call remembers
_END = ""  # the token after an operand's last position: equal to no character, not a STAR


def complexity(patterns: Iterable[str], *, limit: int | None = None) -> int:
    """The most NFA states one input can keep alive at once, over the given wildcard operands.

    The operands are the wildcards one rule applies to one field; they share the input, so their
    live states add up. The maximum is computed in polynomial time (see the comment above): along
    the trie of the operands' literal heads, then per set of operands an input can keep alive, by
    an Aho-Corasick automaton over the literal runs after their stars.

    Args:
        patterns: wildcard operands (already syntax-checked).
        limit: when given, the search may stop as soon as the answer is known to exceed it.

    Returns:
        The maximum, over every input, of the number of live states after reading it; with
        `limit`, possibly some smaller number that still exceeds `limit` when the maximum does.
    """
    weights: dict[tuple[str | None, ...], int] = {}
    for pattern in patterns:
        toks = tokens(pattern)
        weights[toks] = weights.get(toks, 0) + 1
    if not weights:
        return 0
    if limit is not None:
        # Cheap lower bounds first: the empty input keeps a position of every operand alive, and
        # an input that reaches every star of one operand keeps 2 positions per star.
        floor = max(sum(weights.values()), max(2 * toks.count(STAR) * n for toks, n in weights.items()))
        if floor > limit:
            return floor
    return _Complexity(weights, limit).run()


class _Exceeded(Exception):
    """Raised inside `_Complexity` when a count passes the limit; carries that count."""

    def __init__(self, count: int) -> None:
        self.count = count


class _Complexity:
    # One evaluation of `complexity`. Operand o's positions are flat[base[o] .. base[o] + n],
    # the last being _END; a live set is a frozenset of flat indexes; weight[i] is the number of
    # identical operands that flat index i stands for.

    def __init__(self, weights: dict[tuple[str | None, ...], int], limit: int | None) -> None:
        self.limit = limit
        self.best = 0
        self.flat: list[object] = []
        self.weight: list[int] = []
        self.mult: list[int] = []
        self.first_star: list[int] = []  # flat index of the first star, or -1
        self.stars: list[int] = []
        self.tails: list[list[tuple[str, bool]]] = []  # (seg_i, followed by a star) for i >= 1
        heads: dict[str, int] = {}
        self.keys: list[str] = []
        self.plain: list[int] = []  # per head: weight of star-free operands
        self.starred: list[list[int]] = []  # per head: operands with a star
        for op, (toks, mult) in enumerate(weights.items()):
            base = len(self.flat)
            self.mult.append(mult)
            if STAR in toks:  # only starred operands are ever simulated
                self.flat.extend(toks)
                self.flat.append(_END)
                self.weight.extend([mult] * (len(toks) + 1))
                segs = _split(toks)
            else:
                segs = ["".join(toks)]  # type: ignore[arg-type]
            head = segs[0]
            g = heads.get(head)
            if g is None:
                g = heads[head] = len(self.keys)
                self.keys.append(head)
                self.plain.append(0)
                self.starred.append([])
            self.stars.append(len(segs) - 1)
            self.tails.append([(s, i < len(segs) - 1) for i, s in enumerate(segs) if i and s])
            if len(segs) > 1:
                self.first_star.append(base + len(head))
                self.starred[g].append(op)
            else:
                self.first_star.append(-1)
                self.plain[g] += mult

    def _count(self, count: int) -> None:
        if count > self.best:
            self.best = count
            if self.limit is not None and count > self.limit:
                raise _Exceeded(count)

    def run(self) -> int:
        try:
            self._walk(_RadixTrie(self.keys))
        except _Exceeded as stop:
            return stop.count
        return self.best

    def _step(self, live: frozenset[int], ch: str) -> tuple[frozenset[int], int]:
        flat = self.flat
        out: set[int] = set()
        for i in live:
            tok = flat[i]
            if tok is STAR:
                out.add(i)
                out.add(i + 1)
            elif tok == ch:
                out.add(i + 1)
                if flat[i + 1] is STAR:
                    out.add(i + 2)
        weight = self.weight
        return frozenset(out), sum(weight[i] for i in out)

    def _walk(self, trie: _RadixTrie) -> None:
        # Per head group: all operands (1 each at a proper prefix) and the starred bonus at the head.
        group_weight = [
            self.plain[g] + sum(self.mult[o] for o in self.starred[g]) for g in range(len(self.keys))
        ]
        below = [0] * len(trie.depth)  # weight of the operands whose head is at or under the node
        starred_below = [False] * len(trie.depth)  # a starred head strictly under the node
        for node in reversed(trie.preorder()):
            g = trie.end[node]
            if g >= 0:
                below[node] += group_weight[g]
            for child in trie.children[node]:
                below[node] += below[child]
                cg = trie.end[child]
                starred_below[node] |= starred_below[child] or (cg >= 0 and bool(self.starred[cg]))
        empty: frozenset[int] = frozenset()
        # (node, live positions of operands whose head is a proper prefix, their weight, path):
        # path is a linked list (operands, rest) of the starred operands at the heads above.
        stack: list[tuple[int, frozenset[int], int, tuple | None]] = [(0, empty, 0, None)]
        memo: dict[tuple[frozenset[int], str], tuple[frozenset[int], int]] = {}
        while stack:
            node, live, live_weight, path = stack.pop()
            g = trie.end[node]
            starred = self.starred[g] if g >= 0 else []
            self._count(live_weight + below[node] + sum(self.mult[o] for o in starred))
            if starred:
                path = (starred, path)
                extra = {i for o in starred for i in (self.first_star[o], self.first_star[o] + 1)}
                live = live | extra
                live_weight += sum(self.weight[i] for i in extra)
                if not starred_below[node]:
                    self._tail_bound(path)
            for child in trie.children[node]:
                start, stop = trie.depth[node], trie.depth[child]
                cur, cur_weight = live, live_weight
                through = below[child]
                for d, ch in enumerate(self.keys[trie.key[child]][start:stop], start + 1):
                    if not cur:
                        break
                    # A local memo of steps: a long head walked under a few stars revisits
                    # the same live sets (frozensets cache their hash).
                    hit = memo.get((cur, ch))
                    if hit is None:
                        hit = self._step(cur, ch)
                        if len(memo) < _STEP_MEMO:
                            memo[cur, ch] = hit
                    cur, cur_weight = hit
                    if d < stop and cur_weight + through > self.best:
                        self._count(cur_weight + through)  # inside the edge: depth d is no head
                stack.append((child, cur, cur_weight, path))

    def _tail_bound(self, path: tuple | None) -> None:
        # Case (B) for the starred operands on `path`: 2 per star plus the best suffix overlap.
        ops: list[int] = []
        while path is not None:
            ops.extend(path[0])
            path = path[1]
        base = 2 * sum(self.mult[o] * self.stars[o] for o in ops)
        self._count(base)
        words = [(seg, at_star, self.mult[o]) for o in ops for seg, at_star in self.tails[o]]
        if words:
            cap = None if self.limit is None else self.limit - base
            self._count(base + _max_suffix_weight(words, cap))


def _split(toks: tuple[str | None, ...]) -> list[str]:
    out: list[list[str]] = [[]]
    for tok in toks:
        if tok is STAR:
            out.append([])
        else:
            out[-1].append(tok)
    return ["".join(s) for s in out]


def _lcp(a: str, b: str) -> int:
    # Longest common prefix by bisection on slice equality: O(n log n) in C, not n steps in Python.
    lo, hi = 0, min(len(a), len(b))
    if a[:hi] == b[:hi]:
        return hi
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[:mid] == b[:mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo


class _RadixTrie:
    """The trie of distinct strings with unary chains collapsed: O(strings) nodes, not O(chars).

        keys "ab", "abcd", "abx"    0 ("") --ab--> 1 (end "ab") --cd--> 2 (end "abcd")
                                                                 \\-x--> 3 (end "abx")

    Node u stands for keys[key[u]][:depth[u]]; the edge into u spells the characters between its
    parent's depth and its own; end[u] is the index of the key that ends at u, or -1. Built from
    the sorted keys and their common prefixes with a stack (the path to the previous key), so a
    1 MB key costs one comparison, not a million nodes.
    """

    def __init__(self, keys: list[str]) -> None:
        order = sorted(range(len(keys)), key=keys.__getitem__)
        self.depth = [0]
        self.key = [order[0] if order else 0]
        self.end = [-1]
        self.children: list[list[int]] = [[]]
        stack = [0]
        prev: str | None = None
        for k in order:
            s = keys[k]
            common = 0 if prev is None else _lcp(prev, s)
            popped = -1
            while self.depth[stack[-1]] > common:
                popped = stack.pop()
            top = stack[-1]
            if self.depth[top] < common:  # split the edge to `popped` where `s` leaves it
                mid = self._node(common, self.key[popped])
                self.children[top][-1] = mid
                self.children[mid].append(popped)
                stack.append(mid)
                top = mid
            if len(s) > self.depth[top]:
                leaf = self._node(len(s), k)
                self.children[top].append(leaf)
                stack.append(leaf)
                top = leaf
            self.end[top] = k
            prev = s

    def _node(self, depth: int, key: int) -> int:
        self.depth.append(depth)
        self.key.append(key)
        self.end.append(-1)
        self.children.append([])
        return len(self.depth) - 1

    def preorder(self) -> list[int]:
        out: list[int] = []
        stack = [0]
        while stack:
            node = stack.pop()
            out.append(node)
            stack.extend(self.children[node])
        return out


def _max_suffix_weight(words: list[tuple[str, bool, int]], cap: int | None) -> int:
    """The most weight of word prefixes that one string can end with (Aho-Corasick).

    Each (word, at_star, weight) gives weight to each prefix of length 1..len(word), but not to
    the whole word when a star follows it (that position is a star, counted apart).

        trie nodes are numbered in runs: inserting "abc" after "abd" adds one node, c, as a branch
        of "ab"; inserting "xyz" then adds x, y, z as ids n, n+1, n+2 (u+1 is u's "run" child)

    A run child needs no dict entry, so a 1 MB word is four flat arrays, not a million dicts.

    Returns:
        max(0, max over nodes of total(node)), total(node) = weight(node) + total(fail(node)); or,
        with `cap`, possibly an earlier total that already exceeds `cap`.
    """
    chars = [""]  # chars[u]: the character on the edge into u
    run = bytearray(1)  # run[u] == 1: u's parent is u - 1
    branch: dict[tuple[int, str], int] = {}  # (u, c) -> child, for children that are not run
    branches: dict[int, list[int]] = {}
    weight = array("q", [0])

    def goto(u: int, c: str) -> int:
        v = u + 1
        if v < len(chars) and run[v] and chars[v] == c:
            return v
        return branch.get((u, c), -1)

    for word, at_star, w in words:
        n = len(word)
        weighed = n - 1 if at_star else n
        u = 0
        d = 0
        while d < n:
            v = goto(u, word[d])
            if v < 0:
                break
            u = v
            d += 1
            if d <= weighed:
                weight[u] += w
        if d < n:
            new = len(chars)
            if new != u + 1:
                branch[(u, word[d])] = new
                branches.setdefault(u, []).append(new)
            chars.extend(word[d:])
            run.append(new == u + 1)
            run.extend(bytes([1]) * (n - d - 1))
            weight.extend([w] * (n - d))
            if weighed < n:
                weight[-1] = 0
    size = len(chars)
    fail = [0] * size
    total = [0] * size
    best = 0
    queue = [0]
    get_branch = branch.get
    for u in queue:  # breadth first (the list grows while it is read): fail(v) is shallower than v
        if u + 1 < size and run[u + 1]:
            kids = (u + 1, *branches[u]) if u in branches else (u + 1,)
        elif u in branches:
            kids = branches[u]
        else:
            continue
        for v in kids:
            f = 0
            if u:
                c = chars[v]
                f = fail[u]
                while True:  # goto(f, c), inlined: this loop is the whole cost on long words
                    t = f + 1
                    if t < size and run[t] and chars[t] == c:
                        f = t
                        break
                    t = get_branch((f, c), -1)
                    if t >= 0:
                        f = t
                        break
                    if not f:
                        break
                    f = fail[f]
            fail[v] = f
            t = total[v] = weight[v] + total[f]
            if t > best:
                best = t
                if cap is not None and best > cap:
                    return best
            queue.append(v)
    return best
