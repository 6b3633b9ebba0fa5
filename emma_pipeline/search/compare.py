"""Compare embeddings on one query set: for each, index every object, ask each query for its top k (never itself)
and score macro Recall@k against the query's true matches."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl

from emma_pipeline.search.evaluation import paired_mean_gap, query_recalls
from emma_pipeline.search.product_search import ProductSearch

KS = (1, 5, 10)
REFERENCE = "object_embedding"  # what the other embeddings are compared with


def neighbor_table(search: ProductSearch, k: int) -> pl.DataFrame:
    """Top-k other objects per indexed object: asin, rank (1 = nearest), neighbor_asin, similarity."""
    asins = search.attributes["asin"].to_list()
    rows: dict[str, list] = {"asin": [], "rank": [], "neighbor_asin": [], "similarity": []}
    vectors = search.vectors_of(asins)
    found, sims = search.index.search(vectors, k + 1)
    for asin, hits, scores in zip(asins, found, sims):
        neighbors = [(h, s) for h, s in zip(hits, scores) if h is not None and h != asin][:k]
        for rank, (hit, score) in enumerate(neighbors, start=1):
            rows["asin"].append(asin)
            rows["rank"].append(rank)
            rows["neighbor_asin"].append(hit)
            rows["similarity"].append(float(score))
    schema = {"asin": pl.Utf8, "rank": pl.Int32, "neighbor_asin": pl.Utf8, "similarity": pl.Float32}
    return pl.DataFrame(rows, schema=schema)


def compare_embeddings(embeddings: dict[str, tuple[list[str], np.ndarray, np.ndarray]],
                       query_asins: Sequence[str], matches: Sequence[set[str]],
                       query_vectors: dict[str, np.ndarray], reference: str = REFERENCE) -> pl.DataFrame:  # fmt: skip
    """``embeddings``: name -> (object asins, vectors, usable flags); ``query_vectors``: name -> (queries, dim)
    with a zero row where a query has no such vector (it then finds nothing). One row per (embedding, k), with
    ``reference`` minus that embedding on the same queries and its 95 % paired-bootstrap interval (null on the
    reference's own rows)."""
    recalls: dict[str, dict[int, np.ndarray]] = {}
    indexed: dict[str, int] = {}
    for name, (asins, vectors, usable) in embeddings.items():
        keep = np.flatnonzero(usable)
        indexed[name] = len(keep)
        attributes = pl.DataFrame({"asin": [asins[i] for i in keep]})
        search = ProductSearch.build([asins[i] for i in keep], vectors[keep], attributes.with_columns(
            pl.lit(None, dtype=pl.List(pl.Int64)).alias("category_ids"),
            pl.lit(None, dtype=pl.List(pl.Int64)).alias("material_ids"),
            pl.lit(None, dtype=pl.Float64).alias("price_usd")), model_version=name)  # fmt: skip
        ranked = []
        for asin, vector in zip(query_asins, query_vectors[name]):
            if not np.any(vector):
                ranked.append([])
                continue
            ranked.append([hit for hit, _ in search.search(vector, max(KS), exclude=(asin,))])
        recalls[name] = {k: query_recalls(ranked, list(matches), k) for k in KS}
    rows = []
    for name, by_k in recalls.items():
        for k, values in by_k.items():
            gap = paired_mean_gap(recalls[reference][k], values) if reference in recalls and name != reference else (None,) * 3
            rows.append({"embedding": name, "k": k, "macro_recall": float(values.mean()) if values.size else float("nan"),
                         "queries": len(values), "indexed": indexed[name],
                         "gap_of_reference": gap[0], "gap_low": gap[1], "gap_high": gap[2]})  # fmt: skip
    return pl.DataFrame(rows, schema={"embedding": pl.Utf8, "k": pl.Int32, "macro_recall": pl.Float64,
                                      "queries": pl.Int64, "indexed": pl.Int64, "gap_of_reference": pl.Float64,
                                      "gap_low": pl.Float64, "gap_high": pl.Float64})  # fmt: skip
