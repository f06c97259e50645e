"""`patterns.engine`: which road answers a match, and the twin a machine's tables belong to."""

from __future__ import annotations

from dataclasses import fields, replace

import pytest

import patterns
from patterns import InvalidEventError, _match_py
from patterns.compiler import one_rule_tables
from patterns.dialects import EVENTBRIDGE, SNS_ATTRIBUTES, SNS_BODY
from patterns.engine import Twin, run
from patterns.sns import attributes_to_event, body_to_event

PATTERN = {"source": ["aws.ec2"], "detail": {"n": [{"numeric": [">", 1]}]}}


class Counting:
    """A twin whose every function counts its calls and can be told to decline."""

    def __init__(self, base: Twin, decline: frozenset[str] = frozenset()) -> None:
        self.calls: dict[str, int] = {}
        wrapped = {}
        for f in fields(Twin):
            wrapped[f.name] = self._wrap(f.name, getattr(base, f.name), f.name in decline)
        self.twin = replace(base, **wrapped)

    def _wrap(self, name, function, decline):
        def call(*args, **kwargs):
            self.calls[name] = self.calls.get(name, 0) + 1
            return None if decline else function(*args, **kwargs)

        return call


def _tables(twin, pattern=PATTERN, dialect=EVENTBRIDGE):
    p = patterns.compile(pattern, dialect=dialect)
    if isinstance(twin, Counting):  # build on it, then count only what the match calls
        tables = one_rule_tables(p.branches, p.is_empty, twin.twin)
        twin.calls.clear()
        return tables
    return one_rule_tables(p.branches, p.is_empty, twin)


def test_engine_json_text_is_answered_by_the_twins_text_road() -> None:
    counting = Counting(Twin.of(_match_py))
    tables = _tables(counting)
    assert list(run(tables, EVENTBRIDGE, b'{"source": "aws.ec2", "detail": {"n": 2}}')) == [0]
    assert counting.calls.get("match_json") == 1
    assert "match_dict" not in counting.calls and "scan_leaves" not in counting.calls


def test_engine_a_declined_text_is_decoded_once_and_not_scanned_again() -> None:
    # the twin's text road declines: the dialect decodes the text, the twin walks the dict
    counting = Counting(Twin.of(_match_py), decline=frozenset({"match_json"}))
    tables = _tables(counting)
    assert list(run(tables, EVENTBRIDGE, b'{"source": "aws.ec2", "detail": {"n": 2}}')) == [0]
    assert counting.calls == {"match_json": 1, "match_dict": 1}


def test_engine_when_every_twin_road_declines_the_reference_walker_answers() -> None:
    counting = Counting(Twin.of(_match_py), decline=frozenset({"match_json", "match_dict"}))
    tables = _tables(counting)
    assert set(run(tables, EVENTBRIDGE, '{"source": "aws.ec2", "detail": {"n": 2}}')) == {0}
    assert set(run(tables, EVENTBRIDGE, {"source": "aws.ec2", "detail": {"n": 0}})) == set()


def test_engine_a_dict_goes_to_the_dict_road_only() -> None:
    counting = Counting(Twin.of(_match_py))
    tables = _tables(counting)
    assert list(run(tables, EVENTBRIDGE, {"source": "aws.ec2", "detail": {"n": 5}})) == [0]
    assert counting.calls == {"match_dict": 1}


@pytest.mark.parametrize("event", [b'{"source": ', b"[1]", "\ud800", 42])
def test_engine_an_invalid_event_raises_the_dialects_error(event) -> None:
    tables = _tables(Twin.current())
    with pytest.raises(InvalidEventError):
        run(tables, EVENTBRIDGE, event)


def test_engine_sns_inputs_are_read_by_the_twins_reader() -> None:
    counting = Counting(Twin.of(_match_py))
    tables = _tables(counting, {"store": ["example_corp"]}, SNS_ATTRIBUTES)
    event = {"store": {"DataType": "String", "StringValue": "example_corp"}}
    assert list(run(tables, SNS_ATTRIBUTES, event)) == [0]
    assert counting.calls == {"attributes_to_event": 1, "match_dict": 1}


def test_engine_sns_body_that_is_not_an_object_matches_only_the_empty_policy() -> None:
    twin = Twin.current()
    assert list(run(_tables(twin, {"a": ["x"]}, SNS_BODY), SNS_BODY, "plain text")) == []
    assert list(run(_tables(twin, {}, SNS_BODY), SNS_BODY, "plain text")) == [0]


def test_twin_reader_for_names_the_twins_own_sns_readers() -> None:
    twin = Twin.current()
    assert twin.reader_for(attributes_to_event) is twin.attributes_to_event
    assert twin.reader_for(body_to_event) is twin.body_to_event
    assert twin.reader_for(len) is None


def test_twin_of_the_pure_module_has_every_name_and_no_none() -> None:
    twin = Twin.of(_match_py)
    assert all(getattr(twin, f.name) is not None for f in fields(Twin))
    assert {f.name for f in fields(Twin)} == set(_match_py.__all__)
