"""Count a batch's input records without parsing them, so the ingestion check compares the parsers' accounting
with an independent tally: a parser that skipped records (rather than quarantining them) fails the check.

The tally reads the same decoded bytes as the parsers (``open_binary``: a damaged ``.gz`` ends early with a
``Damage`` instead of raising) and counts records its own way: lines, CSV rows, array items. The unreadable tail of
a damaged file is one record, as the parsers quarantine it as one row. Nothing here raises on bad data.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import orjson

from emma_pipeline.sources.batch import file_label, source_files
from emma_pipeline.sources.csv_lines import CsvLines
from emma_pipeline.sources.files import open_binary
from emma_pipeline.sources.gzip_stream import Damage
from emma_pipeline.sources.json_array import looks_like_json_lines, salvage_array_items

_UNREADABLE = (OSError, EOFError, ValueError)
_LEADING = b"\xef\xbb\xbf \t\r\n"


def count_file_records(path: str) -> int:
    """CSV: data rows (quoted newlines stay inside a row); a JSON array file: its items; anything else: non-blank
    lines; plus one for the unreadable tail of a damaged file. A file that cannot be opened counts as one record
    (the parser quarantines it as one row)."""
    try:
        with open_binary(path) as stream:
            data, damage = stream.read(), stream.damage
    except _UNREADABLE:
        return 1
    if path.lower().removesuffix(".gz").endswith(".csv"):
        return _csv_records(data, damage)
    if data.lstrip(_LEADING)[:1] == b"[":
        items = None
        if damage is None:
            try:
                items = orjson.loads(data)
            except orjson.JSONDecodeError:
                pass
        if isinstance(items, list):
            return len(items)
        if not looks_like_json_lines(data):
            return sum(1 for _ in salvage_array_items(data, damage))
    lines = data.split(b"\n")
    if damage is not None:
        lines[-1] = b"\xff"  # the line the damage cut (even when empty) is the tail record
    lines[0] = lines[0].removeprefix(b"\xef\xbb\xbf")
    return sum(1 for line in lines if line.strip())


def _csv_records(data: bytes, damage: Damage | None) -> int:
    """The header, then every non-blank row; a row that csv rejects is a record; the damaged tail is one."""
    text = io.StringIO(data.decode("utf-8-sig", errors="surrogateescape"), newline="")
    lines = CsvLines(text, lambda: damage)
    reader = csv.reader(lines)
    rows, header = 0, True
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error:
            if header:
                return 1  # the parser quarantines an unreadable header as the file's one record
            row = ["error"]
        if lines.cut_row():
            break
        lines.row_done()
        if header:
            header = False
        elif row:
            rows += 1
    return rows + (damage is not None)


def count_batch_records(source: str, batch_dir: str | Path) -> int:
    return sum(count_records_by_file(source, batch_dir).values())


def count_records_by_file(source: str, batch_dir: str | Path) -> dict[str, int]:
    """Records per file of ``source`` in ``batch_dir``, keyed like the parsed rows' ``file`` column."""
    return {file_label(path, batch_dir): count_file_records(path) for path in source_files(source, batch_dir)}
