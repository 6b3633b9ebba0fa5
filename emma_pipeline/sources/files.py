"""Open raw source files (local or any fsspec URL, gzip or not) and walk their records.

``on_progress`` callbacks receive how many bytes of the stored file (compressed, for ``.gz``) were consumed
since the last call, so a progress bar sized by the file's stored size ends at 100 %.
"""

from __future__ import annotations

import gzip
import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO

import fsspec
import orjson

Progress = Callable[[int], None]

_BUFFER = 1 << 20


class _CountingReader(io.RawIOBase):
    """Reports bytes read from the underlying file; gives progress on compressed input too."""

    def __init__(self, raw: BinaryIO, on_progress: Progress) -> None:
        self._raw, self._on_progress = raw, on_progress

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        data = self._raw.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        if n:
            self._on_progress(n)
        return n


@contextmanager
def open_binary(path: str | Path, on_progress: Progress | None = None) -> Iterator[BinaryIO]:
    """The decompressed bytes of a local path or fsspec URL (``.gz`` is gunzipped transparently)."""
    with fsspec.open(str(path), "rb") as raw:
        stream: BinaryIO = raw
        if on_progress is not None:
            stream = io.BufferedReader(_CountingReader(raw, on_progress), buffer_size=_BUFFER)
        if str(path).endswith(".gz"):
            with gzip.GzipFile(fileobj=stream, mode="rb") as unzipped:
                yield unzipped  # type: ignore[misc]
        else:
            yield stream


def iter_lines(path: str | Path, on_progress: Progress | None = None) -> Iterator[tuple[int, int, bytes]]:
    """(1-based line number, byte offset in the decompressed file, line bytes without the line break).

    Blank lines are skipped (they hold no record) but still counted in line numbers and offsets.
    """
    with open_binary(path, on_progress) as stream:
        offset = 0
        for number, line in enumerate(stream, start=1):
            size = len(line)
            body = line.rstrip(b"\r\n")
            if number == 1:
                body = body.removeprefix(b"\xef\xbb\xbf")
            if body.strip():
                yield number, offset, body
            offset += size


def _first_byte(path: str | Path) -> bytes:
    with open_binary(path) as stream:
        head = stream.read(4096)
        while head and not head.strip():
            head = stream.read(4096)
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    return stripped[:1]


def iter_json_records(
    path: str | Path, on_progress: Progress | None = None
) -> Iterator[tuple[int, int | None, bytes | None, Any, str | None]]:
    """(line or record index, byte offset, raw bytes, parsed value, error) for JSON lines or a JSON array file.

    A file whose first non-blank byte is ``[`` and that parses as one JSON value is an array file: its items
    are numbered 1.. and have no offset or raw bytes (``None``). Anything else is read as JSON lines, so a
    JSON-lines file that merely starts with an array line still works; a line that does not parse
    (truncated, invalid UTF-8) comes with ``error`` set.
    """
    if _first_byte(path) == b"[":
        with open_binary(path, on_progress) as stream:
            data = stream.read()
        try:
            items = orjson.loads(data)
        except orjson.JSONDecodeError:
            items = None
        del data
        if isinstance(items, list):
            for index, item in enumerate(items, start=1):
                yield index, None, None, item, None
            return
        on_progress = None  # the bytes were already counted once
    loads, decode_error = orjson.loads, orjson.JSONDecodeError
    for number, offset, raw in iter_lines(path, on_progress):
        try:
            yield number, offset, raw, loads(raw), None
        except decode_error as err:
            yield number, offset, raw, None, f"invalid_json: {err}"
