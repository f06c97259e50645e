"""Finding patterns in the user's files, with a map from each pattern's text back to the file.

Every pattern found becomes an `Extracted`: the pattern as JSON text, the dialect to check it
with, and a `PositionMap` that turns an offset in that text into a line and column of the user's
own file. How the text is made depends on the host:

    host value                                   pattern text            position map
    -------------------------------------------  ----------------------  -----------------------------
    JSON string, YAML block scalar, heredoc      the decoded string      per character, aligned with
    (``Pattern: '{"body": ...}'``, ``!Sub |``)                           the raw source (escapes,
                                                                         indentation, CRLF)
    YAML map, CloudFormation JSON object,        written out as JSON     per node: each written
    HCL ``jsonencode({...})``                    by a `_Writer`          scalar, key and bracket maps
                                                                         to its node in the host

Template expressions (``!Ref``, ``Fn::GetAtt``, ``${var.x}``, ``var.x``, ``${self:custom.x}``)
cannot be known: each becomes a placeholder of its likely type (a string, or a number for a
Terraform ``number`` variable) recorded as an `Unknown`, so that no error depending on it is
reported. Why write structured values out as JSON text instead of validating them as data: the
text keeps duplicate keys in order (AWS keeps the last per path) and gives one road, through
`patterns.compile`, for every host.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

import patterns

from .aws import ENVELOPE

__all__ = [
    "Extracted",
    "HostText",
    "PositionMap",
    "SourceError",
    "Unknown",
    "extract_file",
    "extract_text",
    "iter_files",
]

#: Folders never walked: dependencies, build output that copies templates, tool state.
SKIP_DIRS = frozenset(
    {".git", "node_modules", ".terraform", ".terragrunt-cache", ".venv", "venv", "__pycache__", ".aws-sam"}
)
_LINT_EXTENSIONS = (".json", ".yaml", ".yml", ".template", ".tf", ".hcl")


class SourceError(Exception):
    """A file that cannot be read or parsed (exit code 2)."""


def dialect_name(name: str) -> str:
    """`name` when this build knows the dialect, else ``"eventbridge"`` (Lambda/Pipes land later)."""
    return name if patterns.DIALECTS.get(name) is not None else "eventbridge"


# --- positions -------------------------------------------------------------------------------


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
            structured value written out by this module.
        filter_position: for Lambda and Pipes filters, (index, number of filters) in their
            FilterCriteria.
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


# --- writing structured values as JSON text --------------------------------------------------


class _Writer:
    """Builds a pattern's JSON text from a host tree, keeping each character's host offset."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.starts: list[int] = []
        self.ends: dict[int, int] = {}
        self.unknowns: list[Unknown] = []
        self.length = 0

    def punct(self, text: str, host: int) -> None:
        self.parts.append(text)
        self.starts.extend([host] * len(text))
        self.length += len(text)

    def scalar(self, text: str, host_start: int, host_end: int) -> None:
        self.punct(text, host_start)
        self.ends[self.length] = host_end

    def string(self, value: str, host_start: int, host_end: int) -> None:
        self.scalar(json.dumps(value, ensure_ascii=False), host_start, host_end)

    def unknown(self, what: str, host_start: int, host_end: int, kind: str = "string") -> None:
        start = self.length
        token = json.dumps(f"${{{what}}}#{len(self.unknowns)}", ensure_ascii=False)
        if kind == "number":
            self.scalar("1", host_start, host_end)
        elif kind == "list":
            self.punct("[", host_start)
            self.scalar(token, host_start, host_end)
            self.punct("]", host_end - 1 if host_end > host_start else host_start)
            self.ends[self.length] = host_end
        else:
            self.scalar(token, host_start, host_end)
        self.unknowns.append(Unknown(start, self.length, what))

    def text(self) -> str:
        return "".join(self.parts)


def _finish(writer: _Writer, host: HostText, file: str, where: str, anchor: int, **context: Any) -> Extracted:
    return Extracted(
        file=file,
        where=where,
        text=writer.text(),
        positions=PositionMap(host, writer.starts, writer.ends),
        unknowns=writer.unknowns,
        anchor=anchor,
        **context,
    )


# --- JSON text inside a string ---------------------------------------------------------------

_INTERPOLATION = re.compile(r"(?<!\$)\$\{[^}]*\}|(?<!%)%\{[^}]*\}")


def _escape_length(raw: str, j: int) -> int:
    nxt = raw[j + 1 : j + 2]
    if nxt == "u":
        length = 6
        # a surrogate pair is one decoded character
        if re.match(r"\\u[dD][89abAB][0-9a-fA-F]{2}\\u", raw[j : j + 8]):
            length = 12
        return length
    if nxt == "U":
        return 10
    if nxt == "x":
        return 4
    return 2


