"""Facts about AWS that the lint rules and the source readers share: data, no logic.

Each fact has a comment saying what it states; the rule that relies on it says why it matters
(``pattern-lint rule CODE``, docs/rules.md).
"""

from __future__ import annotations

import re

__all__ = [
    "ALWAYS_PRESENT",
    "BODY_KEYS",
    "DATA_KEY",
    "DEFAULT_PATTERN_QUOTA",
    "ENVELOPE",
    "ENVELOPE_STRINGS",
    "LIMIT_REASONS",
    "MAX_PATTERN_LENGTH",
    "NATIVE_FIELDS",
    "NUMBER_FIELDS",
    "NUMBER_RANGES",
    "OBJECT_FIELDS",
    "POLLER_FIELDS",
    "RECORD_FIELDS",
    "SOURCE_NAMES",
    "STRING_FIELDS",
    "TEST_EVENT_INVALID",
    "TEST_EVENT_REQUIRED",
]

# --- EventBridge events ----------------------------------------------------------------------

#: Top-level keys of an EventBridge event (the "envelope").
ENVELOPE = frozenset(
    {
        "version",
        "id",
        "detail-type",
        "source",
        "account",
        "time",
        "region",
        "resources",
        "detail",
        "replay-name",
    }
)
#: Envelope fields every EventBridge event has, always as strings (``resources``: strings).
ENVELOPE_STRINGS = frozenset(
    {"version", "id", "detail-type", "source", "account", "time", "region", "resources"}
)
#: Envelope fields every event carries (so an anything-but on them never meets an absent field).
ALWAYS_PRESENT = frozenset({"version", "id", "detail-type", "source", "account", "time", "region"})

#: The fields TestEventPattern (``aws events test-event-pattern``) requires of its event, in the
#: order the API reference lists them (API_TestEventPattern, "Event": "the following fields are
#: mandatory"). LocalStack's emulator leaves `resources` out, with a comment that AWS does not
#: require it "in reality"; the API reference and our notes (AWS-NOTES 1.5) list it, so it is kept.
TEST_EVENT_REQUIRED = ("id", "account", "source", "time", "region", "resources", "detail-type")
#: TestEventPattern's error for an event without them (ValidationException; AWS-NOTES 1.5, verified).
TEST_EVENT_INVALID = "Parameter Event is not valid."

# --- limits ----------------------------------------------------------------------------------

#: The API's length limit on a pattern (PutRule, TestEventPattern, Lambda and Pipes filters).
MAX_PATTERN_LENGTH = 4096
#: EventBridge's default (adjustable) quota on a rule's pattern size.
DEFAULT_PATTERN_QUOTA = 2048
#: How AWS's messages for a pattern beyond a service limit begin (E103 reports those, E102 the rest).
LIMIT_REASONS = (
    "Too many combinations of $or",
    "Filter policy is too",
    "Filter policy can not have",
    "Rule is too complex",
)
#: The numbers each service documents for comparisons, by the service's name: (bound, the bound as
#: the docs write it, decimal places); EventBridge -5.0e9 to 5.0e9 with six decimals, SNS -1.0e9
#: to 1.0e9 with five (number values in SNS value lists, which SNS accepts beyond the range).
NUMBER_RANGES = {"EventBridge": (5.0e9, "5e9", 6), "SNS": (1.0e9, "1e9", 5)}

# --- the records of each event source --------------------------------------------------------

#: Fields known to hold strings, per event source, with the reason a finding gives.
STRING_FIELDS = {
    "dynamodb": (
        re.compile(r"dynamodb\.(NewImage|OldImage|Keys)\.[^.]+\.(N|S|NS|SS)"),
        'DynamoDB stream records carry numbers as strings (`{"N": "42"}`)',
    ),
    "sqs": (
        re.compile(r"attributes\.[^.]+|messageAttributes\.[^.]+\.stringValue"),
        "SQS record attributes and message attribute values are strings",
    ),
}
#: Fields known to hold objects, per event source.
OBJECT_FIELDS = {
    "dynamodb": re.compile(r"dynamodb(\.(NewImage|OldImage|Keys)(\.[^.]+)?)?"),
}
#: Fields known to hold numbers, per event source.
NUMBER_FIELDS = {"dynamodb": frozenset({"dynamodb.ApproximateCreationDateTime", "dynamodb.SizeBytes"})}

#: Keys that belong to message bodies (EventBridge events, CloudWatch alarms, S3 notices).
BODY_KEYS = frozenset(
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
#: The field of each source's record that holds the message itself (a filter on the content starts there).
DATA_KEY = {"sqs": "body", "kinesis": "data", "dynamodb": "dynamodb", "kafka": "value", "mq": "data"}
#: Each event source as AWS names it, for messages.
SOURCE_NAMES = {
    "sqs": "SQS",
    "kinesis": "Kinesis",
    "dynamodb": "DynamoDB stream",
    "kafka": "Kafka",
    "mq": "Amazon MQ",
}

#: Fields the Pipes poller adds to records; Pipes filters cannot match them.
POLLER_FIELDS = frozenset(
    {"awsRegion", "eventSource", "eventSourceARN", "eventVersion", "eventID", "eventName", "invokeIdentityArn",
     "eventSourceKey"}
)  # fmt: skip
#: Of those, the ones a source's own records already carry (DynamoDB stream records have them).
NATIVE_FIELDS = {"dynamodb": frozenset({"awsRegion", "eventSource", "eventVersion", "eventID", "eventName"})}
