"""The check pipeline: one pattern prepared into a `PatternContext`, then run through the rules.

`check_pattern` compiles one extracted pattern (`prepare`) and runs the pattern rules on it;
`check_group` runs the group rules over the patterns of one bus or topic. Findings carry
offsets in the pattern text; `_to_diagnostic` maps them to places in the user's file.

Template values nobody can know (``!Ref``, ``var.x``) are tracked one by one. Each is written in
the pattern text as a placeholder of its likely type, then, when AWS would refuse the pattern
because of it, as a number or a list (`prepare`), so the rules see every known part of the
pattern. A finding is dropped only when it is about an unknown: its range covers one, or its field
holds, contains or sits inside one (`_depends_on_unknown`). Rules about the whole pattern read
the unknowns themselves: sizes and counts become lower bounds (`unknown_spellings`); W119
compares only patterns without unknowns, and W120 compares a pattern's known part
(`PatternContext.known_branches`) with patterns without unknowns.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import patterns
from patterns.dialects import BUS_DIALECTS
from patterns.errors import InvalidPatternError
from patterns.model import Branch, Obj
from patterns.parse import JArray, JNode, JObject, JsonSyntaxError, Span, parse_json
from patterns.validate import validate

from ..diagnostics import Diagnostic
from ..sources import Extracted
from .registry import RULES, Finding, Rule

__all__ = [
    "PatternContext",
    "check_group",
    "check_pattern",
    "key_path",
    "leaf_key",
    "offset_of",
    "paths_in",
    "prepare",
    "unknown_spellings",
]


@dataclass
class PatternContext:
    """One extracted pattern with everything the rules read.

    Attributes:
        extracted: where it came from.
        dialect: the `patterns.Dialect`.
        pattern: the compiled pattern, or None when AWS would reject it.
        error: AWS's rejection, when it would.
        syntax_error: the text is not JSON at all.
        tree: the pattern's source nodes (spans are offsets in `extracted.text`), when it parses.
        model: the model with spans, when valid.
        used_text: the text compiled: `extracted.text` with unknowns possibly rewritten (same
            length, so offsets are shared).
    """

    extracted: Extracted
    dialect: patterns.Dialect
    pattern: patterns.Pattern | None = None
    error: InvalidPatternError | None = None
    syntax_error: bool = False
    tree: JNode | None = None
    model: Obj | None = None
    used_text: str = ""

    @property
    def text(self) -> str:
        """The pattern text the verdict was reached on (unknowns written as their likely type)."""
        return self.used_text or self.extracted.text

    def known_branches(self) -> tuple[Branch, ...]:
        """The pattern's branches without the conditions an unknown value sits in (or above).

        Dropping a condition only widens a branch, so whatever the unknowns hold, every event the
        pattern matches is matched by these branches: a pattern that covers them covers it.
        """
        if self.pattern is None:
            return ()
        places = [_dotted(u.json_path) for u in self.extracted.unknowns]
        return tuple(
            tuple(c for c in branch if not any(_path_related(c.path, p) for p in places))
            for branch in self.pattern.branches
        )

    def at(self, span: Span | None, json_path: str, message: str, help: str = "") -> Finding:
        """A finding at a model or source node's span."""
        if span is None:
            return Finding(message, None, None, json_path, help)
        return Finding(message, span.offset, span.end_offset, json_path, help)


# --- places in the pattern text --------------------------------------------------------------


def paths_in(root: JNode) -> Iterator[tuple[JNode, str, Span | None]]:
    """Every source node with its JSON path (worded as `patterns.validate` words them)."""
    stack: list[tuple[JNode, str, Span | None]] = [(root, "$", root.span)]
    while stack:
        node, path, span = stack.pop()
        yield node, path, span
        if isinstance(node, JObject):
            for m in node.members:
                stack.append((m.value, key_path(path, m.key), m.value.span))
        elif isinstance(node, JArray):
            for i, item in enumerate(node.items):
                stack.append((item, f"{path}[{i}]", item.span))


