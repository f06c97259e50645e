"""Pure-Python twin of the hot loops: the readable reference for `_match_c`, same names and results."""

from __future__ import annotations

import math
import struct
from bisect import bisect_left
from typing import Any, NoReturn

from .errors import InvalidEventError
from .events import Leaf, as_double, find_non_json, json_type
from .netaddr import parse_ip

__all__ = ["flatten", "number_key", "prepare", "run_machine", "select_leaves"]


def flatten(event: Any) -> list[Leaf]:
    """List the leaves of a decoded event, in document order.

    Args:
        event: the decoded event (a dict).

    Returns:
        Its leaves; see `patterns.events` for their form.

    Raises:
        InvalidEventError: not a dict, or it holds something JSON cannot (a set, a non-string
            key, NaN).
    """
    if not isinstance(event, dict):
        raise InvalidEventError(f"Expected `object`, got `{json_type(event)}` - at `$`")
    leaves: list[Leaf] = []
    next_array = 0
    # An explicit stack, not recursion: no event is too deep to walk. Children are pushed in
    # reverse so that they pop, and array ids are handed out, in document order.
    stack: list[tuple[Any, str, tuple]] = [(event, "", ())]
    while stack:
        value, path, trail = stack.pop()
        t = type(value)
        if t is dict or (t is not list and isinstance(value, dict)):
            for key, child in reversed(list(value.items())):
                if type(key) is not str:
                    _reject(event)
                stack.append((child, f"{path}.{key}" if path else key, trail))
        elif t is list or isinstance(value, (list, tuple)):
            array_id = next_array
            next_array += 1
            for index in range(len(value) - 1, -1, -1):
                stack.append((value[index], path, trail + ((array_id, index),)))
        elif (
            t is str
            or t is int
            or t is bool
            or value is None
            or (t is float and not (math.isnan(value) or math.isinf(value)))
        ):
            leaves.append(Leaf(path, value, trail))
        else:
            leaves.append(Leaf(path, _plain_scalar(value, event), trail))
    return leaves


def _plain_scalar(value: Any, event: Any) -> Any:
    """A subclass of a JSON scalar type (an enum, numpy.float64) as its plain value."""
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, str):
        return str(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float) and not (math.isnan(value) or math.isinf(value)):
        return float(value)
    _reject(event)


def _reject(event: Any) -> NoReturn:
    where, message = find_non_json(event)
    raise InvalidEventError(message or f"Expected a JSON value - at `{where or '$'}`")


# --- The decision automaton's walk (tables built by `patterns.machine`) ----------------------------
#
# Everything below reads `patterns.machine.Tables` and `ValueIndex` records; docs/design.md
# section 6 draws them. Integer tables are `array`s indexed by state / edge / list id; dicts
# appear only where a string (or a number's double) is the key. A "list id" k names the ints
# list_items[list_off[k]:list_off[k + 1]]: target states, or anything-but operand numbers.

_DOUBLE = struct.Struct("<d")
_U64 = struct.Struct("<Q")
_SIGN = 1 << 63
_ALL = (1 << 64) - 1

#: {path id: [(value, trail), ...]}: the leaves of one event on the paths some rule names.
LeavesByPath = dict[int, list[tuple[Any, tuple]]]


def number_key(x: float) -> int:
    """The order-preserving unsigned 64-bit key of a double: a < b exactly when key(a) < key(b).

    Positives get the sign bit set, negatives have every bit flipped; -0.0 is first made 0.0 so
    that the two zeros, equal as doubles, share a key.
    """
    if x == 0.0:
        x = 0.0
    (bits,) = _U64.unpack(_DOUBLE.pack(x))
    return bits ^ _ALL if bits & _SIGN else bits | _SIGN


