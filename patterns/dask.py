"""Scanning archives on a Dask cluster: `scan(rules, sources, client)` and `explain(pattern,
sources, client)` (extra ``dask``).

    from distributed import Client
    from patterns.dask import scan

    client = Client("tcp://scheduler:8786")          # or LocalCluster(); the call is the same
    scan({"deletes": {"detail": {"eventName": ["DeleteBucket"]}}}, ["s3://trail/2026/11/"], client)
    # -> {"events": 1200000, "invalid": 3, "rules": {"deletes": 41}}

The sources are expanded on the caller's side (`patterns.archive.expand_sources`: folders,
globs, fsspec URLs) and cut into the units of work `patterns.scan` uses (a file each, and large
uncompressed JSON-lines files in ranges of lines), one Dask bag partition per unit. Each
partition is read on a worker with the same readers and counted by the same code as
`patterns.scan` (a unit's batches, `Machine.match_many`), so only counts travel back and the
answer is `patterns.scan`'s. The rules ship once: the machine is pickled once on the
caller's side into one key of the task graph that every task depends on (one worker holds it
first, the others fetch it once from a peer and keep it while tasks need it), and each worker
process unpickles it and builds the automaton once (`patterns._ship`). `explain` folds each
file into a `patterns.why.Aggregator` on a worker and merges the parts in file order. Files are read where the workers run: local
paths must be visible to every worker (a shared file system), URLs need the worker's credentials.

dask and distributed are imported when a function runs, not when this module loads.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Iterable, Mapping
from typing import Any

from . import scans
from ._ship import Shipped, machine_of
from .archive import check_format, expand_sources, read_batches
from .core import Pattern, PatternSource, compile
from .machine import Machine
from .why import Aggregator, WhyReport

__all__ = ["explain", "scan"]

RulesSource = Machine | Mapping[str, "PatternSource | Pattern"] | str | os.PathLike[str]


def _count_units(units: Iterable[Any], shipped: Shipped) -> list[dict[str, Any]]:
    """One partition's statistics (one dict per unit), on a worker."""
    data = shipped.data
    machine = machine_of(shipped.token, lambda: data)
    out = []
    for unit in units:
        stats = scans.ScanStats()
        for result in scans._run_unit(machine, unit, []):
            stats.add(result)
        out.append(stats.as_dict())
    return out


def _explain_sources(
    sources: Iterable[str], pattern: Pattern, capacity: int, options: dict[str, Any]
) -> list[Aggregator]:
    """One partition's part of `explain` (one `Aggregator` for all its sources), on a worker."""
    part = Aggregator(pattern, capacity=capacity)
    for source in sources:
        for batch in read_batches(source, **options):
            part.add(batch.events)
    return [part]


def _worker_sources(sources: str | os.PathLike[str] | Iterable[str | os.PathLike[str]]) -> list[Any]:
    """The sources as a list, refusing ``-``: the workers cannot read this process's input."""
    listed = [sources] if isinstance(sources, (str, os.PathLike)) else list(sources)
    if any(str(source) == "-" for source in listed):
        raise ValueError("Expected files or URLs, got `-`: workers cannot read this process's standard input")
    return listed


def _workers(client: Any) -> int:
    if client is None:
        return os.cpu_count() or 1
    return max(1, len(client.scheduler_info().get("workers", {})))


