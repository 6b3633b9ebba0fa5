"""A JSON-lines file as bounded chunks of whole lines, so its records can be parsed in several processes and its
rows written in pieces, with exactly the records ``files.iter_json_records`` gives.

``iter_line_chunks`` reads the decoded file (``open_binary``: a damaged ``.gz`` ends early, never raises) in about
``chunk_bytes`` pieces cut after a line break; each ``LineChunk`` knows the number and byte offset of its first line,
and the last one carries the damaged tail, if any. ``chunk_records`` walks one chunk the way ``iter_lines`` +
``iter_json_records`` walk the file: blank lines skipped but counted, the BOM of line 1 dropped, line breaks
stripped, a line that does not parse given with its ``invalid_json`` reason, the tail with its damage reason.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import orjson

from emma_pipeline.sources.files import Progress, open_binary
from emma_pipeline.sources.python_literal import python_literal

CHUNK_BYTES = 8 << 20
_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class LineChunk:
    data: bytes  # whole lines (the last chunk of an undamaged file may end without a line break)
    first_line: int
    first_offset: int
    tail: tuple[int, int, bytes, str] | None = None  # (line, offset, raw, damage reason) after ``data``


def iter_line_chunks(
    path: str | Path, on_progress: Progress | None = None, chunk_bytes: int = CHUNK_BYTES
) -> Iterator[LineChunk]:
    """The decoded file in chunks of whole lines, in order."""
    with open_binary(path, on_progress) as stream:
        line, offset, carry = 1, 0, b""
        while block := stream.read(chunk_bytes):
            data = carry + block
            cut = data.rfind(b"\n") + 1
            if cut == 0:
                carry = data
                continue
            yield LineChunk(data[:cut], line, offset)
            line += data.count(b"\n", 0, cut)
            offset += cut
            carry = data[cut:]
        if stream.damage is not None:  # the line the damage cut (possibly empty) is the tail record
            yield LineChunk(b"", line, offset, (line, offset, carry, stream.damage.reason))
        elif carry:
            yield LineChunk(carry, line, offset)


def chunk_records(chunk: LineChunk) -> Iterator[tuple[int, int | None, bytes | None, object, str | None]]:
    """``(line, offset, raw, value, error)`` of every record of ``chunk``, as ``iter_json_records`` gives them."""
    loads, decode_error = orjson.loads, orjson.JSONDecodeError
    number, offset = chunk.first_line, chunk.first_offset
    for piece in chunk.data.split(b"\n"):
        body = piece.rstrip(b"\r")
        if number == 1:
            body = body.removeprefix(_BOM)
        if body.strip():
            try:
                yield number, offset, body, loads(body), None
            except decode_error as err:
                value = python_literal(body)
                yield number, offset, body, value, None if value is not None else f"invalid_json: {err}"
        number += 1
        offset += len(piece) + 1
    if chunk.tail is not None:
        yield chunk.tail[0], chunk.tail[1], chunk.tail[2], None, chunk.tail[3]
