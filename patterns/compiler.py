"""The compiler: the one writer of the published tables (`patterns.automaton`), in pure Python.

The one source of truth for the automaton's semantics (docs/automaton.md). `Builder` is the writer
of one machine: a trie of its rules' branches (`_Node`), laid out as `Tables` by `build`, and
from then on each change publishes new `Tables` made by copy-on-write of the states and value
indexes it touched (`_Live`): each index made by `patterns.indexes.value_index` and, for a twin
that reads them, its columns by `patterns.lower.lower`. `one_rule_tables` is the automaton of one
pattern alone (`Pattern.matches`).
"""

from __future__ import annotations

from array import array
from bisect import bisect_right
from typing import Any

from ._gc import paused
from .automaton import (
    PAGE,
    PAGE_BITS,
    PAGE_MASK,
    NumberLevel,
    Paged,
    PatchedTable,
    RangesBeside,
    Tables,
    ValueIndex,
    live_entries,
)
from .indexes import (
    NOT_STRUCTURES,
    Lists,
    Recorder,
    number_level,
    number_ranges,
    slot_span,
    tree_cover,
    tree_node,
    value_index,
)
from .lower import lower
from .model import (
    Branch,
    Equals,
    Exists,
    Leaf,
    Literal,
    NumberEquals,
    Prefix,
    Suffix,
)
from .netaddr import parse_ip
from .walk import StateEntries, prepare

__all__ = ["Builder", "one_rule_tables"]


# --- The trie -----------------------------------------------------------------------------------


class _Node:
    """A builder state: children keyed by (path, value list), the rules ending here, and what
    was published for it.

    `children` is None until the node has a child, then the child itself while it is the only
    one (its `key` says which), else a dict key -> child (`_child`, `_kids`, `_add_child`,
    `_drop_child`); `terminal` None until a rule ends here, then the rule id itself while one
    branch of one rule ends here, else a dict rule id -> how many of its branches end here
    (`_end`, `_unend`, `_ends`). Most nodes of a many-tenant machine have one child or end one
    rule (a tenant's), and an empty dict is 64 bytes, a dict of one item 184 to 232, where a
    child or a rule id is a reference to an object that exists anyway.

    `uses` counts the branches passing through the edge into this node, so that removing the
    last of them frees the node (the root has none and is never freed). Once the machine has
    published tables, `sid` is this node's state id there (-1 before, and once freed) and
    `index` holds, per field read here, what was published for it (`_Field`): None for no
    field, the one field's entry itself for one (most nodes that read a field read one: a
    dict of one item is 184 bytes), else a dict path -> entry (`_field`, `_fields`,
    `_put_field`, `_pop_field`). Written only under the machine's lock; never read by a match.
    """

    __slots__ = ("children", "index", "key", "sid", "terminal", "uses")

    def __init__(self, key: tuple[str, Leaf]) -> None:
        self.key = key  # (path, value list) of the edge into this node (the root's: `_NO_KEY`)
        self.children: _Node | dict[tuple[str, Leaf], _Node] | None = None
        self.terminal: int | dict[int, int] | None = None  # see the class docstring
        self.uses = 0
        self.sid = -1
        # None until a field is published here: most nodes are leaves, and every dict or tuple
        # less is less for the garbage collector to walk
        self.index: _Field | dict[str, _Field] | None = None


#: What was published for one field read at a node: (path id, `ValueIndex`, the list ids the
#: index holds, the absence list id or -1, the path). The list ids: None when they are exactly
#: the values of its `exact_only` dict (the common index: nothing more to keep), the id itself
#: when it is one list named once (a one-tenant index), a tuple of ids when each is named once,
#: else (id, references) pairs, or a dict of them once a patch edits it in place
#: (`patch_numbers`, `patch_affixes`): `_held_items` reads each form.
_Field = tuple[int, ValueIndex, Any, int, str]


def _field(node: _Node, path: str) -> _Field | None:
    """The entry of `path` at `node`, or None."""
    index = node.index
    if type(index) is tuple:
        return index if index[4] == path else None
    return None if index is None else index.get(path)  # type: ignore[union-attr]


def _fields(node: _Node) -> Any:
    """The entries of every field read at `node`."""
    index = node.index
    if type(index) is tuple:
        return (index,)
    return () if index is None else index.values()  # type: ignore[union-attr]


def _put_field(node: _Node, entry: _Field) -> None:
    """Set the entry of its path at `node` (in place of the one there)."""
    index = node.index
    if index is None or (type(index) is tuple and index[4] == entry[4]):
        node.index = entry
    elif type(index) is tuple:
        node.index = {index[4]: index, entry[4]: entry}
    else:
        index[entry[4]] = entry  # type: ignore[index]


