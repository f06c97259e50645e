"""`patterns.explain` and `pattern-lint test`: a per-condition account of a match or a non-match."""

from __future__ import annotations

import json

import pytest

import patterns
from patterns.explain import Explanation, explain
from patterns.lint.cli import main
from patterns.lint.rules import check_pattern
from patterns.lint.sources import extract_text

PATTERN = {
    "source": ["aws.ec2"],
    "detail": {
        "state": ["stopped", "terminated"],
        "amount": [{"numeric": [">", 100]}],
        "code": [{"prefix": "4"}],
        "id": ["x"],
    },
}
EVENT = {"source": "aws.ec2", "detail": {"state": "running", "amount": 50, "code": 404}}


def _by_path(e: Explanation) -> dict:
    return {c.path: c for c in e.branches[0].conditions}


def test_explain_names_each_failed_test():
    e = explain(patterns.compile(PATTERN), EVENT)
    assert not e.matched
    c = _by_path(e)
    assert (c["source"].holds, c["source"].kind) == (True, "ok")
    assert (c["detail.state"].kind, c["detail.state"].found) == ("value", ("running",))
    assert c["detail.amount"].kind == "range"
    assert "> 100" in c["detail.amount"].reason
    assert c["detail.code"].kind == "type"
    assert "number" in c["detail.code"].reason
    assert c["detail.id"].kind == "missing"
    assert c["detail.id"].reason == "missing: the event has `detail` but no `detail.id`"


def test_explain_str_reads_at_a_glance():
    text = str(explain(patterns.compile(PATTERN), EVENT))
    assert text.splitlines() == [
        "no match: 4 of 5 conditions fail",
        '  ✓ source         "aws.ec2"  is one of ["aws.ec2"]',
        '  ✗ detail.state   "running"  is not one of ["stopped", "terminated"]',
        "  ✗ detail.amount  50         outside the range: needs > 100",
        "  ✗ detail.code    404        type mismatch: the value is a number; prefix matches strings only",
        "  ✗ detail.id      (missing)  missing: the event has `detail` but no `detail.id`",
    ]


def test_explain_array_elements_satisfying_different_conditions():
    p = patterns.compile({"detail": {"items": {"name": ["a"], "qty": [{"numeric": [">", 1]}]}}})
    event = {"detail": {"items": [{"name": "a", "qty": 1}, {"name": "b", "qty": 5}]}}
    e = explain(p, event)
    assert not e.matched
    assert all(c.holds for c in e.branches[0].conditions)
    assert "element 0" in e.branches[0].note
    assert "element 1" in e.branches[0].note
    assert "every condition holds alone, but not together" in str(e)


def test_explain_object_and_string_number_mismatch():
    p = patterns.compile({"detail": {"n": [{"numeric": [">", 1]}], "o": [{"exists": True}]}})
    c = _by_path(explain(p, {"detail": {"n": "5", "o": {"a": 1}}}))
    assert c["detail.n"].kind == "type"
    assert "numeric conditions match numbers only" in c["detail.n"].reason
    assert c["detail.o"].kind == "object"


def test_explain_or_branches_and_match():
    p = patterns.compile({"$or": [{"source": ["a"]}, {"detail": {"x": ["1"]}}]})
    e = explain(p, {"source": "b", "detail": {"x": "1"}})
    assert e.matched
    assert [b.holds for b in e.branches] == [False, True]
    assert str(e).startswith("match: 1 of 2 branches hold")


def test_explain_anything_but_and_exists_false():
    p = patterns.compile({"detail": {"state": [{"anything-but": "running"}], "gone": [{"exists": False}]}})
    c = _by_path(explain(p, {"detail": {"state": "running", "gone": 1}}))
    assert c["detail.state"].kind == "excluded"
    assert c["detail.gone"].kind == "present"
    c = _by_path(explain(p, {"detail": {"state": "x"}}))
    assert c["detail.gone"].holds


