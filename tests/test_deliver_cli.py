"""`patterns match --targets`: what each matching rule's (or subscriber's) target receives.

Every line is checked against the library (`patterns.transform.Target`, `BusTransformer`), the
bundled examples (examples/targets.json, examples/bus/) are kept true, and so is README's excerpt.
"""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path
from typing import Any

import pytest

import patterns
from patterns.__main__ import main
from patterns.transform import BusTransformer, Target

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
BUS = EXAMPLES / "bus"
SYSTEM = {"ContentType": "application/json", "aws:DeliveryType": "LIVE"}


def _run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, list[dict[str, Any]], str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, [json.loads(line) for line in out.splitlines()], err


def _write(tmp_path: Path, name: str, value: Any) -> Path:
    path = tmp_path / name
    if isinstance(value, list):  # events: JSON lines
        path.write_text("".join(json.dumps(v) + "\n" for v in value))
    else:
        path.write_text(json.dumps(value))
    return path


# --- the bundled examples


def test_bundled_targets_example_is_what_the_library_renders(capsys) -> None:
    code, lines, err = _run(
        capsys,
        "match",
        EXAMPLES / "rules.json",
        EXAMPLES / "events.jsonl",
        "--targets",
        EXAMPLES / "targets.json",
    )
    assert (code, err) == (0, "")
    rules = json.loads((EXAMPLES / "rules.json").read_text())
    targets = json.loads((EXAMPLES / "targets.json").read_text())
    events = [json.loads(line) for line in (EXAMPLES / "events.jsonl").read_text().splitlines()]
    expected = []
    for where, event in enumerate(events, 1):
        for rule, pattern in rules.items():
            if not patterns.compile(pattern).matches(event):
                continue
            given = targets.get(rule, {})  # no entry: the whole event, AWS's default
            for i, target in enumerate(given if isinstance(given, list) else [given]):
                text = Target(target).render(event, rule_name=rule)
                expected.append(
                    {"where": where, "event": event["id"], "rule": rule, "target": i, "input": text}
                )
    assert lines == expected
    kinds = {Target(t).kind for v in targets.values() for t in (v if isinstance(v, list) else [v])}
    assert kinds == {"Input", "InputPath", "InputTransformer"}  # the example shows every kind
    assert any(line["rule"] not in targets for line in lines)  # and the default


def test_readme_excerpt_of_targets_output_holds(capsys) -> None:
    readme = (ROOT / "README.md").read_text()
    command = "patterns match examples/rules.json examples/events.jsonl --targets examples/targets.json"
    assert command in readme
    block = re.search(re.escape(command) + r"\n```\n.*?```text\n(.*?)```", readme, re.DOTALL)
    assert block is not None, "README shows what the command prints"
    shown = block.group(1).splitlines()
    assert main(command.split()[1:]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert shown and all(line in printed for line in shown)
    assert [printed.index(line) for line in shown] == sorted(printed.index(line) for line in shown)


def test_bundled_bus_example(capsys) -> None:
    pytest.importorskip("jsonatapy", reason="its JSONATA transformer needs the `jsonata` extra")
    code, lines, err = _run(
        capsys,
        "match",
        "--dialect",
        "bus",
        BUS / "subscribers.json",
        BUS / "events.jsonl",
        "--targets",
        BUS / "transformers.json",
    )
    assert (code, err) == (0, "")
    subscribers = json.loads((BUS / "subscribers.json").read_text())
    transformers = json.loads((BUS / "transformers.json").read_text())
    events = [json.loads(line) for line in (BUS / "events.jsonl").read_text().splitlines()]
    expected = []
    for where, event in enumerate(events, 1):
        for name, configuration in subscribers.items():
            if not patterns.SubscriberFilter(configuration).matches(event):
                continue
            line = {
                "where": where,
                "event": event["SystemMetadata"]["aws:EventId"],
                "rule": name,
                "target": 0,
            }
            if event["SystemMetadata"]["ContentType"] == "application/octet-stream":
                event = {**event, "Data": base64.b64decode(event["Data"])}  # the file holds its Base64
            sent = BusTransformer.from_config(transformers[name]).render(event)
            if isinstance(sent, bytes):
                line["input_base64"] = base64.b64encode(sent).decode()
            else:
                line["input"] = sent
            expected.append(line)
    assert lines == expected
    assert {t["Type"] for t in transformers.values()} == {"RAW", "WITH_METADATA", "JSONATA"}
    assert any("input_base64" in line for line in lines)


# --- each target kind (classic bus)

EVENT = {
    "id": "e1",
    "source": "shop",
    "account": "123456789012",
    "region": "eu-west-1",
    "time": "2026-12-07T10:00:00Z",
    "detail": {"orderId": "A-1", "amount": 900, "items": [{"sku": "x"}]},
}


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ({"Id": "t", "Input": '{"fixed": true}'}, '{"fixed": true}'),
        ({"Id": "t", "InputPath": "$.detail.orderId"}, '"A-1"'),
        ({"Id": "t", "InputPath": "$.detail.items"}, '[{"sku":"x"}]'),
        (
            {
                "Id": "t",
                "InputTransformer": {
                    "InputPathsMap": {"order": "$.detail.orderId", "n": "$.detail.amount"},
                    "InputTemplate": '{"order": <order>, "text": "<order> for <n>", "by": <aws.events.rule-name>}',
                },
            },
            '{"order": "A-1", "text": "A-1 for 900", "by": "orders"}',
        ),
        (
            {"Id": "t", "InputTransformer": {"InputTemplate": '"<aws.events.rule-arn>"'}},
            '"arn:aws:events:eu-west-1:123456789012:rule/orders"',
        ),
        ({"Id": "t"}, json.dumps(EVENT, separators=(",", ":"))),
        ({}, json.dumps(EVENT, separators=(",", ":"))),
    ],
)
def test_each_target_kind(tmp_path, capsys, target: dict[str, Any], expected: str) -> None:
    rules = _write(tmp_path, "rules.json", {"orders": {"source": ["shop"]}})
    events = _write(tmp_path, "events.jsonl", [EVENT])
    targets = _write(tmp_path, "targets.json", {"orders": target})
    code, lines, _ = _run(capsys, "match", rules, events, "--targets", targets)
    assert code == 0
    assert lines == [{"where": 1, "event": "e1", "rule": "orders", "target": 0, "input": expected}]


