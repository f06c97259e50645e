"""Output formats for diagnostics: concise, full, json, json-lines, sarif, github.

Human formats (concise, full) end with a summary line; machine formats print only the records.
Every format prints diagnostics in the same order (path, line, column, code).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from pathlib import PurePath

from patterns import __version__

from .diagnostics import Diagnostic
from .rules import RULES
from .sources import HostText, SourceNote

__all__ = ["FORMATS", "HUMAN_FORMATS", "first_sentence", "paint", "render"]

HUMAN_FORMATS = ("concise", "full")
FORMATS = ("concise", "full", "json", "json-lines", "sarif", "github")

#: The distribution's page (its name is `eventpatterns`; PyPI's `patterns` is another project).
TOOL_URI = "https://pypi.org/project/eventpatterns/"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'s' * (count != 1)}"


def _summary(
    diagnostics: Sequence[Diagnostic],
    patterns_checked: int,
    files: int,
    notes: Sequence[SourceNote] = (),
    failures: int = 0,
) -> str:
    """The last line of the human formats: what was found, and what was not read.

    "All checks passed" only when every file met was read, something was checked, and no note
    says a pattern was left unread.
    """
    checked = f"{_plural(patterns_checked, 'pattern')} in {_plural(files, 'file')}"
    tails = _skipped(notes)
    if failures:
        tails.append(f"{_plural(failures, 'file')} could not be read (see the errors above)")
    if diagnostics:
        errors = sum(d.severity == "error" for d in diagnostics)
        warnings = len(diagnostics) - errors
        head = (
            f"Found {_plural(len(diagnostics), 'finding')} ({_plural(errors, 'error')}, "
            f"{_plural(warnings, 'warning')}) in {checked}"
        )
    elif tails:
        head = f"No findings in {checked}"
    elif not patterns_checked:
        head = f"No patterns found in {_plural(files, 'file')}"
    else:
        return f"All checks passed ({checked})."
    return "; ".join([head, *tails]) + "."


def _skipped(notes: Sequence[SourceNote]) -> list[str]:
    """The summary's account of the notes: files skipped, keys and CDK sources not read."""
    count = {code: sum(n.code == code for n in notes) for code in ("N101", "N102", "N103", "N104")}
    out = []
    files = count["N101"] + count["N102"]
    if files:
        why = [f"{count['N101']} without patterns"] if count["N101"] else []
        why += [f"{count['N102']} unreadable"] if count["N102"] else []
        out.append(f"{_plural(files, 'file')} skipped: {', '.join(why)}")
    if count["N103"]:
        out.append(f"{_plural(count['N103'], 'pattern key')} under unknown resource types not read")
    if count["N104"]:
        out.append(f"CDK sources in {_plural(count['N104'], 'folder')} not read")
    return out


def _note_line(n: SourceNote) -> str:
    """``path:line:col: note: message`` (``path: note: message`` for a whole file or folder)."""
    where = f"{n.path}:{n.line}:{n.column}" if n.line else n.path
    return f"{where}: note: {n.message} [{n.code}]\n"


def _note_record(n: SourceNote) -> dict[str, object]:
    """A note as a JSON record with the keys of `Diagnostic.to_dict` and severity ``note``
    (line and column 1 for a note about a whole file or folder)."""
    line, column = (n.line, n.column) if n.line else (1, 1)
    return {
        "code": n.code,
        "name": n.name,
        "message": n.message,
        "severity": "note",
        "path": n.path,
        "line": line,
        "column": column,
        "end_line": line,
        "end_column": column,
        "json_path": "$",
        "help": "",
        "where": "",
        "unknowns": [],
    }


