"""CloudTrail logs: records wrapped in the EventBridge envelope and matched by rules users write.

The records (cloudtrail_records.json) are modelled on AWS's documented examples ("CloudTrail log
file examples" and "AWS Management Console sign-in events" in the CloudTrail user guide):
StartInstances/StopInstances by an IAM user, CreateUser, a failed and a root console sign-in,
an S3 DeleteBucket refused with AccessDenied, a read-only DescribeInstances, an S3 GetObject data
event and a KMS service event.
"""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import orjson
import pytest

import patterns
from patterns.archive import event_source_name, read_batches, wrap_record

HERE = Path(__file__).parent
LOG = (HERE / "cloudtrail_records.json").read_bytes()
COMPACT = orjson.dumps(orjson.loads(LOG))  # as CloudTrail writes it: one line


def _events(data: bytes, **options) -> list[dict]:
    return [orjson.loads(e) for b in read_batches(io.BytesIO(data), **options) for e in b.events]


def test_records_are_wrapped_in_their_eventbridge_envelope() -> None:
    events = _events(gzip.compress(COMPACT))
    first = events[0]
    assert list(first) == [
        "version", "id", "detail-type", "source", "account", "time", "region", "resources", "detail"
    ]  # fmt: skip
    assert first["detail-type"] == "AWS API Call via CloudTrail"
    assert first["source"] == "aws.ec2"
    assert first["account"] == "123456789012"
    assert first["region"] == "us-east-2"
    assert first["time"] == "2026-11-03T20:43:12Z"
    assert first["id"] == "ct-start-instances-1"
    assert first["detail"]["eventName"] == "StartInstances"
    kinds = {(e["detail"]["eventName"], e["detail-type"], e["source"]) for e in events}
    assert ("ConsoleLogin", "AWS Console Sign In via CloudTrail", "aws.signin") in kinds
    assert ("RotateKey", "AWS Service Event via CloudTrail", "aws.kms") in kinds


def test_read_only_management_events_are_left_out_unless_asked() -> None:
    names = [e["detail"]["eventName"] for e in _events(COMPACT)]
    assert "DescribeInstances" not in names
    assert "GetObject" in names  # a read-only *data* event still reaches rules
    assert len(names) == 8
    with_read_only = [e["detail"]["eventName"] for e in _events(COMPACT, read_only=True)]
    assert "DescribeInstances" in with_read_only and len(with_read_only) == 9


def test_pretty_printed_log_reads_the_same() -> None:
    assert _events(LOG) == _events(COMPACT)
    assert _events(LOG, format="cloudtrail") == _events(COMPACT)


def test_rules_on_event_name_identity_type_and_error_code_match_the_right_records() -> None:
    machine = patterns.Machine()
    machine.add(
        "ec2-start-stop",
        {"source": ["aws.ec2"], "detail": {"eventName": ["StartInstances", "StopInstances"]}},
    )
    machine.add("root", {"detail": {"userIdentity": {"type": ["Root"]}}})
    machine.add("denied", {"detail": {"errorCode": ["AccessDenied"]}})
    machine.add(
        "failed-sign-in",
        {
            "detail-type": ["AWS Console Sign In via CloudTrail"],
            "detail": {"errorMessage": ["Failed authentication"]},
        },
    )
    machine.add(
        "assumed-role-s3", {"source": ["aws.s3"], "detail": {"userIdentity": {"type": ["AssumedRole"]}}}
    )
    found: dict[str, list[str]] = {}
    for batch in read_batches(io.BytesIO(gzip.compress(COMPACT))):
        for event, names in zip(batch.events, machine.match_many(batch.events), strict=True):
            for name in names:
                found.setdefault(name, []).append(orjson.loads(event)["id"])
    assert found == {
        "ec2-start-stop": ["ct-start-instances-1", "ct-stop-instances-1"],
        "root": ["ct-console-login-root-1"],
        "denied": ["ct-delete-bucket-denied-1"],
        "failed-sign-in": ["ct-console-login-failed-1"],
        "assumed-role-s3": ["ct-delete-bucket-denied-1", "ct-get-object-1"],
    }


def test_damaged_records_in_a_log_are_reported_and_the_rest_read() -> None:
    text = b'{"Records": [' + orjson.dumps(orjson.loads(COMPACT)["Records"][0]) + b', 42, {"no": "source"}]}'
    batches = list(read_batches(io.BytesIO(text)))
    events = [e for b in batches for e in b.events]
    damaged = [d for b in batches for d in b.damaged]
    assert len(events) == 1
    assert [d.data for d in damaged] == [b"42", b'{"no": "source"}']
    assert damaged[1].reason.startswith("Expected a CloudTrail record")


def test_truncated_gzipped_log_keeps_the_whole_records() -> None:
    cut = gzip.compress(COMPACT)[:-300]
    batches = list(read_batches(io.BytesIO(cut)))
    events = [e for b in batches for e in b.events]
    damaged = [d for b in batches for d in b.damaged]
    assert 0 < len(events) < 8
    assert len(damaged) == 1 and "the source ends early" in damaged[0].reason


def test_lambda_payload_records_are_read_as_lambda_filters_read_them() -> None:
    payload = {
        "Records": [
            {
                "messageId": "m1",
                "receiptHandle": "r",
                "body": '{"k": 1}',
                "eventSource": "aws:sqs",
                "attributes": {},
            }
        ]
    }
    (event,) = _events(orjson.dumps(payload))
    assert event["body"] == {"k": 1}


@pytest.mark.parametrize(
    ("event_source", "source"),
    [
        ("s3.amazonaws.com", "aws.s3"),
        ("monitoring.amazonaws.com", "aws.monitoring"),
        ("signin.amazonaws.com", "aws.signin"),
    ],
)
def test_event_source_names(event_source: str, source: str) -> None:
    # the EventBridge events reference, per service: "source: aws.<prefix>" for "<prefix>.amazonaws.com"
    assert event_source_name(event_source) == source


def test_unknown_event_type_is_refused() -> None:
    with pytest.raises(ValueError, match="eventType"):
        wrap_record({"eventSource": "s3.amazonaws.com", "eventType": "AwsVpceEvent"})
