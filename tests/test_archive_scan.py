"""`patterns scan` and `patterns.scan`: rules files in every form, outputs, exit codes, --jobs."""

from __future__ import annotations

import gzip
import io
import json
import re
import tomllib
from pathlib import Path

import orjson
import pytest

import patterns
import patterns.__main__ as patterns_main
from patterns import scans
from patterns.__main__ import main
from patterns.errors import RulesError
from patterns.rulesets import build_machine, read_rules, read_rules_text
from patterns.scan_cli import _Progress, load_rules

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
ARCHIVE = EXAMPLES / "archive"
RULES = EXAMPLES / "rules.json"
EXPECTED = {
    "ec2-stopped": 1, "ec2-not-running": 1, "s3-images": 2, "big-orders": 1, "eu-or-vip": 2,
    "internal-callers": 1, "untagged": 3, "ec2-start-stop": 2, "root-sign-in": 1,
    "failed-console-login": 1, "s3-access-denied": 1, "iam-user-deleted": 0,
}  # fmt: skip


# -- rules files --


def test_rules_object_of_named_patterns_keeps_lines() -> None:
    text = '{\n  "a": {"source": ["x"]},\n  "b": "{\\"source\\": [\\"y\\"]}"\n}\n'
    rules = read_rules_text(text, "r.json")
    assert [(r.name, r.line) for r in rules] == [("a", 2), ("b", 3)]


def test_single_pattern_is_one_rule_named_after_the_file(tmp_path) -> None:
    path = tmp_path / "stopped-instances.json"
    path.write_text('{"source": ["aws.ec2"], "detail": {"state": ["stopped"]}}')
    (rule,) = read_rules(path)
    assert rule.name == "stopped-instances"
    nested = read_rules_text('{"detail": {"state": ["stopped"]}}', "d.json")
    assert [r.name for r in nested] == ["d"]


def test_list_rules_and_describe_rule_output() -> None:
    listed = {
        "Rules": [
            {"Name": "nightly", "ScheduleExpression": "cron(0 3 * * ? *)", "State": "ENABLED"},
            {"Name": "s3", "EventPattern": '{"source": ["aws.s3"]}', "State": "ENABLED"},
            {
                "Name": "all",
                "EventPattern": '{"source": ["aws.ec2"]}',
                "State": "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS",
            },
        ]
    }
    rules = read_rules_text(json.dumps(listed, indent=2), "rules.json")
    assert [(r.name, r.state) for r in rules] == [
        ("s3", "ENABLED"),
        ("all", "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"),
    ]
    assert rules[0].line == 9
    described = {
        "Name": "one",
        "Arn": "arn:aws:events:us-east-1:1:rule/one",
        "EventPattern": '{"source": ["a"]}',
    }
    assert [r.name for r in read_rules_text(json.dumps(described), "d.json")] == ["one"]


def test_duplicate_names_are_an_error_naming_both_places() -> None:
    text = '{\n "a": {"source": ["x"]},\n "a": {"source": ["y"]}\n}'
    with pytest.raises(RulesError) as info:
        build_machine(read_rules_text(text, "r.json"))
    assert info.value.problems == ["r.json:3: rule `a`: duplicate name (first at r.json:2)"]


def test_every_invalid_rule_is_reported_with_its_line() -> None:
    text = '{\n "ok": {"source": ["x"]},\n "bad1": {"source": "x"},\n "bad2": {"n": [{"numeric": [">", "a"]}]}\n}'
    with pytest.raises(RulesError) as info:
        build_machine(read_rules_text(text, "r.json"))
    problems = info.value.problems
    assert len(problems) == 2
    assert problems[0].startswith("r.json:3: rule `bad1`")
    assert problems[1].startswith("r.json:4: rule `bad2`")
    machine, skipped = build_machine(read_rules_text(text, "r.json"), skip_invalid=True)
    assert list(machine) == ["ok"] and len(skipped) == 2