def align(decoded: str, raw: str, base: int, *, escapes: bool, indent: int = 0) -> list[int]:
    """Host offsets of each character of a decoded string, by walking its raw source.

    Args:
        decoded: the string's value (escapes resolved, indentation removed).
        raw: the source text of the value, starting at its first content character.
        base: host offset of `raw[0]`.
        escapes: the host syntax has backslash escapes (JSON, HCL and YAML double-quoted strings).
        indent: indentation removed from each line (YAML block scalars, ``<<-`` heredocs).

    Returns:
        One host offset per character of `decoded`. Where the two disagree (a folding the walk does
        not model), the nearest raw occurrence of the character is used, so positions stay close.
    """
    out: list[int] = []
    j, n = 0, len(raw)
    line_start = indent > 0
    for c in decoded:
        if line_start:
            skipped = 0
            while j < n and skipped < indent and raw[j] in " \t":
                j += 1
                skipped += 1
            line_start = False
        if j >= n:
            out.append(base + max(n - 1, 0))
            continue
        r = raw[j]
        if escapes and r == "\\":
            out.append(base + j)
            j += _escape_length(raw, j)
            continue
        if r == c:
            out.append(base + j)
            j += 1
            if c == "'" and not escapes and raw[j : j + 1] == "'":
                j += 1  # YAML single-quoted '' is one quote
            line_start = c == "\n" and indent > 0
            continue
        if r == "\r" and c == "\n" and raw[j + 1 : j + 2] == "\n":
            out.append(base + j + 1)
            j += 2
            line_start = indent > 0
            continue
        if c == " " and r in "\r\n":  # a folded line break
            out.append(base + j)
            j += 1
            while j < n and raw[j] in " \t\r\n":
                j += 1
            continue
        k = raw.find(c, j, j + 256)
        if k < 0:
            out.append(base + j)
            continue
        out.append(base + k)
        j = k + 1
        line_start = c == "\n" and indent > 0
    return out


def _embedded(
    decoded: str,
    starts: list[int],
    host: HostText,
    file: str,
    where: str,
    anchor: int,
    *,
    interpolations: bool,
    **context: Any,
) -> Extracted:
    """An `Extracted` for JSON text held in a string; ``${...}`` become unknowns when templated."""
    unknowns: list[Unknown] = []
    text = decoded
    if interpolations and ("${" in decoded or "%{" in decoded):
        inside = _string_ranges(decoded)
        chars = list(decoded)
        for match in _INTERPOLATION.finditer(decoded):
            a, b = match.span()
            unknowns.append(Unknown(a, b, match.group(0)))
            if not any(lo <= a < hi for lo, hi in inside):
                # outside a JSON string: a number of the same width keeps every offset in place
                chars[a:b] = ["1"] + [" "] * (b - a - 1)
        text = "".join(chars)
    return Extracted(
        file=file,
        where=where,
        text=text,
        positions=PositionMap(host, starts),
        unknowns=unknowns,
        anchor=anchor,
        embedded=True,
        **context,
    )


def _string_ranges(text: str) -> list[tuple[int, int]]:
    """Ranges of JSON string literals in (possibly templated) JSON text."""
    out = []
    i, n = 0, len(text)
    while i < n:
        if text[i] == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            out.append((i, j + 1))
            i = j + 1
        else:
            i += 1
    return out


# --- file discovery --------------------------------------------------------------------------


def iter_files(paths: Iterable[str], exclude: Iterable[str] = ()) -> Iterator[tuple[str, bool]]:
    """The files to lint: (name, named explicitly). Folders are walked for template-like files.

    Args:
        paths: files, folders or ``-``.
        exclude: glob patterns of paths to leave out (matched against each path and its name).

    Yields:
        Each file name once, with True when the user named it (then raw JSON counts as a pattern).
    """
    excluded = list(exclude)

    def skip(p: Path) -> bool:
        return any(p.match(g) or p.name == g for g in excluded)

    for name in paths:
        if name == "-":
            yield name, True
            continue
        p = Path(name)
        if p.is_dir():
            for root, dirs, files in os.walk(p):
                dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not skip(Path(root, d)))
                for f in sorted(files):
                    fp = Path(root, f)
                    if f.endswith(_LINT_EXTENSIONS) and not skip(fp):
                        yield str(fp), False
        elif not skip(p):
            yield name, True