def test_explain_sns_input_never_filtered():
    p = patterns.compile({"kind": ["a"]}, dialect="sns-body")
    e = explain(p, "not json")
    assert not e.matched
    assert "does not filter this input" in str(e)


CASES = [
    ({"a": ["x"]}, {"a": "x"}),
    ({"a": ["x"]}, {"a": ["y", "x"]}),
    ({"a": [{"exists": False}]}, {"b": 1}),
    ({"a": {"b": ["1"], "c": ["2"]}}, {"a": [{"b": "1"}, {"c": "2"}]}),
    ({"a": [{"numeric": [">=", 1, "<", 2]}]}, {"a": 1.5}),
    ({"$or": [{"a": ["1"]}, {"b": [{"prefix": "x"}]}]}, {"b": "xy"}),
    ({"a": [{"cidr": "10.0.0.0/8"}]}, {"a": "10.1.2.3"}),
    ({"a": [{"equals-ignore-case": "AbC"}]}, {"a": "aBc"}),
]


@pytest.mark.parametrize(("pattern", "event"), CASES)
def test_explain_agrees_with_matches(pattern, event):
    p = patterns.compile(pattern)
    assert explain(p, event).matched == p.matches(event)


def test_pattern_explain_method_delegates():
    p = patterns.compile(PATTERN)
    if not hasattr(p, "explain"):
        pytest.skip("Pattern.explain is not in this core.py")
    assert p.explain(EVENT) == explain(p, EVENT)


def test_cli_test_explains_and_exits_1_on_no_match(capsys, tmp_path):
    event_file = tmp_path / "event.json"
    event_file.write_text(json.dumps(EVENT), "utf-8")
    status = main(["test", "--pattern", json.dumps(PATTERN), "--event", str(event_file)])
    out = capsys.readouterr().out
    assert status == 1
    assert out.startswith("no match: 4 of 5 conditions fail\n")


def test_cli_test_several_events_and_match(capsys):
    status = main(
        ["test", "--pattern", '{"source": ["a"]}', "--event", '{"source": "a"}', "--event", '{"source": "a"}']
    )
    assert status == 0
    assert capsys.readouterr().out.count("match: every condition holds") == 2


def test_cli_test_invalid_pattern_exits_2_with_aws_text(capsys):
    assert main(["test", "--pattern", '{"source": "a"}', "--event", "{}"]) == 2
    assert 'Reason: "source" must be an object or an array' in capsys.readouterr().err


def test_cli_test_invalid_event_exits_2(capsys):
    assert main(["test", "--pattern", '{"source": ["a"]}', "--event", "[1]"]) == 2


def test_explain_value_where_an_object_is_expected():
    p = patterns.compile({"body": {"kind": ["a"]}})
    (c,) = explain(p, {"body": "plain text"}).branches[0].conditions
    assert c.reason == 'missing: `body` holds a string ("plain text"), not an object'


def test_cli_test_reads_sns_attribute_maps(capsys):
    status = main(
        [
            "test",
            "--dialect",
            "sns-attributes",
            "--pattern",
            '{"price": [{"numeric": [">=", 1000]}]}',
            "--event",
            '{"price": {"DataType": "String", "StringValue": "1200"}}',
        ]
    )
    assert status == 1
    assert "numeric conditions match numbers only" in capsys.readouterr().out


SUGGEST_EVENT = {"source": "aws.ec2", "detail-type": "x", "detail": {"state": "Stopped", "id": "i-1"}}


@pytest.mark.parametrize(
    ("pattern", "path", "suggestion"),
    [
        ({"detail": {"stat": ["stopped"]}}, "detail.stat", "detail.state"),
        ({"detail": {"State": ["Stopped"]}}, "detail.State", "detail.state"),
        ({"Detail": {"state": ["Stopped"]}}, "Detail.state", "detail.state"),
        ({"Detail": {"nope": ["x"]}}, "Detail.nope", "detail"),  # the rest of the path is not there
        ({"detail_type": ["x"]}, "detail_type", "detail-type"),
    ],
)
def test_explain_suggests_the_field_the_event_has(pattern, path, suggestion):
    c = _by_path(explain(patterns.compile(pattern), SUGGEST_EVENT))[path]
    assert (c.kind, c.suggestion) == ("missing", suggestion)
    assert c.reason.endswith(f"; did you mean `{suggestion}`?")


