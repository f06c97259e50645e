"""`scan`: named rules against an archive of events, on every core: which rules match how often.

    s = patterns.scan("rules.json", ["trail/2026/11/"], jobs=4)
    for result in s:              # one `ScanResult` per batch read, in source order
        for m in result.matches:  # `Match`: source, where, rule names, the event's text
            ...
    s.stats.as_dict()             # {"events": N, "invalid": N, "rules": {name: count}}

How the work is cut (``jobs`` > 1): every source is a unit of work, and a large uncompressed
JSON-lines file is cut into byte ranges aligned to lines (`archive.LineRange`: a line belongs to
the range its first byte is in). Units go to a pool of worker processes in order; the machine is
sent once to each worker (the pool's initializer: a `Machine` pickles as its rules), and results
come back in the order of the units, so the answer (counts, matches, invalid records, their
order and line numbers) does not depend on ``jobs``. Processes, not threads: reading,
decompressing and cutting lines is Python code that holds the GIL; only the matching of a batch
releases it (docs/scan.md has the measurements).

Per batch, events are matched with `Machine.match_many` (the compiled twin matches a whole batch
with the GIL released, decoding each event once). An event the matcher refuses (not JSON, not
UTF-8) is reported as invalid with its source and line, as are the records the readers could not
read (`archive.Damaged`).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from collections.abc import Collection, Generator, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from .archive import (
    Damaged,
    LineRange,
    check_format,
    compression_of,
    detect_format,
    expand_sources,
    read_batches,
)
from .archive.batch import damaged
from .archive.sources import is_url
from .core import Pattern, PatternSource
from .errors import ArchiveError, InvalidEventError
from .machine import Machine
from .rulesets import Rule, build_machine, read_only_rules, read_rules

__all__ = ["Match", "Plan", "Scan", "ScanResult", "ScanStats", "plan_units", "scan"]

#: Uncompressed JSON-lines files at least this large are cut into ranges when jobs > 1.
SPLIT_BYTES = 64 << 20
#: Smallest range a file is cut into (smaller ranges cost more in setup than they save).
MIN_RANGE = 16 << 20


@dataclass(frozen=True, slots=True)
class Match:
    """One event that matched at least one rule.

    Attributes:
        source: where the event was read.
        where: its 1-based line (JSON lines) or byte offset (other formats) in the source.
        rules: the names of the rules it matched, in the machine's order.
        event: the event's JSON text (None when the scan keeps no events).
    """

    source: str
    where: int
    rules: tuple[str, ...]
    event: bytes | None


@dataclass(slots=True)
class ScanResult:
    """What one batch of events gave.

    Attributes:
        source: the source the batch was read from.
        events: events matched against the rules (invalid ones not counted).
        read: bytes of the source (as stored) consumed.
        matched: events that matched at least one rule.
        counts: per rule name, the events it matched (only rules that matched some).
        matches: the matching events (empty when the scan keeps no matches).
        invalid: records that could not be read or matched, in order.
    """

    source: str
    events: int = 0
    read: int = 0
    matched: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    matches: list[Match] = field(default_factory=list)
    invalid: list[Damaged] = field(default_factory=list)


@dataclass(slots=True)
class ScanStats:
    """Totals of a scan so far (final once the scan is exhausted).

    Attributes:
        events: events matched against the rules.
        invalid: records that could not be read or matched.
        matched: events that matched at least one rule.
        read: bytes of the sources (as stored) consumed.
        rules: per rule, in the machine's order, the events it matched (zeros included).
        sources: sources read to their end.
    """

    events: int = 0
    invalid: int = 0
    matched: int = 0
    read: int = 0
    rules: dict[str, int] = field(default_factory=dict)
    sources: int = 0

    def as_dict(self) -> dict[str, Any]:
        """The statistics as ``patterns scan --stats json`` prints them.

        Returns:
            ``{"events": N, "invalid": N, "rules": {name: count}}``.
        """
        return {"events": self.events, "invalid": self.invalid, "rules": dict(self.rules)}

    @property
    def never_matched(self) -> list[str]:
        """The rules that matched no event, in the machine's order."""
        return [name for name, count in self.rules.items() if count == 0]

    def add(self, result: ScanResult) -> None:
        """Count one batch's result in."""
        self.events += result.events
        self.invalid += len(result.invalid)
        self.matched += result.matched
        self.read += result.read
        rules = self.rules
        for name, count in result.counts.items():
            rules[name] = rules.get(name, 0) + count


