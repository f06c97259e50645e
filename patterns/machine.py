"""`Machine`: many named rules compiled into one decision automaton, changed while events flow.

The public API (docs/automaton.md): `patterns.compiler.Builder` builds and publishes the automaton,
`patterns.automaton` defines the tables a match reads, `patterns.engine` answers from them.

Re-exports: none. The builder and its settings live in `patterns.compiler`, the twin in
`patterns.engine`: import them, and patch them (`_COMPACT_SLACK`, `Twin.current`), there, where
they are read.
"""

from __future__ import annotations

import functools
import os
import threading
import typing
from array import array
from collections.abc import Iterable, Iterator, Mapping, Sequence
from types import MappingProxyType
from typing import IO, Any, Literal

import orjson

from . import engine
from ._gc import paused as collector_paused
from .automaton import Tables
from .compiler import Builder
from .core import Pattern, PatternSource, compile
from .dialects import BUS, Dialect, get_dialect
from .engine import Twin
from .errors import BudgetError, InvalidEventError, InvalidPatternError, SnapshotError
from .footprint import Footprint, delta, measure, rule_bytes
from .snapshot import pack, unpack
from .subscribers import SubscriberFilter, bus_dialect, copies_of

__all__ = ["BatchResult", "Machine"]

#: Events `Machine.match_many` matches per release of the GIL: large enough that taking the GIL
#: back is rare, small enough that a change of rules re-matches little.
MANY_BATCH = 512


