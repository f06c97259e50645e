"""Every case of ../shared/conformance/cases.jsonl, one test id per case.

An `invalid` case passes when `patterns.compile` raises `InvalidPatternError` and, where AWS's
message was recorded, `str(err)` equals its first line. A `match` / `no-match` case passes when
`Pattern.matches` gives that answer. Unverified cases we knowingly disagree with are listed, with
the reason, in `disagreements.py`.
"""

from __future__ import annotations

import pytest

import patterns
from patterns import InvalidPatternError
from tests.conftest import CASES_FILE, VALID_ONLY_FILE, load_cases

from .disagreements import KNOWN_DISAGREEMENTS

# Every Machine and Pattern here runs on each matcher twin (tests/conftest.py: `twin`).
pytestmark = pytest.mark.usefixtures("twin")

CASES = load_cases(CASES_FILE)
VALID_ONLY = load_cases(VALID_ONLY_FILE)

if not CASES:
    pytest.skip(
        f"the AWS conformance corpus is not here ({CASES_FILE} missing: ../shared is absent)",
        allow_module_level=True,
    )

# Subscribe words SNS errors "Invalid parameter: Attributes Reason: FilterPolicy: ..."; our
# str(err) is SetSubscriptionAttributes' "Invalid parameter: FilterPolicy: ...". Same reason.
_SUBSCRIBE_PREFIX = "Invalid parameter: Attributes Reason: FilterPolicy: "
_SET_ATTRIBUTES_PREFIX = "Invalid parameter: FilterPolicy: "


def expected_first_line(case: dict) -> str | None:
    """AWS's recorded message, first line only, in SetSubscriptionAttributes' wording for SNS."""
    if not case.get("error"):
        return None
    line = case["error"].split("\n", 1)[0]
    if line.startswith(_SUBSCRIBE_PREFIX):
        line = _SET_ATTRIBUTES_PREFIX + line[len(_SUBSCRIBE_PREFIX) :]
    return line


def _params(cases: list[dict]):
    for case in cases:
        marks = []
        if case["id"] in KNOWN_DISAGREEMENTS:
            marks.append(pytest.mark.xfail(reason=KNOWN_DISAGREEMENTS[case["id"]], strict=True))
        yield pytest.param(case, id=case["id"], marks=marks)


def _check(case: dict) -> None:
    dialect = case["dialect"]
    if dialect not in patterns.DIALECTS:
        pytest.fail(f"dialect `{dialect}` is not implemented")
    if case["expect"] == "invalid":
        with pytest.raises(InvalidPatternError) as info:
            patterns.compile(case["pattern"], dialect=dialect)
        expected = expected_first_line(case)
        if expected is not None:
            assert str(info.value) == expected
        return
    pattern = patterns.compile(case["pattern"], dialect=dialect)
    if case["expect"] == "valid":
        return
    assert pattern.matches(case["input"]) is (case["expect"] == "match")


@pytest.mark.parametrize("case", list(_params(CASES)))
def test_case(case: dict) -> None:
    _check(case)


@pytest.mark.parametrize("case", list(_params(VALID_ONLY)))
def test_valid_only_case(case: dict) -> None:
    _check(case)


def test_disagreements_are_unverified_cases_only() -> None:
    by_id = {c["id"]: c for c in CASES + VALID_ONLY}
    for case_id in KNOWN_DISAGREEMENTS:
        assert case_id in by_id, f"stale entry {case_id}"
        assert not by_id[case_id]["aws_validated"], f"{case_id} is AWS-validated: it must pass"


def test_corpus_counts_are_what_the_readme_says() -> None:
    # Guards against a truncated or half-copied corpus silently shrinking the suite.
    validated = {}
    for case in CASES:
        if case["aws_validated"]:
            validated[case["dialect"]] = validated.get(case["dialect"], 0) + 1
    assert validated == {"eventbridge": 186, "sns-attributes": 55, "sns-body": 51}
