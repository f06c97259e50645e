"""``pattern-lint``: check the patterns in templates, explain a non-match, print rule docs.

    pattern-lint check template.yaml infra/ --format full
    pattern-lint test --pattern rule.json --event event.json
    pattern-lint rule W101
    pattern-lint rules
    pattern-lint --version

Exit codes: 0 nothing found (or every event matched, for ``test``), 1 findings (or some event
did not match), 2 usage error, unreadable input or internal error, 130 interrupted (Ctrl-C).
Diagnostics go to standard output, failures to standard error.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tomllib
import traceback
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import patterns
from patterns.errors import InvalidEventError, InvalidPatternError
from patterns.explain import explain

from .aws import TEST_EVENT_INVALID, TEST_EVENT_REQUIRED
from .diagnostics import Diagnostic
from .render import FORMATS, first_sentence, paint, render
from .rules import RULES, PatternContext, check_group, check_pattern
from .sources import (
    Extracted,
    SourceError,
    SourceNote,
    cdk_available,
    extract_file,
    iter_files,
    language_of,
    note,
)

__all__ = ["main"]

_SUBCOMMANDS = ("check", "test", "rule", "rules")


class _UsageError(Exception):
    pass


def find_config(start: Path) -> tuple[Path | None, dict[str, Any]]:
    """The ``[tool.pattern-lint]`` table of the nearest pyproject.toml at or above `start`.

    Returns:
        The file and its table; (None, {}) when there is none.

    Raises:
        _UsageError: the file is not valid TOML.
    """
    for folder in (start, *start.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            try:
                data = tomllib.loads(candidate.read_text("utf-8"))
            except (tomllib.TOMLDecodeError, OSError, UnicodeDecodeError) as exc:
                raise _UsageError(f"{candidate}: {exc}") from None
            table = data.get("tool", {}).get("pattern-lint")
            if table is not None:
                return candidate, table
    return None, {}


def _codes_list(value: Any, where: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _UsageError(f"{where}: expected a list of rule codes or prefixes, got `{value!r}`")
    out = []
    for item in value:
        out.extend(part.strip() for part in item.split(",") if part.strip())
    return out


def resolve_codes(select: Iterable[str], ignore: Iterable[str]) -> set[str]:
    """The rule codes to run: selected (default all) minus ignored; by code, prefix or name.

    Raises:
        _UsageError: a selector that matches no rule.
    """
    by_name = {r.name: code for code, r in RULES.items()}

    def expand(selector: str) -> set[str]:
        if selector in by_name:
            return {by_name[selector]}
        if selector.upper() == "ALL":
            return set(RULES)
        found = {code for code in RULES if code.startswith(selector.upper())}
        if not found:
            raise _UsageError(f"unknown rule selector `{selector}` (see `pattern-lint rules`)")
        return found

    selected: set[str] = set()
    select = list(select)
    for s in select or ["ALL"]:
        selected |= expand(s)
    for s in ignore:
        selected -= expand(s)
    return selected


def _suppressed(d: Diagnostic, anchors: dict[tuple[str, str], int], hosts: dict) -> bool:
    host = hosts.get(d.path)
    if host is None:
        return False
    marks = host.suppressions()
    if not marks:
        return False
    lines = {d.line}
    anchor = anchors.get((d.path, d.where))
    if anchor is not None:
        lines |= {anchor, anchor - 1}
    for line in lines:
        if line in marks:
            codes = marks[line]
            if codes is None or d.code in codes:
                return True
    return False


#: Host formats pattern-lint reads; a file named with another suffix is noted as not read.
_READ_SUFFIXES = (".json", ".yaml", ".yml", ".template", ".tf", ".hcl")


def _unread_in_walk(
    name: str, explicit: bool, exc: SourceError, notes: list[SourceNote], verbose: bool
) -> bool:
    """A file met in a folder walk that cannot be read or parsed is a note, not an error: the
    user did not name it. A named file stays an error (exit 2). Returns True when noted."""
    if explicit:
        return False
    message = str(exc).removeprefix(f"{name}: ")
    if verbose:
        print(f"skipped {name}: {message}", file=sys.stderr)
    notes.append(note(name, "N102", f"not read: {message}"))
    return True


def _read_file_notes(
    name: str, explicit: bool, found: list[Extracted], noted: int, notes: list[SourceNote], verbose: bool
) -> None:
    """After one file is read: ``--verbose`` says how many patterns it held, and a file the user
    named that yields none (and got no other note) gets a note saying so, and why when known."""
    if verbose:
        print(f"read {name}: {len(found)} pattern{'s' * (len(found) != 1)}", file=sys.stderr)
    if found or not explicit or len(notes) > noted:
        return
    lower = name.lower()
    if language_of(name) is not None and not cdk_available():
        why = (
            "CDK sources are read with tree-sitter, which is not installed: `pip install "
            "'eventpatterns[cdk]'` (or run `cdk synth` and lint `cdk.out`)"
        )
    elif language_of(name) is not None:
        why = "no CDK construct here is given a pattern pattern-lint reads"
    elif lower.endswith((".js", ".java", ".go", ".cs")):
        why = "CDK and SDK sources in this language are not read: run `cdk synth` and lint `cdk.out`"
    elif name != "-" and not lower.endswith(_READ_SUFFIXES):
        why = f"not a format pattern-lint reads ({', '.join(_READ_SUFFIXES)})"
    else:
        why = "no pattern found where templates keep them"
    notes.append(note(name, "N101", why))


def run_check(args: argparse.Namespace, config: dict[str, Any]) -> int:
    """``check``: lint every pattern in the paths; print the findings; return the exit code."""
    select = args.select if args.select is not None else _codes_list(config.get("select"), "select")
    # A --select on the command line replaces the configured selection, its ignores included.
    ignore = (_codes_list(config.get("ignore"), "ignore") if args.select is None else []) + (
        args.ignore or []
    )
    codes = resolve_codes(select, ignore)
    fmt = args.format or config.get("format", "concise")
    if fmt not in FORMATS:
        raise _UsageError(f"unknown format `{fmt}` (one of {', '.join(FORMATS)})")
    exclude = _codes_list(config.get("exclude"), "exclude") + (args.exclude or [])
    dialect = args.dialect or config.get("dialect")
    exit_zero = args.exit_zero or bool(config.get("exit-zero", False))

    diagnostics: list[Diagnostic] = []
    hosts: dict = {}
    anchors: dict[tuple[str, str], int] = {}
    failed = False
    checked = files = unreadable = 0
    unknowns: list[str] = []
    notes: list[SourceNote] = []
    for name, explicit in iter_files(args.paths, exclude, notes):
        noted = len(notes)
        try:
            found: list[Extracted] = extract_file(name, explicit, dialect, notes)
        except SourceError as exc:
            if not _unread_in_walk(name, explicit, exc, notes, args.verbose):
                print(f"error: {exc}", file=sys.stderr)
                failed = True
                unreadable += 1
            continue
        except Exception:  # noqa: BLE001 - one bad file must not hide the findings in the others
            print(f"error: internal error while reading {name}:\n{traceback.format_exc()}", file=sys.stderr)
            failed = True
            unreadable += 1
            continue
        files += 1
        _read_file_notes(name, explicit, found, noted, notes, args.verbose)
        contexts: list[PatternContext] = []
        for ex in found:
            hosts.setdefault(ex.file, ex.positions.host)
            anchors[(ex.file, ex.where)] = ex.positions.host.position(ex.anchor)[0]
            try:
                ctx, found_here = check_pattern(ex, codes)
            except Exception:  # noqa: BLE001 - report it, go on with the other patterns
                print(
                    f"error: internal error while checking {ex.file} {ex.where}:\n{traceback.format_exc()}",
                    file=sys.stderr,
                )
                failed = True
                continue
            checked += ex.kind != "transformer"  # the summary counts patterns
            contexts.append(ctx)
            diagnostics.extend(found_here)
            for u in ex.unknowns:
                line, column, _, _ = ex.positions.span(u.start, u.end)
                unknowns.append(
                    f"{ex.file}:{line}:{column}: `{u.text}` ({ex.where or 'pattern'} {u.json_path})"
                )
        try:
            diagnostics.extend(check_group(contexts, codes))
        except Exception:  # noqa: BLE001
            print(
                f"error: internal error while comparing patterns of {name}:\n{traceback.format_exc()}",
                file=sys.stderr,
            )
            failed = True
    diagnostics = sorted(
        (d for d in diagnostics if not _suppressed(d, anchors, hosts)), key=Diagnostic.sort_key
    )
    _write_report(
        render(
            diagnostics,
            fmt,
            hosts=hosts,
            patterns_checked=checked,
            files=files,
            unknowns=unknowns,
            notes=notes,
            failures=unreadable,
        ),
        fmt,
        args.color,
    )
    if failed:
        return 2
    if exit_zero:
        return 0
    return 1 if diagnostics else 0


def use_color(choice: str, stream: Any = None) -> bool:
    """``--color``: ``always``, ``never``, or ``auto`` (on a terminal, unless ``NO_COLOR`` is set).

    ``NO_COLOR`` (https://no-color.org) counts when it is set to a non-empty value; an explicit
    ``--color always`` overrides it, as that convention asks of command-line flags.
    """
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    stream = sys.stdout if stream is None else stream
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def _write_report(text: str, fmt: str, color: str) -> None:
    """Print the rendered report; human formats are coloured when `use_color` says so."""
    if fmt in ("concise", "full") and use_color(color):
        text = paint(text)
    sys.stdout.write(text)


def _read_json_arg(value: str, what: str) -> str:
    """Inline JSON, ``-`` (standard input) or a file name -> the text."""
    if value == "-":
        return sys.stdin.read()
    if value.lstrip().startswith(("{", "[", '"')):
        return value
    try:
        return Path(value).read_text("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise _UsageError(f"{what} `{value}`: cannot read: {exc}") from None


_JSON_LINES_SUFFIXES = (".jsonl", ".ndjson", ".jsonlines")


def _events_of(source: str, number: int) -> list[tuple[str, str]]:
    """One ``--event`` argument -> its events as (label, JSON text).

    A file named ``*.jsonl`` / ``*.ndjson``, or a file that is not one JSON value while each of its
    non-blank lines is, holds one event a line; its events are labelled ``file:line``.
    """
    text = _read_json_arg(source, "event")
    inline = source.lstrip().startswith(("{", "[", '"'))
    label = f"event {number}" if inline else source
    if inline:
        return [(label, text)]
    lines = [(n, line) for n, line in enumerate(text.splitlines(), 1) if line.strip()]
    if not source.lower().endswith(_JSON_LINES_SUFFIXES):
        if len(lines) < 2:
            return [(label, text)]
        try:
            json.loads(text)
            return [(label, text)]  # one JSON value, pretty-printed over several lines
        except ValueError:
            pass
        try:
            for _, line in lines:
                json.loads(line)
        except ValueError:
            return [(label, text)]  # not JSON lines either: let the matcher report the error
    return [(f"{label}:{n}", line) for n, line in lines]


def _missing_envelope(event_text: str) -> tuple[str, ...]:
    """The fields TestEventPattern requires that an event lacks, as backticked names (`--require-envelope`).

    An event that is not a JSON object lacks them all; text that is not JSON at all is left to the
    matcher, whose error says where the JSON breaks.
    """
    try:
        event = json.loads(event_text)
    except ValueError:
        return ()
    have = event if isinstance(event, dict) else {}
    return tuple(f"`{name}`" for name in TEST_EVENT_REQUIRED if name not in have)


def run_test(args: argparse.Namespace) -> int:
    """``test``: explain each event against the pattern; 0 when all match, 1 when one does not."""
    text = _read_json_arg(args.pattern, "pattern")
    try:
        pattern = patterns.compile(text, dialect=args.dialect or "eventbridge")
    except InvalidPatternError as err:
        where = f" (line {err.line}, column {err.column})" if err.line is not None else ""
        print(f"error: the pattern is not valid{where}: {err}", file=sys.stderr)
        context = err.get_context(text)
        if context:
            print(context, file=sys.stderr, end="")
        return 2
    if args.require_envelope and pattern.dialect.name != "eventbridge":
        raise _UsageError(f"--require-envelope checks EventBridge events, not {pattern.dialect.name} input")
    status = 0
    events = [item for number, source in enumerate(args.event, 1) for item in _events_of(source, number)]
    for label, event_text in events:
        event: Any = event_text
        missing = _missing_envelope(event_text) if args.require_envelope else ()
        if missing:
            print(f"error: {label}: {TEST_EVENT_INVALID} (missing {', '.join(missing)})", file=sys.stderr)
            status = 2
            continue
        if pattern.dialect.name not in ("eventbridge", "sns-body"):
            # an attributes map or a source record: the service's input is an object, not text
            try:
                event = json.loads(event_text)
            except ValueError as exc:
                print(f"error: {label}: not JSON: {exc}", file=sys.stderr)
                status = 2
                continue
        try:
            explanation = pattern.explain(event) if hasattr(pattern, "explain") else explain(pattern, event)
        except InvalidEventError as err:
            print(f"error: {label}: {err}", file=sys.stderr)
            status = 2
            continue
        if len(events) > 1:
            print(f"{label}:")
        print(explanation)
        if not explanation.matched and status == 0:
            status = 1
    return status


def run_rule(code: str) -> int:
    """``rule CODE``: print one rule's documentation."""
    by_name = {r.name: c for c, r in RULES.items()}
    key = by_name.get(code, code.upper())
    r = RULES.get(key)
    if r is None:
        raise _UsageError(f"unknown rule `{code}` (see `pattern-lint rules`)")
    print(f"# {r.name} ({r.code})\n\nSeverity: {r.severity}\n\n{r.doc}")
    return 0


def run_rules() -> int:
    """``rules``: list every rule with its one-line summary."""
    width = max(len(r.name) for r in RULES.values())
    for code in sorted(RULES):
        r = RULES[code]
        print(f"{code}  {r.name.ljust(width)}  {first_sentence(r.sections().get('What it does', r.summary))}")
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pattern-lint",
        description="Find what AWS would reject and what silently never matches in EventBridge patterns, "
        "SNS filter policies and Lambda/Pipes filters.",
    )
    parser.add_argument("--version", action="version", version=f"pattern-lint {patterns.__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check", help="check the patterns in files and folders")
    check.add_argument("paths", nargs="+", help="files, folders, or - for standard input")
    check.add_argument("--format", choices=FORMATS, default=None, help="output format (default: concise)")
    check.add_argument("--select", type=lambda s: [p for p in s.split(",") if p], default=None,
                       help="rule codes, prefixes or names to run (comma-separated; default: all)")  # fmt: skip
    check.add_argument("--ignore", type=lambda s: [p for p in s.split(",") if p], default=None,
                       help="rule codes, prefixes or names to skip")  # fmt: skip
    check.add_argument("--exclude", action="append", default=None, help="glob of paths to leave out")
    check.add_argument(
        "--dialect", default=None, help="dialect of plain pattern files (default: eventbridge)"
    )
    check.add_argument("--exit-zero", action="store_true", help="exit 0 even when there are findings")
    check.add_argument("--config", default=None, help="a pyproject.toml to read [tool.pattern-lint] from")
    check.add_argument("-v", "--verbose", action="store_true", help="list each file read and its patterns")
    check.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="colour codes and severities in concise/full output (auto: on a terminal, unless NO_COLOR is set)",
    )
    test = sub.add_parser("test", help="does a pattern match these events, and if not, why")
    test.add_argument("--pattern", required=True, help="the pattern: inline JSON, a file, or -")
    test.add_argument(
        "--event",
        required=True,
        action="append",
        help="an event: inline JSON, a file, or -; a .jsonl file (or one JSON event a line) holds many",
    )
    test.add_argument("--dialect", default=None, help="eventbridge (default), sns-attributes, sns-body, ...")
    test.add_argument(
        "--require-envelope",
        action="store_true",
        help="refuse events without the fields `aws events test-event-pattern` requires "
        "(id, account, source, time, region, resources, detail-type), as AWS does",
    )
    rule_cmd = sub.add_parser("rule", help="print a rule's documentation")
    rule_cmd.add_argument("code", help="rule code or name")
    sub.add_parser("rules", help="list the rules")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``pattern-lint``; returns the exit code (0 clean, 1 findings, 2 failure, 130 Ctrl-C)."""
    try:
        return _main(argv)
    except KeyboardInterrupt:
        # Ctrl-C: one line, no traceback; 130 = 128 + SIGINT, as shells report it
        print("interrupted", file=sys.stderr)
        return 130


def _main(argv: Sequence[str] | None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list and args_list[0] not in _SUBCOMMANDS and not args_list[0].startswith("-"):
        args_list.insert(0, "check")  # `pattern-lint template.yaml` reads as `check`
    parser = _parser()
    try:
        args = parser.parse_args(args_list)
    except SystemExit as exc:  # argparse: --help (0) or a usage error (2)
        return int(exc.code or 0)
    try:
        if args.command == "check":
            if args.config:
                config_path = Path(args.config)
                try:
                    table = (
                        tomllib.loads(config_path.read_text("utf-8")).get("tool", {}).get("pattern-lint", {})
                    )
                except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
                    raise _UsageError(f"{config_path}: {exc}") from None
            else:
                _, table = find_config(Path(os.getcwd()))
            return run_check(args, table)
        if args.command == "test":
            return run_test(args)
        if args.command == "rule":
            return run_rule(args.code)
        return run_rules()
    except _UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def entry() -> None:
    """The ``pattern-lint`` console script."""
    sys.exit(main())


if __name__ == "__main__":
    entry()
