"""CDK apps' sources (TypeScript and Python): the patterns their constructs are given, read at their lines.

Where a CDK app keeps patterns, and what CDK synthesizes from them (aws-cdk-lib v2):

    construct or call (TypeScript / Python)              read as
    ---------------------------------------------------  ----------------------------------------
    events.Rule, events.Archive, any construct:          EventBridge pattern; a top-level
      ``eventPattern`` / ``event_pattern``               ``detailType`` / ``detail_type`` is
    rule.addEventPattern({...}) / add_event_pattern(..)  ``detail-type`` (CDK's renderEventPattern)
    events.EventPattern(source=..., detail_type=...)
    events.CfnRule ``eventPattern``                      the pattern as written (no renaming)
    subscriptions ``filterPolicy`` / ``filter_policy``:  SNS policy on message attributes
      { attr: sns.SubscriptionFilter.stringFilter(..)}
    ``filterPolicyWithMessageBody``:                     SNS policy on the message body
      { attr: sns.FilterOrPolicy.filter(..) | .policy({..}) }
    sns.CfnSubscription ``filterPolicy``                 as written; its ``filterPolicyScope``
    ``filters: [lambda.FilterCriteria.filter({...})]``   Lambda filters (the event source from
      (SqsEventSource, DynamoEventSource, ...)           the construct: SqsEventSource -> sqs)
    ``filters: [{pattern: JSON.stringify({...})}]``      Lambda filters (CfnEventSourceMapping),
      (``FilterProperty(pattern=json.dumps({...}))``)    or Pipes filters under a CfnPipe, or
                                                         a CfnSubscriber's (eventsv2) filters,
                                                         each in its ``scope``'s dialect

The helpers are evaluated as CDK does (``Match.prefix("a")`` is ``[{"prefix": "a"}]``,
``FilterRule.isEqual(5)`` is ``[{"numeric": ["=", 5]}]``, ``SubscriptionFilter.numericFilter(
{between: {start: 1, stop: 5}})`` is ``[{"numeric": [">=", 1, "<=", 5]}]``), and numbers are
written as JavaScript's ``JSON.stringify`` writes them. What cannot be known from the file (a
parameter, ``props.source``, a call of the app's own, a template string with ``${...}``, a spread)
is an `Unknown` of its likely type, so that only the findings depending on it are dropped.
"""

from __future__ import annotations

import re
from typing import Any

from patterns.subscribers import SCOPE_DIALECTS

from .embedded import align, embedded_pattern
from .event_sources import source_kind_from_text
from .literals import Entry, Source, Value, normalize, parse_source
from .text import Extracted, HostText, SourceNote, Unknown, note
from .writer import Writer, written_pattern

__all__ = ["CDK_SUFFIXES", "extract_cdk", "language_of"]

#: File names read as CDK sources, with the grammar each is parsed with.
CDK_SUFFIXES = {
    ".ts": "typescript",
    ".mts": "typescript",
    ".cts": "typescript",
    ".tsx": "tsx",
    ".py": "python",
}

#: Properties (normalized: lower case, no ``_``) whose value is a pattern, or a list of filters.
_PROPERTIES = frozenset({"eventpattern", "filterpolicy", "filterpolicywithmessagebody", "filters"})

#: A subscriber filter's scope -> its pattern's dialect (a scope not known is read as DATA).
_SCOPE_DIALECTS = {scope: d.name for scope, d in SCOPE_DIALECTS.items()}

#: The CDK's Lambda event sources -> the event source their filters read.
_EVENT_SOURCES = {
    "sqseventsource": "sqs",
    "kinesiseventsource": "kinesis",
    "dynamoeventsource": "dynamodb",
    "managedkafkaeventsource": "kafka",
    "selfmanagedkafkaeventsource": "kafka",
}

#: Attributes of CDK constructs that are ARNs of an event source (``queue.queueArn``).
_ARN_ATTRIBUTES = (("tablestreamarn", "dynamodb"), ("queuearn", "sqs"), ("streamarn", "kinesis"))

#: A source that names a pattern property, for the note of a file where none could be read.
_MENTION = re.compile(
    r"\b(?:add_|add)?(eventPattern|event_pattern|filterPolicy\w*|filter_policy\w*|FilterCriteria|"
    r"filter_criteria|filterCriteria|FilterPolicy|EventPattern)\b"
)


