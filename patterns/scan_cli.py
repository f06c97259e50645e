"""``patterns scan RULES SOURCE...``: test rules against an archive of events.

    patterns scan rules.json trail/2026/11/ --stats json
    patterns scan template.yaml 's3://bucket/AWSLogs/**/*.json.gz' --matches hits.jsonl

RULES is a JSON rules file (`patterns.rulesets`: named patterns, one pattern, ``aws events
list-rules`` or ``describe-rule`` output) or a template, or a folder of templates (every rule
pattern-lint finds: CloudFormation, SAM, cdk.out, Terraform, serverless.yml); several are given
with ``--rules`` repeated. SOURCE... are files, folders, globs, ``-`` and fsspec URLs.

Exit codes (as pattern-lint's): 0 the scan read every record; 1 it finished, but some records
could not be read or matched (``--invalid FILE`` keeps them) or rules were left out
(``--skip-invalid``); 2 usage error, unreadable rules or sources, invalid or duplicate rules;
130 interrupted (Ctrl-C: the summary of what was scanned is printed first).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

import orjson

from .archive import FORMATS, expand_sources, read_batches
from .dialects import DIALECTS
from .errors import ArchiveError, RulesError
from .lint.sources import SourceError, extract_file, iter_files
from .machine import Machine
from .rulesets import Rule, build_machine, read_only_rules, read_rules
from .scans import Scan, ScanStats, scan
from .why import aggregate

__all__ = ["load_rule_set", "load_rules", "main"]

#: Files read as templates (through pattern-lint's extractors), not as JSON rules files.
_TEMPLATE_SUFFIXES = (".yaml", ".yml", ".tf", ".hcl", ".template")


def _is_template(path: Path) -> bool:
    if path.is_dir() or path.name.endswith(_TEMPLATE_SUFFIXES) or path.name.endswith(".template.json"):
        return True
    if path.suffix == ".json":
        try:
            head = path.read_bytes()[:4096]
        except OSError:
            return False
        return b'"Resources"' in head or b'"AWSTemplateFormatVersion"' in head
    return False


def _rule_name(where: str) -> str:
    """A template rule's name: its logical id (``Resources.X.Properties.EventPattern`` -> ``X``)."""
    parts = where.split(".")
    if len(parts) >= 2 and parts[0] == "Resources":
        return parts[1]
    return where


def _template_rules(path: str, dialect: str) -> tuple[list[Rule], int]:
    """The rules of one dialect pattern-lint finds in a template or a folder of templates;
    also how many patterns of other dialects were left out."""
    rules: list[Rule] = []
    other = 0
    for name, explicit in iter_files([path]):
        try:
            found = extract_file(name, explicit)
        except SourceError as exc:
            if explicit:
                raise RulesError(str(exc)) from None
            continue
        for item in found:
            if item.kind in ("archive", "transformer"):
                continue  # an event archive's filter, a target's input transformer: not rules
            if item.dialect != dialect:
                other += 1
                continue
            line = item.positions.host.position(item.anchor)[0]
            rules.append(Rule(_rule_name(item.where), item.text, item.file, line))
    return rules, other


def load_rules(
    paths: Iterable[str], dialect: str = "eventbridge", *, skip_invalid: bool = False
) -> tuple[Machine, list[str]]:
    """Rules from JSON rules files and templates, compiled into one machine.

    Args:
        paths: JSON rules files, templates, or folders of templates.
        dialect: the rules' dialect; a template's patterns of other dialects are left out.
        skip_invalid: leave invalid rules out instead of refusing the set.

    Returns:
        The machine, and the faults of the rules left out (plus a note of patterns of other
        dialects left out of templates).

    Raises:
        RulesError: unreadable rules, duplicate names, or invalid rules (every one listed).
    """
    machine, notes, _ = load_rule_set(paths, dialect, skip_invalid=skip_invalid)
    return machine, notes


