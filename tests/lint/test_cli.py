"""pattern-lint through `main(argv)`: host fixtures with known faults at known places, in every
output format; SARIF against the 2.1.0 schema; exit codes, selection, configuration, suppression."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest

from patterns.lint.cli import main
from patterns.lint.render import FORMATS

HOSTS = Path(__file__).parent / "fixtures" / "hosts"
SCHEMA = Path(__file__).parent / "sarif-schema-2.1.0.json"

#: Every finding in the host fixtures: (file, line, column, code), checked by eye once with
#: `--format full` (the caret lands on the faulty token) and pinned here.
EXPECTED = {
    ("cdk.out/AppStack.template.json", 15, 8, "W101"),  # anything-but object in CDK's JSON
    ("cdk.out/AppStack.template.json", 45, 9, "E102"),  # SNS numeric beyond 1e9
    ("cdk.out/AppStack.template.json", 67, 66, "E102"),  # `1` inside an escaped JSON string
    ("cfn.yaml", 12, 9, "W105"),  # detailType
    ("cfn.yaml", 14, 19, "W101"),  # anything-but in a YAML flow map
    ("cfn.yaml", 24, 40, "E102"),  # "10" inside a !Sub | block scalar
    ("cfn.yaml", 37, 11, "E102"),  # nested policy, MessageAttributes scope
    ("cfn.yaml", 47, 53, "W108"),  # second \"a\" inside a double-quoted YAML string
    ("main.tf", 12, 28, "E102"),  # prefix 5 inside a <<- heredoc
    ("main.tf", 22, 5, "W105"),  # detail_type in jsonencode
    ("main.tf", 24, 16, "W110"),  # { prefix = "" } in jsonencode
    ("main.tf", 35, 45, "E102"),  # scalar source in a module map
    ("sam.yaml", 17, 25, "W109"),  # wildcard "stop*"
    ("sam.yaml", 24, 38, "W108"),  # ALARM twice
    ("sam.yaml", 31, 30, "W115"),  # SQS filter outside body
    ("sam.yaml", 41, 36, "W103"),  # numeric on N, in a folded block scalar
}
HOST_FILES = ["cdk.out/AppStack.template.json", "cfn.yaml", "main.tf", "sam.yaml"]


def _positions(fmt: str, out: str) -> set[tuple[str, int, int, str]]:
    if fmt in ("concise", "full"):
        return {
            (m[1], int(m[2]), int(m[3]), m[4])
            for m in re.finditer(r"^(\S+?):(\d+):(\d+): ([EW]\d{3}) ", out, re.M)
        }
    if fmt in ("json", "json-lines"):
        records = json.loads(out) if fmt == "json" else [json.loads(line) for line in out.splitlines()]
        return {(r["path"], r["line"], r["column"], r["code"]) for r in records}
    if fmt == "sarif":
        results = json.loads(out)["runs"][0]["results"]
        return {
            (
                r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
                r["locations"][0]["physicalLocation"]["region"]["startLine"],
                r["locations"][0]["physicalLocation"]["region"]["startColumn"],
                r["ruleId"],
            )
            for r in results
        }
    assert fmt == "github"
    return {
        (m[2], int(m[3]), int(m[4]), m[5])
        for m in re.finditer(
            r"^::(error|warning) file=([^,]+),line=(\d+),col=(\d+),.*?title=([EW]\d{3}) ", out, re.M
        )
    }


@pytest.mark.parametrize("fmt", FORMATS)
def test_host_fixtures_findings_at_their_places_in_every_format(fmt, capsys, monkeypatch):
    monkeypatch.chdir(HOSTS)
    assert main(["check", *HOST_FILES, "--format", fmt]) == 1
    out = capsys.readouterr().out
    assert _positions(fmt, out) == EXPECTED


def test_folder_walk_finds_the_same(capsys, monkeypatch):
    monkeypatch.chdir(HOSTS)
    assert main(["check", "."]) == 1
    found = _positions("concise", capsys.readouterr().out)
    assert {(Path(p).as_posix().removeprefix("./"), *rest) for p, *rest in found} == EXPECTED


def test_full_format_shows_source_caret_help_and_unknowns(capsys, monkeypatch):
    monkeypatch.chdir(HOSTS)
    main(["check", "main.tf", "--format", "full"])
    out = capsys.readouterr().out
    assert '22 |     detail_type = ["EC2 Instance State-change Notification"]' in out
    assert "   |     ^^^^^^^^^^^\n" in out
    assert "= help: did you mean `detail-type`?" in out
    assert "main.tf:25:35: `var.min_size`" in out  # unknown values are listed
    assert "main.tf:11:36: `${var.min_size}`" in out


def test_unknown_number_variable_inside_numeric_is_no_error(capsys, monkeypatch):
    monkeypatch.chdir(HOSTS)
    main(["check", "main.tf", "--format", "json"])
    records = json.loads(capsys.readouterr().out)
    assert not [r for r in records if "numeric" in r["json_path"]]


def test_sarif_validates_against_the_2_1_0_schema(capsys, monkeypatch):
    jsonschema = pytest.importorskip("jsonschema")
    monkeypatch.chdir(HOSTS)
    main(["check", *HOST_FILES, "--format", "sarif"])
    log = json.loads(capsys.readouterr().out)
    schema = json.loads(SCHEMA.read_text("utf-8"))
    jsonschema.Draft4Validator.check_schema(schema)
    errors = list(jsonschema.Draft4Validator(schema).iter_errors(log))
    assert errors == []
    assert log["runs"][0]["results"]


def test_sarif_schema_check_can_fail():
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(SCHEMA.read_text("utf-8"))
    bad = {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": [{"level": "fatal"}]}]}
    assert list(jsonschema.Draft4Validator(schema).iter_errors(bad))


def test_json_output_is_sorted_with_stable_keys(capsys, monkeypatch):
    monkeypatch.chdir(HOSTS)
    main(["check", "sam.yaml", "cfn.yaml", "--format", "json"])
    records = json.loads(capsys.readouterr().out)
    keys = [(r["path"], r["line"], r["column"], r["code"]) for r in records]
    assert keys == sorted(keys)
    assert list(records[0]) == [
        "code", "name", "message", "severity", "path", "line", "column", "end_line", "end_column",
        "json_path", "help", "where", "unknowns",
    ]  # fmt: skip


def test_machine_formats_have_no_summary(capsys, monkeypatch):
    monkeypatch.chdir(HOSTS)
    main(["check", "sam.yaml", "--format", "json-lines"])
    out = capsys.readouterr().out
    assert "Found" not in out
    assert all(line.startswith("{") for line in out.splitlines())


def test_github_format_escapes(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("a,b.json").write_text('{"source": ["x", "x"]}', "utf-8")
    main(["check", "a,b.json", "--format", "github"])
    out = capsys.readouterr().out
    assert out.startswith(
        "::warning file=a%2Cb.json,line=1,col=18,endLine=1,endColumn=21,title=W108 (duplicate-value)::"
    )


# --- exit codes, selection, configuration ---------------------------------------------------


def test_clean_input_exits_0_with_summary(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("p.json").write_text('{"source": ["aws.ec2"]}', "utf-8")
    assert main(["check", "p.json"]) == 0
    assert capsys.readouterr().out == "All checks passed (1 pattern in 1 file).\n"


def test_findings_exit_1_and_exit_zero_forces_0(capsys, monkeypatch):
    monkeypatch.chdir(HOSTS)
    assert main(["check", "sam.yaml"]) == 1
    assert main(["check", "sam.yaml", "--exit-zero"]) == 0


def test_missing_file_exits_2(capsys):
    assert main(["check", "no/such/file.yaml"]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_unparsable_template_exits_2(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("t.yaml").write_text("Resources:\n  R: [unclosed\n", "utf-8")
    assert main(["check", "t.yaml"]) == 2
    assert "not YAML" in capsys.readouterr().err


def test_usage_errors_exit_2(capsys):
    assert main(["check"]) == 2
    assert main(["check", ".", "--select", "X999"]) == 2
    assert "unknown rule selector" in capsys.readouterr().err
    assert main(["frobnicate-is-not-a-file"]) == 2
    assert main(["rule", "W999"]) == 2


def test_select_and_ignore_by_code_prefix_and_name(capsys, monkeypatch):
    monkeypatch.chdir(HOSTS)
    main(
        ["check", *HOST_FILES, "--select", "W1", "--ignore", "W108,key-outside-envelope", "--format", "json"]
    )
    codes = {r["code"] for r in json.loads(capsys.readouterr().out)}
    assert codes == {"W101", "W103", "W109", "W110", "W115"}
    main(["check", *HOST_FILES, "--select", "E", "--format", "json"])
    assert {r["code"] for r in json.loads(capsys.readouterr().out)} == {"E102"}


def test_pyproject_configuration(capsys, tmp_path, monkeypatch):
    (tmp_path / "pyproject.toml").write_text(
        '[tool.pattern-lint]\nignore = ["W108"]\nformat = "json"\n', "utf-8"
    )
    sub = tmp_path / "infra"
    sub.mkdir()
    (sub / "p.json").write_text('{"source": ["x", "x"], "detail_type": ["y"]}', "utf-8")
    monkeypatch.chdir(sub)  # found by walking up
    assert main(["check", "p.json"]) == 1
    assert [r["code"] for r in json.loads(capsys.readouterr().out)] == ["W105"]
    # the command line wins over the file
    assert main(["check", "p.json", "--format", "concise", "--select", "W108"]) == 1
    assert capsys.readouterr().out.startswith("p.json:1:18: W108 ")


def test_bad_pyproject_is_a_usage_error(capsys, tmp_path, monkeypatch):
    (tmp_path / "pyproject.toml").write_text("[tool.pattern-lint\n", "utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["check", "."]) == 2


def test_inline_suppression_in_yaml(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("t.yaml").write_text(
        "Resources:\n"
        "  R:\n"
        "    Type: AWS::Events::Rule\n"
        "    Properties:\n"
        "      EventPattern:  # pattern-lint: ignore[W101]\n"
        "        source: [x]\n"
        "        detail: {a: [{anything-but: b}], c: [d, d]}\n"
        "  S:\n"
        "    Type: AWS::Events::Rule\n"
        "    Properties:\n"
        "      EventPattern:\n"
        "        source: [y]\n"
        "        detail: {c: [d, d]}  # pattern-lint: ignore\n",
        "utf-8",
    )
    main(["check", "t.yaml"])
    out = capsys.readouterr().out
    assert out.splitlines()[:-1] == ['t.yaml:7:49: W108 "d" is already in the list of `detail.c`']


def test_inline_suppression_in_hcl(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("m.tf").write_text(
        'resource "aws_cloudwatch_event_rule" "r" {\n'
        "  # pattern-lint: ignore[W105]\n"
        "  event_pattern = jsonencode({\n"
        '    source = ["x", "x"]\n'
        '    detail_type = ["y"]\n'
        "  })\n"
        "}\n",
        "utf-8",
    )
    main(["check", "m.tf"])
    assert capsys.readouterr().out.splitlines()[0] == 'm.tf:4:20: W108 "x" is already in the list of `source`'


def test_stdin(capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO('{"source": ["a"], "Source": ["b"]}'))
    assert main(["check", "-"]) == 1
    assert capsys.readouterr().out.startswith("-:1:19: W105 `Source` is not a field")


def test_raw_file_with_dialect(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("policy.json").write_text('{"store": {"kind": ["x"]}}', "utf-8")
    assert main(["check", "policy.json", "--dialect", "sns-attributes"]) == 1
    assert "does not support nested filter policy" in capsys.readouterr().out
    assert main(["check", "policy.json", "--dialect", "sns-body"]) == 0


def test_walk_skips_json_that_is_not_a_pattern(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("package.json").write_text('{"name": "x", "version": "1"}', "utf-8")
    Path("broken.json").write_text("{", "utf-8")
    assert main(["check", "."]) == 0
    assert "0 patterns in" in capsys.readouterr().out


def test_python_dash_m_patterns_lint(capsys):
    from patterns.__main__ import main as patterns_main

    assert patterns_main(["lint", "rules"]) == 0
    assert "W101  anything-but-ignores-missing" in capsys.readouterr().out


def test_rule_prints_documentation(capsys):
    assert main(["rule", "W101"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# anything-but-ignores-missing (W101)")
    assert "## Why is this bad?" in out
    assert main(["rule", "duplicate-key"]) == 0
    assert "(W107)" in capsys.readouterr().out


def test_bare_path_means_check(capsys, monkeypatch):
    monkeypatch.chdir(HOSTS)
    assert main(["sam.yaml"]) == 1
    assert "sam.yaml:17:25: W109" in capsys.readouterr().out


def test_pre_commit_hooks_file():
    text = (Path(__file__).parents[2] / ".pre-commit-hooks.yaml").read_text("utf-8")
    assert "entry: pattern-lint" in text
    assert "language: python" in text


def test_readme_pattern_lint_section_shows_real_output(capsys, monkeypatch):
    readme = (Path(__file__).parents[2] / "README.md").read_text("utf-8")
    section = readme[readme.index("## pattern-lint") :]
    blocks = re.findall(r"```(sh|text)\n(.*?)```", section, re.S)
    check_cmd, check_out, test_cmd, test_out = (body for _, body in blocks[:4])
    assert "pattern-lint check main.tf" in check_cmd
    monkeypatch.chdir(HOSTS)
    main(["check", "main.tf"])
    assert capsys.readouterr().out == check_out
    pattern = re.search(r"--pattern '([^']*)'", test_cmd)[1]
    event = re.search(r"--event '([^']*)'", test_cmd)[1]
    assert main(["test", "--pattern", pattern, "--event", event]) == 1
    assert capsys.readouterr().out == test_out
