"""What a run leaves behind: printed tables (Markdown), results.json, PNG plots."""

from __future__ import annotations

import contextlib
import os
import platform
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import orjson

from .engines import EXTERNAL, LABELS, NOT_MATCHERS
from .workloads import CITYLOTS_WORKLOADS

ROOT = Path(__file__).resolve().parents[1]


def machine_info() -> dict:
    """The machine, Python and library the run measured."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = None
    with contextlib.suppress(ValueError, OSError, AttributeError):
        mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    commit = os.environ.get("PATTERNS_BENCH_COMMIT")  # for a run from an exported tree (no .git)
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        commit = commit or (
            subprocess.run(
                ["git", "-C", str(ROOT), "describe", "--always", "--dirty"],
                capture_output=True,
                text=True,
                timeout=10,
            ).stdout.strip()
            or None
        )
    return {
        "cpu": cpu,
        "cpus": os.cpu_count(),
        "memory_gb": round(mem / 2**30, 1) if mem else None,
        "os": platform.platform(),
        "python": sys.version.split()[0],
        "python_implementation": platform.python_implementation(),
        "patterns": metadata.version("patterns") if _installed("patterns") else None,
        "commit": commit,
    }


def _installed(dist: str) -> bool:
    try:
        metadata.version(dist)
    except metadata.PackageNotFoundError:
        return False
    return True


def _rate(x: float) -> str:
    if x >= 1e6:
        return f"{x / 1e6:.2f}M"
    if x >= 1e4:
        return f"{x / 1e3:.0f}k"
    if x >= 1e3:
        return f"{x / 1e3:.1f}k"
    if x >= 10:
        return f"{x:.0f}"
    return f"{x:.2g}"


def _label(results: dict, key: str) -> str:
    info = results["engines"].get(key, {})
    return info.get("label", LABELS[key])


def tables(results: dict) -> str:
    """The run's tables as Markdown: events/s per workload, ratios, load, change, memory, agreement."""
    out: list[str] = []
    engines = [k for k in results["engines"] if "missing" not in results["engines"][k]]
    # Native peers not configured keep their row, saying so (the other missing engines are named
    # in the header only).
    unset = [k for k in results["engines"] if k in EXTERNAL and k not in engines]
    by_workload: dict[str, list[dict]] = {}
    for row in results["cells"]:
        by_workload.setdefault(row["workload"], []).append(row)
    fewer = False
    for workload, rows in by_workload.items():
        keys = [r["key"] for r in rows]
        head = "rules" if workload not in CITYLOTS_WORKLOADS else "set (5 rules; ALL: 70)"
        out.append(f"\n**{workload}**: events/s, median of {results['config']['rounds']} rounds (range)\n")
        out.append(f"| engine \\ {head} | " + " | ".join(_key(k) for k in keys) + " |")
        out.append("| --- |" + " --- |" * len(keys))
        for k in engines:
            cells = []
            for r in rows:
                e = r["engines"].get(k)
                if e is None or "unsupported" in e:
                    cells.append("n/a")
                    continue
                if "skipped" in e:
                    cells.append(f"n/a ({e['skipped']})")
                    continue
                mark = ""
                if e["events_per_round"] < r["pool"]:
                    mark, fewer = "†", True
                refused = f" ({e['refused']} refused)" if e.get("refused") else ""
                lo, hi = e["range"]
                cells.append(f"{_rate(e['events_per_s'])}{mark} ({_rate(lo)}-{_rate(hi)}){refused}")
            out.append(f"| {_label(results, k)} | " + " | ".join(cells) + " |")
        for k in unset:
            out.append(f"| {_label(results, k)} | " + " | ".join("not configured" for _ in rows) + " |")
        mpe = [r.get("matches_per_event") for r in rows]
        if all(m is not None for m in mpe):
            out.append("| *matches per event* | " + " | ".join(f"{m:.2f}" for m in mpe) + " |")
        ratios = _ratio_rows(results, rows)
        if ratios:
            out.append(
                f"\n{workload}: ratio of {_label(results, results['reference'] or 'ours')} to each engine "
                "(its events/s divided by theirs; >1: ours is faster)\n"
            )
            out.append("| ours ÷ | " + " | ".join(_key(k) for k in keys) + " |")
            out.append("| --- |" + " --- |" * len(keys))
            out.extend(ratios)
    if fewer:
        out.append(
            "\n† fewer events per round than the pool's (a peer looping over many rules in Python: rounds "
            "of at least 3 events each; a native peer: the events its timed seconds reached); see "
            "`events_per_round` in results.json."
        )
    out.append(_load_table(results))
    out.append(_extras_table(results))
    out.append(agreement_text(results))
    return "\n".join(x for x in out if x)


