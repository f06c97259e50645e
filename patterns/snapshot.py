"""The snapshot file of a `Machine`: a versioned, checksummed container (docs/snapshot.md).

`Machine.save` writes one, `Machine.load` reads one, and a pickled machine is one. This module
only packs and unpacks the container; what it holds is the machine's business:

    magic      12 bytes   b"\\x89PATSNAP\\r\\n\\x1a\\n"   (a text or a foreign file fails here)
    version     2 bytes   little-endian format version (`VERSION`)
    flags       2 bytes   0 (a set bit is a feature this reader does not know)
    length      8 bytes   little-endian byte count of the sections that follow
    sections              each: a 4-byte ASCII tag, an 8-byte little-endian length, the payload
    digest     32 bytes   SHA-256 of every byte before it

Reading trusts nothing in the file: the magic, version, flags, length and digest are checked
before any section is read, every length is checked against the bytes left, and a payload is
decoded by `orjson` (data only: nothing in a file is ever executed). Every fault is a
`SnapshotError` naming what is wrong.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Iterable

from .errors import SnapshotError

__all__ = ["MAGIC", "VERSION", "pack", "unpack"]

MAGIC = b"\x89PATSNAP\r\n\x1a\n"
#: The format version this module writes and the newest it reads.
VERSION = 1

_HEAD = struct.Struct("<HHQ")  # version, flags, length of the sections
_SECTION = struct.Struct("<4sQ")  # tag, payload length
_DIGEST = 32


def pack(sections: Iterable[tuple[bytes, bytes]]) -> bytes:
    """The container holding `sections`, each a (4-byte tag, payload) pair, in order."""
    parts = []
    for tag, payload in sections:
        if len(tag) != 4:
            raise ValueError(f"Expected a 4-byte section tag, got {tag!r}")
        parts.append(_SECTION.pack(tag, len(payload)))
        parts.append(payload)
    body = b"".join(parts)
    data = MAGIC + _HEAD.pack(VERSION, 0, len(body)) + body
    return data + hashlib.sha256(data).digest()


def unpack(data: bytes | bytearray | memoryview) -> dict[bytes, memoryview]:
    """The sections of a container, by tag (views into `data`, which must outlive them).

    Raises:
        SnapshotError: not a snapshot, a version this library cannot read, a truncated or
            corrupted file, or a section given twice.
    """
    view = memoryview(data).cast("B")
    size = len(view)
    if size < len(MAGIC) or view[: len(MAGIC)] != MAGIC:
        raise SnapshotError("Not a patterns snapshot: the file does not start with the snapshot magic")
    fixed = len(MAGIC) + _HEAD.size
    if size < fixed + _DIGEST:
        raise SnapshotError(
            f"Truncated snapshot: {size} bytes, fewer than the {fixed + _DIGEST} of an empty one"
        )
    version, flags, length = _HEAD.unpack_from(view, len(MAGIC))
    if version > VERSION:
        raise SnapshotError(
            f"Snapshot format version {version} is newer than this library reads (up to {VERSION}):"
            " load it with the version of patterns that saved it, or a later one"
        )
    if version < 1:
        raise SnapshotError(f"Unknown snapshot format version {version}")
    if flags:
        raise SnapshotError(f"Unknown snapshot flags 0x{flags:04x}: written by a newer library")
    expected = fixed + length + _DIGEST
    if size != expected:
        what = "Truncated" if size < expected else "Trailing bytes after the"
        raise SnapshotError(f"{what} snapshot: {size} bytes where its header says {expected}")
    if hashlib.sha256(view[: fixed + length]).digest() != view[fixed + length :]:
        raise SnapshotError("Corrupted snapshot: its SHA-256 digest does not match its content")
    sections: dict[bytes, memoryview] = {}
    at, end = fixed, fixed + length
    while at < end:
        if end - at < _SECTION.size:
            raise SnapshotError(f"Corrupted snapshot: a section header cut short at byte {at}")
        tag, n = _SECTION.unpack_from(view, at)
        at += _SECTION.size
        if n > end - at:
            raise SnapshotError(f"Corrupted snapshot: section {tag!r} claims {n} bytes, {end - at} are left")
        if tag in sections:
            raise SnapshotError(f"Corrupted snapshot: section {tag!r} given twice")
        sections[tag] = view[at : at + n]
        at += n
    return sections
