"""Pulumi YAML programs (``Pulumi.yaml``, ``Main.yaml``) and their JSON form, read at the right lines.

A program's ``resources`` map names each resource's ``type`` and ``properties``:

    type                              where the pattern is
    --------------------------------  -----------------------------------------------------------
    aws:cloudwatch:EventRule          properties.eventPattern
    aws:sns:TopicSubscription         properties.filterPolicy (scope: properties.filterPolicyScope)
    aws:lambda:EventSourceMapping     properties.filterCriteria.filters[].pattern
    aws:pipes:Pipe                    properties.sourceParameters.filterCriteria.filters[].pattern

A rule's targets (for W120) are the ``arn`` of each ``aws:cloudwatch:EventTarget`` whose ``rule``
names it (``${rule.name}``, or its literal ``name``).

A pattern is JSON text (a string, a block scalar) or a structured value under ``fn::toJSON``.
Pulumi's other functions (``fn::invoke``, ``fn::join``, ...) and interpolations (``${topic.arn}``)
cannot be known: they become unknowns, as CloudFormation's ``!Ref`` does.
"""

from __future__ import annotations

from typing import Any

from patterns.parse import JString, parse_json

from .cfn_json import JsonAdapter
from .cfn_yaml import YamlAdapter
from .cloudformation import CfnWalker
from .text import Extracted, HostText, SourceError, SourceNote

__all__ = ["extract_pulumi_json", "extract_pulumi_yaml", "is_pulumi_json", "is_pulumi_yaml"]

#: Pulumi resource types whose patterns the walker reads.
PULUMI_TYPES = (
    "aws:cloudwatch:EventRule",
    "aws:sns:TopicSubscription",
    "aws:lambda:EventSourceMapping",
    "aws:pipes:Pipe",
)


def is_pulumi_yaml(root: Any) -> bool:
    """A composed YAML root is a Pulumi program: some ``resources`` entry has a ``type``."""
    adapter = YamlAdapter(HostText("", ""))
    resources = [v for k, v in adapter.items(root) or [] if k == "resources"]
    return any(
        any(k == "type" for k, _ in adapter.items(r) or [])
        for node in resources
        for _, r in adapter.items(node) or []
    )


def is_pulumi_json(value: Any) -> bool:
    """A decoded JSON document is a Pulumi program: some ``resources`` entry has a ``type``."""
    resources = value.get("resources") if isinstance(value, dict) else None
    return isinstance(resources, dict) and any(
        isinstance(r, dict) and "type" in r for r in resources.values()
    )


def extract_pulumi_yaml(host: HostText, root: Any, notes: list[SourceNote] | None = None) -> list[Extracted]:
    """Every pattern in a Pulumi YAML program (`root`: its composed root node)."""
    return _PulumiWalker(host, _PulumiYamlAdapter(host, variables=True)).walk(root)


def extract_pulumi_json(host: HostText, notes: list[SourceNote] | None = None) -> list[Extracted]:
    """Every pattern in a Pulumi program written as JSON.

    Raises:
        SourceError: the text is not JSON (the caller decoded it once, so this should not happen).
    """
    try:
        root = parse_json(host.text)
    except ValueError as exc:
        raise SourceError(f"{host.name}: {exc}") from None
    return _PulumiWalker(host, _PulumiJsonAdapter(host)).walk(root)


def _pulumi_function(adapter: Any, node: Any) -> bool:
    """A one-key map whose key is a Pulumi function (``fn::invoke``, ``fn::toJSON``, ...)."""
    items = adapter.items(node)
    return items is not None and len(items) == 1 and items[0][0].startswith("fn::")


class _PulumiYamlAdapter(YamlAdapter):
    """YAML nodes where ``fn::...`` maps and ``${...}`` strings are template values."""

    def intrinsic(self, node: Any) -> str | None:
        if _pulumi_function(self, node):
            return self.describe(node)
        return super().intrinsic(node)