class Machine:
    """Named rules of one dialect, compiled into one automaton: which rules match this event?

        m = Machine(dialect="eventbridge")
        m.add("ec2-stopped", '{"source": ["aws.ec2"], "detail": {"state": ["stopped"]}}')
        m.match(event_bytes)   # -> ["ec2-stopped"]

    Results list rule names in the order the names were first added (replacing a rule keeps
    its place). Per-event cost depends on the event and on the rules that can still match, not
    on the number of rules (docs/automaton.md, docs/performance.md).

    Concurrency contract: any number of threads may call `match`, `match_many`, `len`, `in` and
    iterate while other threads call `add`, `add_many` and `remove`. Changes are serialised by
    one lock (an `add_many` batch is one change: validated before the lock, published once);
    each edits the builder and, once tables have been published, publishes new `Tables` with one
    reference store (`_tables`). Published tables never change (two of their tables grow
    append-only, unseen by the snapshots before: see `Tables`). A match reads them with one
    attribute load, takes no lock (but the first match of a machine, which builds the tables
    under it) and writes nothing shared, so it sees the rule set as it was
    before a change or as it is after it, never part of one; a match that starts after `add` or
    `remove` returned sees the change.

    Cost model: `add` and `remove` cost O(size of the pattern) (plus validation for `add`) in
    the builder, plus, once tables are published, copy-on-write of what the change touched: the
    value indexes of the (state, field) pairs on the rule's branches (a large exact index
    through an overlay of the keys changed), those states' entries, and the pages of the
    per-state columns it writes (about 0.1 ms at 100,000 rules; `bench/bench_bulk.py`,
    docs/automaton.md). When freed ids pass half the live ones, the change compacts the
    tables with a full rebuild, O(size of the automaton), in the writer; matches go on with the
    tables before it meanwhile. A machine that has never matched publishes nothing: its first
    match builds the tables once, so loading many rules is paid for once.

    The first match also makes the machine's `match` its own attribute (`_set_tables`): a
    `LiveMatch` that always answers from the latest tables (on the compiled build a C method,
    with no Python frame per call). A `match = machine.match` kept for later therefore stays
    current. To wrap or mock `match`, patch the instance, or subclass `Machine` (a subclass
    that overrides `match` keeps its own); a patch of the class's `match` no longer reaches a
    machine that has matched.
    """

    def __init__(
        self,
        dialect: str | Dialect = "eventbridge",
        *,
        rules: Mapping[str, PatternSource | Pattern]
        | Iterable[tuple[str, PatternSource | Pattern]]
        | None = None,
        budget: int | None = None,
        trust_events: bool = False,
    ) -> None:
        """Create a machine, empty or holding `rules`.

        Args:
            dialect: the dialect every rule is validated against and every event read as.
            rules: a mapping of name to pattern, or an iterable of (name, pattern) pairs, added
                as `add_many` adds them (all or none).
            budget: the most table bytes (as `stats` counts them: deterministic, not the
                process's memory) the machine may hold; a change that would pass it raises
                `BudgetError` and leaves the machine as it was. None: no limit.
            trust_events: False (the default): every byte of every event is validated, and
                an invalid event raises `InvalidEventError` whatever part of it is invalid.
                True, for events from a producer that already validated them (as quamina
                assumes of all events): on the compiled build, the parts of a JSON event that
                no rule reads are skipped by their brackets alone, unvalidated, so an event
                whose unread part is invalid JSON is matched on the rest instead of refused
                (docs/scanner.md, "The trusted skip"). Valid events get the same answers.

        Raises:
            InvalidPatternError: AWS would reject one of the patterns (see `add_many`).
            BudgetError: `rules` would pass `budget`.
            TypeError: an item of `rules` is not a (name, pattern) pair.
            ValueError: unknown dialect name, a `Pattern` of another dialect, or a negative
                budget.
        """
        if budget is not None and (isinstance(budget, bool) or not isinstance(budget, int) or budget < 0):
            raise ValueError(f"Expected `budget` as a number of bytes (an int >= 0) or None, got {budget!r}")
        self.budget = budget
        self.trust_events = bool(trust_events)
        self.dialect: Dialect = get_dialect(dialect)
        self._lock = threading.Lock()
        self._builder = Builder(Twin.current())  # the writer: every change goes through it
        # name -> (rule id, what the rule is kept as: `_kept`); insertion order
        self._rules: dict[str, tuple[int, Pattern | str | bytes]] = {}
        self._next_id = 0
        self._tables: Tables | None = None  # the published tables: one store per change
        # the compiled road's one-call match of `_tables` (JSON dialects, compiled twin), stored
        # right after them; it holds its own tables, so a reader of it alone reads one snapshot
        self._fast: Any = None  # a `FastMatch`, or None
        self._matcher: Any = None  # the `LiveMatch` whose `match` is this machine's, once made
        self._json = self.dialect.input_decoder is None  # events are JSON (the byte scanner's)
        self._slow = functools.partial(_reference_match, self.dialect)  # (tables, event) -> names
        self._copies: tuple[int, int, int] = (1, 1, 1)  # bus: names per scope part (`_read_copies`)
        # with a budget: the footprint now, kept by every change (`_charge`); else made by `stats`
        self._used: Footprint | None = None if budget is None else Footprint()
        if rules is not None:
            self.add_many(rules.items() if isinstance(rules, Mapping) else rules)

    # -- changes --

    def add(self, name: str, pattern: PatternSource | Pattern | SubscriberFilter | None) -> None:
        """Validate a pattern and add it as rule `name`; a rule already of that name is replaced.

        Args:
            name: the rule's name, returned by `match`.
            pattern: JSON text, UTF-8 bytes, a decoded dict, or a `Pattern` of this dialect.
                A machine of dialect ``"bus"`` holds Custom Event Bus subscribers: its rules
                are filter configurations (a `patterns.SubscriberFilter`, or the mapping or
                JSON text it takes), and `match` takes bus events.

        Raises:
            InvalidPatternError: AWS would reject the pattern (exactly as `patterns.compile`),
                or the filter configuration (as `patterns.SubscriberFilter`).
            ValueError: a `Pattern` of another dialect.
        """
        compiled = self._compiled(pattern)
        with self._lock:
            if self._used is not None:
                self._charge([(name, compiled, pattern)])
            rule_id, replacing = self._place(name, compiled, pattern)
            tables = self._builder.add(
                rule_id, name, compiled._unkept_branches(), compiled.is_empty, replacing
            )
            if tables is not None:
                self._set_tables(tables)

    def add_many(
        self, items: Iterable[tuple[str, PatternSource | Pattern | SubscriberFilter | None]]
    ) -> None:
        """Validate many patterns and add them all as rules, or none of them.

        The same as `add` for each (name, pattern) in order (a name already in the machine, or
        twice in `items`, is replaced: the last pattern given for it holds, in the place the
        name first took), but every pattern is validated before any rule changes, and the
        tables are published once, at the end: a match sees the rules before the batch or
        after all of it. A batch of at least an eighth of the machine's rules is laid out with
        one rebuild of the tables, a smaller one change by change (`Builder.add_many`).

        Args:
            items: (name, pattern) pairs; patterns as `add` takes them.

        Raises:
            InvalidPatternError: AWS would reject a pattern; its `rule` and `index` attributes
                (and a note) name the rule and its place in `items`. No rule was added.
            TypeError: an item is not a (name, pattern) pair. No rule was added.
            ValueError: a `Pattern` of another dialect (with a note naming the rule). No rule
                was added.
        """
        with collector_paused():  # the batch's patterns and tables are many new objects
            batch: list[tuple[str, Pattern, Any]] = []
            for index, item in enumerate(items):
                if not isinstance(item, tuple) or len(item) != 2:
                    raise TypeError(
                        f"Expected a `(name, pattern)` pair, got `{type(item).__name__}` - at item {index}"
                    )
                name, pattern = item
                try:
                    batch.append((name, self._compiled(pattern), pattern))
                except ValueError as exc:  # InvalidPatternError too, which also names the rule
                    if isinstance(exc, InvalidPatternError):
                        exc.rule, exc.index = name, index
                    exc.add_note(
                        f"in rule {name!r} (item {index} of the batch); no rule of the batch was added"
                    )
                    raise
            with self._lock:
                if self._used is not None:
                    self._charge(batch)
                changes = []
                for name, compiled, given in batch:
                    rule_id, replacing = self._place(name, compiled, given)
                    branches = compiled._unkept_branches()
                    changes.append((rule_id, name, branches, compiled.is_empty, replacing))
                tables = self._builder.add_many(changes)
                if tables is not None:
                    self._set_tables(tables)

    def _compiled(self, pattern: PatternSource | Pattern | SubscriberFilter | None) -> Pattern:
        # `pattern` validated for this machine's dialect (a `Pattern` of it as it is)
        if self.dialect.name == BUS.name and not isinstance(pattern, Pattern):
            # A Custom Event Bus machine holds subscribers: each rule is a filter configuration
            # (a `SubscriberFilter`, or what it takes), joined into one pattern over the event.
            pattern = (
                pattern if isinstance(pattern, SubscriberFilter) else SubscriberFilter(pattern)
            ).pattern
        if isinstance(pattern, Pattern):
            if pattern.dialect.name != self.dialect.name:
                raise ValueError(
                    f"Expected a pattern of dialect `{self.dialect.name}`, got `{pattern.dialect.name}`"
                )
            return pattern
        # None or a `SubscriberFilter` here (not a bus machine): `compile` refuses it as not
        # JSON, with the dialect's message
        return compile(typing.cast(PatternSource, pattern), dialect=self.dialect)

    def _place(self, name: str, compiled: Pattern, given: Any) -> tuple[int, tuple | None]:
        # Under the lock: record rule `name` as `compiled` (compiled from `given`); its id (a
        # new one for a new name) and the branches it replaces (None for a new name). A bus
        # machine first reads the subscriber's copies (`_read_copies`), before the tables
        # holding it are published.
        if compiled.dialect.name == BUS.name:
            self._read_copies(copies_of(compiled))
        old = self._rules.get(name)
        if old is None:
            rule_id, replacing = self._next_id, None
            self._next_id += 1
        else:
            rule_id, replacing = old[0], self._pattern(old[1])._unkept_branches()
        self._rules[name] = (rule_id, self._kept(compiled, given))
        return rule_id, replacing

    def _kept(self, compiled: Pattern, given: Any) -> Pattern | str | bytes:
        # What rule `compiled` is kept as: the text it was compiled from (str); for a dict, the
        # dict as orjson writes it (bytes); else the `Pattern` itself (a bus subscriber's, a
        # `Pattern` the caller gave, a dict orjson cannot write: a key not a str, an integer
        # past 64 bits). Its trie holds what matching needs; text or bytes are about 700 bytes
        # a many-tenant rule less than the pattern's model, and `_pattern` compiles them again,
        # to the same pattern, when the rule is read, replaced or removed.
        if compiled is given or compiled.dialect.name == BUS.name:
            return compiled
        if compiled.source is not None:
            return compiled.source
        if type(given) is dict:
            try:
                # What `compile` accepted in a dict (str, int, float, bool, None, lists and
                # dicts: no NaN, no infinity) orjson writes and reads back as an equal dict.
                # Copied: orjson's bytes keep the whole buffer it wrote into (4 KB for a small
                # pattern, by tracemalloc), the copy its bytes alone.
                return bytes(memoryview(orjson.dumps(given)))
            except (TypeError, orjson.JSONEncodeError):
                pass
        return compiled

    def _pattern(self, kept: Pattern | str | bytes) -> Pattern:
        # The `Pattern` of a rule kept as `kept` (see `_kept`): the same pattern as was added,
        # by the same road (a text as text, a dict as a dict), in the machine's dialect (which
        # only a bus machine changes, and a bus machine keeps its patterns).
        if isinstance(kept, Pattern):
            return kept
        return compile(kept if isinstance(kept, str) else orjson.loads(kept), dialect=self.dialect)

    def _charge(self, batch: list[tuple[str, Pattern, Any]]) -> None:
        # Under the lock, before anything changes: price the batch's rules, in order, against
        # the trie as it is (`footprint.delta`, read-only), and refuse the batch if the machine
        # would pass its budget; else keep the new footprint.
        assert self._used is not None and self.budget is not None
        pending: dict[Any, Any] = {}
        total = self._used
        seen: dict[str, tuple[int, tuple[Any, ...]]] = {}
        next_id = self._next_id
        for name, compiled, _ in batch:
            if name in seen:
                rule_id, replacing_now = seen[name]
                replacing: tuple[Any, ...] | None = replacing_now
            elif name in self._rules:
                rule_id, old = self._rules[name]
                replacing = self._pattern(old)._unkept_branches()
            else:
                rule_id, replacing = next_id, None
                next_id += 1
                total = total + Footprint(1, 0, 0, 0, 0, rule_bytes(name))
            branches = compiled._unkept_branches()
            seen[name] = (rule_id, branches)
            total = total + delta(self._builder, rule_id, branches, replacing, pending)
        if total.table_bytes > self.budget:
            what = f"rule {batch[0][0]!r}" if len(batch) == 1 else f"these {len(batch)} rules"
            raise BudgetError(
                f"Adding {what} would take the machine to {total.table_bytes:,} table bytes,"
                f" past its budget of {self.budget:,} (it holds {self._used.table_bytes:,});"
                " the machine is unchanged",
                budget=self.budget,
                needed=total.table_bytes,
            )
        self._used = total

    def _read_copies(self, copies: tuple[int, int, int]) -> None:
        # Under the lock, before the tables holding the new rule are published: a bus machine
        # reads each scope's part under as many names as its largest subscriber has filters on
        # that scope (`patterns.bus`). The dialect is replaced before the tables, and a match
        # reads the tables first, so a match that sees the rule reads the event as it needs.
        # The count only grows: an extra name costs a dict entry that no rule reads.
        have = self._copies
        if all(c <= h for c, h in zip(copies, have, strict=True)):
            return
        self._copies = tuple(max(c, h) for c, h in zip(copies, have, strict=True))  # type: ignore[assignment]
        self.dialect = bus_dialect(self._copies)
        self._slow = functools.partial(_reference_match, self.dialect)

    def remove(self, name: str) -> None:
        """Remove rule `name`, freeing what only it used.

        Args:
            name: the rule's name.

        Raises:
            KeyError: no rule of that name.
        """
        with self._lock:
            rule_id, kept = self._rules.pop(name)
            branches = self._pattern(kept)._unkept_branches()
            if self._used is not None:
                change = delta(self._builder, rule_id, (), branches)
                self._used = self._used + change + Footprint(-1, 0, 0, 0, 0, -rule_bytes(name))
            tables = self._builder.remove(rule_id, branches)
            if tables is not None:
                self._set_tables(tables)

    def _set_tables(self, tables: Tables) -> None:
        # Under the lock: publish `tables` (one reference store makes them every later
        # match's), then their twin's match (a `FastMatch`). The first one also makes the
        # machine's `LiveMatch`, whose bound `match` (on the compiled twin a C method that
        # always answers from the latest publication) is stored as this machine's own `match`
        # attribute, shadowing the method below: `machine.match(event)` is then one C call,
        # with no Python frame (about 40 ns a match). Not on a subclass that overrides `match`.
        if self.trust_events and hasattr(tables.scan, "trust_skipped"):
            # before the table is published (a table already published has it set already);
            # the pure twin's table has no such field and validates everything, as trust allows
            tables.scan.trust_skipped = True
        self._tables = tables
        fast = self._fast = tables.twin.compiled_match(tables, self._slow) if self._json else None
        if self._matcher is not None:
            self._matcher.publish(fast, tables)
        elif fast is not None and type(self).match is Machine.match:
            self._matcher = fast.live()
            self.match = self._matcher.match  # type: ignore[method-assign]

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
        """The `Pattern` of rule `name` (KeyError when there is none).

        A rule added as text or as a dict is kept as its text (a dict as its JSON), and
        compiled again here (about 20 µs for a typical pattern): each call gives a new, equal
        `Pattern`. One added as a `Pattern` is that very object."""
        return self._pattern(self._rules[name][1])

    def __repr__(self) -> str:
        return f"Machine(dialect={self.dialect.name!r}, rules={len(self._rules)})"

    def stats(self) -> Footprint:
        """What the automaton holds: rules, states, edges, operands, terminals and table bytes.

        Deterministic: the same rules give the same figures, whatever order they came in, what
        was added and removed before, and which twin runs (`patterns.footprint` says how each
        is counted, and how table bytes relate to the process's memory). With a `budget` the
        figures are kept by every change; without one they are counted on each call, in one
        pass over the automaton.
        """
        with self._lock:
            if self._used is not None:
                return self._used
            return measure(self._builder, list(self._rules))

    # -- snapshots --

    def save(self, file: str | os.PathLike[str] | IO[bytes]) -> None:
        """Write the machine as a snapshot (docs/snapshot.md) to a path or a binary file.

        `Machine.load` reads it back into a machine that answers every event exactly as this
        one: same rules, same names, same order of names in answers, same budget.

        Args:
            file: a path (written whole, through a temporary file renamed into place, so a
                reader never sees half a snapshot) or a file object open for binary writing.
        """
        data = self.to_bytes()
        if hasattr(file, "write"):
            typing.cast(IO[bytes], file).write(data)
            return
        path = os.fspath(file)
        partial = f"{path}.{os.getpid()}.{threading.get_ident()}.partial"
        try:
            with open(partial, "wb") as out:
                out.write(data)
            os.replace(partial, path)
        finally:
            if os.path.exists(partial):
                os.unlink(partial)

    def to_bytes(self) -> bytes:
        """The machine as snapshot bytes (what `save` writes; `from_bytes` reads them)."""
        with collector_paused(), self._lock:  # a list of texts per rule: no cycles to find
            rules = [(name, _pattern_text(kept)) for name, (_, kept) in self._rules.items()]
            meta = {
                "dialect": self.dialect.name, "rules": len(rules), "budget": self.budget,
                "trust_events": self.trust_events,
            }  # fmt: skip
        return pack([(b"META", orjson.dumps(meta)), (b"RULE", orjson.dumps(rules))])

    @classmethod
    def load(
        cls, file: str | os.PathLike[str] | IO[bytes], *, budget: int | Literal["saved"] | None = "saved"
    ) -> Machine:
        """A machine from a snapshot that `save` wrote.

        Loading runs no code from the file and trusts none of it: the container is checked
        (magic, version, length, SHA-256), and every rule is validated again as `add_many`
        validates it, so a snapshot can only hold what AWS accepts.

        Args:
            file: a path, or a file object open for binary reading.
            budget: the loaded machine's budget (None: no limit); by default (``"saved"``) the
                one saved with it.

        Raises:
            SnapshotError: not a snapshot, a format version this library does not read, a
                truncated or corrupted file, or content that is not a machine's.
            OSError: the path cannot be read.
        """
        if hasattr(file, "read"):
            data = typing.cast(IO[bytes], file).read()
        else:
            with open(os.fspath(file), "rb") as f:
                data = f.read()
        if not isinstance(data, (bytes, bytearray)):
            raise SnapshotError(f"Expected the snapshot as bytes, got `{type(data).__name__}`")
        return cls.from_bytes(data, budget=budget)

    @classmethod
    def from_bytes(
        cls, data: bytes | bytearray | memoryview, *, budget: int | Literal["saved"] | None = "saved"
    ) -> Machine:
        """A machine from snapshot bytes (see `load`)."""
        sections = unpack(data)
        missing = [tag.decode() for tag in (b"META", b"RULE") if tag not in sections]
        extra = sorted(tag.decode("ascii", "replace") for tag in sections if tag not in (b"META", b"RULE"))
        if missing or extra:
            raise SnapshotError(
                f"Not a machine snapshot: sections missing {missing}, unknown {extra}"
                if missing
                else f"Snapshot sections this library does not know: {extra}"
            )
        meta = _json_section(sections[b"META"], "META")
        rules = _json_section(sections[b"RULE"], "RULE")
        if (
            not isinstance(meta, dict)
            or not isinstance(meta.get("dialect"), str)
            or not isinstance(meta.get("rules"), int)
            or "budget" not in meta
            or not (meta["budget"] is None or (type(meta["budget"]) is int and meta["budget"] >= 0))
        ):
            raise SnapshotError(f"Corrupted snapshot: its META section is not a machine's: {meta!r:.200}")
        if not isinstance(rules, list) or len(rules) != meta["rules"]:
            raise SnapshotError(
                f"Corrupted snapshot: META says {meta['rules']} rules, RULE does not hold that many"
            )
        names: set[str] = set()
        for i, item in enumerate(rules):
            if not (isinstance(item, list) and len(item) == 2 and all(isinstance(x, str) for x in item)):
                raise SnapshotError(f"Corrupted snapshot: rule {i} is not a (name, pattern) pair")
            if item[0] in names:
                raise SnapshotError(f"Corrupted snapshot: rule name {item[0]!r} given twice")
            names.add(item[0])
        try:
            dialect = get_dialect(meta["dialect"])
        except ValueError as exc:
            raise SnapshotError(f"Snapshot of an unknown dialect: {exc}") from None
        kept = meta["budget"] if budget == "saved" else budget
        try:
            if dialect.name == BUS.name:  # a bus rule is kept as its joined pattern, not its filters
                rules = [(name, _bus_pattern(name, i, text)) for i, (name, text) in enumerate(rules)]
            return cls(
                dialect, rules=[(name, text) for name, text in rules], budget=kept,
                trust_events=meta.get("trust_events") is True,
            )  # fmt: skip
        except InvalidPatternError as exc:
            raise SnapshotError(f"Snapshot rule {exc.rule!r} is not a valid pattern: {exc}") from exc
        except BudgetError as exc:
            raise SnapshotError(f"Snapshot rules pass the budget: {exc}") from exc
        except ValueError as exc:  # a negative budget given here
            raise SnapshotError(f"Snapshot cannot be loaded: {exc}") from exc

    def _current(self) -> Tables:
        tables = self._tables
        if tables is None:
            with self._lock:  # the first match only: from then on every change publishes
                tables = self._tables
                if tables is None:
                    tables = self._builder.build()
                    self._set_tables(tables)
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
        tables = self._current()
        fast = self._fast
        if fast is not None:
            # the twin's road: one pass over JSON text (or the dict), the decoding road where
            # it is not sure (once published, the machine's own `match` attribute answers, and
            # this method is no longer called: see `_set_tables`)
            return fast.match(event)
        return _reference_match(self.dialect, tables, event)

    @typing.overload
    def match_many(
        self, events: Iterable[Any], *, errors: typing.Literal["raise"] = "raise"
    ) -> Iterator[list[str]]: ...

    @typing.overload
    def match_many(
        self, events: Iterable[Any], *, errors: typing.Literal["yield"]
    ) -> Iterator[list[str] | InvalidEventError]: ...

    def match_many(
        self, events: Iterable[Any], *, errors: typing.Literal["raise", "yield"] = "raise"
    ) -> Iterator[list[str] | InvalidEventError]:
        """Match events one by one, lazily: one result per event, in order.

        Each event is matched against the rule set in force when its turn comes. A list or
        tuple of JSON events is matched in batches of `MANY_BATCH` with the GIL released
        (compiled build), so several threads match at once; a batch whose rules change while
        it is yielded matches its remaining events again. Other iterables are read one event
        at a time (never ahead). A router that must not lose the results after a bad event
        passes ``errors="yield"``:

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
        if self._json and isinstance(events, (list, tuple)):
            yield from self._match_batches(events, errors == "raise")
            return
        if errors == "raise":
            for event in events:
                yield self.match(event)
            return
        for event in events:
            try:
                yield self.match(event)
            except InvalidEventError as exc:
                yield exc

    def _match_batches(
        self, events: list | tuple, raise_errors: bool
    ) -> Iterator[list[str] | InvalidEventError]:
        for start in range(0, len(events), MANY_BATCH):
            chunk = list(events[start : start + MANY_BATCH])
            tables = self._tables
            if tables is None:
                tables = self._current()
            answers = tables.twin.match_json_many(tables, chunk)
            for event, found in zip(chunk, answers, strict=True):
                if found is None or self._tables is not tables:
                    # not sure (the reference road answers or words the error), or the rules
                    # changed since the batch was matched: this event's own match
                    try:
                        found = self.match(event)
                    except InvalidEventError as exc:
                        if raise_errors:
                            raise
                        found = exc
                yield found

    def match_batch(self, events: Iterable[Any]) -> BatchResult:
        """Match a whole batch of events at once: every answer as two flat int arrays.

        On the compiled build the scans and walks of the whole batch run in C with the GIL
        released (other threads match meanwhile), and the answers are written as C ints, with
        no Python object per event or per match: a consumer reads `BatchResult.offsets` and
        `BatchResult.rule_ids` (arrays of C ints, with the buffer protocol, so Arrow or NumPy
        take them without a copy), or a list of names per event (`result[i]`). Every event is
        matched against the rule set in force when the call starts. An invalid event does not
        stop the batch: its `InvalidEventError` is kept at its index (`BatchResult.errors`),
        and its range is empty.

            result = machine.match_batch(events)
            for i, names in enumerate(result.names_or_errors()):
                ...

        Args:
            events: the events, a list, a tuple or any iterable (see `match`; JSON text is
                the fast road, and other events are matched one by one, with the GIL).

        Returns:
            The `BatchResult`.
        """
        events = events if isinstance(events, (list, tuple)) else list(events)
        tables = self._current()
        hit_names: _HitNames | None = None
        if self._json:
            offsets, rule_ids, declined, hit_names = tables.twin.match_batch(tables, events)
        else:  # the input decoders' dialects: each event by its dialect's road
            offsets, rule_ids, declined = (
                array("i", bytes(4 * (len(events) + 1))),
                array("i"),
                range(len(events)),
            )
        errors: dict[int, InvalidEventError] = {}
        extra: dict[int, list[int]] = {}
        for k in declined:  # the reference road answers, or words the error
            try:
                found = engine.run(tables, self.dialect, events[k])
            except InvalidEventError as exc:
                errors[k] = exc
                continue
            if found:
                extra[k] = sorted(found)
        if extra:
            offsets, rule_ids = _splice(offsets, rule_ids, extra)
        return BatchResult(offsets, rule_ids, tables.names, errors, hit_names, frozenset(extra))

    def __reduce__(self) -> tuple:
        # A machine pickles as its snapshot (docs/snapshot.md): the same bytes `save` writes,
        # validated again when loaded.
        return (_machine_from_snapshot, (type(self), self.to_bytes()))


class _HitNames(typing.Protocol):
    # What a twin's `match_batch` gives beside the ids (`_match_py.BatchNames` or its compiled
    # twin): the names of each event's rules as the walk chose them, made into lists on demand.
    def __len__(self) -> int: ...
    def names(self, k: int) -> list[str]: ...
    def lists(self) -> list[list[str]]: ...


class BatchResult(Sequence[list[str]]):
    """The answers of `Machine.match_batch`: per event, the rules it matches.

    Event i's rule ids are ``rule_ids[offsets[i]:offsets[i + 1]]``, ascending (the order
    `Machine.match` lists their names in), each rule once; `names` maps a rule id to its name.
    `offsets` has ``len(result) + 1`` items, starting at 0. An invalid event's range is empty
    and its `InvalidEventError` is in `errors`.

    The lists of names (`result[i]`, `names_or_errors`) are made from the names the walk chose
    (`hit_names`, when the twin's batch gave them), one list per event in one go; the events
    the reference road answered (`spliced`), and a result made without them, read `names`.

    Attributes:
        offsets: `array('i')`, where each event's rule ids start (and, last, their count).
        rule_ids: `array('i')`, every event's rule ids, one event after the other.
        names: rule id -> rule name, for the rules of the batch's rule set (read-only).
        errors: event index -> its `InvalidEventError`, for the events `match` refuses.
    """

    __slots__ = ("_hit_names", "_name_of", "_spliced", "errors", "names", "offsets", "rule_ids")

    def __init__(
        self,
        offsets: array[int],
        rule_ids: array[int],
        names: Mapping[int, str],
        errors: dict[int, InvalidEventError],
        hit_names: _HitNames | None = None,
        spliced: frozenset[int] = frozenset(),
    ) -> None:
        self.offsets = offsets
        self.rule_ids = rule_ids
        self.names: Mapping[int, str] = MappingProxyType(names) if isinstance(names, dict) else names
        self._name_of = names.__getitem__  # the dict's own: a list of names is made by one map() in C
        self.errors = errors
        self._hit_names = hit_names
        self._spliced = spliced

    def __len__(self) -> int:
        return len(self.offsets) - 1

    @typing.overload
    def __getitem__(self, index: int) -> list[str]: ...

    @typing.overload
    def __getitem__(self, index: slice) -> list[list[str]]: ...

    def __getitem__(self, index: int | slice) -> list[str] | list[list[str]]:
        """The names of the rules event `index` matches, as `Machine.match` gives them.

        Raises:
            InvalidEventError: the event's own, for an event `match` refuses.
            IndexError: no event at `index`.
        """
        if isinstance(index, slice):
            return [self[k] for k in range(*index.indices(len(self)))]
        k = range(len(self))[index]  # negative indexes, and the IndexError
        error = self.errors.get(k)
        if error is not None:
            raise error
        if self._hit_names is not None and k not in self._spliced:
            return self._hit_names.names(k)
        return self._names_at(k)

    def _names_at(self, k: int) -> list[str]:
        # Event k's names read from its rule ids through `names`.
        return list(map(self._name_of, self.rule_ids[self.offsets[k] : self.offsets[k + 1]]))

    def names_or_errors(self) -> Iterator[list[str] | InvalidEventError]:
        """Per event, in order, the names of the rules it matches, or its `InvalidEventError`
        (as `Machine.match_many(events, errors="yield")` yields them)."""
        if self._hit_names is None:
            return (error if (error := self.errors.get(k)) is not None else self._names_at(k)
                    for k in range(len(self)))  # fmt: skip
        answers: list[list[str] | InvalidEventError] = list(self._hit_names.lists())
        for k in self._spliced:
            answers[k] = self._names_at(k)
        for k, error in self.errors.items():
            answers[k] = error
        return iter(answers)

    def __repr__(self) -> str:
        return f"BatchResult(events={len(self)}, matches={len(self.rule_ids)}, errors={len(self.errors)})"


def _splice(
    offsets: array[int], rule_ids: array[int], extra: dict[int, list[int]]
) -> tuple[array[int], array[int]]:
    # The arrays with the rule ids of `extra`'s events (whose ranges are empty) put in place.
    new_ids = array("i")
    new_offsets = array("i", offsets)
    done = 0  # rule_ids copied so far
    for k in sorted(extra):
        new_ids.extend(rule_ids[done : offsets[k]])
        new_ids.extend(extra[k])
        done = offsets[k]
    new_ids.extend(rule_ids[done:])
    shift = 0
    for k in range(len(offsets)):
        new_offsets[k] = offsets[k] + shift
        shift += len(extra.get(k, ()))
    return new_offsets, new_ids


def _reference_match(dialect: Dialect, tables: Tables, event: Any) -> list[str]:
    # The reference road's answer: the names of the rules `event` matches in `tables`.
    found = engine.run(tables, dialect, event)
    names = tables.names
    if len(found) == 1:
        return [names[r] for r in found]
    return [names[r] for r in sorted(found)]


def _machine_from_snapshot(cls: type[Machine], data: bytes) -> Machine:
    return cls.from_bytes(data)


def _pattern_text(pattern: Pattern | str | bytes) -> str:
    # The text a snapshot keeps for a rule kept as `pattern` (`Machine._kept`): its text, its
    # dict as JSON, the pattern's own source, or its model as JSON (a bus subscriber's joined
    # filters); each compiles, in the machine's dialect, to the same pattern.
    if isinstance(pattern, str):
        return pattern
    if isinstance(pattern, bytes):
        return pattern.decode()
    if pattern.source is not None:
        return pattern.source
    return orjson.dumps(pattern.model.to_json()).decode()


def _bus_pattern(name: str, index: int, text: str) -> Pattern:
    # A bus machine's rule from its snapshot text: the joined pattern, validated in the bus
    # dialect (each scope's part in its own), named as `add_many` names a bad rule; `{}` is a
    # subscriber without filters (every event reaches it), which no pattern may be.
    try:
        if text.strip() == "{}":
            return SubscriberFilter(None).pattern
        return compile(text, dialect=BUS)
    except InvalidPatternError as exc:
        exc.rule, exc.index = name, index
        raise


def _json_section(view: memoryview, tag: str) -> Any:
    try:
        return orjson.loads(view)
    except orjson.JSONDecodeError as exc:
        raise SnapshotError(f"Corrupted snapshot: section {tag} is not JSON ({exc})") from None
