"""patterns.why: `Pattern.explain` folded over many events (the `--explain` of an archive scan)."""

from __future__ import annotations

import json
import pickle
import random
from collections import Counter
from typing import Any

import orjson
import pytest

import patterns
from patterns.core import Pattern
from patterns.why import ABSENT, OBJECT, Aggregator, TopValues, aggregate

# CloudTrail records of the shape AWS documents ("CloudTrail record contents for management events",
# docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html),
# wrapped as EventBridge delivers them ("AWS API Call via CloudTrail", the record as `detail`).
_NAMES = (
    ["DeleteObject"] * 41 + ["PutObject"] * 33 + ["GetObject"] * 20 + ["ListObjects"] * 4 + ["CopyObject"] * 2
)


def _record(n: int, name: str, **extra: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "eventVersion": "1.08",
        "userIdentity": {
            "type": "IAMUser" if n % 4 else "AssumedRole",
            "principalId": f"AIDA{n:08d}",
            "arn": f"arn:aws:iam::123456789012:user/user{n % 7}",
            "accountId": "123456789012",
        },
        "eventTime": "2026-11-03T12:00:00Z",
        "eventSource": "s3.amazonaws.com",
        "eventName": name,
        "awsRegion": "us-east-1",
        "sourceIPAddress": f"192.0.2.{n % 250}",
        "requestParameters": {"bucketName": f"bucket-{n % 3}", "key": f"k/{n}"},
        "requestID": f"REQ{n:012d}",
        "eventID": f"00000000-0000-0000-0000-{n:012d}",
        "readOnly": name.startswith(("Get", "List")),
        "eventType": "AwsApiCall",
        "managementEvent": False,
        "recipientAccountId": "123456789012",
    }
    record.update(extra)
    return record


def _wrap(record: dict[str, Any]) -> bytes:
    return orjson.dumps(
        {
            "version": "0",
            "id": record["eventID"],
            "detail-type": "AWS API Call via CloudTrail",
            "source": "aws.s3",
            "account": record["recipientAccountId"],
            "time": record["eventTime"],
            "region": record["awsRegion"],
            "resources": [],
            "detail": record,
        }
    )


@pytest.fixture(scope="module")
def cloudtrail() -> list[bytes]:
    events = []
    for n, name in enumerate(_NAMES):
        extra = {"errorCode": "AccessDenied"} if n % 10 == 0 else {}
        events.append(_wrap(_record(n, name, **extra)))
    return events


DELETE_BUCKET = {
    "source": ["aws.s3"],
    "detail-type": ["AWS API Call via CloudTrail"],
    "detail": {"eventSource": ["s3.amazonaws.com"], "eventName": ["DeleteBucket"]},
}


def test_aggregate_names_the_failing_condition_and_the_values_seen(cloudtrail: list[bytes]) -> None:
    report = aggregate(DELETE_BUCKET, cloudtrail)
    assert (report.events, report.matched, report.invalid) == (100, 0, 0)
    (branch,) = report.branches
    by_path = {c.path: c for c in branch.conditions}
    assert by_path["detail.eventName"].failed == 100
    assert by_path["detail.eventName"].exact
    assert by_path["detail.eventName"].seen[:5] == (
        ("DeleteObject", 41),
        ("PutObject", 33),
        ("GetObject", 20),
        ("ListObjects", 4),
        ("CopyObject", 2),
    )
    assert all(by_path[p].failed == 0 for p in ("source", "detail-type", "detail.eventSource"))
    text = report.render()
    assert text.splitlines()[0] == "0 of 100 events matched"
    assert (
        '`detail.eventName` failed on all of them: needs ["DeleteBucket"]; '
        "seen: DeleteObject 41%, PutObject 33%, GetObject 20%, ListObjects 4%, CopyObject 2%"
    ) in text
    assert "source" not in text.replace("eventSource", "")  # conditions that held are not listed


def test_aggregate_counts_absence_as_a_value(cloudtrail: list[bytes]) -> None:
    rule = {"source": ["aws.s3"], "detail": {"errorCode": ["NoSuchBucket"]}}
    report = aggregate(rule, cloudtrail)
    (condition,) = [c for c in report.branches[0].conditions if c.failed]
    assert condition.path == "detail.errorCode"
    assert condition.failed == 100
    assert condition.seen == ((ABSENT, 90), ("AccessDenied", 10))
    assert "seen: (absent) 90%, AccessDenied 10%" in report.render()
    seen = report.to_json()["branches"][0]["conditions"][1]["seen"]
    assert seen == [
        {"absent": True, "count": 90, "share": 0.9},
        {"value": "AccessDenied", "count": 10, "share": 0.1},
    ]


