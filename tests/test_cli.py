"""`python -m patterns`: the bundled example's answers, and exit codes for bad input."""

from __future__ import annotations

import json
from pathlib import Path

import patterns
from patterns.__main__ import main

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def test_cli_match_bundled_example_agrees_with_compile(capsys) -> None:
    assert main(["match", str(EXAMPLES / "rules.json"), str(EXAMPLES / "events.jsonl")]) == 0
    printed = capsys.readouterr().out.splitlines()
    rules = json.loads((EXAMPLES / "rules.json").read_text())
    events = [json.loads(line) for line in (EXAMPLES / "events.jsonl").read_text().splitlines() if line]
    # Every line is what each rule's own Pattern.matches says.
    expected = []
    for event in events:
        names = [name for name, rule in rules.items() if patterns.compile(rule).matches(event)]
        expected.append(f"{event['id']}: {', '.join(names) if names else '-'}")
    assert printed == expected
    assert any(", " in line for line in printed)  # the example exercises several rules at once


def test_cli_invalid_pattern_exits_2_with_aws_message(tmp_path, capsys) -> None:
    rules = tmp_path / "rules.json"
    rules.write_text('{"bad": {"detail": {"n": [{"numeric": [">", 0, ">", 0]}]}}}')
    assert main(["match", str(rules), str(EXAMPLES / "events.jsonl")]) == 2
    err = capsys.readouterr().err
    assert "rule `bad`" in err
    assert "Event pattern is not valid. Reason: Bad numeric range operator: >" in err


def test_cli_invalid_event_lines_are_reported_and_exit_1(tmp_path, capsys) -> None:
    # 1, not 2: the run finished; 2 is kept for rules or input that cannot be used at all
    events = tmp_path / "events.jsonl"
    events.write_text('not json\n[1]\n{"id": "ok", "source": "nobody"}\n')
    assert main(["match", str(EXAMPLES / "rules.json"), str(events)]) == 1
    out, err = capsys.readouterr()
    assert out.splitlines() == ["ok: -"]
    assert ":1: invalid event" in err and ":2: invalid event" in err


def test_cli_info_names_the_implementation(capsys) -> None:
    assert main(["info"]) == 0
    assert patterns.IMPLEMENTATION in capsys.readouterr().out
