"""Honest summaries (issue 23): what a run sees and does not read is a note in every format and
in the summary, never "All checks passed"; a missing path is an error (exit 2); serverless.yml's
CloudFormation under ``resources`` is read at the right lines."""

from __future__ import annotations

import io
import json
import re
import sys
from pathlib import Path

import pytest

from patterns.lint.cli import main
from patterns.lint.render import FORMATS

SOURCES = Path(__file__).parent / "fixtures" / "sources"
SCHEMA = Path(__file__).parent / "sarif-schema-2.1.0.json"


@pytest.fixture(autouse=True)
def _without_tree_sitter(monkeypatch):
    """These notes are those of a run without the `cdk` extra: CDK sources are not read there
    (tests/lint/test_cdk.py reads them with tree-sitter)."""
    monkeypatch.setitem(sys.modules, "tree_sitter", None)  # `import tree_sitter` fails


def _notes(fmt: str, out: str) -> set[tuple[str, int, str]]:
    """(path, line, code) of each note in one format's output (line 0: the whole file)."""
    if fmt in ("concise", "full"):
        return {
            (m[1], int(m[2] or 0), m[3])
            for m in re.finditer(r"^(\S+?)(?::(\d+):\d+)?: note: .* \[(N\d{3})\]$", out, re.M)
        }
    if fmt in ("json", "json-lines"):
        records = json.loads(out) if fmt == "json" else [json.loads(line) for line in out.splitlines()]
        return {(r["path"], r["line"], r["code"]) for r in records if r["severity"] == "note"}
    if fmt == "sarif":
        run = json.loads(out)["runs"][0]
        found = set()
        for n in run["invocations"][0]["toolExecutionNotifications"]:
            assert n["level"] == "note"
            location = n["locations"][0]["physicalLocation"]
            line = location.get("region", {}).get("startLine", 0)
            found.add((location["artifactLocation"]["uri"], line, n["descriptor"]["id"]))
        return found
    assert fmt == "github"
    return {
        (m[1], int(m[2] or 0), m[3])
        for m in re.finditer(r"^::notice file=([^,]+)(?:,line=(\d+),col=\d+)?,title=(N\d{3}) ", out, re.M)
    }


# --- 1. a missing path ------------------------------------------------------------------------


def test_missing_path_is_an_error_without_all_checks_passed(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["check", "nonexistent.yaml"]) == 2
    captured = capsys.readouterr()
    assert "error: nonexistent.yaml: cannot read" in captured.err
    assert "All checks passed" not in captured.out
    assert "1 file could not be read" in captured.out


# --- 2. notes in every format -----------------------------------------------------------------

#: Every note the fixtures give: (path, line, code); line 0 for a whole file or folder.
NOTED = {
    ("no-patterns.yaml", 0, "N101"),  # named, holds no pattern
    ("cdk-app/lib/stack.ts", 0, "N101"),  # named CDK source: not read
    ("custom-type.yaml", 7, "N103"),  # EventPattern under Custom::RuleMaker
    ("custom-type.yaml", 13, "N103"),  # FilterPolicy deep under Custom::Subscriber
    ("custom-type.json", 6, "N103"),
    ("walk/broken.json", 0, "N102"),  # met in a walk, not JSON
    ("walk/broken.yaml", 0, "N102"),  # met in a walk, not YAML
    ("cdk-app", 0, "N104"),  # a source naming a pattern, no cdk.out, no tree-sitter
}
NOTE_ARGS = [
    "no-patterns.yaml",
    "cdk-app/lib/stack.ts",
    "custom-type.yaml",
    "custom-type.json",
    "walk",
    "cdk-app",
]


@pytest.mark.parametrize("fmt", FORMATS)
def test_notes_in_every_format(fmt, capsys, monkeypatch):
    monkeypatch.chdir(SOURCES)
    assert main(["check", *NOTE_ARGS, "--format", fmt]) == 0  # notes only: exit 0
    out = capsys.readouterr().out
    found = _notes(fmt, out)
    # a JSON record always has a line: 1 for a whole file
    expected = {(p, line or 1, code) for p, line, code in NOTED} if fmt.startswith("json") else NOTED
    assert found == expected
    assert "All checks passed" not in out


def test_notes_are_counted_in_the_summary(capsys, monkeypatch):
    monkeypatch.chdir(SOURCES)
    main(["check", *NOTE_ARGS])
    last = capsys.readouterr().out.splitlines()[-1]
    assert last == (
        "No findings in 1 pattern in 5 files; 4 files skipped: 2 without patterns, 2 unreadable; "
        "3 pattern keys under unknown resource types not read; CDK sources in 1 folder not read."
    )