def _pop_field(node: _Node, path: str) -> _Field | None:
    """Remove and return the entry of `path` at `node` (None: there is none)."""
    index = node.index
    if type(index) is tuple:
        if index[4] != path:
            return None
        node.index = None
        return index
    if index is None:
        return None
    entry = index.pop(path, None)  # type: ignore[union-attr]
    if len(index) <= 1:  # type: ignore[arg-type]
        node.index = next(iter(index.values()), None)  # type: ignore[union-attr]
    return entry


def _held(ids: dict[int, int]) -> int | tuple[int, ...] | tuple[tuple[int, int], ...]:
    """The list ids a new index holds (`Recorder.ids`), as its entry keeps them (`_Field`)."""
    if all(times == 1 for times in ids.values()):
        return next(iter(ids)) if len(ids) == 1 else tuple(ids)
    return tuple(ids.items())


def _held_items(ids: Any) -> Any:
    """(list id, references) of each list id an entry keeps (not None)."""
    if type(ids) is int:
        return ((ids, 1),)
    if type(ids) is dict:
        return ids.items()
    return ids if not ids or type(ids[0]) is tuple else ((k, 1) for k in ids)


def _refs(ids: Any) -> dict[int, int]:
    """The list ids an entry keeps (not None), as a dict a patch edits in place."""
    return ids if type(ids) is dict else dict(_held_items(ids))


_NO_KEY: Any = ("", None)  # the root's: no edge leads to it


def _child(node: _Node, key: tuple[str, Leaf]) -> _Node | None:
    """The child of `node` on the edge `key`, or None."""
    kids = node.children
    if type(kids) is _Node:
        return kids if kids.key == key else None
    return None if kids is None else kids.get(key)  # type: ignore[union-attr]


def _kids(node: _Node) -> Any:
    """The children of `node`."""
    kids = node.children
    if type(kids) is _Node:
        return (kids,)
    return () if kids is None else kids.values()  # type: ignore[union-attr]


def _add_child(node: _Node, child: _Node) -> None:
    """Give `node` the child `child` (on its `key`, which `node` has no child on yet)."""
    kids = node.children
    if kids is None:
        node.children = child
    elif type(kids) is _Node:
        node.children = {kids.key: kids, child.key: child}
    else:
        kids[child.key] = child  # type: ignore[index]


def _drop_child(node: _Node, child: _Node) -> None:
    """Take `child` from the children of `node`."""
    kids = node.children
    if type(kids) is _Node:
        node.children = None
        return
    del kids[child.key]  # type: ignore[union-attr]
    if len(kids) == 1:  # type: ignore[arg-type]
        (node.children,) = kids.values()  # type: ignore[union-attr]


def _end(node: _Node, rule_id: int) -> None:
    """One more branch of rule `rule_id` ends at `node`."""
    ends = node.terminal
    if ends is None:
        node.terminal = rule_id
        return
    if not isinstance(ends, dict):
        ends = node.terminal = {ends: 1}
    ends[rule_id] = ends.get(rule_id, 0) + 1


def _unend(node: _Node, rule_id: int) -> None:
    """One branch of rule `rule_id` ending at `node` less."""
    ends = node.terminal
    if not isinstance(ends, dict):
        node.terminal = None  # it was this rule's one branch
        return
    left = ends[rule_id] - 1
    if left:
        ends[rule_id] = left
    else:
        del ends[rule_id]
    if len(ends) == 1:
        ((rule, times),) = ends.items()
        if times == 1:
            node.terminal = rule


def _ending(node: _Node, rule_id: int) -> int:
    """How many branches of rule `rule_id` end at `node`."""
    ends = node.terminal
    if isinstance(ends, dict):
        return ends.get(rule_id, 0)
    return 1 if ends == rule_id and ends is not None else 0


def _ends(node: _Node) -> tuple[int, ...]:
    """The rule ids ending at `node`, ascending."""
    ends = node.terminal
    if ends is None:
        return ()
    if not isinstance(ends, dict):
        return (ends,)
    return tuple(sorted(ends))


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
            child = _child(node, key)
            if child is None:
                child = _Node(key)
                _add_child(node, child)
                if touched is not None:
                    touched.fields.setdefault((node, key[0]), []).append((True, key[1], child))
                    touched.new.append((child, node))
            child.uses += 1
            node = child
        _end(node, rule_id)
        if touched is not None:
            touched.ends.append(node)


def _delete(root: _Node, rule_id: int, branches: tuple[Branch, ...], touched: _Touched | None = None) -> None:
    for branch in branches:
        node = root
        for key in _sorted_branch(branch):
            child = _child(node, key)
            assert child is not None  # the branch was inserted
            child.uses -= 1
            if child.uses == 0:
                _drop_child(node, child)  # and with it every node below, used by this branch alone
                if touched is not None:
                    touched.fields.setdefault((node, key[0]), []).append((False, key[1], child))
                    touched.freed.append(child)
            node = child
        _unend(node, rule_id)
        if touched is not None:
            touched.ends.append(node)