_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def key_path(path: str, key: str) -> str:
    """A member's JSON path, worded as AWS errors word it (``$.a``, ``$['detail-type']``)."""
    if _PLAIN_KEY.fullmatch(key):
        return f"{path}.{key}"
    escaped = key.replace("\\", "\\\\").replace("'", "\\'")
    return f"{path}['{escaped}']"


_STEP = re.compile(r"\.([A-Za-z_][A-Za-z0-9_]*)|\['((?:[^'\\]|\\.)*)'\]|\[\d+\]")


def _dotted(json_path: str) -> str:
    """A JSON path as the dotted field path of `patterns.model.Condition` (``$or`` and indices dropped)."""
    keys = []
    for m in _STEP.finditer(json_path or "$"):
        key = m.group(1) if m.group(1) is not None else m.group(2)
        if key is not None:
            key = re.sub(r"\\(.)", r"\1", key)
            if key != "$or":
                keys.append(key)
    return ".".join(keys)


def _path_related(path: str, place: str) -> bool:
    """Whether a dotted field path is `place`, inside it, or holds it (`place` "" is the root)."""
    return not place or path == place or path.startswith(place + ".") or place.startswith(path + ".")


_LIST_INDEX = re.compile(r"\[\d+\]")


def leaf_key(json_path: str) -> str:
    """A JSON path cut before the index into a value list: the field a finding is about."""
    for m in _LIST_INDEX.finditer(json_path):
        if not json_path[: m.start()].endswith("['$or']"):
            return json_path[: m.start()]
    return json_path


def _related(a: str, b: str) -> bool:
    ka, kb = leaf_key(a), leaf_key(b)
    return ka == kb or kb.startswith((ka + ".", ka + "[")) or ka.startswith((kb + ".", kb + "["))


def offset_of(text: str, line: int, column: int) -> int:
    """The offset in `text` of a 1-based line and column (the end of `text` past its last line)."""
    offset = 0
    for _ in range(line - 1):
        nl = text.find("\n", offset)
        if nl < 0:
            return len(text)
        offset = nl + 1
    return offset + column - 1


# --- compiling, around unknown template values ----------------------------------------------


def prepare(extracted: Extracted) -> PatternContext:
    """Compile one extracted pattern and gather what the rules read.

    An unknown template value is first written as a string. When AWS would reject the pattern
    because of it (a ``numeric`` bound that is a Terraform variable, a bare reference where a list
    belongs), it is written as a number, then as a list, in the same width, so that the rest of
    the pattern is still checked.
    """
    dialect = (
        patterns.DIALECTS.get(extracted.dialect)
        or BUS_DIALECTS.get(extracted.dialect)
        or patterns.DIALECTS["eventbridge"]
    )
    ctx = PatternContext(extracted, dialect)
    text = extracted.text
    try:
        ctx.tree = parse_json(text)
    except JsonSyntaxError:
        ctx.syntax_error = True
    if ctx.tree is not None:
        _place_unknowns(extracted, ctx.tree)
    tried: dict[int, int] = {}
    while True:
        try:
            ctx.pattern = patterns.compile(text, dialect=dialect)
            break
        except InvalidPatternError as err:
            ctx.error = err
            if ctx.syntax_error:
                break
            candidate = _next_spelling(extracted, text, _error_finding_for(text, err), tried)
            if candidate is None:
                break
            text = candidate
    if ctx.pattern is not None:
        ctx.error = None
        ctx.tree = parse_json(text)
        ctx.model = validate(ctx.tree, dialect)
    ctx.used_text = text
    return ctx


#: What an unknown value is tried as, after a string: a number, then a list of one string, then
#: a list of one number (the only list that fits where a short ``${x}`` stood outside a string).
_ALTERNATIVES = ("1", '["?"]', "[1]")


