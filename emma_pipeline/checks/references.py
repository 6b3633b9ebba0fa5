"""Ids a table refers to exist in the table that defines them (material ids in the taxonomy, category and
product-type ids in their vocabularies)."""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

from emma_pipeline.checks.outcome import CheckOutcome, outcome


def ids_known(rows: pl.DataFrame, column: str, known: Iterable[int], key: str = "asin") -> CheckOutcome:
    """``rows[column]``: an id or a list of ids per row (null: none). Offending rows are named by ``key``; the
    ``unknown_ids`` sample names the ids themselves."""
    known_ids = set(known)
    ids = rows.select(key, pl.col(column).alias("_id"))
    if isinstance(rows.schema[column], pl.List):
        ids = ids.explode("_id")
    ids = ids.filter(pl.col("_id").is_not_null())
    bad = ids.filter(~pl.col("_id").is_in(list(known_ids)))
    return outcome(
        {"rows": rows.height, "ids_referenced": ids.height, "ids_known": len(known_ids)},
        {f"rows_with_unknown_{column}": set(bad[key].to_list()), "unknown_ids": set(bad["_id"].to_list())},
    )