def test_rules_from_a_template(tmp_path) -> None:
    template = tmp_path / "stack.yaml"
    template.write_text(
        "Resources:\n"
        "  RootSignIn:\n"
        "    Type: AWS::Events::Rule\n"
        "    Properties:\n"
        "      EventPattern:\n"
        "        detail-type: [AWS Console Sign In via CloudTrail]\n"
        "        detail:\n"
        "          userIdentity:\n"
        "            type: [Root]\n"
    )
    machine, notes = load_rules([str(template)])
    assert list(machine) == ["RootSignIn"] and notes == []
    stats = patterns.scan(machine, [ARCHIVE]).run()
    assert stats.rules == {"RootSignIn": 1}


def test_a_targets_input_transformer_is_no_rule_of_another_dialect(tmp_path) -> None:
    # pattern-lint reads a target's InputTransformer beside the rule: not a rule, not a note
    template = tmp_path / "stack.yaml"
    template.write_text(
        "Resources:\n"
        "  RootSignIn:\n"
        "    Type: AWS::Events::Rule\n"
        "    Properties:\n"
        "      EventPattern: {detail: {userIdentity: {type: [Root]}}}\n"
        "      Targets:\n"
        "        - Id: q\n"
        "          Arn: arn:aws:sqs:us-east-1:123456789012:q\n"
        "          InputTransformer: {InputPathsMap: {t: $.detail}, InputTemplate: '{\"t\": <t>}'}\n"
    )
    machine, notes = load_rules([str(template)])
    assert list(machine) == ["RootSignIn"] and notes == []


# -- the library API --


def test_scan_counts_every_rule_including_never_matched() -> None:
    s = patterns.scan(RULES, [ARCHIVE])
    results = list(s)
    assert s.stats.as_dict() == {"events": 14, "invalid": 0, "rules": EXPECTED}
    assert s.stats.never_matched == ["iam-user-deleted"]
    root = [m for r in results for m in r.matches if "root-sign-in" in m.rules]
    assert len(root) == 1 and orjson.loads(root[0].event)["id"] == "ct-console-login-root-1"


def _damaged_archive(tmp_path: Path) -> Path:
    folder = tmp_path / "archive"
    folder.mkdir()
    lines = (EXAMPLES / "events.jsonl").read_bytes().splitlines()
    body = b"\n".join([lines[0], b"[1]", lines[1], b'{"not": json}', *lines[2:]]) + b"\n"
    (folder / "a.jsonl.gz").write_bytes(gzip.compress(body))
    (folder / "b.jsonl.gz").write_bytes(gzip.compress(body * 3)[:-40])  # truncated
    (folder / "c.json").write_bytes(b'[{"id": "x", "source": "aws.ec2"}, 5]')
    return folder


def _flat(s: scans.Scan) -> tuple[list, list]:
    matches, invalid = [], []
    for result in s:
        matches += result.matches
        invalid += result.invalid
    return matches, invalid


def test_answer_does_not_depend_on_jobs(tmp_path, monkeypatch) -> None:
    folder = _damaged_archive(tmp_path)
    big = folder / "big.jsonl"  # cut into line ranges when jobs > 1
    lines = (EXAMPLES / "events.jsonl").read_bytes().splitlines()
    big.write_bytes(b"\n".join((lines * 400)[:2000] + [b"oops"] + lines * 50) + b"\n")
    monkeypatch.setattr(scans, "MIN_RANGE", 4096)
    one = patterns.scan(RULES, [folder, ARCHIVE], jobs=1)
    matches, invalid = _flat(one)
    assert [d.where for d in invalid if d.source == str(big)] == [2001]  # a line of the whole file
    assert len(matches) > 2000
    for jobs in (2, 3):
        many = patterns.scan(RULES, [folder, ARCHIVE], jobs=jobs, split_bytes=8192)
        assert sum(u.span is not None for u in many.units) > 3  # the big file was cut
        assert _flat(many) == (matches, invalid)  # same matches, invalid records, order, lines
        assert many.stats == one.stats


# -- the command line --


def test_cli_stats_json_is_exactly_the_totals(capsys) -> None:
    assert main(["scan", str(RULES), str(ARCHIVE), "--stats", "json", "--jobs", "1"]) == 0
    out = capsys.readouterr().out
    assert json.loads(out) == {"events": 14, "invalid": 0, "rules": EXPECTED}
    assert out.count("\n") == 1