def load_rule_set(
    paths: Iterable[str], dialect: str = "eventbridge", *, skip_invalid: bool = False
) -> tuple[Machine, list[str], frozenset[str]]:
    """`load_rules`, also returning the rules that see CloudTrail's read-only management events
    (state ``ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS`` in ``list-rules`` output).

    Args:
        paths: JSON rules files, templates, or folders of templates.
        dialect: the rules' dialect; a template's patterns of other dialects are left out.
        skip_invalid: leave invalid rules out instead of refusing the set.

    Returns:
        The machine, the notes of `load_rules`, and the names of those rules.

    Raises:
        RulesError: as `load_rules`.
    """
    rules: list[Rule] = []
    notes: list[str] = []
    for name in paths:
        path = Path(name)
        if not path.exists():
            raise RulesError(f"{name}: Expected a rules file or template, got no such file")
        if _is_template(path):
            found, other = _template_rules(name, dialect)
            if other:
                notes.append(f"{name}: {other} pattern(s) of another dialect left out (see --dialect)")
            if not found:
                raise RulesError(f"{name}: Expected rules of dialect `{dialect}`, got none in this template")
            rules.extend(found)
        else:
            rules.extend(read_rules(name))
    machine, skipped = build_machine(rules, dialect, skip_invalid=skip_invalid)
    return machine, skipped + notes, read_only_rules(rules)


# -- output --


def _size(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.1f} TB"  # pragma: no cover


class _Progress:
    """A one-line progress bar on standard error, redrawn at most five times a second."""

    def __init__(self, stream: IO[str], total: int | None, enabled: bool) -> None:
        self.stream = stream
        self.total = total
        self.enabled = enabled
        self.last = 0.0
        self.started = time.monotonic()

    def update(self, stats: ScanStats, force: bool = False) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if not force and now - self.last < 0.2:
            return
        self.last = now
        rate = stats.events / max(now - self.started, 1e-9)
        done = _size(stats.read) + (f" / {_size(self.total)}" if self.total else "")
        line = f"{done}  {stats.events:,} events  {rate:,.0f} events/s  {stats.matched:,} matched"
        if stats.invalid:
            line += f"  {stats.invalid:,} invalid"
        self.stream.write("\r" + line + "\x1b[K")
        self.stream.flush()

    def clear(self) -> None:
        if self.enabled:
            self.stream.write("\r\x1b[K")
            self.stream.flush()


def _summary(stats: ScanStats, elapsed: float, interrupted: bool, out: IO[str]) -> None:
    rows = sorted(stats.rules.items(), key=lambda kv: (-kv[1], kv[0]))
    width = max([len("rule"), *(len(name) for name, _ in rows)])
    digits = max(len("events"), *(len(f"{count:,}") for _, count in rows)) if rows else 6
    out.write(f"{'rule':<{width}}  {'events':>{digits}}\n")
    for name, count in rows:
        out.write(f"{name:<{width}}  {count:>{digits},}\n")
    never = stats.never_matched
    if never:
        out.write(f"\nnever matched ({len(never)} of {len(stats.rules)} rules):\n")
        for name in never:
            out.write(f"  {name}\n")
    state = "interrupted after" if interrupted else "scanned"
    out.write(
        f"\n{state} {stats.events:,} events ({stats.matched:,} matched, {stats.invalid:,} invalid) "
        f"from {_size(stats.read)} in {elapsed:.1f} s\n"
    )


def _json_line(value: dict[str, Any]) -> bytes:
    return orjson.dumps(value) + b"\n"


def _events(args: argparse.Namespace, read_only: bool) -> Iterable[bytes]:
    """Every event of the sources again, in this process (the ``--explain`` pass)."""
    for source in expand_sources(args.sources):
        for batch in read_batches(source, format=args.format, read_only=read_only):
            yield from batch.events


def _explain(args: argparse.Namespace, machine: Machine, stated: frozenset[str]) -> None:
    """``--explain RULE``: `patterns.why.aggregate` of each named rule over the sources (with the
    read-only management events the rule sees in the scan: ``--read-only``, or its state)."""
    for name in args.explain:
        report = aggregate(machine[name], _events(args, args.read_only or name in stated))
        if args.stats == "json":
            sys.stdout.write(json.dumps({"explain": name, **report.to_json()}, ensure_ascii=False) + "\n")
        else:
            sys.stdout.write(f"\nwhy `{name}` matched what it matched:\n{report.render()}\n")