_NONE: list[int] = []  # no read-only events (never mutated)


@dataclass(frozen=True, slots=True)
class _Unit:
    """One piece of work: a whole source, or a byte range of an uncompressed JSON-lines file."""

    source: str
    format: str | None
    read_only: bool  # the readers keep read-only management events
    batch_size: int
    validate: bool
    keep: bool
    span: tuple[int, int] | None = None
    # the rules those events may match (None: every rule)
    read_only_rules: frozenset[str] | None = None


def _match_batch(
    machine: Machine,
    source: str,
    events: list[bytes],
    where: list[int],
    keep: bool,
    read_only: list[int] = _NONE,
    allowed: frozenset[str] | None = None,
) -> ScanResult:
    """Match one batch. The events at indexes `read_only` (CloudTrail read-only management
    events) count only for the rules in `allowed`, when given."""
    result = ScanResult(source)
    counts = result.counts
    matches = result.matches
    invalid = result.invalid
    matched = 0
    restricted = set(read_only) if read_only and allowed is not None else None
    answers = machine.match_many(events, errors="yield")
    for i, (text, at, found) in enumerate(zip(events, where, answers, strict=True)):
        if isinstance(found, InvalidEventError):
            invalid.append(damaged(source, at, str(found), text))
            continue
        if restricted and allowed is not None and i in restricted:
            found = [name for name in found if name in allowed]
        if found:
            matched += 1
            for name in found:
                counts[name] = counts.get(name, 0) + 1
            if keep:
                matches.append(Match(source, at, tuple(found), text))
    result.matched = matched
    result.events = len(events) - len(invalid)
    return result


def _run_unit(machine: Machine, unit: _Unit, lines: list[int]) -> Iterator[ScanResult]:
    """The results of one unit, batch by batch; appends the lines a range held to `lines`."""
    try:
        if unit.span is not None:
            line_range = LineRange(
                unit.source, unit.span[0], unit.span[1], batch_size=unit.batch_size, validate=unit.validate
            )
            batches: Iterable[Any] = line_range.batches()
        else:
            line_range = None
            batches = read_batches(
                unit.source,
                format=unit.format,
                batch_size=unit.batch_size,
                read_only=unit.read_only,
                validate=unit.validate,
            )
        for batch in batches:
            result = _match_batch(
                machine,
                unit.source,
                batch.events,
                batch.where,
                unit.keep,
                batch.read_only,
                unit.read_only_rules,
            )
            result.read = batch.read
            if batch.damaged:  # the reader's faults and the matcher's, in the source's order
                result.invalid = sorted([*batch.damaged, *result.invalid], key=_where)
            yield result
        if line_range is not None:
            lines.append(line_range.lines)
    except (ArchiveError, OSError) as exc:
        # a source that vanished or cannot be read since it was listed: reported, not fatal
        yield ScanResult(unit.source, invalid=[damaged(unit.source, 0, f"cannot read: {exc}", b"")])
        lines.append(0)


def _where(d: Damaged) -> int:
    return d.where


# -- worker processes: the machine arrives once, through the pool's initializer --

_WORKER_MACHINE: Machine | None = None


def _init_worker(machine: Machine) -> None:
    global _WORKER_MACHINE
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    _WORKER_MACHINE = machine


def _worker_task(unit: _Unit) -> tuple[list[ScanResult], int]:
    assert _WORKER_MACHINE is not None
    lines: list[int] = []
    results = list(_run_unit(_WORKER_MACHINE, unit, lines))
    return results, lines[0] if lines else 0


def _shift(result: ScanResult, lines: int) -> ScanResult:
    """A range's result with its line numbers counted from the file's first line."""
    if lines:
        result.matches = [replace(m, where=m.where + lines) for m in result.matches]
        result.invalid = [replace(d, where=d.where + lines) for d in result.invalid]
    return result


