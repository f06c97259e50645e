"""CDK apps' sources (issue 23): TypeScript and Python read with tree-sitter, each finding at its
line and column; CDK's helpers evaluated as CDK synthesizes them; non-literal parts unknown."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

from patterns.lint.cli import main
from patterns.lint.rules import check_pattern
from patterns.lint.sources import extract_text
from patterns.lint.sources.literals import js_number

pytest.importorskip("tree_sitter", reason="the `cdk` extra (tree-sitter) is not installed")
pytest.importorskip("tree_sitter_typescript", reason="the `cdk` extra (tree-sitter) is not installed")
pytest.importorskip("tree_sitter_python", reason="the `cdk` extra (tree-sitter) is not installed")

CDK = Path(__file__).parent / "fixtures" / "sources" / "cdk"
FINDING = re.compile(r"^(\S+?):(\d+):(\d+): ([EW]\d{3}) ", re.M)


def _findings(out: str) -> list[tuple[str, int, int, str]]:
    return [(p, int(line), int(col), code) for p, line, col, code in FINDING.findall(out)]


def _texts(name: str, source: str) -> list[object]:
    """The patterns a source gives, decoded, in the order found."""
    return [json.loads(ex.text) for ex in extract_text(name, source)]


# --- the fixture apps, read as a folder walk ----------------------------------------------------


def test_typescript_app_findings_at_their_lines(capsys, monkeypatch):
    monkeypatch.chdir(CDK)
    assert main(["check", "ts-app"]) == 1
    out = capsys.readouterr().out
    assert _findings(out) == [
        # `prefix: 5` in a const the rule's pattern names (line 9 holds a non-ASCII character:
        # columns are characters, not bytes)
        ("ts-app/lib/orders-stack.ts", 10, 60, "E102"),
        # `detail_type` beside a template string with `${...}`: the unknown hides nothing else
        ("ts-app/lib/orders-stack.ts", 27, 9, "W105"),
        # SubscriptionFilter.stringFilter({allowlist: ["red", "red"]})
        ("ts-app/lib/orders-stack.ts", 36, 75, "W108"),
    ]
    assert "N104" not in out  # the app's sources were read
    assert out.splitlines()[-1] == "Found 3 findings (1 error, 2 warnings) in 4 patterns in 1 file."


def test_python_app_findings_at_their_lines(capsys, monkeypatch):
    monkeypatch.chdir(CDK)
    assert main(["check", "py-app"]) == 1
    out = capsys.readouterr().out
    assert _findings(out) == [
        ("py-app/stacks/orders_stack.py", 22, 48, "E102"),  # events.EventPattern(detail={.. prefix: 5})
        ("py-app/stacks/orders_stack.py", 28, 57, "W105"),  # CfnRule keeps `detail_type` as written
        ("py-app/stacks/orders_stack.py", 39, 84, "E102"),  # numeric_filter(greater_than=1e10)
        ("py-app/stacks/orders_stack.py", 52, 91, "W115"),  # FilterProperty(pattern=json.dumps(...)), SQS
    ]
    assert "N104" not in out


def test_unknowns_are_listed_and_hide_only_what_depends_on_them(capsys, monkeypatch):
    monkeypatch.chdir(CDK)
    main(["check", "ts-app", "py-app", "--format", "full"])
    out = capsys.readouterr().out
    assert "ts-app/lib/orders-stack.ts:26:18: ``shop.${props.stage}``" in out
    assert 'py-app/stacks/orders_stack.py:28:39: `f"shop.{stage}"`' in out


def test_named_typescript_file_without_cdk_pattern_is_a_note(capsys, monkeypatch):
    monkeypatch.chdir(CDK)
    assert main(["check", "no-pattern.ts"]) == 0
    out = capsys.readouterr().out
    assert "no-pattern.ts: note: no CDK construct here is given a pattern" in out
    assert "[N101]" in out
    assert "All checks passed" not in out


def test_named_cdk_file_is_read(capsys, monkeypatch):
    monkeypatch.chdir(CDK)
    assert main(["check", "ts-app/lib/orders-stack.ts", "--format", "json"]) == 1
    records = json.loads(capsys.readouterr().out)
    assert [(r["code"], r["line"], r["column"]) for r in records] == [
        ("E102", 10, 60), ("W105", 27, 9), ("W108", 36, 75),
    ]  # fmt: skip


# --- without tree-sitter: today's notes, saying how to enable the reader ----------------------------


def test_without_tree_sitter_the_notes_say_how_to_enable(capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "tree_sitter", None)  # `import tree_sitter` fails
    monkeypatch.chdir(CDK)
    assert main(["check", "ts-app", "py-app/stacks/orders_stack.py"]) == 0
    out = capsys.readouterr().out
    assert "ts-app: note: CDK and SDK sources are not read" in out
    assert "pip install 'eventpatterns[cdk]'" in out
    assert "py-app/stacks/orders_stack.py: note: CDK sources are read with tree-sitter" in out
    assert not _findings(out)


# --- where patterns are found, and what CDK synthesizes from them -------------------------------


def test_typescript_constructs_and_helpers():
    source = """
