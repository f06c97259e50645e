"""Source records as Lambda event filtering and EventBridge Pipes filter them, and `FilterCriteria`.

A Lambda event source mapping or a pipe polls a source and filters each record with the patterns
of its ``FilterCriteria`` (dialects ``"lambda"`` and ``"pipes"``). The pattern is not matched
against the record's raw bytes: the poller first turns the record's message field into JSON when
it can. What the filter reads, per source (the Lambda and Pipes filtering pages):

    source             message field   in the record           what the filter reads
    SQS                body            text                    a JSON object when the text is
                                                               one, else the text itself
    Kinesis            data            base64                  decoded, then as SQS's body
    Amazon MQ          data            base64                  decoded, then as SQS's body
    MSK / Kafka        value (and key) base64                  decoded, then as SQS's body
    DynamoDB Streams   dynamodb        a JSON object           unchanged: DynamoDB JSON, so a
                                                               number is {"N": "101"}, a string

So ``{"body": {"RequestCode": ["BBBB"]}}`` reads a JSON body and never matches a plain-text one,
and ``{"body": ["plain text"]}`` reads a plain-text body and never matches a JSON one: the
format table of the filtering pages ("Lambda drops the message") holds by construction. A DynamoDB
``N`` attribute stays a string: ``{"N": ["101"]}`` matches, ``{"N": [101]}`` and numeric do not.

Lambda hands a Kinesis record over with its stream fields under ``kinesis``; filters name them
at the top (``{"data": ...}``, ``{"partitionKey": ...}``), so the filter reads that object lifted
to the top. A Kafka or MQ message that is not UTF-8 reads as ``null``: no data pattern matches it.

Decided where AWS says nothing (ours): only a JSON *object* counts as JSON (a body ``123`` or
``"x"`` is read as its text, as a body that is a JSON scalar has no fields to filter); base64
that does not decode is an `InvalidEventError`; metadata fields are kept as the record has them,
although the services let patterns use only some (Lambda: only the message field for SQS,
Kinesis, DynamoDB and Kafka; Pipes: not the fields the poller adds, such as ``eventSourceARN``).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from .errors import InvalidEventError, InvalidPatternError
from .events import decode_event

if TYPE_CHECKING:
    from .core import Pattern
    from .dialects import Dialect
    from .machine import Machine

__all__ = [
    "MESSAGE_FIELDS",
    "SOURCES",
    "FilterCriteria",
    "detect_source",
    "dynamodb_record",
    "kafka_record",
    "kinesis_record",
    "mq_record",
    "record_to_event",
    "sqs_record",
]

#: The sources, by the names `record_to_event` and `FilterCriteria` take.
SOURCES = ("sqs", "kinesis", "dynamodb", "kafka", "mq")

#: Each source's message ("data") fields: the ones whose format the filter checks.
MESSAGE_FIELDS: dict[str, tuple[str, ...]] = {
    "sqs": ("body",),
    "kinesis": ("data",),
    "dynamodb": ("dynamodb",),
    "kafka": ("key", "value"),
    "mq": ("data",),
}


# --- one record -> the filter's input ------------------------------------------------------------


def _as_record(record: Any) -> dict:
    """A record given as a dict, JSON text or JSON bytes, as a dict."""
    return decode_event(record)


def _read_text(text: str) -> Any:
    """A message as the filter reads it: a JSON object when the text is one, else the text."""
    if text.lstrip()[:1] != "{":
        return text
    try:
        return decode_event(text)
    except InvalidEventError:  # not JSON after all: plain text
        return text


def _read_base64(value: Any, where: str) -> Any:
    """A base64 message field (Kinesis and MQ ``data``, Kafka ``key`` and ``value``), decoded.

    A value that is not a string (null: a Kafka record without a key; a dict: a record someone
    already decoded) is kept as it is.
    """
    if not isinstance(value, str):
        return value
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidEventError(f"Expected base64 text, got `{value[:40]}` - at `{where}`") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        # Not UTF-8: the services filter such a message "on the other metadata properties only"
        # (Kafka and MQ tables); as null, no pattern on the message field matches it.
        return None
    return _read_text(text)


def sqs_record(record: Any) -> dict:
    """What a filter reads from an SQS message record: ``body`` parsed when it is a JSON object.

    Args:
        record: the record as Lambda or Pipes delivers it (``messageId``, ``body``, ...), as a
            dict or JSON text.

    Returns:
        A new dict; the record itself is not changed.

    Raises:
        InvalidEventError: the record is not a JSON object.
    """
    record = _as_record(record)
    event = dict(record)
    if isinstance(event.get("body"), str):
        event["body"] = _read_text(event["body"])
    return event


def kinesis_record(record: Any) -> dict:
    """What a filter reads from a Kinesis record: its stream fields at the top, ``data`` decoded.

    Lambda nests the stream fields under ``kinesis`` (``{"kinesis": {"partitionKey": ...,
    "data": ...}, "eventSource": "aws:kinesis", ...}``); Pipes gives them at the top. Either way
    the result has ``partitionKey``, ``data``, ... at the top, ``data`` base64-decoded and read as
    JSON when it is a JSON object.

    Args:
        record: the record, as a dict or JSON text.

    Returns:
        A new dict.

    Raises:
        InvalidEventError: not a JSON object, or ``data`` is not base64.
    """
    record = _as_record(record)
    inner = record.get("kinesis")
    if isinstance(inner, dict):
        event = {k: v for k, v in record.items() if k != "kinesis"}
        event.update(inner)
        where = "$.kinesis.data"
    else:
        event = dict(record)
        where = "$.data"
    if "data" in event:
        event["data"] = _read_base64(event["data"], where)
    return event


def dynamodb_record(record: Any) -> dict:
    """What a filter reads from a DynamoDB Streams record: the record unchanged.

    The images stay in DynamoDB JSON (``{"Id": {"N": "101"}}``): numbers are strings, as the
    filtering pages' examples show (``{"N": ["101"]}``).

    Args:
        record: the record, as a dict or JSON text.

    Returns:
        The record as a dict (the given dict itself).

    Raises:
        InvalidEventError: not a JSON object.
    """
    return _as_record(record)


def kafka_record(record: Any) -> dict:
    """What a filter reads from an MSK or self-managed Kafka record: ``key`` and ``value`` decoded.

    Args:
        record: one record of a topic-partition's list (``topic``, ``partition``, ``offset``,
            ``key``, ``value``, ...), as a dict or JSON text.

    Returns:
        A new dict.

    Raises:
        InvalidEventError: not a JSON object, or ``key`` / ``value`` is not base64.
    """
    event = dict(_as_record(record))
    for name in ("key", "value"):
        if name in event:
            event[name] = _read_base64(event[name], f"$.{name}")
    return event


def mq_record(record: Any) -> dict:
    """What a filter reads from an Amazon MQ (ActiveMQ or RabbitMQ) message: ``data`` decoded.

    Args:
        record: one message (``messageID``, ``data``, ... or ``basicProperties``, ``data``), as a
            dict or JSON text.

    Returns:
        A new dict.

    Raises:
        InvalidEventError: not a JSON object, or ``data`` is not base64.
    """
    event = dict(_as_record(record))
    if "data" in event:
        event["data"] = _read_base64(event["data"], "$.data")
    return event


_READERS: dict[str, Callable[[Any], dict]] = {
    "sqs": sqs_record,
    "kinesis": kinesis_record,
    "dynamodb": dynamodb_record,
    "kafka": kafka_record,
    "mq": mq_record,
}


def detect_source(record: Mapping) -> str | None:
    """Which source a record comes from, by its ``eventSource`` or, failing that, its shape.

    Args:
        record: a decoded record.

    Returns:
        One of `SOURCES`, or None when the record looks like none of them.
    """
    origin = record.get("eventSource")
    if origin == "aws:sqs" or ("body" in record and "receiptHandle" in record):
        return "sqs"
    if origin == "aws:kinesis" or isinstance(record.get("kinesis"), dict):
        return "kinesis"
    if "data" in record and "partitionKey" in record and "sequenceNumber" in record:
        return "kinesis"  # a Pipes Kinesis record without its envelope
    if origin == "aws:dynamodb" or isinstance(record.get("dynamodb"), dict):
        return "dynamodb"
    if "topic" in record and "partition" in record and "offset" in record:
        return "kafka"
    if "data" in record and ("messageID" in record or "basicProperties" in record):
        return "mq"
    return None


def record_to_event(record: Any, source: str | None = None) -> dict:
    """What a Lambda or Pipes filter reads from one source record (the dialects' input decoder).

    Args:
        record: the record as the poller delivers it, as a dict, JSON text or JSON bytes.
        source: one of `SOURCES`; None detects it (`detect_source`). A record of no known shape
            is read as it is, like an EventBridge event.

    Returns:
        The event the filter is evaluated against.

    Raises:
        InvalidEventError: the record is not a JSON object, or a base64 field does not decode.
        ValueError: unknown source name.
    """
    record = _as_record(record)
    if source is None:
        source = detect_source(record)
        if source is None:
            return record
    try:
        reader = _READERS[source]
    except KeyError:
        known = ", ".join(f"`{s}`" for s in SOURCES)
        raise ValueError(f"Expected a source ({known}), got `{source}`") from None
    return reader(record)


# --- FilterCriteria ------------------------------------------------------------------------------

#: A message field in a pattern that reads the other format than the record's. Kafka and MQ then
#: filter "on the other metadata properties only" (their format tables); these value lists stand
#: in for the message field's conditions in that case.
_JSON_PATTERN_MISMATCH = [{"prefix": ""}, None]  # the record holds plain text (or non-UTF-8: null)
_PLAIN_PATTERN_MISMATCH = [{"exists": False}, None]  # the record holds a JSON object (or null)


class FilterCriteria:
    """The filters of one event source mapping or pipe: a record passes when any filter matches.

        criteria = FilterCriteria({"Filters": [{"Pattern": '{"body": {"RequestCode": ["BBBB"]}}'}]})
        criteria.matches(sqs_message)   # -> True / False

    Built from the API's ``{"Filters": [{"Pattern": "..."}]}`` (``{}`` or no filters: nothing is
    filtered out) or from a plain list of patterns. The number of filters is checked against the
    service's quota: Lambda 5 per event source mapping, raisable to 10 (pass ``quota=10``); Pipes
    5. Each pattern is validated as `patterns.compile` does for the dialect.

    With a `source`, records are read as that source's (see the module docs) and two rules of the
    filtering pages' format tables that depend on the pattern as well as the record apply:

    - Kinesis and DynamoDB: a pattern on the message field (``data``, ``dynamodb``) must be JSON
      (an object): a value list there is refused, as AWS refuses it at create time.
    - Kafka and MQ: where the record's message field and the pattern's disagree in format (JSON
      object against plain text, or a message that is not UTF-8), the filter is evaluated on the
      other fields only, instead of dropping the record. Only a top-level message field is
      considered (not one inside ``$or`` or spelt with a dot).

    Without a source, records are recognised by shape and a format mismatch drops the record,
    as it does for SQS, Kinesis and DynamoDB.

    A `patterns.Machine` of the same dialect holds criteria as rules: `add_to` adds one rule per
    effective pattern, named ``"<name>#<i>"``; a record passes the criteria when
    ``machine.match(record)`` lists any of the names `add_to` returned. Criteria without filters
    add no rule (they filter nothing out).

    Attributes:
        dialect: the `Dialect` (``lambda`` or ``pipes``).
        source: the source name, or None.
        patterns: the compiled filters, in order.
    """

    def __init__(
        self,
        filters: Mapping | Iterable,
        *,
        dialect: str | Dialect = "lambda",
        source: str | None = None,
        quota: int | None = None,
    ) -> None:
        """Validate a mapping's or pipe's filters.

        Args:
            filters: ``{"Filters": [{"Pattern": text}, ...]}``, or a list of patterns (JSON
                text, UTF-8 bytes, decoded dicts, ``{"Pattern": text}`` entries or `Pattern`
                objects of the dialect).
            dialect: ``"lambda"`` (the default) or ``"pipes"``.
            source: one of `SOURCES`, or None to recognise each record by its shape.
            quota: the filters allowed per mapping (Lambda: 5 by default, at most 10 after a
                quota increase); None takes the service's default.

        Raises:
            InvalidPatternError: a pattern the service would refuse (``err.filter_index`` says
                which filter), or more filters than the quota allows.
            ValueError: a dialect without filter lists, an unknown source, or a quota beyond
                what the service allows.
        """
        from .core import Pattern, compile
        from .dialects import get_dialect

        d = get_dialect(dialect)
        if d.max_filters is None:
            raise ValueError(f"Expected a dialect with filter criteria (`lambda`, `pipes`), got `{d.name}`")
        if source is not None and source not in SOURCES:
            known = ", ".join(f"`{s}`" for s in SOURCES)
            raise ValueError(f"Expected a source ({known}), got `{source}`")
        allowed = d.max_filters if quota is None else quota
        ceiling = d.max_filters_quota or d.max_filters
        if not 0 < allowed <= ceiling:
            raise ValueError(f"Expected a quota of 1 to {ceiling} filters for `{d.name}`, got `{quota}`")
        self.dialect = d
        self.source = source
        items = _filter_items(filters)
        if len(items) > allowed:
            service = "Lambda event source mapping" if d.name == "lambda" else "pipe"
            reason = f"Expected at most {allowed} filters per {service}, got {len(items)}"
            raise InvalidPatternError(f"{reason} - at `$.Filters`", reason, path="$.Filters")
        compiled: list[Pattern] = []
        for index, item in enumerate(items):
            if isinstance(item, Pattern):
                if item.dialect.name != d.name:
                    raise ValueError(f"Expected a pattern of dialect `{d.name}`, got `{item.dialect.name}`")
                compiled.append(item)
            else:
                try:
                    compiled.append(compile(item, dialect=d))
                except InvalidPatternError as err:
                    raise _at_filter(err, index) from None
        self.patterns: tuple[Pattern, ...] = tuple(compiled)
        for index, p in enumerate(self.patterns):
            self._check_message_format(p, index)
        self._effective: tuple[Pattern, ...] = tuple(v for p in self.patterns for v in self._variants(p))
        # `matches` runs the Machine engine on the effective patterns, with the dialect reading
        # records as this criteria's source does.
        from .machine import Machine

        reader = record_to_event if source is None else _READERS[source]
        self._machine = Machine(dialect=replace(d, input_decoder=reader))
        for i, p in enumerate(self._effective):
            self._machine.add(f"#{i}", p)

    def _check_message_format(self, p: Pattern, index: int) -> None:
        """Kinesis and DynamoDB refuse a message-field pattern that is not JSON (create time)."""
        from .model import Leaf

        if self.source not in ("kinesis", "dynamodb"):
            return
        for f in p.model.fields:
            if f.key in MESSAGE_FIELDS[self.source] and isinstance(f.value, Leaf):
                # The filtering pages' words for this case; the message prefix is the dialect's.
                reason = "The filter pattern for data properties must be in a valid JSON format"
                err = InvalidPatternError(self.dialect.message(reason), reason, path=f"$.{f.key}")
                raise _at_filter(err, index)

    def _variants(self, p: Pattern) -> list[Pattern]:
        """The pattern, plus for Kafka and MQ the forms that apply on a format mismatch.

        A variant is ours, not the user's text: it is compiled without the length cap (its
        stand-in condition may be longer than the condition it replaces).
        """
        from .core import compile
        from .model import Leaf

        variants = [p]
        if self.source not in ("kafka", "mq"):
            return variants
        uncapped = replace(self.dialect, max_pattern_length=None)
        for f in p.model.fields:
            if f.key not in MESSAGE_FIELDS[self.source]:
                continue
            stand_in = _PLAIN_PATTERN_MISMATCH if isinstance(f.value, Leaf) else _JSON_PATTERN_MISMATCH
            for v in list(variants):
                changed = v.to_json()
                changed[f.key] = stand_in
                variants.append(compile(changed, dialect=uncapped))
        return variants

    # -- matching --

    def read(self, record: Any) -> dict:
        """The event this criteria's filters read from a record (see `record_to_event`)."""
        return record_to_event(record, self.source)

    def matches(self, record: Any) -> bool:
        """Whether a record passes: True when any filter matches it, or when there is none.

        Args:
            record: the record as the poller delivers it (base64 fields still encoded), as a
                dict, JSON text or JSON bytes.

        Returns:
            Whether the service would hand the record to the function or target.

        Raises:
            InvalidEventError: the record is not a JSON object, or a base64 field does not decode.
        """
        if not self.patterns:
            return True
        return bool(self._machine.match(record))

    # -- a Machine holding the criteria --

    def rule_names(self, name: str) -> tuple[str, ...]:
        """The names `add_to` gives this criteria's rules under `name`."""
        return tuple(f"{name}#{i}" for i in range(len(self._effective)))

    def add_to(self, machine: Machine, name: str) -> tuple[str, ...]:
        """Add the criteria to a machine as rules ``"<name>#0"``, ``"<name>#1"``, ...

        A record passes the criteria when ``machine.match(record)`` lists any returned name. The
        machine reads records by shape (`detect_source`), so give them as the poller does.

        Args:
            machine: a `Machine` of this criteria's dialect.
            name: the criteria's name, the prefix of its rules' names.

        Returns:
            The rule names added (none for criteria without filters, which filter nothing out).

        Raises:
            ValueError: a machine of another dialect.
        """
        if machine.dialect.name != self.dialect.name:
            raise ValueError(
                f"Expected a machine of dialect `{self.dialect.name}`, got `{machine.dialect.name}`"
            )
        names = self.rule_names(name)
        for rule, p in zip(names, self._effective, strict=True):
            machine.add(rule, p)
        return names

    def remove_from(self, machine: Machine, name: str) -> None:
        """Remove the rules `add_to` added under `name` (KeyError when one is missing)."""
        for rule in self.rule_names(name):
            machine.remove(rule)

    # -- the API form --

    def to_json(self) -> dict:
        """The criteria as the API takes it: ``{"Filters": [{"Pattern": text}, ...]}``."""
        filters = []
        for p in self.patterns:
            text = p.source
            if text is None:
                text = json.dumps(p.to_json(), ensure_ascii=False, separators=(",", ":"))
            filters.append({"Pattern": text})
        return {"Filters": filters}

    def __len__(self) -> int:
        return len(self.patterns)

    def __repr__(self) -> str:
        source = f", source={self.source!r}" if self.source else ""
        return f"FilterCriteria({len(self.patterns)} filters, dialect={self.dialect.name!r}{source})"


def _filter_items(filters: Mapping | Iterable) -> list:
    """The patterns of a ``{"Filters": [...]}`` mapping or of a plain list."""
    if isinstance(filters, Mapping):
        if set(filters) - {"Filters"}:
            keys = ", ".join(f"`{k}`" for k in filters)
            raise ValueError(f"Expected a FilterCriteria mapping with `Filters` only, got {keys}")
        items = filters.get("Filters") or []
    elif isinstance(filters, (str, bytes, bytearray)):
        raise ValueError("Expected a FilterCriteria mapping or a list of patterns, got one pattern")
    else:
        items = filters
    out = []
    for item in items:
        if isinstance(item, Mapping) and set(item) == {"Pattern"} and isinstance(item["Pattern"], str):
            item = item["Pattern"]  # an API Filter entry
        out.append(item)
    return out


def _at_filter(err: InvalidPatternError, index: int) -> InvalidPatternError:
    """The same error, marked with the index of the filter it is about (``err.filter_index``)."""
    err.filter_index = index  # type: ignore[attr-defined]
    return err
