"""Open raw source files (local or any fsspec URL, gzip or not) and walk their records.

``on_progress`` callbacks receive how many bytes of the stored file (compressed, for ``.gz``) were consumed
since the last call, so a progress bar sized by the file's stored size ends at 100 %.

A damaged ``.gz`` never raises here: its stream ends where the damage is and carries a ``Damage`` (see
``gzip_stream``); the record walkers keep every record before it and end with one tail record whose error is the
damage reason and whose offset is where the unreadable part begins.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO

import fsspec
import orjson

from emma_pipeline.sources.gzip_stream import Damage, GzipReader
from emma_pipeline.sources.json_array import looks_like_json_lines, salvage_array_items
from emma_pipeline.sources.python_literal import python_literal

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

    def readall(self) -> bytes:
        data = self._raw.read()
        if data:
            self._on_progress(len(data))
        return data


class DecodedStream(io.BufferedReader):
    """The decoded bytes of a stored file; ``damage`` is set once a damaged ``.gz`` ended the stream early."""

    @property
    def damage(self) -> Damage | None:
        return getattr(self.raw, "damage", None)


def _ignore(_: int) -> None:
    pass


@contextmanager
def open_binary(path: str | Path, on_progress: Progress | None = None) -> Iterator[DecodedStream]:
    """The decoded bytes of a local path or fsspec URL (``.gz`` is gunzipped transparently, never raising)."""
    with fsspec.open(str(path), "rb") as stored:
        raw: io.RawIOBase = _CountingReader(stored, on_progress or _ignore)
        if str(path).endswith(".gz"):
            raw = GzipReader(raw)  # type: ignore[arg-type]
        yield DecodedStream(raw, buffer_size=_BUFFER)


def iter_lines(path: str | Path, on_progress: Progress | None = None) -> Iterator[tuple[int, int, bytes, str | None]]:
    """(1-based line number, byte offset in the decoded file, line bytes without the line break, error).

    Blank lines are skipped (they hold no record) but still counted in line numbers and offsets. ``error`` is None
    except on the last row of a damaged file: the line the damage cut (possibly empty), with the damage reason.
    """
    with open_binary(path, on_progress) as stream:
        offset, number = 0, 0
        for number, line in enumerate(stream, start=1):
            if not line.endswith(b"\n") and stream.damage is not None:
                yield number, offset, line, stream.damage.reason
                return
            size = len(line)
            body = line.rstrip(b"\r\n")
            if number == 1:
                body = body.removeprefix(b"\xef\xbb\xbf")
            if body.strip():
                yield number, offset, body, None
            offset += size
        if stream.damage is not None:
            yield number + 1, offset, b"", stream.damage.reason


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
    are numbered 1.. and have no offset or raw bytes (``None``). One that starts with ``[`` but does not parse (cut
    short, damaged) is still an array file unless most of its first lines parse alone: its items are salvaged one
    by one (``json_array``), with offsets. Anything else is read as JSON lines, so a JSON-lines file that merely
    starts with an array line still works; a line that does not parse (truncated, invalid UTF-8) comes with
    ``error`` set.
    """
    if _first_byte(path) == b"[":
        with open_binary(path, on_progress) as stream:
            data, damage = stream.read(), stream.damage
        items = None
        if damage is None:
            try:
                items = orjson.loads(data)
            except orjson.JSONDecodeError:
                pass
        if isinstance(items, list):
            del data
            for index, item in enumerate(items, start=1):
                yield index, None, None, item, None
            return
        if not looks_like_json_lines(data):
            yield from salvage_array_items(data, damage)
            return
        del data
        on_progress = None  # the bytes were already counted once
    loads, decode_error = orjson.loads, orjson.JSONDecodeError
    for number, offset, raw, damaged in iter_lines(path, on_progress):
        if damaged is not None:
            yield number, offset, raw, None, damaged
            continue
        try:
            yield number, offset, raw, loads(raw), None
        except decode_error as err:
            value = python_literal(raw)
            yield number, offset, raw, value, None if value is not None else f"invalid_json: {err}"
