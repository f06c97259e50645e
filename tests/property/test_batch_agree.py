"""`Machine.match_batch` gives, per event, `match`'s answer (issue 19), on both twins and any input.

One rule set goes into two machines, one per twin (`use_twin`); a batch mixing JSON bytes, JSON
text, decoded dicts and invalid input is matched whole by both, and each event's answer must be
the oracle's (`oracle.matches` per rule over the flattened `decode_event`): the names of the rules
it matches (from `offsets`, `rule_ids` and `names`, and from `result[i]`), or, for an invalid
event, its `InvalidEventError` at its index, the batch going on after it. The events are built to
come close to matching (`witness_events`: objects split into arrays of objects, fields left out of
some elements), so array consistency and exists:false per element, which the compiled walk
decides in C, are exercised on nested arrays.
"""

from __future__ import annotations

from hypothesis import example, given, note
from hypothesis import strategies as st

import patterns
from patterns import InvalidEventError
from patterns.events import decode_event

from ..conftest import use_twin
from .test_twins_agree import _machine, _oracle, rules_and_inputs

#: Events where the compiled walk decides consistency and absence per element in C; each once
#: gave a wrong answer in a draft of it, or takes the road back to Python (`consistent_choice`
#: for a condition two arrays of one element could take, through a dotted key).
EXAMPLES = [
    (
        {"r": {"a": {"b": {"c": [{"exists": False}], "x": [1]}}, "k": ["v"]}},
        [
            b'{"k": "v", "a": [{"b": {"c": 1}}, {"b": [{"x": 1}]}]}',
            b'{"k": "v", "a": [{"b": {"c": 1, "x": 1}}]}',
        ],
    ),
    (
        {"r": {"a": {"b": ["x"], "c": ["y"]}}, "s": {"a": {"b": ["x"], "d": [{"exists": False}]}}},
        [
            b'{"a": [{"b": "x"}, {"c": "y"}]}',
            b'{"a": [{"b": "x", "c": "y"}]}',
            b'{"a": [{"b": "x", "d": 1}, {"b": "x"}]}',
            b'{"a": [{"b": "x", "d": 1}, {"d": 2}]}',
            # more contexts than the walk keeps on its stack (64): its scratch on the heap
            b'{"a": ['
            + b", ".join([b'{"b": "x", "d": 1}', b'{"c": "y"}'] * 60)
            + b', {"b": "x", "c": "y"}]}',
            b'{"a": [' + b", ".join([b'{"b": "x", "d": 1}', b'{"c": "y"}'] * 60) + b"]}",
        ],
    ),
    (
        {"r": {"a": {"b": {"c": ["x"], "d": ["y"]}}}},
        [
            b'{"a": [{"b": [{"c": "x"}, {"d": "y"}]}]}',
            b'{"a": [{"b": [{"c": "x"}]}, {"b": [{"c": "x", "d": "y"}]}]}',
            b'{"a": [{"b": [{"c": "x", "d": "z"}], "b.d": "y"}]}',
            b'{"a": [{"b": [{"c": "x"}], "b.d": ["y"]}, {"b.c": "x"}]}',
            b'{"a": [{"b": [{"c": "x"}]}], "a.b": [{"d": "y"}, {"c": "x", "d": "y"}]}',
            b'{"a": [{"b": [{"c": "x"}]}], "a.b": [{"d": "y"}, {"c": "z", "d": "y"}]}',
            b'{"a": [{"b": [{"c": "x"}, {"d": "y"}]}], "a.b": [{"d": "y"}]}',
        ],
    ),
]


def _expected(rules: dict[str, patterns.Pattern], inputs: list) -> list:
    return [_oracle(rules, raw) for raw in inputs]


def _answers(result: patterns.BatchResult) -> list:
    out = []
    for i in range(len(result)):
        lo, hi = result.offsets[i], result.offsets[i + 1]
        ids = list(result.rule_ids[lo:hi])
        assert ids == sorted(set(ids))  # ascending, each rule once
        if i in result.errors:
            assert isinstance(result.errors[i], InvalidEventError)
            assert lo == hi
            out.append(InvalidEventError)
            continue
        names = [result.names[r] for r in ids]
        assert result[i] == names
        out.append(names)
    assert result.offsets[0] == 0 and result.offsets[len(result)] == len(result.rule_ids)
    return out


def _check(monkeypatch, rules: dict[str, patterns.Pattern], inputs: list, say=note) -> None:
    expected = _expected(rules, inputs)
    for tag in ("python", "cython"):  # the pure twin first: checked even where C is not built
        machine = _machine(monkeypatch, tag, "eventbridge", rules)
        result = machine.match_batch(inputs)
        got = _answers(result)
        say(f"{tag}: {got}")
        assert got == expected, (tag, inputs)
        assert [r if isinstance(r, list) else InvalidEventError for r in result.names_or_errors()] == expected


def _with_decoded(inputs: list) -> list:
    # each valid JSON input also as its decoded dict (the dict road), beside the text
    out = list(inputs)
    for raw in inputs:
        try:
            out.append(decode_event(raw))
        except InvalidEventError:
            continue
    return out


def test_batch_examples(monkeypatch) -> None:
    for rules, inputs in EXAMPLES:
        compiled = {name: patterns.compile(p) for name, p in rules.items()}
        _check(monkeypatch, compiled, _with_decoded(inputs + [raw.decode() for raw in inputs]), print)


@given(data=st.data())
@example(data=None)
def test_batch_compiled_pure_and_oracle_agree(monkeypatch, data) -> None:
    if data is None:  # an invalid event amid valid ones: the batch goes on past it
        rules = {"r": patterns.compile({"a": ["x"]})}
        inputs = [
            b'{"a": "x"}',
            b'{"a": ',
            '{"a": ["x", "y"]}',
            b"[]",
            {"a": "x"},
            b'{"a": 1e400}',
            b'{"a": "x"}',
        ]
    else:
        rules, inputs = data.draw(rules_and_inputs("eventbridge"))
        inputs = _with_decoded(inputs)
        inputs = data.draw(st.permutations(inputs), label="order")
    _check(monkeypatch, rules, inputs)


def test_batch_of_nothing_and_of_sns_events(monkeypatch) -> None:
    for tag in ("python", "cython"):
        use_twin(monkeypatch, tag)
        machine = patterns.Machine()
        machine.add("r", {"a": ["x"]})
        empty = machine.match_batch([])
        assert len(empty) == 0 and list(empty.offsets) == [0] and len(empty.rule_ids) == 0
        assert list(empty) == []
        sns = patterns.Machine("sns-attributes")
        sns.add("p", {"store": ["example_corp"]})
        attrs = {"store": {"DataType": "String", "StringValue": "example_corp"}}
        result = sns.match_batch(
            [attrs, {"store": {"DataType": "String", "StringValue": "other"}}, "not a map"]
        )
        assert result[0] == ["p"] and result[1] == [] and list(result.errors) == [2]
