"""`read_batches`: the events of one source, in batches, whatever its format.

Formats (``format=``, else told from the content's first megabyte):

    jsonl       one event a line (``where`` = 1-based line). Streamed: memory stays one block.
    cloudtrail  ``{"Records": [...]}`` objects as CloudTrail writes them to S3; each record is
                wrapped in the EventBridge event that delivers it (`cloudtrail.wrap_record`),
                read-only management events left out unless ``read_only=True``.
    firehose    JSON objects back to back, with or without a delimiter (Kinesis Data Firehose).
    json        one JSON document: an object is one event, an array holds events.

The last three are *document* formats: the source is read whole, and the values in it are found
by `spans.value_spans` (``where`` = byte offset in the decompressed source), so one damaged
record is reported and the records around it are still read.

Detection, on the first megabyte (decompressed): ``[`` starts a JSON document; an object whose
first line is a whole JSON object is JSON lines, unless it is a ``Records`` object alone in the
source (CloudTrail); a first line that is not a whole object is JSON lines still when most of
the next lines are (a damaged first line), else a document (pretty-printed, or Firehose's
objects back to back). A first line longer than the first megabyte (no EventBridge event is
that long: the limit is 256 KB) is a document.

JSON lines are not decoded here (the matcher decodes each event once): a line that does not
start with ``{`` and end with ``}`` is damaged here, and a line shaped so but not valid JSON is
refused by the matcher (`patterns.scan` reports both as invalid), unless ``validate=True``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Generator, Iterator
from typing import Any, BinaryIO

import orjson

from ..errors import InvalidEventError
from ..events import decode_event, json_type
from ..records import detect_source, record_to_event
from .batch import Batch, damaged
from .cloudtrail import NotCloudTrailError, is_read_only_management, looks_like_cloudtrail, wrap_record
from .sources import is_fast_gzip, opened, source_name
from .spans import value_spans

__all__ = ["FORMATS", "LineRange", "check_format", "detect_format", "read_batches"]

#: The formats `read_batches` reads.
FORMATS = ("jsonl", "cloudtrail", "firehose", "json")

_BLOCK = 1 << 20  # bytes read per call from the decompressed stream
_HEAD = 1 << 20  # bytes looked at to detect the format (> EventBridge's 256 KB event limit)
_WS = b" \t\r\n"
_BOM = b"\xef\xbb\xbf"
_RECORDS = re.compile(rb'\{\s*"Records"\s*:\s*\[')
_GAP_SPLIT = re.compile(rb"[\s,]+")


def check_format(format: str | None) -> None:
    """Refuse a format name `read_batches` does not read (None: told from the content).

    Raises:
        ValueError: not one of `FORMATS`.
    """
    if format not in (None, *FORMATS):
        raise ValueError(f"Expected a format among {', '.join(FORMATS)}, got `{format}`")


def _is_object_line(line: bytes) -> bool:
    try:
        return isinstance(orjson.loads(line), dict)
    except orjson.JSONDecodeError:
        return False


def detect_format(head: bytes, whole: bool) -> str:
    """The format of a source from its first bytes (decompressed).

    Args:
        head: the source's first bytes (`read_batches` looks at one megabyte).
        whole: `head` is the whole source.

    Returns:
        One of `FORMATS`: ``jsonl``, ``cloudtrail``, ``json`` (also for back-to-back objects:
        the document readers read both).
    """
    start = len(head) - len(head.lstrip(_WS + _BOM))
    if start == len(head) or head[start] != 0x7B:  # empty, `[`, or not JSON at all
        return "json" if start < len(head) and head[start] == 0x5B else "jsonl"
    newline = head.find(b"\n", start)
    if newline < 0 and not whole:
        return "cloudtrail" if _RECORDS.match(head, start) else "json"
    first = head[start : len(head) if newline < 0 else newline]
    rest = b"" if newline < 0 else head[newline + 1 :]
    if _is_object_line(first):
        if _RECORDS.match(first) and (not rest.strip() if whole else True):
            # a one-line Records object: CloudTrail's own layout (followed by more lines only
            # in a JSON-lines file of such objects, which the document reader reads as well)
            return "cloudtrail"
        return "jsonl"
    lines = [line for line in rest.split(b"\n")[: -1 if not whole else None] if line.strip()][:8]
    if lines and sum(_is_object_line(line) for line in lines) * 2 > len(lines):
        return "jsonl"  # a damaged first line in JSON lines
    return "json"


class _Reader:
    """One source's reading state: the batch being filled, and the bytes counted so far."""

    def __init__(
        self, name: str, stream: BinaryIO, counter: Any, batch_size: int, read_only: bool, validate: bool
    ) -> None:
        self.name = name
        self.stream = stream
        self.counter = counter
        self.batch_size = batch_size
        self.read_only = read_only
        self.validate = validate
        self.reported = 0
        self.error: str | None = None  # why reading stopped early (a decompression fault)
        self.batch = Batch(name)
        self.number = 0  # lines read (JSON lines)
        self.reopen: str | None = None  # the source's name, when it can be opened again

    # -- batches --

    def flush(self) -> Batch:
        batch = self.batch
        count = self.counter.count
        batch.read = count - self.reported
        self.reported = count
        self.batch = Batch(self.name)
        return batch

    def full(self) -> bool:
        return len(self.batch.events) >= self.batch_size or len(self.batch.damaged) >= self.batch_size

    def event(self, text: bytes, where: int) -> None:
        if self.validate:
            try:
                decode_event(text)
            except InvalidEventError as exc:
                self.bad(where, str(exc), text)
                return
        self.batch.events.append(text)
        self.batch.where.append(where)

    def bad(self, where: int, reason: str, data: bytes) -> None:
        self.batch.damaged.append(damaged(self.name, where, reason, data))

    # -- bytes --

    def blocks(self) -> Iterator[bytes]:
        read = getattr(self.stream, "read1", None) or self.stream.read
        delivered = 0
        while True:
            try:
                block = read(_BLOCK)
            except Exception as exc:  # noqa: BLE001
                # each decompressor has its own error (EOFError, zlib.error, lzma.LZMAError,
                # zstandard.ZstdError, OSError): any of them cuts the source short, and what
                # was read stays read; the rest is reported as one damaged record
                if self.reopen is not None and is_fast_gzip(self.stream):
                    yield from self._tail_again(delivered)  # ISA-L dropped its last chunk
                    return
                self.error = f"{type(exc).__name__}: {exc}"
                return
            if not block:
                return
            delivered += len(block)
            yield block

    def _tail_again(self, skip: int) -> Iterator[bytes]:
        """A cut gzip source's bytes after the first `skip`, read again with zlib's reader,
        which hands over every byte it could decompress before the cut."""
        assert self.reopen is not None
        stream, _ = opened(self.reopen, fast_gzip=False)
        with stream:
            read = getattr(stream, "read1", None) or stream.read
            while True:
                try:
                    block = read(_BLOCK)
                except Exception as exc:  # noqa: BLE001 (as in `blocks`)
                    self.error = f"{type(exc).__name__}: {exc}"
                    return
                if not block:
                    return
                if skip >= len(block):
                    skip -= len(block)
                    continue
                yield block[skip:]
                skip = 0

    def head(self, blocks: Iterator[bytes]) -> tuple[bytes, bool]:
        parts: list[bytes] = []
        size = 0
        for block in blocks:
            parts.append(block)
            size += len(block)
            if size >= _HEAD:
                return b"".join(parts), False
        return b"".join(parts), True

    # -- JSON lines --

    def lines(self, head: bytes, blocks: Iterator[bytes], first_line: int = 1) -> Iterator[Batch]:
        number = first_line - 1
        tail = b""
        fast = not self.validate
        size = self.batch_size
        for block in _chain(head, blocks):
            if tail:
                block = tail + block
            cut = block.rfind(b"\n")
            if cut < 0:
                tail = block
                continue
            tail = block[cut + 1 :]
            body = block[:cut]
            parts = body.split(b"\n")
            n = len(parts)
            if fast and not [p for p in parts if p[:1] != b"{" or p[-1:] != b"}"]:
                # every line of the block starts with `{` and ends with `}` (one comprehension,
                # ~0.1 us a line; bytes.count of a two-byte needle is slower): the lines go to
                # the batch as they are, without a Python step per line
                i = 0
                while i < n:
                    events = self.batch.events
                    chunk = parts[i : i + size - len(events)]
                    events.extend(chunk)
                    self.batch.where.extend(range(number + i + 1, number + i + 1 + len(chunk)))
                    i += len(chunk)
                    if len(events) >= size:
                        yield self.flush()
                number += n
                continue
            for line in parts:
                number += 1
                self.line(line, number)
                if self.full():
                    yield self.flush()
        if self.error is not None:
            self.bad(number + 1, f"the source ends early ({self.error})", tail)
        elif tail:
            number += 1
            self.line(tail, number)
        self.number = number
        yield self.flush()

    def line(self, line: bytes, number: int) -> None:
        text = line.strip(_WS)
        if not text:
            return
        if number == 1 and text.startswith(_BOM):
            text = text[3:]
        if text[:1] == b"{" and text[-1:] == b"}":
            self.event(text, number)
        else:
            self.bad(number, _not_object(text), text)

    # -- documents --

    def document(self, data: bytes, fmt: str | None) -> Iterator[Batch]:
        start = 3 if data.startswith(_BOM) else 0
        spans = value_spans(data, start)
        at = start
        for s, e in spans.values:
            self.gap(data, at, s)
            at = e
            if data[s] == 0x5B:  # an array of events
                yield from self.elements(data, s, e, fmt)
            else:
                yield from self.value(data, s, e, fmt)
        if spans.status == "open":
            self.gap(data, at, spans.end)
            cut = spans.end
            if data[cut] == 0x5B:  # an array cut short: its whole elements are still events
                cut = yield from self.elements(data, cut, len(data), fmt)
            elif fmt in (None, "cloudtrail") and _RECORDS.match(data, cut):
                cut = yield from self.records(data, cut, len(data), fmt)
            reason = self.error or "a value is still open at the end of the source"
            self.bad(cut, f"the source ends early ({reason})", data[cut:])
        elif spans.status == "unbalanced":
            self.gap(data, at, spans.end)
            self.bad(spans.end, "Expected a value, got a bracket closing nothing", data[spans.end :])
        else:
            self.gap(data, at, len(data))
            if self.error is not None:
                self.bad(len(data), f"the source ends early ({self.error})", b"")
        yield self.flush()

    def value(self, data: bytes, s: int, e: int, fmt: str | None) -> Iterator[Batch]:
        """One value at the top of a document or in its array: an event, Records, or damaged."""
        if data[s] != 0x7B:
            self.bad(s, _not_object(data[s:e]), data[s:e])
        elif fmt == "cloudtrail" or (fmt is None and _RECORDS.match(data, s)):
            yield from self.records(data, s, e, fmt)
        else:
            self.event(data[s:e], s)
        if self.full():
            yield self.flush()

    def gap(self, data: bytes, start: int, end: int) -> None:
        """Whatever lies between two values: separators, or records that are not objects."""
        text = data[start:end]
        if not text.strip(b" \t\r\n,"):
            return
        offset = start
        for piece in _GAP_SPLIT.split(text):
            if piece:
                where = data.find(piece, offset, end)
                offset = where + len(piece)
                self.bad(where, _not_object(piece), piece)

    def elements(self, data: bytes, start: int, end: int, fmt: str | None) -> Generator[Batch, None, int]:
        """The values of the array at `start`; returns where a value is cut short (else `end`)."""
        spans = value_spans(data, start + 1, end, inside=True)
        at = start + 1
        for s, e in spans.values:
            self.gap(data, at, s)
            at = e
            yield from self.value(data, s, e, fmt)
        self.gap(data, at, spans.end)
        return spans.end if spans.status == "open" else end

    def records(self, data: bytes, start: int, end: int, fmt: str | None) -> Generator[Batch, None, int]:
        """A ``{"Records": [...]}`` object: each record wrapped as EventBridge delivers it.
        Returns where a record is cut short (else `end`)."""
        m = _RECORDS.match(data, start)
        if m is not None:
            spans = value_spans(data, m.end(), end, inside=True)
            at = m.end()
            for s, e in spans.values:
                self.gap(data, at, s)
                at = e
                self.record(data[s:e], s, fmt)
                if self.full():
                    yield self.flush()
            self.gap(data, at, spans.end)
            return spans.end if spans.status == "open" else end
        try:  # Records is not the first key: decode the object, and place records at its start
            value = orjson.loads(data[start:end])
        except orjson.JSONDecodeError as exc:
            self.bad(start, f"Expected a JSON object, got text that is not JSON ({exc})", data[start:end])
            return end
        records = value.get("Records") if isinstance(value, dict) else None
        if not isinstance(records, list):
            self.bad(start, f"Expected `array`, got `{json_type(records)}` - at `$.Records`", data[start:end])
            return end
        for record in records:
            self.record(orjson.dumps(record), start, fmt)
            if self.full():
                yield self.flush()
        return end

    def record(self, text: bytes, where: int, fmt: str | None) -> None:
        try:
            record = decode_event(text)
        except InvalidEventError as exc:
            self.bad(where, str(exc), text)
            return
        if looks_like_cloudtrail(record):
            read_only = is_read_only_management(record)
            if read_only and not self.read_only:
                return
            try:
                event = orjson.dumps(wrap_record(record))
            except (NotCloudTrailError, TypeError) as exc:  # TypeError: a number orjson cannot write
                self.bad(where, str(exc), text)
                return
            if read_only:
                self.batch.read_only.append(len(self.batch.events))
            self.batch.events.append(event)
            self.batch.where.append(where)
        elif fmt is None and detect_source(record) is not None:
            # a Lambda event payload's record (SQS, Kinesis, ...): what a Lambda filter reads
            try:
                lambda_event = record_to_event(record)
            except InvalidEventError as exc:
                self.bad(where, str(exc), text)
                return
            self.event(orjson.dumps(lambda_event), where)
        else:
            self.bad(where, "Expected a CloudTrail record (with `eventVersion` and `eventSource`)", text)


