"""What a target receives: a rule target's input transformer, and a Custom Event Bus subscriber's transformer.

Classic bus (a rule's target, `InputTransformer`)::

    InputPathsMap  {"state": "$.detail.state", "ids": "$.resources"}      variable -> JSON path
    InputTemplate  {"s": <state>, "msg": "now <state>", "all": <ids>}     text with <variable>s
        │  each <variable> is filled where it stands:
        │    as a JSON value      "RUNNING" quoted; 7, true, null, {...}, [...] as JSON text
        │    inside a JSON string RUNNING raw (never escaped); numbers, booleans as JSON text
        │    in a string template RUNNING raw; {...}, [...] as JSON text without its quotes
        ▼
    {"s": "RUNNING", "msg": "now RUNNING", "all": ["arn:..."]}            the text AWS sends

A template that starts with ``{`` or ``[`` must be JSON once filled, or AWS does not deliver the
event (`UndeliverableEventError` here). A path that selects nothing fills in as an empty string
(``""`` as a JSON value). Those rules come from outputs recorded against AWS (LocalStack's
tests/aws/services/events/test_events_inputs.snapshot.json); where a rule rests on documentation
only, the comment at its code says so.

Custom Event Bus (a subscriber's `Transformer`): ``RAW`` delivers the published data unchanged,
``WITH_METADATA`` the envelope ``{"Data", "Metadata", "SystemMetadata"}``, ``JSONATA`` the result
of one JSONata expression that reads the envelope as ``$events`` (the AWS page "Transforming
events with JSONata"). A bus event is read by `patterns.bus.read_bus_event`, the one reader the
filters and the bus machine use too: an event they refuse a transformer refuses, with the same
`InvalidEventError`. Only what delivery adds is here: the Base64 view of octet-stream data.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, NamedTuple

import orjson

from ._json import compact_json
from .bus import BusEvent, read_bus_event
from .errors import InvalidTransformerError, PatternsError, UndeliverableEventError
from .events import BigNumber, check_tree, decode_event, json_type

__all__ = [
    "BUS_TRANSFORMER_TYPES",
    "RESERVED_VARIABLES",
    "BusTransformer",
    "InputTransformer",
    "Target",
    "parse_input_path",
    "render_for_subscriber",
    "render_for_target",
    "template_placeholders",
]

#: The predefined variables of an input template (the "Predefined variables" section of the
#: EventBridge page "Amazon EventBridge input transformation"); no InputPathsMap key may be one.
RESERVED_VARIABLES = (
    "aws.events.rule-arn",
    "aws.events.rule-name",
    "aws.events.event.ingestion-time",
    "aws.events.event",
    "aws.events.event.json",
)

# Limits of the PutTargets API (botocore 1.43 events/2015-10-07/service-2.json: TransformerPaths
# max 100, InputTransformerPathKey 1-256 matching [A-Za-z0-9\_\-]+, TargetInputPath max 256,
# TransformerInput 1-8,192).
MAX_VARIABLES = 100
MAX_KEY_LENGTH = 256
MAX_PATH_LENGTH = 256
MAX_TEMPLATE_LENGTH = 8192
_KEY = re.compile(r"[A-Za-z0-9_\-]+")

# A placeholder is any text between "<" and ">" with neither inside: AWS has no escape for them
# (the user guide: "The characters < and > cannot be escaped"), so every such span must name a
# variable, or PutTargets refuses the template.
_PLACEHOLDER = re.compile(r"<([^<>]*)>")

#: `Transformer.Type` values of a Custom Event Bus subscriber (eventbridgev2 API_Transformer).
BUS_TRANSFORMER_TYPES = ("RAW", "WITH_METADATA", "JSONATA")

# JsonataConfiguration.Expression: 1-8,192 characters, pattern \{%[\s\S]+?%\}(?![\s\S]).*
# (eventbridgev2 API_JsonataConfiguration): the whole text is one {% ... %} block.
_JSONATA_BLOCK = re.compile(r"\{%([\s\S]+?)%\}(?![\s\S])")
MAX_EXPRESSION_LENGTH = 8192
# A runaway expression (endless recursion) stops after this long with an error, so `render`
# never hangs; AWS states no such limit (ours).
JSONATA_TIMEOUT_MS = 1000

_MISSING: Any = object()  # a path that selects nothing

# The ContentType of binary data (PutRawEventsSystemMetadata), which no JSON holds.
_OCTET_STREAM = "application/octet-stream"


def _decoded(event: bytes | str | Mapping[str, Any]) -> dict[str, Any]:
    """The event as a dict: decoded from JSON, or a caller's mapping checked to hold only JSON."""
    if isinstance(event, Mapping):
        check_tree(event)
        return dict(event)
    return decode_event(event)


