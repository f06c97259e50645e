"""patterns.archive over S3 through fsspec, against moto's S3 server started here on localhost:
the counts of the same files read locally."""

from __future__ import annotations

import gzip
import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

from patterns import InvalidEventError, Machine
from patterns.archive import expand_sources, read_batches

s3fs = pytest.importorskip("s3fs", reason="s3fs is not installed (the `s3` extra)")
boto3 = pytest.importorskip("boto3", reason="boto3 is not installed (the `test` extra)")
moto_server = pytest.importorskip("moto.server", reason="moto[server] is not installed (the `test` extra)")

RULES = {
    "deletes": {"source": ["aws.s3"], "detail": {"eventName": [{"prefix": "Delete"}]}},
    "console": {"detail-type": ["AWS Console Sign In via CloudTrail"]},
    "denied": {"detail": {"errorCode": ["AccessDenied"]}},
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    port = _free_port()
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    patch = pytest.MonkeyPatch()
    # what a user sets for an S3-compatible store: botocore (under s3fs) reads AWS_ENDPOINT_URL;
    # fsspec passes FSSPEC_S3_* to S3FileSystem (older botocore ignores AWS_ENDPOINT_URL)
    for name, value in {
        "AWS_ENDPOINT_URL": endpoint,
        "FSSPEC_S3_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        patch.setenv(name, value)
    try:
        yield endpoint
    finally:
        patch.undo()
        s3fs.S3FileSystem.clear_instance_cache()  # no later test gets a client of this endpoint
        server.stop()


def _files(root: Path) -> dict[str, bytes]:
    events = []
    for n in range(200):
        detail: dict[str, Any] = {"eventName": "DeleteObject" if n % 3 == 0 else "PutObject"}
        if n % 8 == 0:
            detail["errorCode"] = "AccessDenied"
        events.append(
            orjson.dumps({"source": "aws.s3", "detail-type": "AWS API Call via CloudTrail", "detail": detail})
        )
    records = [
        {
            "eventVersion": "1.08",
            "userIdentity": {"type": "IAMUser", "accountId": "123456789012"},
            "eventTime": "2026-11-03T12:00:00Z",
            "eventSource": "s3.amazonaws.com" if n % 4 else "signin.amazonaws.com",
            "eventName": "DeleteBucket" if n % 4 else "ConsoleLogin",
            "awsRegion": "us-east-1",
            "eventID": f"00000000-0000-0000-0000-{n:012d}",
            "readOnly": False,
            "eventType": "AwsApiCall" if n % 4 else "AwsConsoleSignIn",
            "managementEvent": True,
            "recipientAccountId": "123456789012",
        }
        for n in range(12)
    ]
    files = {
        "firehose/2026/11/03/events.jsonl.gz": gzip.compress(b"\n".join(events) + b"\n"),
        "AWSLogs/123456789012/CloudTrail/us-east-1/2026/11/03/trail.json.gz": gzip.compress(
            json.dumps({"Records": records}).encode()
        ),
    }
    for key, data in files.items():
        path = root / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return files


def _counts(sources: list[str]) -> dict[str, Any]:
    machine = Machine()
    for name, pattern in RULES.items():
        machine.add(name, pattern)
    stats: dict[str, Any] = {"files": 0, "events": 0, "invalid": 0, "rules": dict.fromkeys(machine, 0)}
    for source in expand_sources(sources):
        stats["files"] += 1
        for batch in read_batches(source):
            stats["invalid"] += len(batch.damaged)
            for found in machine.match_many(batch.events, errors="yield"):
                if isinstance(found, InvalidEventError):
                    stats["invalid"] += 1
                    continue
                stats["events"] += 1
                for name in found:
                    stats["rules"][name] += 1
    return stats


def test_archive_reads_s3_urls_as_local_files(s3_endpoint: str, tmp_path: Path) -> None:
    files = _files(tmp_path)
    s3 = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1")
    s3.create_bucket(Bucket="archive")
    for key, data in files.items():
        s3.put_object(Bucket="archive", Key=key, Body=data)
    local = _counts([str(tmp_path)])
    assert local["files"] == 2 and local["events"] == 212
    assert local["rules"]["console"] == 3  # ConsoleLogin records, in their sign-in envelope
    # a prefix read recursively, and one object by its key
    assert _counts(["s3://archive/"]) == local
    key = "AWSLogs/123456789012/CloudTrail/us-east-1/2026/11/03/trail.json.gz"
    one = _counts([f"s3://archive/{key}"])
    assert one == _counts([str(tmp_path / key)])
    assert expand_sources(["s3://archive/firehose/"]) == ["s3://archive/firehose/2026/11/03/events.jsonl.gz"]
