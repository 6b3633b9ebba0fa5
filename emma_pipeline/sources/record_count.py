"""Count a batch's input records without parsing them, so the ingestion check compares the parsers' accounting
with an independent tally: a parser that skipped records (rather than quarantining them) fails the check."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import orjson

from emma_pipeline.sources.batch import source_files
from emma_pipeline.sources.files import open_binary

_UNREADABLE = (OSError, EOFError, ValueError)


def count_file_records(path: str) -> int:
    """CSV: data rows (quoted newlines stay inside a row); a JSON array file: its items; anything else: non-blank
    lines. A file that cannot be read at all counts as one record (the parser quarantines it as one row)."""
    try:
        with open_binary(path) as stream:
            data = stream.read()
    except _UNREADABLE:
        return 1
    if path.lower().removesuffix(".gz").endswith(".csv"):
        rows = csv.reader(io.StringIO(data.decode("utf-8", errors="replace"), newline=""))
        return max(sum(1 for row in rows if row) - 1, 0)  # minus the header
    if data.lstrip()[:1] == b"[":
        try:
            items = orjson.loads(data)
        except orjson.JSONDecodeError:
            items = None
        if isinstance(items, list):
            return len(items)
    return sum(1 for line in data.splitlines() if line.strip())


def count_batch_records(source: str, batch_dir: str | Path) -> int:
    return sum(count_file_records(path) for path in source_files(source, batch_dir))