# --- JSON paths ----------------------------------------------------------------------------------
#
# EventBridge's paths (the user guide's note: dot notation, dashes, underscores, alphanumerics,
# array indices, wildcards, forward slashes). A path is parsed once into steps:
#   ("key", name)   .name or ['name']     ("index", n)   [n], n < 0 counts from the end
#   ("all", None)   .* or [*]: every member; a path with one yields a list of all it selects
# Unparseable text selects nothing: the user guide says PutTargets does not validate paths
# ("There is no validation when creating JSON path for your template").
_STEP = re.compile(r"\.(\*|[^.\[\]]+)|\[(\*|-?\d+|'[^']*'|\"[^\"]*\")\]")


def _parse_path(path: str) -> tuple[tuple[str, Any], ...] | None:
    if not path.startswith("$"):
        return None
    steps: list[tuple[str, Any]] = []
    pos = 1
    while pos < len(path):
        m = _STEP.match(path, pos)
        if m is None:
            return None
        name, bracket = m.group(1), m.group(2)
        if name is not None:
            steps.append(("all", None) if name == "*" else ("key", name))
        elif bracket == "*":
            steps.append(("all", None))
        elif bracket[0] in "'\"":
            steps.append(("key", bracket[1:-1]))
        else:
            steps.append(("index", int(bracket)))
        pos = m.end()
    return tuple(steps)


def parse_input_path(path: str) -> tuple[tuple[str, Any], ...] | None:
    """The steps of an `InputPathsMap` path, as `InputTransformer` reads it.

    Args:
        path: the JSON path (``$.detail.state``, ``$.resources[0]``, ``$['detail-type']``).

    Returns:
        ``("key", name)``, ``("index", n)`` or ``("all", None)`` per step (``()`` for ``$``), or
        None when the text is not a path EventBridge reads: it selects nothing.
    """
    return _parse_path(path)


def _select(value: Any, steps: tuple[tuple[str, Any], ...] | None) -> Any:
    """What a parsed path selects in `value`, or `_MISSING`."""
    if steps is None:
        return _MISSING
    if all(kind != "all" for kind, _ in steps):
        for kind, arg in steps:
            value = _step(value, kind, arg)
            if value is _MISSING:
                return _MISSING
        return value
    # With a wildcard the path may select many: the result is the list of all of them (as
    # Jayway JsonPath, the Java library of that syntax, answers; unverified against AWS).
    current = [value]
    for kind, arg in steps:
        following: list[Any] = []
        for item in current:
            if kind == "all":
                if isinstance(item, dict):
                    following.extend(item.values())
                elif isinstance(item, (list, tuple)):
                    following.extend(item)
            else:
                selected = _step(item, kind, arg)
                if selected is not _MISSING:
                    following.append(selected)
        current = following
    return current


def _step(value: Any, kind: str, arg: Any) -> Any:
    if kind == "key":
        return value.get(arg, _MISSING) if isinstance(value, dict) else _MISSING
    if isinstance(value, (list, tuple)) and -len(value) <= arg < len(value):
        return value[arg]
    return _MISSING


# --- rendering values ----------------------------------------------------------------------------


def _json_text(value: Any) -> str:
    if isinstance(value, BigNumber):
        raise UndeliverableEventError(
            "Expected a number a double can hold, got a larger one: its digits were not kept"
        )
    if isinstance(value, (dict, list, tuple)):
        _check_numbers(value)
    return compact_json(value)


def _check_numbers(value: Any) -> None:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
        elif isinstance(item, BigNumber):
            _json_text(item)


def _unquoted(value: Any) -> str:
    """JSON text without its quotation marks, as AWS fills an object or array into a string template.

    Recorded: ``"Payload of <payload>"`` with ``{"acc_id": "0a787ecb-4015", "sf_id": "baz"}``
    sends ``"Payload of {acc_id:0a787ecb-4015,sf_id:baz}"``; ``["ACTIVE", "INACTIVE"]`` sends
    ``[ACTIVE,INACTIVE]`` (LocalStack's test_input_transformer_nested_keys_replacement).
    """
    if isinstance(value, dict):
        return "{" + ",".join(f"{k}:{_unquoted(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(_unquoted(v) for v in value) + "]"
    if isinstance(value, str):
        return value
    return _json_text(value)


