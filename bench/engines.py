"""The engines the runner compares, each behind one small adapter.

An adapter is built in a worker process (`bench.worker`), so each engine's imports, its memory and
(for ours) the choice of compiled or pure matcher stay in its own process. Every adapter takes the
same input, an event as JSON bytes (EventBridge: the event; SNS: the Publish ``MessageAttributes``
map), and returns the names of the matching rules. Peers get their events decoded by
``orjson.loads`` (the fastest decoder here), then loop over their rules the way their own
PutEvents / Publish do (see ``../shared/PEERS.md``).

A peer that is not installed raises `Missing` from `probe`: it is reported as missing, never as
zero.
"""

from __future__ import annotations

import os
import platform
from importlib import metadata
from typing import Any

import orjson

#: engine key -> human label used in tables (ours is labelled with what the install really runs).
LABELS = {
    "ours": "patterns",
    "ours-pure": "patterns (pure)",
    "ours-batch": "patterns (match_batch)",
    "ours-trusted": "patterns (trust_events)",
    "ours-trusted-batch": "patterns (trust_events, match_batch)",
    "moto": "moto",
    "localstack": "localstack",
    "localstack-precompiled": "localstack (precompiled)",
    "event-ruler-py": "event-ruler (PyPI, Go)",
    "event-ruler-java": "event-ruler (Java, JPype)",
    "event-ruler-native": "event-ruler (Java, native)",
    "quamina-native": "quamina (Go, native)",
    "orjson-floor": "orjson.loads alone",
}
ENGINES = list(LABELS)
#: engines whose answers are not matches (the floor decodes only).
NOT_MATCHERS = {"orjson-floor"}
#: engines that run as external harness programs, not in a worker (see `bench.native`)
EXTERNAL = {"event-ruler-native", "quamina-native"}


class Missing(Exception):
    """The engine is not installed here (the message says what is missing)."""


class Unsupported(Exception):
    """The engine does not implement this dialect at all (e.g. quamina has no SNS filter policies)."""


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError as exc:
        raise Missing(f"`{dist}` is not installed (pip install '.[bench]')") from exc


class Engine:
    """One engine holding one rule set. Subclasses set `key` and implement the hooks."""

    key = ""
    dialects: tuple[str, ...] = ("eventbridge", "sns-attributes")
    #: seconds of matching after each load before anything is measured (a JIT's warm-up)
    warmup_s = 0.0

    def __init__(self) -> None:
        self.rules: list[tuple[str, Any]] = []
        self.dialect = "eventbridge"

    def probe(self) -> dict:
        """Import the engine; its label and versions, or raise `Missing`."""
        raise NotImplementedError

    def load(self, rules: list[tuple[str, dict]], dialect: str) -> list[tuple[str, str]]:
        """Replace the rule set; returns the rules the engine refused, as (name, reason)."""
        if dialect not in self.dialects:
            raise Unsupported(f"{LABELS[self.key]} has no `{dialect}` dialect")
        self.dialect = dialect
        self.rules = []
        refused = []
        for name, rule in rules:
            try:
                self.rules.append((name, self.prepare(rule)))
            except Exception as exc:  # noqa: BLE001 - a peer's refusal, whatever it raises, is reported
                refused.append((name, f"{type(exc).__name__}: {exc}"[:300]))
        self.after_load()
        return refused

    def prepare(self, rule: dict) -> Any:
        """What the engine keeps per rule (validation happens here)."""
        return rule

    def after_load(self) -> None:
        pass

    def match(self, event: bytes) -> list[str]:
        raise NotImplementedError


class Ours(Engine):
    """`patterns.Machine`: one automaton for the whole rule set."""

    key = "ours"
    #: `Machine(trust_events=...)` (see `OursTrusted`)
    trust = False

    def probe(self) -> dict:
        import patterns

        self.patterns = patterns
        impl = patterns.IMPLEMENTATION
        return {
            "label": f"patterns ({impl})",
            "implementation": impl,
            "version": patterns.__version__,
            "orjson": metadata.version("orjson"),
            "module": patterns.__file__,
        }

    def load(self, rules, dialect):
        self.dialect = dialect
        self.machine = self.patterns.Machine(dialect=dialect, trust_events=self.trust)
        refused = []
        for name, rule in rules:
            try:
                self.machine.add(name, rule)
            except self.patterns.InvalidPatternError as exc:
                refused.append((name, str(exc)[:300]))
        self.machine.match(b"{}" if dialect == "eventbridge" else {})  # publish the tables
        if dialect == "eventbridge":
            self.match = self.machine.match
        else:
            machine_match, loads = self.machine.match, orjson.loads
            self.match = lambda event: machine_match(loads(event))
        return refused

    def change(self, rule: dict) -> tuple[float, float]:
        """Seconds for one `add` plus the next match, then one `remove` plus the next match."""
        import time

        probe = b"{}" if self.dialect == "eventbridge" else {}
        t0 = time.perf_counter()
        self.machine.add("__change__", rule)
        self.machine.match(probe)
        t1 = time.perf_counter()
        self.machine.remove("__change__")
        self.machine.match(probe)
        t2 = time.perf_counter()
        return t1 - t0, t2 - t1


