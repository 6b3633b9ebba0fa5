"""How well the filter chain did on the generated sample, measured against its hidden ground truth."""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

# filter reason -> the ground-truth condition it should catch (None: the generator plants no such defect)
TRUTH_OF_REASON: dict[str, pl.Expr | None] = {
    "no_title": pl.col("missing_title"),
    "no_image": pl.col("missing_image"),
    "no_core_attributes": ~(pl.col("listed_mass") | pl.col("listed_materials") | pl.col("listed_category")),
    "non_physical": pl.col("non_physical"),
    "generic_image": None,
    "text_image_mismatch": pl.col("text_image_mismatch"),
}


def evaluate_filters(
    removals: pl.DataFrame, truth: pl.DataFrame, asins: Iterable[str] | None = None
) -> dict[str, float | int]:
    """Per reason: ``<reason>_removed``, ``_planted``, ``_precision`` (removed with that reason and truly so),
    ``_recall`` (planted and removed with that reason) and ``_recall_any`` (planted and removed for any reason).

    ``removals``: the filter stage's rows (other stages' rows are ignored). ``asins``: the objects that entered
    the filters; when given, truth is restricted to them so defects removed earlier (dedup, join) do not count
    as misses. Fractions are nan when undefined (nothing removed, nothing planted).
    """
    filtered = removals.filter(pl.col("stage") == "filters").select("asin", "reason")
    if asins is not None:
        truth = truth.join(pl.DataFrame({"asin": list(asins)}, schema={"asin": pl.Utf8}), on="asin", how="semi")
    removed_any = set(filtered["asin"].to_list())
    metrics: dict[str, float | int] = {"objects_scored": truth.height, "removed_total": len(removed_any)}
    for reason, condition in TRUTH_OF_REASON.items():
        removed = set(filtered.filter(pl.col("reason") == reason)["asin"].to_list())
        metrics[f"{reason}_removed"] = len(removed)
        if condition is None:
            continue
        planted = set(truth.filter(condition.fill_null(False))["asin"].to_list())
        metrics[f"{reason}_planted"] = len(planted)
        metrics[f"{reason}_precision"] = _fraction(len(removed & planted), len(removed))
        metrics[f"{reason}_recall"] = _fraction(len(removed & planted), len(planted))
        metrics[f"{reason}_recall_any"] = _fraction(len(removed_any & planted), len(planted))
    return metrics


def _fraction(part: int, whole: int) -> float:
    return part / whole if whole else float("nan")
