"""Product search benchmark: the search evaluation of a built lake (macro Recall@1/5/10 of the object embedding
against the raw text and raw image embeddings, one query set) and query latency, on the built index and on a
synthetic index of ``--synthetic`` clustered vectors of the embedding's width (``--kind``: IVF-Flat in float16 by
default, IVF-PQ, or HNSW), with the approximate index's Recall@10 against exact search.

    python -m bench.bench_search                       # after `emma build`; EMMA_HOME picks the lake
    python -m bench.bench_search --synthetic 1000000   # the million-vector latency (float16 cells: n x dim x 2 B)
    python -m bench.bench_search --synthetic-only --synthetic 1000000 --kind ivf_pq   # ~pq_m MB of codes

HNSW at 2048-d builds too slowly for a million vectors on a small machine (and holds n x dim x 4 B).
Also the embedding's own figures next to the paper's (standardized reconstruction loss and what linear probes
fitted on the train split recover on val/test objects), recomputed from the model the lake's
``object_embeddings`` records.

Ends with ``RESULT mar10_object=... mar10_text=... mar10_image=... recon_loss=... ms_per_query_sample=...
synth_kind=... synth_recall10_vs_exact=... ms_per_query_synth=...``.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import replace

import numpy as np
import polars as pl
from tqdm import tqdm

from emma_pipeline.cleaning.ann_index import IndexParams, VectorIndex
from emma_pipeline.cleaning.ann_kinds import KINDS
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


def _synthetic_chunks(n: int, dim: int, seed: int, chunk: int = 50_000):
    """(first row, rows) of n clustered vectors: 4,096 random centres, each row a centre plus noise of the centre's
    scale (cosine ~0.5 within a cluster, ~0 across), like products of one kind. A chunk is a function of its first
    row, so a second pass regenerates the same vectors without holding them (n x dim x 4 B)."""
    centres = np.random.default_rng(seed).standard_normal((4096, dim), dtype=np.float32)
    for first in range(0, n, chunk):
        rng = np.random.default_rng([seed, first])
        rows = rng.standard_normal((min(chunk, n - first), dim), dtype=np.float32)
        rows += centres[rng.integers(0, len(centres), len(rows))]
        yield first, rows


def synthetic_search(n: int, dim: int, params: IndexParams, queries: int = 300, k: int = 10, seed: int = 0) -> dict:
    """Build seconds, ms per query and Recall@k against exact search of an approximate index (``params.kind``)
    over n synthetic vectors. Queries are indexed vectors plus small noise (cosine ~0.95 to their source): another
    listing of an indexed product. Exact top k come from a second, streamed pass over the same vectors."""
    picks = np.sort(np.random.default_rng(seed + 1).choice(n, size=queries, replace=False))
    index = VectorIndex.create(dim, replace(params, exact_limit=0))
    probe = np.zeros((queries, dim), np.float32)
    start = time.perf_counter()
    for first, rows in tqdm(_synthetic_chunks(n, dim, seed), total=-(-n // 50_000), desc=f"{params.kind} build"):
        index.add([f"S{i:010d}" for i in range(first, first + len(rows))], rows)
        inside = (picks >= first) & (picks < first + len(rows))
        probe[inside] = rows[picks[inside] - first]
    built = time.perf_counter() - start
    probe += 0.23 * np.linalg.norm(probe, axis=1, keepdims=True) / np.sqrt(dim) * np.random.default_rng(
        seed + 2).standard_normal(probe.shape, dtype=np.float32)  # fmt: skip
    unit = probe / np.linalg.norm(probe, axis=1, keepdims=True)
    best_ids, best_sims = np.zeros((queries, 0), np.int64), np.zeros((queries, 0), np.float32)
    for first, rows in tqdm(_synthetic_chunks(n, dim, seed), total=-(-n // 50_000), desc="exact top k"):
        sims = unit @ (rows / np.linalg.norm(rows, axis=1, keepdims=True)).T
        top = np.argpartition(-sims, k, axis=1)[:, :k]
        best_ids = np.hstack([best_ids, top + first])
        best_sims = np.hstack([best_sims, np.take_along_axis(sims, top, axis=1)])
        keep = np.argsort(-best_sims, axis=1)[:, :k]
        best_ids, best_sims = np.take_along_axis(best_ids, keep, axis=1), np.take_along_axis(best_sims, keep, axis=1)
    ms = _latency(lambda q: index.search(q[None, :], k), probe)
    found, _ = index.search(probe, k)
    truth = [{f"S{i:010d}" for i in row} for row in best_ids]
    recall = float(np.mean([len(set(got) & want) / k for got, want in zip(found.tolist(), truth)]))
    source_found = float(np.mean([f"S{p:010d}" in set(got) for p, got in zip(picks, found.tolist())]))
    return {"build_s": built, "ms_per_query": ms, "recall_vs_exact": recall, "source_in_top_k": source_found}


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


def sample_figures(settings, queries: int) -> dict:
    """Recall@k of the three embeddings, the embedding's own figures and query latency on the built lake."""
    lake = Lake(settings.lake_config())
    table = lake.read("search_evaluation")
    print("macro Recall@k, one query set (eProduct protocol), from the lake's search_evaluation:")
    print(table.pivot(on="k", index="embedding", values="macro_recall").sort("embedding"))
    figures = {f"mar{k}_{name.split('_')[0]}": v for name, k, v in table.select("embedding", "k", "macro_recall").iter_rows()}
    figures["queries"] = int(table["queries"][0])
    print("\nobject embedding minus each other one on the same queries (95 % paired bootstrap over queries):")
    for name, k, gap, low, high in table.drop_nulls("gap_of_reference").select(
            "embedding", "k", "gap_of_reference", "gap_low", "gap_high").iter_rows():  # fmt: skip
        print(f"  vs {name:18s} R@{k:<3d} {gap:+.3f} [{low:+.3f}, {high:+.3f}]" + ("  within noise" if low <= 0 <= high and low < high else "  no difference" if low == high == 0 else ""))
        figures[f"object_gap_r{k}_{name.split('_')[0]}"] = round(gap, 4)
        figures[f"object_gap_r{k}_{name.split('_')[0]}_low"] = round(low, 4)
    recovered = embedding_figures(lake, settings.object_models_dir)
    print("\nobject embedding, held-out objects (probes fitted on the train split) | paper:")
    for key, paper in PAPER.items():
        print(f"  {key:18s} {recovered[key]:.4f} | {paper}")
    figures.update(recovered)

    search = ProductSearch.load(settings.index_dir / "search")
    asins = search.attributes["asin"].to_list()
    picks = np.random.default_rng(0).choice(len(asins), size=min(queries, len(asins)), replace=False)
    vectors = search.vectors_of([asins[i] for i in picks])
    plain = _latency(lambda q: search.search(q, 10), vectors)
    some_category = next((ids[-1] for ids in search.attributes["category_ids"].to_list() if ids), None)
    filtered = _latency(lambda q: search.search(q, 10, SearchFilter(category_id=some_category, max_price=50.0)), vectors)
    kind = "exact" if search.index.exact else search.index.params.kind
    print(f"\nsample index: {len(search):,} objects, dim {search.index.dim}, {kind}: {plain:.2f} ms/query, "
          f"{filtered:.2f} ms/query filtered")
    return figures | dict(ms_per_query_sample=round(plain, 3), ms_per_query_sample_filtered=round(filtered, 3),
                          objects=len(search), dim=search.index.dim)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--synthetic", type=int, default=100_000, help="vectors in the synthetic index (0: skip)")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--synthetic-only", action="store_true", help="skip the lake; the synthetic index alone")
    parser.add_argument("--dim", type=int, default=2048, help="synthetic width with --synthetic-only")
    parser.add_argument("--kind", choices=KINDS, default="ivf_flat", help="the synthetic index's kind")
    parser.add_argument("--nlist", type=int, default=IndexParams().ivf_nlist)
    parser.add_argument("--nprobe", type=int, default=IndexParams().ivf_nprobe)
    parser.add_argument("--pq-m", type=int, default=IndexParams().pq_m)
    parser.add_argument("--float32", action="store_true", help="IVF-Flat cells in float32 (default float16)")
    args = parser.parse_args()
    figures = {} if args.synthetic_only else sample_figures(load_settings(), args.queries)
    if args.synthetic:
        dim = figures.get("dim", args.dim)
        params = IndexParams(kind=args.kind, ivf_nlist=args.nlist, ivf_nprobe=args.nprobe, pq_m=args.pq_m,
                             ivf_float16=not args.float32)  # fmt: skip
        got = synthetic_search(args.synthetic, dim, params, max(args.queries, 300))
        print(f"synthetic {args.kind} index ({_storage(params)}): {args.synthetic:,} x {dim}-d built in "
              f"{got['build_s']:.0f} s; {got['ms_per_query']:.2f} ms/query; Recall@10 against exact search "
              f"{got['recall_vs_exact']:.3f}; the query's source vector in the top 10: {got['source_in_top_k']:.3f}")
        figures.update(synthetic_vectors=args.synthetic, synth_kind=args.kind, synth_storage=_storage(params),
                       synth_nprobe=args.nprobe if args.kind != "hnsw" else None,
                       synth_build_s=round(got["build_s"], 1), synth_recall10_vs_exact=round(got["recall_vs_exact"], 4),
                       ms_per_query_synth=round(got["ms_per_query"], 3))  # fmt: skip
    print("RESULT " + " ".join(f"{k}={v:.4f}" if isinstance(v, float) else f"{k}={v}" for k, v in figures.items()))


def _storage(params: IndexParams) -> str:
    if params.kind == "ivf_pq":
        return f"pq{params.pq_m}x8bit"
    return "float16" if params.kind == "ivf_flat" and params.ivf_float16 else "float32"


if __name__ == "__main__":
    pl.Config.set_tbl_hide_dataframe_shape(True)
    main()