def _chain(head: bytes, blocks: Iterator[bytes]) -> Iterator[bytes]:
    if head:
        yield head
    yield from blocks


def _not_object(text: bytes) -> str:
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError:
        return "Expected a JSON object, got text that is not JSON"
    return f"Expected `object`, got `{json_type(value)}` - at `$`"


def read_batches(
    source: str | os.PathLike[str] | BinaryIO,
    *,
    format: str | None = None,
    batch_size: int = 4096,
    read_only: bool = False,
    validate: bool = False,
) -> Iterator[Batch]:
    """The events of one source, in batches of at most `batch_size`, in order.

    Args:
        source: a path, ``-``, an fsspec URL or an open binary stream (compressed or not).
        format: ``jsonl``, ``cloudtrail``, ``firehose`` or ``json``; None tells it from the
            content (see the module's docstring).
        batch_size: events per batch (a batch may also close early, holding damaged records).
        read_only: keep CloudTrail's read-only management events (rules in state
            ``ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS`` see them); left out by default.
        validate: decode each JSON-lines event here, so that one that is not valid JSON is a
            `Damaged` record instead of the matcher's refusal (slower: events are decoded twice).

    Yields:
        `Batch` es; the last one of a source may be empty, and carries the last `read` count.

    Raises:
        ArchiveError: the source cannot be opened (see `open_source`).
        ValueError: an unknown format or a batch size below 1.
    """
    check_format(format)
    if batch_size < 1:
        raise ValueError(f"Expected a batch size of 1 or more, got `{batch_size}`")
    name = source_name(source)
    own = isinstance(source, (str, os.PathLike)) and name != "-"
    # ISA-L's gzip reader only where a cut tail can be read again (`_Reader._tail_again`)
    stream, counter = opened(source, fast_gzip=own)
    try:
        reader = _Reader(name, stream, counter, batch_size, read_only, validate)
        if own:
            reader.reopen = name
        blocks = reader.blocks()
        head, whole = reader.head(blocks)
        fmt = format or detect_format(head, whole)
        if fmt == "jsonl":
            yield from reader.lines(head, blocks)
            return
        data = b"".join(_chain(head, blocks))
        yield from reader.document(data, None if format is None else fmt)
    finally:
        if own:
            stream.close()


