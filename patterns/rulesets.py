"""Rules files as users have them, read into named rules and compiled into one `Machine`.

JSON forms read here (templates are read by the tools floor, `patterns.scan_cli`, through
pattern-lint's extractors):

    {"ec2-stopped": {...}, "big-orders": "{...}"}      an object of named patterns (objects or text)
    {"source": ["aws.ec2"], "detail": {...}}           one pattern, as copied from the console:
                                                       named after the file (``rule.json`` -> ``rule``)
    {"Rules": [{"Name": ..., "EventPattern": "..."}]}  ``aws events list-rules`` (rules without a
                                                       pattern, schedules, are left out)
    {"Name": ..., "EventPattern": "..."}               ``aws events describe-rule``
    [{"Name": ..., "EventPattern": "..."}, ...]        a list of such rules

A pattern is told from an object of named patterns by its values: a pattern has an array value
somewhere at its top (``"source": ["aws.ec2"]``) or only envelope fields as keys (``detail``,
``source``, ``detail-type``, ...); named patterns have objects or JSON text as values.

Every fault is collected, with the file and the line of the rule in it, before anything is
refused: duplicate names (in an object, a later key silently replaces an earlier one in most
JSON readers; here it is an error), invalid patterns (AWS's text and the JSON path), values
that are no pattern. `build_machine` refuses them all at once (`RulesError`), or with
``skip_invalid`` compiles the valid ones and returns the faults of the invalid ones.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .dialects import Dialect
from .errors import InvalidPatternError, RulesError
from .machine import Machine

__all__ = [
    "ENVELOPE_FIELDS",
    "READ_ONLY_STATE",
    "Rule",
    "build_machine",
    "read_only_rules",
    "read_rules",
    "read_rules_text",
]

#: Top-level fields of an EventBridge event: an object keyed by them is one pattern, not rules.
ENVELOPE_FIELDS = frozenset(
    {"version", "id", "detail-type", "source", "account", "time", "region", "resources", "detail"}
)


#: The rule state that gives a rule CloudTrail's read-only management events too.
READ_ONLY_STATE = "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"


@dataclass(frozen=True, slots=True)
class Rule:
    """One named pattern and where it was written.

    Attributes:
        name: the rule's name (unique in a rule set).
        pattern: JSON text or a decoded object.
        file: the file it was read from.
        line: the 1-based line of the rule in that file (0 when unknown).
        state: the rule's state when the file says it (``ENABLED``, ``DISABLED``,
            ``ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS``), else None.
    """

    name: str
    pattern: str | dict[str, Any]
    file: str
    line: int = 0
    state: str | None = None


def _line_of(text: str, needle: re.Pattern[str], start: int) -> tuple[int, int]:
    m = needle.search(text, start)
    if m is None:
        return 0, start
    return text.count("\n", 0, m.start()) + 1, m.end()


def _is_single_pattern(value: dict[str, Any]) -> bool:
    if not value:
        return False
    if any(isinstance(v, list) for v in value.values()):
        return True
    return all(k in ENVELOPE_FIELDS for k in value) and all(isinstance(v, dict) for v in value.values())


def _pairs_hook(seen: list[list[tuple[str, Any]]]) -> Any:
    def hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        seen.append(pairs)
        return dict(pairs)

    return hook


def read_rules_text(text: str, file: str = "<rules>") -> list[Rule]:
    """The rules a JSON rules file holds, in the file's order.

    Args:
        text: the file's text.
        file: its name, for `Rule.file` and messages (a single pattern is named after it).

    Returns:
        The rules, duplicates included (`build_machine` reports them).

    Raises:
        RulesError: not JSON, or JSON of no rules form; every value that is no pattern.
    """
    seen: list[list[tuple[str, Any]]] = []
    try:
        value = json.loads(text, object_pairs_hook=_pairs_hook(seen))
    except (json.JSONDecodeError, RecursionError) as exc:
        line = getattr(exc, "lineno", 0)
        raise RulesError(f"{file}:{line}: Expected JSON rules, got text that is not JSON: {exc}") from None
    if isinstance(value, list) or (isinstance(value, dict) and isinstance(value.get("Rules"), list)):
        return _aws_rules(value if isinstance(value, list) else value["Rules"], text, file)
    if isinstance(value, dict) and "Name" in value and "EventPattern" in value:
        return _aws_rules([value], text, file)
    if not isinstance(value, dict):
        got = "null" if value is None else type(value).__name__
        raise RulesError(
            f"{file}:1: Expected an object of rule name -> pattern, one pattern, or `aws events "
            f"list-rules` / `describe-rule` output, got `{got}`"
        )
    if _is_single_pattern(value):
        return [Rule(Path(file).name.removesuffix(".json"), text, file, 1)]
    rules: list[Rule] = []
    problems: list[str] = []
    at = 0
    for name, pattern in seen[-1]:  # the top-level object's pairs, duplicates kept
        line, at = _line_of(text, re.compile(re.escape(json.dumps(name)) + r"\s*:"), at)
        if isinstance(pattern, (dict, str)):
            rules.append(Rule(name, pattern, file, line))
        else:
            got = "null" if pattern is None else type(pattern).__name__
            problems.append(
                f"{file}:{line}: rule `{name}`: Expected a pattern (object or JSON text), got `{got}`"
            )
    if problems:
        raise RulesError(problems[0], problems)
    return rules


def _aws_rules(items: list[Any], text: str, file: str) -> list[Rule]:
    """``list-rules`` / ``describe-rule`` items: rules with an EventPattern."""
    rules: list[Rule] = []
    problems: list[str] = []
    at = 0
    for i, item in enumerate(items):
        if not isinstance(item, dict) or not isinstance(item.get("Name"), str):
            problems.append(f"{file}:0: item {i}: Expected a rule with a `Name`, got `{type(item).__name__}`")
            continue
        name = item["Name"]
        line, at = _line_of(text, re.compile(r'"Name"\s*:\s*' + re.escape(json.dumps(name))), at)
        pattern = item.get("EventPattern")
        if pattern is None:
            continue  # a scheduled rule: nothing to match events with
        if not isinstance(pattern, (str, dict)):
            problems.append(
                f"{file}:{line}: rule `{name}`: Expected `EventPattern` as JSON text, got `{type(pattern).__name__}`"
            )
            continue
        state = item.get("State")
        rules.append(Rule(name, pattern, file, line, state if isinstance(state, str) else None))
    if problems:
        raise RulesError(problems[0], problems)
    return rules


def read_rules(path: str | os.PathLike[str]) -> list[Rule]:
    """The rules of a JSON rules file (see the module's docstring for the forms).

    Args:
        path: the file.

    Returns:
        The rules, in the file's order.

    Raises:
        RulesError: the file cannot be read, or is not a rules file (`read_rules_text`).
    """
    name = os.fspath(path)
    try:
        text = Path(name).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RulesError(f"{name}: cannot read rules: {exc}") from None
    return read_rules_text(text, name)


def build_machine(
    rules: Iterable[Rule], dialect: str | Dialect = "eventbridge", *, skip_invalid: bool = False
) -> tuple[Machine, list[str]]:
    """Compile rules into one machine, after checking all of them.

    Args:
        rules: the rules (from one or more files).
        dialect: the dialect every pattern is validated against.
        skip_invalid: leave invalid patterns out (their faults are returned) instead of refusing.

    Returns:
        The machine and the faults of the rules left out (``file:line: rule `name`: message``).

    Raises:
        RulesError: duplicate names (always), or invalid patterns without `skip_invalid`; every
            fault is in its ``problems``.
    """
    machine = Machine(dialect=dialect)
    first: dict[str, Rule] = {}
    duplicates: list[str] = []
    invalid: list[str] = []
    for rule in rules:
        if rule.name in first:
            was = first[rule.name]
            duplicates.append(
                f"{rule.file}:{rule.line}: rule `{rule.name}`: duplicate name (first at {was.file}:{was.line})"
            )
            continue
        first[rule.name] = rule
        try:
            machine.add(rule.name, rule.pattern)
        except InvalidPatternError as err:
            where = f" at {err.path}" if err.path else ""
            invalid.append(f"{rule.file}:{rule.line}: rule `{rule.name}`{where}: {err}")
    if duplicates or (invalid and not skip_invalid):
        problems = duplicates + ([] if skip_invalid else invalid)
        count = f" ({len(problems)} problems)" if len(problems) > 1 else ""
        raise RulesError(problems[0] + count, problems + (invalid if skip_invalid else []))
    return machine, invalid


def read_only_rules(rules: Iterable[Rule]) -> frozenset[str]:
    """The names of the rules that see CloudTrail's read-only management events.

    Args:
        rules: rules as read (``list-rules`` and ``describe-rule`` output say each one's state).

    Returns:
        The names of the rules in state `READ_ONLY_STATE`.
    """
    return frozenset(rule.name for rule in rules if rule.state == READ_ONLY_STATE)