def scan(
    rules: RulesSource,
    sources: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    client: Any = None,
    *,
    format: str | None = None,
    read_only: bool | Collection[str] | None = None,
    dialect: str = "eventbridge",
    batch_size: int = 4096,
    skip_invalid: bool = False,
    validate: bool = False,
    split_bytes: int = scans.SPLIT_BYTES,
) -> dict[str, Any]:
    """Count, over archives, the events each rule matches, on a Dask cluster.

    Args:
        rules: a `Machine`, a mapping of rule name -> pattern, or a JSON rules file's path (any
            form `patterns.rulesets` reads).
        sources: files, folders, globs or fsspec URLs (``s3://bucket/prefix/``), as
            `patterns.scan` takes them; not ``-``.
        client: a ``distributed.Client``; None uses Dask's default (the current client if one
            exists, else the bag's local scheduler).
        format: ``jsonl``, ``cloudtrail``, ``firehose`` or ``json``; None detects it per source.
        read_only: who sees CloudTrail's read-only management events, as for `patterns.scan`:
            True every rule, False none, a collection of rule names those rules; None (the
            default) the rules a rules file puts in state
            ``ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS``.
        dialect: the rules' dialect (for a mapping or a file).
        batch_size: events matched per `Machine.match_many` call.
        skip_invalid: leave invalid rules out instead of failing.
        validate: decode JSON-lines events in the reader (see `patterns.archive.read_batches`).
        split_bytes: local uncompressed JSON-lines files at least this large are cut into ranges
            of lines (more partitions than files).

    Returns:
        ``{"events": N, "invalid": N, "rules": {name: count}}``, equal to
        ``patterns.scan(rules, sources, ...).run().as_dict()`` and to ``patterns scan --stats
        json``: events matched, records that could not be read or matched, and per rule (every
        rule, zeros included, in the machine's order) the events it matched.

    Raises:
        ImportError: dask is not installed (``pip install 'eventpatterns[dask]'``).
        RulesError: the rules cannot be used (every fault listed).
        ArchiveError: a source that does not exist, a glob that matches nothing.
        ValueError: an unknown format, or ``-`` among the sources.
    """
    # dask is an optional extra: imported when used, so the module loads without it
    import dask.bag
    from dask.delayed import delayed

    from_sequence: Any = dask.bag.from_sequence  # untyped in dask: called as Any

    plan = scans.plan_units(
        rules, _worker_sources(sources), format=format, read_only=read_only, dialect=dialect,
        workers=max(2, _workers(client)), batch_size=batch_size, keep_matches=False,
        skip_invalid=skip_invalid, validate=validate, split_bytes=split_bytes,
    )  # fmt: skip
    machine, units = plan.machine, plan.units
    totals = scans.ScanStats(rules=dict.fromkeys(machine, 0))
    if not units:
        return totals.as_dict()
    # one graph key for the rules: every task depends on it, each worker fetches it once
    shipped = delayed(Shipped.of(machine), pure=True, traverse=False)
    bag = from_sequence(units, npartitions=len(units)).map_partitions(_count_units, shipped)
    parts = client.compute(bag).result() if client is not None else bag.compute()
    for part in parts:
        totals.events += part["events"]
        totals.invalid += part["invalid"]
        for name, count in part["rules"].items():
            totals.rules[name] += count
    return totals.as_dict()


def explain(
    pattern: Pattern | PatternSource,
    sources: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    client: Any = None,
    *,
    format: str | None = None,
    read_only: bool = False,
    dialect: str = "eventbridge",
    capacity: int = 64,
    shown: int = 5,
) -> WhyReport:
    """Why a pattern matches what it matches over archives, on a Dask cluster (`patterns.why`).

    Each file is one partition: a worker reads it, folds its events into a
    `patterns.why.Aggregator`, and sends that part back (counts and bounded value summaries,
    not events); the parts are merged in file order, so the report is the one
    `patterns.why.aggregate` gives over the same events in one process (while its counts are
    exact; see `TopValues`).

    Args:
        pattern: a compiled `Pattern`, or its source (text, bytes or dict).
        sources: files, folders, globs or fsspec URLs, as for `scan`; not ``-``.
        client: a ``distributed.Client``; None uses Dask's default.
        format: ``jsonl``, ``cloudtrail``, ``firehose`` or ``json``; None detects it per source.
        read_only: include CloudTrail's read-only management events (the rule's state is
            ``ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS``).
        dialect: the dialect to compile a source in.
        capacity: distinct values tracked per condition (`patterns.why.aggregate`).
        shown: values shown per condition in the report.

    Returns:
        The `patterns.why.WhyReport`; its ``invalid`` counts events the matcher refused (records
        the readers could not read are not events, and `scan` counts those).

    Raises:
        ImportError: dask is not installed (``pip install 'eventpatterns[dask]'``).
        InvalidPatternError: `pattern` is a source AWS would refuse.
        ArchiveError: a source that does not exist, a glob that matches nothing.
        ValueError: an unknown format, ``-`` among the sources, or `capacity` below 1.
    """
    # dask is an optional extra: imported when used, so the module loads without it
    import dask.bag

    from_sequence: Any = dask.bag.from_sequence  # untyped in dask: called as Any

    check_format(format)
    if not isinstance(pattern, Pattern):
        pattern = compile(pattern, dialect=dialect)
    whole = Aggregator(pattern, capacity=capacity)
    names = expand_sources(_worker_sources(sources))
    if not names:
        return whole.report(shown)
    options = {"format": format, "read_only": read_only}
    bag = from_sequence(names, npartitions=len(names)).map_partitions(
        _explain_sources, pattern, capacity, options
    )
    parts = client.compute(bag).result() if client is not None else bag.compute()
    for part in parts:  # in partition order: the order of the files
        whole.merge(part)
    return whole.report(shown)
