"""The comparison runner (`python -m bench`) end to end, in its smallest configuration.

Two engines that are always installed (ours and the orjson floor), a few events, no peers; a
third engine that cannot be present (event-ruler through JPype without EVENT_RULER_CP) must be
reported as missing. No timing is asserted: only that the run completes, agrees and reports.
"""

from __future__ import annotations

import importlib.util
import json

import pytest

from bench.__main__ import main


@pytest.fixture
def small_run(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("EVENT_RULER_CP", raising=False)
    out = tmp_path / "results"
    argv = ["--quick", "--engines", "ours,orjson-floor,event-ruler-java", "--workloads", "aws,sns",
            "--rules", "1,10", "--events", "12", "--rounds", "2", "--out", str(out)]  # fmt: skip
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err, out


def test_smallest_configuration_end_to_end(small_run) -> None:
    code, stdout, stderr, out = small_run
    assert code == 0
    # The printed table: one row per installed engine, one column per rule count.
    assert "| engine \\ rules | 1 | 10 |" in stdout
    assert "| patterns (" in stdout
    assert "| orjson.loads alone |" in stdout
    assert "agreement: PASSED" in stdout
    # Progress went to stderr.
    assert "[1/4] aws/1" in stderr

    results = json.loads((out / "results.json").read_text())
    assert results["machine"]["python"]
    assert (out / "tables.md").read_text().startswith("# python -m bench")
    assert results["engines"]["ours"]["implementation"] in ("cython", "python")
    # A missing engine is reported as missing, never measured as zero.
    assert "EVENT_RULER_CP" in results["engines"]["event-ruler-java"]["missing"]
    assert all("event-ruler-java" not in row["engines"] for row in results["cells"])
    assert [(r["workload"], r["rules"]) for r in results["cells"]] == [
        ("aws", 1),
        ("aws", 10),
        ("sns", 1),
        ("sns", 10),
    ]
    for row in results["cells"]:
        for key in ("ours", "orjson-floor"):
            cell = row["engines"][key]
            assert cell["events_per_s"] > 0
            assert cell["range"][0] <= cell["events_per_s"] <= cell["range"][1]
            assert len(cell["per_round"]) == 2
    assert results["disagreements"] == [] and results["refusals"] == []
    assert results["extras"]["change"]["ours"]["rules"] == 10
    assert results["extras"]["memory"]["ours"]["per_rule"] > 0

    plots = sorted(p.name for p in out.glob("*.png"))
    if importlib.util.find_spec("matplotlib") is None:
        assert plots == []
    else:
        assert plots == ["aws.png", "sns.png"]


@pytest.mark.parametrize("key", ["ours-batch", "ours-trusted", "ours-trusted-batch"])
def test_our_other_roads_answer_as_ours(key, tmp_path) -> None:
    # Each road of ours the bench times (match_batch, trust_events) is a worker of its own: its
    # answers on a cell are ours, and its timed loop (its own batch loop, for the batch roads)
    # matches the events asked.
    from bench.runner import Worker

    workers = {k: Worker(k, tmp_path / "logs") for k in ("ours", key)}
    try:
        answers = {}
        for k, w in workers.items():
            assert "label" in w.call("probe")["info"]
            assert w.call("load", workload="dense", key="1000", pool=40)["refused"] == []
            answers[k] = w.call("answers", n=40)["answers"]
            timed = w.call("time", n=90)
            assert timed["n"] == 90 and timed["seconds"] > 0
        assert answers[key] == answers["ours"]
        assert sum(map(len, answers["ours"])) > 40  # a dense cell: many matches an event
        if key.endswith("batch"):  # the batch road is timed on JSON events only
            assert "unsupported" in workers[key].call("load", workload="sns", key="10", pool=5)
    finally:
        for w in workers.values():
            w.close()
