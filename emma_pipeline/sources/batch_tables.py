"""One source of one ingest batch parsed straight into two Parquet tables (listings, quarantine), chunk by chunk, so
peak memory stays a few chunks however large the batch; the lake then takes each table in one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from emma_pipeline.sources.batch import iter_source_batch
from emma_pipeline.sources.records import LISTING_SCHEMA, QUARANTINE_SCHEMA
from emma_pipeline.warehouse.parquet_table import ParquetTable, ParquetTableWriter


@dataclass(frozen=True)
class BatchTables:
    listings: ParquetTable
    quarantine: ParquetTable
    records_in: int
    records_ok: int
    files: int  # files that gave at least one listing
    reason_codes: pl.DataFrame  # one row per quarantine row: reason_code (the reason up to its first ":")


def write_source_batch(source: str, batch_dir: str | Path, folder: str | Path, progress: bool = True) -> BatchTables:
    """Parse ``source`` of ``batch_dir`` into ``<folder>/<source>_{listings,quarantine}.parquet``."""
    folder = Path(folder)
    listings = ParquetTableWriter(folder / f"{source}_listings.parquet", LISTING_SCHEMA)
    quarantine = ParquetTableWriter(folder / f"{source}_quarantine.parquet", QUARANTINE_SCHEMA)
    records_in = records_ok = 0
    files: set[str] = set()
    codes: list[pl.DataFrame] = []
    for part in iter_source_batch(source, batch_dir, progress=progress):
        listings.write(part.listings)
        quarantine.write(part.quarantine)
        records_in, records_ok = records_in + part.records_in, records_ok + part.records_ok
        files.update(part.listings["file"].unique().to_list())
        codes.append(part.quarantine.select(pl.col("reason").str.split(":").list.first().alias("reason_code")))
    reason_codes = pl.concat(codes) if codes else pl.DataFrame(schema={"reason_code": pl.Utf8})
    return BatchTables(listings.close(), quarantine.close(), records_in, records_ok, len(files), reason_codes)
