"""Native peers: aws/event-ruler (Java) and quamina (Go) run as external harness programs.

The project ships no harness: each builds fetched code (the workplace's rule keeps such code out
of the repository). A harness is any command, named by an environment variable, that follows the
protocol of docs/performance.md ("Native peers"):

    HARNESS RULES_JSONL EVENTS_JSONL SECONDS WARMUP_SECONDS

reads the rules (one ``{"name": ..., "pattern": ...}`` a line) and the events (one JSON document a
line), adds every rule (timing it), counts the matches over one pass of the events, warms up for
WARMUP_SECONDS, matches events in turn for SECONDS, and prints one JSON line on stdout::

    {"engine": ..., "version": ..., "rules_accepted": N, "refused": [names], "build_s": s,
     "events": N, "seconds": s, "events_per_s": x, "matches": N}

``matches`` is the number of (event, rule) matches over one pass of the events file, counted on the
rules the harness accepted; the runner checks it against ours on the rules both accept.
"""

from __future__ import annotations

import os
import shlex
import subprocess
from pathlib import Path

import orjson

#: engine key -> the environment variable holding its harness command line
NATIVE = {
    "event-ruler-native": "PATTERNS_BENCH_EVENT_RULER",
    "quamina-native": "PATTERNS_BENCH_QUAMINA",
}
#: what a harness's line must hold, and the type of each
REQUIRED = {
    "engine": str,
    "version": str,
    "rules_accepted": int,
    "events": int,
    "seconds": (int, float),
    "events_per_s": (int, float),
    "matches": int,
}


class HarnessError(RuntimeError):
    """A harness failed, or printed no line that follows the protocol."""


def write_inputs(rules: list[tuple[str, dict]], events: list[bytes], folder: Path) -> tuple[Path, Path]:
    """The cell's rules and events as the harness reads them; returns (rules path, events path).

    Events go one a line as they are; an event holding a newline (pretty-printed) is written in
    its compact form, which holds the same document.
    """
    folder.mkdir(parents=True, exist_ok=True)
    rules_path, events_path = folder / "rules.jsonl", folder / "events.jsonl"
    rules_path.write_bytes(b"".join(orjson.dumps({"name": n, "pattern": p}) + b"\n" for n, p in rules))
    events_path.write_bytes(
        b"".join((orjson.dumps(orjson.loads(e)) if b"\n" in e else e) + b"\n" for e in events)
    )
    return rules_path, events_path


def parse_line(stdout: str) -> dict:
    """The harness's result: the last line of its stdout that is a JSON object, checked."""
    for line in reversed(stdout.strip().splitlines()):
        if line.lstrip().startswith("{"):
            try:
                result = orjson.loads(line)
            except orjson.JSONDecodeError as exc:
                raise HarnessError(f"Expected a JSON line, got `{line[:200]}` ({exc})") from exc
            break
    else:
        raise HarnessError(f"Expected a JSON line on stdout, got `{stdout[-300:]}`")
    for key, kind in REQUIRED.items():
        if not isinstance(result.get(key), kind) or isinstance(result.get(key), bool):
            raise HarnessError(f"Expected `{key}` in the harness's line, got `{line[:300]}`")
    refused = result.setdefault("refused", [])
    if not isinstance(refused, list) or not all(isinstance(x, str) for x in refused):
        raise HarnessError(f"Expected `refused` as a list of rule names, got `{str(refused)[:200]}`")
    if result["events"] <= 0 or result["seconds"] <= 0:
        raise HarnessError(f"Expected some events matched in some time, got `{line[:300]}`")
    return result


class Harness:
    """One native peer: its command (from the environment) and how to run it on a cell."""

    def __init__(self, key: str, environ: dict[str, str] | None = None) -> None:
        self.key = key
        self.variable = NATIVE[key]
        text = (os.environ if environ is None else environ).get(self.variable, "").strip()
        self.command = shlex.split(text) if text else None

    @property
    def missing(self) -> str | None:
        """Why this peer does not run, or None."""
        if self.command is None:
            return f"not configured (set {self.variable} to a harness command; docs/performance.md)"
        return None

    def run(
        self, rules_path: Path, events_path: Path, seconds: float, warmup_s: float, timeout: float
    ) -> dict:
        """One run of the harness: build, warm up, time; its checked result line."""
        assert self.command is not None
        argv = [*self.command, str(rules_path), str(events_path), f"{seconds:g}", f"{warmup_s:g}"]
        try:
            proc = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise HarnessError(f"{self.key}: `{shlex.join(argv)}` failed: {exc}") from exc
        if proc.returncode != 0:
            raise HarnessError(
                f"{self.key}: `{shlex.join(argv)}` exited {proc.returncode}: {proc.stderr[-1500:]}"
            )
        return parse_line(proc.stdout)
