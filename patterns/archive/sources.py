"""Where events are: files, folders, globs, ``-`` and fsspec URLs, opened and decompressed.

`expand_sources` turns what the user named into a list of sources (files in a stable order);
`open_source` opens one as a binary stream of its decompressed bytes. Compression is told by
magic bytes, never by the file's suffix (CloudTrail's ``.json.gz``, Firehose's objects without
suffix, a ``.json`` that is gzipped all read alike):

    1f 8b          gzip   (stdlib; several members read as one stream, as ``gzip -dc`` does)
    42 5a 68       bzip2  (stdlib)
    fd 37 7a 58 5a xz     (stdlib)
    28 b5 2f fd    zstd   (the optional `zstandard` package: ``pip install 'eventpatterns[zstd]'``)

gzip is read with ISA-L's igzip when the optional `isal` package is installed (about three times
zlib's speed: ``pip install 'eventpatterns[isal]'``), else with the standard library's.

Remote objects (``s3://bucket/prefix/``, ``gs://...``, any fsspec protocol) go through fsspec,
an optional extra (``pip install 'eventpatterns[s3]'`` adds fsspec and s3fs).
"""

from __future__ import annotations

import bz2
import glob
import gzip
import io
import lzma
import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any, BinaryIO

from ..errors import ArchiveError

__all__ = [
    "DECOMPRESSED",
    "PREFER_ISAL",
    "compression_of",
    "expand_sources",
    "is_fast_gzip",
    "is_url",
    "open_source",
    "source_name",
]

_GLOB_CHARS = frozenset("*?[")

#: Decompress gzip with ISA-L (the `isal` package) when it is installed; tests turn it off to
#: read with the standard library's zlib too.
PREFER_ISAL = True

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x1f\x8b", "gzip"),
    (b"BZh", "bzip2"),
    (b"\xfd7zXZ\x00", "xz"),
    (b"\x28\xb5\x2f\xfd", "zstd"),
)


def is_url(source: str) -> bool:
    """Whether a source names a remote object through fsspec (``s3://...``), not a local path.

    Args:
        source: a source as the user wrote it.

    Returns:
        True for ``protocol://...`` other than ``file://``.
    """
    head, sep, _ = source.partition("://")
    return bool(sep) and head.isidentifier() and head != "file"


def source_name(source: str | os.PathLike[str] | BinaryIO) -> str:
    """The name a source is reported under: its path or URL, ``-`` for standard input."""
    if isinstance(source, (str, os.PathLike)):
        return os.fspath(source)
    name = getattr(source, "name", None)
    return name if isinstance(name, str) else "<stream>"


def _fsspec() -> Any:
    try:
        # optional: only remote sources need fsspec (extra `s3` = fsspec + s3fs)
        import fsspec  # type: ignore[import-untyped,import-not-found,unused-ignore]
    except ImportError:
        raise ArchiveError(
            "Expected fsspec for a URL source, got none installed: pip install 'eventpatterns[s3]'"
        ) from None
    return fsspec


def _expand_url(source: str) -> list[str]:
    fs, _, paths = _fsspec().get_fs_token_paths(source)
    protocol = source.partition("://")[0]
    found: list[str] = []
    for path in paths:  # a glob is already expanded by get_fs_token_paths
        if fs.isdir(path):
            found.extend(sorted(fs.find(path)))
        elif fs.exists(path):
            found.append(path)
    if not found:
        raise ArchiveError(f"Expected objects at `{source}`, got none")
    return [p if "://" in p else f"{protocol}://{p}" for p in found]


def _expand_local(source: str) -> list[str]:
    if any(c in _GLOB_CHARS for c in source) and not os.path.exists(source):
        matched = sorted(glob.glob(source, recursive=True))
        if not matched:
            raise ArchiveError(f"Expected files matching `{source}`, got none")
        out: list[str] = []
        for m in matched:
            out.extend(_expand_local(m) if os.path.isdir(m) else [m])
        return out
    path = Path(source)
    if path.is_dir():
        # recursive, in a stable order; hidden files and folders (.git, .DS_Store) are not events
        return [
            str(p)
            for p in sorted(path.rglob("*"))
            if p.is_file() and not any(part.startswith(".") for part in p.relative_to(path).parts)
        ]
    if path.is_file() or path.is_fifo() or path.is_char_device():
        return [source]
    raise ArchiveError(f"Expected a file, folder, glob or URL, got `{source}`: no such file or folder")


def expand_sources(sources: Iterable[str | os.PathLike[str]]) -> list[str]:
    """The files the user's sources name, in order, each once.

    Args:
        sources: file paths, folders (read recursively, hidden entries skipped), globs
            (``logs/**/*.json.gz``), ``-`` (standard input) and fsspec URLs (``s3://bucket/p/``,
            a prefix read recursively, globs allowed).

    Returns:
        Source names for `open_source` and `read_batches`.

    Raises:
        ArchiveError: a path that does not exist, a glob or prefix that matches nothing, or a
            URL without fsspec installed.
    """
    out: dict[str, None] = {}
    for item in sources:
        source = os.fspath(item)
        if source == "-":
            found = ["-"]
        elif is_url(source):
            found = _expand_url(source)
        else:
            found = _expand_local(source)
        out.update(dict.fromkeys(found))
    return list(out)


