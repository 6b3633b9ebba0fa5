"""The removals table: every object a stage drops, with the stage, a stable reason code, and a readable detail."""

from __future__ import annotations

import polars as pl

REMOVALS_SCHEMA: dict[str, pl.DataType] = {
    "asin": pl.Utf8,
    "stage": pl.Utf8,  # join | dedup | filters | ...
    "reason": pl.Utf8,  # stable code, e.g. hijacked, near_duplicate, no_title
    "detail": pl.Utf8,  # human-readable evidence
    "kept_twin": pl.Utf8,  # for duplicates: the ASIN kept in its place
}


def removals_frame(rows: list[dict]) -> pl.DataFrame:
    return pl.DataFrame([{k: r.get(k) for k in REMOVALS_SCHEMA} for r in rows], schema=REMOVALS_SCHEMA)
