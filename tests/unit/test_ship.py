"""patterns._ship: a machine pickled once on the driver, unpickled and built once per process."""

from __future__ import annotations

import pickle

import pytest

from patterns import Machine
from patterns._ship import Shipped, machine_of


def _machine(name: str) -> Machine:
    m = Machine()
    m.add(name, {"source": [name]})
    return m


def test_machine_of_unpickles_once_per_token() -> None:
    shipped = Shipped.of(_machine("cached-once"))
    calls = []

    def load() -> bytes:
        calls.append(1)
        return shipped.data

    first = machine_of(shipped.token, load)
    assert machine_of(shipped.token, load) is first
    assert len(calls) == 1
    assert first.match(b'{"source": "cached-once"}') == ["cached-once"]


def test_shipped_is_a_snapshot_with_a_stable_token() -> None:
    m = _machine("a")
    before = Shipped.of(m)
    assert Shipped.of(m).token == before.token
    m.add("b", {"source": ["b"]})
    assert Shipped.of(m).token != before.token
    assert list(pickle.loads(before.data)) == ["a"]


def test_machine_of_keeps_the_last_few_machines() -> None:
    shipped = [Shipped.of(_machine(f"rule-{k}")) for k in range(6)]
    for s in shipped:
        machine_of(s.token, lambda s=s: s.data)
    calls = []
    machine_of(shipped[0].token, lambda: calls.append(1) or shipped[0].data)
    assert calls == [1]  # evicted: loaded again
    machine_of(shipped[5].token, lambda: calls.append(1) or shipped[5].data)
    assert calls == [1]  # recent: still there


def test_shipping_refuses_what_is_not_a_machine() -> None:
    with pytest.raises(TypeError, match="Expected `Machine`, got `dict`"):
        Shipped.of({})  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="Expected `Machine`, got `list`"):
        machine_of("not-a-machine", lambda: pickle.dumps([1]))