class _Raw(io.RawIOBase):
    """A stream seen as raw I/O, counting the bytes read through it (the progress bar's)."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._stream.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        self.count += n
        return n

    def close(self) -> None:
        if not self.closed:
            self._stream.close()
        super().close()


class _ZstdStream(io.BufferedReader):
    """A zstd source's decompressed bytes (a type of its own, so `DECOMPRESSED` can tell it)."""


#: The stream types `open_source` returns for compressed sources.
DECOMPRESSED: tuple[type, ...] = (gzip.GzipFile, bz2.BZ2File, lzma.LZMAFile, _ZstdStream)


def compression_of(head: bytes) -> str | None:
    """The compression a stream's first bytes announce (``gzip``, ``bzip2``, ``xz``, ``zstd``).

    Args:
        head: the stream's first bytes (six are enough).

    Returns:
        The name, or None for bytes that are not compressed.
    """
    for magic, name in _MAGIC:
        if head.startswith(magic):
            return name
    return None


def _gzip_class(fast: bool) -> type[gzip.GzipFile]:
    """ISA-L's `IGzipFile` when installed and wanted (a GzipFile that decompresses about three
    times faster than zlib; extra `isal`), else the standard library's."""
    if fast and PREFER_ISAL:
        try:
            # optional: only faster, never needed (extra `isal`)
            from isal import igzip  # type: ignore[import-not-found,unused-ignore]
        except ImportError:
            return gzip.GzipFile
        return igzip.IGzipFile  # type: ignore[no-any-return,unused-ignore]
    return gzip.GzipFile


def is_fast_gzip(stream: object) -> bool:
    """Whether a stream is ISA-L's gzip reader. On a truncated source it loses the last chunk it
    was decompressing (zlib's keeps it), so readers read such a tail again with zlib's."""
    return isinstance(stream, gzip.GzipFile) and type(stream) is not gzip.GzipFile


def _decompressed(raw: io.BufferedReader[Any], name: str, fast_gzip: bool = True) -> BinaryIO:
    kind = compression_of(raw.peek(6)[:6])
    if kind is None:
        return raw
    # Closing the decompressor closes the source too: each of these closes a file object it was
    # given only when told so (GzipFile's `myfileobj`, BZ2File's and LZMAFile's `_closefp`,
    # attributes every CPython since 3.3 has)
    if kind == "gzip":
        gz = _gzip_class(fast_gzip)(fileobj=raw, mode="rb")
        gz.myfileobj = raw  # type: ignore[assignment]
        return gz  # type: ignore[return-value]
    if kind == "bzip2":
        bz = bz2.BZ2File(raw, mode="rb")
        bz._closefp = True  # type: ignore[attr-defined]
        return bz  # type: ignore[return-value]
    if kind == "xz":
        xz = lzma.LZMAFile(raw, mode="rb")  # noqa: SIM115 (closed by the reader)
        xz._closefp = True  # type: ignore[attr-defined]
        return xz  # type: ignore[return-value]
    try:
        # optional: only zstd-compressed sources need it (extra `zstd`)
        import zstandard  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        raise ArchiveError(
            f"Expected the `zstandard` package to read `{name}` (zstd-compressed), got none "
            "installed: pip install 'eventpatterns[zstd]'"
        ) from None
    reader = zstandard.ZstdDecompressor().stream_reader(raw, read_across_frames=True)
    return _ZstdStream(_Raw(reader), buffer_size=1 << 20)


def open_source(source: str | os.PathLike[str] | BinaryIO) -> BinaryIO:
    """Open a source as a stream of its decompressed bytes.

    Args:
        source: a local path, ``-`` (standard input), an fsspec URL, or an open binary stream.

    Returns:
        A readable binary stream (close it when done); `opened` also gives the count of bytes
        read from the source as stored.

    Raises:
        ArchiveError: no such file, an fsspec URL without fsspec, zstd without `zstandard`.
    """
    return opened(source)[0]


def opened(source: str | os.PathLike[str] | BinaryIO, *, fast_gzip: bool = True) -> tuple[BinaryIO, _Raw]:
    """`open_source`, also returning the counter of bytes read from the source as stored.

    Args:
        source: as for `open_source`.
        fast_gzip: use ISA-L's gzip reader when installed (False: always the standard library's).

    Raises:
        ArchiveError: as `open_source`.
    """
    name = source_name(source)
    stream: Any
    if not isinstance(source, (str, os.PathLike)):
        stream = source
    elif name == "-":
        stream = sys.stdin.buffer
    elif is_url(name):
        try:
            stream = _fsspec().open(name, "rb").open()
        except FileNotFoundError:
            raise ArchiveError(f"Expected an object at `{name}`, got none") from None
    else:
        try:
            stream = open(name, "rb", buffering=0)  # noqa: SIM115 (closed with the reader)
        except FileNotFoundError:
            raise ArchiveError(f"Expected a file at `{name}`, got none") from None
        except IsADirectoryError:
            raise ArchiveError(f"Expected a file at `{name}`, got a folder") from None
    counter = _Raw(stream)
    raw = io.BufferedReader(counter, buffer_size=1 << 20)
    return _decompressed(raw, name, fast_gzip), counter
