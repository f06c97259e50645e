"""``patterns`` (or ``python -m patterns``): match or scan events against named patterns.

    patterns scan examples/rules.json examples/archive/        counts per rule over an archive
    patterns match examples/rules.json examples/events.jsonl   each event's matching rules
    patterns match RULES EVENTS --targets TARGETS.json         what each matching rule's targets receive
    patterns lint template.yaml                                pattern-lint
    patterns info                                              version and matcher

``match`` prints, for each event, its ``id`` (or line number) and the names of the rules it
matches (``--output jsonl``: one JSON object a line, unambiguous for any rule name). Events are
read as ``scan`` reads them (JSON lines, CloudTrail logs, Firehose output, JSON documents;
compressed or not). With ``--dialect bus`` the rules are Custom Event Bus subscribers (name ->
``FilterConfiguration``) and the events bus events ``{"Data", "Metadata", "SystemMetadata"}``
(``Data`` as JSON text or as a JSON value), labelled by ``SystemMetadata["aws:EventId"]``.

``--targets FILE`` prints, as JSON lines ``{"where", "event", "rule", "target", "input"}``, the
text each matching rule's target receives (``patterns.transform``). FILE maps a rule name to a
PutTargets target (``{"Input": ...}``, ``{"InputPath": ...}``, ``{"InputTransformer":
{"InputPathsMap": ..., "InputTemplate": ...}}``, ``{}``) or a list of them; with ``--dialect bus``
a subscriber name to its ``Transformer`` (``{"Type": "RAW" | "WITH_METADATA" | "JSONATA",
"JsonataConfiguration": {"Expression": ...}}``, or the subscriber's properties holding one). A
rule FILE does not name receives what AWS sends by default: the whole event (a subscriber: its
data, ``RAW``).

Exit codes: 0 done; 1 some events could not be read, or could not be delivered to a target
(each reported on stderr, the run goes on); 2 bad rules or targets (a transformer AWS refuses:
AWS's text with the rule's name), or unreadable input; 130 interrupted. ``scan`` documents its
own (``patterns scan --help``).
"""

from __future__ import annotations

import argparse
import base64
import os
import re
import sys
from pathlib import Path
from typing import Any

import orjson

from . import IMPLEMENTATION, __version__
from .archive import FORMATS, read_batches
from .dialects import BUS, DIALECTS, EVENTBRIDGE
from .errors import (
    ArchiveError,
    InvalidEventError,
    InvalidTransformerError,
    PatternsError,
    RulesError,
    UndeliverableEventError,
)
from .lint.cli import main as lint_main
from .machine import Machine
from .rulesets import build_machine, read_rules
from .scan_cli import main as scan_main
from .transform import BusTransformer, Target

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


def _bus_label(event: bytes, where: int) -> str:
    """A bus event's ``SystemMetadata["aws:EventId"]``, else its line (or offset)."""
    try:
        value = orjson.loads(event)
    except orjson.JSONDecodeError:
        return str(where)
    system = value.get("SystemMetadata") if isinstance(value, dict) else None
    found = system.get("aws:EventId") if isinstance(system, dict) else None
    return found if isinstance(found, str) else str(where)


_OCTET_STREAM = "application/octet-stream"

#: What a rule's target, or a subscriber's, renders: a `Target` or a `BusTransformer`.
Delivery = Target | BusTransformer


