"""Product search benchmark: the search evaluation of a built lake (macro Recall@1/5/10 of the object embedding
against the raw text and raw image embeddings, one query set) and query latency, on the built index and on a
synthetic index of ``--synthetic`` vectors (HNSW, unit Gaussian vectors of the embedding's width).

    python -m bench.bench_search                       # after `emma build`; EMMA_HOME picks the lake
    python -m bench.bench_search --synthetic 1000000   # adds the million-vector latency (memory: n x dim x 4 B)

Also the embedding's own figures next to the paper's (standardized reconstruction loss and what linear probes
fitted on the train split recover on val/test objects), recomputed from the model the lake's
``object_embeddings`` records.

Ends with ``RESULT mar10_object=... mar10_text=... mar10_image=... recon_loss=... ms_per_query_sample=...
ms_per_query_synth=...``.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import polars as pl

from emma_pipeline.cleaning.ann_index import IndexParams, VectorIndex
from emma_pipeline.materials import load_taxonomy
from emma_pipeline.object_embedding import PAPER, FittedEmbedding, recovery_report
from emma_pipeline.object_embedding.inputs import object_features
from emma_pipeline.object_embedding.store import model_path
from emma_pipeline.search import ProductSearch, SearchFilter
from emma_pipeline.settings import load_settings
from emma_pipeline.warehouse.lake import Lake


def _latency(search_fn, queries: np.ndarray) -> float:
    start = time.perf_counter()
    for query in queries:
        search_fn(query)
    return (time.perf_counter() - start) / len(queries) * 1000


def synthetic_latency(n: int, dim: int, queries: int = 200, seed: int = 0) -> tuple[float, float]:
    """(build seconds, ms per query) for an HNSW index of n random unit vectors."""
    rng = np.random.default_rng(seed)
    index = VectorIndex.create(dim, IndexParams(exact_limit=0))
    start = time.perf_counter()
    chunk = 100_000
    for first in range(0, n, chunk):
        rows = rng.standard_normal((min(chunk, n - first), dim), dtype=np.float32)
        index.add([f"S{i:010d}" for i in range(first, first + len(rows))], rows)
    built = time.perf_counter() - start
    probe = rng.standard_normal((queries, dim), dtype=np.float32)
    return built, _latency(lambda q: index.search(q[None, :], 10), probe)


def embedding_figures(lake: Lake, models_dir) -> dict[str, float]:
    """Reconstruction loss and held-out probe figures of the model that wrote ``object_embeddings``."""
    names = ["object_embeddings", "objects", "object_materials", "object_categories", "text_embeddings",
             "image_embeddings", "splits"]  # fmt: skip
    _, t = lake.read_together(names)
    fitted = FittedEmbedding.load(model_path(models_dir, t["object_embeddings"]["model_version"][0]))
    features = object_features(t["objects"], t["object_materials"], t["object_categories"], t["text_embeddings"],
                               t["image_embeddings"], load_taxonomy())  # fmt: skip
    split = pl.DataFrame({"asin": features.asins}).join(t["splits"].select("asin", "split"), on="asin", how="left")["split"]
    rows = np.arange(len(features))
    return recovery_report(fitted, features, rows[(split == "train").to_numpy()],
                           rows[split.is_in(["val", "test"]).to_numpy()])  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--synthetic", type=int, default=100_000, help="vectors in the synthetic index (0: skip)")
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    settings = load_settings()
    lake = Lake(settings.lake_config())
    table = lake.read("search_evaluation")
    print("macro Recall@k, one query set (eProduct protocol), from the lake's search_evaluation:")
    wide = table.pivot(on="k", index="embedding", values="macro_recall").sort("embedding")
    print(wide)
    figures = {f"mar{k}_{name.split('_')[0]}": v for name, k, v in table.select("embedding", "k", "macro_recall").iter_rows()}
    figures["queries"] = int(table["queries"][0])
    recovered = embedding_figures(lake, settings.object_models_dir)
    print("\nobject embedding, held-out objects (probes fitted on the train split) | paper:")
    for key, paper in PAPER.items():
        print(f"  {key:18s} {recovered[key]:.4f} | {paper}")
    figures.update(recovered)

    search = ProductSearch.load(settings.index_dir / "search")
    asins = search.attributes["asin"].to_list()
    rng = np.random.default_rng(0)
    picks = rng.choice(len(asins), size=min(args.queries, len(asins)), replace=False)
    vectors = search.vectors_of([asins[i] for i in picks])
    plain = _latency(lambda q: search.search(q, 10), vectors)
    some_category = next((ids[-1] for ids in search.attributes["category_ids"].to_list() if ids), None)
    filtered = _latency(lambda q: search.search(q, 10, SearchFilter(category_id=some_category, max_price=50.0)), vectors)
    print(f"\nsample index: {len(search):,} objects, dim {search.index.dim}, "
          f"{'exact' if search.index.exact else 'HNSW'}: {plain:.2f} ms/query, {filtered:.2f} ms/query filtered")
    figures.update(ms_per_query_sample=round(plain, 3), ms_per_query_sample_filtered=round(filtered, 3), objects=len(search))
    if args.synthetic:
        built, synth = synthetic_latency(args.synthetic, search.index.dim, args.queries)
        print(f"synthetic HNSW index: {args.synthetic:,} x {search.index.dim}-d built in {built:.0f} s; {synth:.2f} ms/query")
        figures.update(synthetic_vectors=args.synthetic, ms_per_query_synth=round(synth, 3), synth_build_s=round(built, 1))
    print("RESULT " + " ".join(f"{k}={v:.4f}" if isinstance(v, float) else f"{k}={v}" for k, v in figures.items()))


if __name__ == "__main__":
    pl.Config.set_tbl_hide_dataframe_shape(True)
    main()
