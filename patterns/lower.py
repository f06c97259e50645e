"""Lowering: a finished value index in the form the compiled walker copies (`LoweredIndex`).

The one place the tables are lowered: list ids resolved into local lists (a list of one item
into the reference itself), string keys encoded to UTF-8 with their tags and byte lengths, the
anything-but numbers keyed by `number_key`, IPv6 addresses and cidr6 keys split into u64
halves, both wildcard automata flattened into rows. The writer (`patterns.compiler`) calls
`lower` for a twin that reads these columns (`reads_lowered`); the compiled twin's `CIndex`
then only copies arrays. `patterns.automaton.LoweredIndex` draws every column.
"""

from __future__ import annotations

from array import array
from operator import attrgetter
from typing import Any

from .automaton import (
    AFFIX_TAGS,
    GONE,
    N_TAGS,
    STRING_TAGS,
    T_EXACT,
    LoweredDFA,
    LoweredIndex,
    PatchedTable,
    ValueIndex,
)
from .numbers import number_key
from .wildcard_dfa import WildcardDFA

__all__ = ["lower"]

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
    _NO_U64, _NO_INTS, _NO_U64, _NO_U64, _NO_INTS, None, None, None, None, None, None, None, False,
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


def lower(vi: ValueIndex, lists: list[tuple[int, ...]]) -> LoweredIndex:
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
    if type(exact) is PatchedTable:  # a large exact index, changed: its overlay alone
        # a key gone from it (-1) is lowered as GONE, which the base's table must not answer
        _lower_keys(T_EXACT, exact.over, lambda k: GONE if k < 0 else ref(k), keys, entries)
        return LoweredIndex._make(
            (False, False, 1 << T_EXACT, local.off, local.items, b"".join(keys), entries, _NO_INTS, _NO_LENS,
             _NO_LENS, *_NOTHING_BUT_STRINGS)
        )  # fmt: skip
    if exact is not None:  # the common index: exact strings alone, nothing else to lower
        columns = _exact_columns(exact, local) if len(exact) >= _COLUMNS_FROM else None
        if columns is None:
            _lower_keys(T_EXACT, exact, ref, keys, entries)
            columns = (b"".join(keys), entries)
        return LoweredIndex._make(
            (False, False, 1 << T_EXACT, local.off, local.items, *columns, _NO_INTS, _NO_LENS, _NO_LENS,
             *_NOTHING_BUT_STRINGS)
        )  # fmt: skip
    if PatchedTable in map(type, _string_tables(vi)):
        # a patched affix index (affixes are all it holds: `_Live.patch_affixes`): strings go
        # to Python's probe, so a change lowers nothing of its 100,000 keys
        return LoweredIndex._make(
            (True, bool(vi.needs_fold), 0, _NO_LISTS, _NO_INTS, b"", _NO_INTS, _NO_INTS, _NO_LENS, _NO_LENS,
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
    if vi.num_keys is not None and vi.num_tree is None:  # a tree: numbers go to Python's probe
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
        wildcard, ab_wildcard, vi.num_tree is not None,
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
