"""`Batch` and `Damaged`: what the archive readers hand the matcher, and what they could not read.

A reader yields batches of one source, in order. Each batch holds up to `batch_size` events as
JSON text (bytes, one event each, ready for `Machine.match_many`), where each came from, and the
records it could not turn into events:

    Batch(source="trail/2026/11/01/x.json.gz",
          events=[b'{"version":"0",...}', ...],     one event's JSON text each
          where=[1, 2, 4, ...],                     per event: 1-based line, or byte offset
          damaged=[Damaged(..., where=3, ...)],     in the order met
          read=81920)                               bytes of the source consumed for this batch

Counts are exact: every record of the source is either one event of some batch, one `Damaged`
entry, or left out on purpose (blank lines; CloudTrail read-only management events, unless
asked for).
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["DAMAGED_DATA_CAP", "Batch", "Damaged"]

#: Bytes of a damaged record kept in `Damaged.data` (a whole truncated 100 MB file is not kept).
DAMAGED_DATA_CAP = 4096


@dataclass(frozen=True, slots=True)
class Damaged:
    """A record that could not be read as an event.

    Attributes:
        source: the source's name (a path, ``-`` or a URL).
        where: 1-based line for line formats (JSON lines), else the byte offset in the
            decompressed source of the record (or of the fault, for a truncated source).
        reason: what is wrong, in the house style ("Expected `object`, got `array` ...").
        data: the raw record, at most `DAMAGED_DATA_CAP` bytes.
    """

    source: str
    where: int
    reason: str
    data: bytes


@dataclass(slots=True)
class Batch:
    """Events read from one source, in order, with the records that could not be read.

    Attributes:
        source: the source's name (a path, ``-`` or a URL).
        events: each one event's JSON text.
        where: per event, its 1-based line (line formats) or byte offset (other formats).
        damaged: the damaged records met since the previous batch.
        read: bytes of the source (as stored: compressed) consumed since the previous batch.
        read_only: indexes in `events` of CloudTrail read-only management events (kept only
            when asked for: EventBridge gives them only to rules in state
            ``ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS``).
    """

    source: str
    events: list[bytes] = field(default_factory=list)
    where: list[int] = field(default_factory=list)
    damaged: list[Damaged] = field(default_factory=list)
    read: int = 0
    read_only: list[int] = field(default_factory=list)


def damaged(source: str, where: int, reason: str, data: bytes) -> Damaged:
    """A `Damaged` record with its data capped at `DAMAGED_DATA_CAP` bytes."""
    return Damaged(source, where, reason, bytes(data[:DAMAGED_DATA_CAP]))
