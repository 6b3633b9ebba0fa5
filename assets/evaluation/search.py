"""Product search evaluation on the embedded sample (the eProduct protocol; only where ground truth exists)."""

import numpy as np
import polars as pl
from dagster import AssetExecutionContext, MetadataValue, Output, asset

from emma_pipeline.embeddings import as_matrix
from emma_pipeline.encoders.image_encoder import has_embedding
from emma_pipeline.materials import load_taxonomy
from emma_pipeline.object_embedding import FittedEmbedding
from emma_pipeline.object_embedding.inputs import listing_features
from emma_pipeline.object_embedding.store import model_path
from emma_pipeline.search import diverse_queries, query_set
from emma_pipeline.search.compare import compare_embeddings
from resources.folders import OutputFolders
from resources.ground_truth import GroundTruth

MAX_QUERIES = 400


@asset(group_name="evaluation", kinds={"duckdb"})
def search_evaluation(
    context: AssetExecutionContext, object_embeddings: pl.DataFrame, object_categories: pl.DataFrame,
    removals: pl.DataFrame, joined_listings: pl.DataFrame, category_tree: pl.DataFrame, product_types: pl.DataFrame,
    text_embeddings: pl.DataFrame, image_embeddings: pl.DataFrame, ground_truth: GroundTruth, folders: OutputFolders,
) -> Output[pl.DataFrame]:  # fmt: skip
    """Macro Recall@1/5/10 of the object embedding against the raw text and raw image embeddings, one query set:
    listings of the same product as an indexed object (removed duplicates and twins dedup missed), drawn
    round-robin over leaf categories; every object is indexed, so the query's own category supplies the hard
    distractors."""
    truth = ground_truth.load()
    empty = pl.DataFrame(schema={"embedding": pl.Utf8, "k": pl.Int32, "macro_recall": pl.Float64,
                                 "queries": pl.Int64, "indexed": pl.Int64})  # fmt: skip
    if truth is None or object_embeddings.is_empty():
        return Output(empty, metadata={"note": "no ground truth or no objects"})
    version = object_embeddings["model_version"][0]
    fitted = FittedEmbedding.load(model_path(folders.object_models_dir, version))
    asins = object_embeddings["asin"].to_list()
    leaf = object_categories.select("asin", pl.col("category_ids").list.last().alias("leaf_category"))
    objects = pl.DataFrame({"asin": asins}).join(leaf, on="asin", how="left")
    duplicates = removals.filter(pl.col("stage") == "dedup").select("asin").unique()
    removed_rows = joined_listings.join(duplicates, on="asin", how="semi")
    removed_features = listing_features(removed_rows, category_tree, product_types, text_embeddings,
                                        image_embeddings, load_taxonomy())  # fmt: skip
    removed = pl.DataFrame({"asin": removed_features.asins,
                            "leaf_category": removed_features.categorical["category"] - 1})  # fmt: skip
    queries = diverse_queries(query_set(objects, removed, truth), MAX_QUERIES, seed=0)
    context.log.info(f"{queries.height} queries ({queries['is_object'].sum()} are objects dedup kept twice)")

    object_vectors = as_matrix(object_embeddings, asins)
    removed_vectors = fitted.embed(removed_features)
    object_row = {a: i for i, a in enumerate(asins)}
    removed_row = {a: i for i, a in enumerate(removed_features.asins)}
    query_asins = queries["asin"].to_list()
    image_ok = _has_image(image_embeddings)
    vectors = {
        "object_embedding": np.stack([object_vectors[object_row[a]] if a in object_row else
                                      removed_vectors[removed_row[a]] for a in query_asins]),
        "text_pretrained": as_matrix(text_embeddings, query_asins),
        "image_pretrained": as_matrix(image_embeddings, query_asins) * np.array([image_ok.get(a, False) for a in query_asins])[:, None],
    }  # fmt: skip
    indexed = {
        "object_embedding": (asins, object_vectors, np.ones(len(asins), dtype=bool)),
        "text_pretrained": (asins, as_matrix(text_embeddings, asins), np.ones(len(asins), dtype=bool)),
        "image_pretrained": (asins, as_matrix(image_embeddings, asins), np.array([image_ok.get(a, False) for a in asins])),
    }  # fmt: skip
    table = compare_embeddings(indexed, query_asins, [set(m) for m in queries["matches"].to_list()], vectors)
    figures = {f"mar{k}_{name.split('_')[0]}": v for name, k, v in table.select("embedding", "k", "macro_recall").iter_rows()}
    lines = ["| embedding | R@1 | R@5 | R@10 | object − this, R@1 / R@10 [95 %] |",
             "| --- | --- | --- | --- | --- |"]
    for name in indexed:
        got = table.filter(pl.col("embedding") == name).sort("k")
        gaps = [f"{g:+.3f} [{lo:+.3f}, {hi:+.3f}]" for k, g, lo, hi in got.select("k", "gap_of_reference", "gap_low", "gap_high").iter_rows()
                if g is not None and k in (1, 10)]  # fmt: skip
        lines.append(f"| {name} | " + " | ".join(f"{v:.3f}" for v in got["macro_recall"]) + f" | {' / '.join(gaps) or '—'} |")
    return Output(table, metadata={**{k: MetadataValue.float(v) for k, v in figures.items()},
                                   "queries": queries.height, "recall_table": MetadataValue.md("\n".join(lines))})  # fmt: skip


def _has_image(image_embeddings: pl.DataFrame) -> dict[str, bool]:
    return {a: has_embedding(r) for a, r in image_embeddings.select("asin", "reason").iter_rows()}
