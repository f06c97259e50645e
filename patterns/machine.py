"""`Machine`: many named rules compiled into one decision automaton, changed while events flow.

The design (a picture, the invariants, why this shape) is docs/design.md section 6. In short:
the branches of every rule, their conditions in one fixed order, form a trie whose edges read one
event field each; the edges leaving one state on one field are merged into one `ValueIndex`.
A builder (`_Node` objects, mutable, under the machine's lock) takes changes; `_freeze` turns it
into flat integer `Tables`, which the walk in `_match_py.run_machine` (and later its Cython twin)
reads.
"""

from __future__ import annotations

import threading
import typing
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from ._match import number_key, prepare, run_machine, select_leaves
from .core import Pattern, PatternSource, compile
from .dialects import Dialect, get_dialect
from .errors import InvalidEventError
from .events import as_double
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
from .wildcard_dfa import WildcardDFA

__all__ = ["Machine"]


# --- Tables -------------------------------------------------------------------------------------


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
    """

    __slots__ = (
        "ab_folded", "ab_lists", "ab_num", "ab_prefix", "ab_prefix_lens", "ab_str", "ab_suffix",
        "ab_suffix_lens", "ab_wildcard", "cidr4_keys", "cidr4_slots", "cidr6_keys", "cidr6_slots",
        "exact", "exact_only", "exists", "exists_value", "folded", "ip_exact", "literal", "needs_fold",
        "num_keys", "num_slots", "prefix", "prefix_ci", "prefix_ci_lens", "prefix_lens", "suffix",
        "suffix_ci", "suffix_ci_lens", "suffix_lens", "wildcard",
    )  # fmt: skip

    def __init__(self) -> None:
        for name in self.__slots__:
            setattr(self, name, None)
        self.exists = -1
        self.exists_value = -1
        self.needs_fold = False


@dataclass(frozen=True, slots=True, eq=False)
class Tables:
    """One published, immutable state of a machine: what a match reads, and nothing else.

        state s   state_has[s]                   bits: 1 terminal, 2 any edge, 4 absence edges
                                                 (one test per state skips what it lacks)
                  state_parent[s]                the state whose edge leads to s (-1 for 0):
                                                 its conditions, read back for array consistency
                  term_off[s]..term_off[s+1]     -> term_rules          rule ids ending at s
                  edge_off[s]..edge_off[s+1]     -> edge_path, edge_vix  field, its ValueIndex
                  absent_off[s]..absent_off[s+1] -> absent_path, absent_list  exists:false edges
        list k    list_off[k]..list_off[k+1]     -> list_items          ints (states or operands)

    Invariants: state 0 is the start; every int array is an `array` of machine integers; a
    rule id in `term_rules` has its name in `names`. Shared by every thread that matches; never
    written after `_freeze` returns.
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
    path_ids: dict[str, int]  # HASH: rule path -> path id
    path_names: tuple[str, ...]  # path id -> rule path
    prefixes: frozenset[str]  # every rule path and each of its dotted prefixes
    names: dict[int, str]  # rule id -> name
    empty_rules: tuple[int, ...]  # rules with the empty pattern {}: they match every input
    # What the live walker prepares from the tables above once, at publish (`_match.prepare`):
    # the pure-Python walker keeps per-state tuples, which it reads far faster than `array`s.
    walk: Any = None

    def run(self, dialect: Dialect, event: Any) -> set[int] | tuple[int, ...]:
        """The ids of the rules matching one input of `dialect` (see `Machine.match`)."""
        decoded, checked = dialect.decode_checked(event)
        if decoded is None:  # the service filters nothing here: only an empty policy lets it by
            return self.empty_rules
        by_path, contexts = select_leaves(decoded, self.prefixes, self.path_ids, checked)
        return run_machine(self, by_path, contexts)


class _Lists:
    """Interns int lists into the flat `list_off` / `list_items` pair."""

    def __init__(self) -> None:
        self.off = array("q", [0])
        self.items = array("q")
        self._ids: dict[tuple[int, ...], int] = {}

    def add(self, items: Iterable[int]) -> int:
        key = tuple(sorted(set(items)))
        k = self._ids.get(key)
        if k is None:
            k = len(self.off) - 1
            self.items.extend(key)
            self.off.append(len(self.items))
            self._ids[key] = k
        return k


