"""`patterns scan --explain RULE`: `patterns.why.aggregate` of a rule over the scanned archive."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from patterns.__main__ import main

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
TRAIL = EXAMPLES / "archive" / "cloudtrail"

# rules of the shape users write against CloudTrail; `s3-put-policy` matches nothing in the trail
CLOUDTRAIL_RULES = {
    "s3-put-policy": {
        "source": ["aws.s3"],
        "detail-type": ["AWS API Call via CloudTrail"],
        "detail": {"eventName": ["PutBucketPolicy"]},
    },
    "s3-denied": {"source": ["aws.s3"], "detail": {"errorCode": ["AccessDenied"]}},
}


@pytest.fixture
def rules(tmp_path: Path) -> Path:
    path = tmp_path / "rules.json"
    path.write_text(json.dumps(CLOUDTRAIL_RULES))
    return path


def test_explain_names_the_failing_condition_and_the_values_seen(rules: Path, capsys) -> None:
    assert main(["scan", str(rules), str(TRAIL), "-j", "1", "--explain", "s3-put-policy"]) == 0
    out = capsys.readouterr().out
    why = out[out.index("why `s3-put-policy`") :]
    lines = why.splitlines()
    assert lines[1] == "0 of 8 events matched"  # a read-only management record is left out
    assert lines[2].startswith(
        '  `detail.eventName` failed on all of them: needs ["PutBucketPolicy"]; seen: '
    )
    assert "ConsoleLogin 25%" in lines[2] and "DeleteBucket 12%" in lines[2]
    assert any(line.startswith('  `source` failed on 6 of them (75%): needs ["aws.s3"]') for line in lines)


def test_explain_with_stats_json_adds_one_json_line(rules: Path, capsys) -> None:
    args = ["scan", str(rules), str(TRAIL), "-j", "1", "--stats", "json", "--explain", "s3-put-policy"]
    assert main([*args, "--explain", "s3-denied"]) == 0
    totals, first, second = (json.loads(line) for line in capsys.readouterr().out.splitlines())
    assert set(totals) == {"events", "invalid", "rules"}
    assert (first["explain"], first["events"], first["matched"]) == ("s3-put-policy", totals["events"], 0)
    (condition,) = [c for c in first["branches"][0]["conditions"] if c["path"] == "detail.eventName"]
    assert condition["failed"] == 8 and condition["exact"]
    assert {"value": "DeleteBucket", "count": 1, "share": 0.125} in condition["seen"]
    assert (second["explain"], second["matched"]) == ("s3-denied", totals["rules"]["s3-denied"])


def test_explain_counts_what_read_only_keeps(rules: Path, capsys) -> None:
    args = ["scan", str(rules), str(TRAIL), "-j", "1", "--stats", "json", "--explain", "s3-put-policy"]
    assert main([*args, "--read-only"]) == 0
    _, report = (json.loads(line) for line in capsys.readouterr().out.splitlines())
    assert report["events"] == 9  # the read-only management record too


def test_explain_gives_a_rule_the_read_only_events_its_state_gives_it(tmp_path: Path, capsys) -> None:
    pattern = json.dumps(CLOUDTRAIL_RULES["s3-put-policy"])
    listed = {
        "Rules": [
            {"Name": "plain", "EventPattern": pattern, "State": "ENABLED"},
            {
                "Name": "reads",
                "EventPattern": pattern,
                "State": "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS",
            },
        ]
    }
    rules = tmp_path / "list-rules.json"
    rules.write_text(json.dumps(listed))
    args = [
        "scan",
        str(rules),
        str(TRAIL),
        "-j",
        "1",
        "--stats",
        "json",
        "--explain",
        "plain",
        "--explain",
        "reads",
    ]
    assert main(args) == 0
    _, plain, reads = (json.loads(line) for line in capsys.readouterr().out.splitlines())
    assert (plain["events"], reads["events"]) == (8, 9)


def test_explain_of_an_unknown_rule_is_a_usage_error(rules: Path, capsys) -> None:
    assert main(["scan", str(rules), str(TRAIL), "--explain", "nope"]) == 2
    assert "error: Expected a rule name for --explain, got `nope`: no such rule" in capsys.readouterr().err


def test_explain_refuses_standard_input(rules: Path, capsys) -> None:
    assert main(["scan", str(rules), "-", "--explain", "s3-denied"]) == 2
    assert "standard input cannot be read twice" in capsys.readouterr().err
