"""Native peers in `python -m bench`: the harness protocol, tested with fake harnesses in Python.

The real harnesses (aws/event-ruler in Java, quamina in Go) build fetched code and are not in the
repository; these fakes print the protocol's line so the runner's side runs in CI without Java or
Go. No timing is asserted.
"""

from __future__ import annotations

import json
import shlex
import sys
import textwrap

import orjson
import pytest

from bench.__main__ import main
from bench.native import NATIVE, Harness, HarnessError, parse_line, write_inputs
from bench.runner import ROOT

#: A fake harness: refuses every rule holding a numeric condition (as quamina does), counts the
#: matches with our reference matcher, adds OFFSET to that count (a wrong peer), prints the line;
#: with REFUSE_ALL, refuses every rule.
FAKE = """
import sys, orjson
sys.path.insert(0, {root!r})
import patterns
rules_path, events_path, seconds, warmup = sys.argv[1:5]
rules, refused = [], []
for line in open(rules_path, "rb"):
    rec = orjson.loads(line)
    if {refuse_all} or b"numeric" in orjson.dumps(rec["pattern"]):
        refused.append(rec["name"])
    else:
        rules.append(rec)
events = [line.rstrip(b"\\n") for line in open(events_path, "rb")]
compiled = [patterns.compile(r["pattern"]) for r in rules]
matches = sum(c.matches(e) for e in events for c in compiled)
print("a line of noise before the result")
print(orjson.dumps({{"engine": "fake", "version": "0.1", "rules_accepted": len(rules), "refused": refused,
    "build_s": 0.001, "warmup_s": float(warmup), "events": 1000, "seconds": 0.5, "events_per_s": 2000.0,
    "matches": matches + {offset}}}).decode())
"""


def _fake(tmp_path, name: str, offset: int = 0, body: str | None = None, refuse_all: bool = False) -> str:
    script = tmp_path / f"{name}.py"
    fake = FAKE.format(root=str(ROOT), offset=offset, refuse_all=refuse_all)
    script.write_text(body if body is not None else fake)
    return shlex.join([sys.executable, str(script)])


def _run(tmp_path, monkeypatch, capsys, *, event_ruler: str | None, quamina: str | None):
    for key, value in (("event-ruler-native", event_ruler), ("quamina-native", quamina)):
        if value is None:
            monkeypatch.delenv(NATIVE[key], raising=False)
        else:
            monkeypatch.setenv(NATIVE[key], value)
    out = tmp_path / "results"
    argv = ["--quick", "--engines", "ours,event-ruler-native,quamina-native", "--workloads", "dense,sns",
            "--rules", "1000", "--events", "20", "--rounds", "2", "--native-seconds", "0.01",
            "--native-warmup", "0", "--no-plots", "--out", str(out)]  # fmt: skip
    code = main(argv)
    return code, capsys.readouterr().out, json.loads((out / "results.json").read_text())


def test_native_peers_not_configured(tmp_path, monkeypatch, capsys) -> None:
    code, stdout, results = _run(tmp_path, monkeypatch, capsys, event_ruler=None, quamina=None)
    assert code == 0
    for key, variable in NATIVE.items():
        assert variable in results["engines"][key]["missing"]
        assert all(key not in row["engines"] for row in results["cells"])
    # Their rows stay in the tables, saying so.
    assert "| event-ruler (Java, native) | not configured |" in stdout
    assert "| quamina (Go, native) | not configured |" in stdout
    assert results["native_checks"] == []


def test_native_peers_interleaved_and_checked(tmp_path, monkeypatch, capsys) -> None:
    code, stdout, results = _run(
        tmp_path,
        monkeypatch,
        capsys,
        event_ruler=_fake(tmp_path, "right"),
        quamina=_fake(tmp_path, "wrong", 1),
    )
    dense, sns = results["cells"]
    for key in NATIVE:
        cell = dense["engines"][key]
        assert cell["events_per_s"] == 2000.0 and cell["per_round"] == [2000.0, 2000.0]
        assert cell["refused"] > 0 and cell["rules_accepted"] == 1000 - cell["refused"]
        assert cell["load_s"] == 0.001
        assert results["engines"][key]["version"] == "0.1"
        # SNS filter policies are not theirs.
        assert "unsupported" in sns["engines"][key]
    # The right fake's count equals ours on the rules both accept; ours there is > 0.
    checks = {c["engine"]: c for c in results["native_checks"]}
    right, wrong = checks["event-ruler-native"], checks["quamina-native"]
    assert right["difference"] == 0 and right["ours"] == right["theirs"] > 0
    assert right["rules_both_accept"] == dense["engines"]["event-ruler-native"]["rules_accepted"]
    assert wrong["difference"] == 1
    # Refused rules are reported as refusals (every one holds `numeric`); the difference is shown.
    refused = {g["engine"]: g for g in results["refusals"]}
    assert refused["quamina-native"]["operators"].get("numeric")
    assert "quamina (Go, native), dense/1000:" in stdout and "(+1; the harness gives counts" in stdout
    assert "| event-ruler (Java, native) | 2.0k" in stdout
    assert code == 0  # without --strict


