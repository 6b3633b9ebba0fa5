"""Parse every file one source holds in one ingest batch (a local folder or an fsspec URL such as s3://...).

A batch folder holds one sub-folder per source (``ucsd/``, ``image2mass/``, ``aspa/``); a missing sub-folder
is an empty result. Files are parsed in sorted order, recursively, skipping hidden files and README /
PROVENANCE / LICENSE notes. The ``file`` column names each file relative to the batch folder's parent
(``batch-0001/ucsd/meta_Toys.json.gz``), so it says which batch and source a row came from. A damaged ``.gz``
keeps its records before the damage and quarantines the rest as one row (``files``); a file that cannot be read
at all (storage errors) becomes one quarantine row instead of failing the batch.
"""

from __future__ import annotations

import gzip
import posixpath
import zlib
from collections.abc import Callable
from pathlib import Path

import fsspec
import polars as pl
from fsspec.implementations.local import LocalFileSystem
from tqdm.auto import tqdm

from emma_pipeline.sources.aspa import parse_aspa_file
from emma_pipeline.sources.fields import QuarantineBuffer
from emma_pipeline.sources.files import Progress
from emma_pipeline.sources.image2mass import parse_image2mass_file
from emma_pipeline.sources.records import ParseResult
from emma_pipeline.sources.ucsd import parse_ucsd_file

SOURCES = ("ucsd", "image2mass", "aspa")
_PARSERS: dict[str, Callable[[str, Progress | None], ParseResult]] = {
    "ucsd": parse_ucsd_file,
    "image2mass": parse_image2mass_file,
    "aspa": parse_aspa_file,
}
_NOTE_PREFIXES = ("readme", "provenance", "license", "licence")
_UNREADABLE = (OSError, EOFError, zlib.error, gzip.BadGzipFile, UnicodeError)


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


def _label(path: str, batch_dir: str | Path) -> str:
    """``path`` relative to the parent of ``batch_dir`` (``<batch>/<source>/<file>``)."""
    _, root = fsspec.core.url_to_fs(str(batch_dir))
    _, inner = fsspec.core.url_to_fs(path)
    return posixpath.relpath(inner, posixpath.dirname(root.rstrip("/")))


def _relabel(result: ParseResult, label: str) -> ParseResult:
    return ParseResult(
        listings=result.listings.with_columns(file=pl.lit(label, dtype=pl.Utf8)),
        quarantine=result.quarantine.with_columns(file=pl.lit(label, dtype=pl.Utf8)),
        records_in=result.records_in,
        records_ok=result.records_ok,
    )


def _unreadable(source: str, label: str, err: Exception) -> ParseResult:
    quarantine = QuarantineBuffer(source, label)
    quarantine.add(None, None, "", f"unreadable_file: {type(err).__name__}: {err}")
    return ParseResult(quarantine=quarantine.frame(), records_in=1, records_ok=0)


def parse_source_batch(source: str, batch_dir: str | Path, progress: bool = True) -> ParseResult:
    """All records of one source in one batch, with one byte progress bar over all its files."""
    if source not in _PARSERS:
        raise ValueError(f"unknown source {source!r}; expected one of {', '.join(SOURCES)}")
    parse = _PARSERS[source]
    fs, _ = fsspec.core.url_to_fs(str(batch_dir))
    paths = source_files(source, batch_dir)
    results = []
    total = sum(fs.size(path) for path in paths)
    with tqdm(total=total, unit="B", unit_scale=True, desc=f"{source} ({len(paths)} files)", disable=not progress) as bar:
        for path in paths:
            label = _label(path, batch_dir)
            bar.set_postfix_str(posixpath.basename(path), refresh=False)
            start = bar.n
            try:
                result = _relabel(parse(path, bar.update), label)
            except _UNREADABLE as err:
                result = _unreadable(source, label, err)
            bar.update(start + fs.size(path) - bar.n)  # a parser may report compressed or partial progress
            results.append(result)
    return ParseResult.concat(results)
