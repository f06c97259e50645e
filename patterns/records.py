"""Source records as Lambda event filtering and EventBridge Pipes read them (`FilterCriteria` is in `patterns.filters`).

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
from collections.abc import Callable, Mapping
from typing import Any

from .errors import InvalidEventError
from .events import decode_event

__all__ = [
    "MESSAGE_FIELDS",
    "READERS",
    "SOURCES",
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


READERS: dict[str, Callable[[Any], dict]] = {
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
        reader = READERS[source]
    except KeyError:
        known = ", ".join(f"`{s}`" for s in SOURCES)
        raise ValueError(f"Expected a source ({known}), got `{source}`") from None
    return reader(record)


# --- FilterCriteria ------------------------------------------------------------------------------

#: A message field in a pattern that reads the other format than the record's. Kafka and MQ then
#: filter "on the other metadata properties only" (their format tables); these value lists stand
#: in for the message field's conditions in that case.
