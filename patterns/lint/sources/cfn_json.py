"""CloudFormation and SAM templates written as JSON (cdk.out included), read with positions.

orjson decodes the whole template fast; only the resources that can hold patterns are parsed
again with `patterns.parse`, whose nodes carry their character offsets, and `CfnWalker` reads
them through `JsonAdapter`.
"""

from __future__ import annotations

import json
import re
from typing import Any

from patterns.parse import JArray, JMember, JObject, JsonSyntaxError, JString, Span, parse_json

from .cloudformation import CfnWalker
from .embedded import align
from .text import Extracted, HostText, SourceError, SourceNote
from .writer import Writer

__all__ = ["JsonAdapter", "extract_cfn_json", "is_cfn_template"]

#: Resource types that hold patterns (directly, or in SAM events).
_PATTERN_TYPES = (
    "AWS::Events::Rule",
    "AWS::Events::Archive",
    "AWS::SNS::Subscription",
    "AWS::Lambda::EventSourceMapping",
    "AWS::Pipes::Pipe",
    "AWS::Serverless::Function",
    "AWS::Serverless::StateMachine",
    "AWS::EventsV2::Subscriber",
)


_PATTERN_KEYS = frozenset({"EventPattern", "FilterPolicy", "FilterCriteria", "Pattern"})


def _names_pattern_key(value: Any) -> bool:
    """Some map inside `value` has a key that names a pattern (``EventPattern``, ...)."""
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, dict):
            if not _PATTERN_KEYS.isdisjoint(v):
                return True
            stack.extend(v.values())
        elif isinstance(v, list):
            stack.extend(v)
    return False


def _read_resource(resource: Any) -> bool:
    """The resource is parsed with positions: its type holds patterns, or another type names a
    pattern key in its properties (the walker notes it as not read)."""
    if not isinstance(resource, dict):
        return False
    return resource.get("Type") in _PATTERN_TYPES or _names_pattern_key(resource.get("Properties"))


def _cfn_has_patterns(template: dict) -> bool:
    """Some resource of the template is of a type that can hold a pattern, or names one."""
    return any(_read_resource(r) for r in template["Resources"].values())


def is_cfn_template(value: Any) -> bool:
    """A decoded JSON document is a CloudFormation template: it has a ``Resources`` map."""
    return isinstance(value, dict) and isinstance(value.get("Resources"), dict)


def extract_cfn_json(
    host: HostText, template: dict, notes: list[SourceNote] | None = None
) -> list[Extracted]:
    """Every pattern in a CloudFormation JSON template.

    Args:
        host: the file.
        template: the file as orjson decoded it (`is_cfn_template` holds).
        notes: receives a note for each pattern key under a resource type not read.

    Returns:
        The patterns found.

    Raises:
        SourceError: the template cannot be sliced into positioned resources.
    """
    if not _cfn_has_patterns(template):
        return []
    try:
        root = _template_tree(host, template)
    except (JsonSyntaxError, ValueError) as exc:  # orjson read it, so this should not happen
        raise SourceError(f"{host.name}: {exc}") from None
    walker = CfnWalker(host, JsonAdapter(host))
    found = walker.walk(root)
    if notes is not None:
        notes.extend(walker.notes)
    return found


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
    text = host.text
    root_start = _BLANK.match(text).end()
    resources_span = next((s, e) for k, s, e in _members(text, root_start) if k == "Resources")
    kept = []
    for logical, start, end in _members(text, resources_span[0]):
        resource = template["Resources"].get(logical)
        rtype = resource.get("Type") if isinstance(resource, dict) else None
        if _read_resource(resource):
            node = parse_json(text[start:end])
            _shift(node, start)
            kept.append(JMember(logical, node))
        elif isinstance(rtype, str):
            kept.append(JMember(logical, JObject((JMember("Type", JString(rtype)),))))
    return JObject((JMember("Resources", JObject(tuple(kept))),))


def _shift(root: Any, base: int) -> None:
    """Move every span of a parsed slice by `base` characters (offsets only are read)."""
    stack = [root]
    while stack:
        node = stack.pop()
        span = node.span
        if span is not None:
            node.span = Span(0, 0, 0, 0, span.offset + base, span.end_offset + base)
        for member in getattr(node, "members", ()):
            k = member.key_span
            member.key_span = Span(0, 0, 0, 0, k.offset + base, k.end_offset + base)
            stack.append(member.value)
        stack.extend(getattr(node, "items", ()))


class JsonAdapter:
    """CloudFormation JSON: `patterns.parse` nodes, which carry their offsets."""

    variables = False  # a JSON template's strings are plain text: only Fn::Sub templates them

    def __init__(self, host: HostText) -> None:
        self.host = host

    def items(self, node: Any) -> list[tuple[str, Any]] | None:
        if isinstance(node, JObject):
            return [(m.key, m.value) for m in node.members]
        return None

    def seq(self, node: Any) -> list[Any] | None:
        return list(node.items) if isinstance(node, JArray) else None

    def string(self, node: Any) -> str | None:
        return node.value if isinstance(node, JString) else None

    def start(self, node: Any) -> int:
        return node.span.offset

    def intrinsic(self, node: Any) -> str | None:
        """``{"Ref": ..}`` / ``{"Fn::X": ..}`` -> its text; None for other nodes."""
        if isinstance(node, JObject) and len(node.members) == 1:
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
        if isinstance(node, JObject) and len(node.members) == 1 and node.members[0].key == "Fn::Sub":
            value = node.members[0].value
            if isinstance(value, JArray) and value.items:
                value = value.items[0]
            if isinstance(value, JString):
                return value
        return None

    def embedded(self, node: Any, templated: bool) -> tuple[str, list[int]]:
        """A JSON string node's value and each character's host offset."""
        raw_start = node.span.offset + 1
        raw = self.host.text[raw_start : node.span.end_offset - 1]
        return node.value, align(node.value, raw, raw_start, escapes=True)

    def write(self, node: Any, w: Writer, interpolations: bool = False) -> None:
        what = self.intrinsic(node)
        if what is not None:
            w.unknown(" ".join(what.split()), node.span.offset, node.span.end_offset)
        elif isinstance(node, JObject):
            w.punct("{", node.span.offset)
            for i, m in enumerate(node.members):
                if i:
                    w.punct(",", m.key_span.offset)
                w.string(m.key, m.key_span.offset, m.key_span.end_offset)
                w.punct(":", m.key_span.end_offset)
                self.write(m.value, w, interpolations)
            w.punct("}", node.span.end_offset - 1)
            w.ends[w.length] = node.span.end_offset
        elif isinstance(node, JArray):
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
