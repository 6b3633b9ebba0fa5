"""Search evaluation the eProduct way: queries are listings of a product that the index holds as another
object; macro Recall@k averages, over queries, the share of the top k that are true matches, out of
g = min(k, number of true matches). Queries are drawn round-robin over leaf categories so no category dominates,
and the index holds every object, so each query's own leaf category supplies the hard distractors."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl


def recall_at_k(ranked: Sequence[str], matches: set[str], k: int) -> float:
    """Share of the top k that are matches, out of min(k, |matches|)."""
    if not matches:
        raise ValueError("a query needs at least one true match")
    return sum(1 for asin in ranked[:k] if asin in matches) / min(k, len(matches))


def query_recalls(ranked: Sequence[Sequence[str]], matches: Sequence[set[str]], k: int) -> np.ndarray:
    """Recall@k of every query, in query order."""
    if len(ranked) != len(matches):
        raise ValueError(f"{len(ranked)} result lists for {len(matches)} queries")
    return np.array([recall_at_k(r, m, k) for r, m in zip(ranked, matches)], dtype=np.float64)


def macro_recall(ranked: Sequence[Sequence[str]], matches: Sequence[set[str]], ks: Sequence[int] = (1, 5, 10)) -> dict[int, float]:
    recalls = {k: query_recalls(ranked, matches, k) for k in ks}
    return {k: float(r.mean()) if r.size else float("nan") for k, r in recalls.items()}


def paired_mean_gap(a: np.ndarray, b: np.ndarray, resamples: int = 2000, seed: int = 0,
               level: float = 0.95) -> tuple[float, float, float]:
    """(mean of a - b, low, high): the ``level`` percentile interval of a paired bootstrap over the queries, so
    one query set says whether one embedding beats another or only drew luckier queries."""
    diff = np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64)
    if diff.size == 0:
        return float("nan"), float("nan"), float("nan")
    draws = np.random.default_rng(seed).choice(diff, size=(resamples, diff.size), replace=True).mean(axis=1)
    low, high = np.percentile(draws, [100 * (1 - level) / 2, 100 * (1 + level) / 2])
    return float(diff.mean()), float(low), float(high)


def diverse_queries(candidates: pl.DataFrame, max_queries: int, seed: int = 0) -> pl.DataFrame:
    """At most ``max_queries`` rows of ``candidates`` (asin, leaf_category, ...), taken round-robin over leaf
    categories in a seeded random order, at most one query per product."""
    if candidates.is_empty():
        return candidates
    shuffled = candidates.sample(fraction=1.0, shuffle=True, seed=seed).unique("product_id", keep="first", maintain_order=True)
    ranked = shuffled.with_columns(pl.int_range(pl.len()).over("leaf_category").alias("_turn"))
    return ranked.sort("_turn", maintain_order=True).head(max_queries).drop("_turn")


def query_set(objects: pl.DataFrame, removed: pl.DataFrame, truth: pl.DataFrame) -> pl.DataFrame:
    """Every listing that is another listing of an indexed object's product, with its true matches.

    ``objects``: asin, leaf_category of the indexed objects; ``removed``: asin, leaf_category of listings that
    are not objects (duplicates dedup removed); ``truth``: asin, product_id (the generator's hidden identity).
    A query that is itself an object (a duplicate dedup missed) does not count itself as a match.
    Returns asin, product_id, leaf_category, is_object, matches (list of object asins).
    """
    product = truth.select("asin", "product_id")
    indexed = objects.join(product, on="asin", how="inner")
    members = indexed.group_by("product_id").agg(pl.col("asin").alias("members"))
    pool = pl.concat([objects.with_columns(pl.lit(True).alias("is_object")),
                      removed.with_columns(pl.lit(False).alias("is_object"))], how="vertical_relaxed")  # fmt: skip
    queries = pool.join(product, on="asin", how="inner").join(members, on="product_id", how="inner")
    queries = queries.with_columns(pl.col("members").list.set_difference(pl.concat_list(pl.col("asin"))).alias("matches"))
    return queries.filter(pl.col("matches").list.len() > 0).select("asin", "product_id", "leaf_category", "is_object", "matches")
