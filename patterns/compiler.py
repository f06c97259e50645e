"""The compiler: the one writer of the published tables (`patterns.automaton`), in pure Python.

The one source of truth for the automaton's semantics (docs/automaton.md). `Builder` is the writer
of one machine: a trie of its rules' branches (`_Node`), laid out as `Tables` by `build`, and
from then on each change publishes new `Tables` made by copy-on-write of the states and value
indexes it touched (`_Live`). `_value_index` merges the matchers of the edges leaving one state
on one field into one `ValueIndex`, its int lists interned with reference counts (`_Lists`).
`one_rule_tables` is the automaton of one pattern alone (`Pattern.matches`).
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable
from operator import attrgetter
from typing import Any

from .automaton import AFFIX_TAGS, N_TAGS, STRING_TAGS, T_EXACT, LoweredDFA, LoweredIndex, Tables, ValueIndex
from .model import (
    AnythingBut,
    Branch,
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
from .walk import prepare
from .wildcard_dfa import WildcardDFA

__all__ = ["Builder", "one_rule_tables"]


# --- Lists and value indexes --------------------------------------------------------------------


class _Lists:
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


class _Recorder:
    """`_Lists.add` for one value index, counting the list ids it takes (to release them later)."""

    __slots__ = ("ids", "lists")

    def __init__(self, lists: _Lists) -> None:
        self.lists = lists
        self.ids: dict[int, int] = {}  # list id -> references held

    def add(self, items: Iterable[int]) -> int:
        k = self.lists.add(items)
        self.ids[k] = self.ids.get(k, 0) + 1
        return k


def _grouped(pairs: Iterable[tuple[Any, int]], lists: _Recorder) -> dict[Any, int]:
    groups: dict[Any, list[int]] = {}
    for key, item in pairs:
        groups.setdefault(key, []).append(item)
    return {key: lists.add(items) for key, items in groups.items()}


def _affix_table(pairs: list[tuple[str, int]], lists: _Recorder) -> tuple[dict[str, int], array]:
    table = _grouped(pairs, lists)
    return table, array("q", sorted({len(k) for k in table}))


_Bound = tuple[int | None, bool, int | None, bool]  # (low, inclusive, high, inclusive); None unbounded


def _range_table(
    ranges: list[tuple[_Bound, int]], lists: _Recorder, typecode: str | None
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


def _number_bound(x: float | None) -> int | None:
    return None if x is None else number_key(as_double(x))


def _value_index(edges: list[tuple[Leaf, int]], lists: _Recorder) -> ValueIndex:
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
            vi.num_keys, vi.num_slots = _range_table(pairs, lists, "Q")
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
    if (
        vi.exact is not None
        and vi.exists < 0
        and vi.exists_value < 0
        and all(getattr(vi, name) is None for name in ValueIndex.__slots__ if name not in _NOT_STRUCTURES)
    ):
        vi.exact_only = vi.exact
    vi.needs_fold = any(x is not None for x in (vi.folded, vi.prefix_ci, vi.suffix_ci, vi.ab_folded))
    vi.lowered = _lower(vi, lists.lists.items)
    return vi


_NOT_STRUCTURES = frozenset(
    {"cwalk", "exact", "exact_only", "exists", "exists_value", "lowered", "needs_fold", "walk"}
)


def _anything_but(vi: ValueIndex, operands: dict[AnythingBut, list[int]], lists: _Recorder) -> None:
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


# --- Lowering: each value index in the form the compiled walker copies ------------------------------

_M64 = (1 << 64) - 1  # the low 64 bits of an IPv6 address
# Shared empty columns of the structures an index lacks (most indexes lack most): every record is
# read-only, so they are never written.
_NO_U64 = array("Q")
_NO_INTS = array("q")
_NO_LISTS = array("q", [0])  # no local list: one offset
_NO_LITERAL = array("q", [-1, -1, -1])
_NO_LENS = array("q", bytes(8 * N_TAGS))  # N_TAGS zeros
#: The fields of a `LoweredIndex` after `lens_end`, for an index holding no structure but strings.
_NOTHING_BUT_STRINGS = (
    _NO_U64, _NO_INTS, _NO_U64, _NO_INTS, _NO_LITERAL, -1, -1, None, False,
    _NO_U64, _NO_INTS, _NO_U64, _NO_U64, _NO_INTS, None, None, None, None, None, None, None,
)  # fmt: skip


_STRING_TAGS = tuple(tag for tag, _ in STRING_TAGS)
_string_tables = attrgetter(*(name for _, name in STRING_TAGS))  # vi -> its string tables, in order


class _LocalLists:
    """The local lists of one lowering, and the reference of a machine list id (`LoweredIndex`)."""

    __slots__ = ("items", "lists", "local", "off")

    def __init__(self, lists: list[tuple[int, ...]]) -> None:
        self.lists = lists
        # machine list id -> local list j, and the lists' columns: made at the first list of
        # several items (most indexes name lists of one item only)
        self.local: dict[int, int] | None = None
        self.off = _NO_LISTS
        self.items = _NO_INTS

    def ref(self, k: int) -> int:
        # -1 stays -1; a list of one item becomes -2 - item; any other list is copied once, as
        # the next local list, the first time the index names it
        if k < 0:
            return -1
        items = self.lists[k]
        if len(items) == 1:
            return -2 - items[0]
        if self.local is None:
            self.local, self.off, self.items = {}, array("q", [0]), array("q")
        j = self.local.get(k)
        if j is None:
            j = self.local[k] = len(self.off) - 1
            self.items.extend(items)
            self.off.append(len(self.items))
        return j


def _lower(vi: ValueIndex, lists: list[tuple[int, ...]]) -> LoweredIndex:
    """The compiled walker's form of a finished value index (`LoweredIndex`), made once, here.

    Every reference is taken in one fixed order (the string structures in `STRING_TAGS` order,
    numbers, anything-but numbers, literals, exists, exists_value, anything-but operands, IPv4,
    IPv6, cidr4, cidr6, the wildcard's accepting sets), which numbers the local lists.

    Args:
        vi: the index, complete but for `lowered` (and the walkers' slots).
        lists: list id -> its items (the machine's interned lists), for every list id of `vi`.
    """
    local = _LocalLists(lists)
    ref = local.ref
    keys: list[bytes] = []
    entries = array("q")
    exact = vi.exact_only
    if exact is not None:  # the common index: exact strings alone, nothing else to lower
        columns = _exact_columns(exact, local) if len(exact) >= _COLUMNS_FROM else None
        if columns is None:
            _lower_keys(T_EXACT, exact, ref, keys, entries)
            columns = (b"".join(keys), entries)
        return LoweredIndex._make(
            (False, False, 1 << T_EXACT, local.off, local.items, *columns, _NO_INTS, _NO_LENS, _NO_LENS,
             *_NOTHING_BUT_STRINGS)
        )  # fmt: skip
    tags = 0
    lens, lens_start, lens_end = _NO_INTS, _NO_LENS, _NO_LENS
    for tag, table in zip(_STRING_TAGS, _string_tables(vi), strict=True):
        if table is None:
            continue
        tags |= 1 << tag
        before = len(keys)
        _lower_keys(tag, table, ref, keys, entries)
        if tag in AFFIX_TAGS:
            if lens is _NO_INTS:
                lens, lens_start, lens_end = array("q"), array("q", _NO_LENS), array("q", _NO_LENS)
            lens_start[tag] = len(lens)
            lens.extend(sorted({len(key) for key in keys[before:]}))  # in bytes, ascending
            lens_end[tag] = len(lens)
    num_keys, num_slots = _NO_U64, _NO_INTS
    if vi.num_keys is not None:
        num_keys, num_slots = vi.num_keys, array("q", [ref(k) for k in vi.num_slots])
    abnum_keys, abnum_refs = _NO_U64, _NO_INTS
    if vi.ab_num is not None:
        ab_num = sorted((number_key(x), ref(k)) for x, k in vi.ab_num.items() if x == x)  # x != x: NaN
        abnum_keys, abnum_refs = array("Q", [key for key, _ in ab_num]), array("q", [j for _, j in ab_num])
    literal = _NO_LITERAL if vi.literal is None else array("q", [ref(k) for k in vi.literal])
    exists, exists_value = ref(vi.exists), ref(vi.exists_value)
    ab_refs = None if vi.ab_lists is None else array("q", [ref(k) for k in vi.ab_lists])
    ip4_keys, ip4_refs, ip6_hi, ip6_lo, ip6_refs = _NO_U64, _NO_INTS, _NO_U64, _NO_U64, _NO_INTS
    if vi.ip_exact is not None:
        ip4 = sorted((address, ref(k)) for (version, address), k in vi.ip_exact.items() if version == 4)
        ip6 = sorted((address, ref(k)) for (version, address), k in vi.ip_exact.items() if version == 6)
        ip4_keys, ip4_refs = array("Q", [address for address, _ in ip4]), array("q", [j for _, j in ip4])
        ip6_hi = array("Q", [address >> 64 for address, _ in ip6])
        ip6_lo = array("Q", [address & _M64 for address, _ in ip6])
        ip6_refs = array("q", [j for _, j in ip6])
    cidr4_refs = None if vi.cidr4_keys is None else array("q", [ref(k) for k in vi.cidr4_slots])
    cidr6_hi = cidr6_lo = cidr6_refs = None
    if vi.cidr6_keys is not None:
        cidr6_hi = array("Q", [key >> 64 for key in vi.cidr6_keys])
        cidr6_lo = array("Q", [key & _M64 for key in vi.cidr6_keys])
        cidr6_refs = array("q", [ref(k) for k in vi.cidr6_slots])
    wildcard = None if vi.wildcard is None else _lower_dfa(vi.wildcard, ref)
    ab_wildcard = None if vi.ab_wildcard is None else _lower_dfa(vi.ab_wildcard, None)
    return LoweredIndex._make((
        (vi.wildcard is not None and wildcard is None) or (vi.ab_wildcard is not None and ab_wildcard is None),
        bool(vi.needs_fold), tags, local.off, local.items,
        b"".join(keys), entries, lens, lens_start, lens_end,
        num_keys, num_slots, abnum_keys, abnum_refs, literal, exists, exists_value, ab_refs,
        vi.ip_exact is not None or vi.cidr4_keys is not None or vi.cidr6_keys is not None,
        ip4_keys, ip4_refs, ip6_hi, ip6_lo, ip6_refs, vi.cidr4_keys, cidr4_refs, cidr6_hi, cidr6_lo, cidr6_refs,
        wildcard, ab_wildcard,
    ))  # fmt: skip


def _lower_keys(tag: int, table: dict, ref: Any, keys: list[bytes], entries: array) -> None:
    """Append the keys of one string structure: their UTF-8 bytes to `keys`, (tag, length in
    bytes, reference) to `entries`; keys that are no string or have no UTF-8 form left out."""
    for key, k in table.items():
        if type(key) is not str:
            continue  # not a string key: no string value equals it
        try:
            encoded = key.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate: no valid UTF-8 value holds one
            continue
        keys.append(encoded)
        entries.extend((tag, len(encoded), ref(k)))


#: From this many keys on, an exact-only index's columns are made one pass per column.
_COLUMNS_FROM = 16


def _exact_columns(exact: dict[str, int], local: _LocalLists) -> tuple[bytes, array] | None:
    """(key_data, entries) of an exact-only index, column by column, as `_lower`'s loop makes
    them; None when a key is no plain string or has no UTF-8 form (that loop leaves it out).

    The large indexes are exact-only ones (one value per tenant), and a change to one lowers
    the patched copy again (`_Live.patch_field`): each column here is one pass at C speed (when
    every list is of one item, as one state per value makes them), where the loop spends a few
    Python steps per key.
    """
    keys = list(exact)
    try:
        text = "".join(keys)
        key_data = text.encode("utf-8")
    except (TypeError, UnicodeEncodeError):
        return None
    n = len(keys)
    # every list of one item (one state per value): each reference is -2 - that item
    refs = [-2 - t[0] for t in map(local.lists.__getitem__, exact.values()) if len(t) == 1]
    if len(refs) < n:
        refs = list(map(local.ref, exact.values()))
    entries = array("q", bytes(24 * n))  # (tag, length in bytes, reference) per key
    entries[0::3] = array("q", [T_EXACT]) * n
    entries[1::3] = array("q", list(map(len, keys)) if text.isascii() else [len(k.encode()) for k in keys])
    entries[2::3] = array("q", refs)
    return key_data, entries


def _lower_dfa(dfa: WildcardDFA, ref: Any) -> LoweredDFA | None:
    """A built wildcard automaton as flat rows (`LoweredDFA`), each payload through `ref` (None:
    kept as it is); None when its table was not built (over budget: Python tests it)."""
    if not dfa.is_dfa:
        return None
    # The writer reads the private table of the automaton it built (immutable once built).
    moves, accept = dfa._moves, dfa._accept
    mv_off, mv_cp, mv_next = array("q", [0]), array("q"), array("q")
    acc_off, acc = array("q", [0]), array("q")
    for s, row in enumerate(moves or ()):
        for cp, nxt in sorted((ord(ch), nxt) for ch, nxt in row.items() if not 0xD800 <= ord(ch) <= 0xDFFF):
            mv_cp.append(cp)
            mv_next.append(nxt)
        mv_off.append(len(mv_cp))
        acc.extend(accept[s] if ref is None else [ref(p) for p in accept[s]])
        acc_off.append(len(acc))
    return LoweredDFA(array("q", dfa._other), mv_off, mv_cp, mv_next, acc_off, acc)


# --- The builder --------------------------------------------------------------------------------


class _Node:
    """A builder state: children keyed by (path, value list), the rules ending here, and what
    was published for it.

    `uses` counts the branches passing through the edge into this node, so that removing the
    last of them frees the node (the root has none and is never freed). Once the machine has
    published tables, `sid` is this node's state id there (-1 before, and once freed) and
    `index` holds, per field read here, what was published for it: (path id, `ValueIndex`, the
    list ids the index holds as (id, references) pairs, or None when they are exactly the values
    of its `exact_only` dict (the common index: nothing more to keep), the absence list id or -1). Written only under the machine's
    lock; never read by a match.
    """

    __slots__ = ("children", "index", "sid", "terminal", "uses")

    def __init__(self) -> None:
        self.children: dict[tuple[str, Leaf], _Node] = {}
        self.terminal: dict[int, int] = {}  # rule id -> how many of its branches end here
        self.uses = 0
        self.sid = -1
        # None until a field is published here: most nodes are leaves, and every dict or tuple
        # less is less for the garbage collector to walk
        self.index: dict[str, tuple[int, ValueIndex, tuple[tuple[int, int], ...] | None, int]] | None = None


class _Touched:
    """What one change did to the builder: the only parts of the published tables to redo.

    fields  (node, path) -> the edges it gained and lost there, in order:
            [(True for added, value list, child node), ...]; its value index is redone
    ends    nodes whose terminal rules changed
    new     (node, parent) of every node created, parents first
    freed   every node whose last branch went (their state ids are freed)
    """

    __slots__ = ("ends", "fields", "freed", "new")

    def __init__(self) -> None:
        self.fields: dict[tuple[_Node, str], list[tuple[bool, Leaf, _Node]]] = {}
        self.ends: list[_Node] = []
        self.new: list[tuple[_Node, _Node]] = []
        self.freed: list[_Node] = []


_EQUALITY = (Equals, NumberEquals, Literal)


def _rank(leaf: Leaf) -> int:
    # Equality lists first: one hash lookup, and usually the most selective, so the walk reads
    # ranges, affixes and anything-but only for rules whose equalities held. Lists that may
    # hold by absence last.
    if all(isinstance(m, _EQUALITY) for m in leaf.matchers):
        return 0
    if _may_be_absent(leaf):
        return 2
    return 1


def _may_be_absent(leaf: Leaf) -> bool:
    return any(isinstance(m, Exists) and not m.value for m in leaf.matchers)


def _sorted_branch(branch: Branch) -> list[tuple[str, Leaf]]:
    """A branch's conditions in the one order every branch follows: (rank, depth, path).

    Depth (the dots in the path) puts envelope fields (`source`, `detail-type`) before the
    `detail.*` fields of one rank: they name what a rule routes, so reading them first keeps
    the walk to the rules that can still match (measured in docs/performance.md).
    """
    return sorted(
        ((c.path, c.leaf) for c in branch), key=lambda pair: (_rank(pair[1]), pair[0].count("."), pair[0])
    )


def _insert(root: _Node, rule_id: int, branches: tuple[Branch, ...], touched: _Touched | None = None) -> None:
    for branch in branches:
        node = root
        for key in _sorted_branch(branch):
            child = node.children.get(key)
            if child is None:
                child = node.children[key] = _Node()
                if touched is not None:
                    touched.fields.setdefault((node, key[0]), []).append((True, key[1], child))
                    touched.new.append((child, node))
            child.uses += 1
            node = child
        node.terminal[rule_id] = node.terminal.get(rule_id, 0) + 1
        if touched is not None:
            touched.ends.append(node)


def _delete(root: _Node, rule_id: int, branches: tuple[Branch, ...], touched: _Touched | None = None) -> None:
    for branch in branches:
        node = root
        for key in _sorted_branch(branch):
            child = node.children[key]
            child.uses -= 1
            if child.uses == 0:
                del node.children[key]  # and with it every node below, used by this branch alone
                if touched is not None:
                    touched.fields.setdefault((node, key[0]), []).append((False, key[1], child))
                    touched.freed.append(child)
            node = child
        left = node.terminal[rule_id] - 1
        if left:
            node.terminal[rule_id] = left
        else:
            del node.terminal[rule_id]
        if touched is not None:
            touched.ends.append(node)


# --- Publication: the writer's side of the tables -----------------------------------------------


class _Live:
    """What the writer keeps of the published tables, to publish the next ones by editing a copy.

        steps, parents           the per-state lists of the last `Tables` (see there), by state id
        free_states              state ids no live state uses (reused first)
        lists                    the interned lists (`_Lists`), published as `walk[1]`
        path_ids, path_names     every path some index was built on; path_uses[p] counts the
                                 (state, field) indexes on path p (0: dead, kept until compaction)
        names, empty             rule id -> name (with the names of removed rules, `stale_names`
                                 of them, until compaction); ids of the rules with `{}`

    A change (`apply`) first copies the two per-state lists (copy-on-write: the published ones
    belong to readers from then on; `steps` is one list of references, `parents` one memcpy),
    then frees the states of freed nodes, gives ids to new ones, rebuilds (or, for exact-only
    indexes, patches) the value index of each touched (state, field), and redoes the entry of
    each touched state; `publish` wraps the copies in a new `Tables`. Everything else (every
    other state's entry, index, probe and list) is shared with the snapshot before. Lists and
    names only grow (see `Tables`). Written only under the machine's lock.
    """

    __slots__ = (
        "absent_edges", "csteps", "dead_paths", "empty", "empty_rules", "free_states", "lists", "names",
        "parents", "path_ids", "path_names", "path_uses", "paths_forked", "prefixes", "published_paths",
        "scan", "stale_names", "steps", "twin",
    )  # fmt: skip

    def __init__(self, names: dict[int, str], empty: set[int], twin: Any) -> None:
        self.steps: list[tuple | None] = []
        self.twin = twin
        self.csteps: list = []  # the twin's states (`compile_state`), beside the reference ones
        self.parents = array("q")  # an array: its copy is one memcpy, no reference counts
        self.free_states: list[int] = []
        self.lists = _Lists()
        self.path_ids: dict[str, int] = {}
        self.path_names: list[str] = []
        self.path_uses: list[int] = []
        self.dead_paths = 0
        self.paths_forked = True  # the dicts above are private until the first publish
        self.published_paths: tuple[str, ...] = ()
        self.prefixes: frozenset[str] = frozenset({""})
        self.scan: Any = None  # the byte scanner's table of `prefixes`, remade with them
        self.absent_edges = 0
        self.names = names
        self.empty = empty
        self.empty_rules = tuple(sorted(empty))
        self.stale_names = 0  # names of removed rules still in `names`

    # -- states --

    def add_state(self, node: _Node, parent: int) -> None:
        if self.free_states:
            sid = self.free_states.pop()
            self.parents[sid] = parent
        else:
            sid = len(self.steps)
            self.steps.append(None)
            self.csteps.append(None)
            self.parents.append(parent)
        node.sid = sid

    def free_state(self, node: _Node) -> None:
        if node.index:
            for entry in node.index.values():
                self._drop_field(entry)
        node.index = None
        sid = node.sid
        self.steps[sid] = None
        self.csteps[sid] = None
        self.parents[sid] = -1
        self.free_states.append(sid)
        node.sid = -1

    def set_field(self, node: _Node, path: str, edges: list[tuple[Leaf, int]] | None = None) -> None:
        """(Re)build the value index of the edges leaving `node` on `path` (none: drop it)."""
        if node.index is None:
            node.index = {}
        old = node.index.pop(path, None)
        if old is not None:
            self._drop_field(old)
        if edges is None:
            edges = [(leaf, child.sid) for (p, leaf), child in node.children.items() if p == path]
        if not edges:
            return
        recorder = _Recorder(self.lists)
        vi = _value_index(edges, recorder)
        absent = [sid for leaf, sid in edges if _may_be_absent(leaf)]
        absent_list = recorder.add(absent) if absent else -1
        if absent_list >= 0:
            self.absent_edges += 1
        ids = None if vi.exact_only is not None and absent_list < 0 else tuple(recorder.ids.items())
        node.index[path] = (self._use_path(path), vi, ids, absent_list)

    def patch_field(self, node: _Node, path: str, changes: list[tuple[bool, Leaf, int]]) -> bool:
        """Edit a copy of an exact-only value index in place of rebuilding it (False: not one).

        The common large index (one field, thousands of distinct strings: one per tenant) costs
        a dict copy and one list per changed value, not a rebuild of every edge. Only when the
        index and every changed edge hold plain strings (no IP address: those also go to
        `ip_exact`) and the field has no absence edge, so that the result is exactly what
        `_value_index` would build.
        """
        old = None if node.index is None else node.index.get(path)
        if old is None or old[1].exact_only is None or old[3] >= 0:  # absence edges: rebuild
            return False
        for _, leaf, _ in changes:
            if not all(type(m) is Equals and parse_ip(m.value) is None for m in leaf.matchers):
                return False
        path_id, vi, _, absent_list = old  # its lists: the values of its dict
        exact = dict(vi.exact_only)
        lists = self.lists
        for added, leaf, sid in changes:
            for m in leaf.matchers:
                k = exact.get(m.value)
                group = set() if k is None else set(lists.items[k])
                if added:
                    group.add(sid)
                else:
                    group.discard(sid)
                if group:
                    exact[m.value] = lists.add(group)
                else:
                    exact.pop(m.value, None)  # a value twice in one list: gone at the first
                if k is not None:
                    lists.release(k)
        if not exact:
            del node.index[path]  # type: ignore[union-attr]
            self.path_uses[path_id] -= 1
            if not self.path_uses[path_id]:
                self.dead_paths += 1
            return True
        new = ValueIndex()
        new.exact = new.exact_only = exact
        new.lowered = _lower(new, lists.items)
        node.index[path] = (path_id, new, None, absent_list)  # type: ignore[index]
        return True

    def _drop_field(self, entry: tuple[int, ValueIndex, tuple[tuple[int, int], ...] | None, int]) -> None:
        path_id, vi, ids, absent_list = entry
        if ids is None:
            for k in vi.exact_only.values():  # type: ignore[union-attr]
                self.lists.release(k)
        else:
            for k, times in ids:
                self.lists.release(k, times)
        if absent_list >= 0:
            self.absent_edges -= 1
        self.path_uses[path_id] -= 1
        if not self.path_uses[path_id]:
            self.dead_paths += 1

    def _use_path(self, path: str) -> int:
        path_id = self.path_ids.get(path)
        if path_id is None:
            if not self.paths_forked:  # the published dict is the readers' now
                self.path_ids = dict(self.path_ids)
                self.paths_forked = True
            path_id = self.path_ids[path] = len(self.path_names)
            self.path_names.append(path)
            self.path_uses.append(0)
        elif not self.path_uses[path_id]:
            self.dead_paths -= 1
        self.path_uses[path_id] += 1
        return path_id

    def restep(self, node: _Node) -> None:
        """Redo the state's entries from its columns (rule ids, edges, absence edges): the
        reference walker's (`prepare`, which also gives each new index its probe) and then the
        twin's (`compile_state`)."""
        terms = tuple(sorted(node.terminal))
        entries = node.index.values() if node.index else ()
        edges = tuple((path_id, vi) for path_id, vi, _, _ in entries)
        absent = tuple((path_id, k) for path_id, _, _, k in entries if k >= 0)
        self.steps[node.sid] = prepare(terms, edges, absent, self.lists.items)
        self.csteps[node.sid] = self.twin.compile_state(
            (terms, edges, absent), self.lists.items, self.parents[node.sid], self.names
        )

    # -- changes --

    def apply(self, touched: _Touched, rule_id: int, name: str | None, empty: bool) -> None:
        """Edit copies of the published tables after the builder took one change.

        Args:
            touched: what the change did to the builder.
            rule_id: the rule added, replaced or removed.
            name: its name, or None when it was removed.
            empty: whether its pattern (now) is the empty pattern.
        """
        self.steps, self.parents = list(self.steps), self.parents[:]  # copy-on-write
        self.csteps = list(self.csteps)
        # The edges each touched field lost name their states before those are freed.
        lost = {
            id(child): child.sid
            for changes in touched.fields.values()
            for added, _, child in changes
            if not added
        }
        for node in touched.freed:
            self.free_state(node)
        for node, parent in touched.new:
            self.add_state(node, parent.sid)
        redo: dict[_Node, None] = {}
        for (node, path), changes in touched.fields.items():
            if node.sid >= 0:  # not freed by this change
                edits = [
                    (added, leaf, child.sid if added else lost[id(child)]) for added, leaf, child in changes
                ]
                if not self.patch_field(node, path, edits):
                    self.set_field(node, path)
                redo[node] = None
        for node in touched.ends:
            if node.sid >= 0:
                redo[node] = None
        # `names` grows in place, like the lists: an older snapshot never looks up a rule id
        # newer than its states, and ids are never reused. A removed rule's name stays (older
        # snapshots may still return its id) until compaction, which counts it as garbage.
        # Before the states are made again: a compiled state keeps its rules' names.
        if name is None:
            self.stale_names += 1
        elif rule_id not in self.names:
            self.names[rule_id] = name
        for node in redo:
            self.restep(node)
        if (rule_id in self.empty) != (empty and name is not None):
            self.empty = self.empty ^ {rule_id}
            self.empty_rules = tuple(sorted(self.empty))

    def garbage(self) -> bool:
        """Whether free state ids, dead lists, stale names or dead paths outnumber half the live
        ones (plus a slack, so that a small machine does not compact at every change)."""
        slack = _COMPACT_SLACK
        free = len(self.free_states)
        if 2 * free > len(self.steps) - free + slack:
            return True
        dead = self.lists.dead
        if 2 * dead > len(self.lists.items) - dead + slack:
            return True
        if 2 * self.stale_names > len(self.names) - self.stale_names + slack:
            return True
        return 2 * self.dead_paths > len(self.path_names) - self.dead_paths + slack // 4

    def publish(self) -> Tables:
        """The tables of the current copies (which belong to the readers from now on)."""
        if self.paths_forked:
            self.published_paths = tuple(self.path_names)
            prefixes = {""}
            for path in self.path_ids:
                prefixes.add(path)
                prefixes.update(path[:j] for j, ch in enumerate(path) if ch == ".")
            self.prefixes = frozenset(prefixes)
            self.scan = self.twin.scan_table(self.prefixes, self.path_ids)
            self.paths_forked = False
        return Tables(
            self.parents, (self.steps, self.lists.items), self.absent_edges > 0, self.path_ids,
            self.published_paths, self.prefixes, self.names, self.empty_rules, len(self.lists.items),
            self.scan, self.csteps, self.twin,
        )  # fmt: skip


#: Garbage a machine may hold beyond half its live ids before a change compacts it. Compaction
#: is a full rebuild, O(automaton), paid after at least half as many changes' worth of garbage,
#: so its cost per change stays O(pattern); the slack spares small machines a rebuild per change.
_COMPACT_SLACK = 32


def _build(root: _Node, names: dict[int, str], empty: set[int], twin: Any) -> _Live:
    """Lay the whole builder's trie out afresh (breadth first; state 0 is the root)."""
    live = _Live(names, empty, twin)
    live.add_state(root, -1)
    order = [root]
    i = 0
    while i < len(order):
        node = order[i]
        i += 1
        node.index = None
        for child in node.children.values():
            live.add_state(child, node.sid)
            order.append(child)
    for node in order:
        by_path: dict[str, list[tuple[Leaf, int]]] = {}
        for (path, leaf), child in node.children.items():
            by_path.setdefault(path, []).append((leaf, child.sid))
        for path, edges in by_path.items():
            live.set_field(node, path, edges)
        live.restep(node)
    return live


class Builder:
    """The writer of one machine's automaton: its rules' branches as a trie, and, once published,
    what each change must redo in the published tables.

    `add` and `remove` edit the trie; before the first `build` nothing else happens (loading many
    rules costs the trie alone). `build` lays the whole trie out and publishes it; from then on
    each change edits copies of what it touched and returns the new `Tables` to publish, compacting
    with a full rebuild when garbage passes half the live ids (`_COMPACT_SLACK`). Not thread-safe:
    its owner (`patterns.machine.Machine`) calls it under one lock; the tables it returns are
    immutable and safe to share.
    """

    __slots__ = ("_live", "_root", "_rules", "twin")

    def __init__(self, twin: Any) -> None:
        """Args:
        twin: the matcher twin (`patterns.engine.Twin`) whose states and scanner table the
            published tables carry, and which reads them.
        """
        self.twin = twin
        self._root = _Node()
        self._rules: dict[int, tuple[str, bool]] = {}  # rule id -> (name, pattern is {})
        self._live: _Live | None = None  # the writer's side of the published tables, once built

    @property
    def built(self) -> bool:
        """Whether tables were published (from then on every change returns new ones)."""
        return self._live is not None

    def add(
        self, rule_id: int, name: str, branches: tuple[Branch, ...], empty: bool,
        replacing: tuple[Branch, ...] | None = None,
    ) -> Tables | None:  # fmt: skip
        """Add rule `rule_id` (replacing its branches `replacing`, when it had some).

        Args:
            rule_id: the rule's id (its place in answers: ids are never reused for another rule).
            name: the name a match gives for it.
            branches: its pattern's branches (`Pattern.branches`).
            empty: its pattern is ``{}`` (it matches every input).
            replacing: the branches the rule had before, for a replacement.

        Returns:
            The tables to publish, or None before the first `build`.
        """
        touched = None if self._live is None else _Touched()
        if replacing is not None:
            _delete(self._root, rule_id, replacing, touched)
        _insert(self._root, rule_id, branches, touched)
        self._rules[rule_id] = (name, empty)
        return None if touched is None else self._apply(touched, rule_id, name, empty)

    def remove(self, rule_id: int, branches: tuple[Branch, ...]) -> Tables | None:
        """Remove rule `rule_id`, whose branches are `branches`, freeing what only it used.

        Returns:
            The tables to publish, or None before the first `build`.
        """
        touched = None if self._live is None else _Touched()
        _delete(self._root, rule_id, branches, touched)
        del self._rules[rule_id]
        return None if touched is None else self._apply(touched, rule_id, None, False)

    def build(self) -> Tables:
        """Lay the whole trie out afresh and return its tables (the first match's, or a
        compaction's)."""
        names = {rid: name for rid, (name, _) in self._rules.items()}
        empty = {rid for rid, (_, is_empty) in self._rules.items() if is_empty}
        self._live = _build(self._root, names, empty, self.twin)
        return self._live.publish()

    def _apply(self, touched: _Touched, rule_id: int, name: str | None, empty: bool) -> Tables:
        live = self._live
        assert live is not None
        live.apply(touched, rule_id, name, empty)
        if live.garbage():
            return self.build()
        return live.publish()


def one_rule_tables(branches: tuple[Branch, ...], empty: bool, twin: Any) -> Tables:
    """The automaton of one pattern alone (rule id 0, named ""), as `Pattern.matches` runs it.

    Args:
        branches: the pattern's branches.
        empty: the pattern is ``{}``.
        twin: the matcher twin that reads the tables (`patterns.engine.Twin`).
    """
    builder = Builder(twin)
    builder.add(0, "", branches, empty)
    return builder.build()
