"""Fuzz matching for every dialect: the input bytes as an event (and, decoded, as a dict or an
SNS attribute map). `Pattern.matches` of each rule, `Machine.match` on the bytes, on the text
and on the decoded value agree, or all raise InvalidEventError; nothing else may escape.

    fuzz/run.sh 600          # every target, 600 s each (see docs/fuzzing.md)
    .venv/bin/python fuzz/fuzz_match.py -timeout=10 -max_total_time=60 fuzz/seeds/match
"""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

import atheris

sys.path.insert(0, str(Path(__file__).resolve().parent))

with atheris.instrument_imports():
    import patterns
    from patterns import InvalidPatternError

from _common import check_roads, faithful_json

#: Rules for every dialect; each dialect keeps those it accepts.
RULES: dict[str, object] = {
    "exact": {"a": ["x"], "b": [1]},
    "dotted": {"a": ["x"], "a.b": ["y"]},
    "nested": {"a": {"b": ["y"], "c": [{"exists": False}]}},
    "array": {"a": {"b": ["1"], "c": ["1"]}},
    "prefix": {"a": [{"prefix": "ab"}, {"suffix": "yz"}, {"equals-ignore-case": "ß"}]},
    "wildcard": {"a": [{"wildcard": "a*b*c"}, {"wildcard": "*x*"}]},
    "numeric": {"b": [{"numeric": [">", 0, "<=", 100]}], "c": [{"numeric": ["=", 1e-7]}]},
    "anything-but": {"a": [{"anything-but": ["x", "y"]}], "b": [{"anything-but": {"prefix": "q"}}]},
    "exists": {"a": [{"exists": True}], "z": [{"exists": False}]},
    "cidr": {"ip": [{"cidr": "10.0.0.0/8"}, {"cidr": "2001:db8::/32"}]},
    "literals": {"a": [True, None], "b": [False, 0, -0.0, 2.5e9]},
    "or": {"$or": [{"a": ["x"]}, {"b": [{"numeric": ["<", 0]}]}, {"c": {"d": ["e"]}}]},
    "empty-ok": {},
}


def _machines() -> list[tuple[str, patterns.Machine, dict[str, patterns.Pattern]]]:
    out = []
    for dialect in sorted(patterns.DIALECTS):
        rules = {}
        for name, rule in RULES.items():
            try:
                rules[name] = patterns.compile(rule, dialect=dialect)
            except InvalidPatternError:
                continue
        machine = patterns.Machine(dialect)
        for name, p in rules.items():
            machine.add(name, p)
        out.append((dialect, machine, rules))
    return out


MACHINES = _machines()


def test_one_input(data: bytes) -> None:
    roads: dict[str, object] = {"bytes": data}
    with contextlib.suppress(UnicodeDecodeError):
        roads["text"] = data.decode("utf-8")
    decoded = faithful_json(data)
    for dialect, machine, rules in MACHINES:
        these = dict(roads)
        if decoded is not None:
            these["decoded"] = decoded[0]
        if dialect == "sns-attributes":
            # Bytes are no attribute map; the decoded value is one (or is refused as one).
            these = {"decoded": decoded[0]} if decoded is not None else {}
        check_roads(machine, rules, these)


def main() -> None:
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
