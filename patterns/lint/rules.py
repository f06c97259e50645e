"""The lint rules: a registry of codes, names and docs, and the checks that produce diagnostics.

Each rule is a function registered with `rule(code, name)`; its docstring is the rule's
documentation, in ruff's sections (What it does / Why is this bad? / Example / Use instead),
from which ``pattern-lint rule CODE`` and ``docs/rules.md`` are made. A pattern rule receives a
`PatternContext` (the pattern's text, its compiled form, its model with spans) and yields
`Finding`s; a group rule receives every pattern of one bus or topic in one file.

``E`` rules are AWS's own verdict: `patterns.compile` decides, and the message is AWS's text.
``W`` rules are the silent failures: patterns AWS accepts that match less (or more) than their
author meant. A finding that depends on a template value nobody can know (``!Ref``, ``var.x``)
is never reported.
"""

from __future__ import annotations

import difflib
import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import patterns
from patterns.errors import InvalidPatternError
from patterns.model import (
    AnythingBut,
    Cidr,
    Equals,
    EqualsIgnoreCase,
    Exists,
    Field,
    Leaf,
    Matcher,
    NumberEquals,
    Numeric,
    Obj,
    Prefix,
    Suffix,
    Wildcard,
    count_branches,
)
from patterns.parse import JArray, JNode, JObject, JsonSyntaxError, Span, parse_json

from .aws import ENVELOPE
from .diagnostics import Diagnostic, Severity
from .sources import Extracted

__all__ = ["RULES", "Finding", "PatternContext", "Rule", "check_group", "check_pattern"]


