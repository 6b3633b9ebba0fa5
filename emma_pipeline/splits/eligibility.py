"""Who may enter which held-out split (paper section 3.1), and the seeded ASIN order candidates are drawn in."""

from __future__ import annotations

import hashlib

import numpy as np
import polars as pl

REQUIRED_COLUMNS = ("asin", "mass_kg", "price_usd", "materials_raw", "category_path", "review_count", "image_urls")


def _non_empty(column: str) -> pl.Expr:
    return (pl.col(column).list.len() > 0).fill_null(False)


def has_materials() -> pl.Expr:
    """Calibration candidates: the paper calibrates the materials model on them, so they need material strings."""
    return _non_empty("materials_raw")


def is_complete() -> pl.Expr:
    """Val/test candidates: "all attributes filled-in and ... more than one image and more than one review"."""
    return (
        pl.col("mass_kg").is_not_null()
        & pl.col("price_usd").is_not_null()
        & has_materials()
        & _non_empty("category_path")
        & (pl.col("review_count") > 1).fill_null(False)
        & (pl.col("image_urls").list.len() > 1).fill_null(False)
    )


def check_objects(objects: pl.DataFrame) -> None:
    """Raise ValueError when the objects table cannot be split: missing columns, or null or repeated ASINs."""
    missing = [c for c in REQUIRED_COLUMNS if c not in objects.columns]
    if missing:
        raise ValueError(f"objects lack column(s) {missing} needed to choose splits")
    if objects["asin"].null_count():
        raise ValueError("objects contain null ASINs")
    if objects["asin"].n_unique() != objects.height:
        dupes = objects.filter(pl.col("asin").is_duplicated())["asin"].unique().sort().head(5).to_list()
        raise ValueError(f"objects must have one row per ASIN; repeated: {dupes}")


def draw_order(asins: pl.Series, seed: int) -> np.ndarray:
    """Row indices ordered by a seeded hash of the ASIN: the same ASIN ranks the same whatever the row order or
    the other rows, which is what keeps a rebuild's new draws independent of how listings arrived."""
    ranks = [int.from_bytes(hashlib.blake2b(f"{seed}:{a}".encode(), digest_size=8).digest(), "big") for a in asins]
    frame = pl.DataFrame({"row": np.arange(len(asins)), "rank": pl.Series(ranks, dtype=pl.UInt64), "asin": asins})
    return frame.sort("rank", "asin")["row"].to_numpy()
