"""A small event router on the public API, checked by `mypy --strict` (tests/test_typing.py)."""

from collections.abc import Iterator, Mapping
from types import MappingProxyType
from typing import Any, assert_type

import patterns
from patterns.explain import Explanation

RULES: Mapping[str, Mapping[str, Any]] = {
    "ec2-stopped": MappingProxyType({"source": ["aws.ec2"], "detail": {"state": ["stopped"]}}),
    "s3": {"source": [{"prefix": "aws.s3"}]},
}


def build() -> patterns.Machine:
    machine = patterns.Machine()
    for name, pattern in RULES.items():
        machine.add(name, pattern)
    machine.add("all-ec2", patterns.compile(MappingProxyType({"source": ["aws.ec2"]})))
    machine.remove("all-ec2")
    return machine


def route(machine: patterns.Machine, events: list[bytes]) -> dict[str, list[str]]:
    routed: dict[str, list[str]] = {}
    for event, result in zip(events, machine.match_many(events, errors="yield"), strict=True):
        names = ["dead-letter"] if isinstance(result, patterns.InvalidEventError) else result
        for name in names:
            routed.setdefault(name, []).append(event.decode())
    return routed


def count_matches(machine: patterns.Machine, events: list[bytes]) -> int:
    results = assert_type(machine.match_many(events), Iterator[list[str]])  # errors="raise": lists only
    return sum(len(names) for names in results) + len(machine.match(b"{}"))


def sqs_filter(body: Mapping[str, Any]) -> bool:
    criteria = patterns.FilterCriteria({"Filters": [{"Pattern": '{"body": {"kind": ["order"]}}'}]})
    why = assert_type(patterns.compile('{"kind": ["order"]}').explain(body), Explanation)  # not Any
    return criteria.matches({"body": body, "messageId": "1"}) and bool(why)