def test_aggregate_counts_an_object_where_a_value_is_expected(cloudtrail: list[bytes]) -> None:
    report = aggregate({"detail": {"userIdentity": ["IAMUser"]}}, cloudtrail)
    (condition,) = report.branches[0].conditions
    assert condition.seen == ((OBJECT, 100),)


def test_aggregate_matched_count_agrees_with_matches(cloudtrail: list[bytes]) -> None:
    rule = patterns.compile(
        {"detail": {"eventName": [{"prefix": "Get"}, "ListObjects"], "userIdentity": {"type": ["IAMUser"]}}}
    )
    report = aggregate(rule, cloudtrail)
    assert report.matched == sum(rule.matches(e) for e in cloudtrail)
    assert 0 < report.matched < report.events
    failed = {c.path: c.failed for c in report.branches[0].conditions}
    names = [orjson.loads(e)["detail"]["eventName"] for e in cloudtrail]
    assert failed["detail.eventName"] == sum(not (n.startswith("Get") or n == "ListObjects") for n in names)
    assert report.render().startswith(f"{report.matched} of 100 events matched")


def test_aggregate_explains_only_the_unmatched_events(
    cloudtrail: list[bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    explained = []
    original = Pattern.explain

    def counting(self: Pattern, event: Any) -> Any:
        explained.append(event)
        return original(self, event)

    monkeypatch.setattr(Pattern, "explain", counting)
    report = aggregate({"detail": {"eventName": ["DeleteObject"]}}, cloudtrail)
    assert report.matched == 41
    assert len(explained) == 59
    assert all(b'"DeleteObject"' not in e for e in explained)


def test_aggregate_reports_invalid_events_and_goes_on(cloudtrail: list[bytes]) -> None:
    events = [b"not json", *cloudtrail[:3], b"[1, 2]", b"\xff\xfe"]
    report = aggregate(DELETE_BUCKET, events)
    assert (report.events, report.invalid) == (3, 3)
    assert report.render().splitlines()[0] == "0 of 3 events matched (3 invalid, not counted)"


def test_aggregate_reports_each_or_branch() -> None:
    rule = {"$or": [{"detail": {"eventName": ["DeleteBucket"]}}, {"detail": {"errorCode": ["AccessDenied"]}}]}
    events = [_wrap(_record(n, "PutObject")) for n in range(4)]
    report = aggregate(rule, events)
    assert len(report.branches) == 2
    text = report.render()
    assert "branch 1 of 2 ($or):" in text and "branch 2 of 2 ($or):" in text
    assert "`detail.errorCode` failed on all of them" in text


def test_aggregate_counts_conditions_that_hold_only_apart() -> None:
    rule = {"detail": {"items": {"name": ["a"], "size": [1]}}}
    apart = b'{"detail": {"items": [{"name": "a", "size": 2}, {"name": "b", "size": 1}]}}'
    together = b'{"detail": {"items": [{"name": "a", "size": 1}]}}'
    report = aggregate(rule, [apart, apart, together])
    assert (report.matched, report.branches[0].together) == (1, 2)
    assert all(c.failed == 0 for c in report.branches[0].conditions)
    assert "held alone but not together" in report.render()


def test_aggregate_keeps_numbers_booleans_and_strings_apart() -> None:
    events = [b'{"v": 1}', b'{"v": "1"}', b'{"v": true}', b'{"v": null}', b'{"v": 1}']
    report = aggregate({"v": ["x"]}, events)
    seen = report.branches[0].conditions[0].seen
    assert [(type(v), v, n) for v, n in seen] == [
        (int, 1, 2),
        (str, "1", 1),
        (bool, True, 1),
        (type(None), None, 1),
    ]
    assert [item["value"] for item in report.to_json()["branches"][0]["conditions"][0]["seen"]] == [
        1,
        "1",
        True,
        None,
    ]


def test_aggregate_counts_each_value_of_an_array_once_per_event() -> None:
    events = [b'{"tags": ["a", "a", "b"]}', b'{"tags": ["a"]}']
    report = aggregate({"tags": ["z"]}, events)
    assert report.branches[0].conditions[0].seen == (("a", 2), ("b", 1))


def test_aggregate_report_is_json_ready(cloudtrail: list[bytes]) -> None:
    out = aggregate(DELETE_BUCKET, cloudtrail).to_json()
    assert json.loads(json.dumps(out)) == out
    assert out["pattern"] == DELETE_BUCKET
    assert (out["events"], out["matched"], out["invalid"]) == (100, 0, 0)


def test_aggregate_refuses_a_capacity_below_one() -> None:
    with pytest.raises(ValueError, match="Expected `capacity` of at least 1, got `0`"):
        aggregate({"a": ["b"]}, [], capacity=0)


def test_aggregate_memory_is_bounded_by_capacity() -> None:
    # every event has its own request id: the counter keeps at most 2 * capacity values
    events = [orjson.dumps({"id": f"r{n}", "kind": "x"}) for n in range(5000)]
    report = aggregate({"id": ["nope"]}, events, capacity=8)
    condition = report.branches[0].conditions[0]
    assert condition.failed == 5000
    assert len(condition.seen) <= 16
    assert not condition.exact
    assert "≥" in report.render()


def test_top_values_keeps_heavy_hitters_with_bounded_error() -> None:
    rng = random.Random(7)
    stream = ["heavy"] * 3000 + ["warm"] * 1000 + [f"cold{rng.randrange(10**6)}" for _ in range(6000)]
    rng.shuffle(stream)
    top = TopValues(capacity=10)
    for value in stream:
        top.add(value)
        assert len(top.counts) <= 20
    truth = Counter(stream)
    assert top.error <= len(stream) / 11
    assert [v for v, _ in top.top(2)] == ["heavy", "warm"]
    for value, count in top.counts.items():
        assert truth[value] - top.error <= count <= truth[value]


def test_top_values_merge_adds_counts() -> None:
    a, b = TopValues(4), TopValues(4)
    for v in "aaabbc":
        a.add(v)
    for v in "aad":
        b.add(v)
    a.merge(b)
    assert dict(a.counts) == {"a": 5, "b": 2, "c": 1, "d": 1}
    assert a.exact and a.total == 9


def test_top_values_refuses_a_capacity_below_one() -> None:
    with pytest.raises(ValueError, match="Expected `capacity` of at least 1, got `0`"):
        TopValues(0)


def test_aggregator_parts_merged_in_order_give_the_whole_report(cloudtrail: list[bytes]) -> None:
    rule = {"$or": [{"detail": {"eventName": ["DeleteBucket"]}}, {"detail": {"errorCode": ["NoSuchKey"]}}]}
    events = [*cloudtrail, b"not json"]
    whole = aggregate(rule, events)
    parts = [Aggregator(rule) for _ in range(3)]
    for k, part in enumerate(parts):
        part.add(events[k * 35 : (k + 1) * 35])
    merged = pickle.loads(pickle.dumps(parts[0]))  # parts travel back from workers pickled
    for part in parts[1:]:
        merged.merge(pickle.loads(pickle.dumps(part)))
    assert merged.report().to_json() == whole.to_json()
    assert merged.report().render() == whole.render()


def test_aggregator_merges_equal_patterns_written_in_another_order(cloudtrail: list[bytes]) -> None:
    a = Aggregator({"$or": [{"detail": {"eventName": ["X"]}}, {"source": ["Y"], "detail-type": ["Z"]}]})
    b = Aggregator({"$or": [{"detail-type": ["Z"], "source": ["Y"]}, {"detail": {"eventName": ["X"]}}]})
    a.add(cloudtrail[:50])
    b.add(cloudtrail[50:])
    a.merge(b)
    assert a.report().to_json() == aggregate(a.pattern, cloudtrail).to_json()


def test_aggregator_refuses_a_part_of_another_pattern() -> None:
    with pytest.raises(ValueError, match="Expected a part of the same pattern and capacity"):
        Aggregator({"a": ["b"]}).merge(Aggregator({"a": ["c"]}))
    with pytest.raises(ValueError, match="Expected a part of the same pattern and capacity"):
        Aggregator({"a": ["b"]}).merge(Aggregator({"a": ["b"]}, capacity=3))
