"""`Machine.save` / `load` / pickle: the snapshot container (docs/snapshot.md) and its safety.

A loaded machine answers as the one saved; every damaged, foreign or future file is refused with
`SnapshotError`, never another exception, and loading runs nothing from the file.
"""

from __future__ import annotations

import hashlib
import io
import pickle
import struct

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from patterns import Machine, PatternsError, SubscriberFilter
from patterns.errors import SnapshotError
from patterns.snapshot import MAGIC, VERSION, pack, unpack

pytestmark = pytest.mark.usefixtures("twin")

RULES = [
    ("ec2", '{"source": ["aws.ec2"], "detail": {"state": ["stopped"]}}'),
    ("big", {"detail": {"amount": [{"numeric": [">=", 1000]}]}}),
    ("pre", {"detail": {"state": [{"prefix": "stop"}], "tags": {"env": [{"anything-but": "dev"}]}}}),
    ("ip", {"detail": {"ip": [{"cidr": "10.0.0.0/8"}]}}),
    ("none", {"detail": {"gone": [{"exists": False}]}, "source": [{"wildcard": "aws.*"}]}),
]
EVENTS = [
    b'{"source": "aws.ec2", "detail": {"state": "stopped", "amount": 1000, "tags": {"env": "prod"}}}',
    b'{"source": "aws.s3", "detail": {"state": "stopping", "ip": "10.1.2.3"}}',
    b'{"source": "x", "detail": {"gone": 1, "amount": 999}}',
]


def _machine(**kwargs) -> Machine:
    return Machine(rules=RULES, **kwargs)


def _answers(m: Machine) -> list[list[str]]:
    return [m.match(e) for e in EVENTS]


def test_round_trip_through_bytes_file_and_path(tmp_path) -> None:
    m = _machine()
    m.remove("ip")
    m.add("ip", {"detail": {"ip": [{"cidr": "10.0.0.0/8"}]}})  # a replaced rule keeps its new place
    expected = _answers(m)
    assert any(expected)
    path = tmp_path / "rules.snap"
    m.save(path)
    buffer = io.BytesIO()
    m.save(buffer)
    for loaded in (
        Machine.load(path),
        Machine.load(io.BytesIO(buffer.getvalue())),
        Machine.from_bytes(m.to_bytes()),
    ):
        assert list(loaded) == list(m)
        assert _answers(loaded) == expected
        assert loaded.stats() == m.stats()
        assert loaded["ec2"].source == m["ec2"].source  # text patterns keep their text (explain's spans)
        assert loaded["big"] == m["big"]
    assert not list(tmp_path.glob("*.partial"))


def test_pickle_is_the_snapshot() -> None:
    m = _machine(budget=10_000)
    blob = pickle.dumps(m)
    assert MAGIC in blob  # the snapshot's bytes, not a pickle of Python objects
    copy = pickle.loads(blob)
    assert type(copy) is Machine and copy.budget == 10_000
    assert _answers(copy) == _answers(m)


class Router(Machine):
    """A user's subclass (module level: pickle finds classes by name)."""


def test_a_subclass_pickles_as_itself() -> None:
    copy = pickle.loads(pickle.dumps(Router(rules=RULES)))
    assert type(copy) is Router


def test_dialects_and_bus_round_trip() -> None:
    sns = Machine("sns-attributes", rules=[("p", {"store": ["a"], "n": [{"numeric": [">", 1]}]})])
    copy = Machine.from_bytes(sns.to_bytes())
    attrs = {
        "store": {"DataType": "String", "StringValue": "a"},
        "n": {"DataType": "Number", "StringValue": "2"},
    }
    assert copy.dialect.name == "sns-attributes" and copy.match(attrs) == sns.match(attrs) == ["p"]
    bus = Machine("bus")
    two = {
        "Filters": [
            {"Scope": "DATA", "Pattern": '{"x": ["a"]}'},
            {"Scope": "DATA", "Pattern": '{"y": ["b"]}'},
        ]
    }
    bus.add("s", SubscriberFilter(two))
    copy = Machine.from_bytes(bus.to_bytes())
    event = {
        "Data": b'{"x": "a", "y": "b"}',
        "SystemMetadata": {"ContentType": "application/json", "aws:DeliveryType": "LIVE"},
    }
    assert copy.match(event) == bus.match(event) == ["s"]
    assert copy.dialect == bus.dialect  # it reads the two copies of Data as the original does
    bus.add("all", None)  # a subscriber without filters: every event reaches it
    copy = Machine.from_bytes(bus.to_bytes())
    assert copy.match(event) == bus.match(event) == ["s", "all"]


def test_budget_is_kept_or_replaced_on_load() -> None:
    data = _machine(budget=5_000).to_bytes()
    assert Machine.from_bytes(data).budget == 5_000
    assert Machine.from_bytes(data, budget=None).budget is None
    with pytest.raises(SnapshotError, match="budget"):
        Machine.from_bytes(data, budget=10)


