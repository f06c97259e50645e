"""The reference walker: the readable statement of how the decision automaton answers an event.

Reads the tables `patterns.compiler` publishes (`patterns.automaton.Tables`): `prepare` makes
each state's entry when the writer publishes it, `select_leaves` groups a decoded event's leaves
by the paths some rule names, and `run_machine` walks the states those leaves reach. Both
matcher twins fall back to this road where their own is not sure, and the compiled walk is
tested against it; nothing here knows which twin runs.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator
from typing import Any

from .automaton import PAGE_BITS, PAGE_MASK
from .consistency import absent_in, consistent_choice
from .errors import InvalidEventError
from .events import ROOT_ONLY, BigNumber, Contexts, check_tree, json_type, plain_scalar
from .netaddr import parse_ip
from .numbers import as_double, number_key

__all__ = ["LeavesByPath", "StateEntries", "fire", "prepare", "probe_of", "run_machine", "select_leaves"]


# --- The decision automaton's walk (tables built by `patterns.compiler`) --------------------------
#
# Everything below reads `patterns.automaton.Tables` and `ValueIndex` records; docs/automaton.md
# draws them. The walk reads per-state tuples (`prepare`) and per-list tuples; dicts
# appear only where a string (or a number's double) is the key. A "list id" k names the ints
# targets[k] (in the flat form, list_items[list_off[k]:list_off[k + 1]]): target states, or
# anything-but operand numbers.

#: {path id: [(value, context), ...]}: the leaves of one event on the paths some rule names.
LeavesByPath = dict[int, list[tuple[Any, int]]]


def select_leaves(
    event: dict, prefixes: frozenset[str], path_ids: dict[str, int], checked: bool = True
) -> tuple[LeavesByPath, Contexts]:
    """Group an event's leaves by path id, keeping only the paths some rule names.

    A subtree whose path is not in `prefixes` is skipped unwalked (quamina's field skipping),
    so no path longer than a rule's is ever built: the cost is linear in the event's size.

    Args:
        event: the decoded event.
        prefixes: every rule path and every dotted prefix of one.
        path_ids: rule path -> path id.
        checked: whether a JSON decoder made the event (only plain str, int, float, bool, None
            and `BigNumber` scalars). False for a caller's dict: it is first checked whole, as
            `flatten` checks it, and its scalars are read as `plain_scalar` reads them.

    Returns:
        (path id -> the (value, context) of each leaf there, the event's contexts). Contexts
        are numbered as `flatten` numbers them among the walked subtrees; when no leaf on a
        rule path sits in an array element, the contexts are `ROOT_ONLY`.

    Raises:
        InvalidEventError: `checked` is False and the event holds something JSON cannot.
    """
    if not checked:
        if not isinstance(event, dict):
            raise InvalidEventError(f"Expected `object`, got `{json_type(event)}` - at `$`")
        check_tree(event)
    out: LeavesByPath = {}
    parent: list[int] | None = None
    array: list[int] | None = None
    paths: list[str] | None = None
    next_array = 0
    # The walk of `flatten`, pruned at paths no rule reaches and with scalars taken where they
    # are met rather than stacked. The empty path is always walked: a key "" at the top joins
    # as "" and is invisible in paths.
    stack: list[tuple[Any, str, int]] = [(event, "", 0)]
    while stack:
        value, path, ctx = stack.pop()
        if type(value) is dict or (not checked and isinstance(value, dict)):
            for key, child in value.items():
                child_path = f"{path}.{key}" if path else key
                if child_path and child_path not in prefixes:
                    continue
                t = type(child)
                if t is dict or t is list or (not checked and isinstance(child, (dict, list, tuple))):
                    stack.append((child, child_path, ctx))
                else:
                    pid = path_ids.get(child_path)
                    if pid is not None:
                        if not checked:
                            child = plain_scalar(child)
                        if pid in out:
                            out[pid].append((child, ctx))
                        else:
                            out[pid] = [(child, ctx)]
        else:  # a list: each element is a value at the same path
            array_id = next_array
            next_array += 1
            pid = path_ids.get(path)
            for child in value:
                t = type(child)
                if t is dict or t is list or (not checked and isinstance(child, (dict, list, tuple))):
                    if parent is None:
                        parent, array, paths = [-1], [-1], [""]
                    parent.append(ctx)
                    array.append(array_id)
                    paths.append(path)
                    stack.append((child, path, len(parent) - 1))
                elif pid is not None:
                    # A scalar element stays in its array's context (see `patterns.events`).
                    out.setdefault(pid, []).append((child if checked else plain_scalar(child), ctx))
    if parent is None:
        return out, ROOT_ONLY
    return out, Contexts(parent, array, paths)  # type: ignore[arg-type]


def _affixes(table: dict[str, int], lengths: Any, text: str, suffix: bool, out: list[int]) -> None:
    n = len(text)
    for length in lengths:  # ascending
        if length > n:
            return
        k = table.get(text[n - length :] if suffix else text[:length])
        if k is not None:
            out.append(k)


def _slot(keys: Any, key: int) -> int:
    # Elementary intervals over n sorted keys: slot 2i is the open gap below keys[i] (2n: above
    # all), slot 2i+1 is keys[i] itself.
    i = bisect_left(keys, key)
    return 2 * i + 1 if i < len(keys) and keys[i] == key else 2 * i


def tree_hits(tree: Any, slot: int, out: list[int]) -> None:
    """Append the list ids on the path from slot `slot`'s leaf to the root of a segment tree
    (`ValueIndex.num_tree`, an `automaton.Paged` of 2P nodes): every range holding the slot is
    held by exactly one of them."""
    pages = tree.pages  # read through the directory: `Paged.__getitem__` is a call per node
    node = slot + tree.n // 2
    while node:
        k = pages[node >> PAGE_BITS][node & PAGE_MASK]
        if type(k) is int:
            if k >= 0:
                out.append(k)
        else:  # a large node: the list ids of its chunks (`indexes.tree_node`)
            out.extend(k)
        node >>= 1


def extra_hits(extra: Any, key: int, out: list[int]) -> None:
    """Append the list ids of the ranges beside a number tree (`ValueIndex.num_extra`, an
    `automaton.RangesBeside`) holding number key `key`: those on each level's path, and each
    loose range holding it."""
    for level in extra.levels:
        tree_hits(level.tree, _slot(level.keys, key), out)
    for lo, lo_inc, hi, hi_inc, k in extra.loose:
        if (lo is None or lo < key or (lo_inc and lo == key)) and (
            hi is None or key < hi or (hi_inc and hi == key)
        ):
            out.append(k)


def fire(vi: Any, value: Any, lists: Any) -> list[int]:
    """The list ids of target states one value index sends one event value to.

    Args:
        vi: a `patterns.automaton.ValueIndex`.
        value: an event scalar (str, int, float, bool or None).
        lists: list id -> its items (a tuple), for at least the anything-but exclusion lists of
            `vi` (its operand numbers).

    Returns:
        List ids, possibly repeated; each names target states.
    """
    out: list[int] = []
    excluded: set[int] | None = None
    t = type(value)
    if t is str:
        if vi.exact is not None:
            k = vi.exact.get(value)
            if k is not None:
                out.append(k)
        folded = value.casefold() if vi.needs_fold else value
        if vi.folded is not None:
            k = vi.folded.get(folded)
            if k is not None:
                out.append(k)
        if vi.prefix is not None:
            _affixes(vi.prefix, vi.prefix_lens, value, False, out)
        if vi.prefix_ci is not None:
            _affixes(vi.prefix_ci, vi.prefix_ci_lens, folded, False, out)
        if vi.suffix is not None:
            _affixes(vi.suffix, vi.suffix_lens, value, True, out)
        if vi.suffix_ci is not None:
            _affixes(vi.suffix_ci, vi.suffix_ci_lens, folded, True, out)
        if vi.wildcard is not None:
            out.extend(vi.wildcard.run(value))
        if vi.ip_exact is not None or vi.cidr4_keys is not None or vi.cidr6_keys is not None:
            ip = parse_ip(value)
            if ip is not None and vi.ip_exact is not None:
                k = vi.ip_exact.get(ip)
                if k is not None:
                    out.append(k)
            if ip is not None and (vi.cidr4_keys is not None or vi.cidr6_keys is not None):
                keys, slots = (
                    (vi.cidr4_keys, vi.cidr4_slots) if ip[0] == 4 else (vi.cidr6_keys, vi.cidr6_slots)
                )
                if keys is not None:
                    k = slots[_slot(keys, ip[1])]
                    if k >= 0:
                        out.append(k)
        if vi.ab_lists is not None:
            hits: list[int] = []
            if vi.ab_str is not None:
                k = vi.ab_str.get(value)
                if k is not None:
                    hits.append(k)
            if vi.ab_folded is not None:
                k = vi.ab_folded.get(folded)
                if k is not None:
                    hits.append(k)
            if vi.ab_prefix is not None:
                _affixes(vi.ab_prefix, vi.ab_prefix_lens, value, False, hits)
            if vi.ab_suffix is not None:
                _affixes(vi.ab_suffix, vi.ab_suffix_lens, value, True, hits)
            if hits:
                excluded = {i for k in hits for i in lists[k]}
            if vi.ab_wildcard is not None:
                accepted = vi.ab_wildcard.run(value)
                if accepted:
                    excluded = (excluded or set()).union(accepted)
    elif t is BigNumber:
        pass  # present, but comparable with nothing: only exists and anything-but below
    elif t is bool or value is None:
        if vi.literal is not None:
            k = vi.literal[2 if value is None else int(value)]
            if k >= 0:
                out.append(k)
    else:  # a number
        x = as_double(value)
        if vi.num_keys is not None:
            if vi.num_tree is not None:
                key = number_key(x)
                tree_hits(vi.num_tree, _slot(vi.num_keys, key), out)
                if vi.num_extra is not None:
                    extra_hits(vi.num_extra, key, out)
            else:
                k = vi.num_slots[_slot(vi.num_keys, number_key(x))]
                if k >= 0:
                    out.append(k)
        if vi.ab_num is not None:
            k = vi.ab_num.get(x)
            if k is not None:
                excluded = set(lists[k])
    if vi.exists >= 0:
        out.append(vi.exists)
    if vi.exists_value >= 0 and value is not None and value != "":
        out.append(vi.exists_value)
    if vi.ab_lists is not None:
        if excluded:
            out.extend([k for i, k in enumerate(vi.ab_lists) if i not in excluded])
        else:
            out.extend(vi.ab_lists)
    return out


def prepare(terms: tuple[int, ...], edges: tuple, absent: tuple, lists: Any) -> tuple:
    """One state's entry in what this walker reads, made by the writer before publication.

    The machine keeps, per state, its rule ids, its edges as (path id, `ValueIndex`) and its
    absence edges as (path id, list id); the flat integer tables of `Tables.flat` (an
    inspection form, read by no walker) are derived from those on demand. Python reads a tuple
    slot far faster than it indexes an `array` (each element read boxes an int), so the pure
    walker keeps, per state, one tuple:

        steps[s]   = (rule ids ending at s or None,
                      ((path id, exact-only dict or None, probe, ValueIndex), ...) or None,
                      ((path id, list id), ...) or None)       exists:false edges
        targets[k] = the states of list k, as a tuple (the machine's interned lists themselves)

    The walk ignores each edge's last slot, the index itself, which `Tables.flat` reads: one
    list per snapshot holds all a state is, so a change copies one list.

    A probe maps one event value to the list ids it hits: `fire` on the index, or, for the
    indexes that hold one kind of structure only (ignore-case strings, prefixes, numbers), a
    closure doing just that lookup, which spares the walk `fire`'s test of every kind. It is
    made once per index, when the index is first prepared, and kept in the index's `walk` slot
    (the index is still private to the writer then), so a change re-prepares only the states
    it touched and reuses the probes of the indexes it left alone.

    Args:
        terms: the rule ids ending at the state (empty: none).
        edges: ((path id, `patterns.automaton.ValueIndex`), ...), one per field read there.
        absent: ((path id, list id), ...), the state's exists:false edges.
        lists: list id -> its items; the anything-but exclusion lists of a new index are read
            from it once (they stay unchanged while the index lives).

    Returns:
        The state's `steps` entry.
    """
    walked = []
    for path_id, vi in edges:
        probe = vi.walk
        if probe is None:
            probe = probe_of(vi, lists)
        walked.append((path_id, vi.exact_only, probe, vi))
    return (terms or None, tuple(walked) or None, absent or None)


def probe_of(vi: Any, lists: Any) -> Any:
    """The probe of one value index (see `prepare`), made on first use and kept in its `walk` slot.

    The pure twin's writer makes every probe before publication (`prepare`); the compiled twin
    asks for one only when its `CIndex` leaves a value to Python, or its reference road walks
    the state (`StateEntries`), which may be after publication, from any thread. The slot is
    then a cache: two threads may both make a probe, equal in what they answer, and one
    reference store wins (as `Tables.flat` fills its cache); nothing else of the index changes.

    Args:
        vi: a `patterns.automaton.ValueIndex`.
        lists: list id -> its items (the anything-but exclusion lists are read from it once).

    Returns:
        A function from one event value to the list ids it hits.
    """
    probe = vi.walk
    if probe is None:
        probe = vi.walk = _probe(vi, lists)
    return probe


class StateEntries:
    """The reference walker's entries (`prepare`) of a compiled twin's states, made on demand.

    The compiled twin walks its own states (`CState`) and needs the reference entries only on
    its fallback road (`engine.run`, for what its walks decline: rare), so its writer keeps
    none: `Tables.walk[0]` is this view, which makes entry s from the columns its compiled state
    holds (`CState.columns`) each time it is read. Read-only, holds no cache but the probes
    (`probe_of`): any thread may read it at once.

        states  state id -> its compiled state, or None (a free id): the snapshot's `csteps`
        lists   list id -> its items (the machine's interned lists)
    """

    __slots__ = ("lists", "states")

    def __init__(self, states: list, lists: list) -> None:
        self.states = states
        self.lists = lists

    def __len__(self) -> int:
        return len(self.states)

    def __getitem__(self, state: int) -> tuple | None:
        compiled = self.states[state]
        if compiled is None:
            return None
        terms, edges, absent = compiled.columns()
        return prepare(terms, edges, absent, self.lists)

    def __iter__(self) -> Iterator[tuple | None]:
        return (self[s] for s in range(len(self.states)))


_COMPANIONS = frozenset({"cwalk", "exact_only", "lowered", "needs_fold", "walk"})


def _probe(vi: Any, lists: Any) -> Any:
    """The cheapest function giving `fire(vi, value, ...)` for one value index (see `prepare`)."""
    kinds = {
        name
        for name in vi.__slots__
        if name not in _COMPANIONS
        and not name.endswith(("_lens", "_slots"))
        and getattr(vi, name) not in (None, -1)
    }
    if kinds == {"folded"}:
        folded = vi.folded

        def probe_folded(value: Any) -> tuple[int, ...]:
            if type(value) is str:
                k = folded.get(value.casefold())
                if k is not None:
                    return (k,)
            return ()

        return probe_folded
    if kinds == {"prefix"}:
        table, lengths = vi.prefix, tuple(vi.prefix_lens)

        def probe_prefix(value: Any) -> list[int]:
            out: list[int] = []
            if type(value) is str:
                _affixes(table, lengths, value, False, out)
            return out

        return probe_prefix
    if kinds == {"num_keys"}:
        keys, slots = vi.num_keys, vi.num_slots

        def probe_numbers(value: Any) -> tuple[int, ...]:
            t = type(value)
            if t is int or t is float:
                k = slots[_slot(keys, number_key(as_double(value)))]
                if k >= 0:
                    return (k,)
            return ()

        return probe_numbers
    # Only the exclusion lists, copied out: the probe must not hold on to a whole list table.
    excluded = {
        k: lists[k]
        for table in (vi.ab_str, vi.ab_num, vi.ab_folded, vi.ab_prefix, vi.ab_suffix)
        if table is not None
        for k in table.values()
    }
    return lambda value: fire(vi, value, excluded)


def run_machine(tables: Any, by_path: LeavesByPath, contexts: Contexts = ROOT_ONLY) -> set[int]:
    """The rule ids whose branches an event's leaves complete, walking the automaton.

    Two phases (docs/automaton.md). First a walk that ignores arrays: each state is
    expanded once, and every leaf its value indexes accept sends the walk on, so a state is
    reached exactly when each condition on its way from state 0 holds by some leaf. When a leaf
    on the way sits in an array element, the walk also notes, per state reached, the contexts
    of the leaves that reached it (for ``exists: false``, the contexts the path is absent from,
    `absent_in`); a rule ending at such a state then matches only if `consistent_choice` finds
    those leaves array-consistent. Cost: the states and leaves the
    walk reads, plus, per reached rule state, its conditions' candidate contexts.

    Args:
        tables: a `patterns.automaton.Tables` (its `walk` entries made by `prepare`).
        by_path: the event's leaves (`select_leaves`).
        contexts: the event's contexts (`select_leaves`).

    Returns:
        The ids of the matching rules.
    """
    steps, targets = tables.walk
    if contexts is ROOT_ONLY or (
        not tables.any_absent and not any(ctx for leaves in by_path.values() for _, ctx in leaves)
    ):
        return _run_flat(steps, targets, by_path)
    # via[s]: the contexts of the leaves that took the edge into state s (0 for absence).
    via: dict[int, list[int]] = {0: [0]}
    stack = [0]
    pop, push = stack.pop, stack.append
    ends: list[int] = []
    while stack:
        state = pop()
        terms, edges, absent = steps[state]
        if terms is not None:
            ends.append(state)
        if edges is not None:
            for path_id, exact, probe, _ in edges:
                leaves = by_path.get(path_id)
                if leaves is None:
                    continue
                for value, ctx in leaves:
                    if exact is not None:  # the common index: exact strings only, one lookup
                        if type(value) is not str:
                            continue
                        k = exact.get(value)
                        if k is None:
                            continue
                        hits: Any = (k,)
                    else:
                        hits = probe(value)
                    for k in hits:
                        for target in targets[k]:
                            seen = via.get(target)
                            if seen is None:
                                via[target] = [ctx]
                                push(target)
                            else:
                                seen.append(ctx)
        if absent is not None:
            for path_id, k in absent:
                leaves = by_path.get(path_id)
                if leaves is None:
                    where = [0]
                else:  # present somewhere: absent from some array elements, perhaps
                    where = absent_in(tables.path_names[path_id], [c for _, c in leaves], contexts)
                    if not where:
                        continue
                for target in targets[k]:
                    # A value list such as [{"exists": false}, "Z"] reaches its target both
                    # through a leaf and through absence: the contexts of both ways count.
                    seen = via.get(target)
                    if seen is None:
                        via[target] = list(where)
                        push(target)
                    else:
                        seen.extend(where)
    found: set[int] = set()
    parents = tables.state_parent
    for state in ends:
        terms = steps[state][0]
        if found.issuperset(terms):
            continue
        candidates = []
        s = state
        while s:
            candidates.append(via[s])
            s = parents[s]
        if consistent_choice(candidates, contexts):
            found.update(terms)
    return found


def _run_flat(steps: list, targets: list, by_path: LeavesByPath) -> set[int]:
    # `run_machine` for an event none of whose leaves on rule paths sits in an array (most
    # events): every assignment stays empty, so a position is just a state, and the walk skips
    # building and hashing (state, assignment) pairs. Same visits, same answer.
    found: set[int] = set()
    seen: set[int] = set()
    stack = [0]
    pop, push, mark = stack.pop, stack.extend, seen.add
    while stack:
        state = pop()
        if state in seen:
            continue
        mark(state)
        terms, edges, absent = steps[state]
        if terms is not None:
            found.update(terms)
        if edges is not None:
            for path_id, exact, probe, _ in edges:
                leaves = by_path.get(path_id)
                if leaves is None:
                    continue
                for value, _ in leaves:
                    if exact is not None:
                        if type(value) is str:
                            k = exact.get(value)
                            if k is not None:
                                push(targets[k])
                    else:
                        for k in probe(value):
                            push(targets[k])
        if absent is not None:
            for path_id, k in absent:
                if path_id not in by_path:
                    push(targets[k])
    return found