def _fill(value: Any, where: str) -> str:
    """The text a variable's value becomes at a placeholder standing `where`.

    `where` is ``value`` (a JSON value of a JSON template), ``json-string`` (inside a string of
    a JSON template), or ``text`` (a string template ``"..."`` or a plain-text template).
    """
    if value is _MISSING:
        # Recorded: {"command": <command>} with a path that selects nothing sends
        # {"command": ""}; "detail <command>" sends "detail " (LocalStack's
        # test_put_events_with_input_transformer_input_template_json and _string). The user
        # guide says such a variable "won't appear in the output": the recordings win.
        return '""' if where == "value" else ""
    if isinstance(value, str):
        # Not escaped: the user guide ("EventBridge doesn't escape values extracted by Input
        # Path"); a string holding a quotation mark then breaks a JSON template (undeliverable).
        return f'"{value}"' if where == "value" else value
    if isinstance(value, (dict, list, tuple)) and where == "text":
        return _unquoted(value)
    # Numbers, booleans and null as JSON text everywhere (recorded: "Command is <valid>!" with
    # true sends "Command is true!"); objects and arrays as JSON text, which inside a string of
    # a JSON template breaks it (recorded: {"payload": "<payload>"} is not delivered).
    return _json_text(value)


# --- templates -----------------------------------------------------------------------------------


class _Slot(NamedTuple):
    """One placeholder of a template: its span, its variable, where it stands."""

    start: int
    end: int
    name: str
    where: str  # "value", "json-string" or "text"


def _template_kind(template: str) -> str:
    head = template.lstrip()[:1]
    if head in ("{", "["):
        return "json"
    return "string" if head == '"' else "text"


def _slots(template: str, kind: str) -> list[_Slot]:
    """The placeholders of a template, with where each stands.

    In a JSON template, a placeholder inside a string literal (between unescaped quotation
    marks) stands in a string; anywhere else it stands as a value. Every placeholder of a
    string or plain-text template stands in text.
    """
    matches = list(_PLACEHOLDER.finditer(template))
    if kind != "json":
        return [_Slot(m.start(), m.end(), m.group(1), "text") for m in matches]
    slots: list[_Slot] = []
    in_string = False
    pos = 0
    for m in matches:
        in_string = _string_state(template, pos, m.start(), in_string)
        slots.append(_Slot(m.start(), m.end(), m.group(1), "json-string" if in_string else "value"))
        pos = m.end()
    return slots


def _string_state(text: str, start: int, end: int, in_string: bool) -> bool:
    """Whether `text[end]` is inside a JSON string, given the state at `start`."""
    i = start
    while i < end:
        c = text[i]
        if in_string and c == "\\":
            i += 2
            continue
        if c == '"':
            in_string = not in_string
        i += 1
    return in_string


def template_placeholders(template: str) -> tuple[bool, list[tuple[int, int, str, str]]]:
    """Whether an input template is a JSON template, and where its placeholders stand.

    Args:
        template: the `InputTemplate`.

    Returns:
        (JSON template: it starts with ``{`` or ``[`` and must be JSON once filled, the
        placeholders as ``(start, end, variable, where)`` with `where` ``value`` (a JSON value),
        ``json-string`` (inside a string of a JSON template) or ``text``).
    """
    kind = _template_kind(template)
    return kind == "json", [(slot.start, slot.end, slot.name, slot.where) for slot in _slots(template, kind)]


def _is_key(template: str, slot: _Slot) -> bool:
    """Whether a placeholder of a JSON template is (or is inside) an object key."""
    if slot.where == "value":
        after = slot.end
    else:  # the end of the string it stands in
        after = slot.end
        while after < len(template):
            c = template[after]
            if c == "\\":
                after += 2
                continue
            after += 1
            if c == '"':
                break
    rest = template[after:].lstrip()
    return rest.startswith(":")


