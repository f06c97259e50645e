"""Where CloudFormation and SAM templates keep patterns, read through an adapter over YAML or JSON.

One walker holds the knowledge of where patterns live (``AWS::Events::Rule.EventPattern``,
``AWS::SNS::Subscription.FilterPolicy``, ``FilterCriteria.Filters[].Pattern``, SAM ``Events``,
``AWS::EventsV2::Subscriber.FilterConfiguration.Filters[].Pattern``) and where a rule's targets
keep their ``InputTransformer`` (``Targets[].InputTransformer``, a SAM event's ``InputTransformer``);
the readers of YAML (ruamel nodes) and JSON (`patterns.parse` nodes) each hand it an `Adapter`
that answers for their nodes: is this a map, a list, a string; what are its items; where does
it start; is it a template value (``!Ref``, ``{"Fn::GetAtt": ...}``); how does it write itself
as JSON.
"""

from __future__ import annotations

from typing import Any, Protocol

from patterns.subscribers import SCOPE_DIALECTS

from .embedded import embedded_pattern
from .event_sources import source_kind_from_text
from .text import Extracted, HostText, InputPaths, PositionMap, SourceNote, note
from .writer import Writer, written_pattern

__all__ = ["Adapter", "CfnWalker"]


class Adapter(Protocol):
    """A host's nodes as the walker reads them (`JsonAdapter`, `YamlAdapter`)."""

    #: Strings hold ``${...}`` variables (serverless.yml), so embedded patterns are templated.
    variables: bool

    def items(self, node: Any) -> list[tuple[str, Any]] | None:
        """A map's (key, value) pairs in order, duplicates kept; None for other nodes."""

    def seq(self, node: Any) -> list[Any] | None:
        """A list's items; None for other nodes."""

    def string(self, node: Any) -> str | None:
        """A plain string's value; None for other nodes (template values included)."""

    def start(self, node: Any) -> int:
        """The host offset where the node starts."""

    def intrinsic(self, node: Any) -> str | None:
        """The text of a template value (``!Ref X``, ``{"Fn::GetAtt": ...}``); None otherwise."""

    def describe(self, node: Any) -> str:
        """A short text for the node, used as a group key (bus, topic) or a source's name."""

    def sub_template(self, node: Any) -> Any | None:
        """The template string node of a ``Fn::Sub`` / ``!Sub``; None otherwise."""

    def embedded(self, node: Any, templated: bool) -> tuple[str, list[int]]:
        """A string node's value and the host offset of each of its characters."""

    def write(self, node: Any, w: Writer, interpolations: bool = False) -> None:
        """Write the node out as JSON text."""


#: SAM event types with a FilterCriteria -> the event source they read.
_SAM_FILTER_TYPES = {
    "SQS": "sqs",
    "Kinesis": "kinesis",
    "DynamoDB": "dynamodb",
    "MSK": "kafka",
    "SelfManagedKafka": "kafka",
    "MQ": "mq",
}


#: A subscriber filter's Scope -> the dialect of its pattern, as `patterns.SubscriberFilter` reads
#: it; a scope not known (a template value, a typo) is read as DATA, the scope that refuses least.
_SCOPE_DIALECTS = {scope: d.name for scope, d in SCOPE_DIALECTS.items()}

#: Keys that hold a pattern in the resource types the walker knows: met under another type, a note.
_PATTERN_KEY_NAMES = frozenset({"EventPattern", "FilterPolicy", "FilterCriteria", "Pattern"})