def _grouped(pairs: Iterable[tuple[Any, int]], lists: _Lists) -> dict[Any, int]:
    groups: dict[Any, list[int]] = {}
    for key, item in pairs:
        groups.setdefault(key, []).append(item)
    return {key: lists.add(items) for key, items in groups.items()}


def _affix_table(pairs: list[tuple[str, int]], lists: _Lists) -> tuple[dict[str, int], array]:
    table = _grouped(pairs, lists)
    return table, array("q", sorted({len(k) for k in table}))


_Bound = tuple[int | None, bool, int | None, bool]  # (low, inclusive, high, inclusive); None unbounded


def _range_table(ranges: list[tuple[_Bound, int]], lists: _Lists, typecode: str | None) -> tuple[Any, array]:
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


def _value_index(edges: list[tuple[Leaf, int]], lists: _Lists) -> ValueIndex:
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
    return vi


_NOT_STRUCTURES = frozenset({"exact", "exact_only", "exists", "exists_value", "needs_fold"})


def _anything_but(vi: ValueIndex, operands: dict[AnythingBut, list[int]], lists: _Lists) -> None:
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


# --- The builder --------------------------------------------------------------------------------


class _Node:
    """A builder state: children keyed by (path, value list), and the rules ending here.

    `uses` counts the branches passing through the edge into this node, so that removing the
    last of them frees the node. Written only under the machine's lock; never read by a match.
    """

    __slots__ = ("children", "terminal", "uses")

    def __init__(self) -> None:
        self.children: dict[tuple[str, Leaf], _Node] = {}
        self.terminal: dict[int, int] = {}  # rule id -> how many of its branches end here
        self.uses = 0


_EQUALITY = (Equals, NumberEquals, Literal)


def _rank(leaf: Leaf) -> int:
    # Equality lists first: one hash lookup, and usually the most selective, so the walk reads
    # ranges, affixes and anything-but only for rules whose equalities held. Lists that may
    # hold by absence last.
    if all(isinstance(m, _EQUALITY) for m in leaf.matchers):
        return 0
    if any(isinstance(m, Exists) and not m.value for m in leaf.matchers):
        return 2
    return 1


def _sorted_branch(branch: Branch) -> list[tuple[str, Leaf]]:
    """A branch's conditions in the one order every branch follows: (rank, depth, path).

    Depth (the dots in the path) puts envelope fields (`source`, `detail-type`) before the
    `detail.*` fields of one rank: they name what a rule routes, so reading them first keeps
    the walk to the rules that can still match (measured in docs/design.md section 6).
    """
    return sorted(
        ((c.path, c.leaf) for c in branch), key=lambda pair: (_rank(pair[1]), pair[0].count("."), pair[0])
    )


def _insert(root: _Node, rule_id: int, branches: tuple[Branch, ...]) -> None:
    for branch in branches:
        node = root
        for key in _sorted_branch(branch):
            child = node.children.get(key)
            if child is None:
                child = node.children[key] = _Node()
            child.uses += 1
            node = child
        node.terminal[rule_id] = node.terminal.get(rule_id, 0) + 1


def _delete(root: _Node, rule_id: int, branches: tuple[Branch, ...]) -> None:
    for branch in branches:
        node = root
        for key in _sorted_branch(branch):
            child = node.children[key]
            child.uses -= 1
            if child.uses == 0:
                del node.children[key]  # and with it every node below, used by this branch alone
            node = child
        left = node.terminal[rule_id] - 1
        if left:
            node.terminal[rule_id] = left
        else:
            del node.terminal[rule_id]