def _next_spelling(extracted: Extracted, text: str, finding: Finding, tried: dict[int, int]) -> str | None:
    """`text` with one unknown the error is about written as its next likely type, None if none is left.

    Each unknown is tried as each alternative once, in order; a spelling that does not fit (too
    wide) or breaks the JSON is skipped. The checks read the original text, so an unknown already
    written as a number can still be tried as a list.
    """
    for i, u in enumerate(extracted.unknowns):
        if not _unknown_related(u, finding):
            continue
        while tried.get(i, 0) < len(_ALTERNATIVES):
            replacement = _ALTERNATIVES[tried.get(i, 0)]
            tried[i] = tried.get(i, 0) + 1
            candidate = _substitute(extracted.text, text, u, replacement)
            if candidate == text:
                continue
            try:
                parse_json(candidate)
            except JsonSyntaxError:
                continue  # that spelling breaks the JSON: try the next one
            return candidate
    return None


def _token_range(text: str, u: Any) -> tuple[int, int]:
    start, end = u.start, u.end
    if text[start : start + 1] != '"' and start > 0 and text[start - 1] == '"' and text[end : end + 1] == '"':
        start, end = start - 1, end + 1  # ${...} filling a whole JSON string
    return start, end


_KEY_FOLLOWS = re.compile(r"\s*:")


def _substitute(original: str, text: str, u: Any, replacement: str) -> str:
    """`text` with the unknown `u` written as `replacement`, padded to the width it had in `original`."""
    start, end = _token_range(original, u)
    whole = original[start] == '"' or original[start:end].rstrip() == "1"  # a string, or `embedded`'s number
    if end - start < len(replacement) or not whole or _KEY_FOLLOWS.match(original, end):
        return text  # too short, part of a string, or an object key
    return text[:start] + replacement.ljust(end - start) + text[end:]


def unknown_spellings(ctx: PatternContext) -> list[tuple[int, int, str]]:
    """How each unknown stands in the compiled text: (start, end, form), sorted by start.

    `form` is ``list`` (written as a list: it may hold several values), ``number``, ``string``
    (a whole JSON string) or ``part`` (inside a JSON string, beside known characters).
    """
    text = ctx.text
    out = []
    for u in ctx.extracted.unknowns:
        start, end = _token_range(text, u)
        head = text[start : start + 1]
        if head == "[":
            form = "list"
        elif head == '"':
            form = "string"
        elif head.isdigit():
            form = "number"
        else:
            form = "part"
        out.append((start, end, form))
    return sorted(out)


def _place_unknowns(extracted: Extracted, tree: JNode) -> None:
    """Give each unknown the JSON path of the deepest node holding it."""
    nodes = sorted(
        (span.offset, -(span.end_offset - span.offset), path) for _, path, span in paths_in(tree) if span
    )
    for u in extracted.unknowns:
        best = None
        for start, negative_length, path in nodes:
            if start <= u.start < start - negative_length:
                best = path  # later (deeper) nodes overwrite earlier (outer) ones
        u.json_path = best or "$"


def _error_finding_for(text: str, err: InvalidPatternError) -> Finding:
    end = None
    if err.offset is not None and err.end_line is not None and err.end_column is not None:
        end = offset_of(text, err.end_line, err.end_column)
    return Finding(str(err), err.offset, end, err.path or "$")


def _unknown_related(u: Any, finding: Finding) -> bool:
    if (
        finding.offset is not None
        and finding.end_offset is not None
        and u.start < finding.end_offset
        and finding.offset < u.end
    ):
        return True
    return bool(u.json_path) and finding.json_path != "$" and _related(u.json_path, finding.json_path)


# --- running the rules ----------------------------------------------------------------------


