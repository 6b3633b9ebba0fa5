"""Attribute coverage of an object table: the share of objects with each attribute (paper section 3.2)."""

from __future__ import annotations

import polars as pl

# attribute -> expression that is true when the object has it
COVERAGE_RULES: dict[str, pl.Expr] = {
    "mass": pl.col("mass_kg").is_not_null(),
    "price": pl.col("price_usd").is_not_null(),
    "materials": pl.col("materials_raw").list.len().fill_null(0) > 0,
    "category": pl.col("category_path").list.len().fill_null(0) > 0,
    "reviews": pl.col("review_count").fill_null(0) > 0,
    "images": pl.col("image_urls").list.len().fill_null(0) > 0,
}


def coverage(objects: pl.DataFrame) -> dict[str, float]:
    if objects.is_empty():
        return {name: 0.0 for name in COVERAGE_RULES}
    row = objects.select([rule.mean().alias(name) for name, rule in COVERAGE_RULES.items()]).row(0, named=True)
    return {name: round(float(value), 4) for name, value in row.items()}
