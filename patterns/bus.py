"""Events of the EventBridge Custom Event Bus (``eventbridgev2``) as its subscriber filters read them.

An event on the bus has three parts (the user guide's "Event structure: data, metadata, and system
metadata", eb-custom-bus-addressing):

    part             PutRawEvents                       PutEvents
    Data             the payload exactly as sent        the EventBridge envelope (source,
                                                        detail-type, ...; the payload under detail)
    Metadata         the publisher's string key-values  absent
    SystemMetadata   fields EventBridge assigns, all strings; a field without a value is absent,
                     ``aws:DeliveryType`` is always present

A subscriber's filter names one part (its ``Scope``: ``DATA``, ``METADATA``, ``SYSTEM_METADATA``)
and matches an EventBridge pattern against it. Data is read per ``SystemMetadata.ContentType``:
JSON as JSON; Avro and Protobuf as their JSON form (EventBridge deserialises them; give that JSON
form here); ``application/octet-stream`` has no data a ``DATA`` filter can read, so a subscriber
with a ``DATA`` filter never receives such an event ("Filtering events for a subscriber").

`bus_to_event` gives the one event a `patterns.Machine` of dialect ``"bus"`` reads: the three
parts under their own names, so that a subscriber's filters (an AND) are one rule over three
prefixed parts and every event is walked once, whatever the number of subscribers:

    {"Data": {...}, "DataReadable": true, "Metadata": {...}, "SystemMetadata": {...}}

``DataReadable`` is ours: it is present exactly when Data is a JSON object a ``DATA`` filter can
read, and every rule with a ``DATA`` filter requires it (a ``DATA`` pattern of ``exists: false``
alone would otherwise match an event whose data cannot be read). A machine holding a subscriber
with several filters on one scope reads that scope's part under more names (``Data#2``, ...):
the same object, each filter on its own name, which is how filters on one path AND.

`read_bus_event` is the one reader of a bus event: filters, the bus machine and the subscribers'
transformers (`patterns.transform`) all read an event through it, so an event one refuses every
one refuses, with the same `InvalidEventError`. Beside what filters read, its `BusEvent` keeps
what a transformer delivers: the data as given (``raw``, for ``RAW``) and decoded whatever its
JSON type (``decoded``, for ``WITH_METADATA`` and ``JSONATA``).

Decided where AWS says nothing (ours, unverified): Data that is JSON but not an object (an
array, a number) has no fields a ``DATA`` filter can read, as octet-stream data; Metadata on a
``PutEvents`` event (ContentType ``application/eventbridge+json``) is refused; every event must
carry ``ContentType`` (the filtering page's table: "every event").
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from .errors import InvalidEventError
from .events import check_tree, decode_event, decode_json, json_type

__all__ = [
    "CONTENT_TYPES",
    "DATA_READABLE",
    "MAX_FILTERS",
    "MAX_METADATA_ENTRIES",
    "MAX_METADATA_KEY_LENGTH",
    "PUT_EVENTS_CONTENT_TYPE",
    "SCOPES",
    "SCOPE_KEYS",
    "BusEvent",
    "bus_to_event",
    "read_bus_event",
    "scope_key",
]

#: The filter scopes, in the order the API lists them (API_Filter: ``DATA | METADATA |
#: SYSTEM_METADATA``).
SCOPES = ("DATA", "METADATA", "SYSTEM_METADATA")
#: Each scope's part of the event, by the name the event gives it.
SCOPE_KEYS: dict[str, str] = {"DATA": "Data", "METADATA": "Metadata", "SYSTEM_METADATA": "SystemMetadata"}
#: Our marker of readable data (see the module docs); never a key of the bus event itself.
DATA_READABLE = "DataReadable"

#: FilterConfiguration.Filters: "Minimum number of 1 item. Maximum number of 50 items"
#: (API_FilterConfiguration; the CloudFormation and CDK references say "1-50 entries").
MAX_FILTERS = 50

#: The ContentType of an event published with PutEvents (API_PutEventsSystemMetadata: "always
#: application/eventbridge+json, set server-side").
PUT_EVENTS_CONTENT_TYPE = "application/eventbridge+json"
#: PutRawEventsSystemMetadata.ContentType: "Valid values: application/json, application/avro,
#: application/protobuf, application/octet-stream"; and PutEvents' own.
CONTENT_TYPES = frozenset(
    {
        "application/json",
        "application/avro",
        "application/protobuf",
        "application/octet-stream",
        PUT_EVENTS_CONTENT_TYPE,
    }
)
#: Content types whose data is JSON as published (Avro and Protobuf data is filtered as the JSON
#: EventBridge deserialises it to, which the caller gives).
_JSON_TYPES = frozenset({"application/json", PUT_EVENTS_CONTENT_TYPE})
#: Content types whose data no DATA filter reads.
_OPAQUE = frozenset({"application/octet-stream"})

#: PutRawEvents' Metadata (as EventBridge Scheduler's PutRawEvents target documents it): "Keys
#: must be 1-128 characters and must not contain "/"", "Maximum number of 100 items", each value
#: at least 1 character.
MAX_METADATA_ENTRIES = 100
MAX_METADATA_KEY_LENGTH = 128

_PARTS = frozenset(SCOPE_KEYS.values())
_TEXT = (bytes, bytearray, memoryview, str)


class BusEvent(NamedTuple):
    """One bus event, checked and split into what each filter scope reads (and a target receives).

    Attributes:
        data: the data as a JSON object, or None when no ``DATA`` filter can read it
            (octet-stream, or JSON that is not an object).
        metadata: the publisher's metadata (empty for a PutEvents event).
        system: the system metadata, every value a string.
        raw: the data exactly as given when given as bytes or text (bytes for a bytearray or
            memoryview), else None: what a ``RAW`` transformer delivers.
        decoded: the data decoded, of any JSON type (an array, a number, an object, ...); None
            for octet-stream data, which is not JSON.
    """

    data: dict[str, Any] | None
    metadata: dict[str, str]
    system: dict[str, str]
    raw: bytes | str | None = None
    decoded: Any = None

    def part(self, scope: str) -> dict[str, Any] | None:
        """The part a filter of `scope` reads (None: the event has none it can read)."""
        if scope == "DATA":
            return self.data
        if scope == "METADATA":
            return self.metadata or None
        return self.system


def scope_key(scope: str, copy: int = 1) -> str:
    """The name a scope's part has in `bus_to_event`'s event: ``Data``, ``Data#2``, ..."""
    key = SCOPE_KEYS[scope]
    return key if copy == 1 else f"{key}#{copy}"


