"""Plain Parquet files, one file set per split, byte-identical for identical rows.

Determinism: rows are sorted by ``asin`` within a split, shard boundaries depend only on the row count, and the
writer settings are fixed here (the Parquet footer names the pyarrow version, pinned in pyproject.toml); nothing
time-dependent is written. Types are plain Arrow types (``string``, ``list``) that any Parquet reader and the
Hugging Face ``datasets`` loader read.
"""

from __future__ import annotations

import math
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

DATA_DIR = "data"
ROWS_PER_SHARD = 100_000  # ~100 MB at 182 material probabilities per row: well under the Hub's advice per file
ROW_GROUP_ROWS = 10_000
WRITER = {"compression": "zstd", "compression_level": 3, "use_dictionary": True, "write_statistics": True,
          "version": "2.6", "data_page_version": "1.0", "row_group_size": ROW_GROUP_ROWS}  # fmt: skip


def shard_names(split: str, rows: int, rows_per_shard: int = ROWS_PER_SHARD) -> list[str]:
    """``data/<split>-00000-of-00002.parquet``, ... (the Hub's naming); an empty split gets no file."""
    n = math.ceil(rows / rows_per_shard)
    return [f"{DATA_DIR}/{split}-{i:05d}-of-{n:05d}.parquet" for i in range(n)]


def split_files(frame: pl.DataFrame, rows_per_shard: int = ROWS_PER_SHARD) -> dict[str, list[str]]:
    """The file names each split of ``frame`` is written to, splits in name order."""
    counts = dict(frame.group_by("split").len().iter_rows())
    return {split: shard_names(split, counts[split], rows_per_shard) for split in sorted(counts)}


def write_splits(frame: pl.DataFrame, out: Path, rows_per_shard: int = ROWS_PER_SHARD) -> dict[str, list[str]]:
    """Write ``frame`` under ``out/data/``, one file set per split; returns the relative paths per split."""
    if frame["split"].null_count():
        raise ValueError(f"{frame['split'].null_count()} rows have no split: every published object needs one")
    files = split_files(frame, rows_per_shard)
    (out / DATA_DIR).mkdir(parents=True, exist_ok=True)
    schema = plain_schema(frame)
    for split, names in files.items():
        rows = frame.filter(pl.col("split") == split).sort("asin")
        for i, name in enumerate(names):
            part = rows.slice(i * rows_per_shard, rows_per_shard)
            # one contiguous chunk per column: the pages written do not depend on how the frame was assembled
            pq.write_table(part.rechunk().to_arrow().cast(schema).combine_chunks(), out / name, **WRITER)
    return files


def plain_schema(frame: pl.DataFrame) -> pa.Schema:
    """The frame's Arrow schema with large/view strings and lists made plain."""
    return pa.schema([pa.field(f.name, _plain(f.type), nullable=True) for f in frame.head(0).to_arrow().schema])


def _plain(t: pa.DataType) -> pa.DataType:
    if pa.types.is_large_string(t) or pa.types.is_string_view(t):
        return pa.string()
    if pa.types.is_large_binary(t) or pa.types.is_binary_view(t):
        return pa.binary()
    if pa.types.is_large_list(t) or pa.types.is_list_view(t) or pa.types.is_large_list_view(t) or pa.types.is_list(t):
        return pa.list_(_plain(t.value_type))
    if pa.types.is_fixed_size_list(t):
        return pa.list_(_plain(t.value_type), t.list_size)
    if pa.types.is_struct(t):
        return pa.struct([pa.field(f.name, _plain(f.type)) for f in t])
    return t
