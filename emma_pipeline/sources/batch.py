"""Parse every file one source holds in one ingest batch (a local folder or an fsspec URL such as s3://...).

A batch folder holds one sub-folder per source (``ucsd/``, ``image2mass/``, ``aspa/``); a missing sub-folder
is an empty result. Files are parsed in sorted order, recursively, skipping hidden files and README /
PROVENANCE / LICENSE notes. The ``file`` column names each file relative to the batch folder's parent
(``batch-0001/ucsd/meta_Toys.json.gz``), so it says which batch and source a row came from. A damaged ``.gz``
keeps its records before the damage and quarantines the rest as one row (``files``); a file that cannot be read
at all (storage errors) becomes one quarantine row instead of failing the batch.

Files are parsed in parallel, a worker process per core (``file_tasks``: a JSON-lines file in chunks, others whole),
and ``iter_source_batch`` hands the results over in file and line order, a bounded number at a time, so a caller
that writes each result before taking the next holds a few chunks in memory, not the batch. Small batches are
parsed in-process (starting workers costs more than it saves).
"""

from __future__ import annotations

import os
import posixpath
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from multiprocessing import current_process, get_context
from pathlib import Path

import fsspec
from fsspec.implementations.local import LocalFileSystem
from tqdm.auto import tqdm

from emma_pipeline.sources.file_tasks import PARSERS, UNREADABLE, Task, file_tasks, run_task, unreadable
from emma_pipeline.sources.line_chunks import CHUNK_BYTES
from emma_pipeline.sources.records import ParseResult

SOURCES = ("ucsd", "image2mass", "aspa")
_PARALLEL_BYTES = 32 << 20  # batches smaller than this are parsed in-process
_NOTE_PREFIXES = ("readme", "provenance", "license", "licence")


def source_files(source: str, batch_dir: str | Path) -> list[str]:
    """Sorted paths (or URLs) of the files to parse for ``source`` in ``batch_dir``."""
    url = str(batch_dir).rstrip("/")
    fs, root = fsspec.core.url_to_fs(url)
    folder = posixpath.join(root.rstrip("/"), source)
    if not fs.isdir(folder):
        return []
    found = []
    for path in fs.find(folder):
        relative = posixpath.relpath(path, folder)
        name = posixpath.basename(path).lower()
        if any(part.startswith(".") for part in relative.split("/")) or name.startswith(_NOTE_PREFIXES):
            continue
        # Remote paths keep the caller's URL form (fs.find drops the protocol).
        found.append(path if isinstance(fs, LocalFileSystem) else f"{url}/{source}/{relative}")
    return sorted(found)


def file_label(path: str, batch_dir: str | Path) -> str:
    """``path`` relative to the parent of ``batch_dir`` (``<batch>/<source>/<file>``)."""
    _, root = fsspec.core.url_to_fs(str(batch_dir))
    _, inner = fsspec.core.url_to_fs(path)
    return posixpath.relpath(inner, posixpath.dirname(root.rstrip("/")))


def default_workers() -> int:
    return max(1, min(os.cpu_count() or 1, 8))


def _tasks(source: str, paths: list[str], batch_dir: str | Path, chunk_bytes: int) -> Iterator[Task | ParseResult]:
    """Every file's tasks in order; a file that fails while being read into chunks ends with one quarantine row."""
    for path in paths:
        label = file_label(path, batch_dir)
        try:
            yield from file_tasks(source, path, label, chunk_bytes)
        except UNREADABLE as err:
            yield unreadable(source, label, err)


def iter_source_batch(
    source: str, batch_dir: str | Path, progress: bool = True, workers: int | None = None,
    chunk_bytes: int = CHUNK_BYTES,
) -> Iterator[ParseResult]:
    """The results of one source's files in one batch, in file and line order, with one byte progress bar."""
    if source not in PARSERS:
        raise ValueError(f"unknown source {source!r}; expected one of {', '.join(SOURCES)}")
    fs, _ = fsspec.core.url_to_fs(str(batch_dir))
    paths = source_files(source, batch_dir)
    sizes = {path: fs.size(path) for path in paths}
    total = sum(sizes.values())
    workers = workers if workers is not None else (default_workers() if total >= _PARALLEL_BYTES else 1)
    if current_process().daemon:  # a daemonic process may not start workers: parse in-process
        workers = 1
    bar = tqdm(total=total, unit="B", unit_scale=True, desc=f"{source} ({len(paths)} files)", disable=not progress)
    with bar:
        if workers <= 1:
            for task in _tasks(source, paths, batch_dir, chunk_bytes):
                yield task if isinstance(task, ParseResult) else run_task(task)
                bar.update(min(task.size if isinstance(task, Task) else 0, total - bar.n))
            return
        # spawn: a forked child of a process running DuckDB or polars threads can deadlock
        with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as pool:
            pending: deque[Future | ParseResult] = deque()
            for task in _tasks(source, paths, batch_dir, chunk_bytes):
                pending.append(task if isinstance(task, ParseResult) else pool.submit(run_task, task))
                while len(pending) > workers + 1:  # one result waiting per worker, and the one being written
                    yield _result(pending.popleft())
                bar.update(min(task.size if isinstance(task, Task) else 0, total - bar.n))
            while pending:
                yield _result(pending.popleft())
        bar.update(total - bar.n)


def _result(item: Future | ParseResult) -> ParseResult:
    return item if isinstance(item, ParseResult) else item.result()


def parse_source_batch(source: str, batch_dir: str | Path, progress: bool = True, workers: int | None = None
                       ) -> ParseResult:
    """All records of one source in one batch as one result (see ``iter_source_batch``)."""
    return ParseResult.concat(list(iter_source_batch(source, batch_dir, progress, workers)))