def language_of(name: str) -> str | None:
    """The grammar a file is read with (``typescript``, ``tsx``, ``python``); None if not a CDK source."""
    lower = name.lower()
    if lower.endswith(".d.ts"):
        return None
    for suffix, language in CDK_SUFFIXES.items():
        if lower.endswith(suffix):
            return language
    return None


def extract_cdk(host: HostText, language: str, notes: list[SourceNote] | None = None) -> list[Extracted]:
    """Every pattern a CDK app's source file gives its constructs (see the module's table).

    Args:
        host: the file.
        language: ``typescript``, ``tsx`` or ``python``.
        notes: receives a note when the file names a pattern property and no pattern could be read
            (SDK calls, patterns built at run time).

    Returns:
        The patterns found.

    Raises:
        ImportError: tree-sitter is not installed (the caller checks `literals.available`).
    """
    reader = _CdkReader(host, parse_source(host.text, language))
    reader.read()
    if not reader.found and notes is not None:
        mention = _MENTION.search(host.text)
        if mention:
            line, column = host.position(mention.start())
            notes.append(
                note(
                    host.name,
                    "N101",
                    f"`{mention.group(0)}` is named here, but no pattern was read: only literal values "
                    "given to CDK constructs are (not SDK calls, nor values built at run time)",
                    line,
                    column,
                )
            )
    return reader.found


def _array(at: Value, items: list[Value]) -> Value:
    return Value("array", at.start, at.end, items=items)


def _object(at: Value, *entries: tuple[str, Value]) -> Value:
    return Value("object", at.start, at.end, entries=[Entry(k, at.start, at.end, v) for k, v in entries])


def _const(at: Value, kind: str, text: str) -> Value:
    return Value(kind, at.start, at.end, text)


def _items(v: Value | None) -> list[Value]:
    """A list option's items (an unknown list is one unknown item)."""
    if v is None:
        return []
    return list(v.items) if v.kind == "array" else [v]


#: The `Value.text` of an object made of a Python call's keyword arguments.
_KEYWORDS = "keyword arguments"


def _as_object(v: Value | None) -> Value | None:
    """An object, or a Python call made only of keyword arguments (``BetweenCondition(start=1)``)."""
    if v is None:
        return None
    if v.kind == "object":
        return v
    if v.kind == "call" and not v.items and v.entries:
        return Value("object", v.start, v.end, _KEYWORDS, entries=v.entries)
    return None


def _options(call: Value) -> Value:
    """A helper's options: its first argument's object, or its keyword arguments (Python)."""
    first = _as_object(call.items[0]) if call.items else None
    return first if first is not None else Value("object", call.start, call.end, entries=call.entries)


#: Match helpers that wrap their one argument in an operator.
_MATCH_OPERATORS = {
    "equalsignorecase": "equals-ignore-case",
    "prefix": "prefix",
    "suffix": "suffix",
    "wildcard": "wildcard",
    "cidr": "cidr",
    "ipaddressrange": "cidr",
}
_MATCH_ANYTHING_BUT = {
    "anythingbutprefix": "prefix",
    "anythingbutsuffix": "suffix",
    "anythingbutwildcard": "wildcard",
    "anythingbutequalsignorecase": "equals-ignore-case",
}
_NUMERIC_OPERATORS = {
    "greaterthan": ">",
    "greaterthanorequal": ">=",
    "lessthan": "<",
    "lessthanorequal": "<=",
    "equal": "=",
}
_SNS_NUMERIC = {"greaterthan": ">", "greaterthanorequalto": ">=", "lessthan": "<", "lessthanorequalto": "<="}


def _numeric(at: Value, *operands: Value | str) -> Value:
    """``{"numeric": [...]}``; string operands are operators written at `at`."""
    items = [_const(at, "string", o) if isinstance(o, str) else o for o in operands]
    return _object(at, ("numeric", _array(at, items)))


