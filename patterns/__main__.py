"""``patterns`` (or ``python -m patterns``): match or scan events against named patterns.

    patterns scan examples/rules.json examples/archive/        counts per rule over an archive
    patterns match examples/rules.json examples/events.jsonl   each event's matching rules
    patterns lint template.yaml                                pattern-lint
    patterns info                                              version and matcher

``match`` prints, for each event, its ``id`` (or line number) and the names of the rules it
matches (``--output jsonl``: one JSON object a line, unambiguous for any rule name). Events are
read as ``scan`` reads them (JSON lines, CloudTrail logs, Firehose output, JSON documents;
compressed or not). Exit codes: 0 done, 1 some events could not be read, 2 bad rules or
unreadable input, 130 interrupted. ``scan`` documents its own (``patterns scan --help``).
"""

from __future__ import annotations

import argparse
import os
import re
import sys

import orjson

from . import IMPLEMENTATION, __version__
from .archive import FORMATS, read_batches
from .dialects import DIALECTS
from .errors import ArchiveError, InvalidEventError, RulesError
from .lint.cli import main as lint_main
from .machine import Machine
from .rulesets import build_machine, read_rules
from .scan_cli import main as scan_main

__all__ = ["entry", "main"]

# An event's top-level `id` when only scalar-valued keys come before it (as in every envelope
# EventBridge writes): found without decoding the event a second time.
_ID = re.compile(
    rb'\A\s*\{(?:\s*"[^"\\]*"\s*:\s*(?:"[^"\\]*"|[-\w.+]+)\s*,)*?\s*"id"\s*:\s*"([^"\\]*)"\s*[,}]'
)


def _label(event: bytes, where: int) -> str:
    m = _ID.match(event)
    if m is not None:
        return m.group(1).decode("utf-8", "replace")
    try:
        value = orjson.loads(event)
    except orjson.JSONDecodeError:
        return str(where)
    found = value.get("id") if isinstance(value, dict) else None
    return found if isinstance(found, str) else str(where)


def _load_rules(path: str, dialect: str) -> Machine:
    """The rules of a JSON rules file (any form `patterns.rulesets` reads) in one machine.

    Raises:
        RulesError: the file cannot be used (every fault listed).
    """
    return build_machine(read_rules(path), dialect)[0]


def _match(args: argparse.Namespace) -> int:
    try:
        machine = _load_rules(args.rules, args.dialect)
    except RulesError as exc:
        for problem in exc.problems:
            print(f"error: {problem}", file=sys.stderr)
        return 2
    status = 0
    out = sys.stdout
    jsonl = args.output == "jsonl"
    for batch in read_batches(args.events, format=args.format):
        for d in batch.damaged:
            print(f"{d.source}:{d.where}: invalid event: {d.reason}", file=sys.stderr)
            status = 1
        results = machine.match_many(batch.events, errors="yield")
        for event, where, found in zip(batch.events, batch.where, results, strict=True):
            if isinstance(found, InvalidEventError):
                print(f"{batch.source}:{where}: invalid event: {found}", file=sys.stderr)
                status = 1
            elif jsonl:
                out.write(orjson.dumps({"where": where, "id": _label(event, where), "rules": found}).decode())
                out.write("\n")
            else:
                out.write(f"{_label(event, where)}: {', '.join(found) if found else '-'}\n")
    return status


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 done, 1 invalid events, 2 bad input, 130 Ctrl-C)."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["lint"]:  # `patterns lint ...` is `pattern-lint ...`
        return lint_main(argv[1:])
    if argv[:1] == ["scan"]:  # `patterns scan ...`: its own parser and exit codes
        return scan_main(argv[1:])
    parser = argparse.ArgumentParser(prog="patterns", description=__doc__.split("\n")[0])
    parser.add_argument("--version", action="version", version=f"patterns {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    m = sub.add_parser("match", help="match events against named patterns, event by event")
    m.add_argument("rules", help="JSON rules file: {rule name: pattern}, one pattern, or list-rules output")
    m.add_argument(
        "events", help="events file (JSON lines, CloudTrail, Firehose, JSON; compressed or not), or -"
    )
    m.add_argument("--dialect", default="eventbridge", choices=sorted(DIALECTS))
    m.add_argument("--format", choices=FORMATS, help="the events' format (default: told from content)")
    m.add_argument("--output", choices=("text", "jsonl"), default="text", help="text (default) or JSON lines")
    sub.add_parser("scan", help="count matches per rule over archives (`scan --help`)")
    sub.add_parser("info", help="print the version and which matcher implementation runs")
    sub.add_parser("lint", help="pattern-lint: check the patterns in templates (`lint --help`)")
    args = parser.parse_args(argv)
    if args.command == "info":
        print(f"patterns {__version__} ({IMPLEMENTATION} matcher)")
        return 0
    try:
        return _match(args)
    except KeyboardInterrupt:
        sys.stdout.flush()  # every line was written whole: the output ends with a newline
        print("interrupted", file=sys.stderr)  # Ctrl-C: one line, no traceback; 128 + SIGINT
        return 130
    except BrokenPipeError:
        # the reader went away (`| head`): stop quietly, as Unix tools do
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except (ArchiveError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def entry() -> None:
    """The ``patterns`` console script."""
    sys.exit(main())


if __name__ == "__main__":
    sys.exit(main())