def _freeze(root: _Node, names: dict[int, str], empty_rules: tuple[int, ...]) -> Tables:
    """Lay the builder's trie out as flat tables (breadth first; state 0 is the root)."""
    state_has, state_parent = array("b"), array("q", [-1])
    term_off, term_rules = array("q", [0]), array("q")
    edge_off, edge_path, edge_vix = array("q", [0]), array("q"), array("q")
    absent_off, absent_path, absent_list = array("q", [0]), array("q"), array("q")
    lists = _Lists()
    indexes: list[ValueIndex] = []
    path_ids: dict[str, int] = {}
    order = [root]
    i = 0
    while i < len(order):
        node = order[i]
        i += 1
        term_rules.extend(sorted(node.terminal))
        term_off.append(len(term_rules))
        by_path: dict[str, list[tuple[Leaf, int]]] = {}
        absent: dict[str, list[int]] = {}
        for (path, leaf), child in node.children.items():
            target = len(order)
            order.append(child)
            state_parent.append(i - 1)
            by_path.setdefault(path, []).append((leaf, target))
            if any(isinstance(m, Exists) and not m.value for m in leaf.matchers):
                absent.setdefault(path, []).append(target)
        for path, edges in by_path.items():
            pid = path_ids.setdefault(path, len(path_ids))
            edge_path.append(pid)
            edge_vix.append(len(indexes))
            indexes.append(_value_index(edges, lists))
        edge_off.append(len(edge_path))
        for path, targets in absent.items():
            absent_path.append(path_ids[path])
            absent_list.append(lists.add(targets))
        absent_off.append(len(absent_path))
        state_has.append((1 if node.terminal else 0) | (2 if by_path or absent else 0) | (4 if absent else 0))
    prefixes = {""}
    for path in path_ids:
        prefixes.add(path)
        prefixes.update(path[:j] for j, ch in enumerate(path) if ch == ".")
    tables = Tables(
        state_has, state_parent, term_off, term_rules, edge_off, edge_path, edge_vix, absent_off, absent_path, absent_list,
        lists.off, lists.items, tuple(indexes), path_ids, tuple(path_ids), frozenset(prefixes), dict(names), empty_rules,
    )  # fmt: skip
    object.__setattr__(tables, "walk", prepare(tables))  # before publication: still private here
    return tables


def one_rule_tables(pattern: Pattern) -> Tables:
    """The automaton of one pattern alone (rule id 0), as `Pattern.matches` runs it."""
    root = _Node()
    _insert(root, 0, pattern.branches)
    empty = (0,) if not (pattern.model.fields or pattern.model.ors) else ()
    return _freeze(root, {0: ""}, empty)


# --- The public machine -------------------------------------------------------------------------