def test_json_notes_keep_the_record_keys(capsys, monkeypatch):
    monkeypatch.chdir(SOURCES)
    main(["check", "custom-type.yaml", "--format", "json"])
    record = json.loads(capsys.readouterr().out)[0]
    assert list(record) == [
        "code", "name", "message", "severity", "path", "line", "column", "end_line", "end_column",
        "json_path", "help", "where", "unknowns",
    ][: len(record)]  # fmt: skip
    assert (record["code"], record["name"], record["severity"]) == ("N103", "unknown-resource-type", "note")
    assert (record["line"], record["column"]) == (7, 7)


def test_sarif_with_notes_validates(capsys, monkeypatch):
    jsonschema = pytest.importorskip("jsonschema")
    monkeypatch.chdir(SOURCES)
    main(["check", *NOTE_ARGS, "--format", "sarif"])
    log = json.loads(capsys.readouterr().out)
    schema = json.loads(SCHEMA.read_text("utf-8"))
    assert list(jsonschema.Draft4Validator(schema).iter_errors(log)) == []


def test_findings_and_notes_together(capsys, monkeypatch):
    monkeypatch.chdir(SOURCES)
    assert main(["check", "serverless-resources.yml", "no-patterns.yaml"]) == 1
    out = capsys.readouterr().out
    assert "no-patterns.yaml: note: no pattern found" in out
    assert out.splitlines()[-1] == (
        "Found 2 findings (2 errors, 0 warnings) in 2 patterns in 2 files; 1 file skipped: 1 without patterns."
    )


def test_named_unparsable_file_stays_an_error(capsys, monkeypatch):
    monkeypatch.chdir(SOURCES)
    assert main(["check", "walk/broken.yaml"]) == 2
    captured = capsys.readouterr()
    assert "error: walk/broken.yaml: not YAML" in captured.err
    assert "All checks passed" not in captured.out