def test_a_failing_harness_is_reported_in_its_cell(tmp_path, monkeypatch, capsys) -> None:
    broken = _fake(tmp_path, "broken", body="print('no json here')\n")
    code, _, results = _run(tmp_path, monkeypatch, capsys, event_ruler=broken, quamina=None)
    dense = results["cells"][0]
    assert dense["engines"]["event-ruler-native"]["skipped"].startswith(
        "harness failed: Expected a JSON line"
    )
    assert code == 0  # the run goes on without that peer
    assert dense["engines"]["ours"]["events_per_s"] > 0


def test_a_harness_refusing_every_rule_is_not_timed(tmp_path, monkeypatch, capsys) -> None:
    nothing = _fake(tmp_path, "nothing", refuse_all=True)
    code, stdout, results = _run(tmp_path, monkeypatch, capsys, event_ruler=None, quamina=nothing)
    dense = results["cells"][0]
    assert dense["engines"]["quamina-native"] == {"skipped": "refused every rule", "refused": 1000}
    assert "n/a (refused every rule)" in stdout
    assert results["native_checks"] == []  # nothing to check
    assert code == 0


def test_write_inputs_one_document_a_line(tmp_path) -> None:
    rules = [("a", {"x": [1]}), ("b", {"y": [{"prefix": "z"}]})]
    events = [b'{"x":1}', b'{\n  "y": "zz"\n}']
    rules_path, events_path = write_inputs(rules, events, tmp_path / "cell")
    assert [orjson.loads(x) for x in rules_path.read_bytes().splitlines()] == [
        {"name": "a", "pattern": {"x": [1]}},
        {"name": "b", "pattern": {"y": [{"prefix": "z"}]}},
    ]
    assert events_path.read_bytes() == b'{"x":1}\n{"y":"zz"}\n'


@pytest.mark.parametrize(
    ("stdout", "error"),
    [
        ("", "Expected a JSON line on stdout"),
        ("{not json", "Expected a JSON line, got `{not json`"),
        ('{"engine": "x"}', "Expected `version`"),
        (
            '{"engine":"x","version":"1","rules_accepted":true,"events":1,"seconds":1,"events_per_s":1,"matches":0}',
            "Expected `rules_accepted`",
        ),
        (
            '{"engine":"x","version":"1","rules_accepted":1,"events":0,"seconds":1,"events_per_s":1,"matches":0}',
            "Expected some events matched",
        ),
        (
            '{"engine":"x","version":"1","rules_accepted":1,"events":1,"seconds":1,"events_per_s":1,'
            '"matches":0,"refused":[1]}',
            "Expected `refused` as a list",
        ),
    ],
)
def test_parse_line_refuses_what_breaks_the_protocol(stdout: str, error: str) -> None:
    with pytest.raises(HarnessError, match=error.replace("`", ".").replace("{", ".")):
        parse_line(stdout)


def test_parse_line_takes_the_last_json_line() -> None:
    line = textwrap.dedent("""\
        JIT noise
        {"engine":"x","version":"1","rules_accepted":2,"events":10,"seconds":0.5,"events_per_s":20.0,"matches":3}
    """)
    assert parse_line(line)["refused"] == [] and parse_line(line)["matches"] == 3


def test_harness_command_from_the_environment() -> None:
    assert Harness("quamina-native", {}).missing.startswith("not configured (set PATTERNS_BENCH_QUAMINA")
    h = Harness("event-ruler-native", {"PATTERNS_BENCH_EVENT_RULER": "java -cp 'a b.jar' Harness"})
    assert h.missing is None and h.command == ["java", "-cp", "a b.jar", "Harness"]


def test_citylots_real_follows_the_real_corpus() -> None:
    """citylots-real: [x, y, z] coordinates, rings of 7 to 21 points (median 11), about 870 bytes."""
    import statistics

    from bench.workloads import citylots_real_events, make_cell

    events = citylots_real_events(400)
    sizes = []
    for event in events:
        geometry = orjson.loads(event)["geometry"]
        polygons = (
            geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
        )
        for ring in (ring for polygon in polygons for ring in polygon):
            assert all(len(point) == 3 and all(isinstance(v, int | float) for v in point) for point in ring)
            assert ring[0] == ring[-1]
            sizes.append(len(ring))
    assert min(sizes) == 7 and max(sizes) == 21 and statistics.median(sizes) == 11
    assert 800 <= statistics.mean(len(e) for e in events) <= 940
    cell = make_cell("citylots-real", "EXACT", 5)
    assert cell.events == events[:5] and len(cell.rules) == 5