def test_explain_suggests_nothing_far():
    c = _by_path(explain(patterns.compile({"detail": {"colour": ["red"]}}), SUGGEST_EVENT))["detail.colour"]
    assert c.suggestion == ""
    assert c.reason == "missing: the event has `detail` but no `detail.colour`"


def test_explain_suggests_the_value_differing_only_in_spelling():
    c = _by_path(explain(patterns.compile({"detail": {"state": ["stopped", "running"]}}), SUGGEST_EVENT))
    assert (c["detail.state"].kind, c["detail.state"].suggestion) == ("value", '"stopped"')
    assert 'did you mean "stopped"?' in c["detail.state"].reason
    far = _by_path(explain(patterns.compile({"detail": {"state": ["stopping"]}}), SUGGEST_EVENT))
    assert far["detail.state"].suggestion == ""
    assert "did you mean" not in far["detail.state"].reason


def test_cli_test_prints_the_suggestions(capsys):
    event = json.dumps(SUGGEST_EVENT)
    assert main(["test", "--pattern", '{"detail": {"stat": ["stopped"]}}', "--event", event]) == 1
    assert "did you mean `detail.state`?" in capsys.readouterr().out
    assert main(["test", "--pattern", '{"detail": {"state": ["stopped"]}}', "--event", event]) == 1
    assert 'did you mean "stopped"?' in capsys.readouterr().out


@pytest.mark.parametrize(
    ("key", "guess"),
    [("detail_type", "detail-type"), ("Detail", "detail"), ("regoin", "region"), ("ressources", "resources")],
)
def test_key_outside_envelope_suggests_the_envelope_field(key, guess):
    (ex,) = extract_text("p.json", json.dumps({"source": ["aws.ec2"], key: ["x"]}))
    (d,) = check_pattern(ex)[1]
    assert (d.code, d.help) == ("W105", f"did you mean `{guess}`?")


ENVELOPE_EVENT = {
    "id": "1",
    "account": "123456789012",
    "source": "aws.ec2",
    "time": "2024-01-01T00:00:00Z",
    "region": "us-east-1",
    "resources": [],
    "detail-type": "x",
    "detail": {"state": "stopped"},
}


def test_cli_test_require_envelope_refuses_events_aws_refuses(capsys):
    pattern = '{"source": ["aws.ec2"]}'
    bare = json.dumps({"source": "aws.ec2", "detail": {}})
    assert main(["test", "--pattern", pattern, "--event", bare]) == 0  # without the flag: matched
    capsys.readouterr()
    assert main(["test", "--require-envelope", "--pattern", pattern, "--event", bare]) == 2
    err = capsys.readouterr().err
    assert err == (
        "error: event 1: Parameter Event is not valid. "
        "(missing `id`, `account`, `time`, `region`, `resources`, `detail-type`)\n"
    )
    whole = json.dumps(ENVELOPE_EVENT)
    assert main(["test", "--require-envelope", "--pattern", pattern, "--event", whole]) == 0
    no_resources = json.dumps({k: v for k, v in ENVELOPE_EVENT.items() if k != "resources"})
    assert main(["test", "--require-envelope", "--pattern", pattern, "--event", no_resources]) == 2
    assert "(missing `resources`)" in capsys.readouterr().err


def test_cli_test_require_envelope_is_for_eventbridge(capsys):
    args = ["test", "--require-envelope", "--dialect", "sns-body", "--pattern", "{}", "--event", "{}"]
    assert main(args) == 2
    assert "--require-envelope checks EventBridge events" in capsys.readouterr().err