# --- damaged, foreign and future files ---------------------------------------------------------


def _refused(data: bytes) -> SnapshotError:
    with pytest.raises(PatternsError) as caught:
        Machine.from_bytes(data)
    assert type(caught.value) is SnapshotError, repr(caught.value)
    return caught.value


def _resealed(body_sections: list[tuple[bytes, bytes]], version: int = VERSION, flags: int = 0) -> bytes:
    # A container with a correct digest around any content: what a crafted file can be.
    body = b"".join(struct.pack("<4sQ", tag, len(p)) + p for tag, p in body_sections)
    data = MAGIC + struct.pack("<HHQ", version, flags, len(body)) + body
    return data + hashlib.sha256(data).digest()


def test_every_truncation_is_refused() -> None:
    data = _machine().to_bytes()
    for n in range(len(data)):
        _refused(data[:n])


def test_every_flipped_bit_is_refused() -> None:
    data = Machine(rules=RULES[:2]).to_bytes()
    for i in range(len(data)):
        for bit in range(8):
            damaged = bytearray(data)
            damaged[i] ^= 1 << bit
            _refused(bytes(damaged))


_DAMAGED = [
    (b"", "magic"),
    (b'{"rules": []}', "magic"),
    (pickle.dumps(["not", "a", "machine"]), "magic"),
    (_resealed([], version=VERSION + 1), "newer than this library reads"),
    (_resealed([], version=0), "Unknown snapshot format version 0"),
    (_resealed([], flags=1), "flags"),
    (_resealed([]), "sections missing"),
    (_resealed([(b"META", b"{}"), (b"RULE", b"[]"), (b"XTRA", b"")]), "does not know"),
    (_resealed([(b"META", b"{"), (b"RULE", b"[]")]), "not JSON"),
    (
        _resealed([(b"META", b'{"dialect": "eventbridge", "rules": 1, "budget": null}'), (b"RULE", b"[]")]),
        "1 rules",
    ),
    (_resealed([(b"META", b'{"dialect": "eventbridge", "rules": "1"}'), (b"RULE", b"[]")]), "META"),
    (_resealed([(b"META", b'{"dialect": "nope", "rules": 0, "budget": null}'), (b"RULE", b"[]")]), "dialect"),
    (
        _resealed([(b"META", b'{"dialect": "eventbridge", "rules": 0}'), (b"RULE", b"[]")]),
        "META",
    ),  # fuzz finding
    (
        _resealed([(b"META", b'{"dialect": "eventbridge", "rules": 0, "budget": -5}'), (b"RULE", b"[]")]),
        "META",
    ),
    (
        _resealed(
            [(b"META", b'{"dialect": "eventbridge", "rules": 1, "budget": null}'), (b"RULE", b'[["a", 1]]')]
        ),
        "pair",
    ),
    (
        _resealed(
            [
                (b"META", b'{"dialect": "eventbridge", "rules": 2, "budget": null}'),
                (b"RULE", b'[["a", "{}"], ["a", "{}"]]'),
            ]
        ),
        "twice",
    ),
    (
        _resealed(
            [
                (b"META", b'{"dialect": "eventbridge", "rules": 1, "budget": null}'),
                (b"RULE", b'[["a", "{\\"x\\": 1}"]]'),
            ]
        ),
        "not a valid pattern",
    ),
    (_resealed([(b"META", b"{}"), (b"META", b"{}")]), "twice"),
    (MAGIC + struct.pack("<HHQ", VERSION, 0, 3) + b"abc" + bytes(32), "digest"),
]


@pytest.mark.parametrize(
    ("data", "says"), _DAMAGED, ids=[f"{i}-{says}" for i, (_, says) in enumerate(_DAMAGED)]
)
def test_foreign_future_and_crafted_files_are_refused(data: bytes, says: str) -> None:
    assert says in str(_refused(data))


def test_a_crafted_pattern_is_validated_as_add_validates_it() -> None:
    rule = orjson.dumps([["r", '{"a": [{"numeric": [">", 1, "<", 0]}]}']])
    data = _resealed([(b"META", b'{"dialect": "eventbridge", "rules": 1, "budget": null}'), (b"RULE", rule)])
    error = _refused(data)
    assert "Event pattern is not valid" in str(error) and "'r'" in str(error)


@given(st.binary(max_size=300))
def test_random_bytes_are_refused(data: bytes) -> None:
    _refused(data)


@given(st.binary(max_size=64), st.integers(min_value=0, max_value=400))
def test_random_bytes_after_a_real_header_are_refused(tail: bytes, cut: int) -> None:
    _refused(_machine().to_bytes()[:cut] + tail)


def test_pack_and_unpack_keep_sections() -> None:
    data = pack([(b"AAAA", b"1"), (b"BBBB", b"")])
    assert {k: bytes(v) for k, v in unpack(data).items()} == {b"AAAA": b"1", b"BBBB": b""}
    with pytest.raises(ValueError, match="4-byte"):
        pack([(b"TOOLONG", b"")])