def test_progress_bar_only_on_a_terminal(capsys) -> None:
    assert main(["scan", str(RULES), str(ARCHIVE), "-j", "1", "--stats", "json"]) == 0
    assert capsys.readouterr().err == ""  # stderr is no TTY here: quiet
    stream = io.StringIO()
    bar = _Progress(stream, 2000, enabled=True)
    stats = scans.ScanStats(events=14, matched=11, read=1900)
    bar.update(stats, force=True)
    assert "1.9 KB / 2.0 KB" in stream.getvalue() and "14 events" in stream.getvalue()
    assert "11 matched" in stream.getvalue()


def test_console_script_is_the_same_main() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["scripts"]["patterns"] == "patterns.__main__:entry"
    assert callable(patterns_main.entry)


def test_cli_table_lists_rules_that_never_matched(capsys) -> None:
    assert main(["scan", str(RULES), str(ARCHIVE), "-j", "1"]) == 0
    out = capsys.readouterr().out
    assert "never matched (1 of 12 rules):\n  iam-user-deleted\n" in out
    assert "scanned 14 events (11 matched, 0 invalid)" in out


def test_cli_matches_and_invalid_files(tmp_path, capsys) -> None:
    folder = _damaged_archive(tmp_path)
    matches, invalid = tmp_path / "m.jsonl", tmp_path / "i.jsonl"
    code = main(
        ["scan", str(RULES), str(folder), "--matches", str(matches), "--invalid", str(invalid), "-j", "1"]
    )
    assert code == 1  # finished, but some records could not be read
    stats = capsys.readouterr().out
    assert "invalid" in stats
    kept = [json.loads(line) for line in invalid.read_text().splitlines()]
    assert [(Path(k["source"]).name, k["where"]) for k in kept] == [
        ("a.jsonl.gz", 2), ("a.jsonl.gz", 4),
        ("b.jsonl.gz", 2), ("b.jsonl.gz", 4), ("b.jsonl.gz", 9),  # 9: where the cut gzip ends
        ("c.json", 35),
    ]  # fmt: skip
    assert kept[1]["data"] == '{"not": json}'
    assert "ends early" in kept[-2]["reason"]
    hits = [json.loads(line) for line in matches.read_text().splitlines()]
    first = hits[0]
    assert first["where"] == 1 and first["rules"] == ["ec2-stopped", "ec2-not-running"]
    assert first["event"]["id"] == "e1"


def test_cli_exit_2_for_missing_or_invalid_rules(tmp_path, capsys) -> None:
    assert main(["scan", str(tmp_path / "nope.json"), str(ARCHIVE)]) == 2
    assert "no such file" in capsys.readouterr().err
    bad = tmp_path / "rules.json"
    bad.write_text('{\n "ok": {"source": ["aws.s3"]},\n "bad": {"source": "aws.s3"}\n}\n')
    assert main(["scan", str(bad), str(ARCHIVE), "-j", "1"]) == 2
    assert f"error: {bad}:3: rule `bad`" in capsys.readouterr().err
    assert main(["scan", str(bad), str(ARCHIVE), "-j", "1", "--skip-invalid", "--stats", "json"]) == 1
    out, err = capsys.readouterr()
    assert json.loads(out)["rules"] == {"ok": 4}  # e3, e6, DeleteBucket, GetObject
    assert f"skipped: {bad}:3: rule `bad`" in err
    assert main(["scan", str(RULES), str(tmp_path / "no-archive")]) == 2


def test_cli_ctrl_c_prints_the_partial_summary_and_exits_130(monkeypatch, capsys) -> None:
    real = scans.Scan.__next__
    calls = {"n": 0}

    def interrupted(self):
        calls["n"] += 1
        if calls["n"] > 1:
            raise KeyboardInterrupt
        return real(self)

    monkeypatch.setattr(scans.Scan, "__next__", interrupted)
    assert main(["scan", str(RULES), str(ARCHIVE), "-j", "1"]) == 130
    out = capsys.readouterr().out
    assert "interrupted after" in out and out.endswith("\n")


