"""The units of parsing work of a batch, small enough to run in a worker process and to write one at a time.

A JSON-lines file of metadata or catalog items (UCSD ``meta_*``, ASPA) is one task per ``LineChunk``: its records
are independent lines. Anything else (review files, which aggregate per ASIN over the whole file; CSVs, whose quoted
fields span lines; JSON array files) is one task for the whole file. Either way a task's result is the parser's own
``ParseResult`` for those records, with ``file`` set to the batch label, so the results of a file's tasks
concatenated in order are exactly what the file's parser returns.
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import polars as pl

from emma_pipeline.sources.aspa import aspa_records, parse_aspa_file
from emma_pipeline.sources.fields import ListingBuffer, QuarantineBuffer, parent_dir
from emma_pipeline.sources.files import Progress, _first_byte
from emma_pipeline.sources.image2mass import parse_image2mass_file
from emma_pipeline.sources.line_chunks import CHUNK_BYTES, LineChunk, chunk_records, iter_line_chunks
from emma_pipeline.sources.records import ParseResult
from emma_pipeline.sources.ucsd import is_meta_file, meta_records, parse_ucsd_file

PARSERS: dict[str, Callable[[str, Progress | None], ParseResult]] = {
    "ucsd": parse_ucsd_file,
    "image2mass": parse_image2mass_file,
    "aspa": parse_aspa_file,
}
_RECORD_PARSERS = {"ucsd": meta_records, "aspa": aspa_records}
UNREADABLE = (OSError, EOFError, zlib.error, gzip.BadGzipFile, UnicodeError)


@dataclass(frozen=True)
class Task:
    """Parse ``chunk`` of ``path`` (or, without a chunk, the whole file); rows are labelled ``label``."""

    source: str
    path: str
    label: str
    chunk: LineChunk | None = None

    @property
    def size(self) -> int:
        return len(self.chunk.data) if self.chunk is not None else 0


def chunkable(source: str, path: str) -> bool:
    if source == "ucsd" and not is_meta_file(path):
        return False
    return source in _RECORD_PARSERS and _first_byte(path) != b"["


def file_tasks(source: str, path: str, label: str, chunk_bytes: int = CHUNK_BYTES) -> Iterator[Task]:
    """The tasks of one file, read lazily (a chunk is read when the caller asks for its task)."""
    if not chunkable(source, path):
        yield Task(source, path, label)
        return
    for chunk in iter_line_chunks(path, chunk_bytes=chunk_bytes):
        yield Task(source, path, label, chunk)


def unreadable(source: str, label: str, err: Exception) -> ParseResult:
    quarantine = QuarantineBuffer(source, label)
    quarantine.add(None, None, "", f"unreadable_file: {type(err).__name__}: {err}")
    return ParseResult(quarantine=quarantine.frame(), records_in=1, records_ok=0)


def _relabel(result: ParseResult, label: str) -> ParseResult:
    return ParseResult(
        listings=result.listings.with_columns(file=pl.lit(label, dtype=pl.Utf8)),
        quarantine=result.quarantine.with_columns(file=pl.lit(label, dtype=pl.Utf8)),
        records_in=result.records_in,
        records_ok=result.records_ok,
    )


def run_task(task: Task) -> ParseResult:
    """The task's rows (in a worker process or not); an unreadable whole file is one quarantine row."""
    if task.chunk is None:
        try:
            return _relabel(PARSERS[task.source](task.path, None), task.label)
        except UNREADABLE as err:
            return unreadable(task.source, task.label, err)
    listings, quarantine = ListingBuffer(), QuarantineBuffer(task.source, task.label)
    add = _RECORD_PARSERS[task.source]
    records_in = add(chunk_records(task.chunk), task.label, parent_dir(task.path), listings, quarantine)
    q = quarantine.frame()
    return ParseResult(listings.frame(), q, records_in, records_in - q.height)
