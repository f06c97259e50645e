"""What a machine's automaton holds, counted the same way whatever its history: `Machine.stats`
and the memory budget (docs/snapshot.md, "Known size").

The counts are read from the builder's trie (`patterns.compiler`), which is determined by the
set of rules alone: two machines holding the same rules give the same figures, whatever order
the rules came in, whatever was added and removed before, whichever twin runs, and however the
Python allocator lays the objects out. `table_bytes` prices that content as a compact layout
stores it (below); the process's memory for it is a multiple of that today (docs/snapshot.md
gives the measured ratio), and `tracemalloc` and RSS are not deterministic, which is why a
budget is kept in table bytes.

    a state          16 bytes  (its edge and rule-id offsets, its parent)
    an edge          8 bytes   (path id, target state) + its value list's operands
    an operand       8 bytes   + a string's UTF-8 bytes; a range or IPv4 network 16, an
                               IPv6 network 32; anything-but: 8 per excluded value + its bytes
    a rule id ending at a state   4 bytes
    a rule           8 bytes + its name's UTF-8 bytes

`delta` prices one change without making it (a read-only walk of the trie along the rule's
branches), so a change that would pass the budget is refused before anything is touched.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from .compiler import Builder, _child, _ending, _ends, _kids, _Node, _sorted_branch
from .model import AnythingBut, Branch, Cidr, Leaf, Numeric

__all__ = ["Footprint", "delta", "measure"]

STATE_BYTES = 16
EDGE_BYTES = 8
OPERAND_BYTES = 8
TERMINAL_BYTES = 4
RULE_BYTES = 8


@dataclass(frozen=True, slots=True)
class Footprint:
    """Counts of a machine's automaton (`Machine.stats`).

    Attributes:
        rules: rules held.
        states: states of the automaton (the start state included).
        edges: edges between states (each reads one field and holds one value list).
        operands: values in those lists (each an index entry: a string, a number, a range...).
        terminals: (state, rule) pairs: where a rule's branch ends.
        table_bytes: the content priced as its compact layout stores it (module docs).
    """

    rules: int = 0
    states: int = 1
    edges: int = 0
    operands: int = 0
    terminals: int = 0
    table_bytes: int = STATE_BYTES

    def __add__(self, other: Footprint) -> Footprint:
        return Footprint(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(Footprint)))

    def as_dict(self) -> dict[str, int]:
        """The counts as a plain dict (for JSON)."""
        return {f.name: getattr(self, f.name) for f in fields(Footprint)}


def _operand_bytes(matcher: Any) -> int:
    if isinstance(matcher, AnythingBut):
        return OPERAND_BYTES + sum(
            OPERAND_BYTES + (len(v.encode("utf-8", "surrogatepass")) if isinstance(v, str) else 0)
            for v in matcher.values
        )
    if isinstance(matcher, Numeric):
        return OPERAND_BYTES + 16
    if isinstance(matcher, Cidr):
        return OPERAND_BYTES + (16 if matcher.version == 4 else 32)
    value = getattr(matcher, "value", None)
    if isinstance(value, str):
        return OPERAND_BYTES + len(value.encode("utf-8", "surrogatepass"))
    return OPERAND_BYTES


def _edge_bytes(leaf: Leaf) -> int:
    return EDGE_BYTES + sum(_operand_bytes(m) for m in leaf.matchers)


def rule_bytes(name: str) -> int:
    """What a rule's name costs, beside its states and edges."""
    return RULE_BYTES + len(name.encode("utf-8", "surrogatepass"))


def measure(builder: Builder, names: list[str]) -> Footprint:
    """The footprint of the trie of `builder`, holding the rules named `names`.

    One pass over the trie, with its own stack (a trie may be deep).
    """
    root = builder._root
    states = edges = operands = terminals = 0
    table = 0
    stack = [root]
    while stack:
        node = stack.pop()
        states += 1
        terminals += len(_ends(node))
        for child in _kids(node):
            leaf = child.key[1]
            edges += 1
            operands += len(leaf.matchers)
            table += _edge_bytes(leaf)
            stack.append(child)
    table += STATE_BYTES * states + TERMINAL_BYTES * terminals + sum(rule_bytes(n) for n in names)
    return Footprint(len(names), states, edges, operands, terminals, table)


def delta(
    builder: Builder,
    rule_id: int,
    branches: tuple[Branch, ...],
    replacing: tuple[Branch, ...] | None,
    pending: dict[Any, Any] | None = None,
) -> Footprint:
    """What adding a rule's `branches` (in place of `replacing`, its old ones) would change in
    the footprint of the trie of `builder`, found without changing the trie.

    `pending` carries the simulated changes of earlier rules of one batch (`add_many`), keyed
    by node (use counts and terminal counts changed, children made): pass the same dict for
    each rule of the batch, in order. The rule's own name is not counted (see `rule_bytes`).
    """
    root = builder._root
    sim: dict[Any, Any] = {} if pending is None else pending
    states = edges = operands = terminals = table = 0

    def uses(node: Any) -> int:
        return int(sim.get(("uses", node), node.uses if isinstance(node, _Node) else 0))

    def ends(node: Any) -> int:
        base = _ending(node, rule_id) if isinstance(node, _Node) else 0
        return int(sim.get(("ends", node, rule_id), base))

    def child_of(node: Any, key: tuple[str, Leaf]) -> Any:
        made = sim.get(("child", node, key))
        if made is not None:
            return made if made != -1 else None
        return _child(node, key) if isinstance(node, _Node) else None

    for branch in replacing or ():
        node: Any = root
        for key in _sorted_branch(branch):
            child = child_of(node, key)
            left = uses(child) - 1
            sim[("uses", child)] = left
            if left == 0:
                sim[("child", node, key)] = -1
                states -= 1
                edges -= 1
                operands -= len(key[1].matchers)
                table -= _edge_bytes(key[1])
            node = child
        count = ends(node) - 1
        sim[("ends", node, rule_id)] = count
        if count == 0:
            terminals -= 1
    for branch in branches:
        node = root
        for key in _sorted_branch(branch):
            child = child_of(node, key)
            if child is None:
                child = ("new", len(sim), key)  # a node this simulation made
                sim[("child", node, key)] = child
                states += 1
                edges += 1
                operands += len(key[1].matchers)
                table += _edge_bytes(key[1])
            sim[("uses", child)] = uses(child) + 1
            node = child
        count = ends(node)
        sim[("ends", node, rule_id)] = count + 1
        if count == 0:
            terminals += 1
    table += STATE_BYTES * states + TERMINAL_BYTES * terminals
    return Footprint(0, states, edges, operands, terminals, table)