def extract_file(name: str, explicit: bool, raw_dialect: str | None = None) -> list[Extracted]:
    """Every pattern in one file.

    Args:
        name: the file name (``-`` reads standard input).
        explicit: the user named this file, so plain JSON is linted as a pattern.
        raw_dialect: the dialect for plain pattern files (``--dialect``).

    Returns:
        The patterns found, possibly none.

    Raises:
        SourceError: the file cannot be read, or a template cannot be parsed.
    """
    try:
        if name == "-":
            import sys

            text = sys.stdin.read()
        else:
            data = Path(name).read_bytes()
            text = data.decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceError(f"{name}: cannot read: {exc}") from None
    return extract_text(name, text, explicit=explicit, raw_dialect=raw_dialect)


def extract_text(
    name: str, text: str, *, explicit: bool = True, raw_dialect: str | None = None
) -> list[Extracted]:
    """Every pattern in one file's text; the host format is chosen by name, then by content.

    Args:
        name: the file name (decides the format by its extension; ``-`` sniffs the content).
        text: the file's text.
        explicit: plain JSON is a pattern file (else only JSON that looks like a pattern is).
        raw_dialect: the dialect of plain pattern files.

    Returns:
        The patterns found.

    Raises:
        SourceError: the text cannot be parsed as its format.
    """
    host = HostText(name, text)
    lower = name.lower()
    if lower.endswith((".tf", ".hcl")):
        from .hcl import extract_hcl

        return extract_hcl(host, Path(name).parent if name != "-" else Path("."))
    stripped = text.lstrip()
    if lower.endswith(".json") or (name == "-" and stripped.startswith(("{", "["))):
        return _extract_json(host, explicit, raw_dialect)
    if lower.endswith((".yaml", ".yml", ".template")) or name == "-":
        if name == "-" and not _looks_like_yaml_template(text):
            from .hcl import extract_hcl

            return extract_hcl(host, Path("."))
        return _extract_yaml(host, explicit=explicit)
    return []


# --- plain JSON and CloudFormation JSON ------------------------------------------------------


def _extract_json(host: HostText, explicit: bool, raw_dialect: str | None) -> list[Extracted]:
    try:
        value = orjson.loads(host.text)
    except orjson.JSONDecodeError:
        value = None
        if not explicit:
            return []  # a broken JSON file met in a walk is not ours to judge
    if isinstance(value, dict) and isinstance(value.get("Resources"), dict):
        if not _cfn_has_patterns(value):
            return []
        from ..parse import JsonSyntaxError

        try:
            root = _template_tree(host, value)
        except (JsonSyntaxError, ValueError) as exc:  # orjson read it, so this should not happen
            raise SourceError(f"{host.name}: {exc}") from None
        return _CfnWalker(host, _JsonAdapter(host)).walk(root)
    if not explicit and not _looks_like_pattern(value):
        return []
    dialect = dialect_name(raw_dialect or "eventbridge")
    starts = list(range(len(host.text)))
    return [
        Extracted(
            file=host.name,
            where="",
            text=host.text,
            positions=PositionMap(host, starts),
            dialect=dialect,
            kind="raw",
            embedded=True,
        )
    ]


_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\]]')
_JSON_SCALAR = re.compile(r'"(?:[^"\\]|\\.)*"|[^,}\]\s]+')
_BLANK = re.compile(r"\s*")


def _value_end(text: str, i: int) -> int:
    """The end of the JSON value starting at `i` (valid JSON assumed: orjson read it)."""
    if text[i] not in "{[":
        m = _JSON_SCALAR.match(text, i)
        if m is None:
            raise ValueError(f"no JSON value at offset {i}")
        return m.end()
    depth = 0
    for m in _JSON_TOKEN.finditer(text, i):
        token = m.group()
        if token in "{[":
            depth += 1
        elif token in "}]":
            depth -= 1
            if depth == 0:
                return m.end()
    raise ValueError(f"unclosed JSON value at offset {i}")


def _members(text: str, i: int) -> list[tuple[str, int, int]]:
    """(key, value start, value end) of the JSON object starting at `i`."""
    out = []
    i = _BLANK.match(text, i + 1).end()  # after "{"
    while text[i] != "}":
        key = _JSON_SCALAR.match(text, i)
        if key is None or not key.group().startswith('"'):
            raise ValueError(f"no object key at offset {i}")
        i = _BLANK.match(text, key.end()).end() + 1  # after ":"
        start = _BLANK.match(text, i).end()
        end = _value_end(text, start)
        out.append((json.loads(key.group()), start, end))
        i = _BLANK.match(text, end).end()
        if text[i] == ",":
            i = _BLANK.match(text, i + 1).end()
    return out