class Machine:
    """Named rules of one dialect, compiled into one automaton: which rules match this event?

        m = Machine(dialect="eventbridge")
        m.add("ec2-stopped", '{"source": ["aws.ec2"], "detail": {"state": ["stopped"]}}')
        m.match(event_bytes)   # -> ["ec2-stopped"]

    Results list rule names in the order the names were first added (replacing a rule keeps
    its place). Per-event cost depends on the event and on the rules that can still match, not
    on the number of rules (docs/design.md section 6).

    Concurrency contract: any number of threads may call `match`, `match_many`, `len`, `in` and
    iterate while other threads call `add` and `remove`. Changes are serialised by one lock and
    edit the builder only; the published `Tables` are immutable. A match reads them with one
    attribute load, so it sees the rule set as it was before a change or as it is after it,
    never part of one; a match that starts after `add` or `remove` returned sees the change.

    Cost model: `add` and `remove` cost O(size of the pattern) (plus validation for `add`). The
    first match after one or more changes rebuilds the tables from the builder, O(size of the
    automaton), holding the lock, so a burst of changes is paid for once; matches in other
    threads either wait for that rebuild or, if they loaded the tables earlier, finish on them.
    """

    def __init__(self, dialect: str | Dialect = "eventbridge") -> None:
        """Create an empty machine.

        Args:
            dialect: the dialect every rule is validated against and every event read as.

        Raises:
            ValueError: unknown dialect name.
        """
        self.dialect: Dialect = get_dialect(dialect)
        self._lock = threading.Lock()
        self._root = _Node()
        self._rules: dict[str, tuple[int, Pattern]] = {}  # name -> (rule id, pattern); insertion order
        self._next_id = 0
        self._tables: Tables | None = None

    # -- changes --

    def add(self, name: str, pattern: PatternSource | Pattern) -> None:
        """Validate a pattern and add it as rule `name`; a rule already of that name is replaced.

        Args:
            name: the rule's name, returned by `match`.
            pattern: JSON text, UTF-8 bytes, a decoded dict, or a `Pattern` of this dialect.

        Raises:
            InvalidPatternError: AWS would reject the pattern (exactly as `patterns.compile`).
            ValueError: a `Pattern` of another dialect.
        """
        if isinstance(pattern, Pattern):
            if pattern.dialect.name != self.dialect.name:
                raise ValueError(
                    f"Expected a pattern of dialect `{self.dialect.name}`, got `{pattern.dialect.name}`"
                )
            compiled = pattern
        else:
            compiled = compile(pattern, dialect=self.dialect)
        with self._lock:
            old = self._rules.get(name)
            if old is None:
                rule_id = self._next_id
                self._next_id += 1
            else:
                rule_id = old[0]
                _delete(self._root, rule_id, old[1].branches)
            _insert(self._root, rule_id, compiled.branches)
            self._rules[name] = (rule_id, compiled)
            self._tables = None

    def remove(self, name: str) -> None:
        """Remove rule `name`, freeing what only it used.

        Args:
            name: the rule's name.

        Raises:
            KeyError: no rule of that name.
        """
        with self._lock:
            rule_id, pattern = self._rules.pop(name)
            _delete(self._root, rule_id, pattern.branches)
            self._tables = None

    # -- reading --

    def __len__(self) -> int:
        return len(self._rules)

    def __contains__(self, name: object) -> bool:
        return name in self._rules

    def __iter__(self) -> Iterator[str]:
        with self._lock:
            names = list(self._rules)
        return iter(names)

    def __getitem__(self, name: str) -> Pattern:
        """The `Pattern` of rule `name` (KeyError when there is none)."""
        return self._rules[name][1]

    def __repr__(self) -> str:
        return f"Machine(dialect={self.dialect.name!r}, rules={len(self._rules)})"

    def _current(self) -> Tables:
        tables = self._tables
        if tables is None:
            with self._lock:
                tables = self._tables
                if tables is None:
                    names = {rid: name for name, (rid, _) in self._rules.items()}
                    empty = tuple(
                        sorted(rid for rid, p in self._rules.values() if not (p.model.fields or p.model.ors))
                    )
                    tables = self._tables = _freeze(self._root, names, empty)
        return tables

    def match(self, event: Any) -> list[str]:
        """The names of every rule that matches an event.

        Args:
            event: as `Pattern.matches` takes it for this dialect (EventBridge: JSON bytes, JSON
                text or a decoded dict).

        Returns:
            The matching rules' names, in the order the names were first added.

        Raises:
            InvalidEventError: as `Pattern.matches` raises it for this event.
        """
        return self._match(self._current(), event)

    def _match(self, tables: Tables, event: Any) -> list[str]:
        found = tables.run(self.dialect, event)
        names = tables.names
        if len(found) == 1:
            return [names[r] for r in found]
        return [names[r] for r in sorted(found)]

    def match_many(
        self, events: Iterable[Any], *, errors: typing.Literal["raise", "yield"] = "raise"
    ) -> Iterator[list[str] | InvalidEventError]:
        """Match events one by one, lazily: one result per event, in order.

        Each event is matched against the rule set in force when its turn comes. A router
        that must not lose the results after a bad event passes ``errors="yield"``:

            for event, result in zip(batch, machine.match_many(batch, errors="yield")):
                if isinstance(result, patterns.InvalidEventError):
                    dead_letter(event, result)
                else:
                    route(event, result)

        Args:
            events: any iterable of events (see `match`).
            errors: ``"raise"`` (the default): an event `match` refuses raises its
                `InvalidEventError` and ends the iteration. ``"yield"``: that error is yielded
                in place of the event's result, and matching goes on with the next event.

        Yields:
            The names of the rules matching each event (or, with ``errors="yield"``, the
            `InvalidEventError` of an event `match` refuses).

        Raises:
            InvalidEventError: with ``errors="raise"``, at the first event `match` refuses.
            ValueError: `errors` is neither ``"raise"`` nor ``"yield"`` (raised at the first
                ``next()``, as for any generator).
        """
        if errors not in ("raise", "yield"):
            raise ValueError(f"Expected `errors` to be `raise` or `yield`, got `{errors}`")
        if errors == "raise":
            for event in events:
                yield self._match(self._current(), event)
            return
        for event in events:
            try:
                yield self._match(self._current(), event)
            except InvalidEventError as exc:
                yield exc

    def __reduce__(self) -> tuple:
        # A machine pickles as its dialect's name and its rules (each `Pattern` pickles as its
        # model: loading validates nothing again); the automaton is rebuilt on the first match.
        with self._lock:
            rules = [(name, pattern) for name, (_, pattern) in self._rules.items()]
        return (_restore_machine, (self.dialect.name, rules))


def _restore_machine(dialect: str, rules: list[tuple[str, Pattern]]) -> Machine:
    machine = Machine(dialect)
    for name, pattern in rules:
        machine.add(name, pattern)
    return machine