def test_several_targets_and_rules_without_an_entry(tmp_path, capsys) -> None:
    rules = _write(
        tmp_path, "rules.json", {"a": {"source": ["shop"]}, "b": {"source": ["shop"]}, "c": {"id": ["x"]}}
    )
    events = _write(tmp_path, "events.jsonl", [EVENT, {**EVENT, "id": "e2", "source": "other"}])
    targets = _write(tmp_path, "targets.json", {"a": [{"Input": "1"}, {"Input": "2"}], "c": {"Input": "3"}})
    code, lines, _ = _run(capsys, "match", rules, events, "--targets", targets)
    assert code == 0
    got = [(line["event"], line["rule"], line["target"], line["input"]) for line in lines]
    whole = json.dumps(EVENT, separators=(",", ":"))
    assert got == [("e1", "a", 0, "1"), ("e1", "a", 1, "2"), ("e1", "b", 0, whole)]  # e2 matches nothing


# --- Custom Event Bus subscribers

SUBSCRIBERS = {
    "raw": {"Filters": [{"Scope": "DATA", "Pattern": '{"amount": [{"numeric": [">", 500]}]}'}]},
    "meta": {"Filters": [{"Scope": "METADATA", "Pattern": '{"tenant": ["acme"]}'}]},
    "all": {"Filters": [{"Scope": "SYSTEM_METADATA", "Pattern": '{"aws:DeliveryType": ["LIVE"]}'}]},
}
BUS_EVENTS = [
    # Data as JSON text (kept as sent by RAW), then as a JSON value
    {
        "Data": '{"amount": 900,  "id": "o-1"}',
        "Metadata": {"tenant": "acme"},
        "SystemMetadata": {**SYSTEM, "aws:EventId": "b1"},
    },
    {"Data": {"amount": 901, "id": "o-2"}, "SystemMetadata": SYSTEM},
]


def test_bus_machine_with_raw_and_with_metadata(tmp_path, capsys) -> None:
    rules = _write(tmp_path, "subscribers.json", SUBSCRIBERS)
    events = _write(tmp_path, "events.jsonl", BUS_EVENTS)
    targets = _write(
        tmp_path,
        "transformers.json",
        {"raw": {"Type": "RAW"}, "meta": {"Transformer": {"Type": "WITH_METADATA"}}},  # "all": RAW by default
    )
    code, lines, err = _run(capsys, "match", "--dialect", "bus", rules, events, "--targets", targets)
    assert (code, err) == (0, "")
    envelope = {
        "Data": {"amount": 900, "id": "o-1"},
        "Metadata": {"tenant": "acme"},
        "SystemMetadata": {**SYSTEM, "aws:EventId": "b1"},
    }
    assert [(line["event"], line["rule"], line["input"]) for line in lines] == [
        ("b1", "raw", '{"amount": 900,  "id": "o-1"}'),
        ("b1", "meta", json.dumps(envelope, separators=(",", ":"))),
        ("b1", "all", '{"amount": 900,  "id": "o-1"}'),
        ("2", "raw", '{"amount":901,"id":"o-2"}'),  # no aws:EventId: the line number
        ("2", "all", '{"amount":901,"id":"o-2"}'),
    ]


