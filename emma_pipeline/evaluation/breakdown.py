"""Recall per kind of planted defect: which variants of a defect the cleaning stage catches and which it misses.

The headline figures (``join_eval``, ``dedup_eval``, ``filters_eval``) average over every planted defect; this
splits them by how hard the generator made each one, from ground-truth columns a sample may or may not carry
(an older sample without them simply yields fewer keys):

- hijacks and text-image mismatches by what the other product is (``hijack_kind``, ``mismatch_kind``):
  ``same_kind`` (another product of the same archetype), ``same_category`` (same department), ``other``;
- duplicate twins by how their picture was derived from their twin's (``image_edit``) and how the title was
  edited (``title_edit``);
- non-physical listings by archetype, removed for any reason (``_any``) and as ``non_physical``.
"""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl


def _rates(frame: pl.DataFrame, by: str, hit: str, prefix: str) -> dict[str, float]:
    rows = frame.group_by(by).agg(pl.col(hit).mean().alias("rate"), pl.len().alias("n")).sort(by)
    return {f"{prefix}_{key}_recall (n={n})": float(rate) for key, rate, n in rows.iter_rows()}


def recall_by_kind(truth: pl.DataFrame, removals: pl.DataFrame, joined: Iterable[str]) -> dict[str, float]:
    """``truth``: ground-truth rows; ``removals``: the removals table (all stages); ``joined``: ASINs that passed
    the join (the dedup and filter denominators)."""
    truth = truth.unique("asin", keep="last", maintain_order=True)
    out: dict[str, float] = {}
    reason = dict(removals.select("asin", "reason").iter_rows())
    stage = dict(removals.select("asin", "stage").iter_rows())
    if "hijack_kind" in truth.columns:
        hijacked = truth.filter(pl.col("hijacked")).with_columns(
            hit=pl.col("asin").replace_strict(reason, default="") == "hijacked")
        out |= _rates(hijacked, "hijack_kind", "hit", "hijack")
    joined_truth = truth.join(pl.DataFrame({"asin": list(joined)}, schema={"asin": pl.Utf8}), on="asin", how="semi")
    if "mismatch_kind" in truth.columns:
        mismatched = joined_truth.filter(pl.col("text_image_mismatch")).with_columns(
            hit=pl.col("asin").replace_strict(reason, default="") == "text_image_mismatch")
        out |= _rates(mismatched, "mismatch_kind", "hit", "mismatch")
    out |= _twins(joined_truth, removals)
    digital = joined_truth.filter(pl.col("non_physical")).with_columns(
        any=pl.col("asin").replace_strict(stage, default="") == "filters",
        rule=pl.col("asin").replace_strict(reason, default="") == "non_physical")
    out |= _rates(digital, "archetype", "any", "non_physical_any")
    out |= _rates(digital, "archetype", "rule", "non_physical")
    return out


def _twins(joined_truth: pl.DataFrame, removals: pl.DataFrame) -> dict[str, float]:
    """A twin is caught when a dedup removal pairs it with another listing of its group (either way round)."""
    group = dict(joined_truth.select("asin", "dup_group").iter_rows())
    pairs = removals.filter(pl.col("stage") == "dedup").select("asin", "kept_twin").iter_rows()
    paired = {a for pair in pairs for a in pair if group.get(pair[0]) is not None
              and group.get(pair[0]) == group.get(pair[1])}
    twins = joined_truth.filter(pl.col("is_exact_dup") | pl.col("is_near_dup")).with_columns(
        hit=pl.col("asin").is_in(list(paired)))
    out: dict[str, float] = {}
    for column in ("image_edit", "title_edit"):
        if column in twins.columns:
            out |= _rates(twins.with_columns(pl.col(column).fill_null("none")), column, "hit", f"twin_{column}")
    return out
