"""The published tables of the decision automaton: data only, the contract the walkers read.

The design (a picture, the invariants, why this shape) is docs/automaton.md. In short: the
branches of every rule, their conditions in one fixed order, form a trie whose edges read one
event field each; the edges leaving one state on one field are merged into one `ValueIndex`.
One published state of that automaton is a `Tables`: per state its rule ids, edges and absence
edges, the int lists its value indexes name, and the field-name tables (`path_ids`, `path_names`,
`prefixes`). `Tables.flat` gives them as flat integer arrays (`FlatTables`), for inspection.

Writer: `patterns.compiler`, and nothing else (pure Python: the one source of truth for the
semantics). Readers: the reference walker (`patterns.walk`) and the twin that made a snapshot
(`Tables.twin`: its compiled states `csteps`); `patterns.engine` decides which road answers.
Published tables are never written: `Tables` states the concurrency contract (and the two
tables that grow append-only).
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass, field
from typing import Any

__all__ = ["FlatTables", "Tables", "ValueIndex"]


class ValueIndex:
    """Every matcher of the edges leaving one state on one field, merged by kind.

    Values are list ids (see `Tables`): the target states a hit sends the walk to; for the
    ``ab_*`` exclusion structures, the anything-but operands a hit excludes. A field is None
    when no matcher of its kind is present, so the walk tests one attribute per absent kind.

        exact      # HASH  event string -> list id
        exact_only `exact` when it is the only structure (the common case the walk inlines)
        ip_exact   # HASH  (IP version, address) -> list id, for the exact strings that are IP
                   addresses: they match the address in any textual form (event-ruler compiles
                   them to one-address ranges)
        folded     # HASH  casefolded string -> list id (equals-ignore-case)
        prefix*/suffix*  # HASH  affix -> list id; *_lens: array of the distinct lengths, ascending
        literal    array [false, true, null] -> list id or -1
        num_keys   array('Q') sorted order-preserving keys of every bound (`number_key`)
        num_slots  array 2n+1 slots -> list id or -1 (slot 2i: the gap below key i; 2i+1: key i)
        cidr4_*    the same over IPv4 address ints; cidr6_* over IPv6 (Python ints: 128 bits;
                   a C walker splits them into two u64 columns)
        wildcard   `WildcardDFA` whose payloads are list ids
        exists     list id for any present value, or -1
        exists_value  list id for any present value but null and "" (SNS bodies), or -1
        ab_lists   array: anything-but operand i -> list id of its targets
        ab_str, ab_num, ab_folded, ab_prefix, ab_suffix  # HASH -> list id of excluded operands
        ab_wildcard  `WildcardDFA` whose payloads are operand numbers
        walk       what the live walker made of this index (`walk.prepare`: its probe), set
                   once by the writer before the index is published; None until then
        cwalk      the same for the compiled walk (`_match_c.compile_state`: its `CIndex`)

    Immutable once published: a change that alters one (state, field) builds a new index for it.
    """

    __slots__ = (
        "ab_folded", "ab_lists", "ab_num", "ab_prefix", "ab_prefix_lens", "ab_str", "ab_suffix",
        "ab_suffix_lens", "ab_wildcard", "cidr4_keys", "cidr4_slots", "cidr6_keys", "cidr6_slots",
        "cwalk", "exact", "exact_only", "exists", "exists_value", "folded", "ip_exact", "literal", "needs_fold",
        "num_keys", "num_slots", "prefix", "prefix_ci", "prefix_ci_lens", "prefix_lens", "suffix",
        "suffix_ci", "suffix_ci_lens", "suffix_lens", "walk", "wildcard",
    )  # fmt: skip

    def __init__(self) -> None:
        for name in self.__slots__:
            setattr(self, name, None)
        self.exists = -1
        self.exists_value = -1
        self.needs_fold = False


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
                                   (no edge leads there)
                  state_parent[s]  the state whose edge leads to s (-1 for 0 and free ids): an
                                   `array`, copied per change as one memcpy
        list k    walk[1][k]       the tuple of ints of list k (states or operands), k below
                                   `lists_used`
        walk                       (steps, targets): what the live walker reads

    Invariants: state 0 is the start; a rule id in a state's rule ids has its name in `names`;
    every state and list id named by a live state is live.

    Concurrency: shared by every thread that matches; `state_parent`, `steps`, the
    value indexes and every tuple are never written after publication. Two tables grow in place,
    append-only, and are shared by the snapshots of one compaction cycle: the lists (`_Lists`)
    and `names`. A snapshot reads only the list ids its own states name and the rule ids its
    own states end, and neither is ever rewritten or reused, so what it reads never changes. Any
    thread may fill `_flat`, the cache of `flat()` (one reference store of an equal value).
    A change publishes a new `Tables` sharing what it did not touch (value indexes, per-state
    tuples, lists) with the one before.
    """

    state_parent: array
    walk: tuple[list, list]
    any_absent: bool  # some state has an exists:false edge (the walk's array phase needs contexts)
    path_ids: dict[str, int]  # HASH: rule path -> path id
    path_names: tuple[str, ...]  # path id -> rule path
    prefixes: frozenset[str]  # every rule path and each of its dotted prefixes
    names: dict[int, str]  # rule id -> name
    empty_rules: tuple[int, ...]  # rules with the empty pattern {}: they match every input
    lists_used: int  # the lists of this snapshot: walk[1][:lists_used] (more may follow it)
    scan: Any  # `scan_table(prefixes, path_ids)`: what the byte scanner reads (immutable)
    csteps: list  # state id -> the twin's `compile_state` of it (`_match_c.CState`; pure twin: its entry)
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