# --- Publication: the writer's side of the tables -----------------------------------------------


class _Live:
    """What the writer keeps of the published tables, to publish the next ones by editing a copy.

        csteps, parents          the per-state lists of the last `Tables` (see there), by state id
        steps                    the reference entries by state id, on the pure twin only (None
                                 on a twin with states of its own: `own_states`)
        free_states              state ids no live state uses (reused first)
        lists                    the interned lists (`Lists`), published as `walk[1]`
        path_ids, path_names     every path some index was built on; path_uses[p] counts the
                                 (state, field) indexes on path p (0: dead, kept until compaction)
        names, empty             rule id -> name (with the names of removed rules, `stale_names`
                                 of them, until compaction); ids of the rules with `{}`

    A change (`apply`) first forks the per-state columns (copy-on-write: the published ones
    belong to readers from then on; `csteps` and `parents` are `_Column`s, copied by page as
    they are written; the pure twin's `steps` a list, copied whole),
    then frees the states of freed nodes, gives ids to new ones, rebuilds (or, for exact-only
    indexes, patches) the value index of each touched (state, field), and redoes the entry of
    each touched state; `publish` wraps the copies in a new `Tables`. Everything else (every
    other state's entry, index, probe and list) is shared with the snapshot before. Lists and
    names only grow (see `Tables`). Written only under the machine's lock.
    """

    __slots__ = (
        "absent_edges", "csteps", "dead_paths", "empty", "empty_rules", "free_states", "lists", "names",
        "own_states", "parents", "path_ids", "path_names", "path_uses", "paths_forked", "prefixes", "published_paths",
        "scan", "stale_names", "steps", "twin",
    )  # fmt: skip

    def __init__(self, names: dict[int, str], empty: set[int], twin: Any) -> None:
        self.twin = twin
        # A twin that keeps states of its own (the compiled one: `compile_state` gives one even
        # for an empty state) walks those, and reads the reference entries only on its rare
        # fallback road: they are made on demand from its states (`walk.StateEntries`), not
        # kept (at 10,000 tenant rules they and their probes were 15% of the tables).
        self.own_states = twin.compile_state(((), (), ()), (), -1, {}) is not None
        self.steps: list[tuple | None] | None = None if self.own_states else []
        self.csteps = _Column([None] * PAGE)  # the twin's states (`compile_state`; pure twin: None)
        self.parents = _Column(array("q", [-1]) * PAGE)
        self.free_states: list[int] = []
        self.lists = Lists()
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
            sid = len(self.csteps)
            if self.steps is not None:
                self.steps.append(None)
            self.csteps.append(None)
            self.parents.append(parent)
        node.sid = sid

    def free_state(self, node: _Node) -> None:
        for entry in _fields(node):
            self._drop_field(entry)
        node.index = None
        sid = node.sid
        if self.steps is not None:
            self.steps[sid] = None
        self.csteps[sid] = None
        self.parents[sid] = -1
        self.free_states.append(sid)
        node.sid = -1

    def set_field(self, node: _Node, path: str, edges: list[tuple[Leaf, int]] | None = None) -> None:
        """(Re)build the value index of the edges leaving `node` on `path` (none: drop it)."""
        old = _pop_field(node, path)
        if old is not None:
            self._drop_field(old)
        if edges is None:
            edges = [(child.key[1], child.sid) for child in _kids(node) if child.key[0] == path]
        if not edges:
            return
        recorder = Recorder(self.lists)
        vi = value_index(edges, recorder)
        if self.twin.reads_lowered:
            vi.lowered = lower(vi, self.lists.items)
        absent = [sid for leaf, sid in edges if _may_be_absent(leaf)]
        absent_list = recorder.add(absent) if absent else -1
        if absent_list >= 0:
            self.absent_edges += 1
        ids = None if vi.exact_only is not None and absent_list < 0 else _held(recorder.ids)
        _put_field(node, (self._use_path(path), vi, ids, absent_list, path))

    def patch_field(self, node: _Node, path: str, changes: list[tuple[bool, Leaf, int]]) -> bool:
        """Edit a copy of an exact-only value index in place of rebuilding it (False: not one).

        The common large index (one field, thousands of distinct strings: one per tenant) costs
        a dict copy and one list per changed value, not a rebuild of every edge. Only when the
        index and every changed edge hold plain strings (no IP address: those also go to
        `ip_exact`) and the field has no absence edge, so that the result is exactly what
        `value_index` would build.
        """
        old = _field(node, path)
        if old is None or old[1].exact_only is None or old[3] >= 0:  # absence edges: rebuild
            return False
        for _, leaf, _ in changes:
            if not all(type(m) is Equals and parse_ip(m.value) is None for m in leaf.matchers):
                return False
        path_id, vi, _, absent_list, _ = old  # its lists: the values of its dict
        table = vi.exact_only
        patched = type(table) is PatchedTable
        if patched or len(table) >= _PATCH_EXACT_FROM:
            # A large index: the changed keys go to a copy of its overlay (`PatchedTable`), the
            # base dict and its compiled table are shared (`ValueIndex.patches`), until the
            # overlay passes `_OVERLAY_MAX` keys and the index is laid out whole again.
            base, over = (table.base, dict(table.over)) if patched else (table, {})
        else:
            base, over = {}, dict(table)
        lists = self.lists
        for added, leaf, sid in changes:
            for m in leaf.matchers:
                key = m.value
                k = over[key] if key in over else base.get(key, -1)
                group = set() if k < 0 else set(lists.items[k])
                if added:
                    group.add(sid)
                else:
                    group.discard(sid)
                if group:
                    over[key] = lists.add(group)
                elif base:
                    over[key] = -1  # gone (a value twice in one list: gone at the first)
                else:
                    over.pop(key, None)
                if k >= 0:
                    lists.release(k)
        new = ValueIndex()
        if not base:
            exact: Any = over
        elif len(over) > _OVERLAY_MAX:
            exact = {key: k for key, k in base.items() if key not in over}
            exact.update((key, k) for key, k in over.items() if k >= 0)
        else:
            exact = PatchedTable(base, over)
            new.patches = vi.patches if patched else vi
        if not exact if type(exact) is dict else _patch_empties(exact):
            _pop_field(node, path)
            self._unuse_path(path_id)
            return True
        new.exact = new.exact_only = exact
        if self.twin.reads_lowered:
            new.lowered = lower(new, lists.items)
        _put_field(node, (path_id, new, None, absent_list, path))
        return True

    def patch_numbers(self, node: _Node, path: str, changes: list[tuple[bool, Leaf, int]]) -> bool:
        """Edit a copy of a number index kept as a segment tree (`ValueIndex.num_tree`) in place
        of rebuilding it (False: not one, or its ranges beside the tree outgrew it).

        A field of thousands of numeric ranges (one per tenant) is rebuilt in O(n log n); a
        change here costs the nodes it touches: a removed edge leaves the nodes covering its
        ranges (in the tree and in each level beside it, `RangesBeside`) and the loose ranges,
        an added one joins the nodes of the tree where its bounds are keys of it and the loose
        ranges where they are not. Each edited node's page is copied, not the tree, and a node
        of many targets remakes one chunk (`_edit_node`). Past `_EXTRA_RANGES` loose ranges,
        they and the smaller levels are merged into one level (`_merge_levels`); once the levels
        would hold more ranges than the tree has keys, the index is rebuilt (which folds them
        all into the tree). Only for an index of numbers alone (no other structure, no absence
        edge) and changes of numeric value lists.
        """
        old = _field(node, path)
        if old is None or old[1].num_tree is None or old[3] >= 0 or old[2] is None:
            return False
        vi = old[1]
        if (
            any(
                getattr(vi, name) is not None
                for name in ValueIndex.__slots__
                if name not in NOT_STRUCTURES and name not in ("num_keys", "num_tree", "num_extra")
            )
            or vi.exists >= 0
            or vi.exists_value >= 0
        ):
            return False
        ranges = [(added, number_ranges(leaf), sid) for added, leaf, sid in changes]
        if any(bounds is None for _, bounds, _ in ranges):
            return False
        lists = self.lists
        items_at = lists.items
        beside: RangesBeside | None = vi.num_extra
        old_levels = beside.levels if beside is not None else ()
        tree = _TreeEdit(vi.num_keys, vi.num_tree)
        levels = [_TreeEdit(level.keys, level.tree) for level in old_levels]
        # the loose ranges kept (each names a list of one state) and those this change adds
        kept = list(beside.loose) if beside is not None else []
        fresh: list[tuple[int | None, bool, int | None, bool, int]] = []
        for added, bounds, sid in ranges:
            for bound in bounds:  # type: ignore[union-attr]
                if added:
                    if not tree.edit(bound, True, sid):
                        fresh.append((*bound, sid))
                    continue
                tree.edit(bound, False, sid)
                for level in levels:  # a no-op where the range is not
                    level.edit(bound, False, sid)
            if not added:  # in order: a state freed here may come back as a new one below
                kept = [e for e in kept if items_at[e[4]] != (sid,)]
                fresh = [e for e in fresh if e[4] != sid]
        merge = len(kept) + len(fresh) > _EXTRA_RANGES
        if merge and sum(len(level.entries) for level in old_levels) + len(kept) + len(fresh) > max(
            _EXTRA_RANGES, len(vi.num_keys)
        ):
            return False  # nothing written yet: the caller rebuilds the index
        # the list ids the index holds, edited in place: the entry is the writer's alone, and
        # replaced below (a copy would cost O(n) per change)
        refs = _refs(old[2])
        num_tree = tree.commit(lists, refs)
        made = [
            NumberLevel(level.keys, edit.commit(lists, refs), level.entries)
            for level, edit in zip(old_levels, levels, strict=True)
        ]
        if beside is not None and len(kept) < len(beside.loose):
            still = {id(e) for e in kept}
            for e in beside.loose:
                if id(e) not in still:
                    _release(lists, refs, e[4])
        counted = Recorder(lists, refs)
        for lo, lo_inc, hi, hi_inc, sid in fresh:
            kept.append((lo, lo_inc, hi, hi_inc, counted.add([sid])))
        if merge:
            made, kept = _merge_levels(made, kept, counted), []
        # (an index left with no range stays, answering nothing, until the next rebuild)
        new = ValueIndex()
        new.num_keys, new.num_tree = vi.num_keys, num_tree
        new.num_extra = RangesBeside(tuple(kept), tuple(made), items_at) if kept or made else None
        new.needs_fold = False
        if self.twin.reads_lowered:
            new.lowered = lower(new, lists.items)
        _put_field(node, (old[0], new, refs, -1, path))
        return True

    def patch_affixes(self, node: _Node, path: str, changes: list[tuple[bool, Leaf, int]]) -> bool:
        """Edit a copy of an index of prefixes and suffixes in place of rebuilding it (False: not
        one, or past `_OVERLAY_MAX` changed keys).

        Each affix table becomes a `PatchedTable`: the table as built (shared) and the keys
        changed since (copied per change), so a change to a field of 100,000 prefixes costs
        the keys it touches. Only for an index of affixes alone (no other structure, no absence
        edge) and changes of value lists of prefixes and suffixes.
        """
        old = _field(node, path)
        if old is None or old[3] >= 0 or old[2] is None:
            return False
        vi = old[1]
        if (
            any(
                getattr(vi, name) is not None
                for name in ValueIndex.__slots__
                if name not in NOT_STRUCTURES and name not in _AFFIX_SLOTS
            )
            or vi.exists >= 0
            or vi.exists_value >= 0
        ):
            return False
        touched = 0
        for _, leaf, _ in changes:
            for m in leaf.matchers:
                if type(m) is not Prefix and type(m) is not Suffix:
                    return False
                touched += 1
        tables = {kind: getattr(vi, kind) for kind in _AFFIXES}
        if touched + sum(len(t.over) for t in tables.values() if type(t) is PatchedTable) > _OVERLAY_MAX:
            return False
        size = sum(
            0 if t is None else len(t.base) if type(t) is PatchedTable else len(t) for t in tables.values()
        )
        if size < _PATCH_AFFIXES_FROM:
            return False  # small: rebuilt, and read by the compiled twin's own probe
        bases = {
            kind: {} if t is None else t.base if type(t) is PatchedTable else t for kind, t in tables.items()
        }
        overs = {kind: dict(t.over) if type(t) is PatchedTable else {} for kind, t in tables.items()}
        lengths = {kind: set(getattr(vi, kind + "_lens") or ()) for kind in _AFFIXES}
        lists = self.lists
        refs = _refs(old[2])  # edited in place (see patch_numbers)
        for added, leaf, sid in changes:
            for m in leaf.matchers:
                assert isinstance(m, (Prefix, Suffix))
                kind = ("prefix" if type(m) is Prefix else "suffix") + ("_ci" if m.ignore_case else "")
                key = m.value.casefold() if m.ignore_case else m.value
                over = overs[kind]
                k = over[key] if key in over else bases[kind].get(key, -1)
                group = set() if k < 0 else set(lists.items[k])
                if added:
                    group.add(sid)
                    lengths[kind].add(len(key))
                else:
                    group.discard(sid)
                new_k = over[key] = lists.add(group) if group else -1
                if new_k >= 0:
                    refs[new_k] = refs.get(new_k, 0) + 1
                if k >= 0:
                    _release(lists, refs, k)
        new = ValueIndex()
        for kind in _AFFIXES:
            if tables[kind] is not None or overs[kind]:
                setattr(new, kind, PatchedTable(bases[kind], overs[kind]))
                setattr(new, kind + "_lens", array("q", sorted(lengths[kind])))
        new.needs_fold = new.prefix_ci is not None or new.suffix_ci is not None
        if self.twin.reads_lowered:
            new.lowered = lower(new, lists.items)
        _put_field(node, (old[0], new, refs, -1, path))
        return True

    def _drop_field(self, entry: _Field) -> None:
        path_id, vi, ids, absent_list, _ = entry
        if ids is None:
            for k in vi.exact_only.values():
                self.lists.release(k)
        else:
            for k, times in _held_items(ids):
                self.lists.release(k, times)
        if absent_list >= 0:
            self.absent_edges -= 1
        self._unuse_path(path_id)

    def _unuse_path(self, path_id: int) -> None:
        # one (state, field) index less on path `path_id` (`_use_path` counts them)
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
        """Redo the state's entry from its columns (rule ids, edges, absence edges): the twin's
        (`compile_state`), or, for a twin without states of its own, the reference walker's
        (`prepare`, which also gives each new index its probe)."""
        terms = _ends(node)
        entries = _fields(node)
        edges = tuple((path_id, vi) for path_id, vi, _, _, _ in entries)
        absent = tuple((path_id, k) for path_id, _, _, k, _ in entries if k >= 0)
        if self.steps is not None:
            self.steps[node.sid] = prepare(terms, edges, absent, self.lists.items)
            return
        self.csteps[node.sid] = self.twin.compile_state(
            (terms, edges, absent), self.lists.items, self.parents[node.sid], self.names
        )
        for _, vi in edges:
            # its `CIndex` holds every column now, and nothing reads the lowered form again (a
            # change lowers the index it makes afresh)
            vi.lowered = None

    # -- changes --

    def apply(self, touched: _Touched, rule_id: int, name: str | None, empty: bool) -> None:
        """Edit copies of the published tables after the builder took one change.

        Args:
            touched: what the change did to the builder.
            rule_id: the rule added, replaced or removed.
            name: its name, or None when it was removed.
            empty: whether its pattern (now) is the empty pattern.
        """
        if self.steps is not None:
            self.steps = list(self.steps)  # copy-on-write (the pure twin's: all of it)
        self.parents.fork()  # copy-on-write, by page
        self.csteps.fork()
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
                if not (
                    self.patch_field(node, path, edits)
                    or self.patch_numbers(node, path, edits)
                    or self.patch_affixes(node, path, edits)
                ):
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
        if 2 * free > len(self.csteps) - free + slack:
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
        csteps = self.csteps.published()
        steps = StateEntries(csteps, self.lists.items) if self.steps is None else self.steps
        return Tables(
            self.parents.published(), (steps, self.lists.items), self.absent_edges > 0, self.path_ids,
            self.published_paths, self.prefixes, self.names, self.empty_rules, len(self.lists.items),
            self.scan, csteps, self.twin,
        )  # fmt: skip