def select_leaves(event: dict, prefixes: frozenset[str] | None, path_ids: dict[str, int]) -> LeavesByPath:
    """Group an event's leaves by path id, keeping only the paths some rule names.

    Args:
        event: the decoded event.
        prefixes: every rule path and every dotted prefix of one; a subtree whose path is not in
            it is skipped unwalked (quamina's field skipping). None walks the whole event and
            rejects what JSON cannot hold, exactly as `flatten` does: for events given as
            dicts, which no JSON decoder checked. With `prefixes`, the event must come from a
            JSON decoder (only plain str, int, float, bool and None scalars).
        path_ids: rule path -> path id.

    Returns:
        Path id -> the (value, trail) of each leaf there, in document order.

    Raises:
        InvalidEventError: `prefixes` is None and the event holds something JSON cannot.
    """
    out: LeavesByPath = {}
    if prefixes is None:
        for leaf in flatten(event):
            pid = path_ids.get(leaf.path)
            if pid is not None:
                out.setdefault(pid, []).append((leaf.value, leaf.trail))
        return out
    # The walk of `flatten` (same paths, same trails up to the numbering of arrays), pruned at
    # paths no rule reaches and with scalars taken where they are met rather than stacked. The
    # order of leaves differs from `flatten`'s; nothing downstream depends on it. The empty
    # path is always walked: a key "" at the top joins as "" and is invisible in paths.
    next_array = 0
    stack: list[tuple[Any, str, tuple]] = [(event, "", ())]
    while stack:
        value, path, trail = stack.pop()
        if type(value) is dict:
            for key, child in value.items():
                child_path = f"{path}.{key}" if path else key
                if child_path and child_path not in prefixes:
                    continue
                t = type(child)
                if t is dict or t is list:
                    stack.append((child, child_path, trail))
                else:
                    pid = path_ids.get(child_path)
                    if pid is not None:  # a JSON decoder made this: str, int, float, bool, None
                        if pid in out:
                            out[pid].append((child, trail))
                        else:
                            out[pid] = [(child, trail)]
        else:  # a list: each element is a value at the same path, tagged with this array
            array_id = next_array
            next_array += 1
            pid = path_ids.get(path)
            for index, child in enumerate(value):
                t = type(child)
                if t is dict or t is list:
                    stack.append((child, path, trail + ((array_id, index),)))
                elif pid is not None:
                    # A scalar element keeps its parent's trail: only leaves at other paths could
                    # conflict with its index, and none sit inside a scalar (event-ruler records
                    # array membership for object and array elements alone, for this reason).
                    out.setdefault(pid, []).append((child, trail))
    return out


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


