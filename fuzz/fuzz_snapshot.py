"""Fuzz `Machine.from_bytes`: whatever the bytes, only `SnapshotError` may escape, and a machine
that loads answers events (or refuses them with `InvalidEventError`) without any other error.

Each input is used three ways: as a whole file; spliced into a real snapshot at an offset the
input chooses (damage the digest catches); and spliced into a real snapshot's sections, then
resealed with a correct digest (damage only the section checks and validation can catch: what a
crafted file can do).

    fuzz/run.sh 600          # every target, 600 s each (see docs/fuzzing.md)
    .venv/bin/python fuzz/fuzz_snapshot.py -timeout=10 -max_total_time=60 fuzz/seeds/snapshot
"""

from __future__ import annotations

import contextlib
import hashlib
import sys

import atheris

with atheris.instrument_imports():
    from patterns import InvalidEventError, Machine
    from patterns.errors import SnapshotError
    from patterns.snapshot import MAGIC

RULES = [
    ("ec2", '{"source": ["aws.ec2"], "detail": {"state": ["stopped"]}}'),
    ("n", {"detail": {"n": [{"numeric": [">", 1, "<=", 5]}], "ip": [{"cidr": "10.0.0.0/8"}]}}),
    ("w", {"detail": {"k": [{"wildcard": "a*b"}, {"anything-but": {"prefix": "x"}}]}}),
]
REAL = Machine(rules=RULES).to_bytes()
FIXED = len(MAGIC) + 12
EVENTS = [b'{"source": "aws.ec2", "detail": {"state": "stopped", "n": 3, "k": "axb"}}', b"{}", b"[1"]


def _load(data: bytes) -> None:
    try:
        m = Machine.from_bytes(data)
    except SnapshotError:
        return
    for event in EVENTS:
        with contextlib.suppress(InvalidEventError):
            m.match(event)


def test_one_input(data: bytes) -> None:
    _load(data)
    if not data:
        return
    at = data[0] * len(REAL) // 256
    _load(REAL[:at] + data[1:] + REAL[at + len(data) - 1 :])
    body = REAL[FIXED:at] + data[1:] + REAL[max(at, FIXED) + len(data) - 1 : -32]
    head = MAGIC + REAL[len(MAGIC) : len(MAGIC) + 4] + len(body).to_bytes(8, "little")
    _load(head + body + hashlib.sha256(head + body).digest())


def main() -> None:
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