class _PulumiJsonAdapter(JsonAdapter):
    """JSON nodes where ``fn::...`` objects and ``${...}`` strings are template values."""

    variables = True

    def intrinsic(self, node: Any) -> str | None:
        if _pulumi_function(self, node) or (isinstance(node, JString) and "${" in node.value):
            return self.host.text[node.span.offset : node.span.end_offset]
        return super().intrinsic(node)

    def sub_template(self, node: Any) -> Any | None:
        return None


class _PulumiWalker(CfnWalker):
    """Where Pulumi programs keep patterns (see the module's table)."""

    def walk(self, root: Any) -> list[Extracted]:
        resources = self.a.items(self.get(root, "resources")) or []
        # aws:cloudwatch:EventTarget resources: the rule they name (`${rule.name}`) -> their arns
        rule_targets: dict[str, set[str]] = {}
        for _, resource in resources:
            if self.a.string(self.get(resource, "type")) == "aws:cloudwatch:EventTarget":
                props = self.get(resource, "properties")
                rule, arn = self.get(props, "rule"), self.get(props, "arn")
                if rule is not None and arn is not None:
                    said = (self.a.string(rule) or self.a.describe(rule)).strip()
                    rule_targets.setdefault(said, set()).add(self.a.string(arn) or self.a.describe(arn))
        for logical, resource in resources:
            rtype = self.a.string(self.get(resource, "type"))
            props = self.get(resource, "properties")
            base = f"resources.{logical}.properties"
            if rtype == "aws:cloudwatch:EventRule":
                bus = self.get(props, "eventBusName")
                name = self.a.string(self.get(props, "name")) if self.get(props, "name") is not None else None
                targets = set().union(
                    *(rule_targets.get(f"${{{logical}.{attr}}}", set()) for attr in ("name", "id", "arn")),
                    rule_targets.get(name or "", set()) if name else set(),
                )
                self.pattern(
                    self.get(props, "eventPattern"), f"{base}.eventPattern", dialect="eventbridge", kind="rule",
                    group=self.group("bus", bus), targets=tuple(sorted(targets)) or None,
                )  # fmt: skip
            elif rtype == "aws:sns:TopicSubscription":
                self.sns(
                    props, base, "filterPolicy", "filterPolicyScope", self.get(props, "topic"),
                    self.endpoint(props, "protocol", "endpoint"),
                )  # fmt: skip
            elif rtype == "aws:lambda:EventSourceMapping":
                kind = self.kind_of(self.get(props, "eventSourceArn"))
                self.pulumi_filters(
                    self.get(props, "filterCriteria"), f"{base}.filterCriteria", "lambda", "esm", kind
                )
            elif rtype == "aws:pipes:Pipe":
                kind = self.kind_of(self.get(props, "source"))
                criteria = self.get(self.get(props, "sourceParameters"), "filterCriteria")
                self.pulumi_filters(
                    criteria, f"{base}.sourceParameters.filterCriteria", "pipes", "pipe", kind
                )
        return self.found

    def pulumi_filters(
        self, criteria: Any, where: str, dialect: str, kind: str, source_kind: str | None
    ) -> None:
        """``filterCriteria.filters[].pattern`` (Pulumi's names for FilterCriteria.Filters[].Pattern)."""
        filters = self.a.seq(self.get(criteria, "filters")) or []
        for i, f in enumerate(filters):
            self.pattern(
                self.get(f, "pattern"), f"{where}.filters[{i}].pattern", dialect=dialect, kind=kind,
                source_kind=source_kind, group=None, filter_position=(i, len(filters)),
            )  # fmt: skip

    def pattern(self, node: Any, where: str, **context: Any) -> None:
        """``fn::toJSON: {...}`` is the structured value it holds; anything else as CloudFormation's."""
        items = self.a.items(node) if node is not None else None
        if items is not None and len(items) == 1 and items[0][0] == "fn::toJSON":
            node = items[0][1]
        super().pattern(node, where, **context)