def _key(k: str) -> str:
    return f"{int(k):,}" if k.isdigit() else k


def _ratio_rows(results: dict, rows: list[dict]) -> list[str]:
    ref = results["reference"]
    if ref is None:
        return []
    lines = []
    for k in results["engines"]:
        if k == ref or "missing" in results["engines"][k]:
            continue
        cells = []
        for r in rows:
            mine, theirs = r["engines"].get(ref, {}), r["engines"].get(k, {})
            if "events_per_s" in mine and "events_per_s" in theirs:
                ratio = mine["events_per_s"] / theirs["events_per_s"]
                cells.append(f"{ratio:,.0f}x" if ratio >= 100 else f"{ratio:.2g}x")
            else:
                cells.append("n/a")
        lines.append(f"| {_label(results, k)} | " + " | ".join(cells) + " |")
    return lines


def _load_table(results: dict) -> str:
    rows = [r for r in results["cells"] if r["workload"] == "aws"]
    if not rows:
        return ""
    engines = [
        k for k in results["engines"] if "missing" not in results["engines"][k] and k not in NOT_MATCHERS
    ]
    out = [
        "\n**aws**: seconds to add all rules (ours: validation, `add`, first match building the tables; "
        "peers: their parse and validation, where they have one)\n"
    ]
    out.append("| engine \\ rules | " + " | ".join(_key(r["key"]) for r in rows) + " |")
    out.append("| --- |" + " --- |" * len(rows))
    for k in engines:
        cells = [
            f"{r['engines'][k]['load_s']:.3g}" if "load_s" in r["engines"].get(k, {}) else "n/a" for r in rows
        ]
        out.append(f"| {_label(results, k)} | " + " | ".join(cells) + " |")
    return "\n".join(out)


def _extras_table(results: dict) -> str:
    ex = results.get("extras") or {}
    out = []
    for k, c in (ex.get("change") or {}).items():
        add, rem = sorted(c["add_s"]), sorted(c["remove_s"])
        out.append(
            f"- one change at {c['rules']:,} rules, {_label(results, k)}: `add` + next match "
            f"{_med(add) * 1e3:.2f} ms ({add[0] * 1e3:.2f}-{add[-1] * 1e3:.2f}), `remove` + next match "
            f"{_med(rem) * 1e3:.2f} ms ({rem[0] * 1e3:.2f}-{rem[-1] * 1e3:.2f})"
        )
    for k, m in (ex.get("memory") or {}).items():
        out.append(
            f"- memory per rule ({m.get('how', 'tracemalloc')}, {m['rules']:,} aws rules), {_label(results, k)}: "
            f"{m['per_rule'] / 1024:.2f} KB"
        )
    return ("\n" + "\n".join(out)) if out else ""


def _med(xs: list[float]) -> float:
    xs = sorted(xs)
    n = len(xs)
    return xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2


def agreement_passed(results: dict) -> bool:
    return (
        not results["disagreements"]
        and not results["refusals"]
        and not any(c["difference"] for c in results.get("native_checks", []))
    )


def native_text(results: dict) -> str:
    """The native peers' match counts against ours, on the rules both accept (one line per cell
    that differs, one line for all that agree)."""
    checks = results.get("native_checks") or []
    if not checks:
        return ""
    out = []
    agree = [c for c in checks if not c["difference"]]
    if agree:
        out.append(
            f"- native peers: match counts equal to ours on the rules both accept in {len(agree)} of "
            f"{len(checks)} (engine, rule set) cells"
        )
    for c in checks:
        if c["difference"]:
            out.append(
                f"- {_label(results, c['engine'])}, {c['cell']}: {c['theirs']:,} matches over "
                f"{c['events']:,} events against ours {c['ours']:,} on the {c['rules_both_accept']:,} "
                f"rules both accept ({c['difference']:+,}; the harness gives counts, not names)"
            )
    return "\n".join(out)