new Rule(this, "A", { eventPattern: { source: Match.prefix("a"), detailType: Match.anythingBut("x", "y") } });
rule.addEventPattern({ detail: { n: Match.interval(1, 5), ip: Match.cidr("10.0.0.0/8"), e: Match.exists() } });
new Rule(this, "B", { eventPattern: { detail: { s: Match.anyOf(Match.prefix("a"), Match.suffix("b")) } } });
new CfnRule(this, "C", { eventPattern: { "detail-type": ["x"], detailType: ["y"] } });
new SqsEventSource(q, { filters: [FilterCriteria.filter({ body: {
  a: FilterRule.isEqual(5), b: FilterRule.notEquals("x"), c: FilterRule.between(1, 2.50),
  d: FilterRule.beginsWith("p"), e: FilterRule.notExists(), f: FilterRule.or("u", "v"), g: FilterRule.null() } })] });
new CfnEventSourceMapping(this, "M", { filterCriteria: { filters: [{ pattern: '{"body": {"x": ["y"]}}' }] } });
new CfnPipe(this, "P", { sourceParameters: { filterCriteria: { filters: [{ pattern: JSON.stringify({ data: { k: ["v"] } }) }] } } });
"""
    assert _texts("stack.ts", source) == [
        {"source": [{"prefix": "a"}], "detail-type": [{"anything-but": ["x", "y"]}]},
        {"detail": {"n": [{"numeric": [">=", 1, "<=", 5]}], "ip": [{"cidr": "10.0.0.0/8"}], "e": [{"exists": True}]}},
        {"detail": {"s": [{"prefix": "a"}, {"suffix": "b"}]}},
        {"detail-type": ["x"], "detailType": ["y"]},  # CfnRule: as written
        {"body": {
            "a": [{"numeric": ["=", 5]}], "b": [{"anything-but": ["x"]}], "c": [{"numeric": [">", 1, "<=", 2.5]}],
            "d": [{"prefix": "p"}], "e": [{"exists": False}], "f": ["u", "v"], "g": [None],
        }},
        {"body": {"x": ["y"]}},
        {"data": {"k": ["v"]}},
    ]  # fmt: skip
    kinds = [(e.kind, e.dialect, e.source_kind) for e in extract_text("stack.ts", source)]
    assert kinds[-3:] == [("esm", "lambda", "sqs"), ("esm", "lambda", None), ("pipe", "pipes", None)]


def test_sns_subscription_filters_as_cdk_synthesizes_them():
    source = """
new LambdaSubscription(fn, { filterPolicy: {
  color: SubscriptionFilter.stringFilter({ allowlist: ["red"], denylist: ["blue"], matchPrefixes: ["g"], matchSuffixes: ["n"] }),
  size: SubscriptionFilter.numericFilter({ allowlist: [1], greaterThan: 2, lessThanOrEqualTo: 9, betweenStrict: { start: 3, stop: 4 } }),
  tag: SubscriptionFilter.existsFilter(),
} });
new SqsSubscription(q, { filterPolicyWithMessageBody: {
  order: FilterOrPolicy.policy({ kind: FilterOrPolicy.filter(SubscriptionFilter.notExistsFilter()) }),
} });
new CfnSubscription(this, "S", { filterPolicyScope: "MessageBody", filterPolicy: { a: ["b"] } });
"""
    found = extract_text("stack.ts", source)
    assert [json.loads(e.text) for e in found] == [
        {
            "color": ["red", {"anything-but": ["blue"]}, {"prefix": "g"}, {"suffix": "n"}],
            "size": [
                {"numeric": ["=", 1]}, {"numeric": [">", 2]}, {"numeric": ["<=", 9]}, {"numeric": [">", 3, "<", 4]},
            ],
            "tag": [{"exists": True}],
        },
        {"order": {"kind": [{"exists": False}]}},
        {"a": ["b"]},
    ]  # fmt: skip
    assert [(e.dialect, e.scope) for e in found] == [
        ("sns-attributes", None), ("sns-body", None), ("sns-body", "MessageBody"),
    ]  # fmt: skip


def test_python_keyword_structs_and_variables():
    source = """
pattern = {"source": ["a"], "detail": {"n": [1.0]}}
events.Rule(self, "A", event_pattern=events.EventPattern(source=["a"], detail_type=["t"], detail=d))
events.Rule(self, "B", event_pattern=pattern)
rule.add_event_pattern(detail_type=["x"])
"""
    found = extract_text("app.py", source)
    assert [json.loads(e.text) for e in found] == [
        {"source": ["a"], "detail-type": ["t"], "detail": ["${d}#0"]},  # an unknown field value: a list
        {"source": ["a"], "detail": {"n": [1]}},  # a variable bound once; 1.0 is written 1, as JSON.stringify
        {"detail-type": ["x"]},
    ]
    assert [u.text for u in found[0].unknowns] == ["d"]


def test_spread_makes_only_its_object_unknown():
    source = (
        'new Rule(this, "A", { eventPattern: { source: ["a", "a"], detail: { ...base, x: ["b", "b"] } } });\n'
    )
    (ex,) = extract_text("stack.ts", source)
    _, diagnostics = check_pattern(ex)
    # the duplicate in `source` is still reported; what the spread may change in `detail` is not
    assert [(d.line, d.column, d.code) for d in diagnostics] == [(1, 53, "W108")]


def test_non_literal_pattern_is_not_read_and_noted():
    notes: list = []
    assert (
        extract_text("stack.ts", "new Rule(this, 'R', { eventPattern: makePattern() });\n", notes=notes) == []
    )
    assert [(n.code, n.line, n.column) for n in notes] == [("N101", 1, 23)]


def test_javascript_number_text():
    assert [js_number(v) for v in (1.0, 1e21, 1e-7, 0.5, 123456789012345678901, -2.5e-3, 1e20)] == [
        "1", "1e+21", "1e-7", "0.5", "123456789012345680000", "-0.0025", "100000000000000000000",
    ]  # fmt: skip


def test_archives_buses_and_event_source_arns():
    source = """