class InputTransformer:
    """A rule target's `InputTransformer`: what the target receives instead of the event.

    Build once (it is checked as PutTargets checks it), render many::

        >>> t = InputTransformer({"state": "$.detail.state"}, '{"state": <state>}')
        >>> t.render({"detail": {"state": "RUNNING"}})
        '{"state": "RUNNING"}'

    Attributes:
        input_paths_map: variable name -> JSON path, as given.
        input_template: the template, as given.
        target_id: the target's `Id`, named in AWS's messages.
    """

    def __init__(
        self,
        input_paths_map: Mapping[str, str] | None,
        input_template: str,
        *,
        target_id: str = "<target-id>",
    ) -> None:
        """Check an input transformer as PutTargets does.

        Args:
            input_paths_map: the `InputPathsMap` (variable name -> JSON path); None or empty
                when the template uses only predefined variables.
            input_template: the `InputTemplate`.
            target_id: the target's `Id`, as AWS's messages name it.

        Raises:
            InvalidTransformerError: what PutTargets refuses: a template naming a variable the
                map does not define (AWS's text), more than 100 variables, a key that is not
                1-256 of ``[A-Za-z0-9_-]``, a predefined name or a name starting with ``AWS.``
                as a key, a path longer than 256 characters, a template empty or longer than
                8,192 characters, or a placeholder used as an object key.
        """
        paths = dict(input_paths_map or {})
        if not isinstance(input_template, str):
            raise InvalidTransformerError(
                f"Expected `str`, got `{type(input_template).__name__}` - at `InputTemplate`"
            )
        _check_paths_map(paths)
        if not 1 <= len(input_template) <= MAX_TEMPLATE_LENGTH:
            raise InvalidTransformerError(
                f"Expected an `InputTemplate` of 1 to {MAX_TEMPLATE_LENGTH} characters, "
                f"got {len(input_template)} - at `InputTemplate`"
            )
        self.input_paths_map = paths
        self.input_template = input_template
        self.target_id = target_id
        self._kind = _template_kind(input_template)
        self._slots = _slots(input_template, self._kind)
        for slot in self._slots:
            if slot.name not in paths and slot.name not in RESERVED_VARIABLES:
                # AWS's text, recorded by LocalStack's
                # test_put_events_with_input_transformer_missing_keys (ValidationException).
                raise InvalidTransformerError(
                    f"InputTemplate for target {target_id} contains invalid placeholder {slot.name}."
                )
            if self._kind == "json" and _is_key(input_template, slot):
                # The rule is the API reference's (API_InputTransformer: "The placeholder cannot
                # be used as an object key"); AWS's wording is not recorded: ours.
                raise InvalidTransformerError(
                    f"Expected a placeholder as a value, got `<{slot.name}>` as an object key "
                    "- at `InputTemplate`"
                )
        self._steps = {name: _parse_path(path) for name, path in paths.items()}

    def __repr__(self) -> str:
        return f"InputTransformer({self.input_paths_map!r}, {self.input_template!r})"

    def variables(
        self,
        event: bytes | str | Mapping[str, Any],
        *,
        rule_name: str = "",
        rule_arn: str | None = None,
        ingestion_time: str | None = None,
        event_bus_name: str = "default",
    ) -> dict[str, Any]:
        """The value of every variable the template uses, for one event.

        Args:
            event: the event (JSON bytes or text, or a decoded dict).
            rule_name, rule_arn, ingestion_time, event_bus_name: see `render`.

        Returns:
            variable name -> value (decoded JSON); a path that selects nothing is absent.

        Raises:
            InvalidEventError: the event is not a JSON object.
        """
        decoded = _decoded(event)
        values: dict[str, Any] = {}
        for slot in self._slots:
            if slot.name in values:
                continue
            value = self._value(slot.name, decoded, rule_name, rule_arn, ingestion_time, event_bus_name)
            if value is not _MISSING:
                values[slot.name] = value
        return values

    def render(
        self,
        event: bytes | str | Mapping[str, Any],
        *,
        rule_name: str = "",
        rule_arn: str | None = None,
        ingestion_time: str | None = None,
        event_bus_name: str = "default",
    ) -> str:
        """The text the target receives for one (matching) event.

        Args:
            event: the event (JSON bytes or text, or a decoded dict).
            rule_name: `<aws.events.rule-name>`.
            rule_arn: `<aws.events.rule-arn>`; by default built from the event's ``region``
                and ``account``, `event_bus_name` and `rule_name` as AWS builds rule ARNs
                (``arn:aws:events:REGION:ACCOUNT:rule/[BUS/]NAME``).
            ingestion_time: `<aws.events.event.ingestion-time>`; by default the event's
                ``time``, else now (UTC, ISO 8601 to the second).
            event_bus_name: the rule's bus, for the default `rule_arn`.

        Returns:
            The filled template.

        Raises:
            InvalidEventError: the event is not a JSON object.
            UndeliverableEventError: a JSON template that is no longer JSON once filled (AWS
                does not deliver the event), or a number whose digits were not kept.
        """
        decoded = _decoded(event)
        text = self.input_template
        out: list[str] = []
        pos = 0
        cache: dict[str, Any] = {}
        for slot in self._slots:
            if slot.name not in cache:
                cache[slot.name] = self._value(
                    slot.name, decoded, rule_name, rule_arn, ingestion_time, event_bus_name
                )
            out.append(text[pos : slot.start])
            out.append(_fill(cache[slot.name], slot.where))
            pos = slot.end
        out.append(text[pos:])
        filled = "".join(out)
        if self._kind == "json":
            _check_json(filled)
        return filled

    def _value(
        self,
        name: str,
        event: dict[str, Any],
        rule_name: str,
        rule_arn: str | None,
        ingestion_time: str | None,
        event_bus_name: str,
    ) -> Any:
        if name in self._steps:
            return _select(event, self._steps[name])
        if name == "aws.events.rule-name":
            return rule_name
        if name == "aws.events.rule-arn":
            return rule_arn if rule_arn is not None else _rule_arn(event, event_bus_name, rule_name)
        if name == "aws.events.event.ingestion-time":
            if ingestion_time is not None:
                return ingestion_time
            time = event.get("time")
            if isinstance(time, str):
                return time
            return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        if name == "aws.events.event":
            return _event_without_detail(event)
        return event  # aws.events.event.json


