"""CloudTrail records as EventBridge delivers them: each record wrapped in its event envelope.

CloudTrail writes ``{"Records": [record, ...]}`` files to S3; EventBridge rules never see a
record alone, but this event (AWS, "AWS service events delivered via AWS CloudTrail",
https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-event-cloudtrail.html, and
the per-service pages of the EventBridge events reference, e.g. events-ref-cloudtrail.html):

    {"version": "0", "id": <eventID>, "detail-type": <by eventType, below>,
     "source": "aws." + <eventSource less ".amazonaws.com">, "account": <recipientAccountId>,
     "time": <eventTime>, "region": <awsRegion>, "resources": [], "detail": <the record>}

    eventType              detail-type
    AwsApiCall             AWS API Call via CloudTrail
    AwsConsoleSignIn       AWS Console Sign In via CloudTrail
    AwsConsoleAction       AWS Console Action via CloudTrail
    AwsServiceEvent        AWS Service Event via CloudTrail
    AwsCloudTrailInsight   AWS Insight via CloudTrail

What is not AWS's record but our choice, for want of a source (docs/scan.md lists them):
- ``id``: EventBridge gives each event a new UUID that no log keeps; the record's ``eventID``
  stands in for it, so a match can be traced back to its record.
- ``resources``: AWS's sample events delivered via CloudTrail carry an empty list; we do too.
- the sign-in detail-type: the EventBridge user guide's list spells it "AWS Console Signin via
  CloudTrail", while the events AWS delivers (and the rules users write, and AWS's own samples)
  read "AWS Console Sign In via CloudTrail"; recorded behaviour wins.
- ``source``: the reference pages give ``aws.<prefix>`` for ``<prefix>.amazonaws.com`` for every
  service we checked (s3, monitoring, cloudtrail, signin, networkmonitor); `SOURCE_EXCEPTIONS`
  holds any service found to differ (none confirmed yet).

Read-only management events (``readOnly: true``, ``eventCategory`` Management or absent) reach
only rules in state ``ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS`` (AWS, "Receiving read-only
management events from AWS services", eb-service-event-cloudtrail-management.html): they are
left out unless asked for.
"""

from __future__ import annotations

from typing import Any

from ..events import json_type

__all__ = [
    "DETAIL_TYPES",
    "SOURCE_EXCEPTIONS",
    "NotCloudTrailError",
    "event_source_name",
    "is_read_only_management",
    "looks_like_cloudtrail",
    "wrap_record",
]

#: eventType -> the detail-type EventBridge gives the event.
DETAIL_TYPES: dict[str, str] = {
    "AwsApiCall": "AWS API Call via CloudTrail",
    "AwsConsoleSignIn": "AWS Console Sign In via CloudTrail",
    "AwsConsoleAction": "AWS Console Action via CloudTrail",
    "AwsServiceEvent": "AWS Service Event via CloudTrail",
    "AwsCloudTrailInsight": "AWS Insight via CloudTrail",
}

#: eventSource -> EventBridge source, where it is not ``aws.`` + the part before ``.amazonaws.com``.
SOURCE_EXCEPTIONS: dict[str, str] = {}


class NotCloudTrailError(ValueError):
    """A record that cannot be wrapped: no eventSource, or an eventType EventBridge never sends."""


def event_source_name(event_source: str) -> str:
    """The EventBridge ``source`` of a CloudTrail ``eventSource`` (``s3.amazonaws.com`` -> ``aws.s3``).

    Args:
        event_source: the record's ``eventSource``.

    Returns:
        The source EventBridge gives the event.
    """
    known = SOURCE_EXCEPTIONS.get(event_source)
    if known is not None:
        return known
    prefix = event_source.removesuffix(".amazonaws.com")
    return f"aws.{prefix}"


def looks_like_cloudtrail(record: Any) -> bool:
    """Whether a decoded record is a CloudTrail record (not, say, a Lambda SQS record).

    Args:
        record: one element of a ``Records`` array.

    Returns:
        True when it has CloudTrail's ``eventVersion`` and an ``eventSource`` of a service
        domain (Lambda's records have ``aws:sqs``-style sources and no ``eventVersion`` of that form).
    """
    if not isinstance(record, dict):
        return False
    source = record.get("eventSource")
    return isinstance(source, str) and ":" not in source and "eventVersion" in record


def is_read_only_management(record: dict[str, Any]) -> bool:
    """Whether a record is a read-only management event (left out by default).

    Args:
        record: a CloudTrail record.

    Returns:
        True for ``readOnly: true`` with ``eventCategory`` Management or absent.
    """
    return record.get("readOnly") is True and record.get("eventCategory", "Management") == "Management"


def wrap_record(record: dict[str, Any]) -> dict[str, Any]:
    """The EventBridge event that delivers a CloudTrail record.

    Args:
        record: a decoded CloudTrail record.

    Returns:
        The event (a new dict; the record itself becomes its ``detail``).

    Raises:
        NotCloudTrailError: no string ``eventSource``, or an ``eventType`` without a known
            detail-type.
    """
    source = record.get("eventSource")
    if not isinstance(source, str):
        got = json_type(source) if "eventSource" in record else "no eventSource"
        raise NotCloudTrailError(f"Expected a CloudTrail record with a string `eventSource`, got `{got}`")
    kind = record.get("eventType", "AwsApiCall")
    detail_type = DETAIL_TYPES.get(kind) if isinstance(kind, str) else None
    if detail_type is None:
        raise NotCloudTrailError(
            f"Expected an eventType EventBridge delivers ({', '.join(DETAIL_TYPES)}), got `{kind}`"
        )
    return {
        "version": "0",
        "id": record.get("eventID", ""),
        "detail-type": detail_type,
        "source": event_source_name(source),
        "account": record.get("recipientAccountId", ""),
        "time": record.get("eventTime", ""),
        "region": record.get("awsRegion", ""),
        "resources": [],
        "detail": record,
    }