def test_bus_machine_with_jsonata(tmp_path, capsys) -> None:
    pytest.importorskip("jsonatapy", reason="JSONATA needs the `jsonata` extra")
    rules = _write(tmp_path, "subscribers.json", SUBSCRIBERS)
    events = _write(tmp_path, "events.jsonl", BUS_EVENTS)
    expression = (
        '{% {"id": $events.Data.id, "big": $events.Data.amount > 500, "t": $events.Metadata.tenant} %}'
    )
    targets = _write(
        tmp_path, "t.json", {"raw": {"Type": "JSONATA", "JsonataConfiguration": {"Expression": expression}}}
    )
    code, lines, _ = _run(capsys, "match", "--dialect", "bus", rules, events, "--targets", targets)
    assert code == 0
    got = [json.loads(line["input"]) for line in lines if line["rule"] == "raw"]
    assert got == [{"id": "o-1", "big": True, "t": "acme"}, {"id": "o-2", "big": True}]


def test_bus_octet_stream_data_is_base64_in_the_file_and_out(tmp_path, capsys) -> None:
    rules = _write(tmp_path, "subscribers.json", {"all": SUBSCRIBERS["all"]})
    binary = base64.b64encode(b"\x00\xff").decode()
    system = {**SYSTEM, "ContentType": "application/octet-stream"}
    events = _write(tmp_path, "events.jsonl", [{"Data": binary, "SystemMetadata": system}])
    for transformer, key, expected in (
        ({"Type": "RAW"}, "input_base64", binary),
        (
            {"Type": "WITH_METADATA"},
            "input",
            json.dumps({"Data": binary, "Metadata": {}, "SystemMetadata": system}, separators=(",", ":")),
        ),
    ):
        targets = _write(tmp_path, "t.json", {"all": transformer})
        code, lines, _ = _run(capsys, "match", "--dialect", "bus", rules, events, "--targets", targets)
        assert code == 0
        assert lines[0][key] == expected


def test_bus_match_without_targets_labels_by_event_id(tmp_path, capsys) -> None:
    rules = _write(tmp_path, "subscribers.json", SUBSCRIBERS)
    events = _write(tmp_path, "events.jsonl", BUS_EVENTS)
    assert main(["match", "--dialect", "bus", str(rules), str(events)]) == 0
    assert capsys.readouterr().out.splitlines() == ["b1: raw, meta, all", "2: raw, all"]


# --- errors: refused transformers exit 2, undeliverable and invalid events exit 1


@pytest.mark.parametrize(
    ("dialect", "targets", "message"),
    [
        (
            "eventbridge",
            {"orders": {"Id": "t7", "InputTransformer": {"InputPathsMap": {}, "InputTemplate": "<nope>"}}},
            "rule `orders`: target 0: InputTemplate for target t7 contains invalid placeholder nope.",
        ),
        (
            "eventbridge",
            {"orders": [{"Input": "1"}, {"Id": "t2", "Input": "{}", "InputPath": "$"}]},
            "rule `orders`: target 1: Only one of Input, InputPath, or InputTransformer must be provided for target t2.",
        ),
        (
            "eventbridge",
            {"ghost": {}},
            "rule `ghost`: Expected a rule of the rules file, got none of that name",
        ),
        (
            "bus",
            {"raw": {"Type": "raw"}},
            "rule `raw`: Expected `RAW`, `WITH_METADATA` or `JSONATA`, got `raw` - at `Transformer.Type`",
        ),
        (
            "bus",
            {"raw": {"Type": "JSONATA"}},
            "rule `raw`: Expected a JSONata expression, got none - at `Transformer.JsonataConfiguration`",
        ),
        ("bus", {"raw": [{"Type": "RAW"}]}, "rule `raw`: Expected a Transformer (`object`), got `list`"),
    ],
)
def test_refused_transformer_exits_2_with_aws_text_and_rule(
    tmp_path, capsys, dialect, targets, message
) -> None:
    rules = _write(
        tmp_path, "rules.json", SUBSCRIBERS if dialect == "bus" else {"orders": {"source": ["shop"]}}
    )
    events = _write(tmp_path, "events.jsonl", BUS_EVENTS if dialect == "bus" else [EVENT])
    path = _write(tmp_path, "targets.json", targets)
    code, lines, err = _run(capsys, "match", "--dialect", dialect, rules, events, "--targets", path)
    assert (code, lines) == (2, [])
    assert f"error: {path}: {message}" in err.splitlines()