def test_match_reads_gzipped_cloudtrail_and_prints_json_lines(capsys) -> None:
    log = next((ARCHIVE / "cloudtrail").glob("*.json.gz"))
    assert main(["match", str(RULES), str(log), "--output", "jsonl"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(rows) == 8  # one per record, the read-only DescribeInstances left out
    assert {"id": "ct-console-login-root-1", "rules": ["root-sign-in"]}.items() <= next(
        r for r in rows if r["id"] == "ct-console-login-root-1"
    ).items()


def test_match_text_output_keeps_the_readme_example(capsys) -> None:
    assert main(["match", str(RULES), str(EXAMPLES / "events.jsonl")]) == 0
    assert capsys.readouterr().out.splitlines()[:2] == ["e1: ec2-stopped, ec2-not-running", "e2: untagged"]


def test_readme_main_job_prints_what_readme_shows(capsys) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    command = readme.split("```sh\n", 1)[1].split("\n", 1)[0]
    assert command.endswith(".venv/bin/patterns scan examples/rules.json examples/archive/")
    shown = readme.split("```text\n", 1)[1].split("```", 1)[0]
    assert main(["scan", str(RULES), str(ARCHIVE), "-j", "1"]) == 0
    printed = capsys.readouterr().out
    assert re.sub(r"in [\d.]+ s", "in T s", printed) == re.sub(r"in [\d.]+ s", "in T s", shown)


def test_match_reads_gzipped_standard_input(monkeypatch, capsys) -> None:
    # `zcat F.json.gz | patterns match rules.json -` printed `1: -`: the Records object was one event
    log = next((ARCHIVE / "cloudtrail").glob("*.json.gz"))
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(log.read_bytes())))
    assert main(["match", str(RULES), "-"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 8
    assert "ct-console-login-root-1: root-sign-in" in lines


def test_read_only_events_reach_only_rules_in_the_state_that_asks_for_them(tmp_path, capsys) -> None:
    # EventBridge gives read-only management events (DescribeInstances here) only to rules in
    # state ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS
    pattern = json.dumps({"source": ["aws.ec2"], "detail-type": ["AWS API Call via CloudTrail"]})
    listed = tmp_path / "rules.json"
    listed.write_text(
        json.dumps(
            {
                "Rules": [
                    {
                        "Name": "all-ec2-calls",
                        "EventPattern": pattern,
                        "State": "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS",
                    },
                    {"Name": "ec2-changes", "EventPattern": pattern, "State": "ENABLED"},
                ]
            }
        )
    )
    trail = ARCHIVE / "cloudtrail"
    assert patterns.scan(listed, [trail]).run().rules == {"all-ec2-calls": 3, "ec2-changes": 2}
    assert patterns.scan(listed, [trail], read_only=False).run().rules == {
        "all-ec2-calls": 2,
        "ec2-changes": 2,
    }
    assert patterns.scan(listed, [trail], read_only=True).run().rules == {
        "all-ec2-calls": 3,
        "ec2-changes": 3,
    }
    assert patterns.scan(listed, [trail], read_only=["ec2-changes"]).run().rules == {
        "all-ec2-calls": 2, "ec2-changes": 3
    }  # fmt: skip
    assert main(["scan", str(listed), str(trail), "-j", "1", "--stats", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["rules"] == {"all-ec2-calls": 3, "ec2-changes": 2}
    assert main(["scan", str(listed), str(trail), "-j", "1", "--stats", "json", "--read-only"]) == 0
    assert json.loads(capsys.readouterr().out)["rules"] == {"all-ec2-calls": 3, "ec2-changes": 3}


def test_cli_usage_names_rules_then_sources(capsys) -> None:
    """`patterns scan RULES SOURCE...`: the usage says so, and a missing SOURCE is a usage error."""
    with pytest.raises(SystemExit) as stop:
        main(["scan", str(RULES)])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert "RULES SOURCE [SOURCE ...]" in err
    assert "required: SOURCE" in err