def fire(vi: Any, value: Any, list_off: Any, list_items: Any) -> list[int]:
    """The list ids of target states one value index sends one event value to.

    Args:
        vi: a `patterns.machine.ValueIndex`.
        value: an event scalar (str, int, float, bool or None).
        list_off, list_items: the machine's int lists (anything-but exclusions live there).

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
        if vi.cidr4_keys is not None or vi.cidr6_keys is not None:
            ip = parse_ip(value)
            if ip is not None:
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
                excluded = {list_items[j] for k in hits for j in range(list_off[k], list_off[k + 1])}
            if vi.ab_wildcard is not None:
                accepted = vi.ab_wildcard.run(value)
                if accepted:
                    excluded = (excluded or set()).union(accepted)
    elif t is bool or value is None:
        if vi.literal is not None:
            k = vi.literal[2 if value is None else int(value)]
            if k >= 0:
                out.append(k)
    else:  # a number
        x = as_double(value)
        if vi.num_keys is not None:
            k = vi.num_slots[_slot(vi.num_keys, number_key(x))]
            if k >= 0:
                out.append(k)
        if vi.ab_num is not None:
            k = vi.ab_num.get(x)
            if k is not None:
                excluded = {list_items[j] for j in range(list_off[k], list_off[k + 1])}
    if vi.exists >= 0:
        out.append(vi.exists)
    if vi.ab_lists is not None:
        if excluded:
            out.extend([k for i, k in enumerate(vi.ab_lists) if i not in excluded])
        else:
            out.extend(vi.ab_lists)
    return out


def _extend(assignment: tuple, trail: tuple) -> tuple | None:
    # assignment: sorted ((array id, element index), ...) of the leaves consumed so far. None
    # when the trail disagrees with it on some array.
    chosen = dict(assignment)
    for array_id, index in trail:
        if chosen.setdefault(array_id, index) != index:
            return None
    return tuple(sorted(chosen.items()))


def prepare(tables: Any) -> tuple[list, list]:
    """What this walker reads, prepared once from freshly built tables (before publication).

    The flat tables stay the contract (a C walker reads them as they are); Python reads a
    tuple attribute far faster than it indexes an `array` (each element read boxes an int), so
    the pure walker keeps, per state, one tuple of what it needs:

        steps[s]   = (rule ids ending at s or None,
                      ((path id, exact-only dict or None, probe), ...) or None,
                      ((path id, list id), ...) or None)       exists:false edges
        targets[k] = the states of list k, as a tuple

    A probe maps one event value to the list ids it hits: `fire` on the index, or, for the
    indexes that hold one kind of structure only (ignore-case strings, prefixes, numbers), a
    closure doing just that lookup, which spares the walk `fire`'s test of every kind.

    Args:
        tables: a `patterns.machine.Tables`.

    Returns:
        (steps, targets).
    """
    off, items = tables.list_off, tables.list_items
    targets = [tuple(items[off[k] : off[k + 1]]) for k in range(len(off) - 1)]
    indexes = tables.indexes
    probes = [_probe(vi, off, items) for vi in indexes]
    steps = []
    for state, has in enumerate(tables.state_has):
        terms = (
            tuple(tables.term_rules[tables.term_off[state] : tables.term_off[state + 1]]) if has & 1 else None
        )
        edges = None
        if has & 2:
            edges = (
                tuple(
                    (tables.edge_path[j], indexes[tables.edge_vix[j]].exact_only, probes[tables.edge_vix[j]])
                    for j in range(tables.edge_off[state], tables.edge_off[state + 1])
                )
                or None
            )
        absent = None
        if has & 4:
            absent = tuple(
                (tables.absent_path[j], tables.absent_list[j])
                for j in range(tables.absent_off[state], tables.absent_off[state + 1])
            )
        steps.append((terms, edges, absent))
    return steps, targets


_COMPANIONS = frozenset({"exact_only", "needs_fold"})


def _probe(vi: Any, list_off: Any, list_items: Any) -> Any:
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
    return lambda value: fire(vi, value, list_off, list_items)


def run_machine(tables: Any, by_path: LeavesByPath) -> set[int]:
    """The rule ids whose branches an event's leaves complete, walking the automaton.

    A depth-first walk over positions (state, array assignment) from state 0; see
    docs/design.md section 6. Positions are expanded once each.

    Args:
        tables: a `patterns.machine.Tables` (its `walk` made by `prepare`).
        by_path: the event's leaves (`select_leaves`).

    Returns:
        The ids of the matching rules.
    """
    steps, targets = tables.walk
    if not any(trail for leaves in by_path.values() for _, trail in leaves):
        return _run_flat(steps, targets, by_path)
    found: set[int] = set()
    seen: set[Any] = set()
    stack: list[tuple[int, tuple]] = [(0, ())]
    pop, push = stack.pop, stack.append
    while stack:
        state, assignment = pop()
        key = (state, assignment) if assignment else state
        if key in seen:
            continue
        seen.add(key)
        terms, edges, absent = steps[state]
        if terms is not None:
            found.update(terms)
        if edges is not None:
            for path_id, exact, probe in edges:
                leaves = by_path.get(path_id)
                if leaves is None:
                    continue
                for value, trail in leaves:
                    if exact is not None:  # the common index: exact strings only, one lookup
                        if type(value) is not str:
                            continue
                        k = exact.get(value)
                        if k is None:
                            continue
                        hits: Any = (k,)
                    else:
                        hits = probe(value)
                        if not hits:
                            continue
                    after = _extend(assignment, trail) if trail else assignment
                    if after is None:
                        continue
                    for k in hits:
                        for target in targets[k]:
                            push((target, after))
        if absent is not None:
            for path_id, k in absent:
                if path_id not in by_path:
                    for target in targets[k]:
                        push((target, assignment))
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
            for path_id, exact, probe in edges:
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