def _patch_empties(table: PatchedTable) -> bool:
    """Whether a patched table holds no key (in O(its overlay), not O(its base))."""
    over = table.over
    if any(k >= 0 for k in over.values()):
        return False
    base = table.base
    return sum(1 for key, k in over.items() if k < 0 and key in base) >= len(base)


class _Column:
    """The writer's side of one paged per-state column (`automaton.Paged`), copy-on-write.

    After `fork` (the start of each change: the pages are the readers' from then on), the first
    write to a page copies it (`own` holds the pages copied, or made, since), and the directory
    was copied by `fork` itself: a change costs the pages it writes plus the directory (one
    reference per `PAGE` states), not the column.
    """

    __slots__ = ("blank", "n", "own", "pages")

    def __init__(self, blank: Any) -> None:
        self.blank = blank  # a full page of the column's empty item
        self.pages: list[Any] = []
        self.n = 0
        self.own: set[int] = set()

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i: int) -> Any:
        return self.pages[i >> PAGE_BITS][i & PAGE_MASK]

    def __setitem__(self, i: int, value: Any) -> None:
        p = i >> PAGE_BITS
        if p not in self.own:
            self.pages[p] = self.pages[p][:]
            self.own.add(p)
        self.pages[p][i & PAGE_MASK] = value

    def append(self, value: Any) -> None:
        if not self.n & PAGE_MASK:
            self.own.add(len(self.pages))
            self.pages.append(self.blank[:])
        self.n += 1
        self[self.n - 1] = value

    def fork(self) -> None:
        """From now on, copy before writing: what was published stays as it was."""
        self.pages = list(self.pages)
        self.own = set()

    def published(self) -> Paged:
        """The column as readers see it (shares the directory: `fork` before the next write)."""
        return Paged(self.pages, self.n)