def _match(call: Value) -> Value | None:
    """``events.Match.*`` as CDK renders it (aws-cdk-lib/aws-events/lib/event-pattern.ts)."""
    n, args = call.name, call.items
    one = args[0] if args else _const(call, "unknown", call.text)
    if n == "nullvalue":
        return _array(call, [_const(call, "literal", "null")])
    if n in ("exists", "doesnotexist"):
        return _array(call, [_object(call, ("exists", _const(call, "literal", str(n == "exists").lower())))])
    if n == "exactstring":
        return _array(call, [one])
    if n in _MATCH_OPERATORS:
        return _array(call, [_object(call, (_MATCH_OPERATORS[n], one))])
    if n == "anythingbut":
        return _array(call, [_object(call, ("anything-but", _array(call, list(args))))])
    if n in _MATCH_ANYTHING_BUT:
        inner = _object(call, (_MATCH_ANYTHING_BUT[n], _array(call, list(args))))
        return _array(call, [_object(call, ("anything-but", inner))])
    if n in _NUMERIC_OPERATORS:
        return _array(call, [_numeric(call, _NUMERIC_OPERATORS[n], one)])
    if n == "interval" and len(args) == 2:
        return _array(call, [_numeric(call, ">=", args[0], "<=", args[1])])
    if n == "anyof":
        out: list[Value] = []
        for m in args:
            m = _evaluate(m)
            out.extend(m.items if m.kind == "array" else [m])
        return _array(call, out)
    if n == "allof":  # CDK merges numeric matchers only
        operands: list[Value] = []
        for m in args:
            m = _evaluate(m)
            numeric = m.items[0].get("numeric") if m.kind == "array" and len(m.items) == 1 else None
            if numeric is None or numeric.kind != "array":
                return None
            operands.extend(numeric.items)
        return _array(call, [_object(call, ("numeric", _array(call, operands)))])
    return None


def _filter_rule(call: Value) -> Value | None:
    """``lambda.FilterRule.*`` as CDK renders it (aws-cdk-lib/aws-lambda/lib/event-source-filter.ts)."""
    n, args = call.name, call.items
    one = args[0] if args else _const(call, "unknown", call.text)
    if n == "null":
        return _array(call, [_const(call, "literal", "null")])
    if n == "empty":
        return _array(call, [_const(call, "string", "")])
    if n == "isequal":
        return _array(call, [_numeric(call, "=", one) if one.kind == "number" else one])
    if n == "or":
        return _array(call, list(args))
    if n == "notequals":
        return _array(call, [_object(call, ("anything-but", _array(call, [one])))])
    if n == "between" and len(args) == 2:
        return _array(call, [_numeric(call, ">", args[0], "<=", args[1])])
    if n in ("exists", "notexists"):
        return _array(call, [_object(call, ("exists", _const(call, "literal", str(n == "exists").lower())))])
    if n == "beginswith":
        return _array(call, [_object(call, ("prefix", one))])
    return None


def _subscription_filter(call: Value) -> Value | None:
    """``sns.SubscriptionFilter.*`` as CDK renders it (aws-cdk-lib/aws-sns/lib/subscription-filter.ts)."""
    n = call.name
    if n in ("existsfilter", "notexistsfilter"):
        exists = _const(call, "literal", str(n == "existsfilter").lower())
        return _array(call, [_object(call, ("exists", exists))])
    if n == "subscriptionfilter":  # new SubscriptionFilter([...conditions])
        return call.items[0] if call.items else _array(call, [])
    opts = _options(call)
    out: list[Value] = []
    if n == "stringfilter":
        out += _items(opts.get("allowlist") or opts.get("whitelist"))
        deny = opts.get("denylist") or opts.get("blacklist")
        if deny is not None:
            out.append(_object(deny, ("anything-but", deny)))
        for option, operator in (("matchprefixes", "prefix"), ("matchsuffixes", "suffix")):
            out += [_object(v, (operator, v)) for v in _items(opts.get(option))]
        return _array(call, out)
    if n == "numericfilter":
        out += [_numeric(v, "=", v) for v in _items(opts.get("allowlist") or opts.get("whitelist"))]
        for option, operator in _SNS_NUMERIC.items():
            v = opts.get(option)
            if v is not None:
                out.append(_numeric(v, operator, v))
        for option, low, high in (("between", ">=", "<="), ("betweenstrict", ">", "<")):
            v = opts.get(option)
            bounds = _as_object(v)
            if v is None:
                continue
            if bounds is None:
                out.append(v)  # unknown bounds
                continue
            start = bounds.get("start") or _const(v, "unknown", "start")
            stop = bounds.get("stop") or _const(v, "unknown", "stop")
            out.append(_numeric(v, low, start, high, stop))
        return _array(call, out)
    return None


def _helper(v: Value) -> Value | None:
    """A CDK helper call (or a Python struct call) evaluated as CDK synthesizes it; None if not one."""
    if v.kind != "call":
        return None
    owner, n = v.owner, v.name
    if owner == "match":
        return _match(v)
    if owner == "filterrule":
        return _filter_rule(v)
    if owner == "subscriptionfilter" or n == "subscriptionfilter":
        return _subscription_filter(v)
    if owner == "filterorpolicy" and n in ("filter", "policy") and v.items:
        return v.items[0]
    if owner == "filtercriteria" and n == "filter" and v.items:
        return v.items[0]
    if (owner, n) in (("json", "stringify"), ("json", "dumps")) and v.items:
        return v.items[0]
    return _as_object(v)  # events.EventPattern(source=...), CfnX.FooProperty(...)


