"""python -m bench: our matcher beside the engines users would pick instead, in one run.

    python -m bench                  # the full comparison (about 15 minutes on 2 cores)
    python -m bench --quick          # fewer rule counts, rounds and events (under 2 minutes)
    python -m bench --engines ours,moto --workloads aws --rules 1,1000 --out /tmp/bench
    PATTERNS_BENCH_QUAMINA=/path/to/harness python -m bench --engines ours,quamina-native

Native peers (aws/event-ruler in Java, quamina in Go) join when PATTERNS_BENCH_EVENT_RULER and
PATTERNS_BENCH_QUAMINA name a harness command (docs/performance.md, "Native peers").

Peers are the optional extra: pip install '.[bench]'. Progress goes to stderr; the tables to
stdout; results.json and the PNG plots to --out (bench/results/latest by default; the run
docs/performance.md quotes is in bench/results).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .engines import ENGINES
from .report import agreement_passed, machine_info, plots, tables, write_json
from .runner import Config, log, run
from .workloads import WORKLOADS

#: a run's output; bench/results/ itself holds the run docs/performance.md quotes (refresh: --out bench/results)
DEFAULT_OUT = Path(__file__).resolve().parent / "results" / "latest"


def _list(text: str, known: list[str], what: str) -> list[str]:
    items = [x.strip() for x in text.split(",") if x.strip()]
    unknown = [x for x in items if x not in known]
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown {what}: {', '.join(unknown)} (known: {', '.join(known)})")
    return items


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--quick", action="store_true", help="rule counts 1,100,1000, 3 short rounds (under 2 min)"
    )
    ap.add_argument("--engines", type=lambda s: _list(s, ENGINES, "engine"), help=f"of {','.join(ENGINES)}")
    ap.add_argument(
        "--workloads", type=lambda s: _list(s, WORKLOADS, "workload"), help=f"of {','.join(WORKLOADS)}"
    )
    ap.add_argument(
        "--rules", type=lambda s: [int(x) for x in s.split(",")], help="rule counts, e.g. 1,10,100"
    )
    ap.add_argument("--events", type=int, help="events in each workload's pool (default 1000; quick: 200)")
    ap.add_argument("--rounds", type=int, help="timed rounds per cell (default 5; quick: 3)")
    ap.add_argument(
        "--native-seconds", type=float, help="seconds a native peer times per round (default 1; quick: 0.5)"
    )
    ap.add_argument(
        "--native-warmup", type=float, help="seconds a native peer warms up per round (default 3; quick: 2)"
    )
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="folder for results.json and plots")
    ap.add_argument("--no-plots", action="store_true", help="skip the PNG plots")
    ap.add_argument(
        "--strict", action="store_true", help="exit 1 when the agreement check finds a difference"
    )
    args = ap.parse_args(argv)

    overrides = {
        k: v
        for k, v in (
            ("engines", args.engines),
            ("workloads", args.workloads),
            ("rules", args.rules),
            ("pool", args.events),
            ("rounds", args.rounds),
            ("native_s", args.native_seconds),
            ("native_warmup_s", args.native_warmup),
        )
        if v is not None
    }
    cfg = Config.quick(**overrides) if args.quick else Config(**overrides)
    args.out.mkdir(parents=True, exist_ok=True)
    log(
        f"bench: engines {','.join(cfg.engines)}; workloads {','.join(cfg.workloads)}; rules "
        f"{','.join(map(str, cfg.rules))}; {cfg.rounds} rounds; output in {args.out}"
    )
    results = run(cfg, args.out)
    results["machine"] = machine_info()
    results["command"] = "python -m bench " + " ".join(argv if argv is not None else sys.argv[1:])
    text = tables(results)
    m = results["machine"]
    header = (
        f"# python -m bench: {m['cpu']}, {m['cpus']} CPUs, {m['memory_gb']} GB, {m['os']}, Python {m['python']}, "
        f"patterns {m['patterns']} ({m['commit']}); {results['elapsed_s']:.0f} s"
    )
    versions = "; ".join(
        f"{k}: {e['label']} {e.get('version', '')}".strip()
        if "missing" not in e
        else f"{k}: missing ({e['missing']})"
        for k, e in results["engines"].items()
    )
    notes = "\n".join(f"note: {n}" for n in results["notes"])
    printed = "\n".join(x for x in (header, f"# engines: {versions}", notes, text) if x)
    print(printed)
    (args.out / "tables.md").write_text(printed + "\n", encoding="utf-8")
    write_json(results, args.out / "results.json")
    written = [] if args.no_plots else plots(results, args.out)
    if not args.no_plots and not written:
        log("plots skipped: matplotlib is not installed (pip install '.[bench]')")
    log(f"wrote {args.out / 'results.json'}, tables.md" + "".join(f", {p.name}" for p in written))
    return 1 if args.strict and not agreement_passed(results) else 0


if __name__ == "__main__":
    sys.exit(main())
