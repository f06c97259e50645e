"""One engine in its own process, driven by the runner over JSON lines (stdin -> stdout).

    python -m bench.worker ENGINE

Requests are ``{"op": ..., ...}``; each gets one reply line, ``{"ok": true, ...}`` or
``{"ok": false, "error": ...}``. The protocol uses a duplicate of the original stdout, and
stdout itself is pointed at stderr, so nothing an engine prints can corrupt a reply.
"""

from __future__ import annotations

import gc
import os
import sys
import time
import traceback
import tracemalloc

import orjson

from .engines import CLASSES, Missing, Unsupported
from .workloads import aws_rules, make_cell


def serve(key: str) -> None:
    out = os.fdopen(os.dup(1), "wb", buffering=0)
    os.dup2(2, 1)
    engine = CLASSES[key]()
    cells: dict[tuple, object] = {}
    cell = None

    def reply(**fields) -> None:
        out.write(orjson.dumps({"ok": True, **fields}) + b"\n")

    for line in sys.stdin.buffer:
        req = orjson.loads(line)
        op = req["op"]
        try:
            if op == "quit":
                reply()
                return
            if op == "probe":
                try:
                    info = engine.probe()
                except Missing as exc:
                    reply(missing=str(exc))
                except ImportError as exc:
                    reply(missing=f"import failed: {exc}")
                else:
                    reply(info=info)
            elif op == "load":
                ident = (req["workload"], req["key"], req["pool"])
                cell = cells.get(ident)
                if cell is None:
                    cells.clear()
                    cell = cells[ident] = make_cell(*ident)
                engine.rules = []
                gc.collect()
                t0 = time.perf_counter()
                try:
                    refused = engine.load(cell.rules, cell.dialect)
                except Unsupported as exc:
                    reply(unsupported=str(exc))
                    continue
                reply(load_s=time.perf_counter() - t0, refused=refused, rules=len(cell.rules))
            elif op == "warmup":
                end, i, events = time.perf_counter() + engine.warmup_s, 0, cell.events
                while time.perf_counter() < end:
                    engine.match(events[i % len(events)])
                    i += 1
                reply(events=i)
            elif op == "answers":
                reply(answers=[engine.match(e) for e in cell.events[: req["n"]]])
            elif op == "time":
                n = req["n"]
                events = (cell.events * (n // len(cell.events) + 1))[:n]
                match = engine.match
                gc.collect()
                match_all = getattr(engine, "match_all", None)  # an engine's own batch loop
                t0 = time.perf_counter()
                if match_all is not None:
                    match_all(events)
                else:
                    for event in events:
                        match(event)
                reply(seconds=time.perf_counter() - t0, n=n)
            elif op == "change":
                rule = aws_rules(10_001)[-1][1] if cell.dialect == "eventbridge" else cell.rules[0][1]
                add, remove = [], []
                for _ in range(req.get("rounds", 5)):
                    a, r = engine.change(rule)
                    add.append(a)
                    remove.append(r)
                reply(add_s=add, remove_s=remove)
            elif op == "memory" and hasattr(engine, "heap_bytes"):
                reply(
                    bytes=engine.heap_bytes(cell.rules, cell.dialect), rules=len(cell.rules), how="JVM heap"
                )
            elif op == "memory":
                engine.rules = []
                engine.__dict__.pop("machine", None)
                gc.collect()
                tracemalloc.start()
                base = tracemalloc.get_traced_memory()[0]
                engine.load(cell.rules, cell.dialect)
                gc.collect()
                used = tracemalloc.get_traced_memory()[0] - base
                tracemalloc.stop()
                reply(bytes=used, rules=len(cell.rules))
            else:
                raise ValueError(f"unknown op {op!r}")
        except Exception as exc:  # noqa: BLE001 - the runner reports it with the engine and cell
            out.write(
                orjson.dumps(
                    {
                        "ok": False,
                        "error": f"{type(exc).__name__}: {exc}",
                        "trace": traceback.format_exc()[-2000:],
                    }
                )
                + b"\n"
            )


if __name__ == "__main__":
    serve(sys.argv[1])