def test_unreadable_targets_and_other_dialects_exit_2(tmp_path, capsys) -> None:
    rules = _write(tmp_path, "rules.json", {"orders": {"source": ["shop"]}})
    events = _write(tmp_path, "events.jsonl", [EVENT])
    bad = tmp_path / "targets.json"
    bad.write_text("{not json")
    assert main(["match", str(rules), str(events), "--targets", str(bad)]) == 2
    assert "cannot read targets" in capsys.readouterr().err
    listed = tmp_path / "list.json"
    listed.write_text("[]")
    assert main(["match", str(rules), str(events), "--targets", str(listed)]) == 2
    assert "Expected an object of rule name -> targets, got `list`" in capsys.readouterr().err
    assert main(["match", "--dialect", "sns-body", str(rules), str(events), "--targets", str(bad)]) == 2
    assert "Expected --dialect eventbridge or bus with --targets" in capsys.readouterr().err


def test_undeliverable_event_is_reported_and_exits_1(tmp_path, capsys) -> None:
    # A JSON template that is no longer JSON once filled: AWS does not deliver the event.
    rules = _write(tmp_path, "rules.json", {"orders": {"source": ["shop"]}})
    second = {**EVENT, "id": "e2", "detail": {"orderId": {"nested": 1}}}
    events = _write(tmp_path, "events.jsonl", [EVENT, second])
    template = {"InputPathsMap": {"o": "$.detail.orderId"}, "InputTemplate": '{"text": "order <o>"}'}
    targets = _write(
        tmp_path, "t.json", {"orders": [{"Id": "t", "InputTransformer": template}, {"Input": "ok"}]}
    )
    code, lines, err = _run(capsys, "match", rules, events, "--targets", targets)
    assert code == 1
    assert [(line["event"], line["target"], line["input"]) for line in lines] == [
        ("e1", 0, '{"text": "order A-1"}'),
        ("e1", 1, "ok"),
        ("e2", 1, "ok"),  # the other target still receives it
    ]
    assert err.count("undeliverable event") == 1
    assert (
        f"{events}:2: undeliverable event: rule `orders` target 0: Expected the filled template to be JSON"
        in err
    )


def test_undeliverable_bus_event_jsonata_error(tmp_path, capsys) -> None:
    pytest.importorskip("jsonatapy", reason="JSONATA needs the `jsonata` extra")
    rules = _write(tmp_path, "subscribers.json", {"all": SUBSCRIBERS["all"]})
    events = _write(tmp_path, "events.jsonl", BUS_EVENTS)
    expression = '{% $events.Data.id = "o-2" ? $error("no o-2") : $events.Data.id %}'
    targets = _write(
        tmp_path, "t.json", {"all": {"Type": "JSONATA", "JsonataConfiguration": {"Expression": expression}}}
    )
    code, lines, err = _run(capsys, "match", "--dialect", "bus", rules, events, "--targets", targets)
    assert code == 1
    assert [line["input"] for line in lines] == ['"o-1"']
    assert (
        ":2: undeliverable event: rule `all` target 0: JSONata failed on this event" in err
        and "no o-2" in err
    )


def test_invalid_bus_events_are_reported_and_exit_1(tmp_path, capsys) -> None:
    rules = _write(tmp_path, "subscribers.json", {"all": SUBSCRIBERS["all"]})
    octet = {**SYSTEM, "ContentType": "application/octet-stream"}
    events = _write(
        tmp_path,
        "events.jsonl",
        [{"Data": {"a": 1}}, {"Data": "not base64!", "SystemMetadata": octet}, BUS_EVENTS[1]],
    )
    targets = _write(tmp_path, "t.json", {"all": {"Type": "RAW"}})
    code, lines, err = _run(capsys, "match", "--dialect", "bus", rules, events, "--targets", targets)
    assert code == 1
    assert [line["where"] for line in lines] == [3]
    assert ":1: invalid event: Expected `SystemMetadata` - at `$`" in err  # the bus reader's text
    assert (
        ":2: undeliverable event: rule `all` target 0: Expected the Base64 text of `application/octet-stream`"
        in err
    )
