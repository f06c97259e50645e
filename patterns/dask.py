"""Scanning archives on a Dask cluster: `scan(rules, sources, client)` (extra ``dask``).

    from distributed import Client
    from patterns.dask import scan

    client = Client("tcp://scheduler:8786")          # or LocalCluster(); the call is the same
    scan({"deletes": {"detail": {"eventName": ["DeleteBucket"]}}}, ["s3://trail/2026/11/"], client)
    # -> {"events": 1200000, "invalid": 3, "rules": {"deletes": 41}}

The sources are expanded on the caller's side (`patterns.archive.expand_sources`: folders,
globs, fsspec URLs) into a Dask bag with one partition per file; each partition is read on a
worker with the same readers as `patterns scan` (`patterns.archive.read_batches`) and matched
there, so only counts travel back. The rules ship once: the machine is pickled once on the
caller's side into one graph key that every task depends on (a worker fetches it once, from the
scheduler's side or a peer, and keeps it while tasks need it), and each worker process unpickles
it and builds the automaton once (`patterns._ship`). Files are read where the workers run: local
paths must be visible to every worker (a shared file system), URLs need the worker's credentials.

dask and distributed are imported when `scan` runs, not when this module loads.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from typing import Any

import orjson

from . import archive
from ._ship import Shipped, machine_of
from .errors import InvalidEventError, PatternsError
from .machine import Machine

__all__ = ["scan"]


def _machine(rules: Machine | Mapping[str, Any] | str | os.PathLike[str], dialect: str) -> Machine:
    if isinstance(rules, Machine):
        return rules
    if isinstance(rules, Mapping):
        machine = Machine(dialect)
        for name, pattern in rules.items():
            machine.add(name, pattern)
        return machine
    if isinstance(rules, (str, os.PathLike)):
        return _load_rules(os.fspath(rules), dialect)
    raise TypeError(
        f"Expected `Machine`, a dict of patterns or a rules file path, got `{type(rules).__name__}`"
    )


def _load_rules(path: str, dialect: str) -> Machine:
    """A rules file holding one JSON object of named patterns."""
    try:
        with open(path, "rb") as f:
            rules = orjson.loads(f.read())
    except OSError as exc:
        raise PatternsError(f"Expected a readable rules file, got `{path}` ({exc.strerror})") from None
    except orjson.JSONDecodeError:
        raise PatternsError(f"Expected a JSON rules file, got text that is not JSON - in `{path}`") from None
    if not isinstance(rules, dict):
        raise PatternsError(
            f"Expected an object of named patterns, got `{type(rules).__name__}` - in `{path}`"
        )
    return _machine(rules, dialect)


def _count_source(source: str, shipped: Shipped, options: dict[str, Any]) -> dict[str, Any]:
    """One partition's statistics: read `source` with the archive readers, match every batch."""
    data = shipped.data
    machine = machine_of(shipped.token, lambda: data)
    events = invalid = 0
    counts: dict[str, int] = {}
    for batch in archive.read_batches(source, **options):
        invalid += len(batch.damaged)
        for found in machine.match_many(batch.events, errors="yield"):
            if isinstance(found, InvalidEventError):
                invalid += 1
                continue
            events += 1
            for name in found:
                counts[name] = counts.get(name, 0) + 1
    return {"events": events, "invalid": invalid, "rules": counts}


def _partition(sources: Iterable[str], shipped: Shipped, options: dict[str, Any]) -> list[dict[str, Any]]:
    return [_count_source(source, shipped, options) for source in sources]


def scan(
    rules: Machine | Mapping[str, Any] | str | os.PathLike[str],
    sources: str | Iterable[str],
    client: Any = None,
    *,
    dialect: str = "eventbridge",
    **options: Any,
) -> dict[str, Any]:
    """Count, over archives, the events each rule matches, on a Dask cluster.

    Args:
        rules: a `Machine`, a dict of named patterns, or a rules file's path (as `patterns
            scan` reads it).
        sources: files, folders, globs or fsspec URLs (``s3://bucket/prefix/``), as `patterns
            scan` takes them; one partition per file.
        client: a ``distributed.Client``; None uses Dask's default (the current client if one
            exists, else the bag's local scheduler).
        dialect: the dialect of a dict of patterns or a rules file.
        **options: passed to `patterns.archive.read_batches` on the workers (``format``,
            ``batch_size``, ``read_only``).

    Returns:
        ``{"events": N, "invalid": N, "rules": {name: count}}``: events read and matched,
        records that could not be read or matched (damaged input, invalid events), and per rule
        (every rule, in the machine's order) how many events it matched; the same statistics as
        ``patterns scan --stats json`` and the single-process `patterns.scan`.

    Raises:
        ImportError: dask is not installed (``pip install 'eventpatterns[dask]'``).
        TypeError: `rules` is of none of the accepted types.
        InvalidPatternError: a pattern AWS would refuse.
        PatternsError: a source cannot be found or read on the caller's side.
    """
    # dask is an optional extra: imported when used, so the module loads without it
    import dask
    import dask.bag as db

    machine = _machine(rules, dialect)
    files = archive.expand_sources([sources] if isinstance(sources, str) else list(sources))
    totals: dict[str, Any] = {"events": 0, "invalid": 0, "rules": dict.fromkeys(machine, 0)}
    if not files:
        return totals
    # one graph key for the rules: every task depends on it, each worker fetches it once
    shipped = dask.delayed(Shipped.of(machine), pure=True, traverse=False)
    bag = db.from_sequence(files, npartitions=len(files)).map_partitions(_partition, shipped, dict(options))
    parts = client.compute(bag).result() if client is not None else bag.compute()
    for part in parts:
        totals["events"] += part["events"]
        totals["invalid"] += part["invalid"]
        for name, count in part["rules"].items():
            totals["rules"][name] += count
    return totals
