"""`describe(machine)`: a text drawing of a machine's published automaton, for people and docs.

It reads one snapshot (`Machine._current()`) through its flat form (`Tables.flat()`) and draws
each live state: the rules ending there, then, per field the state reads, the value index's
entries by kind and the states each sends the walk to, and the absence edge:

    eventbridge machine: 2 rules, 4 states
    s0
      detail.amount  num [1000, +inf) -> s2
      source         exact "aws.ec2" -> s1
    s1
      detail.state   exact "stopped" -> s3
    s2  ends: big-orders
    s3  ends: ec2-stopped

Kinds carry `ValueIndex`'s slot names (``exact``, ``prefix_ci``, ``num``, ``cidr4`` ...), so a
line leads to the structure that holds it. The drawing is deterministic: fields sorted by path,
keys sorted within a kind (number and address ranges in their order), state and rule ids as the
snapshot has them. docs/design.md shows one, and tests/unit/test_describe.py keeps it current.
"""

from __future__ import annotations

import ipaddress
import json
import math
from typing import Any

from .automaton import FlatTables, ValueIndex
from .machine import Machine
from .numbers import double_of_key
from .walk import tree_hits

__all__ = ["describe"]


def describe(machine: Machine) -> str:
    """Draw the automaton a machine matches with now, one line per state, field entry or edge.

    Args:
        machine: any `Machine`; one that has never matched builds its tables first, as its
            first match would.

    Returns:
        The drawing, lines joined with newlines (no trailing newline).
    """
    tables = machine._current()  # one snapshot: everything below reads only it
    flat = tables.flat()
    lists = _Lists(flat)
    names = tables.names
    live = [s for s in range(len(flat.state_has)) if s == 0 or flat.state_parent[s] >= 0]
    fields: dict[int, list[tuple[str, list[str]]]] = {}
    width = 0
    rule_ids = set(tables.empty_rules)
    for s in live:
        rule_ids.update(flat.term_rules[flat.term_off[s] : flat.term_off[s + 1]])
        per_path: dict[int, list[str]] = {}
        for e in range(flat.edge_off[s], flat.edge_off[s + 1]):
            per_path.setdefault(flat.edge_path[e], []).extend(
                _index_lines(flat.indexes[flat.edge_vix[e]], lists)
            )
        for e in range(flat.absent_off[s], flat.absent_off[s + 1]):
            per_path.setdefault(flat.absent_path[e], []).append(
                f"absent -> {lists.states(flat.absent_list[e])}"
            )
        rows = sorted((tables.path_names[pid], lines) for pid, lines in per_path.items())
        fields[s] = rows
        width = max([width, *(len(path) for path, _ in rows)])
    head = f"{machine.dialect.name} machine: {_count(len(rule_ids), 'rule')}, {_count(len(live), 'state')}"
    out = [head]
    if tables.empty_rules:
        out.append("matches every input: " + ", ".join(names[r] for r in tables.empty_rules))
    for s in live:
        ends = flat.term_rules[flat.term_off[s] : flat.term_off[s + 1]]
        out.append(f"s{s}  ends: {', '.join(names[r] for r in ends)}" if ends else f"s{s}")
        for path, lines in fields[s]:
            for i, line in enumerate(lines):
                out.append(f"  {path if i == 0 else '':<{width}}  {line}")
    return "\n".join(out)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


class _Lists:
    """The int lists of one flat snapshot, drawn as target states or operand numbers."""

    def __init__(self, flat: FlatTables) -> None:
        self.off = flat.list_off
        self.items = flat.list_items

    def of(self, k: int) -> list[int]:
        return list(self.items[self.off[k] : self.off[k + 1]])

    def states(self, k: int) -> str:
        return ", ".join(f"s{t}" for t in self.of(k))