# --- the registry ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """A registered rule.

    Attributes:
        code: stable code, never reused (``W101``).
        name: kebab-case name; reads as "allow {name}".
        severity: ``error`` for ``E`` codes, ``warning`` for ``W``.
        doc: the documentation (the check's docstring, dedented).
        check: the function producing findings.
        scope: ``pattern`` (one pattern) or ``group`` (the patterns of one bus or topic).
    """

    code: str
    name: str
    severity: Severity
    doc: str
    check: Callable[..., Iterable[Finding]]
    scope: str = "pattern"

    @property
    def summary(self) -> str:
        """The first sentence of "What it does"."""
        text = " ".join(self.sections().get("What it does", "").split())
        for stop in (". ", ": "):
            text = text.split(stop)[0]
        return text.rstrip(".") + "."

    def sections(self) -> dict[str, str]:
        """The docstring's ``## Heading`` sections, by heading."""
        out: dict[str, str] = {}
        current = None
        for line in self.doc.splitlines():
            if line.startswith("## "):
                current = line[3:].strip().rstrip("?").strip()
                current = {"Why is this bad": "Why is this bad?"}.get(current, current)
                out[current] = ""
            elif current is not None:
                out[current] += line + "\n"
        return {k: v.strip("\n") for k, v in out.items()}


RULES: dict[str, Rule] = {}


def rule(code: str, name: str, scope: str = "pattern") -> Callable:
    """Register a check under a code and a name; its docstring is the rule's documentation."""

    def register(fn: Callable) -> Callable:
        import inspect

        if code in RULES:
            raise ValueError(f"rule code {code} registered twice")
        RULES[code] = Rule(
            code=code,
            name=name,
            severity="error" if code.startswith("E") else "warning",
            doc=inspect.cleandoc(fn.__doc__ or ""),
            check=fn,
            scope=scope,
        )
        return fn

    return register


# --- what a check sees and says --------------------------------------------------------------


@dataclass
class Finding:
    """A rule's finding inside one pattern: pattern-text range, JSON path, message, help."""

    message: str
    offset: int | None = None
    end_offset: int | None = None
    json_path: str = "$"
    help: str = ""
    extracted: Extracted | None = None  # group rules: the pattern the finding is about


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

    def at(self, span: Span | None, json_path: str, message: str, help: str = "") -> Finding:
        """A finding at a model or source node's span."""
        if span is None:
            return Finding(message, None, None, json_path, help)
        return Finding(message, span.offset, span.end_offset, json_path, help)


def _paths_in(root: JNode) -> Iterator[tuple[JNode, str, Span | None]]:
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


def _depends_on_unknown(ctx: PatternContext, finding: Finding) -> bool:
    unknowns = ctx.extracted.unknowns
    if not unknowns:
        return False
    if ctx.syntax_error:
        return True  # text that templating broke: nothing certain can be said
    return any(not u.json_path or _unknown_related(u, finding) for u in unknowns)


# --- the pipeline ----------------------------------------------------------------------------


def _limit_reason(reason: str) -> bool:
    return reason.startswith(
        (
            "Too many combinations of $or",
            "Filter policy is too",
            "Filter policy can not have",
            "Rule is too complex",
        )
    )


def prepare(extracted: Extracted) -> PatternContext:
    """Compile one extracted pattern and gather what the rules read.

    An unknown template value is first written as a string. When AWS would reject the pattern
    because of it (a ``numeric`` bound that is a Terraform variable), it is written as a number,
    then as a list, in the same width, so that the rest of the pattern is still checked.
    """
    dialect = patterns.DIALECTS.get(extracted.dialect) or patterns.DIALECTS["eventbridge"]
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
            finding = _error_finding_for(text, err)
            for i, u in enumerate(extracted.unknowns):
                if tried.get(i, 0) < len(_ALTERNATIVES) and _unknown_related(u, finding):
                    candidate = _substitute(text, u, _ALTERNATIVES[tried.get(i, 0)])
                    tried[i] = tried.get(i, 0) + 1
                    try:
                        parse_json(candidate)
                    except JsonSyntaxError:
                        continue  # that spelling breaks the JSON: try another unknown or give up
                    text = candidate
                    break
            else:
                break
    if ctx.pattern is not None:
        ctx.error = None
        from patterns.validate import validate

        ctx.tree = parse_json(text)
        ctx.model = validate(ctx.tree, dialect)
    extracted_text_used = text
    ctx.used_text = extracted_text_used
    return ctx


#: What an unknown value is tried as, after a string: a number, then a list of one string.
_ALTERNATIVES = ("1", '["?"]')


def _token_range(text: str, u: Any) -> tuple[int, int]:
    start, end = u.start, u.end
    if text[start : start + 1] != '"' and start > 0 and text[start - 1] == '"' and text[end : end + 1] == '"':
        start, end = start - 1, end + 1  # ${...} filling a whole JSON string
    return start, end


_KEY_FOLLOWS = re.compile(r"\s*:")


def _substitute(text: str, u: Any, replacement: str) -> str:
    start, end = _token_range(text, u)
    if end - start < len(replacement) or text[start] != '"' or _KEY_FOLLOWS.match(text, end):
        return text  # too short, not a whole string, or an object key
    return text[:start] + replacement.ljust(end - start) + text[end:]


def _place_unknowns(extracted: Extracted, tree: JNode) -> None:
    """Give each unknown the JSON path of the deepest node holding it."""
    nodes = sorted(
        (span.offset, -(span.end_offset - span.offset), path) for _, path, span in _paths_in(tree) if span
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
        end = _offset_of(text, err.end_line, err.end_column)
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
    ctx = prepare(extracted)
    wanted = set(RULES) if codes is None else set(codes)
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


def check_group(contexts: list[PatternContext], codes: Iterable[str] | None = None) -> list[Diagnostic]:
    """Run the group rules over the patterns of one file, grouped by bus or topic and dialect."""
    wanted = set(RULES) if codes is None else set(codes)
    groups: dict[tuple[str, str, str], list[PatternContext]] = defaultdict(list)
    for ctx in contexts:
        ex = ctx.extracted
        if ex.group is not None and ctx.pattern is not None and not ex.unknowns:
            groups[(ex.file, ex.group, ex.dialect)].append(ctx)
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


# --- helpers over the model ------------------------------------------------------------------


def _leaves(obj: Obj, prefix: str = "") -> Iterator[tuple[str, Field, Leaf]]:
    """(dotted path, field, value list) of every value list, ``$or`` branches included."""
    for f in obj.fields:
        path = f"{prefix}.{f.key}" if prefix else f.key
        if isinstance(f.value, Leaf):
            yield path, f, f.value
        else:
            yield from _leaves(f.value, path)
    for group in obj.ors:
        for branch in group.branches:
            yield from _leaves(branch, prefix)


def _fields(obj: Obj, prefix: str = "", top: bool = True) -> Iterator[tuple[str, Field, bool]]:
    """(dotted path, field, at the top level) of every field, ``$or`` branches included."""
    for f in obj.fields:
        path = f"{prefix}.{f.key}" if prefix else f.key
        yield path, f, top
        if isinstance(f.value, Obj):
            yield from _fields(f.value, path, False)
    for group in obj.ors:
        for branch in group.branches:
            yield from _fields(branch, prefix, top)


def _leaf_matchers(leaf: Leaf) -> Iterator[tuple[int, Matcher]]:
    yield from enumerate(leaf.matchers)


def _number_matcher(m: Matcher) -> bool:
    return isinstance(m, (Numeric, NumberEquals)) or (
        isinstance(m, AnythingBut) and m.kind == "values" and any(isinstance(v, float) for v in m.values)
    )


def _string_matcher(m: Matcher) -> bool:
    return isinstance(m, (Prefix, Suffix, EqualsIgnoreCase, Wildcard, Cidr))


def _show(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _is_eventbridge_rule(ctx: PatternContext) -> bool:
    return ctx.extracted.dialect == "eventbridge" and ctx.extracted.kind in ("rule", "archive", "raw")


#: Envelope fields every EventBridge event has, always as strings (``resources``: strings).
ENVELOPE_STRINGS = frozenset(
    {"version", "id", "detail-type", "source", "account", "time", "region", "resources"}
)
#: Envelope fields every event carries (so an anything-but on them never meets an absent field).
ALWAYS_PRESENT = frozenset({"version", "id", "detail-type", "source", "account", "time", "region"})


def _known_string_field(ctx: PatternContext, path: str) -> str | None:
    """Why the field at `path` always holds strings, or None when nothing says so."""
    ex = ctx.extracted
    if _is_eventbridge_rule(ctx) and path in ENVELOPE_STRINGS:
        return f"`{path}` is always a string in EventBridge events"
    if ex.source_kind == "dynamodb" and re.fullmatch(
        r"dynamodb\.(NewImage|OldImage|Keys)\.[^.]+\.(N|S|NS|SS)", path
    ):
        return 'DynamoDB stream records carry numbers as strings (`{"N": "42"}`)'
    if ex.source_kind == "sqs" and re.fullmatch(
        r"attributes\.[^.]+|messageAttributes\.[^.]+\.stringValue", path
    ):
        return "SQS record attributes and message attribute values are strings"
    return None


# --- E: what AWS rejects ---------------------------------------------------------------------


@rule("E101", "invalid-json")
def invalid_json(ctx: PatternContext) -> Iterator[Finding]:
    """## What it does
    Reports a pattern that is not JSON text, with the error AWS returns (Jackson's wording).

    ## Why is this bad?
    AWS refuses the pattern: the deploy or API call fails with this message.

    ## Example
    ```json
    {"source": ["aws.ec2"],}
    ```

    ## Use instead
    ```json
    {"source": ["aws.ec2"]}
    ```
    """
    if ctx.error is not None and ctx.syntax_error:
        err = ctx.error
        yield Finding(str(err), err.offset, err.offset, err.path or "$")


@rule("E102", "invalid-pattern")
def invalid_pattern(ctx: PatternContext) -> Iterator[Finding]:
    """## What it does
    Reports a pattern AWS rejects, with AWS's own message: a value that is not in a list, an
    unknown operator, an operand of the wrong type, a malformed numeric range, a nested SNS
    attribute policy, and every other rule of the service's validator.

    ## Why is this bad?
    AWS refuses the pattern: the deploy or API call fails with this message.

    ## Example
    ```json
    {"source": "aws.ec2", "detail": {"state": ["stopped"]}}
    ```

    ## Use instead
    ```json
    {"source": ["aws.ec2"], "detail": {"state": ["stopped"]}}
    ```
    """
    err = ctx.error
    if err is None or ctx.syntax_error or _limit_reason(err.reason):
        return
    yield _error_finding(ctx, err)


def _error_finding(ctx: PatternContext, err: InvalidPatternError) -> Finding:
    end = None
    if err.offset is not None and err.end_line is not None and err.end_column is not None:
        end = _offset_of(ctx.text, err.end_line, err.end_column)
    help = ""
    if "does not support nested filter policy" in err.reason:
        help = "a nested policy filters the message body: set the subscription's FilterPolicyScope to MessageBody"
    return Finding(str(err), err.offset, end, err.path or "$", help)


def _offset_of(text: str, line: int, column: int) -> int:
    offset = 0
    for _ in range(line - 1):
        nl = text.find("\n", offset)
        if nl < 0:
            return len(text)
        offset = nl + 1
    return offset + column - 1


@rule("E103", "pattern-over-limit")
def pattern_over_limit(ctx: PatternContext) -> Iterator[Finding]:
    """## What it does
    Reports a pattern beyond a service limit AWS enforces, with AWS's message: more than 1,000
    `$or` combinations (EventBridge), wildcards too complex to compile, an SNS policy with more
    than 150 combinations or more than 5 keys.

    ## Why is this bad?
    AWS refuses the pattern: the deploy or API call fails with this message.

    ## Example
    ```json sns-attributes
    {"a": ["1"], "b": ["1"], "c": ["1"], "d": ["1"], "e": ["1"], "f": ["1"]}
    ```

    ## Use instead
    ```json sns-attributes
    {"a": ["1"], "b": ["1"], "c": ["1"], "d": ["1"], "e": ["1"]}
    ```
    """
    err = ctx.error
    if err is None or ctx.syntax_error or not _limit_reason(err.reason):
        return
    yield _error_finding(ctx, err)


@rule("E104", "invalid-filter-policy-scope")
def invalid_filter_policy_scope(ctx: PatternContext) -> Iterator[Finding]:
    """## What it does
    Reports an SNS subscription whose `FilterPolicyScope` is neither `MessageAttributes` nor
    `MessageBody`, with SNS's message.

    ## Why is this bad?
    SNS refuses the subscription; the scope is case-sensitive.

    ## Example
    ```yaml
    Resources:
      Sub:
        Type: AWS::SNS::Subscription
        Properties:
          TopicArn: arn:aws:sns:us-east-1:123456789012:orders
          Protocol: sqs
          Endpoint: arn:aws:sqs:us-east-1:123456789012:q
          FilterPolicyScope: messageBody
          FilterPolicy: {"kind": ["premium"]}
    ```

    ## Use instead
    ```yaml
    Resources:
      Sub:
        Type: AWS::SNS::Subscription
        Properties:
          TopicArn: arn:aws:sns:us-east-1:123456789012:orders
          Protocol: sqs
          Endpoint: arn:aws:sqs:us-east-1:123456789012:q
          FilterPolicyScope: MessageBody
          FilterPolicy: {"kind": ["premium"]}
    ```
    """
    ex = ctx.extracted
    if ex.kind != "sns" or ex.scope is None or ex.scope in ("MessageAttributes", "MessageBody"):
        return
    from patterns.dialects import dialect_for_scope

    try:
        dialect_for_scope(ex.scope)
    except InvalidPatternError as err:
        f = Finding(str(err), None, None, "$", "use `MessageAttributes` (the default) or `MessageBody`")
        if ex.scope_anchor is not None:
            # point at the scope value itself, which lives outside the pattern text
            f.extracted = _at_host_offset(ex, ex.scope_anchor)
        yield f


def _at_host_offset(ex: Extracted, offset: int) -> Extracted:
    from dataclasses import replace

    return replace(ex, anchor=offset)


#: The API's length limit on a pattern (PutRule, TestEventPattern, Lambda and Pipes filters).
MAX_PATTERN_LENGTH = 4096
#: EventBridge's default (adjustable) quota on a rule's pattern size.
DEFAULT_PATTERN_QUOTA = 2048


def _pattern_size(ctx: PatternContext) -> int | None:
    ex = ctx.extracted
    if ex.unknowns:
        return None
    if ex.embedded:
        return len(ex.text)
    try:
        return len(json.dumps(json.loads(ex.text), ensure_ascii=False, separators=(",", ":")))
    except ValueError:
        return None


@rule("E105", "pattern-too-long")
def pattern_too_long(ctx: PatternContext) -> Iterator[Finding]:
    """## What it does
    Reports an EventBridge, Lambda or Pipes pattern longer than 4,096 characters, the API's limit
    on the field, with the API's validation message.

    ## Why is this bad?
    The API call (PutRule, CreateEventSourceMapping, CreatePipe) fails; no quota increase lifts
    this limit.

    ## Example
    A pattern listing hundreds of account ids in one value list.

    ## Use instead
    Split the rule, or match a shared prefix (`{"prefix": "..."}`) instead of listing every value.
    """
    if ctx.extracted.dialect.startswith("sns"):
        return
    size = _pattern_size(ctx)
    if size is not None and size > MAX_PATTERN_LENGTH:
        field_name = "eventPattern" if ctx.extracted.kind in ("rule", "raw", "archive") else "pattern"
        yield Finding(
            f"1 validation error detected: Value at '{field_name}' failed to satisfy constraint: "
            f"Member must have length less than or equal to {MAX_PATTERN_LENGTH}",
            None,
            None,
            "$",
            f"the pattern is {size} characters long",
        )


def _too_many_filters(ctx: PatternContext, limit: int) -> Finding | None:
    position = ctx.extracted.filter_position
    if position is None or position[0] != limit:
        return None  # report once, on the first filter over the limit
    return Finding(f"{position[1]} filters; at most {limit}")


@rule("E106", "too-many-filters")
def too_many_filters(ctx: PatternContext) -> Iterator[Finding]:
    """## What it does
    Reports an EventBridge Pipes `FilterCriteria` with more than 5 filters, with the API's
    validation message.

    ## Why is this bad?
    CreatePipe and UpdatePipe refuse it; the limit cannot be raised.

    ## Example
    ```yaml
    Resources:
      Pipe:
        Type: AWS::Pipes::Pipe
        Properties:
          RoleArn: arn:aws:iam::123456789012:role/p
          Source: arn:aws:sqs:us-east-1:123456789012:orders
          Target: arn:aws:sqs:us-east-1:123456789012:q
          SourceParameters:
            FilterCriteria:
              Filters: [{Pattern: '{"body": {"kind": ["a"]}}'}, {Pattern: '{"body": {"kind": ["b"]}}'}, {Pattern: '{"body": {"kind": ["c"]}}'}, {Pattern: '{"body": {"kind": ["d"]}}'}, {Pattern: '{"body": {"kind": ["e"]}}'}, {Pattern: '{"body": {"kind": ["f"]}}'}]
    ```

    ## Use instead
    Merge filters (they are OR'ed anyway) into fewer: several values in one list, or `$or`.

    ```yaml
    Resources:
      Pipe:
        Type: AWS::Pipes::Pipe
        Properties:
          RoleArn: arn:aws:iam::123456789012:role/p
          Source: arn:aws:sqs:us-east-1:123456789012:orders
          Target: arn:aws:sqs:us-east-1:123456789012:q
          SourceParameters:
            FilterCriteria:
              Filters: [{Pattern: '{"body": {"kind": ["a", "b", "c", "d", "e", "f"]}}'}]
    ```
    """
    if ctx.extracted.kind != "pipe":
        return
    limit = getattr(ctx.dialect, "max_filters_quota", None) or 5
    finding = _too_many_filters(ctx, limit)
    if finding is not None:
        finding.message = (
            "1 validation error detected: Value at 'sourceParameters.filterCriteria.filters' failed to "
            f"satisfy constraint: Member must have length less than or equal to {limit}"
        )
        finding.help = f"this FilterCriteria has {ctx.extracted.filter_position[1]} filters"  # type: ignore[index]
        yield finding


@rule("W121", "filters-over-default-quota")
def filters_over_default_quota(ctx: PatternContext) -> Iterator[Finding]:
    """## What it does
    Checks Lambda event source mappings with more than 5 filters, Lambda's default quota
    (adjustable up to 10).

    ## Why is this bad?
    The mapping fails to deploy in every account that has not raised the quota.

    ## Example
    ```yaml
    Resources:
      Mapping:
        Type: AWS::Lambda::EventSourceMapping
        Properties:
          FunctionName: worker
          EventSourceArn: arn:aws:sqs:us-east-1:123456789012:orders
          FilterCriteria:
            Filters: [{Pattern: '{"body": {"kind": ["a"]}}'}, {Pattern: '{"body": {"kind": ["b"]}}'}, {Pattern: '{"body": {"kind": ["c"]}}'}, {Pattern: '{"body": {"kind": ["d"]}}'}, {Pattern: '{"body": {"kind": ["e"]}}'}, {Pattern: '{"body": {"kind": ["f"]}}'}]
    ```

    ## Use instead
    Merge filters (they are OR'ed anyway) into fewer: several values in one list, or `$or`.

    ```yaml
    Resources:
      Mapping:
        Type: AWS::Lambda::EventSourceMapping
        Properties:
          FunctionName: worker
          EventSourceArn: arn:aws:sqs:us-east-1:123456789012:orders
          FilterCriteria:
            Filters: [{Pattern: '{"body": {"kind": ["a", "b", "c", "d", "e", "f"]}}'}]
    ```
    """
    if ctx.extracted.kind != "esm":
        return
    limit = getattr(ctx.dialect, "max_filters", None) or 5
    finding = _too_many_filters(ctx, limit)
    if finding is not None:
        count = ctx.extracted.filter_position[1]  # type: ignore[index]
        finding.message = f"{count} filters in one event source mapping; Lambda's default quota is {limit} (at most 10 when raised)"
        yield finding


# --- W: accepted, but probably not what was meant --------------------------------------------


@rule("W101", "anything-but-ignores-missing")
def anything_but_ignores_missing(ctx: PatternContext) -> Iterator[Finding]:
    """## What it does
    Checks for `anything-but` on a field that events may not have, without
    `{"exists": false}` beside it.

    ## Why is this bad?
    `anything-but` matches only a field that is present: an event without the field does not
    match, although "anything but `x`" reads as if it should. Events lacking the field are
    dropped without a trace.

    ## Example
    ```json
    {"source": ["aws.ec2"], "detail": {"state": [{"anything-but": "running"}]}}
    ```

    ## Use instead
    ```json
    {"source": ["aws.ec2"], "detail": {"state": [{"anything-but": "running"}, {"exists": false}]}}
    ```
    """
    if ctx.model is None:
        return
    for path, _, leaf in _leaves(ctx.model):
        if _is_eventbridge_rule(ctx) and path in ALWAYS_PRESENT:
            continue
        if any(isinstance(m, Exists) for m in leaf.matchers):
            continue
        for i, m in _leaf_matchers(leaf):
            if isinstance(m, AnythingBut):
                yield ctx.at(
                    m.span,
                    f"{leaf.json_path}[{i}]",
                    f"`anything-but` never matches an event without `{path}`",
                    'add `{"exists": false}` to the list if events without the field should match',
                )
                break


#: Fields known to hold objects, per event source.
_OBJECT_FIELDS = {
    "dynamodb": re.compile(r"dynamodb(\.(NewImage|OldImage|Keys)(\.[^.]+)?)?"),
}


@rule("W102", "exists-on-object")
def exists_on_object(ctx: PatternContext) -> Iterator[Finding]:
    """## What it does
    Checks for `exists` on a field that holds an object: one the pattern itself descends into
    elsewhere, EventBridge's `detail`, or a DynamoDB stream image and its attribute values.

    ## Why is this bad?
    `exists` tests values, not objects: on an object-valued field `{"exists": true}` never
    matches and `{"exists": false}` always does.

    ## Example
    ```json
    {"source": ["aws.ec2"], "detail": [{"exists": true}]}
    ```

    ## Use instead
    ```json
    {"source": ["aws.ec2"], "detail": {"instance-id": [{"exists": true}]}}
    ```
    """
    if ctx.model is None:
        return
    all_paths = [path for path, _, _ in _leaves(ctx.model)]
    objects = _OBJECT_FIELDS.get(ctx.extracted.source_kind or "")
    for path, _, leaf in _leaves(ctx.model):
        reason = None
        if any(p.startswith(path + ".") for p in all_paths):
            reason = "the pattern reads fields inside it"
        elif _is_eventbridge_rule(ctx) and path == "detail":
            reason = "`detail` is always an object"
        elif objects is not None and objects.fullmatch(path):
            reason = "DynamoDB stream records hold objects there"
        if reason is None:
            continue
        for i, m in _leaf_matchers(leaf):
            if isinstance(m, Exists):
                verdict = "never matches" if m.value else "always holds"
                yield ctx.at(
                    m.span,
                    f"{leaf.json_path}[{i}]",
                    f"`exists: {str(m.value).lower()}` on `{path}` {verdict}: it is an object ({reason})",
                    "test a field inside the object instead",
                )


@rule("W103", "numeric-on-string-field")
def numeric_on_string_field(ctx: PatternContext) -> Iterator[Finding]:
    """## What it does
    Checks for number conditions (`numeric`, number values, `anything-but` numbers) on fields
    that arrive as strings: EventBridge envelope fields, DynamoDB `N` attribute values (numbers
    sent as strings), SQS record attributes.

    ## Why is this bad?
    Numbers never equal strings: `{"numeric": [">", 5]}` does not match `"7"`, so the condition
    never holds (or, for `anything-but`, never excludes).

    ## Example
    ```yaml
    Resources:
      Mapping:
        Type: AWS::Lambda::EventSourceMapping
        Properties:
          FunctionName: f
          EventSourceArn: arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/1
          FilterCriteria:
            Filters:
              - Pattern: '{"dynamodb": {"NewImage": {"qty": {"N": [{"numeric": [">", 5]}]}}}}'
    ```

    ## Use instead
    ```yaml
    Resources:
      Mapping:
        Type: AWS::Lambda::EventSourceMapping
        Properties:
          FunctionName: f
          EventSourceArn: arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/1
          FilterCriteria:
            Filters:
              - Pattern: '{"dynamodb": {"NewImage": {"qty": {"N": [{"anything-but": ["0", "1", "2", "3", "4", "5"]}]}}}}'
    ```
    """
    if ctx.model is None:
        return
    for path, _, leaf in _leaves(ctx.model):
        why = _known_string_field(ctx, path)
        if why is None:
            continue
        for i, m in _leaf_matchers(leaf):
            if _number_matcher(m):
                yield ctx.at(
                    m.span,
                    f"{leaf.json_path}[{i}]",
                    f"number condition on `{path}` never holds: {why}",
                    "compare strings (exact values, prefix) instead",
                )


#: Fields known to hold numbers, per event source.
_NUMBER_FIELDS = {"dynamodb": frozenset({"dynamodb.ApproximateCreationDateTime", "dynamodb.SizeBytes"})}


@rule("W104", "string-match-on-number-field")
def string_match_on_number_field(ctx: PatternContext) -> Iterator[Finding]:
    """## What it does
    Checks for `prefix`, `suffix`, `equals-ignore-case`, `wildcard` and `cidr` on fields that
    carry numbers: fields the same pattern tests with `numeric` or number values elsewhere, and
    number fields of known event sources.

    ## Why is this bad?
    These operators match strings only; a number never starts with `"4"`.

    ## Example
    ```json
    {"$or": [{"detail": {"code": [{"numeric": [">=", 500]}]}}, {"detail": {"code": [{"prefix": "4"}]}}]}
    ```

    ## Use instead
    ```json
    {"$or": [{"detail": {"code": [{"numeric": [">=", 500]}]}}, {"detail": {"code": [{"numeric": [">=", 400, "<", 500]}]}}]}
    ```
    """
    if ctx.model is None:
        return
    numeric_paths: set[str] = set()
    string_paths: set[str] = set()
    for path, _, leaf in _leaves(ctx.model):
        for m in leaf.matchers:
            if isinstance(m, (Numeric, NumberEquals)):
                numeric_paths.add(path)
            elif isinstance(m, Equals):
                string_paths.add(path)
    known = _NUMBER_FIELDS.get(ctx.extracted.source_kind or "", frozenset())
    for path, _, leaf in _leaves(ctx.model):
        if (path not in numeric_paths or path in string_paths) and path not in known:
            continue
        for i, m in _leaf_matchers(leaf):
            if _string_matcher(m):
                op = type(m).__name__
                op = {"EqualsIgnoreCase": "equals-ignore-case"}.get(op, op.lower())
                yield ctx.at(
                    m.span,
                    f"{leaf.json_path}[{i}]",
                    f"`{op}` on `{path}` never matches a number, and `{path}` carries numbers",
                    "use `numeric` to test numbers",
                )


def _envelope_guess(key: str) -> str | None:
    normal = re.sub(r"(?<=[a-z])(?=[A-Z])", "-", key).replace("_", "-").lower()
    if normal in ENVELOPE:
        return normal
    close = difflib.get_close_matches(normal, sorted(ENVELOPE), n=1, cutoff=0.75)
    return close[0] if close else None


@rule("W105", "key-outside-envelope")
def key_outside_envelope(ctx: PatternContext) -> Iterator[Finding]:
    """## What it does
    Checks EventBridge patterns for top-level keys that are not fields of the event envelope
    (`version`, `id`, `detail-type`, `source`, `account`, `time`, `region`, `resources`,
    `detail`, `replay-name`): `detailType`, `detail_type`, `Source`, or a `detail` field such as
    `eventName` written at the top level.

    ## Why is this bad?
    Events have no such field, so the pattern never matches; AWS accepts it silently. Terraform's
    `jsonencode` keys are HCL identifiers, which makes `detail_type` an easy slip.

    ## Example
    ```json
    {"source": ["aws.ec2"], "detail_type": ["EC2 Instance State-change Notification"]}
    ```

    ## Use instead
    ```json
    {"source": ["aws.ec2"], "detail-type": ["EC2 Instance State-change Notification"]}
    ```
    """
    if ctx.model is None or not _is_eventbridge_rule(ctx):
        return
    for _, f, top in _fields(ctx.model):
        if not top or f.key == "$or":
            continue
        head = f.key.split(".")[0]
        if head in ENVELOPE:
            continue
        guess = _envelope_guess(head)
        if guess is not None:
            help = f"did you mean `{guess}`?"
        else:
            help = f"fields of the event's payload live under `detail`: {_show({'detail': {f.key: '...'}})}"
        yield ctx.at(
            f.span, "$", f"`{f.key}` is not a field of EventBridge events, so this never matches", help
        )


@rule("W106", "or-read-as-field")
def or_read_as_field(ctx: PatternContext) -> Iterator[Finding]:
    """## What it does
    Checks for a `$or` key that AWS reads as an ordinary field name: its value is not an array
    of at least two objects, or one of those objects names an operator (`prefix`, `numeric`, ...)
    as a field.

    ## Why is this bad?
    Events have no field called `$or`, so the condition never holds and the pattern never
    matches. AWS does not warn.

    ## Example
    ```json
    {"source": ["aws.s3"], "detail": {"key": {"$or": [{"prefix": "logs/"}, {"suffix": ".log"}]}}}
    ```

    ## Use instead
    ```json
    {"source": ["aws.s3"], "detail": {"key": [{"prefix": "logs/"}, {"suffix": ".log"}]}}
    ```
    """
    if ctx.model is None:
        return
    for path, f, _ in _fields(ctx.model):
        if f.key == "$or":
            yield ctx.at(
                f.span,
                "$",
                f"`$or` is read as a field name here (`{path}`), so this condition never holds",
                "`$or` needs an array of two or more pattern objects, none of them naming an operator as a field",
            )


@rule("W107", "duplicate-key")
def duplicate_key(ctx: PatternContext) -> Iterator[Finding]:
    """## What it does
    Checks for a key given twice in one object of a pattern.

    ## Why is this bad?
    AWS keeps only the last value list for a path: the first is dropped silently, so the pattern
    matches other events than the ones it reads as matching.

    ## Example
    ```json
    {"detail": {"location": ["eu-west-1"], "location": ["us-east-1"]}}
    ```

    ## Use instead
    ```json
    {"detail": {"location": ["eu-west-1", "us-east-1"]}}
    ```
    """
    if ctx.tree is None:
        return
    for node, path, _ in _paths_in(ctx.tree):
        if not isinstance(node, JObject):
            continue
        seen: dict[str, Span | None] = {}
        for m in node.members:
            if m.key in seen:
                first = seen[m.key]
                where = f" (first at offset {first.offset})" if first is not None else ""
                line_note = ""
                if first is not None:
                    line, column, _, _ = ctx.extracted.positions.span(first.offset)
                    line_note = f" (first at {line}:{column})"
                yield ctx.at(
                    m.key_span,
                    key_path(path, m.key),
                    f"`{m.key}` is given twice in one object{line_note or where}; AWS keeps only the last",
                    "merge the values into one list",
                )
            seen[m.key] = m.key_span


@rule("W108", "duplicate-value")
def duplicate_value(ctx: PatternContext) -> Iterator[Finding]:
    """## What it does
    Checks for the same value or operator twice in one value list.

    ## Why is this bad?
    It changes nothing, so it usually hides a typo: the second entry was meant to be another
    value. In SNS policies every value also counts toward the 150-combination limit.

    ## Example
    ```json
    {"detail": {"state": ["stopped", "stopped"]}}
    ```

    ## Use instead
    ```json
    {"detail": {"state": ["stopped", "terminated"]}}
    ```
    """
    if ctx.model is None:
        return
    for path, _, leaf in _leaves(ctx.model):
        seen: list[Matcher] = []
        for i, m in _leaf_matchers(leaf):
            if m in seen:
                yield ctx.at(
                    m.span,
                    f"{leaf.json_path}[{i}]",
                    f"{_show(m.to_json())} is already in the list of `{path}`",
                    "remove it, or write the value that was meant",
                )
            else:
                seen.append(m)


@rule("W109", "wildcard-is-prefix-or-suffix")
def wildcard_is_prefix_or_suffix(ctx: PatternContext) -> Iterator[Finding]:
    """## What it does
    Checks for a `wildcard` whose only `*` is at the end or at the start: a plain `prefix` or
    `suffix`.

    ## Why is this bad?
    Wildcards cost more to match, count toward the rule-complexity limit, and are not accepted
    by EventBridge Pipes or SNS; `prefix` and `suffix` say the same thing everywhere.

    ## Example
    ```json
    {"detail": {"bucket": [{"wildcard": "logs-*"}]}}
    ```

    ## Use instead
    ```json
    {"detail": {"bucket": [{"prefix": "logs-"}]}}
    ```
    """
    if ctx.model is None:
        return
    for _, _, leaf in _leaves(ctx.model):
        for i, m in _leaf_matchers(leaf):
            if not isinstance(m, Wildcard) or "\\" in m.value or m.value.count("*") != 1 or m.value == "*":
                continue
            if m.value.endswith("*"):
                better = {"prefix": m.value[:-1]}
            elif m.value.startswith("*"):
                better = {"suffix": m.value[1:]}
            else:
                continue
            yield ctx.at(
                m.span,
                f"{leaf.json_path}[{i}]",
                f"wildcard `{m.value}` is a plain {next(iter(better))}",
                f"use {_show(better)}",
            )


@rule("W110", "catch-all-string-match")
def catch_all_string_match(ctx: PatternContext) -> Iterator[Finding]:
    """## What it does
    Checks for `{"prefix": ""}`, `{"suffix": ""}` and `{"wildcard": "*"}`, which match every
    string.

    ## Why is this bad?
    They read as a filter but filter nothing (among strings): usually a template value that came
    out empty, or a catch-all that sends every event to the target (cost, loops).

    ## Example
    ```json
    {"source": ["aws.s3"], "detail": {"object": {"key": [{"prefix": ""}]}}}
    ```

    ## Use instead
    ```json
    {"source": ["aws.s3"], "detail": {"object": {"key": [{"prefix": "uploads/"}]}}}
    ```
    """
    if ctx.model is None:
        return
    for path, _, leaf in _leaves(ctx.model):
        for i, m in _leaf_matchers(leaf):
            if (isinstance(m, (Prefix, Suffix)) and m.value == "") or (
                isinstance(m, Wildcard) and m.value == "*"
            ):
                yield ctx.at(
                    m.span,
                    f"{leaf.json_path}[{i}]",
                    f"{_show(m.to_json())} matches every string value of `{path}`",
                    'write the intended prefix, or `{"exists": true}` if any value will do',
                )


def _near(value: int, limit: int) -> bool:
    return value > limit * 0.8


@rule("W111", "near-limit")
def near_limit(ctx: PatternContext) -> Iterator[Finding]:
    """## What it does
    Checks for patterns within 20% of a limit AWS enforces: `$or` combinations (1,000 on
    EventBridge), SNS combinations (150), wildcard complexity.

    ## Why is this bad?
    The next small edit (one more value, one more `$or` branch) makes the deploy fail, in a
    change that looks harmless in review.

    ## Example
    ```json sns-attributes
    {"a": ["1", "2", "3", "4", "5"], "b": ["1", "2", "3", "4", "5"], "c": ["1", "2", "3", "4", "5"]}
    ```

    ## Use instead
    ```json sns-attributes
    {"a": ["1", "2", "3", "4", "5"], "b": ["1", "2", "3", "4", "5"], "c": [{"prefix": "x"}]}
    ```
    """
    if ctx.model is None:
        return
    d = ctx.dialect
    if d.max_or_combinations is not None:
        n = count_branches(ctx.model)
        if _near(n, d.max_or_combinations):
            yield Finding(f"`$or` expands to {n} combinations; AWS refuses more than {d.max_or_combinations}")
    if d.max_combinations is not None and (ctx.model.fields or ctx.model.ors):
        from patterns.sns import combinations

        n = combinations(ctx.model)
        if _near(n, d.max_combinations):
            yield Finding(f"the policy counts {n} combinations; SNS refuses more than {d.max_combinations}")
    cap = d.wildcard_max_complexity
    if cap is not None:
        from patterns.wildcards import complexity

        for path, _, leaf in _leaves(ctx.model):
            operands = [m.value for m in leaf.matchers if isinstance(m, Wildcard)]
            if operands:
                n = complexity(operands)
                if _near(n, cap):
                    yield ctx.at(
                        leaf.span,
                        leaf.json_path,
                        f"wildcards on `{path}` are close to AWS's complexity limit ({n} of {cap})",
                        "use fewer `*`, or prefix/suffix where they suffice",
                    )


@rule("W112", "pattern-over-default-quota")
def pattern_over_default_quota(ctx: PatternContext) -> Iterator[Finding]:
    """## What it does
    Checks for EventBridge rule patterns longer than 2,048 characters, the default (adjustable)
    quota on a rule's pattern size.

    ## Why is this bad?
    The deploy fails in every account that has not raised the quota, and older Terraform AWS
    providers (before 5.25) refuse such patterns outright.

    ## Example
    A rule listing several hundred account ids.

    ## Use instead
    Fewer values (a `prefix`, or several rules), or a quota increase recorded with the template.
    """
    if not _is_eventbridge_rule(ctx):
        return
    size = _pattern_size(ctx)
    if size is not None and DEFAULT_PATTERN_QUOTA < size <= MAX_PATTERN_LENGTH:
        yield Finding(
            f"the pattern is {size} characters long, over EventBridge's default quota of {DEFAULT_PATTERN_QUOTA}"
        )


def _decimals(text: str) -> int:
    try:
        exponent = Decimal(text).normalize().as_tuple().exponent
    except InvalidOperation:
        return 0
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def _num_text(value: float) -> str:
    return str(int(value)) if value.is_integer() and abs(value) < 2**53 else repr(value)


@rule("W113", "number-beyond-precision")
def number_beyond_precision(ctx: PatternContext) -> Iterator[Finding]:
    """## What it does
    Checks for numbers outside the range or precision the service documents: EventBridge
    -5.0e9 to 5.0e9 with six decimals, SNS -1.0e9 to 1.0e9 with five decimals (number values in
    SNS value lists, which SNS accepts beyond the range).

    ## Why is this bad?
    Beyond them, comparisons are rounded or unsupported, so two different numbers can compare
    equal, or a boundary case matches on one side of the documented range only.

    ## Example
    ```json
    {"detail": {"price": [{"numeric": [">", 0.0000001]}]}}
    ```

    ## Use instead
    ```json
    {"detail": {"price": [{"numeric": [">", 0]}]}}
    ```
    """
    if ctx.model is None:
        return
    sns = ctx.extracted.dialect.startswith("sns")
    bound, places = (1.0e9, 5) if sns else (5.0e9, 6)
    bound_text = "1e9" if sns else "5e9"
    for path, _, leaf in _leaves(ctx.model):
        for i, m in _leaf_matchers(leaf):
            if isinstance(m, NumberEquals):
                numbers = [m.text or _num_text(m.value)]
            elif isinstance(m, Numeric):
                numbers = [_num_text(v) for v in (m.lower, m.upper) if v is not None]
            elif isinstance(m, AnythingBut) and m.kind == "values":
                numbers = [_num_text(v) for v in m.values if isinstance(v, float)]
            else:
                continue
            for text in numbers:
                try:
                    value = float(text)
                except ValueError:
                    continue
                if abs(value) > bound or _decimals(text) > places:
                    yield ctx.at(
                        m.span,
                        f"{leaf.json_path}[{i}]",
                        f"{text} on `{path}` is beyond what {'SNS' if sns else 'EventBridge'} documents "
                        f"(-{bound_text} to {bound_text}, {places} decimals)",
                        "comparisons there may round; keep numbers within the documented range",
                    )
                    break


#: Keys that belong to message bodies (EventBridge events, CloudWatch alarms, S3 notices).
_BODY_KEYS = frozenset(
    {
        "detail",
        "detail-type",
        "source",
        "Records",
        "Message",
        "NewStateValue",
        "AlarmName",
        "eventName",
        "eventSource",
        "Trigger",
    }
)


@rule("W114", "sns-scope-mismatch")
def sns_scope_mismatch(ctx: PatternContext) -> Iterator[Finding]:
    """## What it does
    Checks SNS filter policies whose keys look like fields of a message body (`detail`,
    `source`, `Records`, `NewStateValue`, ...) while the subscription filters message attributes
    (no `FilterPolicyScope`, or `MessageAttributes`).

    ## Why is this bad?
    The default scope compares message attributes; messages published by AWS services (and most
    applications) carry their data in the body, so the policy never matches.

    ## Example
    ```yaml
    Resources:
      Sub:
        Type: AWS::SNS::Subscription
        Properties:
          TopicArn: arn:aws:sns:us-east-1:123456789012:alarms
          Protocol: sqs
          Endpoint: arn:aws:sqs:us-east-1:123456789012:q
          FilterPolicy: {"NewStateValue": ["ALARM"]}
    ```

    ## Use instead
    ```yaml
    Resources:
      Sub:
        Type: AWS::SNS::Subscription
        Properties:
          TopicArn: arn:aws:sns:us-east-1:123456789012:alarms
          Protocol: sqs
          Endpoint: arn:aws:sqs:us-east-1:123456789012:q
          FilterPolicyScope: MessageBody
          FilterPolicy: {"NewStateValue": ["ALARM"]}
    ```
    """
    if ctx.model is None or ctx.extracted.dialect != "sns-attributes":
        return
    for _, f, top in _fields(ctx.model):
        if top and f.key in _BODY_KEYS:
            yield ctx.at(
                f.span,
                "$",
                f"`{f.key}` is a message-body field, but this policy filters message attributes",
                "set FilterPolicyScope to MessageBody to filter the body",
            )
            return


#: Top-level fields of the record each event source hands to Lambda and Pipes filters.
RECORD_FIELDS = {
    "sqs": frozenset(
        {"body", "attributes", "messageAttributes", "messageId", "receiptHandle", "md5OfBody",
         "md5OfMessageAttributes", "eventSource", "eventSourceARN", "awsRegion"}
    ),
    "kinesis": frozenset(
        {"data", "partitionKey", "sequenceNumber", "approximateArrivalTimestamp", "kinesisSchemaVersion",
         "encryptionType", "eventSource", "eventSourceARN", "eventID", "eventName", "eventVersion",
         "invokeIdentityArn", "awsRegion"}
    ),
    "dynamodb": frozenset(
        {"dynamodb", "eventID", "eventName", "eventVersion", "eventSource", "awsRegion", "eventSourceARN",
         "userIdentity"}
    ),
    "kafka": frozenset({"value", "key", "topic", "partition", "offset", "timestamp", "timestampType", "headers"}),
    "mq": frozenset(
        {"data", "messageID", "messageType", "deliveryMode", "correlationId", "replyTo", "destination",
         "redelivered", "type", "expiration", "priority", "timestamp", "brokerInTime", "brokerOutTime",
         "properties", "basicProperties"}  # ActiveMQ fields, and RabbitMQ's basicProperties
    ),
}  # fmt: skip
_DATA_KEY = {"sqs": "body", "kinesis": "data", "dynamodb": "dynamodb", "kafka": "value", "mq": "data"}
_SOURCE_NAMES = {
    "sqs": "SQS",
    "kinesis": "Kinesis",
    "dynamodb": "DynamoDB stream",
    "kafka": "Kafka",
    "mq": "Amazon MQ",
}


@rule("W115", "filter-outside-data-key")
def filter_outside_data_key(ctx: PatternContext) -> Iterator[Finding]:
    """## What it does
    Checks Lambda event-source-mapping and Pipes filters for top-level keys that are not fields
    of the source's records: message content written at the top level instead of under the
    source's data key (`body` for SQS, `data` for Kinesis and MQ, `dynamodb` for DynamoDB
    streams, `value` for Kafka).

    ## Why is this bad?
    The filter never matches, and records that do not match are dropped: SQS messages are
    deleted, stream iterators move past them. Data is lost without an error.

    ## Example
    ```yaml
    Resources:
      Mapping:
        Type: AWS::Lambda::EventSourceMapping
        Properties:
          FunctionName: f
          EventSourceArn: arn:aws:sqs:us-east-1:123456789012:orders
          FilterCriteria:
            Filters:
              - Pattern: '{"orderType": ["premium"]}'
    ```

    ## Use instead
    ```yaml
    Resources:
      Mapping:
        Type: AWS::Lambda::EventSourceMapping
        Properties:
          FunctionName: f
          EventSourceArn: arn:aws:sqs:us-east-1:123456789012:orders
          FilterCriteria:
            Filters:
              - Pattern: '{"body": {"orderType": ["premium"]}}'
    ```
    """
    ex = ctx.extracted
    if ctx.model is None or ex.kind not in ("esm", "pipe") or ex.source_kind not in RECORD_FIELDS:
        return
    allowed = RECORD_FIELDS[ex.source_kind]
    data_key = _DATA_KEY[ex.source_kind]
    for _, f, top in _fields(ctx.model):
        if top and f.key.split(".")[0] not in allowed:
            yield ctx.at(
                f.span,
                "$",
                f"`{f.key}` is not a field of {_SOURCE_NAMES[ex.source_kind]} records, so this filter never matches",
                f"the record's content is under `{data_key}`: {_show({data_key: {f.key: '...'}})}",
            )


#: Fields the Pipes poller adds to records; Pipes filters cannot match them.
POLLER_FIELDS = frozenset(
    {"awsRegion", "eventSource", "eventSourceARN", "eventVersion", "eventID", "eventName", "invokeIdentityArn",
     "eventSourceKey"}
)  # fmt: skip


#: Of those, the ones a source's own records already carry (DynamoDB stream records have them).
NATIVE_FIELDS = {"dynamodb": frozenset({"awsRegion", "eventSource", "eventVersion", "eventID", "eventName"})}


@rule("W116", "pipes-poller-field")
def pipes_poller_field(ctx: PatternContext) -> Iterator[Finding]:
    """## What it does
    Checks EventBridge Pipes filters on fields the Pipes poller adds to each record
    (`awsRegion`, `eventSource`, `eventSourceARN`, `eventVersion`, `eventID`, `eventName`,
    `invokeIdentityArn`, `eventSourceKey`), except those the source's own records carry
    (DynamoDB stream records have `eventName`, `eventID`, `eventSource`, ...).

    ## Why is this bad?
    Pipes filter the record before those fields are added, so the condition never holds and
    every record is dropped.

    ## Example
    ```yaml
    Resources:
      Pipe:
        Type: AWS::Pipes::Pipe
        Properties:
          RoleArn: arn:aws:iam::123456789012:role/p
          Source: arn:aws:sqs:us-east-1:123456789012:orders
          Target: arn:aws:sqs:us-east-1:123456789012:q
          SourceParameters:
            FilterCriteria:
              Filters:
                - Pattern: '{"eventSourceARN": ["arn:aws:sqs:us-east-1:123456789012:orders"]}'
    ```

    ## Use instead
    ```yaml
    Resources:
      Pipe:
        Type: AWS::Pipes::Pipe
        Properties:
          RoleArn: arn:aws:iam::123456789012:role/p
          Source: arn:aws:sqs:us-east-1:123456789012:orders
          Target: arn:aws:sqs:us-east-1:123456789012:q
          SourceParameters:
            FilterCriteria:
              Filters:
                - Pattern: '{"body": {"kind": ["order"]}}'
    ```
    """
    kind = ctx.extracted.source_kind
    if ctx.model is None or ctx.extracted.kind != "pipe" or kind is None:
        return
    added = POLLER_FIELDS - NATIVE_FIELDS.get(kind, frozenset())
    for _, f, top in _fields(ctx.model):
        if top and f.key in added:
            yield ctx.at(
                f.span,
                "$",
                f"`{f.key}` is added by the Pipes poller after filtering; a Pipes filter never sees it",
                "filter on the record's own fields",
            )


def _branch_fields(obj: Obj, prefix: str = "") -> list[list[tuple[str, Field, Obj]]]:
    """Per branch of the pattern: (dotted path, field with a value list, parent object), in order."""
    branches: list[list[tuple[str, Field, Obj]]] = [[]]
    for f in obj.fields:
        path = f"{prefix}.{f.key}" if prefix else f.key
        if isinstance(f.value, Leaf):
            for b in branches:
                b.append((path, f, obj))
        else:
            subs = _branch_fields(f.value, path)
            branches = [b + s for b in branches for s in subs]
    for group in obj.ors:
        alternatives = [s for branch in group.branches for s in _branch_fields(branch, prefix)]
        branches = [b + a for b in branches for a in alternatives]
    return branches


def _needs_value(leaf: Leaf) -> bool:
    return not any(isinstance(m, Exists) and not m.value for m in leaf.matchers)


@rule("W117", "unmatchable-pattern")
def unmatchable_pattern(ctx: PatternContext) -> Iterator[Finding]:
    """## What it does
    Checks for a pattern (or a `$or` branch) that no event can match because it asks one field
    to be a value and an object at once: a condition on `a` and another on `a.b`.

    ## Why is this bad?
    A field holding a value has no fields inside it, and one holding an object has no value, so
    the conditions contradict each other and the rule never fires. (Only an event with a key
    containing a dot, such as `"a.b"`, could satisfy both.)

    ## Example
    ```json
    {"detail": {"user": ["alice"], "user.role": ["admin"]}}
    ```

    ## Use instead
    ```json
    {"detail": {"user": {"name": ["alice"], "role": ["admin"]}}}
    ```
    """
    if ctx.model is None or len(ctx.pattern.branches if ctx.pattern else ()) > 256:
        return
    reported: set[int] = set()
    for branch in _branch_fields(ctx.model):
        paths = {p: f for p, f, _ in branch}
        for path, f, _ in branch:
            if not _needs_value(f.value):  # type: ignore[arg-type]
                continue
            for other, g, _ in branch:
                if other.startswith(path + ".") and _needs_value(g.value) and id(f) not in reported:  # type: ignore[arg-type]
                    reported.add(id(f))
                    assert paths
                    yield ctx.at(
                        f.span,
                        f.value.json_path,  # type: ignore[union-attr]
                        f"no event matches: `{path}` must hold a value while `{other}` needs it to be an object",
                        f"nest the conditions: put the value of `{path}` in a field of its own",
                    )


@rule("W118", "field-condition-replaced")
def field_condition_replaced(ctx: PatternContext) -> Iterator[Finding]:
    """## What it does
    Checks for one field given two different conditions in one branch of a pattern, through a
    dotted key beside its nesting (`"a.b"` and `"a": {"b": ...}`) or a `$or` branch repeating a
    field of its parent.

    ## Why is this bad?
    AWS keeps one condition per field: the one met last replaces the other, so the pattern does
    not require both, as it reads.

    ## Example
    ```json
    {"detail": {"state": ["running"]}, "$or": [{"detail": {"state": ["stopped"]}}, {"source": ["aws.ec2"]}]}
    ```

    ## Use instead
    ```json
    {"$or": [{"detail": {"state": ["stopped"]}}, {"source": ["aws.ec2"], "detail": {"state": ["running"]}}]}
    ```
    """
    if ctx.model is None or len(ctx.pattern.branches if ctx.pattern else ()) > 256:
        return
    reported: set[int] = set()
    for branch in _branch_fields(ctx.model):
        seen: dict[str, tuple[Field, Obj]] = {}
        for path, f, parent in branch:
            if path in seen:
                first, first_parent = seen[path]
                same_object_key = first_parent is parent and first.key == f.key  # W107's case
                if not same_object_key and first.value != f.value and id(first) not in reported:
                    reported.add(id(first))
                    where = ""
                    if f.span is not None:
                        line, column, _, _ = ctx.extracted.positions.span(f.span.offset)
                        where = f" at {line}:{column}"
                    yield ctx.at(
                        first.span,
                        first.value.json_path,  # type: ignore[union-attr]
                        f"this condition on `{path}` is replaced by the one{where}; AWS keeps only the last",
                        "give each field one condition per branch",
                    )
            seen[path] = (f, parent)


# --- across the patterns of one bus or topic -------------------------------------------------


def canonical(pattern: patterns.Pattern) -> frozenset:
    """A pattern's meaning up to order: its branches as sets of (path, set of matchers)."""
    return frozenset(
        frozenset((c.path, frozenset(c.leaf.matchers)) for c in branch) for branch in pattern.branches
    )


def _describe(ex: Extracted) -> str:
    line, column = ex.positions.host.position(ex.anchor)
    return f"{ex.where or 'the pattern'} ({line}:{column})"


@rule("W119", "duplicate-pattern", scope="group")
def duplicate_pattern(contexts: list[PatternContext]) -> Iterator[Finding]:
    """## What it does
    Checks one file for two identical patterns on the same event bus or SNS topic.

    ## Why is this bad?
    Usually a copied rule whose pattern was meant to change; otherwise every event is delivered
    twice (two rules, two invocations, two bills).

    ## Example
    ```yaml
    Resources:
      A:
        Type: AWS::Events::Rule
        Properties:
          EventPattern: {"source": ["aws.ec2"]}
      B:
        Type: AWS::Events::Rule
        Properties:
          EventPattern: {"source": ["aws.ec2"]}
    ```

    ## Use instead
    ```yaml
    Resources:
      A:
        Type: AWS::Events::Rule
        Properties:
          EventPattern: {"source": ["aws.ec2"]}
      B:
        Type: AWS::Events::Rule
        Properties:
          EventPattern: {"source": ["aws.s3"]}
    ```
    """
    seen: dict[Any, PatternContext] = {}
    for ctx in contexts:
        assert ctx.pattern is not None
        key = canonical(ctx.pattern)
        if key in seen:
            yield Finding(
                f"the same pattern as {_describe(seen[key].extracted)}, on the same "
                f"{'topic' if ctx.extracted.kind == 'sns' else 'bus'}",
                help="merge the two, or change the one that was meant to differ",
                extracted=ctx.extracted,
            )
        else:
            seen[key] = ctx


def _implies(b: Matcher, a: Matcher) -> bool:
    """Whether every value `b` accepts, `a` accepts too (a safe under-approximation)."""
    if b == a:
        return True
    if isinstance(a, Exists):
        return a.value and not isinstance(b, Exists)
    if isinstance(b, Equals):
        v = b.value
        if isinstance(a, Prefix):
            return v.casefold().startswith(a.value.casefold()) if a.ignore_case else v.startswith(a.value)
        if isinstance(a, Suffix):
            return v.casefold().endswith(a.value.casefold()) if a.ignore_case else v.endswith(a.value)
        if isinstance(a, EqualsIgnoreCase):
            return v.casefold() == a.value.casefold()
        if isinstance(a, (Wildcard, AnythingBut)):
            from patterns.oracle import value_matches

            return value_matches(a, v)
        return False
    if isinstance(b, NumberEquals):
        if isinstance(a, (Numeric, AnythingBut)):
            from patterns.oracle import value_matches

            return value_matches(a, b.value)
        return False
    if isinstance(b, Prefix) and isinstance(a, Prefix) and not b.ignore_case and not a.ignore_case:
        return b.value.startswith(a.value)
    if isinstance(b, Suffix) and isinstance(a, Suffix) and not b.ignore_case and not a.ignore_case:
        return b.value.endswith(a.value)
    if isinstance(b, Numeric) and isinstance(a, Numeric):
        return _inside(b, a)
    return False


def _inside(b: Numeric, a: Numeric) -> bool:
    if a.lower is not None and (
        b.lower is None
        or b.lower < a.lower
        or (b.lower == a.lower and b.lower_inclusive and not a.lower_inclusive)
    ):
        return False
    return not (
        a.upper is not None
        and (
            b.upper is None
            or b.upper > a.upper
            or (b.upper == a.upper and b.upper_inclusive and not a.upper_inclusive)
        )
    )


def _leaf_implies(b: Leaf, a: Leaf) -> bool:
    for mb in b.matchers:
        if isinstance(mb, Exists) and not mb.value:
            if not any(isinstance(ma, Exists) and not ma.value for ma in a.matchers):
                return False
        elif not any(_implies(mb, ma) for ma in a.matchers):
            return False
    return True


def covers(a: patterns.Pattern, b: patterns.Pattern) -> bool:
    """Whether every event `b` matches, `a` matches too (decided conservatively: True is sure).

    Each branch of `b` must be implied by some branch of `a`: every condition of the `a` branch
    has a condition on the same path in the `b` branch that accepts no value it refuses. The
    leaves that satisfy `b`'s branch then satisfy `a`'s, array consistency included, since `a`'s
    conditions are a subset.
    """
    if len(a.branches) * len(b.branches) > 10_000:
        return False
    for bb in b.branches:
        by_path = {c.path: c.leaf for c in bb}
        if not any(
            all(c.path in by_path and _leaf_implies(by_path[c.path], c.leaf) for c in ab) for ab in a.branches
        ):
            return False
    return True


@rule("W120", "covered-pattern", scope="group")
def covered_pattern(contexts: list[PatternContext]) -> Iterator[Finding]:
    """## What it does
    Checks one file for a pattern that another pattern on the same bus or topic always covers:
    every event the first matches, the second matches too.

    ## Why is this bad?
    Each such event triggers both rules. That is sometimes meant (two targets), but often one
    rule was meant to be narrower, or the broader one was meant to exclude what the narrower one
    handles (`anything-but`).

    ## Example
    ```yaml
    Resources:
      All:
        Type: AWS::Events::Rule
        Properties:
          EventPattern: {"source": ["aws.ec2"]}
      Stopped:
        Type: AWS::Events::Rule
        Properties:
          EventPattern: {"source": ["aws.ec2"], "detail": {"state": ["stopped"]}}
    ```

    ## Use instead
    ```yaml
    Resources:
      All:
        Type: AWS::Events::Rule
        Properties:
          EventPattern: {"source": ["aws.ec2"], "detail": {"state": [{"anything-but": "stopped"}]}}
      Stopped:
        Type: AWS::Events::Rule
        Properties:
          EventPattern: {"source": ["aws.ec2"], "detail": {"state": ["stopped"]}}
    ```
    """
    for b in contexts:
        for a in contexts:
            if (
                a is b
                or a.pattern is None
                or b.pattern is None
                or canonical(a.pattern) == canonical(b.pattern)
            ):
                continue
            if covers(a.pattern, b.pattern):
                yield Finding(
                    f"every event this pattern matches is also matched by {_describe(a.extracted)}",
                    help="narrow one of them if an event should reach only one target",
                    extracted=b.extracted,
                )
                break