def _load_targets(path: str, dialect: str, machine: Machine) -> dict[str, list[Delivery]]:
    """The targets file of ``--targets``: rule name -> its targets, each checked as AWS checks it.

    Raises:
        RulesError: the file cannot be read or is not of that form, names a rule the rules do
            not hold, or holds a target or transformer AWS refuses (its text, with the rule).
    """
    try:
        value = orjson.loads(Path(path).read_bytes())
    except (OSError, orjson.JSONDecodeError) as exc:
        raise RulesError(f"{path}: cannot read targets: {exc}") from None
    if not isinstance(value, dict):
        raise RulesError(f"{path}: Expected an object of rule name -> targets, got `{type(value).__name__}`")
    problems: list[str] = []
    out: dict[str, list[Delivery]] = {}
    for name, given in value.items():
        where = f"{path}: rule `{name}`"
        if name not in machine:
            problems.append(f"{where}: Expected a rule of the rules file, got none of that name")
            continue
        try:
            out[name] = _deliveries(given, dialect, where)
        except (InvalidTransformerError, PatternsError) as exc:
            # AWS's text for what PutTargets or CreateSubscriber refuses, behind the rule's name
            problems.append(f"{where}: {exc}")
    if problems:
        raise RulesError(problems[0], problems)
    return out


def _deliveries(given: Any, dialect: str, where: str) -> list[Delivery]:
    if dialect == BUS.name:
        if not isinstance(given, dict):
            # a subscriber has one target
            raise InvalidTransformerError(f"Expected a Transformer (`object`), got `{type(given).__name__}`")
        return [BusTransformer.from_config(given.get("Transformer", given))]
    items = given if isinstance(given, list) else [given]
    targets: list[Delivery] = []
    for i, item in enumerate(items):
        try:
            targets.append(Target(item))
        except InvalidTransformerError as exc:
            raise InvalidTransformerError(f"target {i}: {exc}") from None
    return targets


def _input(delivery: Delivery, event: bytes, rule: str) -> tuple[str, str]:
    """What a target receives for one event: ``("input", text)``, or ``("input_base64", text)``
    when it receives binary data (an octet-stream event's data, delivered ``RAW``)."""
    if isinstance(delivery, Target):
        return "input", delivery.render(event, rule_name=rule)
    sent = delivery.render(_binary_data(event))
    if isinstance(sent, bytes):
        return "input_base64", base64.b64encode(sent).decode("ascii")
    return "input", sent


def _binary_data(event: bytes) -> bytes | dict[str, Any]:
    """A bus event of a JSON file, with an octet-stream event's data as its bytes.

    JSON holds no bytes: every JSON form AWS gives of binary data (the API's blobs, the
    ``WITH_METADATA`` envelope) is its Base64 text, and so is such a file's ``Data``.
    """
    try:
        value = orjson.loads(event)
    except orjson.JSONDecodeError:
        return event  # the bus reader words the fault
    if not isinstance(value, dict):
        return event
    system = value.get("SystemMetadata")
    data = value.get("Data")
    if (
        not isinstance(system, dict)
        or system.get("ContentType") != _OCTET_STREAM
        or not isinstance(data, str)
    ):
        return event
    try:
        value["Data"] = base64.b64decode(data, validate=True)
    except ValueError:
        raise InvalidEventError(
            f"Expected the Base64 text of `{_OCTET_STREAM}` data, got `{data[:40]}` - at `$.Data`"
        ) from None
    return value


def _load_rules(path: str, dialect: str) -> Machine:
    """The rules of a JSON rules file (any form `patterns.rulesets` reads) in one machine.

    Raises:
        RulesError: the file cannot be used (every fault listed).
    """
    return build_machine(read_rules(path), dialect)[0]


def _match(args: argparse.Namespace) -> int:
    try:
        machine = _load_rules(args.rules, args.dialect)
        targets = _load_targets(args.targets, args.dialect, machine) if args.targets else None
    except RulesError as exc:
        for problem in exc.problems:
            print(f"error: {problem}", file=sys.stderr)
        return 2
    status = 0
    out = sys.stdout
    jsonl = args.output == "jsonl"
    label = _bus_label if args.dialect == BUS.name else _label
    default: list[Delivery] = [BusTransformer("RAW") if args.dialect == BUS.name else Target({})]
    for batch in read_batches(args.events, format=args.format):
        for d in batch.damaged:
            print(f"{d.source}:{d.where}: invalid event: {d.reason}", file=sys.stderr)
            status = 1
        results = machine.match_many(batch.events, errors="yield")
        for event, where, found in zip(batch.events, batch.where, results, strict=True):
            if isinstance(found, InvalidEventError):
                print(f"{batch.source}:{where}: invalid event: {found}", file=sys.stderr)
                status = 1
            elif targets is not None:
                if not _deliver(event, where, label(event, where), found, targets, default, batch.source):
                    status = 1
            elif jsonl:
                out.write(orjson.dumps({"where": where, "id": label(event, where), "rules": found}).decode())
                out.write("\n")
            else:
                out.write(f"{label(event, where)}: {', '.join(found) if found else '-'}\n")
    return status


