"""Reading the archives events are kept in: files, folders, globs, ``-`` and fsspec URLs; JSON
lines, CloudTrail logs, Firehose output and JSON documents; gzip, bzip2, xz and zstd.

    from patterns.archive import expand_sources, read_batches

    for source in expand_sources(["trail/", "s3://bucket/firehose/2026/11/"]):
        for batch in read_batches(source):
            batch.events    # each event's JSON text, ready for Machine.match_many
            batch.damaged   # records that could not be read, with where they are

The modules, bottom first (each imports only modules listed before it): ``batch`` (`Batch`,
`Damaged`), ``sources`` (expanding and opening sources), ``spans`` (value boundaries in JSON
text), ``cloudtrail`` (the EventBridge envelope of a CloudTrail record), ``readers``
(`read_batches`, format detection, `LineRange`). docs/scan.md describes the formats.
"""

from __future__ import annotations

from .batch import DAMAGED_DATA_CAP, Batch, Damaged
from .cloudtrail import DETAIL_TYPES, event_source_name, wrap_record
from .readers import FORMATS, LineRange, check_format, detect_format, read_batches
from .sources import compression_of, expand_sources, open_source

__all__ = [
    "DAMAGED_DATA_CAP",
    "DETAIL_TYPES",
    "FORMATS",
    "Batch",
    "Damaged",
    "LineRange",
    "check_format",
    "compression_of",
    "detect_format",
    "event_source_name",
    "expand_sources",
    "open_source",
    "read_batches",
    "wrap_record",
]