def _release(lists: Lists, refs: dict[int, int], k: int) -> None:
    """Drop one use of list `k`: from the shared lists and from an index's count of its lists."""
    lists.release(k)
    left = refs[k] - 1
    if left:
        refs[k] = left
    else:
        del refs[k]


def _edit_node(entry: Any, edits: list[tuple[bool, int]], lists: Lists, refs: dict[int, int]) -> Any:
    """A segment tree node (`indexes.tree_node`: -1, a list id, or a tuple of chunk list ids)
    after `edits` ((added, target), in order), its lists counted in `refs`.

    A chunked node (a large one, of thousands of targets) remakes only the chunk of each edited
    target (found by bisecting the chunks by their first targets), splitting a chunk grown past
    twice `indexes.TREE_CHUNK` targets and dropping an empty one: O(TREE_CHUNK) per edit plus a
    copy of the node's tuple of chunk ids, where remaking its list would cost all its targets.
    """
    items = lists.items
    counted = Recorder(lists, refs)
    if type(entry) is int:
        group = set() if entry < 0 else set(items[entry])
        for added, sid in edits:
            (group.add if added else group.discard)(sid)
        if entry >= 0:
            _release(lists, refs, entry)
        return tree_node(sorted(group), counted)
    chunks = list(entry)
    first = lambda k: items[k][0]  # noqa: E731 - a chunk's smallest target: the bisect's key
    for added, sid in edits:
        if not chunks:  # every chunk emptied by this change's earlier edits
            if added:
                chunks.append(counted.add([sid]))
            continue
        i = max(bisect_right(chunks, sid, key=first) - 1, 0)
        group = set(items[chunks[i]])
        if (sid in group) == added:
            continue  # already so
        (group.add if added else group.discard)(sid)
        _release(lists, refs, chunks[i])
        if not group:
            del chunks[i]
            continue
        made = tree_node(sorted(group), counted)  # one chunk, or, grown too large, several
        made = (made,) if type(made) is int else made
        chunks[i : i + 1] = made
    if len(chunks) > 1:
        return tuple(chunks)
    return chunks[0] if chunks else -1