def read_bus_event(event: Any) -> BusEvent:
    """Check a bus event and read its parts.

    Args:
        event: ``{"Data": ..., "Metadata": {...}, "SystemMetadata": {...}}`` as a dict (or any
            `Mapping`), or as JSON text or bytes (a ``WITH_METADATA`` delivery). ``Data`` is
            bytes, text, or an already decoded value; ``Metadata`` may be left out.

    Returns:
        The `BusEvent`.

    Raises:
        InvalidEventError: the event is not of that shape, breaks a limit of the bus, or its
            data does not decode as its ContentType says.
    """
    if isinstance(event, _TEXT):
        event = decode_event(event)
    if type(event) is not dict and not isinstance(event, Mapping):  # (an ABC check is slow)
        raise InvalidEventError(f"Expected a bus event (`object`), got `{type(event).__name__}` - at `$`")
    for key in event:
        if key not in _PARTS:
            raise InvalidEventError(f"Expected `Data`, `Metadata` or `SystemMetadata`, got `{key}` - at `$`")
    system = _system_metadata(event.get("SystemMetadata"))
    content_type = system["ContentType"]
    metadata = _metadata(event.get("Metadata"))
    if metadata and content_type == PUT_EVENTS_CONTENT_TYPE:
        raise InvalidEventError(
            f"Expected no `Metadata` on a PutEvents event (ContentType `{PUT_EVENTS_CONTENT_TYPE}`), "
            f"got {len(metadata)} keys - at `$.Metadata`"
        )
    if "Data" not in event:
        raise InvalidEventError("Expected `Data` - at `$`")
    given = event["Data"]
    data, decoded = _data(given, content_type)
    raw: bytes | str | None = None
    if isinstance(given, (bytes, str)):
        raw = given
    elif isinstance(given, (bytearray, memoryview)):  # its bytes as they are now
        raw = bytes(given)
    return BusEvent(data, metadata, system, raw, decoded)


def _system_metadata(value: Any) -> dict[str, str]:
    if value is None:
        raise InvalidEventError("Expected `SystemMetadata` - at `$`")
    if type(value) is not dict and not isinstance(value, Mapping):
        raise InvalidEventError(f"Expected `object`, got `{json_type(value)}` - at `$.SystemMetadata`")
    out: dict[str, str] = {}
    for key, v in value.items():
        if not isinstance(key, str):
            raise InvalidEventError(f"Expected `str` key, got `{type(key).__name__}` - at `$.SystemMetadata`")
        if not isinstance(v, str):
            # The addressing page: "Each value is a string".
            raise InvalidEventError(f"Expected `str`, got `{json_type(v)}` - at `$.SystemMetadata.{key}`")
        out[key] = str(v)
    for required in ("aws:DeliveryType", "ContentType"):
        if required not in out:
            raise InvalidEventError(f"Expected `{required}` - at `$.SystemMetadata`")
    if out["ContentType"] not in CONTENT_TYPES:
        known = ", ".join(f"`{t}`" for t in sorted(CONTENT_TYPES))
        raise InvalidEventError(
            f"Expected a ContentType ({known}), got `{out['ContentType']}` - at `$.SystemMetadata.ContentType`"
        )
    return out