class LineRange:
    """The JSON-lines events of the lines of an uncompressed file that start in [start, stop).

    A file cut at any byte offsets this way yields each line exactly once: a line belongs to
    the range its first byte is in. Line numbers (``where``) count from the range's first line
    as 1; once `batches` is exhausted, `lines` says how many lines the range held, so a caller
    reading ranges in order adds the lines of the ranges before (`patterns.scan` does).

        r = LineRange("big.jsonl", 0, 64 << 20)
        for batch in r.batches(): ...
        r.lines   # lines in the range (blank and damaged ones included)
    """

    def __init__(
        self, path: str, start: int, stop: int, *, batch_size: int = 4096, validate: bool = False
    ) -> None:
        """Describe a range; nothing is read until `batches`.

        Args:
            path: a local, uncompressed JSON-lines file.
            start: the range's first byte.
            stop: the byte after the range (a line starting before it is read to its end).
            batch_size: events per batch.
            validate: as for `read_batches`.
        """
        self.path = path
        self.start = start
        self.stop = stop
        self.batch_size = batch_size
        self.validate = validate
        self.lines = 0

    def batches(self) -> Iterator[Batch]:
        """The range's batches, in order; each one's ``read`` counts the bytes it read.

        Yields:
            `Batch` es (the last may be empty).
        """
        counter = _Counter()
        with open(self.path, "rb") as f:
            if self.start > 0:
                f.seek(self.start - 1)
                if f.read(1) != b"\n":
                    f.readline()  # the line under way belongs to the range before
            begin = f.tell()
            reader = _Reader(self.path, f, counter, self.batch_size, False, self.validate)
            yield from reader.lines(b"", _range_blocks(f, begin, self.stop, counter))
            self.lines = reader.number


def _range_blocks(f: BinaryIO, begin: int, stop: int, counter: _Counter) -> Iterator[bytes]:
    """Blocks from `begin` to the end of the line holding byte ``stop - 1``."""
    if begin >= stop:
        return  # no line starts in the range
    at = begin
    while at < stop:
        block = f.read(_BLOCK)
        if not block:
            return
        if at + len(block) >= stop:
            cut = block.find(b"\n", stop - at - 1)
            if cut >= 0:
                counter.count += cut + 1
                yield block[: cut + 1]
                return
        at += len(block)
        counter.count += len(block)
        yield block
    while True:  # the last line goes on past `stop`: read to its newline
        block = f.read(_BLOCK)
        if not block:
            return
        cut = block.find(b"\n")
        if cut >= 0:
            counter.count += cut + 1
            yield block[: cut + 1]
            return
        counter.count += len(block)
        yield block


class _Counter:
    """The bytes read, for a stream that `sources.opened` did not open."""

    def __init__(self) -> None:
        self.count = 0