class _TreeEdit:
    """The edits one change makes to one segment tree (a number tree, or a level beside one):
    gathered first (`edit`), so that a change that turns out to need a rebuild has written
    nothing, then made on copies of the pages they touch (`commit`)."""

    __slots__ = ("edits", "keys", "tree")

    def __init__(self, keys: Any, tree: Paged) -> None:
        self.keys = keys
        self.tree = tree
        self.edits: dict[int, list[tuple[bool, int]]] = {}  # node -> (added, target), in order

    def edit(self, bound: Any, added: bool, sid: int) -> bool:
        """Add `sid` to (or take it from) the nodes covering range `bound`; False when a bound
        of it is no key of the tree (nothing noted)."""
        span = slot_span(self.keys, bound)
        if span is None:
            return False
        for n in tree_cover(span[0], span[1], self.tree.n // 2):
            self.edits.setdefault(n, []).append((added, sid))
        return True

    def commit(self, lists: Lists, refs: dict[int, int]) -> Paged:
        """The tree after the edits: the pages of changed nodes copied, the others shared."""
        if not self.edits:
            return self.tree
        pages = list(self.tree.pages)  # the directory
        own: set[int] = set()  # the pages copied by this change
        for n, edits in self.edits.items():
            p = n >> PAGE_BITS
            entry = pages[p][n & PAGE_MASK]
            made = _edit_node(entry, edits, lists, refs)
            if made == entry:
                continue  # (a removal from a level that did not hold the range)
            if p not in own:
                pages[p] = pages[p][:]  # PAGE references: the published page stays as it was
                own.add(p)
            pages[p][n & PAGE_MASK] = made
        return Paged(pages, self.tree.n) if own else self.tree


def _merge_levels(
    levels: list[NumberLevel], loose: list[tuple[Any, ...]], counted: Recorder
) -> list[NumberLevel]:
    """The levels after `loose` is merged in, as a binary counter carries: the loose ranges and
    every level no larger than the ranges merged so far (smallest first) become one level."""
    lists, refs = counted.lists, counted.ids
    merged = list(loose)
    out = []
    for level in sorted(levels, key=lambda level: len(level.entries)):
        if len(level.entries) > len(merged):
            out.append(level)
            continue
        live = live_entries(level, lists.items)
        alive = {id(e) for e in live}
        for e in level.entries:
            if id(e) not in alive:
                _release(lists, refs, e[4])  # a removed target's range goes with its level
        merged.extend(e[:5] for e in live)
        for page in level.tree.pages:  # the level's node lists go with it
            for held in page:
                if type(held) is int:
                    if held >= 0:
                        _release(lists, refs, held)
                else:
                    for k in held:
                        _release(lists, refs, k)
    made = number_level(merged, counted)
    if made is not None:
        out.append(made)
    return out


#: Loose ranges a number tree may hold beside it (`RangesBeside.loose`, tested one by one per
#: value) before a change merges them into a level (`_merge_levels`).
_EXTRA_RANGES = 64

#: From this many keys on, an exact-only index is patched through an overlay (`PatchedTable`,
#: `ValueIndex.patches`): a change copies and lowers the overlay, not every key.
_PATCH_EXACT_FROM = 2048

#: Keys an affix index may have changed since it was built (`PatchedTable.over`, copied per
#: change) before a change rebuilds it (O(n)): at most once per so many changes.
_OVERLAY_MAX = 1024
#: Affix indexes with fewer keys than this are rebuilt by a change, not patched: a rebuild of a
#: small one costs little, and a `PatchedTable` is probed by Python on the compiled twin
#: (`str_python`), which would slow every match on the field (many-tenant rules change often).
_PATCH_AFFIXES_FROM = 4096
_AFFIXES = ("prefix", "prefix_ci", "suffix", "suffix_ci")
_AFFIX_SLOTS = frozenset(_AFFIXES + tuple(kind + "_lens" for kind in _AFFIXES))

#: Rules from which `Builder.build` lays the trie out with the cyclic collector paused
#: (`patterns._gc`): about 40 per cent of a first match's time at 50,000 rules otherwise.
_PAUSE_FROM = 1_000

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
        for child in _kids(node):
            live.add_state(child, node.sid)
            order.append(child)
    for node in order:
        by_path: dict[str, list[tuple[Leaf, int]]] = {}
        for child in _kids(node):
            path, leaf = child.key
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

    __slots__ = ("_empty", "_live", "_names", "_root", "twin")

    def __init__(self, twin: Any) -> None:
        """Args:
        twin: the matcher twin (`patterns.engine.Twin`) whose states and scanner table the
            published tables carry, and which reads them.
        """
        self.twin = twin
        self._root = _Node(_NO_KEY)
        self._names: dict[int, str] = {}  # rule id -> name (no tuple per rule beside it)
        self._empty: set[int] = set()  # the rule ids whose pattern is {}
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
        self._edit_trie(rule_id, name, branches, empty, replacing, touched)
        return None if touched is None else self._apply(touched, rule_id, name, empty)

    def _edit_trie(
        self, rule_id: int, name: str, branches: tuple[Branch, ...], empty: bool,
        replacing: tuple[Branch, ...] | None, touched: _Touched | None,
    ) -> None:  # fmt: skip
        """Put rule `rule_id` in the trie (in place of `replacing`), noting what changed in
        `touched` (None: nothing is published from this edit alone)."""
        if replacing is not None:
            _delete(self._root, rule_id, replacing, touched)
        _insert(self._root, rule_id, branches, touched)
        self._names[rule_id] = name
        if empty:
            self._empty.add(rule_id)
        else:
            self._empty.discard(rule_id)

    def add_many(
        self, rules: list[tuple[int, str, tuple[Branch, ...], bool, tuple[Branch, ...] | None]]
    ) -> Tables | None:
        """Add (or replace) several rules, in order, and return the tables of the last state.

        Before the first `build`, the same as `add` per rule. Once built, a batch of at least
        an eighth of the rules it leaves is inserted in the trie alone and laid out with one
        `build` (O(automaton), less than as many copy-on-write changes); a smaller one takes
        one change per rule, of which only the last tables are returned (the others are never
        published).

        Args:
            rules: (rule id, name, branches, empty, branches replaced or None) per rule, as
                `add` takes them; a rule id may come twice (the later replaces the earlier,
                whose branches it names as replaced).

        Returns:
            The tables to publish, or None before the first `build` (or for no rules).
        """
        if self._live is None or 8 * len(rules) >= len(self._names) + len(rules):
            for rule_id, name, branches, empty, replacing in rules:
                self._edit_trie(rule_id, name, branches, empty, replacing, None)
            return None if self._live is None or not rules else self.build()
        tables = None
        for rule_id, name, branches, empty, replacing in rules:
            tables = self.add(rule_id, name, branches, empty, replacing)
        return tables

    def remove(self, rule_id: int, branches: tuple[Branch, ...]) -> Tables | None:
        """Remove rule `rule_id`, whose branches are `branches`, freeing what only it used.

        Returns:
            The tables to publish, or None before the first `build`.
        """
        touched = None if self._live is None else _Touched()
        _delete(self._root, rule_id, branches, touched)
        del self._names[rule_id]
        self._empty.discard(rule_id)
        return None if touched is None else self._apply(touched, rule_id, None, False)

    def build(self) -> Tables:
        """Lay the whole trie out afresh and return its tables (the first match's, or a
        compaction's)."""
        names = dict(self._names)  # the published one grows (see `_Live`), this one is the rules'
        empty = set(self._empty)
        if len(names) < _PAUSE_FROM:
            self._live = _build(self._root, names, empty, self.twin)
        else:
            with paused():  # a large layout: the collector would walk it over and over
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