def agreement_text(results: dict, limit: int = 8) -> str:
    """The agreement check's verdict, and each disagreement (grouped by engine, cell and rule)."""
    checked = sum(
        e.get("agreement_events", 0)
        for r in results["cells"]
        for k, e in r["engines"].items()
        if k != results["reference"]
    )
    native = native_text(results)
    if agreement_passed(results):
        return (
            (
                f"\nagreement: PASSED ({checked:,} event comparisons against {_label(results, results['reference'])}"
                if results["reference"]
                else "\nagreement: no matcher ran"
            )
            + (")" if results["reference"] else "")
            + (f"\n{native}" if native else "")
        )
    out = [
        f"\nagreement: {len(results['disagreements'])} disagreeing (engine, rule set, rule) groups, "
        f"{sum(g['count'] for g in results['refusals'])} rule refusals over all rule sets "
        f"({checked:,} event comparisons)"
    ]
    if native:
        out.append(native)
    by_engine: dict[str, list[dict]] = {}
    for d in results["disagreements"]:
        by_engine.setdefault(d["engine"], []).append(d)
    for k, ds in by_engine.items():
        out.append(
            f"- {_label(results, k)}: {len(ds)} groups, {sum(d['events'] for d in ds)} event-rule pairs"
        )
        for d in ds[:limit]:
            out.append(
                f"  - {d['cell']} rule {d['rule']} {orjson.dumps(d['pattern']).decode()}: ours "
                f"{'match' if d['ours'] else 'no match'}, theirs {'match' if d['theirs'] else 'no match'} "
                f"on {d['events']} event(s), first #{d['event_index']}; {d['verdict']}"
            )
        if len(ds) > limit:
            out.append(f"  - ... {len(ds) - limit} more in results.json")
    by_engine = {}
    for r in results["refusals"]:
        by_engine.setdefault(r["engine"], []).append(r)
    for k, rs in by_engine.items():
        reasons: dict[str, int] = {}
        ops: dict[str, int] = {}
        for r in rs:
            for reason, n in r["reasons"].items():
                reasons[reason] = reasons.get(reason, 0) + n
            for op, n in r["operators"].items():
                ops[op] = ops.get(op, 0) + n
        top = "; ".join(
            f"{n}x {reason[:120]}" for reason, n in sorted(reasons.items(), key=lambda x: -x[1])[:4]
        )
        used = ", ".join(f"{op} {n}" for op, n in sorted(ops.items(), key=lambda x: -x[1]))
        out.append(
            f"- {_label(results, k)} refused {sum(r['count'] for r in rs)} rules (over all rule sets) that we "
            f"(and AWS) accept: {top}. "
            f"Operators in the refused rules: {used}"
        )
    return "\n".join(out)


def write_json(results: dict, path: Path) -> None:
    path.write_bytes(orjson.dumps(results, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS))


def plots(results: dict, out: Path) -> list[Path]:
    """events/s against rule count per workload (log-log), and CityLots bars; [] without matplotlib."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return []
    written = []
    by_workload: dict[str, list[dict]] = {}
    for row in results["cells"]:
        by_workload.setdefault(row["workload"], []).append(row)
    engines = [k for k in results["engines"] if "missing" not in results["engines"][k]]
    m = results["machine"]
    subtitle = f"{m['cpu']}, {m['cpus']} CPUs, Python {m['python']}"
    for workload, rows in by_workload.items():
        fig, ax = plt.subplots(figsize=(8, 5.5))
        if workload in CITYLOTS_WORKLOADS:
            width = 0.8 / max(1, len(engines))
            for i, k in enumerate(engines):
                xs, ys, err = [], [], [[], []]
                for j, r in enumerate(rows):
                    e = r["engines"].get(k, {})
                    if "events_per_s" in e:
                        xs.append(j + (i - (len(engines) - 1) / 2) * width)
                        ys.append(e["events_per_s"])
                        err[0].append(e["events_per_s"] - e["range"][0])
                        err[1].append(e["range"][1] - e["events_per_s"])
                ax.bar(xs, ys, width, yerr=err, label=_label(results, k), capsize=1)
            ax.set_xticks(range(len(rows)), [r["key"] for r in rows], rotation=60, ha="right", fontsize=7)
            ax.set_yscale("log")
            ax.set_title(f"{workload}: event-ruler's CityLots rule sets, events/s\n{subtitle}", fontsize=10)
        else:
            for k in engines:
                pts = [
                    (r["rules"], r["engines"][k]) for r in rows if "events_per_s" in r["engines"].get(k, {})
                ]
                if not pts:
                    continue
                xs = [p[0] for p in pts]
                ys = [p[1]["events_per_s"] for p in pts]
                lo = [p[1]["events_per_s"] - p[1]["range"][0] for p in pts]
                hi = [p[1]["range"][1] - p[1]["events_per_s"] for p in pts]
                ax.errorbar(xs, ys, yerr=[lo, hi], marker="o", capsize=3, label=_label(results, k))
            ax.set_xscale("log")
            ax.set_yscale("log")
            ax.set_xlabel("rules")
            ax.set_title(f"{workload}: events/s against rule count (median, range)\n{subtitle}", fontsize=10)
        ax.set_ylabel("events/s")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
        fig.tight_layout()
        path = out / f"{workload}.png"
        fig.savefig(path, dpi=110)
        plt.close(fig)
        written.append(path)
    return written
