"""How well duplicate detection did on the generated sample, measured against its hidden ground truth.

Scored per removed listing, the decision a user sees (not per pair):

- a removal is correct when the removed ASIN and its kept twin are one product in the truth (same
  ``product_id``; a shared ``dup_group`` implies it). A removal naming an ASIN the truth does not know is wrong.
- ``dedup_precision`` = correct removals / removals.
- ``dedup_recall`` = true duplicates removed correctly / true duplicates, where a true group is the set of
  listings sharing a ``dup_group`` and its true duplicates are all its listings but one (one is kept). Per
  group at most size - 1 removals count, so a group emptied through a wrong twin gains nothing.

Pass the truth rows of the ASINs that entered dedup (a listing the join already discarded cannot be found);
an ASIN listed in several batches counts once.
"""

from __future__ import annotations

import polars as pl


def evaluate_dedup(groups: pl.DataFrame, removals: pl.DataFrame, truth: pl.DataFrame) -> dict[str, float]:
    truth = truth.unique("asin", keep="last", maintain_order=True).select("asin", "product_id", "dup_group")
    dedup = removals.filter(pl.col("stage") == "dedup").select("asin", "kept_twin")
    scored = (
        dedup.join(truth, on="asin", how="left")
        .join(truth.rename({"asin": "kept_twin", "product_id": "twin_product", "dup_group": "twin_group"}),
              on="kept_twin", how="left")
        .with_columns(
            correct=(pl.col("product_id") == pl.col("twin_product")).fill_null(False)
            | (pl.col("dup_group") == pl.col("twin_group")).fill_null(False)
        )
    )
    correct = int(scored["correct"].sum())
    sizes = truth.filter(pl.col("dup_group").is_not_null()).group_by("dup_group").agg(pl.len().alias("size"))
    true_duplicates = int((sizes["size"] - 1).sum())
    caught_per_group = (
        scored.filter(pl.col("correct") & (pl.col("dup_group") == pl.col("twin_group")))
        .group_by("dup_group")
        .agg(pl.len().alias("caught"))
        .join(sizes, on="dup_group")
        .select(pl.min_horizontal("caught", pl.col("size") - 1).alias("caught"))
    )
    caught = int(caught_per_group["caught"].sum())
    purity = groups.join(truth.select("asin", "product_id"), on="asin", how="left").group_by("group_id").agg(
        pure=(pl.col("product_id").n_unique() == 1) & pl.col("product_id").is_not_null().all(), size=pl.len()
    )
    return {
        "dedup_removals": dedup.height,
        "dedup_correct_removals": correct,
        "dedup_precision": correct / dedup.height if dedup.height else 1.0,
        "dedup_true_duplicates": true_duplicates,
        "dedup_duplicates_caught": caught,
        "dedup_recall": caught / true_duplicates if true_duplicates else 1.0,
        "dedup_groups": purity.height,
        "dedup_pure_group_fraction": float(purity["pure"].mean()) if purity.height else 1.0,
        "dedup_max_group_size": int(purity["size"].max()) if purity.height else 0,
    }
