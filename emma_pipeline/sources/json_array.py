"""Salvage the items of a JSON array file that does not parse as a whole (cut short, or damaged inside).

A structural scan (strings skipped whole, brackets counted) finds the top-level items; each is parsed on its own, so
one bad item costs one record. What the scan cannot close (the file ends, or its decoding failed, inside the array)
is one tail record with the byte offset where it starts; bytes after the closing bracket are one record too. Only
files that failed to parse whole are scanned, so good files keep the fast one-call path.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import orjson

from emma_pipeline.sources.gzip_stream import Damage

Record = tuple[int, int | None, bytes | None, Any, str | None]

# A string (possibly unterminated at the end of the data) or one structural byte.
_TOKEN_RE = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*(?:"|\\?\Z)|[\[\]{},]', re.DOTALL)
_OPEN, _CLOSE, _COMMA, _QUOTE = frozenset(b"[{"), frozenset(b"]}"), ord(","), ord('"')
_PROBE_LINES = 8


def looks_like_json_lines(data: bytes) -> bool:
    """Whether a file that starts with ``[`` but does not parse whole is JSON lines (most of its first lines parse
    alone: a JSON-lines file whose first record is an array) rather than an array file (whose lines are fragments
    such as ``[``, ``{"a": 1},`` or ``"x": 2,``)."""
    lines = [line for line in data[: 1 << 20].split(b"\n")[:-1] if line.strip()][:_PROBE_LINES]
    parsed = 0
    for line in lines:
        try:
            orjson.loads(line)
            parsed += 1
        except orjson.JSONDecodeError:
            pass
    return len(lines) > 1 and parsed * 2 >= len(lines)


def _item(index: int, data: bytes, start: int, end: int) -> Record:
    text = data[start:end]
    lead = len(text) - len(text.lstrip())
    raw = text.strip()
    try:
        return index, start + lead, raw, orjson.loads(raw), None
    except orjson.JSONDecodeError as err:
        return index, start + lead, raw, None, f"invalid_json: {err}"


def salvage_array_items(data: bytes, damage: Damage | None) -> Iterator[Record]:
    """(item index, byte offset, raw bytes, value, error) of every top-level item of ``data``, a JSON array text
    whose first non-blank byte is ``[``; one tail record when the array is not closed or decoding was damaged."""
    depth, index, start, closed_at = 0, 0, None, None
    for match in _TOKEN_RE.finditer(data):
        byte = data[match.start()]
        if byte == _QUOTE:
            continue
        if start is None:  # the opening bracket
            depth, start = 1, match.end()
            continue
        if byte in _OPEN:
            depth += 1
        elif byte in _CLOSE:
            depth -= 1
            if depth == 0:
                if data[start : match.start()].strip() or index:
                    index += 1
                    yield _item(index, data, start, match.start())
                closed_at = match.end()
                break
        elif byte == _COMMA and depth == 1:
            index += 1
            yield _item(index, data, start, match.start())
            start = match.end()
    if closed_at is None:
        tail = data[start:] if start is not None else data
        reason = damage.reason if damage else f"truncated_json: the file ends inside the array, in item {index + 1}"
        yield index + 1, (start or 0) + len(tail) - len(tail.lstrip()), tail.strip(), None, reason
        return
    rest = data[closed_at:]
    if rest.strip():
        yield index + 1, closed_at + len(rest) - len(rest.lstrip()), rest.strip(), None, (
            "invalid_json: data after the end of the array"
        )
        index += 1
    if damage is not None:
        yield index + 1, len(data), b"", None, damage.reason