def _scan(args: argparse.Namespace) -> int:
    machine, skipped, stated = load_rule_set(args.rules, args.dialect, skip_invalid=args.skip_invalid)
    unknown = [name for name in args.explain if name not in machine]
    if unknown:
        raise ValueError(f"Expected a rule name for --explain, got `{unknown[0]}`: no such rule")
    if args.explain and "-" in args.sources:
        raise ValueError("Expected files for --explain, got `-`: standard input cannot be read twice")
    for problem in skipped:
        print(f"skipped: {problem}", file=sys.stderr)
    jobs = args.jobs if args.jobs is not None else os.cpu_count() or 1
    run: Scan = scan(
        machine,
        args.sources,
        format=args.format,
        read_only=True if args.read_only else stated,
        jobs=jobs,
        keep_matches=args.matches is not None,
    )
    progress = _Progress(sys.stderr, run.total_bytes, sys.stderr.isatty() and not args.no_progress)
    matches = open(args.matches, "wb") if args.matches else None  # noqa: SIM115 (closed below)
    invalid = open(args.invalid, "wb") if args.invalid else None  # noqa: SIM115
    interrupted = False
    try:
        for result in run:
            if matches is not None:
                for m in result.matches:
                    event = orjson.Fragment(m.event) if m.event is not None else None
                    matches.write(
                        _json_line(
                            {"source": m.source, "where": m.where, "rules": list(m.rules), "event": event}
                        )
                    )
            if invalid is not None:
                for d in result.invalid:
                    invalid.write(
                        _json_line(
                            {
                                "source": d.source,
                                "where": d.where,
                                "reason": d.reason,
                                "data": d.data.decode("utf-8", "replace"),
                            }
                        )
                    )
            progress.update(run.stats)
    except KeyboardInterrupt:
        interrupted = True
        run.close()
    finally:
        for f in (matches, invalid):
            if f is not None:
                f.close()
        progress.clear()
    stats = run.stats
    if args.stats == "json":
        sys.stdout.write(json.dumps(stats.as_dict()) + "\n")
    else:
        _summary(stats, time.monotonic() - run.started, interrupted, sys.stdout)
    sys.stdout.flush()
    if interrupted:
        return 130
    if args.explain:
        _explain(args, machine, stated)
    return 1 if stats.invalid or (skipped and args.skip_invalid) else 0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``scan`` command's arguments (shared by ``patterns scan`` and ``python -m patterns scan``)."""
    parser.add_argument("rules", metavar="RULES", help="a JSON rules file or template (more with --rules)")
    parser.add_argument(
        "sources", nargs="+", metavar="SOURCE", help="files, folders, globs, - or s3:// URLs of events"
    )
    parser.add_argument("--rules", dest="more_rules", action="append", default=[], metavar="RULES")
    parser.add_argument("--format", choices=FORMATS, help="the sources' format (default: told from content)")
    parser.add_argument(
        "--read-only",
        action="store_true",
        help="give CloudTrail read-only management events to every rule (default: only to rules in "
        "state ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS)",
    )
    parser.add_argument("--dialect", default="eventbridge", choices=sorted(DIALECTS))
    parser.add_argument("--jobs", "-j", type=int, default=None, help="worker processes (default: every core)")
    parser.add_argument(
        "--stats", choices=("table", "json"), default="table", help="summary format on stdout"
    )
    parser.add_argument(
        "--matches", metavar="FILE", help="write each matched event with its rules (JSON lines)"
    )
    parser.add_argument(
        "--invalid", metavar="FILE", help="write each record that could not be read (JSON lines)"
    )
    parser.add_argument("--skip-invalid", action="store_true", help="leave invalid rules out and go on")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar, even on a terminal")
    parser.add_argument(
        "--explain",
        action="append",
        default=[],
        metavar="RULE",
        help="after the scan, why RULE matched what it matched: per condition, the events that failed "
        "it and the values they held (a second pass over the sources; repeatable)",
    )


def run(args: argparse.Namespace) -> int:
    """Run a parsed ``scan`` command; returns the exit code.

    Args:
        args: from a parser given `add_arguments`.

    Returns:
        0, 1, 2 or 130 (see the module's docstring).
    """
    args.rules = [args.rules, *args.more_rules]
    try:
        return _scan(args)
    except RulesError as exc:
        for problem in exc.problems:
            print(f"error: {problem}", file=sys.stderr)
        return 2
    except (ArchiveError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def main(argv: list[str] | None = None) -> int:
    """``patterns scan ...`` on its own; returns the exit code."""
    parser = argparse.ArgumentParser(prog="patterns scan", description=__doc__.split("\n")[0])
    add_arguments(parser)
    return run(parser.parse_args(sys.argv[1:] if argv is None else argv))
