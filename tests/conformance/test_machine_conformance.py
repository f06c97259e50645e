"""The conformance corpus through one `Machine` per dialect holding every valid pattern at once.

Each case's pattern is added under the case id; each match / no-match case then asks the machine
about its input, and the case's own rule must be among the names returned exactly when the case
says it matches (and exactly when its own `Pattern.matches` says so). Thousands of unrelated rules
sharing one automaton is the point: they must not leak into each other's answers.
"""

from __future__ import annotations

import pytest

import patterns
from patterns import InvalidPatternError, Machine
from tests.conftest import CASES_FILE, VALID_ONLY_FILE, load_cases

from .disagreements import KNOWN_DISAGREEMENTS

# Every Machine and Pattern here runs on each matcher twin (tests/conftest.py: `twin`).
pytestmark = pytest.mark.usefixtures("twin")

CASES = load_cases(CASES_FILE) + load_cases(VALID_ONLY_FILE)

if not CASES:
    pytest.skip(
        f"the AWS conformance corpus is not here ({CASES_FILE} missing: ../shared is absent)",
        allow_module_level=True,
    )

MATCH_CASES = [c for c in CASES if c["expect"] in ("match", "no-match") and c["dialect"] in patterns.DIALECTS]


@pytest.fixture(scope="module")
def machines() -> dict[str, tuple[Machine, dict[str, patterns.Pattern]]]:
    """One machine per dialect holding every pattern of the corpus that compiles, by case id."""
    out: dict[str, tuple[Machine, dict[str, patterns.Pattern]]] = {}
    for case in CASES:
        dialect = case["dialect"]
        if dialect not in patterns.DIALECTS:
            continue
        machine, compiled = out.setdefault(dialect, (Machine(dialect=dialect), {}))
        try:
            compiled[case["id"]] = patterns.compile(case["pattern"], dialect=dialect)
        except InvalidPatternError:
            continue
        machine.add(case["id"], compiled[case["id"]])
    return out


def test_machines_hold_every_valid_pattern(machines) -> None:
    for dialect, (machine, compiled) in machines.items():
        assert len(machine) == len(compiled) > 0, dialect
        assert list(machine) == list(compiled)


@pytest.mark.parametrize("case", [pytest.param(c, id=c["id"]) for c in MATCH_CASES])
def test_machine_case(case: dict, machines) -> None:
    machine, compiled = machines[case["dialect"]]
    pattern = compiled.get(case["id"])
    if pattern is None:
        pytest.skip("the pattern does not compile here (see test_conformance.py)")
    names = machine.match(case["input"])
    assert (case["id"] in names) is pattern.matches(case["input"])
    if case["id"] not in KNOWN_DISAGREEMENTS:
        assert (case["id"] in names) is (case["expect"] == "match")
    # and every other rule of the corpus is named exactly when its own Pattern.matches says so
    assert names == [n for n, p in compiled.items() if p.matches(case["input"])]


@pytest.mark.parametrize("road", ["add_many", "snapshot"])
def test_machines_built_every_way_answer_alike(road: str, machines) -> None:
    # The corpus through one machine per dialect built with `add_many`, and through one loaded
    # from the snapshot of the machine built rule by rule: every case's answer is the same.
    for dialect, (machine, compiled) in machines.items():
        if road == "add_many":
            other = Machine(dialect=dialect)
            other.add_many(list(compiled.items()))
        else:
            other = Machine.from_bytes(machine.to_bytes())
        assert list(other) == list(machine)
        cases = [c for c in MATCH_CASES if c["dialect"] == dialect]
        assert cases, dialect
        for case in cases:
            assert other.match(case["input"]) == machine.match(case["input"]), case["id"]
