"""Fuzz the compiled path (issue 9): the byte scanner and the C walk against the pure twin and
the reference matcher, on the input bytes as an EventBridge event.

For one rule set of every kind the C value indexes hold (exact, affixes, ignore-case, numbers,
literals, exists, anything-but, cidr and IP, wildcards, arrays of objects, absence), three
answers must be equal, or all three `InvalidEventError`: a Machine on the compiled twin, a
Machine on the pure twin, and `oracle.matches` over `decode_event` per rule; the compiled
scanner's leaves (`_match_c.scan_leaves`) must equal the slow road's, and
`match_json_many` must answer as `match_json` does. Any other exception, a crash, a hang or a
read out of bounds (the compiled module runs under the fuzzer's process) is a finding.

    fuzz/run.sh 600          # every target, 600 s each (see docs/fuzzing.md)
    .venv/bin/python fuzz/fuzz_compiled.py -timeout=10 -max_total_time=60 fuzz/seeds/match

The C code itself carries no coverage counters (it is built by gcc without libFuzzer's
instrumentation), so guidance comes from the Python around it and from the dictionary and seeds
of JSON; the C paths are reached by the shapes of the inputs.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path
from unittest import mock

import atheris

sys.path.insert(0, str(Path(__file__).resolve().parent))

with atheris.instrument_imports():
    import patterns
    from patterns import InvalidEventError, _match_c, _match_py
    from patterns.engine import Twin
    from patterns.events import decode_event, flatten
    from patterns.oracle import matches as oracle_matches
    from patterns.walk import select_leaves

RULES: dict[str, object] = {
    "exact": {"a": ["x", "é", ""], "b": [1, 2.5e9]},
    "dotted": {"a": ["x"], "a.b": ["y"]},
    "nested": {"a": {"b": ["y"], "c": [{"exists": False}]}},
    "array": {"a": {"b": ["1"], "c": ["1"]}},
    "affix": {"a": [{"prefix": "ab"}, {"suffix": "yz"}, {"prefix": {"equals-ignore-case": "Xé"}}]},
    "fold": {"a": [{"equals-ignore-case": "ß"}, {"suffix": {"equals-ignore-case": "SS"}}]},
    "wildcard": {"a": [{"wildcard": "a*b*c"}, {"wildcard": "*x*"}], "w": [{"wildcard": "*"}]},
    "numeric": {"b": [{"numeric": [">", 0, "<=", 100]}], "c": [{"numeric": ["=", 1e-7]}]},
    "anything-but": {"a": [{"anything-but": ["x", "y"]}], "b": [{"anything-but": {"prefix": "q"}}]},
    "anything-but-wild": {"a": [{"anything-but": {"wildcard": "x*"}}]},
    "exists": {"a": [{"exists": True}], "z": [{"exists": False}]},
    "cidr": {"ip": [{"cidr": "10.0.0.0/8"}, {"cidr": "2001:db8::/32"}, "192.168.0.1", "::1"]},
    "literals": {"a": [True, None], "b": [False, 0, -0.0]},
    "or": {"$or": [{"a": ["x"]}, {"b": [{"numeric": ["<", 0]}]}, {"c": {"d": ["e"]}}]},
    "deep": {"a": {"b": {"c": {"d": ["e"]}}}, "a.b": {"x": [{"exists": True}]}},
}
PATTERNS = {name: patterns.compile(rule) for name, rule in RULES.items()}


def _machine(module) -> patterns.Machine:
    # the machine's writer takes its twin from `Twin.current()`: that one, while it is built
    chosen = Twin.of(module)
    with mock.patch.object(Twin, "current", classmethod(lambda cls: chosen)):
        machine = patterns.Machine()
        for name, p in PATTERNS.items():
            machine.add(name, p)
        machine.match(b"{}")  # tables built now, by this twin (and read by it from now on)
    return machine


COMPILED = _machine(_match_c)
PURE = _machine(_match_py)
# each machine runs its own twin (the pure one has a `match_json` too: it reads the lowered form
# only on the compiled one)
assert COMPILED._tables.twin.reads_lowered and not PURE._tables.twin.reads_lowered


def _answer(fn):
    try:
        return fn()
    except InvalidEventError:
        return InvalidEventError


def _leaves(found):
    # (path id -> Counter of (type, value, context)) and the contexts' meaning, for comparison
    if found is None:
        return None
    by_path, _ = found
    return {pid: Counter((type(v).__name__, repr(v)) for v, _ in leaves) for pid, leaves in by_path.items()}


def test_one_input(data: bytes) -> None:
    try:
        expected = [
            name for name, p in PATTERNS.items() if oracle_matches(p.branches, flatten(decode_event(data)))
        ]
    except InvalidEventError:
        expected = InvalidEventError
    for raw in (data, memoryview(data + b'"}]}')[: len(data)]):
        got = _answer(lambda r=raw: COMPILED.match(r))
        assert got == expected, ("compiled", got, expected)
    assert _answer(lambda: PURE.match(data)) == expected, "pure"
    tables = COMPILED._tables
    fast = _match_c.match_json(tables, data, named=True)
    many = _match_c.match_json_many(tables, [data, data])
    assert many == [fast, fast], (many, fast)
    if fast is not None:
        assert fast == expected, ("match_json", fast, expected)
    scanned = _match_c.scan_leaves(data, tables.scan)
    if scanned is not None:
        slow = select_leaves(decode_event(data), tables.prefixes, tables.path_ids)
        assert _leaves(scanned) == _leaves(slow), (scanned, slow)


def main() -> None:
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
