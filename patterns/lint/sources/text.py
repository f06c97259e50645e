"""The text model every reader shares: the user's file, pattern-text positions, what a reader finds.

HostText     the user's file: text, line starts, ``# pattern-lint: ignore`` comments
PositionMap  pattern-text offset -> host offset -> (line, column) of the user's file
Unknown      a template value inside a pattern (``!Ref``, ``${var.x}``): never reported on
Extracted    one pattern found: its JSON text, dialect, position map and context
InputPaths   a rule target's InputTransformer found beside a pattern: its paths and template
SourceError  a file that cannot be read or parsed (pattern-lint exits with 2)
SourceNote   something a reader saw and did not read (a file without patterns, an unknown
             resource type holding an ``EventPattern``): reported as a note, never an error
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = [
    "NOTE_NAMES",
    "Extracted",
    "HostText",
    "InputPaths",
    "PositionMap",
    "SourceError",
    "SourceNote",
    "Unknown",
    "note",
]

#: The notes a run gives, by code: things seen and not read (never errors, never in the exit code).
NOTE_NAMES = {
    "N101": "no-patterns-found",
    "N102": "unparsable-file",
    "N103": "unknown-resource-type",
    "N104": "cdk-sources-not-read",
}


class SourceError(Exception):
    """A file that cannot be read or parsed (exit code 2)."""


@dataclass(frozen=True)
class SourceNote:
    """What a run saw and did not read, so that its summary does not claim to have checked it.

    Attributes:
        path: the file or folder.
        code: ``N101`` no-patterns-found, ``N102`` unparsable-file, ``N103`` unknown-resource-type,
            ``N104`` cdk-sources-not-read.
        name: the kebab-case name of the code.
        message: what was skipped and what to do.
        line, column: 1-based place in the file; 0 when the note is about the whole file or folder.
    """

    path: str
    code: str
    name: str
    message: str
    line: int = 0
    column: int = 0


def note(path: str, code: str, message: str, line: int = 0, column: int = 0) -> SourceNote:
    """A `SourceNote` with the name of its code."""
    return SourceNote(path, code, NOTE_NAMES[code], message, line, column)


class HostText:
    """A user's file: its text, line starts and inline suppression comments."""

    _SUPPRESS = re.compile(r"(?:#|//)\s*pattern-lint:\s*ignore(?:\[([A-Za-z0-9,\s]*)\])?")

    def __init__(self, name: str, text: str) -> None:
        self.name = name
        self.text = text
        self.line_starts = [0]
        for match in re.finditer("\n", text):
            self.line_starts.append(match.end())
        self._suppressions: dict[int, frozenset[str] | None] | None = None

    def position(self, offset: int) -> tuple[int, int]:
        """The 1-based (line, column) of a 0-based character offset."""
        offset = max(0, min(offset, len(self.text)))
        lo, hi = 0, len(self.line_starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.line_starts[mid] <= offset:
                lo = mid
            else:
                hi = mid - 1
        return lo + 1, offset - self.line_starts[lo] + 1

    def line_text(self, line: int) -> str:
        """The text of a 1-based line, without its line break."""
        if not 1 <= line <= len(self.line_starts):
            return ""
        start = self.line_starts[line - 1]
        end = self.line_starts[line] if line < len(self.line_starts) else len(self.text)
        return self.text[start:end].rstrip("\r\n")

    def suppressions(self) -> dict[int, frozenset[str] | None]:
        """Lines carrying ``# pattern-lint: ignore[CODES]`` -> the codes (None: every code)."""
        if self._suppressions is None:
            found: dict[int, frozenset[str] | None] = {}
            for match in self._SUPPRESS.finditer(self.text):
                line, _ = self.position(match.start())
                codes = match.group(1)
                found[line] = (
                    None
                    if codes is None
                    else frozenset(c.strip().upper() for c in codes.split(",") if c.strip())
                )
            self._suppressions = found
        return self._suppressions


@dataclass
class PositionMap:
    """Pattern-text offsets -> offsets in the host file.

    `starts[i]` is the host offset of pattern-text character i; `ends` maps a pattern-text end
    offset to the host end offset of the node ending there (written-out trees), and otherwise an
    end is one past the host offset of the last character.
    """

    host: HostText
    starts: list[int]
    ends: dict[int, int] = field(default_factory=dict)

    def host_offset(self, offset: int) -> int:
        """The host offset of one pattern-text offset (clamped to the text)."""
        if not self.starts:
            return 0
        return self.starts[max(0, min(offset, len(self.starts) - 1))]

    def span(self, offset: int, end_offset: int | None = None) -> tuple[int, int, int, int]:
        """Host (line, column, end_line, end_column) of a pattern-text range."""
        start = self.host_offset(offset)
        if end_offset is None or end_offset <= offset:
            end = start
        else:
            end = self.ends.get(end_offset, self.host_offset(end_offset - 1) + 1)
        end = max(end, start)
        line, column = self.host.position(start)
        end_line, end_column = self.host.position(end)
        return line, column, end_line, end_column


@dataclass
class Unknown:
    """A template value inside a pattern: pattern-text range, what the user wrote, its JSON path."""

    start: int
    end: int
    text: str
    json_path: str = ""


@dataclass
class Extracted:
    """One pattern found in a file, ready to lint.

    Attributes:
        file: the file's name as the user gave it (or as found in a walk).
        where: where the pattern lives in the host (``Resources.Rule.Properties.EventPattern``).
        text: the pattern as JSON text.
        positions: pattern-text offsets -> host positions.
        dialect: the dialect to validate it with.
        kind: ``rule``, ``sns``, ``esm``, ``pipe``, ``archive`` or ``raw``.
        group: the bus or topic it filters, for the checks across patterns (None: alone).
        source_kind: for ``esm``/``pipe``, the event source (``sqs``, ``kinesis``, ``dynamodb``,
            ``kafka``, ``mq``) when known.
        unknowns: template values inside the pattern.
        anchor: host offset of the pattern value (errors without a position land there).
        scope: the SNS FilterPolicyScope as written, when given.
        scope_anchor: host offset of the scope value.
        embedded: the pattern was JSON text in the host (a string, heredoc or file), not a
            structured value written out as JSON by a `Writer`.
        filter_position: for Lambda and Pipes filters, (index, number of filters) in their
            FilterCriteria.
        targets: for a rule or an SNS subscription, where its events go, each as written in the
            host (a rule's target ARNs, a subscription's protocol and endpoint, the SAM function
            or serverless function the event belongs to), sorted; None when the file does not say.
        transformer: for kind ``transformer`` (an `InputTransformer` of a rule's target, whose
            `text` is the ``InputTemplate``), its paths and the rule it belongs to.
    """

    file: str
    where: str
    text: str
    positions: PositionMap
    dialect: str
    kind: str
    group: str | None = None
    source_kind: str | None = None
    unknowns: list[Unknown] = field(default_factory=list)
    anchor: int = 0
    scope: str | None = None
    scope_anchor: int | None = None
    embedded: bool = False
    filter_position: tuple[int, int] | None = None
    targets: tuple[str, ...] | None = None
    transformer: InputPaths | None = None


@dataclass
class InputPaths:
    """The rest of a rule target's ``InputTransformer`` (its `Extracted` holds the template).

    Attributes:
        paths: ``InputPathsMap`` entries in order: (key, host offset of the key, the path as an
            `Extracted` of kind ``input-path``, or None when the path is a template value).
        known: the map is written out (not a template value as a whole) and so is the template;
            checks that need every variable run only then.
        template_known: the template is a string without template values.
        rule: the pattern of the rule the target belongs to, when found in the same file.
        target_id: the target's ``Id``, which AWS's messages name.
    """

    paths: list[tuple[str, int, Extracted | None]] = field(default_factory=list)
    known: bool = True
    template_known: bool = True
    rule: Extracted | None = None
    target_id: str = "<target-id>"
