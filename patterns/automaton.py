"""The published tables of the decision automaton: data only, the contract the walkers read.

The design (a picture, the invariants, why this shape) is docs/automaton.md. In short: the
branches of every rule, their conditions in one fixed order, form a trie whose edges read one
event field each; the edges leaving one state on one field are merged into one `ValueIndex`.
One published state of that automaton is a `Tables`: per state its rule ids, edges and absence
edges, the int lists its value indexes name, and the field-name tables (`path_ids`, `path_names`,
`prefixes`). `Tables.flat` gives them as flat integer arrays (`FlatTables`), for inspection.
Each value index also carries its lowered form (`LoweredIndex`): the same structures as the
columns a C walker copies (local lists, UTF-8 keys, u64 key halves, flat DFA rows), made by the
writer once, so that no reader lowers the tables again.

Writer: `patterns.compiler`, and nothing else (pure Python: the one source of truth for the
semantics). Readers: the reference walker (`patterns.walk`) and the twin that made a snapshot
(`Tables.twin`: its compiled states `csteps`); `patterns.engine` decides which road answers.
Published tables are never written: `Tables` states the concurrency contract (and the two
tables that grow append-only).
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

__all__ = [
    "AFFIX_TAGS",
    "N_TAGS",
    "STRING_TAGS",
    "T_AB_FOLDED",
    "T_AB_PREFIX",
    "T_AB_STR",
    "T_AB_SUFFIX",
    "T_EXACT",
    "T_FOLDED",
    "T_PREFIX",
    "T_PREFIX_CI",
    "T_SUFFIX",
    "T_SUFFIX_CI",
    "FlatTables",
    "LoweredDFA",
    "LoweredIndex",
    "NumberLevel",
    "PatchedTable",
    "RangesBeside",
    "Tables",
    "ValueIndex",
    "live_entries",
]


class ValueIndex:
    """Every matcher of the edges leaving one state on one field, merged by kind.

    Values are list ids (see `Tables`): the target states a hit sends the walk to; for the
    ``ab_*`` exclusion structures, the anything-but operands a hit excludes. A field is None
    when no matcher of its kind is present, so the walk tests one attribute per absent kind.

        exact      # HASH  event string -> list id
        exact_only `exact` when it is the only structure (the common case the walk inlines);
                   for a large one changed since it was laid out, a `PatchedTable` (its base
                   dict shared with the index it patches, the changed keys in its overlay)
        patches    that patched index's base: the `ValueIndex` laid out whole, whose `cwalk`
                   the compiled walk probes for a key the overlay does not hold; else None
        ip_exact   # HASH  (IP version, address) -> list id, for the exact strings that are IP
                   addresses: they match the address in any textual form (event-ruler compiles
                   them to one-address ranges)
        folded     # HASH  casefolded string -> list id (equals-ignore-case)
        prefix*/suffix*  # HASH  affix -> list id; *_lens: array of the distinct lengths, ascending
        literal    array [false, true, null] -> list id or -1
        num_keys   array('Q') sorted order-preserving keys of every bound (`number_key`)
        num_slots  array 2n+1 slots -> list id or -1 (slot 2i: the gap below key i; 2i+1: key i)
        num_tree   in place of num_slots when nested ranges would make the slots' lists
                   quadratic (`> 1`, `> 2`, ... on one field: slot i holds i targets): the
                   slots as the leaves of a segment tree, 2P list ids or -1 (P: a power of
                   two >= 2n+1 and >= PAGE / 2; node j's children 2j, 2j+1; slot s is leaf
                   P + s) in a `Paged` of 'q' arrays, so that a change copies the pages of
                   the nodes it edits (`compiler._Live.patch_numbers`), not the tree; each
                   range is held by the O(log n) nodes that cover it, and a value's targets
                   are the lists on its leaf's path to the root (`walk.tree_hits`)
        num_extra  beside num_tree: ranges added since the tree was built whose bounds are no
                   keys of it (`RangesBeside`): the newest tested one by one, the others in
                   levels of static trees (`NumberLevel`); None for none
        cidr4_*    the same over IPv4 address ints; cidr6_* over IPv6 (Python ints: 128 bits;
                   `lowered` splits them into two u64 columns)
        wildcard   `WildcardDFA` whose payloads are list ids
        exists     list id for any present value, or -1
        exists_value  list id for any present value but null and "" (SNS bodies), or -1
        ab_lists   array: anything-but operand i -> list id of its targets
        ab_str, ab_num, ab_folded, ab_prefix, ab_suffix  # HASH -> list id of excluded operands
        ab_wildcard  `WildcardDFA` whose payloads are operand numbers
        lowered    all of the above as the compiled walker reads it (`LoweredIndex`), made by the
                   writer with the index (`patterns.lower`) for a twin that reads it
                   (`reads_lowered`), else None; the reference walker never reads it, and a
                   twin with states of its own drops it once `cwalk` is made
        walk       the reference walker's probe of this index (`walk.probe_of`): on the pure
                   twin made by the writer before the index is published; on the compiled
                   twin made on first use (a value its `CIndex` leaves to Python, or the
                   fallback road), by any thread: a cache of an equal value, one reference
                   store (as `Tables.flat` fills its own); None until then
        cwalk      what the compiled walk probes (`_match_c.compile_state`: its `CIndex`,
                   copied from `lowered`, which the writer then drops), set once by the writer
                   before the index is published

    Immutable once published: a change that alters one (state, field) builds a new index for it.
    """

    __slots__ = (
        "ab_folded", "ab_lists", "ab_num", "ab_prefix", "ab_prefix_lens", "ab_str", "ab_suffix",
        "ab_suffix_lens", "ab_wildcard", "cidr4_keys", "cidr4_slots", "cidr6_keys", "cidr6_slots",
        "cwalk", "exact", "exact_only", "exists", "exists_value", "folded", "ip_exact", "literal", "lowered",
        "needs_fold", "num_extra", "num_keys", "num_slots", "num_tree", "patches", "prefix", "prefix_ci", "prefix_ci_lens", "prefix_lens", "suffix",
        "suffix_ci", "suffix_ci_lens", "suffix_lens", "walk", "wildcard",
    )  # fmt: skip

    # (the slots' types, for checkers: `__init__` sets them all in one chained store)
    ab_folded: Any
    ab_lists: Any
    ab_num: Any
    ab_prefix: Any
    ab_prefix_lens: Any
    ab_str: Any
    ab_suffix: Any
    ab_suffix_lens: Any
    ab_wildcard: Any
    cidr4_keys: Any
    cidr4_slots: Any
    cidr6_keys: Any
    cidr6_slots: Any
    cwalk: Any
    exact: Any
    exact_only: Any
    folded: Any
    ip_exact: Any
    literal: Any
    lowered: LoweredIndex | None
    num_extra: Any
    num_keys: Any
    num_slots: Any
    num_tree: Any
    patches: Any
    prefix: Any
    prefix_ci: Any
    prefix_ci_lens: Any
    prefix_lens: Any
    suffix: Any
    suffix_ci: Any
    suffix_ci_lens: Any
    suffix_lens: Any
    walk: Any
    wildcard: Any

    def __init__(self) -> None:
        # one chained store (not a setattr per slot): the writer makes one index per (state,
        # field), 8,000 of them for 10,000 tenant rules, and the loop was a tenth of a layout
        self.ab_folded = self.ab_lists = self.ab_num = self.ab_prefix = self.ab_prefix_lens = None
        self.ab_str = self.ab_suffix = self.ab_suffix_lens = self.ab_wildcard = None
        self.cidr4_keys = self.cidr4_slots = self.cidr6_keys = self.cidr6_slots = self.cwalk = None
        self.exact = self.exact_only = self.folded = self.ip_exact = self.literal = self.lowered = None
        self.num_extra = self.num_keys = self.num_slots = self.num_tree = self.patches = self.prefix = None
        self.prefix_ci = self.prefix_ci_lens = self.prefix_lens = self.suffix = self.suffix_ci = None
        self.suffix_ci_lens = self.suffix_lens = self.walk = self.wildcard = None
        self.exists = -1
        self.exists_value = -1
        self.needs_fold = False


#: A per-state column of published tables is kept in pages of `PAGE` items (`Paged`): a change
#: copies the page directory and the pages it writes, not the column. The compiled walk reads
#: the pages itself (`src_ext/_shared.pxi` restates the number and checks it).
PAGE_BITS = 10
PAGE = 1 << PAGE_BITS
PAGE_MASK = PAGE - 1


class Paged(Sequence[Any]):
    """A published per-state column (`Tables.csteps`, `Tables.state_parent`), or a number
    index's segment tree (`ValueIndex.num_tree`), in pages.

        pages  the directory: page p holds items p * PAGE .. p * PAGE + PAGE - 1 (a list, or an
               `array` for ints), every page full length (the last one's tail unused)
        n      the number of items

    Item i is ``pages[i >> PAGE_BITS][i & PAGE_MASK]``. Immutable once published: the writer
    (`compiler._Column`, `compiler._Live.patch_numbers`) copies a page before it writes it and
    the directory before it changes it, so a snapshot shares every page a change did not touch
    with the one before.
    """

    __slots__ = ("n", "pages")

    def __init__(self, pages: list[Any], n: int) -> None:
        self.pages = pages
        self.n = n

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i: Any) -> Any:
        if type(i) is not int:
            return list(self)[i]
        if i < 0:
            i += self.n
        if not 0 <= i < self.n:
            raise IndexError(i)
        return self.pages[i >> PAGE_BITS][i & PAGE_MASK]

    def __iter__(self) -> Iterator[Any]:
        left = self.n
        for page in self.pages:
            if left <= 0:
                return
            yield from page[: min(left, PAGE)]
            left -= PAGE


class NumberLevel(NamedTuple):
    """One static segment tree of ranges beside a number tree (`RangesBeside.levels`).

        keys     array('Q'): the sorted distinct bound keys of its ranges (as `num_keys`)
        tree     its slots' segment tree, as `ValueIndex.num_tree` (a `Paged` of nodes)
        entries  its ranges as built: (low key, inclusive, high key, inclusive, list id of the
                 one target, first node of the range's cover); a removed target leaves every
                 node of its tree but stays here (`live_entries`) until the level is merged

    Immutable once published: a change that removes a target edits copies of the pages it
    touches (`compiler._Live.patch_numbers`); the tree never gains a target after it is built.
    """

    keys: array
    tree: Paged
    entries: tuple[tuple[Any, ...], ...]


def live_entries(level: NumberLevel, lists: Sequence[tuple[int, ...]]) -> list[tuple[Any, ...]]:
    """The entries of a level whose target is still in its tree (removed ones leave the tree,
    and only its tree: its entries are a tuple kept as built).

    Args:
        level: the level.
        lists: list id -> its items (the machine's lists).

    Returns:
        Its live entries, in order.
    """
    pages = level.tree.pages
    out = []
    for entry in level.entries:
        node = entry[5]
        held = pages[node >> PAGE_BITS][node & PAGE_MASK]
        target = lists[entry[4]][0]
        if type(held) is int:
            if held >= 0 and target in lists[held]:
                out.append(entry)
        elif any(target in lists[k] for k in held):
            out.append(entry)
    return out


class RangesBeside:
    """The ranges a number tree holds beside it (`ValueIndex.num_extra`): those added since the
    tree was built whose bounds are no keys of it.

        loose   (low key, inclusive, high key, inclusive, list id): the newest, tested one by
                one (`walk.extra_hits`); at most `compiler._EXTRA_RANGES`
        levels  `NumberLevel`s: static segment trees of earlier loose ranges, merged as a
                binary counter merges (the loose ones and every level no larger than what is
                merged so far become one level), so a range is merged O(log n) times
        lists   the machine's lists (list id -> items), to tell a level's live entries

    Why levels and not one tree: a new bound is no slot of the tree, and rebuilding the tree
    (O(n log n): a second at 20,000 ranges) every few changes made a change cost O(n) on
    average; the levels are rebuilt in proportion to their size, and the tree itself only once
    they hold as many ranges as it has keys (amortised O(log n) a change). Iterating gives the
    live ranges as `loose` holds them (what `patterns.describe` draws). Immutable once
    published (a change makes a new one).
    """

    __slots__ = ("levels", "lists", "loose")

    def __init__(
        self,
        loose: tuple[tuple[Any, ...], ...],
        levels: tuple[NumberLevel, ...],
        lists: Sequence[tuple[int, ...]],
    ) -> None:
        self.loose = loose
        self.levels = levels
        self.lists = lists

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        yield from self.loose
        for level in self.levels:
            yield from (entry[:5] for entry in live_entries(level, self.lists))


class PatchedTable(Mapping):
    """A published string table (affix or exact string -> list id) and the changes made to it
    since it was built.

        base  the table as built: a dict shared, never written, by every snapshot since
        over  the keys changed since: key -> its list id now, or -1 (gone); small (the writer
              rebuilds the index past `compiler._OVERLAY_MAX` of them)

    A change to a field of 100,000 prefixes copies `over`, not the 100,000 keys (nor lowers
    them again: an affix index holding one is probed by Python, `LoweredIndex.str_python`; an
    exact one lowers its overlay alone, and its `CIndex` looks a key up there first, then in
    the base's, `ValueIndex.patches`). Read as a `Mapping`; immutable once published.
    """

    __slots__ = ("base", "over")

    def __init__(self, base: dict[str, int], over: dict[str, int]) -> None:
        self.base = base
        self.over = over

    def get(self, key: Any, default: Any = None) -> Any:
        k = self.over.get(key)
        if k is None:
            return self.base.get(key, default)
        return default if k < 0 else k

    def __getitem__(self, key: Any) -> int:
        k = self.get(key)
        if k is None:
            raise KeyError(key)
        return k

    def __iter__(self) -> Iterator[str]:
        over = self.over
        yield from (key for key in self.base if key not in over)
        yield from (key for key, k in over.items() if k >= 0)

    def __len__(self) -> int:
        return sum(1 for _ in self)


# --- The lowered form of a value index -----------------------------------------------------------
#
# Tags of the string structures. A `LoweredIndex` keeps the keys of all its string structures in
# one table, each key with its structure's tag, so that equal keys of two structures stay apart;
# the compiled twin's C enum of the same names (src_ext) is checked against these when it loads.
# 0 is not a tag.
T_EXACT = 1
T_FOLDED = 2
T_PREFIX = 3
T_SUFFIX = 4
T_PREFIX_CI = 5
T_SUFFIX_CI = 6
T_AB_STR = 7
T_AB_FOLDED = 8
T_AB_PREFIX = 9
T_AB_SUFFIX = 10
N_TAGS = 11  # one past the last tag: the length of the per-tag columns
#: The reference of a key an exact index's overlay removed (`PatchedTable.over`'s -1, lowered):
#: the lookup answers no list, and does not go on to the base's table. INT32_MIN: no list
#: reference is that low (a list of one item is -2 - its state).
GONE = -(2**31)

#: (tag, `ValueIndex` slot) of every string structure, in the order their keys are lowered.
STRING_TAGS = (
    (T_EXACT, "exact"), (T_FOLDED, "folded"), (T_PREFIX, "prefix"), (T_SUFFIX, "suffix"),
    (T_PREFIX_CI, "prefix_ci"), (T_SUFFIX_CI, "suffix_ci"), (T_AB_STR, "ab_str"),
    (T_AB_FOLDED, "ab_folded"), (T_AB_PREFIX, "ab_prefix"), (T_AB_SUFFIX, "ab_suffix"),
)  # fmt: skip
#: The tags whose keys a value's start or end is compared with (their key lengths are kept).
AFFIX_TAGS = frozenset({T_PREFIX, T_SUFFIX, T_PREFIX_CI, T_SUFFIX_CI, T_AB_PREFIX, T_AB_SUFFIX})


class LoweredDFA(NamedTuple):
    """One built `WildcardDFA` as flat rows: what the compiled walker steps through.

        state s   other[s]                    next state on a code point not in its row, or -1
                  mv_off[s]..mv_off[s + 1]    -> mv_cp, mv_next: its moves, sorted by code
                                                 point (bisected); moves on a lone surrogate
                                                 are left out (no UTF-8 value holds one)
                  acc_off[s]..acc_off[s + 1]  -> acc: its accepting payloads, each as the
                                                 owning `LoweredIndex` names it (see there)

    Invariants: len(other) states (0: no operands, nothing accepted); mv_off and acc_off have
    one entry more; every int column is an `array('q')`. Why rows and not a table per state: up
    to `MAX_STATES` states whose rows are short (the characters some literal position names),
    so a bisect of a few entries costs about what a table read does, at a fraction of the memory.
    """

    other: array
    mv_off: array
    mv_cp: array
    mv_next: array
    acc_off: array
    acc: array


class LoweredIndex(NamedTuple):
    """One `ValueIndex` lowered once by the writer: the columns a compiled walker copies as they are.

    A *reference* is what one hit contributes, resolved against the machine's lists when the
    index is made (lists are interned and never rewritten, so this stays true):

        j >= 0     local list j: list_items[list_off[j]:list_off[j + 1]], the ints of one list
                   id of the machine, each distinct list id the index names copied once, in the
                   order the columns below first name it
        j <= -2    a list of one item (most: one target state), the item -2 - j, kept in place
        -1         no list

    Fields, each the lowering of the `ValueIndex` structure of the same name:

        str_python   a string value needs the Python probe: a wildcard automaton over its
                     budget (`WildcardDFA.is_dfa` false), tested operand by operand
        needs_fold   some structure reads the casefolded string (`ValueIndex.needs_fold`)
        tags         bit t set when the string structure of tag t (`STRING_TAGS`) is present
        list_off, list_items    the local lists (see above); list_off has one entry more
        key_data, entries   every string key: entries[3i:3i + 3] is key i's (tag, length
                     in bytes, reference), its UTF-8 bytes the next `length` bytes of key_data
                     (the keys joined, in order). Keys in `STRING_TAGS` order, each structure's
                     in its dict's order; keys with a lone surrogate are left out (no UTF-8
                     value holds one)
        lens         per affix tag t, lens[lens_start[t]:lens_end[t]]: the distinct key lengths
                     in UTF-8 *bytes*, ascending (lens_start, lens_end: N_TAGS entries, 0 for
                     any other tag)
        num_keys, num_slots     `num_keys` itself (u64), and its 2n+1 slots as references
                     (both empty when the index has no numbers)
        abnum_keys, abnum_refs  the anything-but numbers as sorted `number_key`s (NaN left out:
                     it equals no number) and the exclusion list of each
        literal      [false, true, null] -> reference
        exists, exists_value    references
        ab_refs      anything-but operand i -> the reference of its targets; None: no
                     anything-but in the index
        has_ip       an IP structure is present (`ip_exact`, `cidr4_*` or `cidr6_*`): a string
                     value is parsed as an address
        ip4_keys, ip4_refs      the IPv4 addresses of `ip_exact`, sorted, and their references
        ip6_hi, ip6_lo, ip6_refs    its IPv6 addresses as two u64 columns (high and low
                     halves), sorted, and their references
        cidr4_keys, cidr4_refs  `cidr4_keys` (u64) and its slots as references; None: absent
        cidr6_hi, cidr6_lo, cidr6_refs  `cidr6_keys` split into halves, its slots as
                     references; None: absent
        wildcard     `wildcard` as a `LoweredDFA` whose payloads are references; None when
                     absent or not built (then `str_python`)
        ab_wildcard  `ab_wildcard` likewise, its payloads the operand numbers themselves
        num_python   a number needs the Python probe: the index keeps its numbers as a
                     segment tree (`num_tree`), not lowered (num_keys then empty)

    Every int column is an `array`: 'Q' for u64 keys and halves, 'q' for the rest. Immutable:
    made before the index is published, never written after (the empty columns of absent
    structures are shared between records), read by any thread. A named tuple and not a frozen
    dataclass: the writer makes one per value index, and a tuple is built five times faster
    (and, holding no container, is not tracked by the garbage collector once it has seen it).
    """

    str_python: bool
    needs_fold: bool
    tags: int
    list_off: array
    list_items: array
    key_data: bytes
    entries: array
    lens: array
    lens_start: array
    lens_end: array
    num_keys: array
    num_slots: array
    abnum_keys: array
    abnum_refs: array
    literal: array
    exists: int
    exists_value: int
    ab_refs: array | None
    has_ip: bool
    ip4_keys: array
    ip4_refs: array
    ip6_hi: array
    ip6_lo: array
    ip6_refs: array
    cidr4_keys: array | None
    cidr4_refs: array | None
    cidr6_hi: array | None
    cidr6_lo: array | None
    cidr6_refs: array | None
    wildcard: LoweredDFA | None
    ab_wildcard: LoweredDFA | None
    num_python: bool


@dataclass(frozen=True, slots=True, eq=False)
class FlatTables:
    """The automaton of one `Tables` snapshot as flat integer arrays: a form for inspection.

        state s   state_has[s]                   bits: 1 terminal, 2 any edge, 4 absence edges
                                                 (one test per state skips what it lacks)
                  state_parent[s]                the state whose edge leads to s (-1 for 0 and
                                                 for a free id): its conditions, read back for
                                                 array consistency
                  term_off[s]..term_off[s+1]     -> term_rules          rule ids ending at s
                  edge_off[s]..edge_off[s+1]     -> edge_path, edge_vix  field, its ValueIndex
                  absent_off[s]..absent_off[s+1] -> absent_path, absent_list  exists:false edges
        list k    list_off[k]..list_off[k+1]     -> list_items          ints (states or operands)

    Invariants: state 0 is the start; ids are those of the snapshot it was made from, so a free
    state id is a state with nothing (state_has 0), and a dead list (named by no live state) is
    still there; every int array is an `array` of machine integers. Made on demand by
    `Tables.flat`, never written after.
    """

    state_has: array
    state_parent: array
    term_off: array
    term_rules: array
    edge_off: array
    edge_path: array
    edge_vix: array
    absent_off: array
    absent_path: array
    absent_list: array
    list_off: array
    list_items: array
    indexes: tuple[ValueIndex, ...]


@dataclass(frozen=True, slots=True, eq=False)
class Tables:
    """One published, immutable state of a machine: what a match reads, and nothing else.

        state s   walk[0][s]       the walker's entry (`walk.prepare`): rule ids ending at s,
                                   edges (path id, ..., ValueIndex), one per field read,
                                   exists:false edges (path id, list id); None for a free id
                                   (no edge leads there). A list on the pure twin; on a twin
                                   with states of its own (`csteps`), a `walk.StateEntries`
                                   that makes each entry from them when read
                  state_parent[s]  the state whose edge leads to s (-1 for 0 and free ids): a
                                   `Paged` column of ints; a change copies the pages it writes
        list k    walk[1][k]       the tuple of ints of list k (states or operands), k below
                                   `lists_used`
        walk                       (steps, targets): what the live walker reads

    Invariants: state 0 is the start; a rule id in a state's rule ids has its name in `names`;
    every state and list id named by a live state is live.

    Concurrency: shared by every thread that matches; `state_parent`, `steps`, the
    value indexes and every tuple are never written after publication. Two tables grow in place,
    append-only, and are shared by the snapshots of one compaction cycle: the lists (`indexes.Lists`)
    and `names`. A snapshot reads only the list ids its own states name and the rule ids its
    own states end, and neither is ever rewritten or reused, so what it reads never changes. Any
    thread may fill `_flat`, the cache of `flat()` (one reference store of an equal value).
    A change publishes a new `Tables` sharing what it did not touch (value indexes, per-state
    tuples, lists) with the one before.
    """

    state_parent: Paged  # of ints (its pages are arrays)
    walk: tuple[Any, list]  # (a list, or `walk.StateEntries`, of entries; the lists)
    any_absent: bool  # some state has an exists:false edge (the walk's array phase needs contexts)
    path_ids: dict[str, int]  # HASH: rule path -> path id
    path_names: tuple[str, ...]  # path id -> rule path
    prefixes: frozenset[str]  # every rule path and each of its dotted prefixes
    names: dict[int, str]  # rule id -> name
    empty_rules: tuple[int, ...]  # rules with the empty pattern {}: they match every input
    lists_used: int  # the lists of this snapshot: walk[1][:lists_used] (more may follow it)
    scan: Any  # `scan_table(prefixes, path_ids)`: what the byte scanner reads (immutable)
    csteps: Paged  # state id -> the twin's `compile_state` of it (`_match_c.CState`; pure twin: None)
    # (the compiled twin's states are what it walks; its reference entries, walk[0], are made
    # from them on demand)
    twin: Any  # the matcher twin that made these tables, the one that reads them (`engine.Twin`)
    _flat: FlatTables | None = field(default=None, init=False)

    def flat(self) -> FlatTables:
        """This snapshot as flat integer arrays (made on the first call, then cached).

        Returns:
            The `FlatTables` of exactly this snapshot's states and lists, with the same ids.
        """
        flat = self._flat
        if flat is None:
            flat = _flatten_tables(self)
            object.__setattr__(self, "_flat", flat)  # a cache: see the class docstring
        return flat


def _flatten_tables(tables: Tables) -> FlatTables:
    state_has, state_parent = array("b"), array("q", tables.state_parent)
    term_off, term_rules = array("q", [0]), array("q")
    edge_off, edge_path, edge_vix = array("q", [0]), array("q"), array("q")
    absent_off, absent_path, absent_list = array("q", [0]), array("q"), array("q")
    indexes: list[ValueIndex] = []
    for step in tables.walk[0]:  # `walk.prepare` draws what a state's entry holds
        terms, edges, absent = step if step is not None else (None, None, None)
        terms, edges, absent = terms or (), edges or (), absent or ()
        term_rules.extend(terms)
        term_off.append(len(term_rules))
        for path_id, _, _, vi in edges:
            edge_path.append(path_id)
            edge_vix.append(len(indexes))
            indexes.append(vi)
        edge_off.append(len(edge_path))
        for path_id, k in absent:
            absent_path.append(path_id)
            absent_list.append(k)
        absent_off.append(len(absent_path))
        state_has.append((1 if terms else 0) | (2 if edges or absent else 0) | (4 if absent else 0))
    list_off, list_items = array("q", [0]), array("q")
    lists = tables.walk[1]
    for k in range(tables.lists_used):
        list_items.extend(lists[k])
        list_off.append(len(list_items))
    return FlatTables(
        state_has, state_parent, term_off, term_rules, edge_off, edge_path, edge_vix, absent_off, absent_path,
        absent_list, list_off, list_items, tuple(indexes),
    )  # fmt: skip