def _check_paths_map(paths: dict[str, Any]) -> None:
    # The limits are the API model's (botocore's events service-2.json); the wording of AWS's
    # refusals is not recorded anywhere we found, so these messages are ours.
    if len(paths) > MAX_VARIABLES:
        raise InvalidTransformerError(
            f"Expected at most {MAX_VARIABLES} variables, got {len(paths)} - at `InputPathsMap`"
        )
    for key, path in paths.items():
        if isinstance(key, str) and (key.startswith("AWS.") or key in RESERVED_VARIABLES):
            # Checked first: the key pattern refuses these too, but this says why.
            raise InvalidTransformerError(
                f"Expected a key not reserved by AWS, got `{key}` - at `InputPathsMap`"
            )
        if not isinstance(key, str) or not 1 <= len(key) <= MAX_KEY_LENGTH or not _KEY.fullmatch(key):
            raise InvalidTransformerError(
                f"Expected a key of 1 to {MAX_KEY_LENGTH} characters from `[A-Za-z0-9_-]`, "
                f"got `{key}` - at `InputPathsMap`"
            )
        if not isinstance(path, str):
            raise InvalidTransformerError(
                f"Expected `str`, got `{json_type(path)}` - at `InputPathsMap.{key}`"
            )
        if len(path) > MAX_PATH_LENGTH:
            raise InvalidTransformerError(
                f"Expected a path of at most {MAX_PATH_LENGTH} characters, got {len(path)} "
                f"- at `InputPathsMap.{key}`"
            )


def _check_json(filled: str) -> None:
    try:
        orjson.loads(filled)
    except orjson.JSONDecodeError as exc:
        try:  # numbers past a double and lone surrogates: orjson refuses, JSON allows
            json.loads(filled)
        except ValueError:
            raise UndeliverableEventError(
                f"Expected the filled template to be JSON, got `{filled}`: AWS does not deliver "
                f"the event ({exc})"
            ) from None


# Recorded: <aws.events.event> is the event without `detail`, `detail-type` named `detailType`,
# in this order (LocalStack's test_input_transformer_predefined_variables). Other top-level
# fields an event might carry are left out (unverified: AWS events carry no others).
_EVENT_FIELDS = (
    ("id", "id"),
    ("account", "account"),
    ("detail-type", "detailType"),
    ("time", "time"),
    ("source", "source"),
    ("region", "region"),
    ("resources", "resources"),
    ("version", "version"),
)


def _event_without_detail(event: Mapping[str, Any]) -> dict[str, Any]:
    return {name: event[field] for field, name in _EVENT_FIELDS if field in event}


def _rule_arn(event: Mapping[str, Any], event_bus_name: str, rule_name: str) -> str:
    # Recorded for a custom bus: arn:aws:events:REGION:ACCOUNT:rule/BUS/NAME; the default bus
    # has no BUS segment (the user guide's example arn:aws:events:us-east-2:123456789012:rule/example).
    region = event.get("region", "")
    account = event.get("account", "")
    bus = "" if event_bus_name == "default" else f"{event_bus_name}/"
    return f"arn:aws:events:{region}:{account}:rule/{bus}{rule_name}"


