"""Value indexes: the matchers of the edges leaving one state on one field, merged by kind into one
`ValueIndex` (`value_index`), their int lists interned with reference counts (`Lists`).

Part of the writer (`patterns.compiler` calls it under the machine's lock); what an index holds is
drawn in `patterns.automaton.ValueIndex`, and how a walker reads it in `patterns.walk.fire`.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Iterable
from typing import Any

from .automaton import PAGE, NumberLevel, Paged, ValueIndex
from .model import (
    AnythingBut,
    Cidr,
    Equals,
    EqualsIgnoreCase,
    Exists,
    Leaf,
    Literal,
    NumberEquals,
    Numeric,
    Prefix,
    Suffix,
    Wildcard,
)
from .netaddr import parse_ip
from .numbers import as_double, number_key
from .wildcard_dfa import WildcardDFA

__all__ = [
    "NOT_STRUCTURES", "TREE_CHUNK", "Lists", "Recorder", "number_level", "number_ranges", "slot_span", "tree_cover",
    "tree_node", "value_index",
]  # fmt: skip


class Lists:
    """Interned int lists with reference counts: the writer's side of the lists of `Tables`.

        items[k]  the sorted tuple of list k                  (published as walk[1])
        refs[k]   how many slots of live value indexes and absence edges name list k (0: dead)
        _ids      # HASH  tuple -> k

    Append-only: a list id, once given, names the same tuple for ever, so the one `items` list
    is shared by every snapshot (a change appends; a snapshot reads only the ids its own value
    indexes name, and its `Tables.lists_used` tells `flat` where its lists end). A dead list
    stays until the next compaction (`dead` counts them) and comes back to life if a later index
    needs the same tuple. Written only under the machine's lock.
    """

    __slots__ = ("_ids", "dead", "items", "refs")

    def __init__(self) -> None:
        self.items: list[tuple[int, ...]] = []
        self.refs: list[int] = []
        self.dead = 0
        self._ids: dict[tuple[int, ...], int] = {}

    def add(self, items: Iterable[int]) -> int:
        key = tuple(sorted(set(items)))
        k = self._ids.get(key)
        if k is None:
            k = self._ids[key] = len(self.items)
            self.items.append(key)  # a reader of an older snapshot never reads past its own ids
            self.refs.append(1)
        else:
            if not self.refs[k]:
                self.dead -= 1
            self.refs[k] += 1
        return k

    def release(self, k: int, times: int = 1) -> None:
        left = self.refs[k] - times
        self.refs[k] = left
        if not left:
            self.dead += 1


class Recorder:
    """`Lists.add` for one value index, counting the list ids it takes (to release them later):
    in a count of its own, or in `ids`, the count of an index a patch edits in place."""

    __slots__ = ("ids", "lists")

    def __init__(self, lists: Lists, ids: dict[int, int] | None = None) -> None:
        self.lists = lists
        self.ids: dict[int, int] = {} if ids is None else ids  # list id -> references held

    def add(self, items: Iterable[int]) -> int:
        k = self.lists.add(items)
        self.ids[k] = self.ids.get(k, 0) + 1
        return k


def _grouped(pairs: Iterable[tuple[Any, int]], lists: Recorder) -> dict[Any, int]:
    groups: dict[Any, list[int]] = {}
    for key, item in pairs:
        groups.setdefault(key, []).append(item)
    return {key: lists.add(items) for key, items in groups.items()}


def _affix_table(pairs: list[tuple[str, int]], lists: Recorder) -> tuple[dict[str, int], array]:
    table = _grouped(pairs, lists)
    return table, array("q", sorted({len(k) for k in table}))


_Bound = tuple[int | None, bool, int | None, bool]  # (low, inclusive, high, inclusive); None unbounded


def _range_table(
    ranges: list[tuple[_Bound, int]], lists: Recorder, typecode: str | None
) -> tuple[Any, array]:
    """Elementary intervals: sorted distinct bound keys and, for each of the 2n+1 slots, the
    list id of the items whose range covers it (-1 for none)."""
    keys = sorted({b for (lo, _, hi, _), _ in ranges for b in (lo, hi) if b is not None})
    where = {k: i for i, k in enumerate(keys)}
    slots: list[list[int]] = [[] for _ in range(2 * len(keys) + 1)]
    for (lo, lo_inc, hi, hi_inc), item in ranges:
        first = 0 if lo is None else 2 * where[lo] + (1 if lo_inc else 2)
        last = 2 * len(keys) if hi is None else 2 * where[hi] + (1 if hi_inc else 0)
        for slot in range(first, last + 1):
            slots[slot].append(item)
    ids = array("q", [lists.add(s) if s else -1 for s in slots])
    return (array(typecode, keys) if typecode else keys), ids


#: A number index whose slots' lists would hold more than this many targets per slot on average
#: (plus `_TREE_SLACK`) is built as a segment tree (`ValueIndex.num_tree`): n nested ranges
#: (`> 1`, `> 2`, ...) fill O(n^2) slot entries (20,000 of them: minutes and gigabytes), the tree
#: O(n log n). Below it the slots stay: one lookup per value, and the compiled walker's. The
#: slack lets a field of a few hundred ranges keep its slots (at most 65,536 entries more): the
#: compiled walk probes a tree in Python, under the GIL, and on the dense workload (1,000 mixed
#: rules) one event in five did so, the serial share that kept two threads near one.
_TREE_FROM = 8
_TREE_SLACK = 1 << 16


def _number_table(ranges: list[tuple[_Bound, int]], lists: Recorder, vi: ValueIndex) -> None:
    """`vi.num_keys` and its slots (`_range_table`), or, for ranges whose slot lists would grow
    quadratic, a segment tree over the slots (`num_tree`)."""
    keys = sorted({b for (lo, _, hi, _), _ in ranges for b in (lo, hi) if b is not None})
    where = {k: i for i, k in enumerate(keys)}
    size = 2 * len(keys) + 1
    spans = []
    cover = 0
    for (lo, lo_inc, hi, hi_inc), item in ranges:
        first = 0 if lo is None else 2 * where[lo] + (1 if lo_inc else 2)
        last = 2 * len(keys) if hi is None else 2 * where[hi] + (1 if hi_inc else 0)
        spans.append((first, last, item))
        cover += last - first + 1
    if cover <= _TREE_FROM * size + _TREE_SLACK:
        vi.num_keys, vi.num_slots = _range_table(ranges, lists, "Q")
        return
    # P >= 2n + 1, and at least half a page: the tree's 2P nodes are whole pages
    leaves = max(1 << (size - 1).bit_length(), PAGE // 2)
    nodes: dict[int, list[int]] = {}
    for first, last, item in spans:
        for node in tree_cover(first, last, leaves):
            nodes.setdefault(node, []).append(item)
    vi.num_keys, vi.num_tree = array("Q", keys), _tree_pages(nodes, leaves, lists)


def _tree_pages(nodes: dict[int, list[int]], leaves: int, lists: Any) -> Paged:
    """A segment tree of `leaves` leaves holding `nodes` (node -> its targets), in pages."""
    tree: list[Any] = [-1] * (2 * leaves)
    for node, items in nodes.items():
        tree[node] = tree_node(items, lists)
    # in pages (`Paged`): a change copies the O(log n) pages of the nodes it edits, not the tree
    # (`compiler._Live.patch_numbers`; at 20,000 ranges the tree is 1 MB of references)
    return Paged([tree[i : i + PAGE] for i in range(0, len(tree), PAGE)], len(tree))


def number_level(entries: list[tuple[Any, ...]], lists: Any) -> NumberLevel | None:
    """A static segment tree of ranges beside a number tree (`NumberLevel`), its lists taken
    through `lists` (`add`; `lists.lists.items`: list id -> items).

    Args:
        entries: the ranges, as (low key, inclusive, high key, inclusive, list id of the one
            target); the list ids stay held by the level's entries.

    Returns:
        The level, or None for no range.
    """
    if not entries:
        return None
    items_of = lists.lists.items
    keys = sorted({b for lo, _, hi, _, _ in entries for b in (lo, hi) if b is not None})
    leaves = max(1 << (2 * len(keys)).bit_length(), PAGE // 2)  # >= 2n + 1 slots, whole pages
    nodes: dict[int, list[int]] = {}
    made = []
    for lo, lo_inc, hi, hi_inc, k in entries:
        # every bound is a key here: the span is never None
        first, last = slot_span(keys, (lo, lo_inc, hi, hi_inc))  # type: ignore[misc]
        cover = tree_cover(first, last, leaves)  # never empty: a range's low is below its high
        target = items_of[k][0]
        for node in cover:
            nodes.setdefault(node, []).append(target)
        made.append((lo, lo_inc, hi, hi_inc, k, cover[0]))
    return NumberLevel(array("Q", keys), _tree_pages(nodes, leaves, lists), tuple(made))


#: A tree node holding more than twice this many targets keeps them in chunks of this many, each
#: its own list (`tree_node`): nested ranges put thousands of targets on the nodes near the root
#: (at 20,000 `> i` ranges, up to 16,000 on one), and a change to one of them then remakes one
#: chunk and the node's tuple of chunk ids, not a list of every target.
TREE_CHUNK = 64


def tree_node(items: list[int], lists: Any) -> int | tuple[int, ...]:
    """What a segment tree node holds (`ValueIndex.num_tree`) for its targets (in any order,
    repeats allowed): -1 for none, the list id of them all, or, past 2 * `TREE_CHUNK` distinct
    ones, a tuple of the list ids of consecutive chunks of `TREE_CHUNK` (disjoint, ascending)."""
    if not items:
        return -1
    if len(items) > 2 * TREE_CHUNK:
        items = sorted(set(items))  # (`Lists.add` sorts the others)
    if len(items) <= 2 * TREE_CHUNK:
        return lists.add(items)  # type: ignore[no-any-return]
    return tuple(lists.add(items[i : i + TREE_CHUNK]) for i in range(0, len(items), TREE_CHUNK))


def tree_cover(first: int, last: int, leaves: int) -> list[int]:
    """The canonical cover of slots [first, last] in a segment tree of `leaves` leaves: the
    O(log n) nodes (at most two per level) whose leaves are exactly those slots."""
    out = []
    low, high = first + leaves, last + leaves + 1
    while low < high:
        if low & 1:
            out.append(low)
            low += 1
        if high & 1:
            high -= 1
            out.append(high)
        low >>= 1
        high >>= 1
    return out


def number_ranges(leaf: Leaf) -> list[_Bound] | None:
    """The ranges a value list's matchers put in a number index, as (low key, inclusive, high
    key, inclusive); None when it holds any other kind of matcher."""
    out: list[_Bound] = []
    for m in leaf.matchers:
        if isinstance(m, NumberEquals):
            k = _number_bound(m.value)
            out.append((k, True, k, True))
        elif isinstance(m, Numeric):
            out.append((_number_bound(m.lower), m.lower_inclusive, _number_bound(m.upper), m.upper_inclusive))
        else:
            return None
    return out


def slot_span(keys: Any, bound: _Bound) -> tuple[int, int] | None:
    """The slots [first, last] a range covers among sorted `keys`; None when a bound of it is no
    key (the slots cannot say where it starts or ends)."""
    lo, lo_inc, hi, hi_inc = bound
    n = len(keys)
    first, last = 0, 2 * n
    if lo is not None:
        i = bisect_left(keys, lo)
        if i == n or keys[i] != lo:
            return None
        first = 2 * i + (1 if lo_inc else 2)
    if hi is not None:
        i = bisect_left(keys, hi)
        if i == n or keys[i] != hi:
            return None
        last = 2 * i + (1 if hi_inc else 0)
    return first, last


def _number_bound(x: float | None) -> int | None:
    return None if x is None else number_key(as_double(x))


def value_index(edges: list[tuple[Leaf, int]], lists: Recorder) -> ValueIndex:
    """Merge the matchers of the edges (value list, target state) leaving one state on one field."""
    by_kind: dict[str, list[tuple[Any, int]]] = {}
    ab_by_matcher: dict[AnythingBut, list[int]] = {}
    exists: list[int] = []
    exists_value: list[int] = []
    for leaf, target in edges:
        for m in leaf.matchers:
            if isinstance(m, Equals):
                by_kind.setdefault("exact", []).append((m.value, target))
                address = parse_ip(m.value)
                if address is not None:
                    by_kind.setdefault("ip_exact", []).append((address, target))
            elif isinstance(m, NumberEquals):
                k = _number_bound(m.value)
                by_kind.setdefault("num", []).append(((k, True, k, True), target))
            elif isinstance(m, Numeric):
                bound = (_number_bound(m.lower), m.lower_inclusive, _number_bound(m.upper), m.upper_inclusive)
                by_kind.setdefault("num", []).append((bound, target))
            elif isinstance(m, Literal):
                by_kind.setdefault("literal", []).append((2 if m.value is None else int(m.value), target))
            elif isinstance(m, Prefix):
                kind, text = ("prefix_ci", m.value.casefold()) if m.ignore_case else ("prefix", m.value)
                by_kind.setdefault(kind, []).append((text, target))
            elif isinstance(m, Suffix):
                kind, text = ("suffix_ci", m.value.casefold()) if m.ignore_case else ("suffix", m.value)
                by_kind.setdefault(kind, []).append((text, target))
            elif isinstance(m, EqualsIgnoreCase):
                by_kind.setdefault("folded", []).append((m.value.casefold(), target))
            elif isinstance(m, Wildcard):
                by_kind.setdefault("wildcard", []).append((m.value, target))
            elif isinstance(m, Cidr):
                by_kind.setdefault(f"cidr{m.version}", []).append(((m.low, True, m.high, True), target))
            elif isinstance(m, AnythingBut):
                ab_by_matcher.setdefault(m, []).append(target)
            elif isinstance(m, Exists):
                if m.value:
                    (exists_value if m.needs_value else exists).append(target)
                # exists:false is an absence edge of the state, not a value matcher
            else:  # pragma: no cover - the model has no other kinds
                raise TypeError(f"unknown matcher {m!r}")
    vi = ValueIndex()
    for kind, pairs in by_kind.items():
        if kind in ("exact", "folded", "ip_exact"):
            setattr(vi, kind, _grouped(pairs, lists))
        elif kind in ("prefix", "suffix", "prefix_ci", "suffix_ci"):
            table, lens = _affix_table(pairs, lists)
            setattr(vi, kind, table)
            setattr(vi, f"{kind}_lens", lens)
        elif kind == "literal":
            literal = array("q", [-1, -1, -1])
            for slot, k in _grouped(pairs, lists).items():
                literal[slot] = k
            vi.literal = literal
        elif kind == "num":
            _number_table(pairs, lists, vi)
        elif kind == "cidr4":
            vi.cidr4_keys, vi.cidr4_slots = _range_table(pairs, lists, "Q")
        elif kind == "cidr6":
            vi.cidr6_keys, vi.cidr6_slots = _range_table(pairs, lists, None)
        elif kind == "wildcard":
            vi.wildcard = WildcardDFA((op, k) for op, k in _grouped(pairs, lists).items())
    if exists:
        vi.exists = lists.add(exists)
    if exists_value:
        vi.exists_value = lists.add(exists_value)
    if ab_by_matcher:
        _anything_but(vi, ab_by_matcher, lists)
    if len(by_kind) == 1 and "exact" in by_kind and not (exists or exists_value or ab_by_matcher):
        vi.exact_only = vi.exact  # exact strings and no other structure (not even `ip_exact`)
    vi.needs_fold = any(x is not None for x in (vi.folded, vi.prefix_ci, vi.suffix_ci, vi.ab_folded))
    return vi


NOT_STRUCTURES = frozenset(
    {"cwalk", "exact", "exact_only", "exists", "exists_value", "lowered", "needs_fold", "walk"}
)


def _anything_but(vi: ValueIndex, operands: dict[AnythingBut, list[int]], lists: Recorder) -> None:
    vi.ab_lists = array("q", [lists.add(targets) for targets in operands.values()])
    excl: dict[str, list[tuple[Any, int]]] = {}
    for i, m in enumerate(operands):
        for v in m.values:
            if m.kind == "values":
                excl.setdefault("str" if isinstance(v, str) else "num", []).append((v, i))
            elif m.kind == "equals-ignore-case":
                excl.setdefault("folded", []).append((str(v).casefold(), i))
            else:  # prefix, suffix, wildcard
                excl.setdefault(m.kind, []).append((v, i))
    if "str" in excl:
        vi.ab_str = _grouped(excl["str"], lists)
    if "num" in excl:
        vi.ab_num = _grouped(((as_double(v), i) for v, i in excl["num"]), lists)  # HASH: double
    if "folded" in excl:
        vi.ab_folded = _grouped(excl["folded"], lists)
    if "prefix" in excl:
        vi.ab_prefix, vi.ab_prefix_lens = _affix_table(excl["prefix"], lists)
    if "suffix" in excl:
        vi.ab_suffix, vi.ab_suffix_lens = _affix_table(excl["suffix"], lists)
    if "wildcard" in excl:
        vi.ab_wildcard = WildcardDFA(excl["wildcard"])
