"""The pure-Python matcher twin: the readable reference for `_match_c`, same names and results.

Both twins export the names of `__all__` with the same signatures and the same answers;
`patterns._match` exports one twin's, all of them. What they are for:

    scan_table(prefixes, path_ids)     what the byte reader reads, once per published tables
    scan_leaves(raw, table)            a JSON text's leaves on rule paths, or None (not sure)
    compile_state(entry, lists, parent, names)
                                       a state, from its columns, as this twin's walk reads
                                       it beside the reference entry (here: nothing more, None)
    match_json(tables, raw, named)     the rules a JSON text matches, or None (not sure)
    match_dict(tables, event, named, checked)
                                       the rules a decoded event matches, or None (not sure)
    match_json_many(tables, events)    `match_json(..., named=True)` of each event of a list
    match_batch(tables, events)        `match_json`'s rule ids of each event of a sequence, as
                                       two flat int arrays, the events it declines, and the
                                       names of those rules (a `BatchNames`)
    compiled_match(tables, slow)       a `FastMatch`: one machine's match of these tables
    reads_lowered                      whether this twin reads `ValueIndex.lowered` (the writer
                                       lowers each index only for a twin that does; here: no)
    attributes_to_event, body_to_event the SNS readers (here: `patterns.sns`'s, which they are)

"Not sure" (None) sends the caller to the decoding road (`patterns.engine.run`), which gives
the answer or words the error; this twin is sure of every valid event, and declines exactly
where that road raises.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from .errors import InvalidEventError
from .events import Contexts, decode_event
from .sns import attributes_to_event, body_to_event
from .walk import LeavesByPath, run_machine, select_leaves

__all__ = [
    "attributes_to_event",
    "body_to_event",
    "compile_state",
    "compiled_match",
    "match_batch",
    "match_dict",
    "match_json",
    "match_json_many",
    "reads_lowered",
    "scan_leaves",
    "scan_table",
]

_JSON_TEXT = (bytes, bytearray, memoryview, str)


class ScanTable(NamedTuple):
    """What `scan_leaves` reads: on this road, the rule paths as `select_leaves` takes them."""

    prefixes: frozenset[str]
    path_ids: dict[str, int]


def scan_table(prefixes: frozenset[str], path_ids: dict[str, int]) -> ScanTable:
    """Build what `scan_leaves` reads for one set of rule paths (once per published tables).

    Args:
        prefixes: every rule path and every dotted prefix of one (`Tables.prefixes`).
        path_ids: rule path -> path id (`Tables.path_ids`).

    Returns:
        An immutable table, safe to share between threads.
    """
    return ScanTable(prefixes, path_ids)


def scan_leaves(raw: Any, table: ScanTable) -> tuple[LeavesByPath, Contexts] | None:
    """`select_leaves` of a JSON event given as bytes, bytearray, memoryview or str, or None.

    The contract both twins keep (docs/scanner.md): the answer is
    `select_leaves(decode_event(raw), prefixes, path_ids)`'s (leaves in any order, contexts
    possibly numbered otherwise, with the same meaning), or None when the scanner cannot
    promise it; the caller then takes that slow road, which also raises the right
    `InvalidEventError`. The compiled twin reads the raw JSON once and decodes only values on
    rule paths; this one is the statement of the contract: it is the slow road itself, and
    returns None only where that road raises (so an invalid event is decoded twice here).

    Args:
        raw: the event's JSON.
        table: `scan_table(tables.prefixes, tables.path_ids)`.

    Returns:
        (path id -> [(value, context), ...], contexts), or None.
    """
    if not isinstance(raw, (bytes, bytearray, memoryview, str)):
        return None
    try:
        event = decode_event(raw)
    except InvalidEventError:
        return None
    return select_leaves(event, table.prefixes, table.path_ids, checked=True)


#: This twin walks the reference entries and never reads `ValueIndex.lowered`.
reads_lowered = False


def compile_state(entry: tuple, lists: Any, parent: int, names: dict[int, str]) -> None:
    """One state as this twin's walk reads it beside the reference entry: nothing more.

    This twin walks the reference entries themselves (`Tables.walk`, made by `walk.prepare`),
    so it keeps nothing per state; the compiled twin copies the same columns into C.

    Args:
        entry: the state's columns (rule ids, ((path id, `ValueIndex`), ...) edges,
            ((path id, list id), ...) absence edges) (read by the compiled twin; unused here).
        lists: list id -> its items (read by the compiled twin; unused here).
        parent: the state whose edge leads here (read by the compiled twin; unused here).
        names: rule id -> name (read by the compiled twin; unused here).

    Returns:
        None.
    """
    return None


def _answer(tables: Any, found: set[int], named: bool) -> list:
    ids = sorted(found)
    if named:
        names = tables.names
        return [names[r] for r in ids]
    return ids


def match_json(tables: Any, raw: Any, named: bool = False) -> list | None:
    """The rules a JSON event matches in `tables`, or None where the decoding road must answer.

    Args:
        tables: a published `patterns.automaton.Tables`.
        raw: the event's JSON (bytes, bytearray, memoryview or str; anything else: None).
        named: the answer names the rules (else it gives their ids).

    Returns:
        Sorted rule ids (no repeats), or their names in that order, or None.
    """
    found = scan_leaves(raw, tables.scan)
    if found is None:
        return None
    return _answer(tables, run_machine(tables, *found), named)


def match_dict(tables: Any, event: Any, named: bool = False, checked: bool = False) -> list | None:
    """The rules a decoded event matches in `tables`, or None where the decoding road must
    answer (an event that is not a dict, or one holding what JSON cannot: the road words it).

    Args:
        tables: a published `patterns.automaton.Tables`.
        event: the decoded event (only a dict is walked).
        named: the answer names the rules (else it gives their ids).
        checked: a JSON decoder made the event (`Dialect.decode_checked`): it holds only JSON's
            own values, so it is not checked again; False for a caller's dict, checked whole.

    Returns:
        Sorted rule ids (no repeats), or their names in that order, or None.
    """
    if type(event) is not dict:
        return None
    try:
        by_path, contexts = select_leaves(event, tables.prefixes, tables.path_ids, checked=checked)
    except InvalidEventError:
        return None
    return _answer(tables, run_machine(tables, by_path, contexts), named)


def match_json_many(tables: Any, events: list) -> list[list[str] | None]:
    """`match_json(tables, event, named=True)` of every event of a list.

    Args:
        tables: a published `patterns.automaton.Tables`.
        events: the events (bytes, bytearray, memoryview or str each; anything else gets None).

    Returns:
        Per event, the names of the rules it matches (sorted by rule id), or None.
    """
    return [match_json(tables, event, True) for event in events]


class BatchNames:
    """The names of the rules each event of a batch matches, as `match_batch` found them.

    Event k's names are those of its rule ids, in their order (an event `match_batch`
    declines has none). Immutable; each call hands out new lists, which the caller owns.
    """

    __slots__ = ("_names",)

    def __init__(self, names: list[list[str]]) -> None:
        self._names = names

    def __len__(self) -> int:
        return len(self._names)

    def names(self, k: int) -> list[str]:
        """The names of event k's rules (0 <= k < len(self)).

        Raises:
            IndexError: k is out of range.
        """
        if not 0 <= k < len(self._names):
            raise IndexError(k)
        return list(self._names[k])

    def lists(self) -> list[list[str]]:
        """Every event's names, one list an event, in order."""
        return [list(names) for names in self._names]


