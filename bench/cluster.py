"""python -m bench.cluster: `patterns.dask.scan` on a 2-worker LocalCluster beside one process.

    python -m bench.cluster --mb 200 --files 8 --rules 1000 --rounds 3

Writes a gzipped JSON-lines archive of AWS-shaped events (bench/workloads.py, about 1 KB each)
into a temporary folder (`--files` files, `--mb` MB of JSON in all), then times, per round:
one process reading and matching every file (`patterns.archive.read_batches` and
`Machine.match_many`: `patterns.scan(..., jobs=1)`), the same with `jobs=2` (worker processes
of this machine), and `patterns.dask.scan` on a
`distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1)` started once
beforehand (its start-up is not timed; shipping the rules and building the machine on each
worker is). With `--spark`, also `patterns.spark.match_arrow` on a local[2] SparkSession reading the same
files (`spark.read.text`; Spark decompresses the gzip). Prints the medians, the ratios, and checks
that every count is equal.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import patterns
from patterns import IMPLEMENTATION, Machine
from patterns.dask import scan

from .bench_archive import make_archive
from .workloads import aws_events, aws_rules


def _write_archive(root: Path, megabytes: int, files: int) -> tuple[int, int]:
    """Write about `megabytes` MB of JSON as `files` gzipped JSON-lines files
    (`bench_archive.make_archive`); (events, bytes of JSON) written."""
    pool = aws_events(20_000)  # the sample make_archive cycles through (seeded: the same events)
    per_event = sum(map(len, pool)) / len(pool) + 1
    events = int(megabytes * 1e6 / per_event)
    make_archive(root, events, files)
    return events, sum(len(pool[i % len(pool)]) + 1 for i in range(events))


def _cpu() -> float:
    """CPU seconds this process has used (run on each worker through `Client.run`)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def local_scan(machine: Machine, sources: list[str], jobs: int) -> dict[str, Any]:
    """`patterns.scan` on this machine, counts only."""
    return patterns.scan(machine, sources, jobs=jobs, keep_matches=False).run().as_dict()