class OursBatch(Ours):
    """Ours through `Machine.match_batch`, `BATCH` events a call, as a router that reads events in
    batches would match them (and as the native peers loop: no call per event from Python). The
    timed answer is the batch's flat arrays of rule ids (`BatchResult.offsets`, `.rule_ids`), as
    a consumer handing them to Arrow reads them; no list of names is made per event."""

    key = "ours-batch"
    #: events a `match_batch` call takes (a round's events are split into such batches)
    BATCH = 1_000

    def probe(self) -> dict:
        info = super().probe()
        info["label"] = f"patterns ({info['implementation']}, match_batch)"
        return info

    def load(self, rules, dialect):
        if dialect != "eventbridge":
            raise Unsupported("the batch road is measured on JSON events only")
        refused = super().load(rules, dialect)
        batch = self.machine.match_batch
        self.match = lambda event: batch([event])[0]
        return refused

    def match_all(self, events: list[bytes]) -> None:
        """Match `events` (the worker's timed loop), `BATCH` a call."""
        batch = self.machine.match_batch
        for start in range(0, len(events), self.BATCH):
            batch(events[start : start + self.BATCH])


class OursTrusted(Ours):
    """Ours with `Machine(trust_events=True)`: the parts of an event no rule reads are skipped
    by their brackets, unvalidated, as quamina skips them (docs/scanner.md, "The trusted skip")."""

    key = "ours-trusted"
    trust = True

    def probe(self) -> dict:
        info = super().probe()
        info["label"] = f"patterns ({info['implementation']}, trust_events)"
        return info


class OursTrustedBatch(OursBatch):
    """`OursBatch` on a machine with ``trust_events=True``."""

    key = "ours-trusted-batch"
    trust = True

    def probe(self) -> dict:
        info = super().probe()
        info["label"] = info["label"].replace("match_batch", "trust_events, match_batch")
        return info


class OursPure(Ours):
    """The same, in a worker started with PATTERNS_NO_EXTENSIONS=1 (the pure-Python twin)."""

    key = "ours-pure"

    def probe(self) -> dict:
        if not os.environ.get("PATTERNS_NO_EXTENSIONS"):
            raise Missing("the pure engine must run with PATTERNS_NO_EXTENSIONS=1")
        info = super().probe()
        info["label"] = f"patterns ({info['implementation']}, forced)"
        return info


class Moto(Engine):
    """moto's EventBridge `EventPattern` and SNS `FilterPolicyMatcher`, one call per rule."""

    key = "moto"

    def probe(self) -> dict:
        version = _version("moto")
        from moto.events.models import EventPattern
        from moto.sns.models import SNSBackend
        from moto.sns.utils import FilterPolicyMatcher

        self.EventPattern, self.FilterPolicyMatcher, self.SNSBackend = (
            EventPattern,
            FilterPolicyMatcher,
            SNSBackend,
        )
        return {"label": "moto", "version": version}

    def prepare(self, rule):
        if self.dialect == "eventbridge":
            return self.EventPattern.load(orjson.dumps(rule).decode())
        # SNS Subscribe's validation, then the matcher moto builds per subscription.
        self.SNSBackend._validate_filter_policy(None, rule, "MessageAttributes")  # uses no state
        return self.FilterPolicyMatcher(rule, "MessageAttributes")

    def match(self, event):
        decoded = orjson.loads(event)
        if self.dialect == "eventbridge":
            return [name for name, p in self.rules if p.matches_event(decoded)]
        # moto's Publish keeps attributes as {"Type", "Value"} (its _transform_message_attributes).
        attrs = {k: {"Type": v["DataType"], "Value": v.get("StringValue")} for k, v in decoded.items()}
        return [name for name, p in self.rules if p.matches(attrs, "")]


class LocalStack(Engine):
    """LocalStack's `matches_event(pattern_str, event)` as its PutEvents calls it (the pattern is
    re-parsed on every call), and its SNS `SubscriptionFilter`."""

    key = "localstack"

    def probe(self) -> dict:
        version = _version("localstack-core")
        from localstack.services.sns.filter import FilterPolicyValidator, SubscriptionFilter
        from localstack.utils.event_matcher import matches_event

        self.matches_event, self.validator = matches_event, FilterPolicyValidator
        self.sns = SubscriptionFilter()
        return {"label": "localstack", "version": version}

    def prepare(self, rule):
        if self.dialect == "eventbridge":
            from localstack.utils.event_matcher import _event_pattern_compiler

            text = orjson.dumps(rule).decode()
            _event_pattern_compiler.compile_event_pattern(event_pattern=text)  # PutRule's validation
            return text
        self.validator(scope="MessageAttributes", is_subscribe_call=True).validate_filter_policy(rule)
        return rule

    def match(self, event):
        decoded = orjson.loads(event)
        if self.dialect == "eventbridge":
            matches_event = self.matches_event
            return [name for name, p in self.rules if matches_event(p, decoded)]
        check = self.sns.check_filter_policy_on_message_attributes
        return [name for name, p in self.rules if check(p, decoded)]


