"""The comparison: engines in worker processes, an agreement check, then interleaved timed rounds.

For each cell (workload x rule count, or CityLots set), in order:

1. every engine loads the rule set (timed: the time to add all rules; rules an engine refuses
   are recorded);
2. every engine is calibrated (seconds per event), which fixes how many events one of its rounds
   matches: about `round_s` of work, at least `min_events` events. Peers loop over their rules in
   Python, so at 10,000 rules a round of theirs is a few events; the results say so;
3. agreement: each engine's answers on the first events of the pool (as many as `agree_s` allows,
   at most `agree_events`) are compared with ours; each difference is kept with the engine, rule
   and event, and judged against our reference matcher (`patterns.compile(...).matches`);
4. `rounds` rounds, each timing every engine once, in an order rotated every round, so a noisy
   neighbour on a shared machine hits every engine alike. Events/s: median and range of rounds.

Native peers (aws/event-ruler in Java, quamina in Go; `bench.native`) run as external harness
programs when their environment variables name one: each cell writes its rules and events to
files once, and every round runs each harness (build, warm-up, timed loop) in its turn among the
engines. Their answers are checked by count: the matches over one pass of the events against ours
on the rules both accept.

Then, on the ``aws`` workload: one change (add + next match, remove + next match) at the largest
rule count, for our Machine, and memory per rule (tracemalloc) for every engine.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from .engines import ENGINES, EXTERNAL, LABELS, NOT_MATCHERS
from .native import Harness, HarnessError, write_inputs
from .workloads import CITYLOTS_WORKLOADS, WORKLOADS, citylots_sets, make_cell

ROOT = Path(__file__).resolve().parents[1]
RULE_COUNTS = [1, 10, 100, 1_000, 10_000]
QUICK_RULE_COUNTS = [1, 100, 1_000]
#: SNS allows 200 filter policies per account and region by default: no 10,000-policy topic.
SNS_MAX_RULES = 1_000
#: The dense workload's smallest rule set: below 1,000 rules its events match few rules each.
DENSE_MIN_RULES = 1_000


@dataclass
class Config:
    engines: list[str] = field(default_factory=lambda: list(ENGINES))
    workloads: list[str] = field(default_factory=lambda: list(WORKLOADS))
    rules: list[int] = field(default_factory=lambda: list(RULE_COUNTS))
    pool: int = 1000  # distinct events per workload
    rounds: int = 5
    round_s: float = 0.4  # target seconds of one timed round per engine
    min_events: int = 3  # at least this many events per round, whatever it costs
    agree_events: int = 50  # events compared per cell (at most)
    agree_s: float = 3.0  # seconds an engine may spend on the agreement sample of one cell
    change_rounds: int = 5
    memory: bool = True
    citylots_sets: list[str] | None = None  # None: every set, and ALL
    native_s: float = 1.0  # seconds a native peer's harness times in each round
    native_warmup_s: float = 3.0  # seconds it matches first in each run (the JIT's warm-up)
    native_timeout_s: float = 900.0  # one harness run, building 10,000 rules included

    @classmethod
    def quick(cls, **kw) -> Config:
        base = {
            "rules": list(QUICK_RULE_COUNTS),
            "pool": 200,
            "rounds": 3,
            "round_s": 0.12,
            "agree_events": 20,
            "agree_s": 0.8,
            "change_rounds": 3,
            "citylots_sets": ["EXACT", "WILDCARD", "NUMERIC", "ANYTHING_BUT", "COMPLEX_ARRAYS", "ALL"],
            "native_s": 0.5,
            "native_warmup_s": 2.0,
        }
        base.update(kw)
        return cls(**base)


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


class WorkerError(RuntimeError):
    pass


class Worker:
    """A `bench.worker` process running one engine."""

    def __init__(self, key: str, log_dir: Path) -> None:
        self.key = key
        env = os.environ.copy()
        env.pop("PATTERNS_NO_EXTENSIONS", None)  # ours measures what the install has
        if key == "ours-pure":
            env["PATTERNS_NO_EXTENSIONS"] = "1"
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
        log_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = log_dir / f"{key}.log"
        self._log = self.log_path.open("wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bench.worker", key],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
            cwd=ROOT,
            env=env,
        )

    def call(self, op: str, **kw) -> dict:
        assert self.proc.stdin and self.proc.stdout
        try:
            self.proc.stdin.write(orjson.dumps({"op": op, **kw}) + b"\n")
            self.proc.stdin.flush()
            line = self.proc.stdout.readline()
        except BrokenPipeError:
            line = b""
        if not line:
            self._log.flush()
            tail = self.log_path.read_text(errors="replace")[-1500:]
            raise WorkerError(f"{self.key} worker died during {op!r}:\n{tail}")
        reply = orjson.loads(line)
        if not reply.pop("ok"):
            raise WorkerError(f"{self.key} failed {op!r}: {reply['error']}\n{reply.get('trace', '')}")
        return reply

    def close(self) -> None:
        with contextlib.suppress(WorkerError):
            self.call("quit")
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for pipe in (self.proc.stdin, self.proc.stdout):
            if pipe:
                pipe.close()
        self._log.close()


def cells_of(cfg: Config) -> tuple[list[tuple[str, str]], list[str]]:
    """The (workload, key) cells to run, and notes on what was skipped and why."""
    cells, notes = [], []
    for w in cfg.workloads:
        if w in CITYLOTS_WORKLOADS:
            sets = citylots_sets()
            if sets is None:
                from .workloads import CITYLOTS_RULES

                notes.append(
                    f"{w} skipped: event-ruler's CityLots rules not found at {CITYLOTS_RULES} "
                    "(set PATTERNS_SHARED_DIR to the folder holding data/)"
                )
                log(notes[-1])
                continue
            cells += [(w, name) for name in sets if cfg.citylots_sets is None or name in cfg.citylots_sets]
        elif w == "sns":
            counts = [n for n in cfg.rules if n <= SNS_MAX_RULES]
            if len(counts) < len(cfg.rules):
                notes.append(
                    f"sns: rule counts above {SNS_MAX_RULES:,} left out (SNS's default limit is 200 "
                    "filter policies per account and region)"
                )
            cells += [("sns", str(n)) for n in counts]
        elif w == "dense":  # a workload of many matches an event: few rules make it another one
            cells += [("dense", str(n)) for n in cfg.rules if n >= DENSE_MIN_RULES]
        else:
            cells += [(w, str(n)) for n in cfg.rules]
    return cells, notes


def _verdict(cell, rule_name: str, event_index: int, ours: bool, theirs: bool, engine: str) -> dict:
    """Who is right on one disagreement, by our reference matcher (exact on AWS's recorded cases)."""
    import patterns

    rule = dict(cell.rules)[rule_name]
    event = cell.events[event_index]
    try:
        decoded = orjson.loads(event) if cell.dialect != "eventbridge" else event
        reference = patterns.compile(rule, dialect=cell.dialect).matches(decoded)
    except Exception as exc:  # noqa: BLE001 - reported, not hidden
        return {"verdict": f"reference matcher raised {type(exc).__name__}: {exc}"}
    if reference != ours:
        return {
            "reference": reference,
            "verdict": "our Machine differs from our reference matcher: a bug in ours",
        }
    return {
        "reference": reference,
        "verdict": f"{LABELS[engine]} is wrong by AWS's rules as our reference matcher "
        f"reads them (it says {'match' if theirs else 'no match'})",
    }


def operators(pattern, found: set | None = None) -> list[str]:
    """The operators a pattern uses (``exact`` for plain values), for the agreement report."""
    found = set() if found is None else found
    if isinstance(pattern, dict):
        for key, value in pattern.items():
            if key == "$or":
                found.add("$or")
                for branch in value:
                    operators(branch, found)
            else:
                operators(value, found)
    elif isinstance(pattern, list):
        for item in pattern:
            if isinstance(item, dict):
                for op, arg in item.items():
                    if op == "anything-but" and isinstance(arg, dict):
                        found.update(f"anything-but/{inner}" for inner in arg)
                    elif op in ("prefix", "suffix") and isinstance(arg, dict):
                        found.update(f"{op}/{inner}" for inner in arg)
                    else:
                        found.add(op)
            else:
                found.add("exact")
    return sorted(found)


def _grouped(disagreements: list[dict], pool: int) -> list[dict]:
    """Disagreements grouped by (engine, cell, rule): a count, the first event, and a verdict."""
    groups: dict[tuple, dict] = {}
    for d in disagreements:
        g = groups.setdefault((d["engine"], d["cell"], d["rule"]), {**d, "events": 0, "event_indexes": []})
        g["events"] += 1
        g["event_indexes"].append(d["event_index"])
    cells: dict[str, object] = {}
    for g in groups.values():
        cell = cells.get(g["cell"])
        if cell is None:
            cell = cells[g["cell"]] = make_cell(*g["cell"].split("/"), pool)
        g["pattern"] = dict(cell.rules)[g["rule"]]
        g["operators"] = operators(g["pattern"])
        ev = cell.events[g["event_index"]]
        g["event"] = orjson.loads(ev)
        g.update(_verdict(cell, g["rule"], g["event_index"], g["ours"], g["theirs"], g["engine"]))
    return list(groups.values())


def _grouped_refusals(refusals: list[dict], examples: int = 3) -> list[dict]:
    """Refused rules by (engine, cell): a count, reasons and operators counted, a few examples."""
    groups: dict[tuple, dict] = {}
    for r in refusals:
        g = groups.setdefault(
            (r["engine"], r["cell"]),
            {
                "engine": r["engine"],
                "cell": r["cell"],
                "count": 0,
                "reasons": {},
                "operators": {},
                "examples": [],
            },
        )
        g["count"] += 1
        g["reasons"][r["reason"]] = g["reasons"].get(r["reason"], 0) + 1
        for op in r["operators"]:
            g["operators"][op] = g["operators"].get(op, 0) + 1
        if len(g["examples"]) < examples:
            g["examples"].append({k: r[k] for k in ("rule", "pattern", "reason")})
    return list(groups.values())


def run(cfg: Config, out: Path) -> dict:
    """Run the comparison; returns the results (also what `report` writes as JSON)."""
    started = time.time()
    cells, notes = cells_of(cfg)
    workers: dict[str, Worker] = {}
    natives: dict[str, Harness] = {}
    engines: dict[str, dict] = {}
    for key in cfg.engines:
        if key in EXTERNAL:
            h = Harness(key)
            if h.missing:
                engines[key] = {"label": LABELS[key], "missing": h.missing}
                log(f"engine {key}: {h.missing}")
            else:
                natives[key] = h
                engines[key] = {"label": LABELS[key], "command": shlex.join(h.command or [])}
                log(f"engine {key}: harness `{engines[key]['command']}`")
            continue
        w = Worker(key, out / "logs")
        reply = w.call("probe")
        if "missing" in reply:
            engines[key] = {"label": LABELS[key], "missing": reply["missing"]}
            log(f"engine {key}: MISSING ({reply['missing']})")
            w.close()
        else:
            engines[key] = reply["info"]
            workers[key] = w
            log(f"engine {key}: {reply['info']['label']} {reply['info'].get('version', '')}")
    matchers = [k for k in workers if k not in NOT_MATCHERS]
    reference = "ours" if "ours" in workers else (matchers[0] if matchers else None)
    results: list[dict] = []
    disagreements: list[dict] = []
    refusals: list[dict] = []
    native_checks: list[dict] = []
    try:
        for ci, (workload, key) in enumerate(cells, 1):
            pool = cfg.pool
            cell = make_cell(workload, key, pool)
            tag = f"[{ci}/{len(cells)}] {cell.label} ({len(cell.rules):,} rules)"
            row: dict = {
                "workload": workload,
                "key": key,
                "rules": len(cell.rules),
                "dialect": cell.dialect,
                "pool": pool,
                "engines": {},
            }
            active = []
            for k, w in workers.items():
                r = w.call("load", workload=workload, key=key, pool=pool)
                if "unsupported" in r:
                    row["engines"][k] = {"unsupported": r["unsupported"]}
                    continue
                row["engines"][k] = {"load_s": r["load_s"], "refused": len(r["refused"])}
                patterns_by_name = dict(cell.rules)
                for name, reason in r["refused"]:
                    refusals.append(
                        {
                            "engine": k,
                            "cell": cell.label,
                            "rule": name,
                            "pattern": patterns_by_name[name],
                            "operators": operators(patterns_by_name[name]),
                            "reason": reason,
                        }
                    )
                if cell.rules and len(r["refused"]) == len(cell.rules) and k not in NOT_MATCHERS:
                    row["engines"][k]["skipped"] = "refused every rule"  # no timing of an empty rule set
                    continue
                active.append(k)
            # Calibrate: seconds per event, which sizes the agreement sample and the rounds.
            per_event = {}
            for k in active:
                workers[k].call("warmup")
                workers[k].call("time", n=1)
                t = workers[k].call("time", n=2)["seconds"] / 2
                # The fastest of the passes: a pass slowed by a neighbour must not size the rounds
                # (slow engines, a second or more per event at 10,000 rules, vary little).
                if t < 0.05:
                    n = min(pool, 200) if t < 0.002 else 2
                    t = min(workers[k].call("time", n=n)["seconds"] / n for _ in range(2))
                per_event[k] = max(t, 1e-7)
            log(
                f"{tag}: loaded, calibrated " + ", ".join(f"{k} {1 / t:,.0f}/s" for k, t in per_event.items())
            )
            # Agreement.
            sample = {
                k: min(cfg.agree_events, pool, max(cfg.min_events, int(cfg.agree_s / per_event[k])))
                for k in active
                if k not in NOT_MATCHERS
            }
            if reference in sample:
                sample[reference] = min(cfg.agree_events, pool)
                answers = {k: workers[k].call("answers", n=n)["answers"] for k, n in sample.items()}
                ref = answers[reference]
                refused_here = {(r["engine"], r["rule"]) for r in refusals if r["cell"] == cell.label}
                for k, ans in answers.items():
                    if k == reference:
                        continue
                    row["engines"][k]["agreement_events"] = len(ans)
                    differ = 0
                    for i, (mine, theirs) in enumerate(zip(ref, ans, strict=False)):
                        for name in sorted(set(mine) ^ set(theirs)):
                            if (k, name) in refused_here:
                                continue
                            differ += 1
                            disagreements.append(
                                {
                                    "engine": k,
                                    "cell": cell.label,
                                    "rule": name,
                                    "event_index": i,
                                    "ours": name in mine,
                                    "theirs": name in theirs,
                                }
                            )
                    row["engines"][k]["disagreements"] = differ
                row["engines"][reference]["agreement_events"] = sample[reference]
                row["matches_per_event"] = statistics.mean(len(a) for a in ref) if ref else 0
            # Native peers: the cell's files, written once.
            native_dir = tempfile.TemporaryDirectory(prefix="patterns-bench-")
            paths = write_inputs(cell.rules, cell.events, Path(native_dir.name)) if natives else None
            runs: dict[str, list[dict]] = {}
            for k in natives:
                if cell.dialect != "eventbridge":
                    row["engines"][k] = {"unsupported": f"{LABELS[k]} has no `{cell.dialect}` dialect"}
                else:
                    runs[k] = []
            # Timed rounds, interleaved.
            n_round = {
                k: max(cfg.min_events, min(int(cfg.round_s / per_event[k]), 50 * pool)) for k in active
            }
            rates: dict[str, list[float]] = {k: [] for k in active}
            everyone = active + list(runs)
            failed: dict[str, str] = {}
            for r in range(cfg.rounds):
                order = everyone[r % len(everyone) :] + everyone[: r % len(everyone)] if everyone else []
                for k in order:
                    if k in runs:
                        if k in failed:
                            continue
                        assert paths is not None
                        try:
                            runs[k].append(
                                natives[k].run(
                                    *paths, cfg.native_s, cfg.native_warmup_s, cfg.native_timeout_s
                                )
                            )
                        except HarnessError as exc:  # reported in its cell; the run goes on
                            failed[k] = f"harness failed: {str(exc)[:200]}"
                            log(f"{tag}: {exc}")
                        else:
                            if cell.rules and not runs[k][-1]["rules_accepted"]:
                                failed[k] = "refused every rule"  # no timing of an empty rule set
                        continue
                    t = workers[k].call("time", n=n_round[k])["seconds"]
                    rates[k].append(n_round[k] / t)
            native_dir.cleanup()
            for k, why in failed.items():
                row["engines"][k] = {"skipped": why}
                if not runs[k]:
                    del runs[k]
            if runs:
                ours_all = workers[reference].call("answers", n=pool)["answers"] if reference else None
                for k, results_k in runs.items():
                    engines[k].setdefault("version", results_k[0]["version"])
                    if k in failed:
                        row["engines"][k]["refused"] = len(results_k[0]["refused"])
                    else:
                        row["engines"][k] = _native_row(results_k, cfg.rounds)
                    for name in results_k[0]["refused"]:
                        pattern = dict(cell.rules).get(name)
                        refusals.append(
                            {
                                "engine": k,
                                "cell": cell.label,
                                "rule": name,
                                "pattern": pattern,
                                "operators": operators(pattern),
                                "reason": "refused by the harness",
                            }
                        )
                    if ours_all is not None and k not in failed:
                        check = _native_check(k, cell, results_k[0], ours_all, refusals, reference)
                        row["engines"][k].update(
                            matches_ours=check["ours"], matches_differ=check["difference"]
                        )
                        native_checks.append(check)
            for k in active:
                e = row["engines"][k]
                e.update(
                    events_per_round=n_round[k],
                    rounds=cfg.rounds,
                    events_per_s=statistics.median(rates[k]),
                    range=[min(rates[k]), max(rates[k])],
                    per_round=rates[k],
                )
            log(
                f"{tag}: "
                + ", ".join(
                    [f"{k} {statistics.median(v):,.0f}/s" for k, v in rates.items()]
                    + [f"{k} {row['engines'][k]['events_per_s']:,.0f}/s" for k in runs if k not in failed]
                )
                + f"  ({time.time() - started:.0f}s elapsed)"
            )
            results.append(row)
        extras = _extras(cfg, workers, cells)
    finally:
        for w in workers.values():
            w.close()
    return {
        "config": cfg.__dict__,
        "engines": engines,
        "reference": reference,
        "cells": results,
        "disagreements": _grouped(disagreements, cfg.pool),
        "refusals": _grouped_refusals(refusals),
        "native_checks": native_checks,
        "extras": extras,
        "notes": notes,
        "elapsed_s": time.time() - started,
    }


def _native_row(runs: list[dict], rounds: int) -> dict:
    """A native peer's cell: medians over its runs (one a round), as the workers' cells read."""
    rates = [x["events_per_s"] for x in runs]
    builds = [x["build_s"] for x in runs if isinstance(x.get("build_s"), int | float)]
    return {
        **({"load_s": statistics.median(builds)} if builds else {}),
        "refused": len(runs[0]["refused"]),
        "rules_accepted": runs[0]["rules_accepted"],
        "events_per_round": int(statistics.median(x["events"] for x in runs)),
        "rounds": rounds,
        "events_per_s": statistics.median(rates),
        "range": [min(rates), max(rates)],
        "per_round": rates,
        "matches": runs[0]["matches"],
        "warmup_s": runs[0].get("warmup_s"),
    }


def _native_check(
    key: str, cell, result: dict, ours: list[list[str]], refusals: list[dict], reference: str
) -> dict:
    """A native peer's match count over one pass of the events against ours, on the rules both
    accept (the harness reports counts, not names: a difference says how many, not which)."""
    refused = set(result["refused"]) | {
        r["rule"] for r in refusals if r["engine"] == reference and r["cell"] == cell.label
    }
    mine = sum(len(set(a) - refused) for a in ours)
    return {
        "engine": key,
        "cell": cell.label,
        "events": len(ours),
        "rules_both_accept": len({n for n, _ in cell.rules} - refused),
        "theirs": result["matches"],
        "ours": mine,
        "difference": result["matches"] - mine,
    }


def _extras(cfg: Config, workers: dict[str, Worker], cells: list[tuple[str, str]]) -> dict:
    """One change at the largest aws rule count (ours), memory per rule (every engine)."""
    extras: dict = {"change": {}, "memory": {}}
    counts = [int(k) for w, k in cells if w == "aws"]
    if not counts:
        return extras
    largest = max(counts)
    pool = min(cfg.pool, 50)
    for k in ("ours", "ours-pure"):
        if k in workers:
            workers[k].call("load", workload="aws", key=str(largest), pool=pool)
            r = workers[k].call("change", rounds=cfg.change_rounds)
            extras["change"][k] = {"rules": largest, **r}
            log(
                f"change at {largest:,} rules, {k}: add+match {statistics.median(r['add_s']) * 1e3:.0f} ms, "
                f"remove+match {statistics.median(r['remove_s']) * 1e3:.0f} ms"
            )
    if cfg.memory:
        for k, w in workers.items():
            if k in NOT_MATCHERS:
                continue
            n = largest if k.startswith("ours") else min(largest, 1_000)
            w.call("load", workload="aws", key=str(n), pool=pool)
            r = w.call("memory")
            extras["memory"][k] = {
                "rules": n,
                "bytes": r["bytes"],
                "per_rule": r["bytes"] / n,
                "how": r.get("how", "tracemalloc"),
            }
            log(f"memory, {k} at {n:,} rules: {r['bytes'] / n / 1024:.1f} KB per rule")
    return extras