class Target:
    """A rule's target as PutTargets takes it, checked once: what it receives for each event.

        >>> Target({"Id": "t", "InputPath": "$.detail"}).render({"detail": {"a": 1}})
        '{"a":1}'

    Attributes:
        target_id: the target's ``Id``, as AWS's messages name it.
        kind: ``Input``, ``InputPath``, ``InputTransformer``, or None (the whole event).
        transformer: the `InputTransformer` of an ``InputTransformer`` target, else None.
    """

    def __init__(self, target: Mapping[str, Any]) -> None:
        """Check a target as PutTargets does.

        Args:
            target: ``Id``, and at most one of ``Input`` (JSON text), ``InputPath`` (a JSON
                path) and ``InputTransformer`` (``InputPathsMap`` and ``InputTemplate``); with
                none of them the target receives the event.

        Raises:
            InvalidTransformerError: more than one of ``Input``, ``InputPath`` and
                ``InputTransformer`` (AWS's text), one of them of the wrong type, or a
                transformer PutTargets refuses.
        """
        if not isinstance(target, Mapping):
            raise InvalidTransformerError(f"Expected a target (`object`), got `{json_type(target)}`")
        self.target_id = str(target.get("Id", "<target-id>"))
        given = [key for key in ("Input", "InputPath", "InputTransformer") if target.get(key) is not None]
        if len(given) > 1:
            # AWS's text, recorded by LocalStack's test_put_event_input_path_and_input_transformer.
            raise InvalidTransformerError(
                "Only one of Input, InputPath, or InputTransformer must be provided for target "
                f"{self.target_id}."
            )
        self.kind: str | None = given[0] if given else None
        self.transformer: InputTransformer | None = None
        self._input = ""
        self._steps: tuple[tuple[str, Any], ...] | None = None
        if self.kind in ("Input", "InputPath"):
            value = target[self.kind]
            if not isinstance(value, str):
                raise InvalidTransformerError(f"Expected `str`, got `{json_type(value)}` - at `{self.kind}`")
            self._input = value
            self._steps = _parse_path(value) if self.kind == "InputPath" else None
        elif self.kind == "InputTransformer":
            spec = target["InputTransformer"]
            if not isinstance(spec, Mapping):
                raise InvalidTransformerError(
                    f"Expected `object`, got `{json_type(spec)}` - at `InputTransformer`"
                )
            template: Any = spec.get("InputTemplate")  # InputTransformer checks it is a str
            self.transformer = InputTransformer(spec.get("InputPathsMap"), template, target_id=self.target_id)

    def __repr__(self) -> str:
        return f"Target(id={self.target_id!r}, kind={self.kind!r})"

    def render(
        self,
        event: bytes | str | Mapping[str, Any],
        *,
        rule_name: str = "",
        rule_arn: str | None = None,
        ingestion_time: str | None = None,
        event_bus_name: str = "default",
    ) -> str:
        """What the target receives for one matching event: the text EventBridge sends it.

        Args:
            event: the event (JSON bytes or text, or a decoded dict).
            rule_name, rule_arn, ingestion_time, event_bus_name: as `InputTransformer.render`.

        Returns:
            ``Input`` as it is; the JSON text of what ``InputPath`` selects (nothing: ``""``,
            unverified); the filled template; or the event's compact JSON text.

        Raises:
            InvalidEventError: the event is not a JSON object.
            UndeliverableEventError: as `InputTransformer.render`.
        """
        if self.kind == "Input":
            return self._input
        decoded = _decoded(event)
        if self.kind == "InputPath":
            # Recorded: InputPath $.detail.payload.sf_id sends "baz" (its JSON text); $.detail sends
            # the object (LocalStack's TestInputPath).
            selected = _select(decoded, self._steps)
            return "" if selected is _MISSING else _json_text(selected)
        if self.transformer is not None:
            return self.transformer.render(
                decoded,
                rule_name=rule_name,
                rule_arn=rule_arn,
                ingestion_time=ingestion_time,
                event_bus_name=event_bus_name,
            )
        return _json_text(decoded)


