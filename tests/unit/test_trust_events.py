"""`Machine(trust_events=True)`: the unread parts of a JSON event skipped unvalidated (compiled
build), the same answers as the validating default on every valid event."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from patterns import InvalidEventError, Machine

from ..strategies import events_for, patterns_for

pytestmark = pytest.mark.usefixtures("twin")

RULES = [("r", {"a": ["x"]}), ("n", {"b": {"c": [{"numeric": [">", 1]}]}})]


@pytest.mark.parametrize(
    "event",
    [
        b'{"a": "x", "geo": {"c": [1, 2, 01]}}',  # a leading zero
        b'{"a": "x", "geo": [tru, 1]}',  # a broken literal
        b'{"a": "x", "geo": {"k" 1}}',  # a missing colon
    ],
)
def test_an_invalid_unread_part_is_refused_unless_trusted(event: bytes, twin: str) -> None:
    with pytest.raises(InvalidEventError):
        Machine(rules=RULES).match(event)
    trusting = Machine(rules=RULES, trust_events=True)
    if twin == "cython":
        assert trusting.match(event) == ["r"]
    else:  # the pure twin validates everything, which trust permits
        with pytest.raises(InvalidEventError):
            trusting.match(event)


@pytest.mark.parametrize("event", [b'{"a": "x", "b": {"c": 01}}', b'{"a": x}', b'{"a": "x"', b"[1]"])
def test_what_a_rule_reads_is_validated_even_when_trusted(event: bytes) -> None:
    with pytest.raises(InvalidEventError):
        Machine(rules=RULES, trust_events=True).match(event)


def test_a_snapshot_keeps_the_trust() -> None:
    m = Machine(rules=RULES, trust_events=True)
    assert Machine.from_bytes(m.to_bytes()).trust_events is True
    assert Machine.from_bytes(Machine(rules=RULES).to_bytes()).trust_events is False


@given(
    st.lists(patterns_for("eventbridge"), min_size=1, max_size=5),
    st.lists(events_for("eventbridge"), max_size=5),
)
def test_valid_events_get_the_same_answers(candidates: list[dict], events: list[dict]) -> None:
    plain, trusting = Machine(), Machine(trust_events=True)
    for i, candidate in enumerate(candidates):
        try:
            plain.add(f"r{i}", candidate)
        except ValueError:
            continue
        trusting.add(f"r{i}", candidate)
    for event in events:
        text = json.dumps(event)
        for given_as in (text, text.encode(), event):
            assert trusting.match(given_as) == plain.match(given_as)