def _index_lines(vi: ValueIndex, lists: _Lists) -> list[str]:
    """One line per entry of a value index: its kind, its key, and where a hit sends the walk."""
    out: list[str] = []

    def keyed(kind: str, table: dict | None, show: Any) -> None:
        if table:
            for key, k in sorted(table.items(), key=lambda item: item[0]):
                out.append(f"{kind} {show(key)} -> {lists.states(k)}")

    keyed("exact", vi.exact, _string)
    keyed("ip_exact", vi.ip_exact, lambda key: _address(*key))
    keyed("folded", vi.folded, _string)
    for kind in ("prefix", "prefix_ci", "suffix", "suffix_ci"):
        keyed(kind, getattr(vi, kind), _string)
    if vi.literal is not None:
        for word, k in zip(("false", "true", "null"), vi.literal, strict=True):
            if k >= 0:
                out.append(f"literal {word} -> {lists.states(k)}")
    if vi.num_tree is not None:  # the slots' lists, gathered from the tree: one line per run
        tree = vi.num_tree
        slots = []
        for slot in range(2 * len(vi.num_keys) + 1):
            hits: list[int] = []
            tree_hits(tree, slot, hits)
            slots.append(", ".join(f"s{t}" for t in sorted({t for k in hits for t in lists.of(k)})) or -1)
        spans = _ranges(vi.num_keys, slots, lambda key: _number(double_of_key(key)))
        out.extend(f"num {span} -> {states}" for span, states in spans)
        for lo, lo_inc, hi, hi_inc, k in vi.num_extra or ():
            low = "(-inf" if lo is None else ("[" if lo_inc else "(") + _number(double_of_key(lo))
            high = "+inf)" if hi is None else _number(double_of_key(hi)) + ("]" if hi_inc else ")")
            out.append(f"num {low}, {high} -> {lists.states(k)}")
    for kind, keys, slots, show in (
        (
            "num",
            vi.num_keys if vi.num_tree is None else None,
            vi.num_slots,
            lambda key: _number(double_of_key(key)),
        ),
        ("cidr4", vi.cidr4_keys, vi.cidr4_slots, lambda key: _address(4, key)),
        ("cidr6", vi.cidr6_keys, vi.cidr6_slots, lambda key: _address(6, key)),
    ):
        if keys is not None:
            out.extend(f"{kind} {span} -> {lists.states(k)}" for span, k in _ranges(keys, slots, show))
    if vi.wildcard is not None:
        for operand, k in sorted(vi.wildcard.operands):
            out.append(f"wildcard {_string(operand)} -> {lists.states(k)}")
    if vi.exists >= 0:
        out.append(f"exists -> {lists.states(vi.exists)}")
    if vi.exists_value >= 0:
        out.append(f"exists_value -> {lists.states(vi.exists_value)}")
    if vi.ab_lists is not None:
        excluded = _exclusions(vi, lists)
        for i, k in enumerate(vi.ab_lists):
            out.append(f"anything-but {', '.join(excluded.get(i, []))} -> {lists.states(k)}")
    return out


def _exclusions(vi: ValueIndex, lists: _Lists) -> dict[int, list[str]]:
    # anything-but operand number -> what it excludes, read back from the ab_* structures
    found: dict[int, list[str]] = {}
    for kind, table, show in (
        ("", vi.ab_str, _string),
        ("", vi.ab_num, _number),
        ("folded ", vi.ab_folded, _string),
        ("prefix ", vi.ab_prefix, _string),
        ("suffix ", vi.ab_suffix, _string),
    ):
        for key, k in sorted((table or {}).items(), key=lambda item: item[0]):
            for operand in lists.of(k):
                found.setdefault(operand, []).append(kind + show(key))
    if vi.ab_wildcard is not None:  # its payloads are operand numbers themselves
        for text, operand in sorted(vi.ab_wildcard.operands):
            found.setdefault(operand, []).append("wildcard " + _string(text))
    return found


def _ranges(keys: Any, slots: Any, show: Any) -> list[tuple[str, Any]]:
    # The 2n+1 slots of a range table (slot 2i: the gap below key i; 2i+1: key i itself) as
    # maximal runs of one list id, each drawn as an interval of the keys.
    out: list[tuple[str, int]] = []
    n = len(keys)
    first = 0
    for slot in range(len(slots) + 1):
        if slot < len(slots) and slots[slot] == slots[first]:
            continue
        k, last = slots[first], slot - 1
        if k != -1:  # a list id, or (a tree's slots) the states drawn
            if first % 2:
                low = "[" + show(keys[first // 2])
            else:
                low = "(-inf" if first == 0 else "(" + show(keys[first // 2 - 1])
            if last % 2:
                high = show(keys[last // 2]) + "]"
            else:
                high = "+inf)" if last // 2 == n else show(keys[last // 2]) + ")"
            span = f"= {show(keys[first // 2])}" if first == last and first % 2 else f"{low}, {high}"
            out.append((span, k))
        first = slot
    return out


def _number(x: float) -> str:
    if not math.isfinite(x):
        return str(x)
    return str(int(x)) if x.is_integer() and abs(x) < 2**53 else repr(x)


def _address(version: int, value: int) -> str:
    return str(ipaddress.IPv4Address(value) if version == 4 else ipaddress.IPv6Address(value))


def _string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)