def _evaluate(v: Value) -> Value:
    """A value with its helper calls evaluated (``FilterOrPolicy.filter(SubscriptionFilter...)``)."""
    for _ in range(8):  # helpers nest a few levels at most
        evaluated = _helper(v)
        if evaluated is None or evaluated is v:
            break
        v = evaluated
    return v


class _CdkReader:
    """One file's walk: each property holding a pattern, evaluated and written out as JSON."""

    def __init__(self, host: HostText, src: Source) -> None:
        self.host = host
        self.src = src
        self.found: list[Extracted] = []
        self.seen: set[tuple[int, str]] = set()  # (pattern start, kind): a shared variable is read once

    def read(self) -> None:
        python = self.src.python
        for node in self.src.walk():
            t = node.type
            if t in ("pair", "keyword_argument"):
                key = node.child_by_field_name("key" if t == "pair" else "name")
                value = node.child_by_field_name("value")
                if key is None or value is None:
                    continue
                name = self.src.key_name(key) if t == "pair" else key.text.decode("utf-8")
                if name is not None and normalize(name) in _PROPERTIES:
                    self.property(normalize(name), node, value)
            elif t in ("call_expression", "call"):
                function = node.child_by_field_name("function")
                callee = normalize(self.src.callee(function)) if function is not None else ""
                if callee.endswith("filtercriteria.filter"):
                    # a filter given to a construct of the app's own (`eventSourceFilters: [...]`);
                    # one under `filters` was read there already, with its place in the list
                    call = self.src.value(node)
                    if call.items:
                        self.filter_list(
                            [call.items[0]], self.where(node, "FilterCriteria.filter"), node, None
                        )
                    continue
                if not callee.endswith("addeventpattern"):
                    continue
                call = self.src.value(node)
                arg = call.items[0] if call.items else (_as_object(call) if python else None)
                if arg is not None:
                    line = self.host.position(call.start)[0]
                    where = f"{call.text} (line {line})"
                    self.eventbridge(arg, where, raw=False, kind="rule", group=None)

    # --- context -------------------------------------------------------------------------------

    def calls(self, node: Any) -> list[Value]:
        """The calls around a node, innermost first, as `Value` calls (callee and arguments)."""
        out = []
        parent = node.parent
        while parent is not None:
            if parent.type in ("call_expression", "new_expression", "call"):
                out.append(self.src.value(parent))
            parent = parent.parent
        return out

    def siblings(self, node: Any) -> Value:
        """The object (or a Python call's keyword arguments) a property belongs to."""
        container = node.parent
        if container is not None and container.type == "argument_list":
            entries = []
            for arg in container.named_children:
                if arg.type == "keyword_argument":
                    name, value = arg.child_by_field_name("name"), arg.child_by_field_name("value")
                    if name is not None and value is not None:
                        entries.append(
                            Entry(
                                name.text.decode("utf-8"),
                                self.src.start(name),
                                self.src.end(name),
                                self.src.value(value),
                            )
                        )
            return Value("object", self.src.start(container), self.src.end(container), entries=entries)
        if container is not None and container.type in ("object", "dictionary"):
            return self.src.value(container)
        return Value("object", 0, 0)

    def where(self, node: Any, prop: str) -> str:
        """Where a pattern lives: the construct (and its id) and the property, with its line."""
        calls = [c for c in self.calls(node) if _helper(c) is None or c.name == "addeventpattern"]
        line = self.host.position(self.src.start(node))[0]
        if not calls:
            return f"{prop} (line {line})"
        construct = calls[0]
        ident = next((a.text for a in construct.items if a.kind == "string"), None)
        label = f"{construct.text}({ident!r})" if ident is not None else construct.text
        return f"{label}.{prop} (line {line})"

    def describe(self, v: Value | None) -> str | None:
        """A short text for a value used as a group key (bus, topic)."""
        if v is None:
            return None
        return (
            v.text if v.kind in ("string", "unknown") else " ".join(self.host.text[v.start : v.end].split())
        )

    # --- the properties ------------------------------------------------------------------------

    def property(self, name: str, node: Any, value_node: Any) -> None:
        calls = self.calls(node)
        names = [c.name for c in calls]
        siblings = self.siblings(node)
        value = self.src.value(value_node)
        where = self.where(
            node, self.host.text[self.src.start(node) : self.src.start(value_node)].rstrip(" :=\t\n")
        )
        if name == "eventpattern":
            archive = any(n == "archive" for n in names)
            bus = siblings.get("eventbus") or siblings.get("eventbusname")
            self.eventbridge(
                value, where, raw=bool(names) and names[0] == "cfnrule",
                kind="archive" if archive else "rule",
                group=None if archive else f"bus:{self.describe(bus) or 'default'}",
                targets=None if archive else self.targets(siblings.get("targets")),
            )  # fmt: skip
        elif name in ("filterpolicy", "filterpolicywithmessagebody"):
            raw = bool(names) and names[0] == "cfnsubscription"
            scope_node = siblings.get("filterpolicyscope") if raw else None
            scope = scope_node.text if scope_node is not None and scope_node.kind == "string" else None
            body = name == "filterpolicywithmessagebody" or scope == "MessageBody"
            topic = siblings.get("topic") or siblings.get("topicarn")
            if topic is None:
                topic = next(
                    (
                        Value("unknown", c.start, c.end, c.text.rsplit(".", 1)[0])
                        for c in calls
                        if c.name == "addsubscription"
                    ),
                    None,
                )
            self.pattern(
                value, where, dialect="sns-body" if body else "sns-attributes", kind="sns",
                group=f"topic:{self.describe(topic)}" if topic is not None else None,
                scope=scope if scope_node is not None else None,
                scope_anchor=scope_node.start if scope_node is not None else None,
            )  # fmt: skip
        elif name == "filters":
            self.filters(value, where, node)

    def targets(self, node: Value | None) -> tuple[str, ...] | None:
        """A rule's ``targets: [...]`` as written, sorted (W119, W120); None when there is no
        literal list (targets given another way, or added later with ``addTarget``)."""
        if node is None or node.kind != "array" or not node.items:
            return None
        return tuple(sorted(self.describe(item) or "" for item in node.items))

    def eventbridge(
        self, value: Value, where: str, *, raw: bool, kind: str, group: str | None,
        targets: tuple[str, ...] | None = None,
    ) -> None:  # fmt: skip
        """An EventBridge pattern; an L2 pattern's ``detailType`` is ``detail-type`` (CDK renames it).

        Python's ``detail_type=`` keyword is ``detailType`` once jsii passes it on; a
        ``"detail_type"`` key written in a dict or a TypeScript object is kept as written.
        """
        value = _evaluate(value)
        if not raw and value.kind == "object":
            names = ("detailType", "detail_type") if value.text == _KEYWORDS else ("detailType",)
            renamed = [
                Entry("detail-type", e.key_start, e.key_end, e.value) if e.key in names else e
                for e in value.entries
            ]
            value = Value("object", value.start, value.end, entries=renamed)
        self.pattern(value, where, dialect="eventbridge", kind=kind, group=group, targets=targets)

    def filters(self, value: Value, where: str, node: Any) -> None:
        """``filters: [...]`` of a Lambda event source or a ``FilterCriteria`` (Lambda or Pipes)."""
        if value.kind != "array":
            return
        if any(c.name == "cfnsubscriber" for c in self.calls(node)):
            self.subscriber_filters(value, where)
            return
        patterns = [self.filter_pattern(item) for item in value.items]
        if not any(p is not None for p in patterns):
            return  # not filters of a Lambda or Pipes source
        self.filter_list(patterns, where, node, len(patterns))

    def filter_list(self, patterns: list[Value | None], where: str, node: Any, count: int | None) -> None:
        """Lambda or Pipes filter patterns; `count`: how many filters their list holds (None: unknown)."""
        calls = self.calls(node)
        pipe = any("pipe" in c.name for c in calls)
        source_kind = next((_EVENT_SOURCES[c.name] for c in calls if c.name in _EVENT_SOURCES), None)
        if source_kind is None:
            source_kind = self.source_kind(node, pipe)
        for i, p in enumerate(patterns):
            if p is not None:
                self.pattern(
                    p, f"{where}[{i}]" if count is not None else where,
                    dialect="pipes" if pipe else "lambda", kind="pipe" if pipe else "esm",
                    source_kind=source_kind, group=None,
                    filter_position=(i, count) if count is not None else None,
                )  # fmt: skip

    def subscriber_filters(self, value: Value, where: str) -> None:
        """A Custom Event Bus ``CfnSubscriber``'s ``filterConfiguration.filters``: each pattern in
        its scope's dialect, the filters of one subscriber one group."""
        for i, item in enumerate(value.items):
            holder = _as_object(item)
            pattern = holder.get("pattern") if holder is not None else None
            if holder is None or pattern is None:
                continue
            scope_node = holder.get("scope")
            scope = scope_node.text if scope_node is not None and scope_node.kind == "string" else None
            self.pattern(
                pattern, f"{where}[{i}]", dialect=_SCOPE_DIALECTS.get(scope or "", "bus-data"),
                kind="subscriber", group=f"subscriber:{where}",
                scope=scope if scope is not None else ("?" if scope_node is not None else None),
                scope_anchor=scope_node.start if scope_node is not None else None,
                filter_position=(i, len(value.items)),
            )  # fmt: skip

    def filter_pattern(self, item: Value) -> Value | None:
        """The pattern of one filter: ``FilterCriteria.filter({...})`` or ``{pattern: ...}``."""
        if item.kind == "call" and item.owner == "filtercriteria" and item.name == "filter":
            return item.items[0] if item.items else None
        holder = _as_object(item)
        return holder.get("pattern") if holder is not None else None

    def source_kind(self, node: Any, pipe: bool) -> str | None:
        """The event source an enclosing ``eventSourceArn`` (or a pipe's ``source``) names."""
        parent = node.parent
        while parent is not None:
            if parent.type in ("object", "dictionary", "argument_list"):
                for key in ("eventsourcearn", "source") if pipe else ("eventsourcearn",):
                    found = self.siblings_of(parent).get(key)
                    if found is not None:
                        text = self.host.text[found.start : found.end]
                        kind = source_kind_from_text(text)
                        if kind is None:
                            lowered = normalize(text)
                            kind = next((k for attr, k in _ARN_ATTRIBUTES if attr in lowered), None)
                        return kind
            parent = parent.parent
        return None

    def siblings_of(self, container: Any) -> Value:
        """The entries of an object, or a Python call's keyword arguments."""
        first = container.named_children[0] if container.named_children else None
        return self.siblings(first) if first is not None else Value("object", 0, 0)

    # --- writing -------------------------------------------------------------------------------

    def pattern(self, value: Value, where: str, **context: Any) -> None:
        """Record one pattern: JSON text in a string, or a value written out as JSON."""
        value = _evaluate(value)
        key = (value.start, str(context.get("kind")))
        if key in self.seen or value.kind in ("unknown", "call"):
            return  # read already, or the whole pattern is unknown: nothing to check
        self.seen.add(key)
        if value.kind == "string" and value.raw is not None:
            raw = self.host.text[value.raw[0] : value.raw[1]]
            starts = align(value.text, raw, value.raw[0], escapes=True)
            self.found.append(
                embedded_pattern(
                    value.text, starts, self.host, self.host.name, where, value.start,
                    interpolations=False, **context,
                )
            )  # fmt: skip
            return
        w = Writer()
        self.write(value, w, in_object=False)
        self.found.append(written_pattern(w, self.host, self.host.name, where, value.start, **context))

    def write(self, v: Value, w: Writer, in_object: bool) -> None:
        """Write a value as JSON; an unknown is a list when it is a field's value, else a string."""
        v = _evaluate(v)
        if v.kind == "object":
            w.punct("{", v.start)
            first = True
            for e in v.entries:
                if e.key is None:  # a spread or a computed key: fields of this object are unknown
                    w.unknowns.append(Unknown(w.length, w.length, e.value.text))
                    continue
                if not first:
                    w.punct(",", e.key_start)
                first = False
                w.string(e.key, e.key_start, e.key_end)
                w.punct(":", e.key_end)
                self.write(e.value, w, in_object=True)
            w.punct("}", max(v.end - 1, v.start))
            w.ends[w.length] = v.end
        elif v.kind == "array":
            w.punct("[", v.start)
            for i, item in enumerate(v.items):
                if i:
                    w.punct(",", item.start)
                self.write(item, w, in_object=False)
            w.punct("]", max(v.end - 1, v.start))
            w.ends[w.length] = v.end
        elif v.kind == "string":
            w.string(v.text, v.start, v.end)
        elif v.kind in ("number", "literal"):
            w.scalar(v.text, v.start, v.end)
        else:  # unknown, or a call pattern-lint cannot evaluate
            w.unknown(" ".join(v.text.split()), v.start, v.end, "list" if in_object else "string")