def _render_notes(text: str, fmt: str, notes: Sequence[SourceNote]) -> str:
    """Add the notes to one format's text: lines, JSON records, annotations, SARIF notifications."""
    notes = sorted(notes, key=lambda n: (n.path, n.line, n.column, n.code))
    if not notes:
        return text
    if fmt in HUMAN_FORMATS:
        return text + "".join(_note_line(n) for n in notes)
    if fmt == "json":
        records = json.loads(text) + [_note_record(n) for n in notes]
        records.sort(key=lambda r: (r["path"], r["line"], r["column"], r["code"]))
        return json.dumps(records, indent=2, ensure_ascii=False) + "\n"
    if fmt == "json-lines":
        return text + "".join(json.dumps(_note_record(n), ensure_ascii=False) + "\n" for n in notes)
    if fmt == "github":
        out = []
        for n in notes:
            place = f"file={_gh_escape(n.path, True)}"
            if n.line:
                place += f",line={n.line},col={n.column}"
            title = _gh_escape(f"{n.code} ({n.name})", True)
            out.append(f"::notice {place},title={title}::{_gh_escape(n.message)}\n")
        return text + "".join(out)
    assert fmt == "sarif"
    log = json.loads(text)
    notifications = []
    for n in notes:
        location: dict[str, object] = {"artifactLocation": {"uri": PurePath(n.path).as_posix()}}
        if n.line:
            location["region"] = {"startLine": n.line, "startColumn": n.column}
        notifications.append(
            {
                "level": "note",
                "message": {"text": n.message},
                "descriptor": {"id": n.code},
                "locations": [{"physicalLocation": location}],
            }
        )
    log["runs"][0]["invocations"] = [
        {"executionSuccessful": True, "toolExecutionNotifications": notifications}
    ]
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


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
                "shortDescription": {"text": first_sentence(r.sections().get("What it does", r.summary))},
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


def first_sentence(text: str) -> str:
    """The first sentence of `text`, cut only at ``. `` or ``: `` outside backticks, never inside code.

    Whitespace runs become one space; the text is returned whole when it has no such boundary.
    """
    text = " ".join(text.split())
    in_code = False
    for i, char in enumerate(text):
        if char == "`":
            in_code = not in_code
        elif not in_code and char in ".:" and text[i + 1 : i + 2] == " ":
            return text[:i].rstrip(".") + "."
    return text.rstrip(".") + "." if text else text


_RED, _YELLOW, _BOLD, _CYAN, _RESET = "\x1b[1;31m", "\x1b[1;33m", "\x1b[1m", "\x1b[36m", "\x1b[0m"
_HEAD = re.compile(r"^(?P<where>\S+?:\d+:\d+:) (?P<code>[EW]\d{3})(?P<name> \[[a-z0-9-]+\])?", re.M)
_COUNTS = re.compile(r"\((\d+) (errors?), (\d+) (warnings?)\)")


def paint(text: str) -> str:
    """ANSI colours for a concise or full report on a terminal: the location bold, each code in
    its severity's colour (errors red, warnings yellow), ``help:`` and ``note:`` cyan, and the
    summary's counts."""

    def head(m: re.Match[str]) -> str:
        colour = _RED if m["code"][0] == "E" else _YELLOW
        return f"{_BOLD}{m['where']}{_RESET} {colour}{m['code']}{_RESET}{m['name'] or ''}"

    text = _HEAD.sub(head, text)
    text = re.sub(r"^(\s+= )(help:)", rf"\1{_CYAN}\2{_RESET}", text, flags=re.M)
    text = re.sub(r"^(\S+?: )(note:)", rf"\1{_CYAN}\2{_RESET}", text, flags=re.M)
    return _COUNTS.sub(lambda m: f"({_RED}{m[1]} {m[2]}{_RESET}, {_YELLOW}{m[3]} {m[4]}{_RESET})", text)


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
    notes: Sequence[SourceNote] = (),
    failures: int = 0,
) -> str:
    """Render sorted diagnostics in one format.

    Args:
        diagnostics: the findings, in output order.
        fmt: one of `FORMATS`.
        hosts: the files' texts, for the source lines of ``full``.
        patterns_checked, files: counts for the summary line of human formats.
        unknowns: every unknown template value met (``full`` lists them).
        notes: what was seen and not read, shown in every format (severity ``note`` records in
            ``json`` and ``json-lines``, ``::notice`` in ``github``, tool notifications in
            ``sarif``) and counted in the summary.
        failures: files that could not be read (their errors went to standard error).

    Returns:
        The text to print on standard output.
    """
    text = _render_notes(_RENDERERS[fmt](diagnostics, hosts=hosts), fmt, notes)
    if fmt in HUMAN_FORMATS:
        if fmt == "full" and unknowns:
            text += "Template values that could not be known (nothing depending on them was reported):\n"
            text += "".join(f"  {u}\n" for u in unknowns)
        text += _summary(diagnostics, patterns_checked, files, notes, failures) + "\n"
    return text