def test_cdk_app_with_cdk_out_has_no_note(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("app/lib").mkdir(parents=True)
    Path("app/cdk.json").write_text("{}", "utf-8")
    Path("app/lib/stack.ts").write_text("new Rule(this, 'R', { eventPattern: {} });", "utf-8")
    assert main(["check", "."]) == 0
    assert "N104" in capsys.readouterr().out
    Path("app/cdk.out").mkdir()
    Path("app/cdk.out/App.template.json").write_text(
        '{"Resources": {"R": {"Type": "AWS::Events::Rule", "Properties": {"EventPattern": {"source": ["a"]}}}}}',
        "utf-8",
    )
    assert main(["check", "."]) == 0
    assert capsys.readouterr().out == "All checks passed (1 pattern in 1 file).\n"


def test_sources_naming_a_pattern_without_cdk_json_are_noted(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("send.py").write_text("sns.subscribe(Attributes={'FilterPolicy': '{}'})\n", "utf-8")
    Path("stack.py").write_text("events.Rule(self, 'R', event_pattern=events.EventPattern())\n", "utf-8")
    Path("other.py").write_text("print('hello')\n", "utf-8")
    main(["check", "."])
    out = capsys.readouterr().out
    assert "2 TypeScript or Python files naming" in out
    assert "(`send.py`)" in out  # the first one found is named


def test_empty_folder_is_not_all_clear(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["check", "."]) == 0
    assert capsys.readouterr().out == "No patterns found in 0 files.\n"


def test_verbose_lists_each_file_and_its_patterns(capsys, monkeypatch):
    monkeypatch.chdir(SOURCES)
    main(["check", "serverless-resources.yml", "no-patterns.yaml", "walk", "--verbose"])
    err = capsys.readouterr().err
    assert "read walk/rule.json: 1 pattern\n" in err
    assert "skipped walk/broken.json: not JSON: " in err
    assert "read serverless-resources.yml: 2 patterns\n" in err
    assert "read no-patterns.yaml: 0 patterns\n" in err


# --- 3. serverless.yml resources ------------------------------------------------------------


def test_serverless_resources_read_at_the_right_lines(capsys, monkeypatch):
    monkeypatch.chdir(SOURCES)
    assert main(["check", "serverless-resources.yml", "serverless-resources-list.yml"]) == 1
    out = capsys.readouterr().out
    found = re.findall(r"^(\S+?):(\d+):(\d+): (E\d{3}) ", out, re.M)
    assert found == [
        ("serverless-resources-list.yml", "15", "32", "E102"),  # resources as a list of fragments
        ("serverless-resources.yml", "18", "23", "E102"),  # resources.Resources, `prefix: 5`
        ("serverless-resources.yml", "27", "23", "E102"),  # resources.extensions
    ]


# --- 4. Pulumi YAML and JSON ----------------------------------------------------------------


def test_pulumi_programs_read_at_the_right_lines(capsys, monkeypatch):
    monkeypatch.chdir(SOURCES)
    assert main(["check", "Pulumi.yaml", "Pulumi.json"]) == 1
    out = capsys.readouterr().out
    found = re.findall(r"^(\S+?):(\d+):(\d+): ([EW]\d{3}) ", out, re.M)
    assert found == [
        ("Pulumi.json", "11", "35", "E102"),  # fn::toJSON object, `"prefix": 5`
        ("Pulumi.json", "21", "42", "W108"),  # filterPolicy as JSON text
        ("Pulumi.yaml", "12", "23", "E102"),  # eventPattern: fn::toJSON, `prefix: 5`
        ("Pulumi.yaml", "19", "65", "W108"),  # eventPattern as a block scalar
        ("Pulumi.yaml", "29", "30", "E102"),  # aws:sns:TopicSubscription filterPolicy
        ("Pulumi.yaml", "42", "32", "E102"),  # aws:lambda:EventSourceMapping filterCriteria
    ]
    assert out.splitlines()[-1] == "Found 6 findings (4 errors, 2 warnings) in 6 patterns in 2 files."


def test_pulumi_interpolations_are_unknowns(capsys, monkeypatch):
    monkeypatch.chdir(SOURCES)
    main(["check", "Pulumi.yaml", "Pulumi.json", "--format", "full"])
    out = capsys.readouterr().out
    assert "Pulumi.yaml:31:15: `${stage}`" in out
    assert 'Pulumi.json:12:25: `"${accountId}"`' in out


def test_pulumi_program_from_standard_input(capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO((SOURCES / "Pulumi.yaml").read_text("utf-8")))
    assert main(["check", "-"]) == 1
    assert "-:12:23: E102 " in capsys.readouterr().out


def test_tool_configuration_is_not_walked_but_is_read_when_named(capsys, tmp_path, monkeypatch):
    """tsconfig.json (JSON with comments) and package.json are no templates: a folder walk leaves
    them out instead of noting each as unreadable; a file the user names is read whatever it is."""
    monkeypatch.chdir(tmp_path)
    Path("tsconfig.json").write_text('{\n  // comments are allowed here\n  "strict": true\n}\n', "utf-8")
    Path("package.json").write_text('{"name": "app"}', "utf-8")
    Path("rule.json").write_text('{"source": ["a"]}', "utf-8")
    main(["check", "."])
    out = capsys.readouterr().out
    assert "N102" not in out and "tsconfig" not in out
    main(["check", "tsconfig.json"])  # named: read as a pattern file, as any named JSON is
    assert capsys.readouterr().out.startswith("tsconfig.json:2:3: E101 ")


def test_cdk_app_naming_no_pattern_is_not_noted(capsys, tmp_path, monkeypatch):
    """An app without cdk.out whose sources name no pattern property holds nothing unread."""
    monkeypatch.chdir(tmp_path)
    Path("app/lib").mkdir(parents=True)
    Path("app/cdk.json").write_text("{}", "utf-8")
    Path("app/lib/stack.ts").write_text("new Bucket(this, 'B');\n", "utf-8")
    Path("app/lib/Stack.java").write_text('new Bucket(this, "B");\n', "utf-8")
    main(["check", "."])
    assert "N104" not in capsys.readouterr().out


def test_java_source_naming_a_pattern_is_noted(capsys, tmp_path, monkeypatch):
    """Java, C#, Go and JavaScript CDK sources are never read: one naming a pattern is noted."""
    monkeypatch.chdir(tmp_path)
    Path("app/src").mkdir(parents=True)
    Path("app/cdk.json").write_text("{}", "utf-8")
    Path("app/src/Stack.java").write_text(
        'Rule.Builder.create(this, "R").eventPattern(EventPattern.builder().build()).build();\n', "utf-8"
    )
    main(["check", "."])
    out = capsys.readouterr().out
    assert "N104" in out
    assert "1 JavaScript, Java, C# or Go file naming a pattern property" in out
    assert "app/src/Stack.java" in out
