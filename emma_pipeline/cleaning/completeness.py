"""How complete an object is, and which of several duplicate listings to keep (the paper keeps "the entry with
the most attributes filled in")."""

from __future__ import annotations

import numpy as np
import polars as pl

ATTRIBUTE_COLUMNS = (
    "title", "features", "description", "image_urls", "mass_kg", "price_usd", "dimensions_cm", "category_path",
    "product_type", "materials_raw", "rating_hist",
)  # fmt: skip


def attribute_count_expr(schema: pl.Schema) -> pl.Expr:
    """Number of filled attributes per row; empty strings and empty lists count as missing, absent columns as 0."""
    filled = [_filled(name, schema[name]).cast(pl.Int64) for name in ATTRIBUTE_COLUMNS if name in schema]
    return pl.sum_horizontal(filled) if filled else pl.lit(0, dtype=pl.Int64)


def attribute_counts(objects: pl.DataFrame) -> np.ndarray:
    return objects.select(attribute_count_expr(objects.schema).alias("n"))["n"].to_numpy().astype(np.int64)


def preference_rank(objects: pl.DataFrame) -> np.ndarray:
    """Per row its rank (0 = keep first): most attributes, then more images, more reviews, smallest ASIN.

    The order is total (ASINs are unique), so which duplicate is kept never depends on row order.
    """
    schema = objects.schema
    images = pl.col("image_urls").list.len().fill_null(0) if "image_urls" in schema else pl.lit(0)
    reviews = pl.col("review_count").fill_null(0) if "review_count" in schema else pl.lit(0)
    order = (
        objects.select(
            attribute_count_expr(schema).alias("attributes"), images.alias("images"), reviews.alias("reviews"),
            pl.col("asin"),
        )
        .with_row_index("row")
        .sort(["attributes", "images", "reviews", "asin"], descending=[True, True, True, False])["row"]
        .to_numpy()
    )
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    return rank


def _filled(name: str, dtype: pl.DataType) -> pl.Expr:
    column = pl.col(name)
    if isinstance(dtype, pl.List):
        return column.is_not_null() & (column.list.len() > 0)
    if dtype == pl.Utf8:
        return column.is_not_null() & (column.str.strip_chars() != "")
    return column.is_not_null()