def _metadata(value: Any) -> dict[str, str]:
    if value is None:
        return {}
    if type(value) is not dict and not isinstance(value, Mapping):
        raise InvalidEventError(f"Expected `object`, got `{json_type(value)}` - at `$.Metadata`")
    if len(value) > MAX_METADATA_ENTRIES:
        raise InvalidEventError(
            f"Expected at most {MAX_METADATA_ENTRIES} metadata entries, got {len(value)} - at `$.Metadata`"
        )
    out: dict[str, str] = {}
    for key, v in value.items():
        if not isinstance(key, str) or not 1 <= len(key) <= MAX_METADATA_KEY_LENGTH or "/" in key:
            raise InvalidEventError(
                f"Expected a metadata key of 1 to {MAX_METADATA_KEY_LENGTH} characters without `/`, "
                f"got `{key}` - at `$.Metadata`"
            )
        if not isinstance(v, str) or not v:
            raise InvalidEventError(
                f"Expected a non-empty `str`, got `{json_type(v)}` - at `$.Metadata.{key}`"
            )
        out[key] = str(v)
    return out


def _data(value: Any, content_type: str) -> tuple[dict[str, Any] | None, Any]:
    """The data a ``DATA`` filter reads (a JSON object, or None), and the data decoded."""
    if content_type in _OPAQUE:
        if not isinstance(value, _TEXT):
            raise InvalidEventError(
                f"Expected `bytes` or `str` data for `{content_type}`, got `{json_type(value)}` - at `$.Data`"
            )
        return None, None
    if isinstance(value, _TEXT):
        try:
            decoded = decode_json(value)  # numbers no double holds as `BigNumber`s; or the error
        except InvalidEventError as exc:
            hint = "" if content_type in _JSON_TYPES else f"; give the JSON form of `{content_type}` data"
            raise InvalidEventError(f"{exc} (in `$.Data`{hint})", offset=exc.offset) from None
    else:
        decoded = value
    if type(decoded) is dict:
        return decoded, decoded
    if isinstance(decoded, Mapping):
        decoded = dict(decoded)
        return decoded, decoded
    if content_type == PUT_EVENTS_CONTENT_TYPE:
        raise InvalidEventError(
            f"Expected `object` (the PutEvents envelope), got `{json_type(decoded)}` - at `$.Data`"
        )
    if decoded is not value:
        return None, decoded
    # A caller's decoded data that no filter reads: checked here (an object is checked where
    # the machine flattens it), so that what is delivered is JSON; the path as the machine words it.
    check_tree({"Data": decoded})
    return None, decoded


def bus_to_event(event: Any, copies: tuple[int, int, int] = (1, 1, 1)) -> dict[str, Any]:
    """The one event a machine of dialect ``"bus"`` reads: the parts under their names.

    Args:
        event: a bus event, as `read_bus_event` takes it.
        copies: under how many names each scope's part appears (DATA, METADATA,
            SYSTEM_METADATA): one per filter of that scope in the machine's largest
            subscriber (see the module docs).

    Returns:
        ``{"Data": ..., "DataReadable": true, "Metadata": ..., "SystemMetadata": ...}``, with
        ``Data`` and ``DataReadable`` only for readable data and ``Metadata`` only when the
        event has some.

    Raises:
        InvalidEventError: as `read_bus_event`.
    """
    bus = read_bus_event(event)
    if copies == (1, 1, 1):  # the common case, spelt out: this runs once per event
        out: dict[str, Any] = {"SystemMetadata": bus.system}
        if bus.metadata:
            out["Metadata"] = bus.metadata
        if bus.data is not None:
            out["Data"] = bus.data
            out[DATA_READABLE] = True
        return out
    out = {}
    for scope, count in zip(SCOPES, copies, strict=True):
        part = bus.part(scope)
        if part is None:
            continue
        for copy in range(1, count + 1):
            out[scope_key(scope, copy)] = part
    if bus.data is not None:
        out[DATA_READABLE] = True
    return out
