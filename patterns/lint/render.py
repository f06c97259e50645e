"""Output formats for diagnostics: concise, full, json, json-lines, sarif, github.

Human formats (concise, full) end with a summary line; machine formats print only the records.
Every format prints diagnostics in the same order (path, line, column, code).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import PurePath

from patterns import __version__

from .diagnostics import Diagnostic
from .rules import RULES
from .sources import HostText

__all__ = ["FORMATS", "HUMAN_FORMATS", "render"]

HUMAN_FORMATS = ("concise", "full")
FORMATS = ("concise", "full", "json", "json-lines", "sarif", "github")

TOOL_URI = "https://pypi.org/project/patterns/"


def _summary(diagnostics: Sequence[Diagnostic], patterns_checked: int, files: int) -> str:
    if not diagnostics:
        return f"All checks passed ({patterns_checked} patterns in {files} files)."
    errors = sum(d.severity == "error" for d in diagnostics)
    warnings = len(diagnostics) - errors
    noun = "finding" if len(diagnostics) == 1 else "findings"
    return (
        f"Found {len(diagnostics)} {noun} ({errors} error{'s' * (errors != 1)}, "
        f"{warnings} warning{'s' * (warnings != 1)}) in {patterns_checked} patterns in {files} files."
    )


def concise(diagnostics: Sequence[Diagnostic], **_: object) -> str:
    """``path:line:col: CODE message``, one per line."""
    return "".join(f"{d.path}:{d.line}:{d.column}: {d.code} {d.message}\n" for d in diagnostics)


def full(diagnostics: Sequence[Diagnostic], hosts: dict[str, HostText] | None = None, **_: object) -> str:
    """Each finding with its source line, a caret under the fault, help and where it lives."""
    hosts = hosts or {}
    out: list[str] = []
    for d in diagnostics:
        out.append(f"{d.path}:{d.line}:{d.column}: {d.code} [{d.name}] {d.message}\n")
        host = hosts.get(d.path)
        text = host.line_text(d.line) if host is not None else ""
        if text:
            number = str(d.line)
            pad = " " * len(number)
            width = d.end_column - d.column if d.end_line == d.line and d.end_column > d.column else 1
            width = max(1, min(width, len(text) - d.column + 1))
            out.append(f"{pad} |\n{number} | {text}\n{pad} | {' ' * (d.column - 1)}{'^' * width}\n")
        pad = " " * len(str(d.line))
        if d.help:
            out.append(f"{pad} = help: {d.help}\n")
        where = f"{d.where} " if d.where else ""
        out.append(f"{pad} = in {where}at {d.json_path}\n")
        if d.unknowns:
            out.append(f"{pad} = note: unknown template values in this pattern: {', '.join(d.unknowns)}\n")
        out.append("\n")
    return "".join(out)


def json_array(diagnostics: Sequence[Diagnostic], **_: object) -> str:
    """A JSON array of records, keys in a stable order."""
    return json.dumps([d.to_dict() for d in diagnostics], indent=2, ensure_ascii=False) + "\n"


def json_lines(diagnostics: Sequence[Diagnostic], **_: object) -> str:
    """One JSON record per line."""
    return "".join(json.dumps(d.to_dict(), ensure_ascii=False) + "\n" for d in diagnostics)


def _gh_escape(text: str, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def github(diagnostics: Sequence[Diagnostic], **_: object) -> str:
    """GitHub Actions workflow commands (``::error file=...::message``), shown as annotations."""
    out = []
    for d in diagnostics:
        props = (
            f"file={_gh_escape(d.path, True)},line={d.line},col={d.column},"
            f"endLine={d.end_line},endColumn={d.end_column},title={_gh_escape(f'{d.code} ({d.name})', True)}"
        )
        out.append(f"::{d.severity} {props}::{_gh_escape(f'{d.code} {d.message}')}\n")
    return "".join(out)


def sarif(diagnostics: Sequence[Diagnostic], **_: object) -> str:
    """A SARIF 2.1.0 log (for GitHub code scanning and other viewers)."""
    codes = sorted(RULES)
    index = {code: i for i, code in enumerate(codes)}
    rules = []
    for code in codes:
        r = RULES[code]
        rules.append(
            {
                "id": code,
                "name": r.name,
                "shortDescription": {"text": r.summary},
                "fullDescription": {"text": r.sections().get("What it does", r.summary)},
                "help": {"text": r.doc, "markdown": r.doc},
                "defaultConfiguration": {"level": r.severity},
            }
        )
    results = []
    for d in diagnostics:
        results.append(
            {
                "ruleId": d.code,
                "ruleIndex": index.get(d.code, -1),
                "level": d.severity,
                "message": {"text": d.message + (f" (help: {d.help})" if d.help else "")},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": {"uri": PurePath(d.path).as_posix()},
                            "region": {
                                "startLine": d.line,
                                "startColumn": d.column,
                                "endLine": d.end_line,
                                "endColumn": d.end_column,
                            },
                        },
                        "logicalLocations": [
                            {"fullyQualifiedName": f"{d.where}{d.json_path[1:]}" if d.where else d.json_path}
                        ],
                    }
                ],
            }
        )
    log = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "pattern-lint",
                        "version": __version__,
                        "informationUri": TOOL_URI,
                        "rules": rules,
                    }
                },
                "results": results,
            }
        ],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


_RENDERERS: dict[str, Callable[..., str]] = {
    "concise": concise,
    "full": full,
    "json": json_array,
    "json-lines": json_lines,
    "sarif": sarif,
    "github": github,
}


def render(
    diagnostics: Sequence[Diagnostic],
    fmt: str,
    *,
    hosts: dict[str, HostText] | None = None,
    patterns_checked: int = 0,
    files: int = 0,
    unknowns: Sequence[str] = (),
) -> str:
    """Render sorted diagnostics in one format.

    Args:
        diagnostics: the findings, in output order.
        fmt: one of `FORMATS`.
        hosts: the files' texts, for the source lines of ``full``.
        patterns_checked, files: counts for the summary line of human formats.
        unknowns: every unknown template value met (``full`` lists them).

    Returns:
        The text to print on standard output.
    """
    text = _RENDERERS[fmt](diagnostics, hosts=hosts)
    if fmt in HUMAN_FORMATS:
        if fmt == "full" and unknowns:
            text += "Template values that could not be known (nothing depending on them was reported):\n"
            text += "".join(f"  {u}\n" for u in unknowns)
        text += _summary(diagnostics, patterns_checked, files) + "\n"
    return text