class LocalStackPrecompiled(Engine):
    """LocalStack's rule engine with each pattern compiled once (not what its PutEvents does)."""

    key = "localstack-precompiled"
    dialects = ("eventbridge",)

    def probe(self) -> dict:
        version = _version("localstack-core")
        from localstack.services.events.event_rule_engine import EventPatternCompiler, EventRuleEngine

        self.compiler, self.engine = EventPatternCompiler(), EventRuleEngine()
        return {"label": "localstack (precompiled)", "version": version}

    def prepare(self, rule):
        return self.compiler.compile_event_pattern(orjson.dumps(rule).decode())

    def match(self, event):
        decoded = orjson.loads(event)
        evaluate = self.engine.evaluate_pattern_on_event
        return [name for name, p in self.rules if evaluate(p, decoded)]


class EventRulerPy(Engine):
    """PyPI `event-ruler` (a gopy wrapper of Go quamina): one Go call per rule and event."""

    key = "event-ruler-py"
    dialects = ("eventbridge",)

    def probe(self) -> dict:
        version = _version("event-ruler")
        if platform.python_implementation() != "CPython":
            raise Missing("event-ruler has wheels for CPython only")
        import event_ruler

        self.test = event_ruler.test_event_pattern
        return {"label": "event-ruler (PyPI, Go quamina)", "version": version}

    def prepare(self, rule):
        text = orjson.dumps(rule).decode()
        self.test("{}", text)  # raises RuntimeError("invalid pattern") on what quamina refuses
        return text

    def match(self, event):
        text, test = event.decode(), self.test
        return [name for name, p in self.rules if test(text, p)]


class EventRulerJava(Engine):
    """aws/event-ruler's `Machine` through JPype, when EVENT_RULER_CP names its jars."""

    key = "event-ruler-java"
    dialects = ("eventbridge",)
    warmup_s = 2.0

    def probe(self) -> dict:
        cp = os.environ.get("EVENT_RULER_CP")
        if not cp:
            raise Missing(
                "EVENT_RULER_CP is not set (the event-ruler jar and its dependencies, os.pathsep-separated)"
            )
        version = _version("jpype1")
        import jpype

        if not jpype.isJVMStarted():
            jpype.startJVM(classpath=cp.split(os.pathsep))
        self.Machine = jpype.JClass("software.amazon.event.ruler.Machine")
        jar = os.path.basename(cp.split(os.pathsep)[0])
        java = str(jpype.java.lang.System.getProperty("java.version"))
        return {
            "label": "event-ruler (Java, JPype)",
            "version": f"{jar}, Java {java}, jpype1 {version}",
            "classpath": cp,
        }

    def load(self, rules, dialect):
        if dialect not in self.dialects:
            raise Unsupported("event-ruler has no SNS dialect")
        self.dialect = dialect
        self.machine = self.Machine()
        refused = []
        for name, rule in rules:
            try:
                self.machine.addRule(name, orjson.dumps(rule).decode())
            except Exception as exc:  # noqa: BLE001 - Java exceptions of any kind are a refusal
                refused.append((name, str(exc)[:300]))
        return refused

    def match(self, event):
        return sorted(str(n) for n in self.machine.rulesForJSONEvent(event.decode()))

    def heap_bytes(self, rules, dialect) -> int:
        """JVM heap the rule set holds (tracemalloc cannot see it): used heap after a full GC,
        with the rules loaded against without; a rough figure (System.gc() is a request)."""
        import time

        import jpype

        runtime, system = jpype.java.lang.Runtime.getRuntime(), jpype.java.lang.System

        def used() -> int:
            for _ in range(3):
                system.gc()
                time.sleep(0.1)
            return int(runtime.totalMemory()) - int(runtime.freeMemory())

        self.machine = None
        before = used()
        self.load(rules, dialect)
        return used() - before


class OrjsonFloor(Engine):
    """`orjson.loads` of each event and nothing else: the floor any Python engine pays."""

    key = "orjson-floor"

    def probe(self) -> dict:
        return {"label": "orjson.loads alone", "version": metadata.version("orjson")}

    def load(self, rules, dialect):
        self.dialect = dialect
        return []

    def match(self, event):
        orjson.loads(event)
        return []


CLASSES: dict[str, type[Engine]] = {
    cls.key: cls
    for cls in (
        Ours,
        OursBatch,
        OursTrusted,
        OursTrustedBatch,
        OursPure,
        Moto,
        LocalStack,
        LocalStackPrecompiled,
        EventRulerPy,
        EventRulerJava,
        OrjsonFloor,
    )
}
