"""A machine loaded from its snapshot answers exactly as the machine saved, on every dialect.

Random rule sets (mixed operators, ``$or``, arrays, dotted keys; some given as dicts, some as
text), random changes before the save, random events given every way a caller may give them.
"""

from __future__ import annotations

import contextlib
import json
import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st

import patterns
from patterns import InvalidEventError, InvalidPatternError, Machine

from ..strategies import events_for, patterns_for

pytestmark = pytest.mark.usefixtures("twin")


def _inputs(event, dialect: str) -> list:
    if dialect == "sns-attributes" or not isinstance(event, dict):
        return [event]
    text = json.dumps(event)
    return [event, text, text.encode()]


def _answer(m: Machine, event) -> list[str] | str:
    try:
        return m.match(event)
    except InvalidEventError as exc:
        return f"refused: {exc}"


@pytest.mark.parametrize("dialect", sorted(patterns.DIALECTS))
@given(data=st.data())
def test_loaded_machine_answers_as_the_saved_one(dialect: str, data: st.DataObject) -> None:
    candidates = data.draw(st.lists(patterns_for(dialect), min_size=1, max_size=8), label="patterns")
    as_text = data.draw(st.lists(st.booleans(), min_size=len(candidates), max_size=len(candidates)))
    m = Machine(dialect=dialect)
    for i, (candidate, text) in enumerate(zip(candidates, as_text, strict=True)):
        with contextlib.suppress(InvalidPatternError):
            m.add(f"r{i % 5}", json.dumps(candidate) if text else candidate)  # some names replaced
    if len(m) > 1 and data.draw(st.booleans(), label="remove one"):
        m.remove(next(iter(m)))
    loaded = Machine.from_bytes(m.to_bytes())
    unpickled = pickle.loads(pickle.dumps(m))
    assert list(loaded) == list(unpickled) == list(m)
    assert loaded.stats() == m.stats()
    # each rule's pattern, from what each machine keeps of it (a text, a dict's JSON, a Pattern)
    assert [loaded[name] for name in loaded] == [m[name] for name in m]
    for event in data.draw(st.lists(events_for(dialect), min_size=1, max_size=4), label="events"):
        for given_as in _inputs(event, dialect):
            expected = _answer(m, given_as)
            assert _answer(loaded, given_as) == expected
            assert _answer(unpickled, given_as) == expected
