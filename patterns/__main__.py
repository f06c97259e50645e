"""``python -m patterns``: match a file of events against a file of named patterns.

    python -m patterns match examples/rules.json examples/events.jsonl

prints, for each event, its ``id`` (or line number) and the names of the rules it matches. An
invalid pattern stops the run with AWS's message and the pattern's location (exit code 2).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import orjson

from . import IMPLEMENTATION, Machine, __version__
from .dialects import DIALECTS
from .errors import InvalidEventError, InvalidPatternError
from .lint.cli import main as lint_main

__all__ = ["main"]


def _load_rules(path: Path, dialect: str) -> Machine:
    raw = path.read_bytes()
    try:
        rules = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise SystemExit(f"{path}: not JSON: {exc}") from None
    if not isinstance(rules, dict):
        raise SystemExit(f"{path}: expected an object of rule name -> pattern, got `{type(rules).__name__}`")
    machine = Machine(dialect=dialect)
    for name, pattern in rules.items():
        try:
            machine.add(name, pattern)
        except InvalidPatternError as err:
            where = f" at {err.path}" if err.path else ""
            raise SystemExit(f"{path}: rule `{name}`{where}: {err}") from None
    return machine


def _match(args: argparse.Namespace) -> int:
    machine = _load_rules(Path(args.rules), args.dialect)
    source = sys.stdin.buffer if args.events == "-" else open(args.events, "rb")  # noqa: SIM115
    status = 0
    with source:
        for number, line in enumerate(source, 1):
            if not line.strip():
                continue
            label = str(number)
            try:
                event = orjson.loads(line)
                if isinstance(event, dict) and isinstance(event.get("id"), str):
                    label = event["id"]
                names = machine.match(line)
            except (orjson.JSONDecodeError, InvalidEventError) as exc:
                print(f"{args.events}:{number}: invalid event: {exc}", file=sys.stderr)
                status = 2
                continue
            print(f"{label}: {', '.join(names) if names else '-'}")
    return status


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 done, 2 bad input)."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["lint"]:  # `python -m patterns lint ...` is `pattern-lint ...`
        return lint_main(argv[1:])
    parser = argparse.ArgumentParser(prog="python -m patterns", description=__doc__.split("\n")[0])
    parser.add_argument("--version", action="version", version=f"patterns {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    m = sub.add_parser("match", help="match events (JSON lines) against named patterns (a JSON object)")
    m.add_argument("rules", help="JSON file: {rule name: pattern}")
    m.add_argument("events", help="JSON-lines file of events, or - for standard input")
    m.add_argument("--dialect", default="eventbridge", choices=sorted(DIALECTS))
    sub.add_parser("info", help="print the version and which matcher implementation runs")
    sub.add_parser("lint", help="pattern-lint: check the patterns in templates (`lint --help`)")
    args = parser.parse_args(argv)
    if args.command == "info":
        print(f"patterns {__version__} ({IMPLEMENTATION} matcher)")
        return 0
    try:
        return _match(args)
    except SystemExit as exc:
        print(exc, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)  # Ctrl-C: one line, no traceback; 128 + SIGINT
        return 130
    except BrokenPipeError:
        # the reader went away (`| head`): stop quietly, as Unix tools do
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
