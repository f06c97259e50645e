"""YAML templates: CloudFormation, SAM and serverless.yml, read from ruamel's composed nodes.

Composed nodes (not constructed data) keep marks (character offsets), tags (``!Ref``, ``!Sub``)
and duplicate keys. CloudFormation and SAM templates (a ``Resources`` map) go to `CfnWalker`,
serverless.yml (a ``functions`` map) to `_ServerlessWalker`; both read nodes through `YamlAdapter`.
"""

from __future__ import annotations

import json
import re
from typing import Any

from .cloudformation import CfnWalker
from .embedded import align
from .text import Extracted, HostText, SourceError, SourceNote
from .writer import Writer

__all__ = ["YamlAdapter", "compose_yaml", "extract_yaml"]


def compose_yaml(host: HostText) -> Any:
    """The file's composed YAML root node (marks, tags and duplicate keys kept).

    Raises:
        SourceError: the text is not YAML.
    """
    # imported on first use: a run that reads no YAML file does not pay ruamel's import
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    yaml = YAML(typ="safe", pure=True)  # the round-trip scanner marks folds with "\\a" in values
    try:
        return yaml.compose(host.text)
    except YAMLError as exc:
        raise SourceError(f"{host.name}: not YAML: {' '.join(str(exc).split())}") from None
    except Exception as exc:  # noqa: BLE001 - ruamel raises a few non-YAMLError types on odd input
        raise SourceError(f"{host.name}: not YAML: {type(exc).__name__}: {exc}") from None


def extract_yaml(
    host: HostText, explicit: bool, notes: list[SourceNote] | None = None, root: Any = None
) -> list[Extracted]:
    """Every pattern in a YAML template (CloudFormation, SAM or serverless.yml).

    Args:
        host: the file.
        explicit: the user named the file (unused: a YAML error is raised either way, and the
            caller makes it an error for a named file, a note for one met in a walk).
        notes: receives a note for each pattern key under a resource type not read.
        root: the file's root node when `compose_yaml` already read it.

    Returns:
        The patterns found; none for YAML that is no template.

    Raises:
        SourceError: the text is not YAML.
    """
    if root is None:
        root = compose_yaml(host)
    if root is None or type(root).__name__ != "MappingNode":
        return []
    keys = {k.value for k, _ in root.value if type(k).__name__ == "ScalarNode"}
    if "Resources" in keys:
        walker = CfnWalker(host, YamlAdapter(host))
    elif "functions" in keys or "resources" in keys:
        walker = _ServerlessWalker(host, YamlAdapter(host, variables=True))
    else:
        return []
    found = walker.walk(root)
    if notes is not None:
        notes.extend(walker.notes)
    return found


class _ServerlessWalker(CfnWalker):
    """serverless.yml: ``functions.*.events[]`` (eventBridge, cloudwatchEvent, sns, sqs, stream),
    and the CloudFormation under ``resources``: ``Resources`` and ``extensions`` (overrides of the
    properties of resources the framework generates, by logical id), in one map or a list of maps.
    """

    def walk(self, root: Any) -> list[Extracted]:
        for fname, function in self.a.items(self.get(root, "functions")) or []:
            for i, event in enumerate(self.a.seq(self.get(function, "events")) or []):
                for etype, spec in self.a.items(event) or []:
                    self.event(etype, spec, f"functions.{fname}.events[{i}].{etype}", (f"functions.{fname}",))
        resources = self.get(root, "resources")
        parts = self.a.seq(resources) if resources is not None else None
        for part in parts if parts is not None else [resources]:
            self.resources(part)
        return self.found

    def resources(self, part: Any) -> None:
        """One map of ``resources``: its CloudFormation ``Resources`` and ``extensions``."""
        if part is None:
            return
        if self.get(part, "Resources") is not None:
            yaml_cfn = CfnWalker(self.host, YamlAdapter(self.host))
            self.found.extend(yaml_cfn.walk(part))
            self.notes.extend(yaml_cfn.notes)
        for logical, extension in self.a.items(self.get(part, "extensions")) or []:
            props = self.get(extension, "Properties")
            base = f"resources.extensions.{logical}.Properties"
            # the extended resource's type is the framework's: each key names what it holds
            self.pattern(
                self.get(props, "EventPattern"), f"{base}.EventPattern", dialect="eventbridge", kind="rule",
                group=self.group("bus", self.get(props, "EventBusName")),
            )  # fmt: skip
            if self.get(props, "FilterPolicy") is not None:
                self.sns(props, base, "FilterPolicy", "FilterPolicyScope", self.get(props, "TopicArn"))
            kind = self.kind_of(self.get(props, "EventSourceArn"))
            self.filters(self.get(props, "FilterCriteria"), f"{base}.FilterCriteria", "lambda", "esm", kind)

    def event(self, etype: str, spec: Any, where: str, function: tuple[str, ...]) -> None:
        if etype == "eventBridge":
            self.pattern(
                self.get(spec, "pattern"),
                f"{where}.pattern",
                dialect="eventbridge",
                kind="rule",
                group=self.group("bus", self.get(spec, "eventBus")),
                targets=function,
            )
        elif etype == "cloudwatchEvent":
            self.pattern(
                self.get(spec, "event"),
                f"{where}.event",
                dialect="eventbridge",
                kind="rule",
                group="bus:default",
                targets=function,
            )
        elif etype == "sns":
            topic = self.get(spec, "arn") or self.get(spec, "topicName") or spec
            self.sns(spec, where, "filterPolicy", "filterPolicyScope", topic, function)
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
                    dialect="lambda",
                    kind="esm",
                    source_kind=kind,
                    group=None,
                    filter_position=(i, len(filters)),
                )


class YamlAdapter:
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
        """The node's class name: ruamel's node classes are not imported at module level."""
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

    def write(self, node: Any, w: Writer, interpolations: bool = False) -> None:
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
                if self._kind(k) == "ScalarNode" and self.intrinsic(k) is None:
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