class CfnWalker:
    """Where CloudFormation and SAM templates keep patterns (serverless.yml's walker builds on it)."""

    def __init__(self, host: HostText, adapter: Adapter) -> None:
        self.host = host
        self.a = adapter
        self.found: list[Extracted] = []
        self.resource_types: dict[str, str] = {}
        self.notes: list[SourceNote] = []
        #: the `Condition` of the resource being read: resources under different conditions may
        #: never be deployed together, so their patterns are grouped apart (W119, W120)
        self.condition: str | None = None

    def get(self, node: Any, key: str) -> Any | None:
        """The value of `key` in a map node (the last when repeated); None when absent."""
        items = self.a.items(node) if node is not None else None
        if not items:
            return None
        value = None
        for k, v in items:
            if k == key:
                value = v  # the last one wins, as in the parsers CloudFormation uses
        return value

    def walk(self, root: Any) -> list[Extracted]:
        """Every pattern under the template's ``Resources``."""
        resources = self.get(root, "Resources")
        for logical, resource in self.a.items(resources) or []:
            rtype = self.a.string(self.get(resource, "Type"))
            if rtype:
                self.resource_types[logical] = rtype
        for logical, resource in self.a.items(resources) or []:
            self.resource(logical, resource)
        return self.found

    def resource(self, logical: str, resource: Any) -> None:
        """The patterns of one resource, by its type."""
        rtype = self.a.string(self.get(resource, "Type"))
        props = self.get(resource, "Properties")
        base = f"Resources.{logical}.Properties"
        condition = self.get(resource, "Condition")
        self.condition = None if condition is None else self.a.string(condition) or self.a.describe(condition)
        if rtype == "AWS::Events::Rule" or rtype == "AWS::Events::Archive":
            bus = (
                self.get(props, "EventBusName")
                if rtype == "AWS::Events::Rule"
                else self.get(props, "SourceArn")
            )
            before = len(self.found)
            self.pattern(
                self.get(props, "EventPattern"),
                f"{base}.EventPattern",
                dialect="eventbridge",
                kind="rule" if rtype == "AWS::Events::Rule" else "archive",
                group=None if rtype == "AWS::Events::Archive" else self.group("bus", bus),
                targets=self.targets(self.get(props, "Targets"), "Arn"),
            )
            if rtype == "AWS::Events::Rule":
                rule = self.found[-1] if len(self.found) > before else None
                for i, target in enumerate(self.a.seq(self.get(props, "Targets")) or []):
                    self.input_transformer(
                        self.get(target, "InputTransformer"),
                        f"{base}.Targets[{i}].InputTransformer",
                        rule,
                        self.a.string(self.get(target, "Id")),
                    )
        elif rtype == "AWS::EventsV2::Subscriber":
            self.subscriber(self.get(props, "FilterConfiguration"), f"{base}.FilterConfiguration", logical)
        elif rtype == "AWS::SNS::Subscription":
            self.sns(
                props, base, "FilterPolicy", "FilterPolicyScope", self.get(props, "TopicArn"),
                self.endpoint(props, "Protocol", "Endpoint"),
            )  # fmt: skip
        elif rtype == "AWS::Lambda::EventSourceMapping":
            kind = self.kind_of(self.get(props, "EventSourceArn"))
            self.filters(self.get(props, "FilterCriteria"), f"{base}.FilterCriteria", "lambda", "esm", kind)
        elif rtype == "AWS::Pipes::Pipe":
            kind = self.kind_of(self.get(props, "Source"))
            criteria = self.get(self.get(props, "SourceParameters"), "FilterCriteria")
            self.filters(criteria, f"{base}.SourceParameters.FilterCriteria", "pipes", "pipe", kind)
        elif rtype in ("AWS::Serverless::Function", "AWS::Serverless::StateMachine"):
            for name, event in self.a.items(self.get(props, "Events")) or []:
                self.sam_event(event, f"{base}.Events.{name}", (f"Resources.{logical}",))
        else:
            self.unknown_type(rtype, props, base)

    def unknown_type(self, rtype: str | None, node: Any, where: str) -> None:
        """A note for each key that names a pattern (``EventPattern``, ...) under a resource type
        the walker does not read (``Custom::RuleMaker``): its pattern is not checked."""
        for key, value in self.a.items(node) or []:
            here = f"{where}.{key}"
            if key in _PATTERN_KEY_NAMES and self.could_be_pattern(key, value):
                start = self.a.start(value)
                at = self.host.text.rfind(key, 0, start)
                line, column = self.host.position(at if at >= 0 else start)
                self.notes.append(
                    note(
                        self.host.name,
                        "N103",
                        f"`{here}` is not read: pattern-lint does not know where resources of type "
                        f"`{rtype or '?'}` keep patterns",
                        line,
                        column,
                    )
                )
                continue
            self.unknown_type(rtype, value, here)
        for i, item in enumerate(self.a.seq(node) or []):
            self.unknown_type(rtype, item, f"{where}[{i}]")

    def could_be_pattern(self, key: str, value: Any) -> bool:
        """Whether a value under a pattern-like key of an unknown type may hold a pattern: any
        value under ``EventPattern``, ``FilterPolicy`` and ``FilterCriteria``; under the more
        common word ``Pattern`` (a tag, a glob) only a map or a JSON object's text."""
        if key != "Pattern" or self.a.items(value) is not None:
            return True
        text = self.a.string(value)
        return text is None or text.lstrip().startswith("{")

    def sam_event(self, event: Any, where: str, targets: tuple[str, ...]) -> None:
        """The pattern of one event of a SAM function or state machine (`targets`: that resource)."""
        etype = self.a.string(self.get(event, "Type"))
        props = self.get(event, "Properties")
        if etype in ("EventBridgeRule", "CloudWatchEvent"):
            before = len(self.found)
            self.pattern(
                self.get(props, "Pattern"),
                f"{where}.Properties.Pattern",
                dialect="eventbridge",
                kind="rule",
                group=self.group("bus", self.get(props, "EventBusName")),
                targets=targets,
            )
            self.input_transformer(
                self.get(props, "InputTransformer"),
                f"{where}.Properties.InputTransformer",
                self.found[-1] if len(self.found) > before else None,
                self.a.string(self.get(self.get(props, "Target"), "Id")),
            )
        elif etype == "SNS":
            self.sns(
                props,
                f"{where}.Properties",
                "FilterPolicy",
                "FilterPolicyScope",
                self.get(props, "Topic"),
                targets,
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
        """The group key (``bus:...``, ``topic:...``) of the patterns filtering one bus or topic."""
        key = (
            f"{prefix}:default"
            if node is None
            else f"{prefix}:{self.a.string(node) or self.a.describe(node)}"
        )
        return key if self.condition is None else f"{key} if:{self.condition}"

    def kind_of(self, node: Any) -> str | None:
        """The event source kind a source ARN node names, when it tells."""
        if node is None:
            return None
        return source_kind_from_text(self.a.describe(node), self.resource_types)

    def targets(self, node: Any, arn_key: str) -> tuple[str, ...] | None:
        """A rule's targets as written (`arn_key` of each), sorted; None when absent or not a list."""
        items = self.a.seq(node) if node is not None else None
        if not items:
            return None  # no targets here: they may be attached elsewhere
        out = set()
        for item in items:
            arn = self.get(item, arn_key)
            if arn is None:
                return None
            out.add(self.a.string(arn) or self.a.describe(arn))
        return tuple(sorted(out))

    def endpoint(self, props: Any, protocol_key: str, endpoint_key: str) -> tuple[str, ...] | None:
        """An SNS subscription's target: ``protocol:endpoint`` as written; None without an endpoint."""
        endpoint = self.get(props, endpoint_key)
        if endpoint is None:
            return None
        protocol = self.get(props, protocol_key)
        said = self.a.string(protocol) or self.a.describe(protocol) if protocol is not None else "?"
        return (f"{said}:{self.a.string(endpoint) or self.a.describe(endpoint)}",)

    def sns(
        self,
        props: Any,
        base: str,
        policy_key: str,
        scope_key: str,
        topic: Any,
        targets: tuple[str, ...] | None = None,
    ) -> None:
        """An SNS filter policy; its dialect follows the scope written beside it."""
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
            targets=targets,
        )

    def filters(self, criteria: Any, where: str, dialect: str, kind: str, source_kind: str | None) -> None:
        """The patterns of a Lambda or Pipes ``FilterCriteria``."""
        filters = self.a.seq(self.get(criteria, "Filters")) or []
        for i, f in enumerate(filters):
            self.pattern(
                self.get(f, "Pattern"),
                f"{where}.Filters[{i}].Pattern",
                dialect=dialect,
                kind=kind,
                source_kind=source_kind,
                group=None,
                filter_position=(i, len(filters)),
            )

    def subscriber(self, config: Any, where: str, logical: str) -> None:
        """The filters of a Custom Event Bus subscriber's ``FilterConfiguration``, grouped by
        subscriber (its filters AND, so the checks across them read them together)."""
        filters = self.a.seq(self.get(config, "Filters")) or []
        group = f"subscriber:Resources.{logical}"
        if self.condition is not None:
            group += f" if:{self.condition}"
        for i, f in enumerate(filters):
            scope_node = self.get(f, "Scope")
            scope = self.a.string(scope_node) if scope_node is not None else None
            self.pattern(
                self.get(f, "Pattern"),
                f"{where}.Filters[{i}].Pattern",
                dialect=_SCOPE_DIALECTS.get(scope or "", "bus-data"),
                kind="subscriber",
                group=group,
                # a template value as the scope: written as "?" (checked as DATA, never reported on)
                scope=scope if scope is not None else ("?" if scope_node is not None else None),
                scope_anchor=self.a.start(scope_node) if scope_node is not None else self.a.start(f),
                filter_position=(i, len(filters)),
            )

    def input_transformer(
        self, node: Any, where: str, rule: Extracted | None, target_id: str | None = None
    ) -> None:
        """A rule target's ``InputTransformer``: an `Extracted` of kind ``transformer`` holding
        its template, with its paths and the rule's pattern (`rule`) beside it."""
        if node is None or self.a.items(node) is None:
            return
        info = InputPaths(rule=rule, target_id=target_id or "<target-id>")
        paths = self.get(node, "InputPathsMap")
        if paths is not None and self.a.items(paths) is None:
            info.known = False  # the whole map is a template value
        for key, value in self.a.items(paths) or [] if paths is not None else []:
            start = self.a.start(value)
            at = self.host.text.rfind(key, 0, start)
            path = None
            if self.a.string(value) is not None:
                decoded, starts = self.a.embedded(value, False)
                path = embedded_pattern(
                    decoded,
                    starts,
                    self.host,
                    self.host.name,
                    f"{where}.InputPathsMap.{key}",
                    start,
                    interpolations=self.a.variables,
                    dialect="transformer",
                    kind="input-path",
                )
            info.paths.append((key, at if at >= 0 else start, path))
        template = self.get(node, "InputTemplate")
        sub = self.a.sub_template(template) if template is not None else None
        text_node = sub if sub is not None else (template if self.a.string(template) is not None else None)
        here = f"{where}.InputTemplate"
        if text_node is not None:
            decoded, starts = self.a.embedded(text_node, sub is not None)
            found = embedded_pattern(
                decoded,
                starts,
                self.host,
                self.host.name,
                here,
                self.a.start(template),
                interpolations=sub is not None or self.a.variables,
                dialect="transformer",
                kind="transformer",
                transformer=info,
            )
            info.template_known = not found.unknowns
        else:  # absent, or a template value as a whole
            info.template_known = False
            info.known = info.known and template is None
            anchor = self.a.start(template if template is not None else node)
            found = Extracted(
                self.host.name, here, "", PositionMap(self.host, []), "transformer", "transformer",
                anchor=anchor, transformer=info,
            )  # fmt: skip
        self.found.append(found)

    def pattern(self, node: Any, where: str, **context: Any) -> None:
        """Record the pattern at `node`: embedded JSON text, or a structured value written out."""
        if node is None:
            return
        anchor = self.a.start(node)
        template = self.a.sub_template(node)
        text_node = template if template is not None else (node if self.a.string(node) is not None else None)
        if text_node is not None:
            decoded, starts = self.a.embedded(text_node, template is not None)
            templated = template is not None or self.a.variables
            self.found.append(
                embedded_pattern(
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
        w = Writer()
        self.a.write(node, w)
        self.found.append(written_pattern(w, self.host, self.host.name, where, anchor, **context))
