"""Which ASINs a new batch makes the join redo: those whose source records changed (new records, a changed
record, a record gone), found by a per-ASIN hash of all its source records.

The join of one ASIN depends on that ASIN's records only, so re-joining just the touched ASINs and replacing
their rows by key gives the same tables as a full join. The hash is polars' (seeded) row hash: a polars
upgrade that changes it costs one full re-join, never a wrong row.
"""

from __future__ import annotations

import polars as pl

from emma_pipeline.warehouse.keyed_update import changed_keys

STATE_COLUMNS = ("asin", "source_hash")


def source_hashes(listings: pl.DataFrame) -> pl.DataFrame:
    """asin, source_hash: one hash of every source record (all columns, batch included) of each ASIN."""
    columns = sorted(listings.columns)
    rows = listings.filter(pl.col("asin").is_not_null()).select(
        "asin", pl.struct(columns).hash(seed=0).alias("_row_hash")
    )
    return (
        rows.group_by("asin")
        .agg(pl.col("_row_hash").sort())
        .select("asin", pl.col("_row_hash").hash(seed=0).cast(pl.Utf8).alias("source_hash"))
        .sort("asin")
    )


def touched_asins(hashes: pl.DataFrame, previous: pl.DataFrame | None) -> tuple[list[str], list[str]]:
    """ASINs to re-join (new or changed records) and ASINs whose records are all gone; everything is touched
    without a previous join state."""
    return changed_keys(hashes, previous, "asin", "source_hash")