def render_for_target(
    target: Mapping[str, Any],
    event: bytes | str | Mapping[str, Any],
    *,
    rule_name: str = "",
    rule_arn: str | None = None,
    ingestion_time: str | None = None,
    event_bus_name: str = "default",
) -> str:
    """What a rule's target receives for one matching event: the text EventBridge sends it.

    ``Target(target).render(event, ...)``; build a `Target` once to render many events.

    Args:
        target: the target as PutTargets takes it (see `Target`).
        event: the event (JSON bytes or text, or a decoded dict).
        rule_name, rule_arn, ingestion_time, event_bus_name: as `InputTransformer.render`.

    Returns:
        As `Target.render`.

    Raises:
        InvalidTransformerError: as `Target`.
        InvalidEventError: the event is not a JSON object.
        UndeliverableEventError: as `InputTransformer.render`.
    """
    return Target(target).render(
        event,
        rule_name=rule_name,
        rule_arn=rule_arn,
        ingestion_time=ingestion_time,
        event_bus_name=event_bus_name,
    )


# --- Custom Event Bus ----------------------------------------------------------------------------


def _bus_data(event: BusEvent) -> Any:
    """The data as ``WITH_METADATA`` delivers it and ``$events.Data`` reads it.

    Octet-stream data is its Base64 text (the AWS page "Transforming events with JSONata":
    binary data is a Base64 string; a str given is its UTF-8 bytes); any other data is the
    value `read_bus_event` decoded, of any JSON type.
    """
    if event.system["ContentType"] == _OCTET_STREAM:
        raw = event.raw
        # (surrogatepass: a str holding a lone surrogate still has bytes to encode; never a crash)
        binary = raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw or b""
        return base64.b64encode(binary).decode("ascii")
    if event.raw is None:
        # a caller's decoded object: only what JSON holds is delivered (the machine checks it as
        # it flattens it, with this path; `read_bus_event` checks other values)
        check_tree({"Data": event.decoded})
    return event.decoded


def _envelope(event: BusEvent) -> dict[str, Any]:
    """The object a JSONata expression reads as ``$events`` (and ``WITH_METADATA`` delivers)."""
    return {"Data": _bus_data(event), "Metadata": event.metadata, "SystemMetadata": event.system}


class BusTransformer:
    """A Custom Event Bus subscriber's `Transformer`: what its target receives.

        >>> system = {"ContentType": "application/json", "aws:DeliveryType": "LIVE"}
        >>> BusTransformer("WITH_METADATA").render({"Data": b'{"orderId": "1"}', "SystemMetadata": system})
        '{"Data":{"orderId":"1"},"Metadata":{},"SystemMetadata":{"ContentType":"application/json","aws:DeliveryType":"LIVE"}}'

    Attributes:
        type: ``RAW``, ``WITH_METADATA`` or ``JSONATA``.
        expression: the JSONata expression with its ``{% %}`` delimiters, or None.
    """

    def __init__(self, type: str = "RAW", expression: str | None = None) -> None:
        """Check a transformer as CreateSubscriber does, and compile its expression.

        Args:
            type: ``RAW`` (the default: the data alone), ``WITH_METADATA`` or ``JSONATA``.
            expression: for ``JSONATA`` only, the `JsonataConfiguration.Expression`: one
                ``{% ... %}`` block of at most 8,192 characters.

        Raises:
            InvalidTransformerError: an unknown type, an expression missing or given where
                none belongs, an expression not one ``{% %}`` block, or JSONata that does not
                compile.
            PatternsError: ``JSONATA`` without the optional ``jsonatapy`` package.
        """
        if type not in BUS_TRANSFORMER_TYPES:
            raise InvalidTransformerError(
                f"Expected `RAW`, `WITH_METADATA` or `JSONATA`, got `{type}` - at `Transformer.Type`"
            )
        if type == "JSONATA" and expression is None:
            raise InvalidTransformerError(
                "Expected a JSONata expression, got none - at `Transformer.JsonataConfiguration`"
            )
        if type != "JSONATA" and expression is not None:
            raise InvalidTransformerError(
                f"Expected no JSONata expression for `{type}`, got one - at `Transformer.JsonataConfiguration`"
            )
        self.type = type
        self.expression = expression
        self._compiled: Any = None
        if expression is not None:
            self._compiled = _compile_jsonata(expression)

    @classmethod
    def from_config(cls, transformer: Mapping[str, Any] | None) -> BusTransformer:
        """A transformer from its API / CloudFormation shape.

        Args:
            transformer: ``{"Type": ..., "JsonataConfiguration": {"Expression": ...}}``; None
                or ``{}`` for the default, ``RAW``.

        Returns:
            The transformer.

        Raises:
            InvalidTransformerError: as the constructor.
            PatternsError: as the constructor.
        """
        transformer = transformer or {}
        if not isinstance(transformer, Mapping):
            raise InvalidTransformerError(
                f"Expected `object`, got `{json_type(transformer)}` - at `Transformer`"
            )
        config = transformer.get("JsonataConfiguration") or {}
        if not isinstance(config, Mapping):
            raise InvalidTransformerError(
                f"Expected `object`, got `{json_type(config)}` - at `Transformer.JsonataConfiguration`"
            )
        return cls(str(transformer.get("Type", "RAW")), config.get("Expression"))

    def __repr__(self) -> str:
        return f"BusTransformer({self.type!r}, {self.expression!r})"

    def render(self, event: bytes | str | Mapping[str, Any]) -> str | bytes:
        """What the subscriber's target receives for one event.

        Args:
            event: the bus event ``{"Data": ..., "Metadata": {...}, "SystemMetadata": {...}}``.

        Returns:
            ``RAW``: the data unchanged (bytes stay bytes, a str stays that str, a decoded
            value becomes its compact JSON text). ``WITH_METADATA``: the compact JSON text of
            the envelope. ``JSONATA``: the compact JSON text of the expression's result
            (``null`` when it yields nothing; unverified).

        Raises:
            InvalidEventError: a bus event `patterns.bus.read_bus_event` refuses (the bus machine refuses it too).
            UndeliverableEventError: the expression fails on this event.
        """
        bus_event = read_bus_event(event)
        if self.type == "RAW":
            if bus_event.raw is not None:
                return bus_event.raw
            return _json_text(_bus_data(bus_event))
        envelope = _envelope(bus_event)
        if self.type == "WITH_METADATA":
            return _json_text(envelope)
        try:
            result = self._compiled.evaluate(None, {"events": envelope})
        except ValueError as exc:  # jsonatapy raises ValueError for every evaluation error
            raise UndeliverableEventError(f"JSONata failed on this event: {exc}") from None
        return _json_text(result)


