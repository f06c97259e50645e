"""patterns.archive: every format and compression read, damaged input reported with exact counts."""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import zlib
from pathlib import Path

import orjson
import pytest

from patterns.archive import (
    DAMAGED_DATA_CAP,
    LineRange,
    compression_of,
    detect_format,
    expand_sources,
    open_source,
    read_batches,
    sources,
)
from patterns.archive.spans import value_spans
from patterns.errors import ArchiveError

HERE = Path(__file__).parent
EVENTS = [orjson.dumps({"id": f"e{i}", "source": "aws.ec2", "detail": {"n": i}}) for i in range(50)]
JSONL = b"\n".join(EVENTS) + b"\n"


def _read(data: bytes, **options):
    events, where, damaged = [], [], []
    for batch in read_batches(io.BytesIO(data), **options):
        assert len(batch.events) == len(batch.where)
        events += batch.events
        where += batch.where
        damaged += batch.damaged
    return events, where, damaged


def _zstd(data: bytes) -> bytes:
    zstandard = pytest.importorskip("zstandard", reason="zstd needs the optional `zstandard` package")
    return zstandard.ZstdCompressor().compress(data)


COMPRESSIONS = {
    "plain": lambda d: d,
    "gzip": gzip.compress,
    "gzip-two-members": lambda d: gzip.compress(d[: len(d) // 2]) + gzip.compress(d[len(d) // 2 :]),
    "bzip2": bz2.compress,
    "xz": lzma.compress,
    "zstd": _zstd,
}


@pytest.mark.parametrize("compression", COMPRESSIONS)
def test_read_batches_jsonl_in_every_compression(compression: str) -> None:
    events, where, damaged = _read(COMPRESSIONS[compression](JSONL), batch_size=7)
    assert events == EVENTS
    assert where == list(range(1, 51))
    assert damaged == []


@pytest.mark.parametrize("compression", COMPRESSIONS)
def test_read_batches_documents_in_every_compression(compression: str) -> None:
    pretty = orjson.dumps([orjson.loads(e) for e in EVENTS[:3]], option=orjson.OPT_INDENT_2)
    events, _, damaged = _read(COMPRESSIONS[compression](pretty))
    assert [orjson.loads(e) for e in events] == [orjson.loads(e) for e in EVENTS[:3]]
    assert damaged == []


def test_compression_is_told_by_magic_bytes_not_by_name(tmp_path) -> None:
    path = tmp_path / "events.json"  # gzipped, named as if plain
    path.write_bytes(gzip.compress(JSONL))
    assert compression_of(path.read_bytes()) == "gzip"
    with open_source(str(path)) as f:
        assert f.read() == JSONL


def test_pretty_printed_array_is_two_events_not_35_lines() -> None:
    text = b'[\n  {\n    "id": "a",\n    "detail": {"x": [1, 2]}\n  },\n  {\n    "id": "b"\n  }\n]\n'
    events, where, damaged = _read(text)
    assert [orjson.loads(e)["id"] for e in events] == ["a", "b"]
    assert where == [text.index(b"{"), text.index(b'{\n    "id": "b"')]  # byte offsets
    assert damaged == []


def test_one_object_document_is_one_event() -> None:
    text = b'{\n  "id": "only",\n  "detail": {"a": "}{"}\n}\n'
    events, where, damaged = _read(text)
    assert [orjson.loads(e)["id"] for e in events] == ["only"]
    assert where == [0] and damaged == []


@pytest.mark.parametrize("separator", [b"", b"\n", b"  "])
def test_firehose_objects_back_to_back(separator: bytes) -> None:
    text = separator.join(EVENTS[:5])
    events, _, damaged = _read(text)
    assert events == EVENTS[:5]
    assert damaged == []


def test_firehose_format_named_reads_a_brace_inside_a_string() -> None:
    text = b'{"id":"a","k":"}{"}{"id":"b","k":"\\"}"}'
    events, where, _ = _read(text, format="firehose")
    assert [orjson.loads(e)["id"] for e in events] == ["a", "b"]
    assert where == [0, 19]


def test_bad_line_in_the_middle_is_damaged_and_the_rest_read() -> None:
    lines = [EVENTS[0], b"not json at all", EVENTS[1], b"[1, 2]", b"", b'"text"', EVENTS[2]]
    events, where, damaged = _read(b"\n".join(lines) + b"\n")
    assert events == EVENTS[:3]
    assert where == [1, 3, 7]
    assert [(d.where, d.data) for d in damaged] == [(2, b"not json at all"), (4, b"[1, 2]"), (6, b'"text"')]
    assert damaged[1].reason == "Expected `object`, got `array` - at `$`"


def test_validate_reports_an_object_shaped_line_that_is_not_json() -> None:
    text = EVENTS[0] + b'\n{"id": oops}\n' + EVENTS[1] + b"\n"
    events, _, damaged = _read(text)
    assert len(events) == 3 and damaged == []  # left for the matcher to refuse
    events, _, damaged = _read(text, validate=True)
    assert events == EVENTS[:2]
    assert [d.where for d in damaged] == [2]


def test_truncated_gzip_keeps_every_whole_line_and_reports_the_rest() -> None:
    big = b"\n".join(
        orjson.dumps({"id": i, "pad": bytes(range(i % 50, i % 50 + 40)).hex()}) for i in range(5000)
    )
    cut = gzip.compress(big + b"\n")[:-4000]
    readable = zlib.decompressobj(wbits=31).decompress(cut)  # what any reader can get back
    whole = readable.count(b"\n")
    events, where, damaged = _read(cut)
    assert len(events) == whole
    assert where == list(range(1, whole + 1))
    assert len(damaged) == 1
    assert damaged[0].where == whole + 1
    assert "the source ends early" in damaged[0].reason and "EOFError" in damaged[0].reason


@pytest.mark.parametrize("isal", [True, False], ids=["isal", "zlib"])
def test_truncated_gzip_file_is_read_as_far_as_zlib_reads_it(tmp_path, monkeypatch, isal: bool) -> None:
    if isal:
        pytest.importorskip("isal", reason="ISA-L's gzip reader needs the optional `isal` package")
    monkeypatch.setattr(sources, "PREFER_ISAL", isal)
    big = b"\n".join(
        orjson.dumps({"id": i, "pad": bytes(range(i % 50, i % 50 + 40)).hex()}) for i in range(40000)
    )
    cut = gzip.compress(big + b"\n")[:-50000]
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(cut)
    whole = zlib.decompressobj(wbits=31).decompress(cut).count(b"\n")
    batches = list(read_batches(str(path)))
    assert [w for b in batches for w in b.where] == list(range(1, whole + 1))
    damaged = [d for b in batches for d in b.damaged]
    assert [d.where for d in damaged] == [whole + 1]
    assert "EOFError" in damaged[0].reason


def test_truncated_document_keeps_whole_records() -> None:
    text = b'[{"id": "a"}, {"id": "b"}, {"id": "c", "deta'
    events, _, damaged = _read(text)
    assert [orjson.loads(e)["id"] for e in events] == ["a", "b"]
    assert len(damaged) == 1 and damaged[0].where == text.index(b'{"id": "c"')


def test_non_object_records_in_an_array_are_each_damaged() -> None:
    text = b'[{"id": "a"}, 7, "x", [1], null, {"id": "b"}]'
    events, _, damaged = _read(text)
    assert [orjson.loads(e)["id"] for e in events] == ["a", "b"]
    assert [d.data for d in damaged] == [b"7", b'"x"', b"[1]", b"null"]
    assert [d.where for d in damaged] == [text.index(d.data) for d in damaged]


def test_damaged_data_is_capped() -> None:
    line = b"x" * (DAMAGED_DATA_CAP * 3)
    _, _, damaged = _read(line + b"\n")
    assert len(damaged[0].data) == DAMAGED_DATA_CAP


def test_blank_lines_and_crlf_are_not_damage() -> None:
    events, where, damaged = _read(b"\r\n" + EVENTS[0] + b"\r\n\r\n" + EVENTS[1])
    assert events == EVENTS[:2] and where == [2, 4] and damaged == []


def test_detect_format() -> None:
    assert detect_format(JSONL, True) == "jsonl"
    assert detect_format(b'{"Records": [{"a": 1}]}', True) == "cloudtrail"
    assert detect_format(b"[\n{}\n]", True) == "json"
    assert detect_format(b'{\n  "a": 1\n}\n', True) == "json"
    assert detect_format(b'{"a":1}{"b":2}', True) == "json"
    assert detect_format(b"oops\n" + JSONL, True) == "jsonl"
    assert detect_format(b'{"a": 1\n' + JSONL, True) == "jsonl"  # a damaged first line


def test_value_spans_skip_strings_and_report_open_values() -> None:
    text = b'{"a": "]}\\"{"} [1, {"b": 2}] {"c": '
    spans = value_spans(text)
    assert [text[s:e] for s, e in spans.values] == [b'{"a": "]}\\"{"}', b'[1, {"b": 2}]']
    assert spans.status == "open" and spans.end == text.index(b'{"c"')


def test_line_ranges_yield_every_line_once(tmp_path) -> None:
    path = tmp_path / "events.jsonl"
    path.write_bytes(JSONL)
    size = len(JSONL)
    for parts in (1, 2, 3, 7, 40, size):
        seen, base = [], 0
        for k in range(parts):
            r = LineRange(str(path), size * k // parts, size * (k + 1) // parts, batch_size=5)
            batches = list(r.batches())
            seen += [(base + w, e) for b in batches for w, e in zip(b.where, b.events, strict=True)]
            base += r.lines
        assert seen == list(enumerate(EVENTS, 1)), parts


def test_expand_sources_folders_globs_and_stdin(tmp_path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    for name in ("a/1.json", "a/b/2.json.gz", "a/.hidden", "z.jsonl"):
        (tmp_path / name).write_text("{}")
    found = expand_sources([tmp_path / "a", str(tmp_path / "*.jsonl"), "-", tmp_path / "z.jsonl"])
    assert found == [
        str(tmp_path / "a/1.json"),
        str(tmp_path / "a/b/2.json.gz"),
        str(tmp_path / "z.jsonl"),
        "-",
    ]
    with pytest.raises(ArchiveError, match="no such file"):
        expand_sources([tmp_path / "missing.json"])
    with pytest.raises(ArchiveError, match="got none"):
        expand_sources([str(tmp_path / "*.parquet")])


def test_read_batches_refuses_unknown_format() -> None:
    with pytest.raises(ValueError, match="Expected a format"):
        list(read_batches(io.BytesIO(JSONL), format="csv"))


def test_fsspec_urls_are_expanded_and_read() -> None:
    fsspec = pytest.importorskip("fsspec", reason="URL sources need the optional fsspec (extra `s3`)")
    fs = fsspec.filesystem("memory")
    fs.pipe("/patterns-test/logs/2026/a.jsonl.gz", gzip.compress(EVENTS[0] + b"\n" + EVENTS[1] + b"\n"))
    fs.pipe("/patterns-test/logs/2026/b.json", b"[" + EVENTS[2] + b"]")
    try:
        found = expand_sources(["memory://patterns-test/logs/"])
        assert [f.rsplit("/", 1)[1] for f in found] == ["a.jsonl.gz", "b.json"]
        assert [e for f in found for b in read_batches(f) for e in b.events] == EVENTS[:3]
        assert expand_sources(["memory://patterns-test/logs/**/*.gz"]) == found[:1]
        with pytest.raises(ArchiveError, match="got none"):
            expand_sources(["memory://patterns-test/nothing/"])
    finally:
        fs.rm("/patterns-test", recursive=True)