def _template_tree(host: HostText, template: dict) -> Any:
    """Source nodes (with host offsets) for the resources of a JSON template that hold patterns.

    Only those resources are parsed with positions: cdk.out templates run to megabytes, and the
    positioned parser costs about 3 s per megabyte. Other resources keep only their ``Type``
    (references to a queue or a table name their kind).
    """
    from ..parse import JMember, JObject, JString, Span, parse_json

    text = host.text
    root_start = _BLANK.match(text).end()
    resources_span = next((s, e) for k, s, e in _members(text, root_start) if k == "Resources")
    kept = []
    for logical, start, end in _members(text, resources_span[0]):
        resource = template["Resources"].get(logical)
        rtype = resource.get("Type") if isinstance(resource, dict) else None
        if rtype in _PATTERN_TYPES:
            node = parse_json(text[start:end])
            _shift(node, start, Span)
            kept.append(JMember(logical, node))
        elif isinstance(rtype, str):
            kept.append(JMember(logical, JObject((JMember("Type", JString(rtype)),))))
    return JObject((JMember("Resources", JObject(tuple(kept))),))


def _shift(root: Any, base: int, span_type: Any) -> None:
    """Move every span of a parsed slice by `base` characters (offsets only are read)."""
    stack = [root]
    while stack:
        node = stack.pop()
        span = node.span
        if span is not None:
            node.span = span_type(0, 0, 0, 0, span.offset + base, span.end_offset + base)
        for member in getattr(node, "members", ()):
            k = member.key_span
            member.key_span = span_type(0, 0, 0, 0, k.offset + base, k.end_offset + base)
            stack.append(member.value)
        stack.extend(getattr(node, "items", ()))


def _looks_like_pattern(value: Any) -> bool:
    """A plain JSON file met in a folder walk is a pattern when its top level uses envelope keys
    only and every value is a list or an object (an event has scalars: ``"version": "0"``)."""
    return (
        isinstance(value, dict)
        and bool(value)
        and set(value) <= ENVELOPE | {"$or"}
        and all(isinstance(v, (list, dict)) for v in value.values())
    )


_PATTERN_TYPES = (
    "AWS::Events::Rule",
    "AWS::Events::Archive",
    "AWS::SNS::Subscription",
    "AWS::Lambda::EventSourceMapping",
    "AWS::Pipes::Pipe",
    "AWS::Serverless::Function",
    "AWS::Serverless::StateMachine",
)


def _cfn_has_patterns(template: dict) -> bool:
    return any(
        isinstance(r, dict) and r.get("Type") in _PATTERN_TYPES for r in template["Resources"].values()
    )


def _looks_like_yaml_template(text: str) -> bool:
    return bool(re.search(r"^(Resources|functions|AWSTemplateFormatVersion|service)\s*:", text, re.M))


# --- one walker over CloudFormation-shaped trees, YAML or JSON --------------------------------
#
# The walker reads a template through an adapter, so YAML nodes (ruamel) and JSON nodes (lark)
# share the knowledge of where patterns live. An adapter answers: is this node a map / list /
# string, what are its items, where does it start and end, and how does it write itself as JSON.