def _compile_jsonata(expression: str) -> Any:
    if not isinstance(expression, str) or not 1 <= len(expression) <= MAX_EXPRESSION_LENGTH:
        raise InvalidTransformerError(
            f"Expected an expression of 1 to {MAX_EXPRESSION_LENGTH} characters - at "
            "`Transformer.JsonataConfiguration.Expression`"
        )
    block = _JSONATA_BLOCK.match(expression)
    if block is None:
        raise InvalidTransformerError(
            f"Expected one `{{% ... %}}` block, got `{expression}` - at "
            "`Transformer.JsonataConfiguration.Expression`"
        )
    try:
        # Optional: only JSONATA transformers need a JSONata engine (the `jsonata` extra).
        import jsonatapy
    except ImportError:
        raise PatternsError(
            "A JSONATA transformer needs the optional `jsonatapy` package: pip install 'eventpatterns[jsonata]'"
        ) from None
    try:
        return jsonatapy.compile(block.group(1), timeout=JSONATA_TIMEOUT_MS)
    except ValueError as exc:
        raise InvalidTransformerError(
            f"Expected a JSONata expression, got `{expression}`: {exc} - at "
            "`Transformer.JsonataConfiguration.Expression`"
        ) from None


def render_for_subscriber(
    subscriber: Mapping[str, Any], event: bytes | str | Mapping[str, Any]
) -> str | bytes:
    """What a Custom Event Bus subscriber's target receives for one matching event.

    Args:
        subscriber: the subscriber as CreateSubscriber or ``AWS::EventsV2::Subscriber``'s
            properties give it; only its ``Transformer`` (``{"Type": ...,
            "JsonataConfiguration": {"Expression": ...}}``) is read, absent meaning ``RAW``.
        event: the bus event ``{"Data": ..., "Metadata": {...}, "SystemMetadata": {...}}``.

    Returns:
        As `BusTransformer.render`.

    Raises:
        InvalidTransformerError: a transformer CreateSubscriber refuses.
        PatternsError: ``JSONATA`` without the optional ``jsonatapy`` package.
        InvalidEventError: a bus event `patterns.bus.read_bus_event` refuses (the bus machine refuses it too).
        UndeliverableEventError: the expression fails on this event.
    """
    return BusTransformer.from_config(subscriber.get("Transformer")).render(event)
