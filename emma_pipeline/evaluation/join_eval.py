"""How well the join did on the generated sample, measured against its hidden ground truth."""

from __future__ import annotations

import polars as pl


def evaluate_join(objects: pl.DataFrame, removals: pl.DataFrame, truth: pl.DataFrame) -> dict[str, float]:
    """Hijack detection recall/precision and how many clean ASINs were wrongly discarded; plus the price and mass
    agreement of joined objects with the truth (fraction within 5 %)."""
    removed = set(removals.filter(pl.col("reason") == "hijacked")["asin"].to_list())
    hijacked = set(truth.filter(pl.col("hijacked"))["asin"].to_list())
    caught = len(removed & hijacked)
    matched = objects.select("asin", "price_usd", "mass_kg").join(
        truth.select("asin", pl.col("price_usd").alias("true_price"), pl.col("mass_kg").alias("true_mass")),
        on="asin",
    )
    return {
        "hijacks_injected": len(hijacked),
        "hijacks_caught": caught,
        "hijack_recall": caught / len(hijacked) if hijacked else 1.0,
        "hijack_precision": caught / len(removed) if removed else 1.0,
        "clean_asins_wrongly_discarded": len(removed - hijacked),
        "price_within_5pct": _within(matched, "price_usd", "true_price"),
        "mass_within_5pct": _within(matched, "mass_kg", "true_mass"),
    }


def _within(frame: pl.DataFrame, column: str, truth: str, tolerance: float = 0.05) -> float:
    both = frame.filter(pl.col(column).is_not_null() & pl.col(truth).is_not_null() & (pl.col(truth) > 0))
    if both.is_empty():
        return float("nan")
    return float(((pl.col(column) / pl.col(truth) - 1).abs() <= tolerance).mean().alias("x").pipe(both.select).item())