new Archive(this, "A", { sourceEventBus: bus, eventPattern: { source: ["a"] } });
bus.archive("B", { eventPattern: { source: ["a"] } });
new Rule(this, "R", { eventBus: bus, eventPattern: { source: ["a"] } });
new EventSourceMapping(this, "M", { target: fn, eventSourceArn: table.tableStreamArn,
  filters: [FilterCriteria.filter({ dynamodb: { Keys: { id: { S: FilterRule.exists() } } } })] });
"""
    found = extract_text("stack.ts", source)
    assert [(e.kind, e.group, e.source_kind) for e in found] == [
        ("archive", None, None), ("archive", None, None), ("rule", "bus:bus", None), ("esm", None, "dynamodb"),
    ]  # fmt: skip


def test_app_with_cdk_out_is_read_there_only(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("app/lib").mkdir(parents=True)
    Path("app/cdk.json").write_text("{}", "utf-8")
    Path("app/lib/stack.ts").write_text(
        "new Rule(this, 'R', { eventPattern: { source: ['a', 'a'] } });\n", "utf-8"
    )
    assert main(["check", "."]) == 1
    out = capsys.readouterr().out
    assert "app/lib/stack.ts:1:53: W108 " in out
    assert "N104" not in out  # the app's sources were read
    Path("app/cdk.out").mkdir()
    Path("app/cdk.out/App.template.json").write_text(
        '{"Resources": {"R": {"Type": "AWS::Events::Rule", "Properties": {"EventPattern": {"source": ["a"]}}}}}',
        "utf-8",
    )
    assert main(["check", "."]) == 0
    assert capsys.readouterr().out == "All checks passed (1 pattern in 1 file).\n"


def test_filter_given_to_an_apps_own_construct():
    source = """
new DynamoWorkflowTrigger(this, "T", { eventSourceFilters: [
  FilterCriteria.filter({ dynamodb: { NewImage: { SkipMe: { S: FilterRule.notExists() } } } }),
] });
new SqsEventSource(q, { filters: [FilterCriteria.filter({ body: { a: ["b"] } })] });
"""
    found = extract_text("stack.ts", source)
    assert [(json.loads(e.text), e.filter_position) for e in found] == [
        ({"dynamodb": {"NewImage": {"SkipMe": {"S": [{"exists": False}]}}}}, None),
        ({"body": {"a": ["b"]}}, (0, 1)),  # read once, under `filters`, with its place in the list
    ]


def test_walk_reads_sources_that_only_call_add_event_pattern(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("app.py").write_text(
        'rule.add_event_pattern(source=["a"], detail={"n": [{"prefix": 5}]})\n', "utf-8"
    )
    assert main(["check", "."]) == 1
    assert "app.py:1:63: E102 " in capsys.readouterr().out


def test_cfn_subscriber_filters_read_in_their_scope_dialect_not_as_lambda_filters():
    ts = """
new eventsv2.CfnSubscriber(this, 'Sub', {
  eventBusArn: bus.attrArn,
  name: 'acme',
  filterConfiguration: {
    filters: [
      { scope: 'DATA', pattern: JSON.stringify({ detail: { status: ['PLACED'] } }) },
      { scope: 'METADATA', pattern: JSON.stringify({ tenant: ['acme'] }) },
    ],
  },
});
"""
    found = extract_text("stack.ts", ts)
    assert [(ex.kind, ex.dialect, ex.scope, ex.filter_position) for ex in found] == [
        ("subscriber", "bus-data", "DATA", (0, 2)),
        ("subscriber", "bus-metadata", "METADATA", (1, 2)),
    ]
    py = """
eventsv2.CfnSubscriber(self, "Sub", event_bus_arn=bus.attr_arn, name="acme",
    filter_configuration=eventsv2.CfnSubscriber.FilterConfigurationProperty(filters=[
        eventsv2.CfnSubscriber.FilterProperty(scope="METADATA", pattern=json.dumps({"tenant": [{"prefix": "ac"}]})),
    ]))
"""
    (ex,) = extract_text("stack.py", py)
    _, diagnostics = check_pattern(ex)
    assert [(d.code, d.line, d.column) for d in diagnostics] == [("E107", 4, 96)]  # at {"prefix": ...}