def _units(sources: list[str], jobs: int, split_bytes: int, base: _Unit) -> list[_Unit]:
    units: list[_Unit] = []
    for source in sources:
        size = _local_size(source)
        if jobs > 1 and size is not None and size >= split_bytes and base.format in (None, "jsonl"):
            with open(source, "rb") as f:
                head = f.read(1 << 20)
            if compression_of(head) is None and (
                base.format == "jsonl" or detect_format(head, False) == "jsonl"
            ):
                step = max(MIN_RANGE, -(-size // (jobs * 4)))
                units.extend(
                    replace(base, source=source, span=(a, min(a + step, size))) for a in range(0, size, step)
                )
                continue
        units.append(replace(base, source=source))
    return units


def _ends_source(unit: _Unit) -> int:
    """1 when the unit is a whole source or its last range, else 0."""
    return int(unit.span is None or unit.span[1] >= (_local_size(unit.source) or 0))


def _local_size(source: str) -> int | None:
    if source == "-" or is_url(source):
        return None
    try:
        return os.path.getsize(source)
    except OSError:
        return None


RulesSource = Machine | Mapping[str, "PatternSource | Pattern"] | str | os.PathLike[str]


def _machine(
    rules: RulesSource, dialect: str, skip_invalid: bool
) -> tuple[Machine, list[str], frozenset[str]]:
    """The machine, the faults of rules left out, and the rules that see read-only events."""
    if isinstance(rules, Machine):
        return rules, [], frozenset()
    if isinstance(rules, Mapping):
        loaded = [
            Rule(name, p.source if isinstance(p, Pattern) else p, "<rules>")  # type: ignore[arg-type]
            for name, p in rules.items()
        ]
    else:
        loaded = read_rules(rules)
    machine, skipped = build_machine(loaded, dialect, skip_invalid=skip_invalid)
    return machine, skipped, read_only_rules(loaded)


class Scan:
    """A scan under way: iterate it for `ScanResult` s; `stats` holds the totals so far.

    Stopping early (``break``, Ctrl-C) leaves `stats` with what was counted; `close` (also on
    garbage collection of the iterator) stops the worker processes.
    """

    def __init__(self, machine: Machine, units: list[_Unit], jobs: int, skipped_rules: list[str]) -> None:
        """Prepare a scan (use `scan`)."""
        self.machine = machine
        self.units = units
        self.jobs = jobs
        #: faults of the rules left out (``skip_invalid``), ``file:line: rule `name`: message``
        self.skipped_rules = skipped_rules
        self.stats = ScanStats(rules=dict.fromkeys(machine, 0))
        sizes = [_local_size(u.source) if u.span is None else u.span[1] - u.span[0] for u in units]
        #: bytes of the sources as stored, when every one's size is known (for a progress bar)
        self.total_bytes: int | None = None if None in sizes else sum(s or 0 for s in sizes)
        self.started = time.monotonic()
        self._results: Generator[ScanResult, None, None] = self._run()

    def __iter__(self) -> Iterator[ScanResult]:
        return self

    def __next__(self) -> ScanResult:
        result = next(self._results)
        self.stats.add(result)
        return result

    def close(self) -> None:
        """Stop the scan: worker processes are ended, `stats` keeps what was counted."""
        self._results.close()

    def run(self) -> ScanStats:
        """Consume the scan (results are dropped) and return the final statistics."""
        for _ in self:
            pass
        return self.stats

    def _run(self) -> Generator[ScanResult, None, None]:
        if self.jobs <= 1 or len(self.units) <= 1:
            for unit in self.units:
                lines: list[int] = []
                yield from _run_unit(self.machine, unit, lines)
                self.stats.sources += _ends_source(unit)
            return
        # Build the tables here, once: forked workers inherit them; spawned ones rebuild from the
        # pickled rules (a `Machine` pickles as its rules)
        self.machine.match(b"{}")
        ctx = multiprocessing.get_context()
        pool = ctx.Pool(min(self.jobs, len(self.units)), initializer=_init_worker, initargs=(self.machine,))
        done = False
        try:
            offsets: dict[str, int] = {}
            for unit, (results, count) in zip(self.units, pool.imap(_worker_task, self.units), strict=True):
                before = offsets.get(unit.source, 0)
                for result in results:
                    yield _shift(result, before) if unit.span is not None else result
                if unit.span is not None:
                    offsets[unit.source] = before + count
                self.stats.sources += _ends_source(unit)
            done = True
        finally:
            if done:
                pool.close()
            else:
                pool.terminate()  # interrupted or closed early: end the workers now
            pool.join()


def scan(
    rules: RulesSource,
    sources: Iterable[str | os.PathLike[str]],
    *,
    format: str | None = None,
    read_only: bool | Collection[str] | None = None,
    dialect: str = "eventbridge",
    jobs: int | None = 1,
    batch_size: int = 4096,
    keep_matches: bool = True,
    skip_invalid: bool = False,
    validate: bool = False,
    split_bytes: int = SPLIT_BYTES,
) -> Scan:
    """Match every event of an archive against named rules.

    Args:
        rules: a `Machine`, a mapping of rule name -> pattern, or a JSON rules file's path (any
            form `patterns.rulesets` reads; templates: `patterns.scan_cli.load_rules`).
        sources: files, folders, globs, ``-`` and fsspec URLs (`archive.expand_sources`).
        format: ``jsonl``, ``cloudtrail``, ``firehose`` or ``json``; None detects it per source.
        read_only: who sees CloudTrail's read-only management events: True every rule, False
            none, a collection of rule names those rules; None (the default) the rules a rules
            file puts in state ``ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS`` (``list-rules``
            or ``describe-rule`` output), as EventBridge does, and none otherwise.
        dialect: the rules' dialect (for a mapping or a file).
        jobs: worker processes; None is every core (`os.cpu_count`); 1 scans in this process.
            Standard input is always read in this process.
        batch_size: events matched per `Machine.match_many` call.
        keep_matches: keep each matching event's text in `ScanResult.matches`; False keeps the
            counts only (less to send back from the workers).
        skip_invalid: leave invalid rules out (`Scan.skipped_rules` lists them) instead of failing.
        validate: decode JSON-lines events in the reader (see `archive.read_batches`).
        split_bytes: uncompressed JSON-lines files at least this large are cut into ranges.

    Returns:
        The `Scan`: iterate it for results; its `stats` are final once it is exhausted.

    Raises:
        RulesError: the rules cannot be used (every fault listed).
        ArchiveError: a source that does not exist, or a glob that matches nothing.
        ValueError: an unknown format or dialect.
    """
    workers = (os.cpu_count() or 1) if jobs is None else max(1, jobs)
    plan = plan_units(
        rules, sources, format=format, read_only=read_only, dialect=dialect, workers=workers,
        batch_size=batch_size, keep_matches=keep_matches, skip_invalid=skip_invalid,
        validate=validate, split_bytes=split_bytes,
    )  # fmt: skip
    if any(unit.source == "-" for unit in plan.units):
        workers = 1  # standard input is read in this process
    return Scan(plan.machine, plan.units, workers, plan.skipped)


@dataclass(frozen=True, slots=True)
class Plan:
    """What a scan will do: the rules as one machine, and the units of work.

    Attributes:
        machine: the rules, compiled.
        units: the sources cut into units of work (files, line ranges of large JSON lines).
        skipped: invalid rules left out (with ``skip_invalid``).
    """

    machine: Machine
    units: list[_Unit]
    skipped: list[str]


def plan_units(
    rules: RulesSource,
    sources: Iterable[str | os.PathLike[str]],
    *,
    format: str | None,
    read_only: bool | Collection[str] | None,
    dialect: str,
    workers: int,
    batch_size: int,
    keep_matches: bool,
    skip_invalid: bool,
    validate: bool,
    split_bytes: int,
) -> Plan:
    """The rules and the units of work of a scan; `scan` and `patterns.dask.scan` both plan here,
    so the two cannot cut or count differently. Arguments as `scan` takes them (`workers`: how
    many will share the units, which decides how finely large files are cut).
    """
    check_format(format)
    machine, skipped, stated = _machine(rules, dialect, skip_invalid)
    names = expand_sources(sources)
    allowed: frozenset[str] | None  # the rules that see read-only events (None: every rule)
    if read_only is None:
        allowed = stated
    elif isinstance(read_only, bool):
        allowed = None if read_only else frozenset()
    else:
        allowed = frozenset(read_only)
    keep_read_only = allowed is None or bool(allowed)
    base = _Unit("", format, keep_read_only, batch_size, validate, keep_matches, read_only_rules=allowed)
    return Plan(machine, _units(names, 1 if "-" in names else workers, split_bytes, base), skipped)
