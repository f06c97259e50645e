"""pattern-lint's small things: --version, Ctrl-C (also `python -m patterns`), `rules` summaries,
JSON-lines events for `test`, colour on a terminal (NO_COLOR, --color), `bool(Explanation)`, and
the distribution name."""

from __future__ import annotations

import io
import json
import re
import sys
from pathlib import Path

import pytest

import patterns
from patterns.explain import explain
from patterns.lint import cli
from patterns.lint.cli import main
from patterns.lint.render import first_sentence
from patterns.lint.rules import RULES

HOSTS = Path(__file__).parent / "fixtures" / "hosts"
ESC = "\x1b["


def test_version(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out == f"pattern-lint {patterns.__version__}\n"


def test_python_dash_m_patterns_version(capsys):
    from patterns.__main__ import main as patterns_main

    with pytest.raises(SystemExit) as exc:
        patterns_main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out == f"patterns {patterns.__version__}\n"


def test_ctrl_c_is_one_line_and_exit_130(capsys, monkeypatch):
    def interrupted() -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "run_rules", interrupted)
    assert main(["rules"]) == 130
    captured = capsys.readouterr()
    assert captured.err == "interrupted\n"
    assert "Traceback" not in captured.out + captured.err


def test_first_sentence_never_cuts_inside_backticks():
    assert first_sentence('Checks for `{"prefix": ""}`, which matches. More.') == (
        'Checks for `{"prefix": ""}`, which matches.'
    )
    assert first_sentence("Checks for `a.b`: the rest") == "Checks for `a.b`."
    assert first_sentence("No boundary in `x. y` at all") == "No boundary in `x. y` at all."


def test_rules_summaries_have_balanced_backticks(capsys):
    assert main(["rules"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(RULES)
    for line in lines:
        assert line.count("`") % 2 == 0, line
        assert line.endswith("."), line
    w110 = next(line for line in lines if line.startswith("W110"))
    assert '`{"prefix": ""}`' in w110


def _jsonl(tmp_path: Path, name: str, events: list[dict]) -> str:
    path = tmp_path / name
    path.write_text("".join(json.dumps(e) + "\n" for e in events) + "\n", "utf-8")
    return str(path)


EC2 = {"source": ["aws.ec2"]}


@pytest.mark.parametrize("name", ["events.jsonl", "events.json"])
def test_test_reads_json_lines_events(tmp_path, capsys, name):
    events = _jsonl(tmp_path, name, [{"source": "aws.ec2"}, {"source": "aws.s3"}, {"source": "aws.ec2"}])
    assert main(["test", "--pattern", json.dumps(EC2), "--event", events]) == 1
    out = capsys.readouterr().out
    assert f"{events}:1:\nmatch" in out
    assert f"{events}:2:\nno match" in out
    assert f"{events}:3:\nmatch" in out
    events = _jsonl(tmp_path, name, [{"source": "aws.ec2"}, {"source": "aws.ec2"}])
    assert main(["test", "--pattern", json.dumps(EC2), "--event", events]) == 0


def test_test_pretty_printed_event_file_is_one_event(tmp_path, capsys):
    path = tmp_path / "event.json"
    path.write_text(json.dumps({"source": "aws.ec2", "detail": {}}, indent=2), "utf-8")
    assert main(["test", "--pattern", json.dumps(EC2), "--event", str(path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("match: every condition holds\n")  # no per-event label: one event


def test_test_bad_line_in_jsonl_is_reported_with_its_line(tmp_path, capsys):
    path = tmp_path / "events.jsonl"
    path.write_text('{"source": "aws.ec2"}\n{"source": \n', "utf-8")
    assert main(["test", "--pattern", json.dumps(EC2), "--event", str(path)]) == 2
    assert f"error: {path}:2:" in capsys.readouterr().err


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("fmt", ["concise", "full"])
def test_colour_on_a_terminal_only(fmt, monkeypatch, capsys):
    monkeypatch.chdir(HOSTS)
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert main(["check", "sam.yaml", "--format", fmt]) == 1
    plain = capsys.readouterr().out  # captured: not a terminal
    assert ESC not in plain
    tty = _Tty()
    monkeypatch.setattr("sys.stdout", tty)
    assert main(["check", "sam.yaml", "--format", fmt]) == 1
    coloured = tty.getvalue()
    assert "\x1b[1;33mW109\x1b[0m" in coloured  # a warning's code in yellow
    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured) == plain  # colour adds nothing else


def test_no_color_and_color_never_and_always(monkeypatch, capsys):
    monkeypatch.chdir(HOSTS)
    tty = _Tty()
    monkeypatch.setattr("sys.stdout", tty)
    monkeypatch.setenv("NO_COLOR", "1")
    assert main(["check", "sam.yaml"]) == 1
    assert ESC not in tty.getvalue()
    monkeypatch.setenv("NO_COLOR", "")  # empty: not set, per no-color.org
    assert main(["check", "sam.yaml", "--color", "never"]) == 1
    assert ESC not in tty.getvalue()
    assert main(["check", "sam.yaml"]) == 1
    assert ESC in tty.getvalue()
    monkeypatch.setattr("sys.stdout", io.StringIO())
    monkeypatch.setenv("NO_COLOR", "1")
    assert main(["check", "cdk.out/AppStack.template.json", "--color", "always"]) == 1
    out = sys.stdout.getvalue()
    assert "\x1b[1;31mE102\x1b[0m" in out  # an error's code in red, forced on a pipe and over NO_COLOR


def test_notes_coloured_too(monkeypatch, tmp_path):
    source = tmp_path / "empty.yaml"  # named, and holds no pattern: a note
    source.write_text("Resources: {}\n", "utf-8")
    out = io.StringIO()
    monkeypatch.setattr("sys.stdout", out)
    main(["check", str(source), "--color", "always"])
    assert f"{source}: \x1b[36mnote:\x1b[0m" in out.getvalue()


def test_machine_formats_never_coloured(monkeypatch):
    monkeypatch.chdir(HOSTS)
    out = io.StringIO()
    monkeypatch.setattr("sys.stdout", out)
    assert main(["check", "sam.yaml", "--format", "json", "--color", "always"]) == 1
    assert ESC not in out.getvalue()


def test_bool_of_explanation_is_the_verdict():
    pattern = patterns.compile(EC2)
    assert bool(explain(pattern, {"source": "aws.ec2"})) is True
    assert bool(explain(pattern, {"source": "aws.s3"})) is False
    assert not pattern.explain({"source": "aws.s3"})


def test_distribution_name_and_sarif_uri_are_this_projects(capsys):
    import tomllib

    root = Path(__file__).resolve().parents[2]
    name = tomllib.loads((root / "pyproject.toml").read_text("utf-8"))["project"]["name"]
    assert name != "patterns"  # PyPI's `patterns` is an unrelated 2014 project
    assert f"pip install {name}" in (root / "README.md").read_text("utf-8")
    assert main(["check", str(HOSTS / "sam.yaml"), "--format", "sarif"]) == 1
    uri = json.loads(capsys.readouterr().out)["runs"][0]["tool"]["driver"]["informationUri"]
    assert uri == f"https://pypi.org/project/{name}/"


def test_python_dash_m_patterns_match_ctrl_c(capsys, monkeypatch):
    import patterns.__main__ as entry

    def interrupted(*_: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(entry, "_load_rules", interrupted)
    assert entry.main(["match", "rules.json", "events.jsonl"]) == 130
    assert capsys.readouterr().err == "interrupted\n"