def match_batch(tables: Any, events: Sequence[Any]) -> tuple[array[int], array[int], list[int], BatchNames]:
    """The rule ids of every JSON event of a sequence, as two flat arrays, what it declines,
    and the rules' names.

    Args:
        tables: a published `patterns.automaton.Tables`.
        events: the events (bytes, bytearray, memoryview or str each).

    Returns:
        (offsets, rule_ids, declined, names): `array('i')`s, event k's rule ids (sorted, no
        repeats) being ``rule_ids[offsets[k]:offsets[k + 1]]``; the indexes of the events
        `match_json` declines (None: invalid, or not JSON text), whose range is empty; and a
        `BatchNames` holding the names of each event's rules, in that order.
    """
    offsets = array("i", [0])
    rule_ids = array("i")
    declined = []
    names: list[list[str]] = []
    rule_names = tables.names
    for k, event in enumerate(events):
        found = match_json(tables, event)
        if found is None:
            declined.append(k)
            names.append([])
        else:
            rule_ids.extend(found)
            names.append([rule_names[r] for r in found])
        offsets.append(len(rule_ids))
    return offsets, rule_ids, declined, BatchNames(names)


Slow = Callable[[Any, Any], list[str]]


class FastMatch:
    """One machine's match of one published `Tables` on this twin's road (see `compiled_match`).

    A dict goes to `match_dict`, anything else to `match_json`; where either is not sure,
    `slow(tables, event)` (the decoding road) answers from the same tables. Immutable.
    """

    __slots__ = ("slow", "tables")

    def __init__(self, tables: Any, slow: Slow) -> None:
        self.tables = tables
        self.slow = slow

    def match(self, event: Any) -> list[str]:
        """The names of the rules `event` matches in these tables (see `LiveMatch.match`)."""
        # `match_json` and `match_dict` inlined: this is every pure match's one frame below
        # the machine's own, so it calls the reference walker directly
        tables = self.tables
        if type(event) is dict:
            try:
                leaves = select_leaves(event, tables.prefixes, tables.path_ids, checked=False)
            except InvalidEventError:
                return self.slow(tables, event)  # the decoding road words the error
        else:
            leaves = scan_leaves(event, tables.scan)
            if leaves is None:
                return self.slow(tables, event)
        found = run_machine(tables, *leaves)
        names = tables.names
        if len(found) == 1:
            return [names[r] for r in found]
        return [names[r] for r in sorted(found)]

    def live(self) -> LiveMatch:
        """A new `LiveMatch` answering from these tables (and with their `slow`)."""
        live = LiveMatch(self.slow)
        live.publish(self, self.tables)
        return live


class LiveMatch:
    """A machine's `match`, always from the latest publication (`publish`).

    A match reads the current `FastMatch` with one attribute load, so it answers from one
    snapshot whatever another thread publishes meanwhile.
    """

    __slots__ = ("cur", "slow", "tables")

    def __init__(self, slow: Slow) -> None:
        self.cur: FastMatch | None = None
        self.tables: Any = None
        self.slow = slow

    def publish(self, cur: FastMatch | None, tables: Any) -> None:
        """From now on, answer from `tables`: through `cur`, or (None) the decoding road."""
        self.cur = cur
        self.tables = tables

    def match(self, event: Any) -> list[str]:
        """The names of every rule that matches an event (see `patterns.Machine.match`).

        Raises:
            InvalidEventError: as `Pattern.matches` raises it for this event.
            RuntimeError: nothing was published yet.
        """
        cur = self.cur
        if cur is None:
            tables = self.tables
            if tables is None:
                raise RuntimeError("LiveMatch.match before anything was published")
            return self.slow(tables, event)
        return cur.match(event)


def compiled_match(tables: Any, slow: Slow) -> FastMatch:
    """This twin's match of one published `Tables`: a `FastMatch`.

    Args:
        tables: a published `patterns.automaton.Tables`.
        slow: `slow(tables, event)` answers (rule names) where this road is not sure.
    """
    return FastMatch(tables, slow)