class _JsonAdapter:
    """CloudFormation JSON: `patterns.parse` nodes, which carry their offsets."""

    def __init__(self, host: HostText) -> None:
        from ..parse import JArray, JLiteral, JNumber, JObject, JString

        self.host = host
        self.JArray, self.JLiteral, self.JNumber, self.JObject, self.JString = (
            JArray,
            JLiteral,
            JNumber,
            JObject,
            JString,
        )

    def items(self, node: Any) -> list[tuple[str, Any]] | None:
        if isinstance(node, self.JObject):
            return [(m.key, m.value) for m in node.members]
        return None

    def seq(self, node: Any) -> list[Any] | None:
        return list(node.items) if isinstance(node, self.JArray) else None

    def string(self, node: Any) -> str | None:
        return node.value if isinstance(node, self.JString) else None

    def start(self, node: Any) -> int:
        return node.span.offset

    def end(self, node: Any) -> int:
        return node.span.end_offset

    def intrinsic(self, node: Any) -> str | None:
        """``{"Ref": ..}`` / ``{"Fn::X": ..}`` -> its text; None for other nodes."""
        if isinstance(node, self.JObject) and len(node.members) == 1:
            key = node.members[0].key
            if key == "Ref" or key.startswith("Fn::") or key == "Condition":
                return self.host.text[node.span.offset : node.span.end_offset]
        return None

    def describe(self, node: Any) -> str:
        """A short text for a value used as a group key (bus, topic)."""
        text = self.host.text[node.span.offset : node.span.end_offset]
        return " ".join(text.split())

    def sub_template(self, node: Any) -> Any | None:
        """The template string node of ``{"Fn::Sub": "..."}`` or ``{"Fn::Sub": ["...", {..}]}``."""
        if isinstance(node, self.JObject) and len(node.members) == 1 and node.members[0].key == "Fn::Sub":
            value = node.members[0].value
            if isinstance(value, self.JArray) and value.items:
                value = value.items[0]
            if isinstance(value, self.JString):
                return value
        return None

    def embedded(self, node: Any, templated: bool) -> tuple[str, list[int]]:
        """A JSON string node's value and each character's host offset."""
        raw_start = node.span.offset + 1
        raw = self.host.text[raw_start : node.span.end_offset - 1]
        return node.value, align(node.value, raw, raw_start, escapes=True)

    def write(self, node: Any, w: _Writer, interpolations: bool = False) -> None:
        what = self.intrinsic(node)
        if what is not None:
            w.unknown(" ".join(what.split()), node.span.offset, node.span.end_offset)
        elif isinstance(node, self.JObject):
            w.punct("{", node.span.offset)
            for i, m in enumerate(node.members):
                if i:
                    w.punct(",", m.key_span.offset)
                w.string(m.key, m.key_span.offset, m.key_span.end_offset)
                w.punct(":", m.key_span.end_offset)
                self.write(m.value, w, interpolations)
            w.punct("}", node.span.end_offset - 1)
            w.ends[w.length] = node.span.end_offset
        elif isinstance(node, self.JArray):
            w.punct("[", node.span.offset)
            for i, item in enumerate(node.items):
                if i:
                    w.punct(",", item.span.offset)
                self.write(item, w, interpolations)
            w.punct("]", node.span.end_offset - 1)
            w.ends[w.length] = node.span.end_offset
        else:
            w.scalar(
                self.host.text[node.span.offset : node.span.end_offset],
                node.span.offset,
                node.span.end_offset,
            )


class _YamlAdapter:
    """YAML (CloudFormation, SAM, serverless.yml): ruamel nodes, composed but not constructed.

    Composed nodes keep marks (offsets), tags (``!Ref``) and duplicate keys, which constructed
    data would lose.
    """

    _STR = "tag:yaml.org,2002:str"
    _MAP = "tag:yaml.org,2002:map"
    _SEQ = "tag:yaml.org,2002:seq"

    def __init__(self, host: HostText, variables: bool = False) -> None:
        self.host = host
        self.variables = variables  # serverless.yml: ${...} in strings are variables

    @staticmethod
    def tag(node: Any) -> str:
        t = node.tag
        return t if isinstance(t, str) else str(getattr(t, "value", t))

    def _kind(self, node: Any) -> str:
        return type(node).__name__

    def items(self, node: Any) -> list[tuple[str, Any]] | None:
        if self._kind(node) == "MappingNode" and self.tag(node) == self._MAP:
            out = []
            for k, v in node.value:
                out.append((k.value if self._kind(k) == "ScalarNode" else str(k.value), v))
            return out
        return None

    def seq(self, node: Any) -> list[Any] | None:
        if self._kind(node) == "SequenceNode" and self.tag(node) == self._SEQ:
            return list(node.value)
        return None

    def string(self, node: Any) -> str | None:
        if self._kind(node) == "ScalarNode" and self.tag(node) == self._STR:
            return node.value
        return None

    def start(self, node: Any) -> int:
        return node.start_mark.index

    def end(self, node: Any) -> int:
        return node.end_mark.index

    def intrinsic(self, node: Any) -> str | None:
        tag = self.tag(node)
        if tag.startswith("!"):
            return self.describe(node)
        if self._kind(node) == "MappingNode" and len(node.value) == 1:
            key = node.value[0][0].value
            if isinstance(key, str) and (key == "Ref" or key.startswith("Fn::")):
                return self.describe(node)
        if self.variables and self._kind(node) == "ScalarNode" and "${" in str(node.value):
            return str(node.value)
        return None

    def describe(self, node: Any) -> str:
        text = self.host.text[node.start_mark.index : node.end_mark.index]
        return " ".join(text.split()) or self.tag(node)

    def sub_template(self, node: Any) -> Any | None:
        tag = self.tag(node)
        if tag == "!Sub":
            if self._kind(node) == "ScalarNode":
                return node
            if (
                self._kind(node) == "SequenceNode"
                and node.value
                and self._kind(node.value[0]) == "ScalarNode"
            ):
                return node.value[0]
        if self._kind(node) == "MappingNode" and len(node.value) == 1 and node.value[0][0].value == "Fn::Sub":
            return self.sub_template_value(node.value[0][1])
        return None

    def sub_template_value(self, value: Any) -> Any | None:
        if self._kind(value) == "SequenceNode" and value.value:
            value = value.value[0]
        return value if self._kind(value) == "ScalarNode" else None

    def embedded(self, node: Any, templated: bool) -> tuple[str, list[int]]:
        value = str(node.value)
        start, end = node.start_mark.index, node.end_mark.index
        raw = self.host.text[start:end]
        style = node.style
        if style in ("|", ">"):
            header = raw.find("\n")
            body_start = start + header + 1
            body = self.host.text[body_start:end]
            first = next((ln for ln in body.split("\n") if ln.strip()), "")
            indent = len(first) - len(first.lstrip(" "))
            return value, align(value, body, body_start, escapes=False, indent=indent)
        if style in ('"', "'"):
            q = raw.find(style)
            return value, align(value, raw[q + 1 :], start + q + 1, escapes=style == '"')
        return value, align(value, raw, start, escapes=False)

    def write(self, node: Any, w: _Writer, interpolations: bool = False) -> None:
        what = self.intrinsic(node)
        kind = self._kind(node)
        start, end = node.start_mark.index, node.end_mark.index
        if what is not None:
            w.unknown(what, start, end)
        elif kind == "MappingNode":
            w.punct("{", start)
            for i, (k, v) in enumerate(node.value):
                if i:
                    w.punct(",", k.start_mark.index)
                if self._kind(k) == "ScalarNode":
                    w.string(str(k.value), k.start_mark.index, k.end_mark.index)
                else:
                    w.unknown(self.describe(k), k.start_mark.index, k.end_mark.index)
                w.punct(":", k.end_mark.index)
                self.write(v, w, interpolations)
            w.punct("}", max(end - 1, start))
            w.ends[w.length] = end
        elif kind == "SequenceNode":
            w.punct("[", start)
            for i, item in enumerate(node.value):
                if i:
                    w.punct(",", item.start_mark.index)
                self.write(item, w, interpolations)
            w.punct("]", max(end - 1, start))
            w.ends[w.length] = end
        else:
            w.scalar(_yaml_scalar_json(self.tag(node), str(node.value)), start, end)