def spark_scan(spark: Any, machine: Machine, folder: str) -> tuple[dict[str, Any], float]:
    """`patterns.spark.match_arrow` over the archive's lines (Spark reads the gzip): the counts, and
    the seconds of the two jobs that give them (rows matched, rule names counted)."""
    from pyspark.sql import functions as F

    from patterns.spark import match_arrow, schema_with_rules

    start = time.perf_counter()
    lines = spark.read.text(folder)  # one row per line, column `value`
    matched = lines.mapInArrow(match_arrow(machine, "value", session=spark), schema_with_rules(lines.schema))
    totals = matched.select(
        F.count(F.col("rules")).alias("events"), F.sum(F.col("rules").isNull().cast("long")).alias("invalid")
    ).collect()[0]
    per_rule = matched.select(F.explode("rules").alias("rule")).groupBy("rule").count().collect()
    seconds = time.perf_counter() - start
    rules = dict.fromkeys(machine, 0)
    for row in per_rule:
        rules[row["rule"]] = row["count"]
    return {"events": totals["events"], "invalid": totals["invalid"] or 0, "rules": rules}, seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.cluster", description=__doc__.split("\n")[0])
    parser.add_argument("--mb", type=int, default=200, help="MB of JSON in the archive (before gzip)")
    parser.add_argument("--files", type=int, default=8, help="files in the archive (Dask partitions)")
    parser.add_argument("--rules", type=int, default=1000, help="rules of the mixed AWS workload")
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds of each")
    parser.add_argument("--spark", action="store_true", help="also patterns.spark on a local[2] SparkSession")
    args = parser.parse_args(argv)

    import dask  # the `dask` extra
    import distributed

    machine = Machine()
    for name, pattern in aws_rules(args.rules):
        machine.add(name, pattern)
    with tempfile.TemporaryDirectory(prefix="bench-cluster-") as tmp:
        events, size = _write_archive(Path(tmp), args.mb, args.files)
        gz = sum(p.stat().st_size for p in Path(tmp).iterdir())
        print(
            f"archive: {args.files} files, {events:,} events, {size / 1e6:.0f} MB JSON, {gz / 1e6:.0f} MB gzipped; "
            f"{args.rules} rules; matcher {IMPLEMENTATION}; {os.cpu_count()} cores",
            file=sys.stderr,
        )
        single, jobs2, dask_times = [], [], []
        cpu_one, cpu_workers = [], []  # CPU seconds: this process (1 job); each worker (dask)
        # the nanny's MALLOC_TRIM_THRESHOLD_ turns off glibc's dynamic mmap threshold, which costs
        # the decompressing workers about a quarter of their time (docs/cluster.md, "Measured")
        dask.config.set({"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None})
        with (
            distributed.LocalCluster(
                n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None
            ) as cluster,
            distributed.Client(cluster) as client,
        ):
            expected: dict[str, Any] = {}
            for r in range(args.rounds):
                start, cpu = time.perf_counter(), _cpu()
                expected = local_scan(machine, [tmp], 1)
                single.append(time.perf_counter() - start)
                cpu_one.append(_cpu() - cpu)
                start = time.perf_counter()
                two_jobs = local_scan(machine, [tmp], 2)
                jobs2.append(time.perf_counter() - start)
                before = client.run(_cpu)
                start = time.perf_counter()
                got = scan(machine, [tmp], client)
                dask_times.append(time.perf_counter() - start)
                after = client.run(_cpu)
                cpu_workers.append(sorted(after[w] - before[w] for w in after))
                print(
                    f"round {r + 1}: 1 job {single[-1]:.2f} s, 2 jobs {jobs2[-1]:.2f} s, "
                    f"dask 2 workers {dask_times[-1]:.2f} s",
                    file=sys.stderr,
                )
                if got != expected or two_jobs != expected:
                    print("counts differ between 1 job, 2 jobs and dask", file=sys.stderr)
                    return 1
        if args.spark:
            from pyspark.sql import SparkSession

            os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
            spark = (
                SparkSession.builder.master("local[2]")
                .config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "2")
                .getOrCreate()
            )
            spark.sparkContext.setLogLevel("ERROR")
            spark_times = []
            for r in range(args.rounds):
                counts, seconds = spark_scan(spark, machine, tmp)
                spark_times.append(seconds)
                print(f"round {r + 1}: spark local[2] {seconds:.2f} s", file=sys.stderr)
                if counts != expected:
                    print("counts differ between 1 job and spark", file=sys.stderr)
                    return 1
            spark.stop()
    one, local2, two = statistics.median(single), statistics.median(jobs2), statistics.median(dask_times)
    print(f"patterns.scan, 1 job:   {one:6.2f} s  {events / one:>10,.0f} events/s")
    print(
        f"patterns.scan, 2 jobs:  {local2:6.2f} s  {events / local2:>10,.0f} events/s  ({one / local2:.2f}x)"
    )
    print(f"dask, 2-worker cluster: {two:6.2f} s  {events / two:>10,.0f} events/s  ({one / two:.2f}x)")
    if args.spark:
        sp = statistics.median(spark_times)
        print(
            f"spark local[2]:         {sp:6.2f} s  {events / sp:>10,.0f} events/s  ({one / sp:.2f}x; two jobs)"
        )
    print(f"counts equal ({sum(expected['rules'].values()):,} matches)")
    # CPU seconds tell what the wall clock hides on a machine whose cores other work also uses:
    # with a free core per worker, the dask wall time is about its busiest worker's CPU time
    busiest = statistics.median(w[-1] for w in cpu_workers)
    total = statistics.median(sum(w) for w in cpu_workers)
    print(
        f"CPU s: 1 job {statistics.median(cpu_one):.2f}; dask workers {total:.2f} in all, "
        f"busiest {busiest:.2f} ({statistics.median(cpu_one) / busiest:.2f}x of 1 job's)"
    )
    print(f"load average at the end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
