"""patterns.dask on a 2-process `distributed.LocalCluster` started here: the single-process counts."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

import patterns
from patterns import Machine
from patterns.archive import expand_sources, read_batches
from patterns.dask import explain, scan
from patterns.errors import RulesError
from patterns.why import aggregate

pytest.importorskip("dask.bag", reason="dask[bag] is not installed (the `dask` extra)")
distributed = pytest.importorskip("distributed", reason="distributed is not installed (the `dask` extra)")

RULES = {
    "deletes": {"source": ["aws.s3"], "detail": {"eventName": [{"prefix": "Delete"}]}},
    "denied": {"detail": {"errorCode": ["AccessDenied"]}},
    "never": {"detail": {"eventName": ["DeleteBucket"]}},
}


def _event(n: int) -> dict[str, Any]:
    detail: dict[str, Any] = {"eventName": ["DeleteObject", "PutObject", "GetObject"][n % 3]}
    if n % 5 == 0:
        detail["errorCode"] = "AccessDenied"
    return {
        "source": "aws.s3" if n % 4 else "aws.ec2",
        "detail-type": "AWS API Call via CloudTrail",
        "detail": detail,
    }


def _record(n: int) -> dict[str, Any]:
    # a CloudTrail record (docs: "CloudTrail record contents for management events")
    return {
        "eventVersion": "1.08",
        "userIdentity": {"type": "IAMUser", "accountId": "123456789012"},
        "eventTime": "2026-11-03T12:00:00Z",
        "eventSource": "s3.amazonaws.com",
        "eventName": "DeleteBucket" if n % 2 else "PutBucketPolicy",
        "awsRegion": "us-east-1",
        "eventID": f"00000000-0000-0000-0000-{n:012d}",
        "readOnly": False,
        "eventType": "AwsApiCall",
        "managementEvent": True,
        "recipientAccountId": "123456789012",
    }


@pytest.fixture(scope="module")
def archive_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("archive")
    lines = [orjson.dumps(_event(n)) for n in range(300)]
    (root / "a.jsonl").write_bytes(b"\n".join(lines[:100]) + b"\n")
    (root / "b.jsonl.gz").write_bytes(gzip.compress(b"\n".join(lines[100:250]) + b"\n"))
    # a damaged file: a line that is not JSON and one that is not an object, in the middle
    (root / "c.jsonl").write_bytes(
        b"\n".join([*lines[250:275], b"{not json", b"[1, 2]", *lines[275:]]) + b"\n"
    )
    trail = {"Records": [_record(n) for n in range(10)]}
    (root / "trail.json.gz").write_bytes(gzip.compress(json.dumps(trail).encode()))
    return root


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    with (
        distributed.LocalCluster(
            n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None, host="127.0.0.1"
        ) as cluster,
        distributed.Client(cluster) as c,
    ):
        yield c


def _machine() -> Machine:
    m = Machine()
    for name, pattern in RULES.items():
        m.add(name, pattern)
    return m


def _single_process(rules: Any, sources: list[str], **options: Any) -> dict[str, Any]:
    """The counts of `patterns.scan` in this process (jobs=1)."""
    return patterns.scan(rules, sources, jobs=1, keep_matches=False, **options).run().as_dict()


def test_scan_equals_the_single_process_counts(client: Any, archive_dir: Path) -> None:
    machine = _machine()
    got = scan(machine, [str(archive_dir)], client)
    assert got == _single_process(machine, [str(archive_dir)])
    assert got == _single_process(RULES, [str(archive_dir)])
    assert set(got) == {"events", "invalid", "rules"}
    assert got["events"] == 310 and got["invalid"] == 2
    # the trail's 5 DeleteBucket records match `deletes` (prefix) and `never` (its one condition)
    assert got["rules"]["never"] == 5
    assert list(got["rules"]) == ["deletes", "denied", "never"]


def _loads() -> int:
    from patterns import _ship  # runs on a worker (client.run): its own module's count

    return _ship._LOADS[0]


def test_scan_ships_the_rules_once_per_worker(client: Any, archive_dir: Path) -> None:
    machine = Machine()
    machine.add("all", {"source": [{"prefix": ""}]})
    before = client.run(_loads)
    first = scan(machine, [str(archive_dir)], client)
    second = scan(machine, [str(archive_dir)], client)
    after = client.run(_loads)
    assert first == second and first["rules"]["all"] == first["events"] == 310
    assert len(after) == 2
    # 4 files, two scans: 8 tasks, yet each worker unpickled this machine at most once
    grown = [after[w] - before[w] for w in after]
    assert all(g <= 1 for g in grown) and sum(grown) >= 1


def test_scan_takes_a_dict_a_rules_file_or_a_glob(client: Any, archive_dir: Path, tmp_path: Path) -> None:
    expected = _single_process(RULES, [str(archive_dir / "*.jsonl")])
    assert scan(RULES, [str(archive_dir / "*.jsonl")], client) == expected
    rules_file = tmp_path / "rules.json"
    rules_file.write_text(json.dumps(RULES))
    assert scan(str(rules_file), str(archive_dir / "*.jsonl"), client) == expected
    assert expected["events"] == 100 + 50 and expected["invalid"] == 2


def test_scan_without_sources_counts_nothing(client: Any, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    assert scan(RULES, [str(tmp_path / "empty")], client) == {
        "events": 0,
        "invalid": 0,
        "rules": {"deletes": 0, "denied": 0, "never": 0},
    }


def test_scan_cuts_large_uncompressed_files_into_ranges(client: Any, archive_dir: Path) -> None:
    # split_bytes=1: every uncompressed JSON-lines file is read by line ranges (LineRange)
    sources = [str(archive_dir)]
    assert scan(RULES, sources, client, split_bytes=1) == _single_process(RULES, sources, split_bytes=1)


def test_scan_passes_the_reader_options(client: Any, archive_dir: Path) -> None:
    sources = [str(archive_dir / "a.jsonl"), str(archive_dir / "trail.json.gz")]
    for options in ({"read_only": True}, {"format": "jsonl"}, {"batch_size": 7}):
        assert scan(RULES, sources, client, **options) == _single_process(RULES, sources, **options)


def test_scan_gives_read_only_events_to_the_rules_whose_state_asks(client: Any, tmp_path: Path) -> None:
    # `aws events list-rules` output: the state ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS lets a
    # rule see read-only management events, as on EventBridge
    everything = {"source": [{"prefix": ""}]}
    listed = {
        "Rules": [
            {"Name": "all", "EventPattern": json.dumps(everything), "State": "ENABLED"},
            {
                "Name": "all-with-reads",
                "EventPattern": json.dumps(everything),
                "State": "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS",
            },
        ]
    }
    rules_file = tmp_path / "list-rules.json"
    rules_file.write_text(json.dumps(listed))
    trail = tmp_path / "read-only-trail.json.gz"
    records = [{**_record(n), "eventName": "GetBucketPolicy", "readOnly": True} for n in range(3)]
    trail.write_bytes(gzip.compress(json.dumps({"Records": [*records, _record(9)]}).encode()))
    got = scan(str(rules_file), [str(trail)], client)
    assert got == _single_process(str(rules_file), [str(trail)])
    assert got["rules"] == {"all": 1, "all-with-reads": 4}


def _events(sources: list[str], **options: Any) -> Iterator[bytes]:
    for source in expand_sources(sources):
        for batch in read_batches(source, **options):
            yield from batch.events


def test_explain_equals_the_single_process_report(client: Any, archive_dir: Path) -> None:
    rule = RULES["never"]
    report = explain(rule, [str(archive_dir)], client)
    assert report.to_json() == aggregate(rule, _events([str(archive_dir)])).to_json()
    assert (report.events, report.matched) == (310, 5)  # the trail's DeleteBucket records
    assert "`detail.eventName` failed on all of them" in report.render()
    assert "PutBucketPolicy 2%" in report.render()
    with_reads = explain(rule, [str(archive_dir / "trail.json.gz")], client, read_only=True)
    assert (
        with_reads.to_json()
        == aggregate(rule, _events([str(archive_dir / "trail.json.gz")], read_only=True)).to_json()
    )


def test_explain_refuses_bad_patterns_and_sources(tmp_path: Path) -> None:
    with pytest.raises(patterns.InvalidPatternError):
        explain({"source": "aws.s3"}, [str(tmp_path)])
    with pytest.raises(ValueError, match="workers cannot read this process's standard input"):
        explain({"source": ["a"]}, ["-"])


def test_scan_refuses_bad_rules_and_sources(tmp_path: Path) -> None:
    with pytest.raises(RulesError):
        scan({"bad": {"source": "aws.s3"}}, [str(tmp_path)])
    not_json = tmp_path / "rules.json"
    not_json.write_text("{")
    with pytest.raises(RulesError):
        scan(str(not_json), [str(tmp_path)])
    with pytest.raises(
        ValueError, match="Expected a format among jsonl, cloudtrail, firehose, json, got `csv`"
    ):
        scan(RULES, [str(tmp_path)], format="csv")
    with pytest.raises(ValueError, match="workers cannot read this process's standard input"):
        scan(RULES, ["-"])