def check_pattern(
    extracted: Extracted, codes: Iterable[str] | None = None
) -> tuple[PatternContext, list[Diagnostic]]:
    """Run the pattern rules on one pattern.

    Args:
        extracted: the pattern and where it lives.
        codes: the rule codes to run (default: all).

    Returns:
        The prepared context (group rules reuse it) and the diagnostics, unsorted.
    """
    wanted = set(RULES) if codes is None else set(codes)
    if extracted.kind == "transformer":
        return _check_transformer(extracted, wanted)
    ctx = prepare(extracted)
    notes = _unknown_notes(extracted)
    out: list[Diagnostic] = []
    for code, r in RULES.items():
        if r.scope != "pattern" or code not in wanted:
            continue
        for finding in r.check(ctx):
            if _depends_on_unknown(ctx, finding):
                continue
            out.append(_to_diagnostic(r, extracted, finding, notes))
    return ctx, out


def _check_transformer(extracted: Extracted, wanted: set[str]) -> tuple[PatternContext, list[Diagnostic]]:
    """Run the transformer rules on a rule target's ``InputTransformer`` (its template is the text).

    A finding is dropped when its range in the template (or path) it is about covers a template
    value, or when it has no range and that text holds one.
    """
    ctx = PatternContext(extracted, patterns.DIALECTS["eventbridge"])
    for u in extracted.unknowns:
        u.json_path = u.json_path or "$"  # a template is not a JSON tree: the unknowns list says where
    out: list[Diagnostic] = []
    for code, r in RULES.items():
        if r.scope != "transformer" or code not in wanted:
            continue
        for finding in r.check(ctx):
            on = finding.extracted or extracted
            if finding.offset is None and on.unknowns:
                continue
            end = finding.end_offset if finding.end_offset is not None else (finding.offset or 0) + 1
            if any(u.start < end and (finding.offset or 0) < u.end for u in on.unknowns):
                continue
            out.append(_to_diagnostic(r, extracted, finding, ()))
    return ctx, out


def check_group(contexts: list[PatternContext], codes: Iterable[str] | None = None) -> list[Diagnostic]:
    """Run the group rules over the patterns of one file, grouped by bus or topic and dialect (the
    filters of one subscriber, whatever their scope, are one group)."""
    wanted = set(RULES) if codes is None else set(codes)
    groups: dict[tuple[str, str, str], list[PatternContext]] = defaultdict(list)
    for ctx in contexts:
        ex = ctx.extracted
        if ex.group is not None and ctx.pattern is not None and not ctx.syntax_error:
            groups[(ex.file, ex.group, "bus" if ex.kind == "subscriber" else ex.dialect)].append(ctx)
    out: list[Diagnostic] = []
    for members in groups.values():
        if len(members) < 2:
            continue
        for code, r in RULES.items():
            if r.scope != "group" or code not in wanted:
                continue
            for finding in r.check(members):
                assert finding.extracted is not None
                out.append(_to_diagnostic(r, finding.extracted, finding, ()))
    return out


def _depends_on_unknown(ctx: PatternContext, finding: Finding) -> bool:
    unknowns = ctx.extracted.unknowns
    if not unknowns:
        return False
    if ctx.syntax_error:
        return True  # text that templating broke: nothing certain can be said
    return any(not u.json_path or _unknown_related(u, finding) for u in unknowns)


def _to_diagnostic(
    rule_: Rule, ctx_extracted: Extracted, f: Finding, unknowns: tuple[str, ...]
) -> Diagnostic:
    ex = f.extracted or ctx_extracted
    if f.offset is None:
        start = ex.anchor
        line, column = ex.positions.host.position(start)
        end_line, end_column = line, column
    else:
        line, column, end_line, end_column = ex.positions.span(f.offset, f.end_offset)
    return Diagnostic(
        code=rule_.code,
        name=rule_.name,
        message=f.message,
        severity=rule_.severity,
        path=ex.file,
        line=line,
        column=column,
        end_line=end_line,
        end_column=end_column,
        json_path=f.json_path,
        help=f.help,
        where=ex.where,
        unknowns=unknowns,
    )


def _unknown_notes(ex: Extracted) -> tuple[str, ...]:
    out = []
    for u in ex.unknowns:
        line, column, _, _ = ex.positions.span(u.start, u.end)
        out.append(f"`{u.text}` at {line}:{column} ({u.json_path or '$'})")
    return tuple(out)