def _deliver(
    event: bytes,
    where: int,
    label: str,
    rules: list[str],
    targets: dict[str, list[Delivery]],
    default: list[Delivery],
    source: str,
) -> bool:
    """Print what each target of each matching rule receives; False if some could not be delivered."""
    delivered = True
    for rule in rules:
        for i, delivery in enumerate(targets.get(rule, default)):
            try:
                key, text = _input(delivery, event, rule)
            except (UndeliverableEventError, InvalidEventError) as exc:
                print(
                    f"{source}:{where}: undeliverable event: rule `{rule}` target {i}: {exc}", file=sys.stderr
                )
                delivered = False
                continue
            line = {"where": where, "event": label, "rule": rule, "target": i, key: text}
            sys.stdout.write(orjson.dumps(line).decode())
            sys.stdout.write("\n")
    return delivered


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 done, 1 invalid or undeliverable events, 2 bad input,
    130 Ctrl-C)."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["lint"]:  # `patterns lint ...` is `pattern-lint ...`
        return lint_main(argv[1:])
    if argv[:1] == ["scan"]:  # `patterns scan ...`: its own parser and exit codes
        return scan_main(argv[1:])
    parser = argparse.ArgumentParser(prog="patterns", description=__doc__.split("\n")[0])
    parser.add_argument("--version", action="version", version=f"patterns {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    m = sub.add_parser(
        "match",
        help="match events against named patterns, event by event",
        epilog="exit codes: 0 done; 1 some events could not be read or delivered (each on stderr); "
        "2 bad rules or targets (a transformer AWS refuses: its text and the rule), unreadable input; "
        "130 interrupted",
    )
    m.add_argument("rules", help="JSON rules file: {rule name: pattern}, one pattern, or list-rules output")
    m.add_argument(
        "events", help="events file (JSON lines, CloudTrail, Firehose, JSON; compressed or not), or -"
    )
    m.add_argument(
        "--dialect",
        default="eventbridge",
        choices=sorted([*DIALECTS, BUS.name]),
        help="the rules' dialect; `bus`: Custom Event Bus subscribers (name -> FilterConfiguration) and bus events",
    )
    m.add_argument("--format", choices=FORMATS, help="the events' format (default: told from content)")
    m.add_argument("--output", choices=("text", "jsonl"), default="text", help="text (default) or JSON lines")
    m.add_argument(
        "--targets",
        metavar="FILE",
        help="print what each matching rule's targets receive, as JSON lines: FILE maps a rule name to "
        "PutTargets targets (Input, InputPath, InputTransformer), or with --dialect bus a subscriber name "
        "to its Transformer (RAW, WITH_METADATA, JSONATA); exit 1 if an event cannot be delivered",
    )
    sub.add_parser("scan", help="count matches per rule over archives (`scan --help`)")
    sub.add_parser("info", help="print the version and which matcher implementation runs")
    sub.add_parser("lint", help="pattern-lint: check the patterns in templates (`lint --help`)")
    args = parser.parse_args(argv)
    if args.command == "info":
        print(f"patterns {__version__} ({IMPLEMENTATION} matcher)")
        return 0
    if args.targets and args.dialect not in (EVENTBRIDGE.name, BUS.name):
        print(
            f"error: Expected --dialect eventbridge or bus with --targets, got `{args.dialect}`",
            file=sys.stderr,
        )
        return 2
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