def _yaml_scalar_json(tag: str, value: str) -> str:
    if tag.endswith(":int"):
        try:
            return str(int(value.replace("_", ""), 0))
        except ValueError:
            try:
                return str(int(value.replace("_", "")))
            except ValueError:
                return json.dumps(value)
    if tag.endswith(":float"):
        try:
            number = float(value.replace("_", ""))
        except ValueError:
            return json.dumps(value)
        text = value.replace("_", "")
        if re.fullmatch(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?", text):
            return text
        return repr(number) if number == number and abs(number) != float("inf") else json.dumps(value)
    if tag.endswith(":bool"):
        return "true" if value.lower() in ("true", "yes", "on", "y") else "false"
    if tag.endswith(":null"):
        return "null"
    return json.dumps(value, ensure_ascii=False)


_SAM_FILTER_TYPES = {
    "SQS": "sqs",
    "Kinesis": "kinesis",
    "DynamoDB": "dynamodb",
    "MSK": "kafka",
    "SelfManagedKafka": "kafka",
    "MQ": "mq",
}

_ARN_KINDS = (
    ("sqs", "sqs"),
    ("kinesis", "kinesis"),
    ("dynamodb", "dynamodb"),
    ("kafka", "kafka"),
    ("mq", "mq"),
)
_CFN_TYPE_KINDS = {
    "AWS::SQS::Queue": "sqs",
    "AWS::Kinesis::Stream": "kinesis",
    "AWS::DynamoDB::Table": "dynamodb",
    "AWS::DynamoDB::GlobalTable": "dynamodb",
    "AWS::MSK::Cluster": "kafka",
    "AWS::MSK::ServerlessCluster": "kafka",
    "AWS::AmazonMQ::Broker": "mq",
}


def source_kind_from_text(text: str, resource_types: dict[str, str] | None = None) -> str | None:
    """The event source an ARN (or a reference to one) names: sqs, kinesis, dynamodb, kafka, mq."""
    match = re.search(r"arn:aws[\w-]*:(sqs|kinesis|dynamodb|kafka|mq):", text)
    if match:
        return match.group(1)
    if resource_types:
        for logical, rtype in resource_types.items():
            if rtype in _CFN_TYPE_KINDS and re.search(rf"\b{re.escape(logical)}\b", text):
                return _CFN_TYPE_KINDS[rtype]
    lowered = text.lower()
    for needle, kind in (
        ("aws_sqs_queue", "sqs"),
        ("aws_kinesis_stream", "kinesis"),
        ("aws_dynamodb_table", "dynamodb"),
        ("aws_msk_", "kafka"),
        ("aws_mq_broker", "mq"),
    ):
        if needle in lowered:
            return kind
    return None


class _CfnWalker:
    """Where CloudFormation, SAM and serverless.yml keep patterns."""

    def __init__(self, host: HostText, adapter: Any) -> None:
        self.host = host
        self.a = adapter
        self.found: list[Extracted] = []
        self.resource_types: dict[str, str] = {}

    def get(self, node: Any, key: str) -> Any | None:
        items = self.a.items(node) if node is not None else None
        if not items:
            return None
        value = None
        for k, v in items:
            if k == key:
                value = v  # the last one wins, as in the parsers CloudFormation uses
        return value

    def walk(self, root: Any) -> list[Extracted]:
        resources = self.get(root, "Resources")
        for logical, resource in self.a.items(resources) or []:
            rtype = self.a.string(self.get(resource, "Type"))
            if rtype:
                self.resource_types[logical] = rtype
        for logical, resource in self.a.items(resources) or []:
            self.resource(logical, resource)
        return self.found

    def resource(self, logical: str, resource: Any) -> None:
        rtype = self.a.string(self.get(resource, "Type"))
        props = self.get(resource, "Properties")
        base = f"Resources.{logical}.Properties"
        if rtype == "AWS::Events::Rule" or rtype == "AWS::Events::Archive":
            bus = (
                self.get(props, "EventBusName")
                if rtype == "AWS::Events::Rule"
                else self.get(props, "SourceArn")
            )
            self.pattern(
                self.get(props, "EventPattern"),
                f"{base}.EventPattern",
                dialect="eventbridge",
                kind="rule" if rtype == "AWS::Events::Rule" else "archive",
                group=None if rtype == "AWS::Events::Archive" else self.group("bus", bus),
            )
        elif rtype == "AWS::SNS::Subscription":
            self.sns(props, base, "FilterPolicy", "FilterPolicyScope", self.get(props, "TopicArn"))
        elif rtype == "AWS::Lambda::EventSourceMapping":
            kind = self.kind_of(self.get(props, "EventSourceArn"))
            self.filters(self.get(props, "FilterCriteria"), f"{base}.FilterCriteria", "lambda", "esm", kind)
        elif rtype == "AWS::Pipes::Pipe":
            kind = self.kind_of(self.get(props, "Source"))
            criteria = self.get(self.get(props, "SourceParameters"), "FilterCriteria")
            self.filters(criteria, f"{base}.SourceParameters.FilterCriteria", "pipes", "pipe", kind)
        elif rtype in ("AWS::Serverless::Function", "AWS::Serverless::StateMachine"):
            for name, event in self.a.items(self.get(props, "Events")) or []:
                self.sam_event(event, f"{base}.Events.{name}")

    def sam_event(self, event: Any, where: str) -> None:
        etype = self.a.string(self.get(event, "Type"))
        props = self.get(event, "Properties")
        if etype in ("EventBridgeRule", "CloudWatchEvent"):
            self.pattern(
                self.get(props, "Pattern"),
                f"{where}.Properties.Pattern",
                dialect="eventbridge",
                kind="rule",
                group=self.group("bus", self.get(props, "EventBusName")),
            )
        elif etype == "SNS":
            self.sns(
                props, f"{where}.Properties", "FilterPolicy", "FilterPolicyScope", self.get(props, "Topic")
            )
        elif etype in _SAM_FILTER_TYPES:
            self.filters(
                self.get(props, "FilterCriteria"),
                f"{where}.Properties.FilterCriteria",
                "lambda",
                "esm",
                _SAM_FILTER_TYPES[etype],
            )

    def group(self, prefix: str, node: Any) -> str:
        if node is None:
            return f"{prefix}:default"
        return f"{prefix}:{self.a.string(node) or self.a.describe(node)}"

    def kind_of(self, node: Any) -> str | None:
        if node is None:
            return None
        return source_kind_from_text(self.a.describe(node), self.resource_types)

    def sns(self, props: Any, base: str, policy_key: str, scope_key: str, topic: Any) -> None:
        scope_node = self.get(props, scope_key)
        scope = self.a.string(scope_node) if scope_node is not None else None
        dialect = "sns-body" if scope == "MessageBody" else "sns-attributes"
        self.pattern(
            self.get(props, policy_key),
            f"{base}.{policy_key}",
            dialect=dialect,
            kind="sns",
            group=self.group("topic", topic),
            scope=scope if scope_node is not None else None,
            scope_anchor=self.a.start(scope_node) if scope_node is not None else None,
        )

    def filters(self, criteria: Any, where: str, dialect: str, kind: str, source_kind: str | None) -> None:
        filters = self.a.seq(self.get(criteria, "Filters")) or []
        for i, f in enumerate(filters):
            self.pattern(
                self.get(f, "Pattern"),
                f"{where}.Filters[{i}].Pattern",
                dialect=dialect_name(dialect),
                kind=kind,
                source_kind=source_kind,
                group=None,
                filter_position=(i, len(filters)),
            )

    def pattern(self, node: Any, where: str, **context: Any) -> None:
        if node is None:
            return
        anchor = self.a.start(node)
        template = self.a.sub_template(node)
        text_node = template if template is not None else (node if self.a.string(node) is not None else None)
        if text_node is not None:
            decoded, starts = self.a.embedded(text_node, template is not None)
            templated = template is not None or getattr(self.a, "variables", False)
            self.found.append(
                _embedded(
                    decoded,
                    starts,
                    self.host,
                    self.host.name,
                    where,
                    anchor,
                    interpolations=templated,
                    **context,
                )
            )
            return
        if self.a.intrinsic(node) is not None and self.a.items(node) is None:
            return  # the whole pattern is a template value: nothing to check
        w = _Writer()
        self.a.write(node, w)
        self.found.append(_finish(w, self.host, self.host.name, where, anchor, **context))


# --- YAML hosts ------------------------------------------------------------------------------


#: Keys under which templates hold patterns: a broken file without them is not ours to judge.
_PATTERN_KEYS = re.compile(
    r"EventPattern|FilterPolicy|FilterCriteria|Pattern:|eventBridge|filterPolicy|filterPatterns"
)


def _extract_yaml(host: HostText, explicit: bool) -> list[Extracted]:
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    yaml = YAML(typ="safe", pure=True)  # the round-trip scanner marks folds with "\\a" in values
    try:
        root = yaml.compose(host.text)
    except YAMLError as exc:
        if not explicit and not _PATTERN_KEYS.search(host.text):
            return []
        raise SourceError(f"{host.name}: not YAML: {' '.join(str(exc).split())}") from None
    except Exception as exc:  # noqa: BLE001 - ruamel raises a few non-YAMLError types on odd input
        raise SourceError(f"{host.name}: not YAML: {type(exc).__name__}: {exc}") from None
    if root is None or type(root).__name__ != "MappingNode":
        return []
    keys = {k.value for k, _ in root.value if type(k).__name__ == "ScalarNode"}
    if "Resources" in keys:
        return _CfnWalker(host, _YamlAdapter(host)).walk(root)
    if "functions" in keys:
        return _ServerlessWalker(host, _YamlAdapter(host, variables=True)).walk(root)
    return []


class _ServerlessWalker(_CfnWalker):
    """serverless.yml: ``functions.*.events[]`` (eventBridge, cloudwatchEvent, sns, sqs, stream)."""

    def walk(self, root: Any) -> list[Extracted]:
        for fname, function in self.a.items(self.get(root, "functions")) or []:
            for i, event in enumerate(self.a.seq(self.get(function, "events")) or []):
                for etype, spec in self.a.items(event) or []:
                    self.event(etype, spec, f"functions.{fname}.events[{i}].{etype}")
        resources = self.get(root, "resources")
        if resources is not None and self.get(resources, "Resources") is not None:
            yaml_cfn = _CfnWalker(self.host, _YamlAdapter(self.host))
            self.found.extend(yaml_cfn.walk(resources))
        return self.found

    def event(self, etype: str, spec: Any, where: str) -> None:
        if etype == "eventBridge":
            self.pattern(
                self.get(spec, "pattern"),
                f"{where}.pattern",
                dialect="eventbridge",
                kind="rule",
                group=self.group("bus", self.get(spec, "eventBus")),
            )
        elif etype == "cloudwatchEvent":
            self.pattern(
                self.get(spec, "event"),
                f"{where}.event",
                dialect="eventbridge",
                kind="rule",
                group="bus:default",
            )
        elif etype == "sns":
            topic = self.get(spec, "arn") or self.get(spec, "topicName") or spec
            self.sns(spec, where, "filterPolicy", "filterPolicyScope", topic)
        elif etype in ("sqs", "stream"):
            arn = self.get(spec, "arn")
            kind = "sqs" if etype == "sqs" else (self.a.string(self.get(spec, "type")) or None)
            if kind is None and arn is not None:
                kind = self.kind_of(arn)
            filters = self.a.seq(self.get(spec, "filterPatterns")) or []
            for i, pattern in enumerate(filters):
                self.pattern(
                    pattern,
                    f"{where}.filterPatterns[{i}]",
                    dialect=dialect_name("lambda"),
                    kind="esm",
                    source_kind=kind,
                    group=None,
                    filter_position=(i, len(filters)),
                )
