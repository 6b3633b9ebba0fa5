"""Dedup scaling: ``find_duplicates`` (HNSW path) against exact all-pairs search, measured in one run.

Inputs are synthetic 384-d text embeddings in three levels (categories, product lines, listings; see
``synthetic_embeddings``) with a fraction of planted near-duplicates (a copy of another row plus noise,
cosine ~0.98). Each measurement runs in a fresh child process, so its peak RSS is its own. Prints wall and
CPU seconds per size (CPU time is the fairer measure on a machine shared with other jobs), the CPU growth
ratio per 10x listings (ideal n log n: ~12x; all pairs: 100x), peak memory, and the fraction of planted
pairs each method put into one group. See emma_pipeline/cleaning/ann_index.py for measured numbers. Ends with
``RESULT hnsw_cpu_s_<n>=... hnsw_found_<n>=... brute_over_hnsw_cpu_<n>=... hnsw_cpu_growth_per_10x=...`` (one
figure per size measured; growth between the smallest and largest size).

The brute-force baseline is the same dedup (mutual top-k, threshold, union-find) with the neighbour lists from
exact blocked matrix products (X_block @ X.T), run up to ``--brute-max`` listings.

    python -m bench.bench_dedup --sizes 10000,100000,1000000
"""

from __future__ import annotations

import argparse
import math
import multiprocessing
import resource
import time
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import polars as pl

from emma_pipeline.cleaning.ann_index import IndexParams
from emma_pipeline.cleaning.dedup import find_duplicates
from emma_pipeline.cleaning.dedup_config import DedupConfig
from emma_pipeline.cleaning.duplicate_groups import UnionFind, mutual_pairs

DIM = 384
LISTINGS_PER_LINE = 100  # listings around one product-line centre
LINES_PER_CATEGORY = 50
LEVEL_SPREAD = 0.8  # noise norm added per level (category -> line -> listing): cosine ~0.6 to the parent
DUPLICATE_NOISE = 0.2  # noise norm of a planted copy: cosine to its original ~0.98
# Noise variance per dimension falls as (i + 15)^-1.7, so the vectors hold half their variance in 9 principal
# directions and 90 % in 97 (MiniLM embeddings of the generated sample: 28 and 124). Isotropic 384-d noise
# would be a far harder search problem than real text embeddings pose.
_SPECTRUM = np.sqrt((np.arange(DIM) + 15.0) ** -1.7 / ((np.arange(DIM) + 15.0) ** -1.7).sum()).astype(np.float32)


def _noise(count: int, norm: float, rng: np.random.Generator) -> np.ndarray:
    return rng.standard_normal((count, DIM), dtype=np.float32) * (_SPECTRUM * norm)


def _around(parents: np.ndarray, count: int, rng: np.random.Generator) -> np.ndarray:
    """``count`` unit vectors, each a random parent row plus noise of norm ~LEVEL_SPREAD."""
    noisy = parents[rng.integers(0, len(parents), count)] + _noise(count, LEVEL_SPREAD, rng)
    return noisy / np.linalg.norm(noisy, axis=1, keepdims=True)


def synthetic_embeddings(n: int, duplicate_fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(unit vectors (n, DIM) float32, planted pairs (m, 2): row b is a near copy of row a).

    Three levels like product text embeddings: categories (random directions), product lines around them,
    listings around the lines. Listings of one line are at cosine ~0.6, of one category ~0.35, else ~0: a
    continuum a graph search can navigate, as real text embeddings are (unlike isolated random clusters).
    """
    rng = np.random.default_rng(seed)
    lines = max(n // LISTINGS_PER_LINE, 1)
    categories = _around(np.zeros((1, DIM), np.float32), max(lines // LINES_PER_CATEGORY, 1), rng)
    line_centres = _around(categories, lines, rng)
    vectors = np.empty((n, DIM), dtype=np.float32)
    for start in range(0, n, 100_000):  # chunks keep the transient noise arrays small
        vectors[start : start + 100_000] = _around(line_centres, min(100_000, n - start), rng)
    n_copies = int(n * duplicate_fraction)
    copies = rng.choice(n, size=2 * n_copies, replace=False).reshape(-1, 2)
    vectors[copies[:, 1]] = vectors[copies[:, 0]] + _noise(n_copies, DUPLICATE_NOISE, rng)
    vectors[copies[:, 1]] /= np.linalg.norm(vectors[copies[:, 1]], axis=1, keepdims=True)
    return vectors, copies


def synthetic_objects(n: int) -> pl.DataFrame:
    asins = pl.int_range(n, eager=True).cast(pl.Utf8).str.zfill(9)
    return pl.DataFrame({"asin": "B" + asins, "title": "listing " + asins})


def _dedup_with_index(vectors: np.ndarray, objects: pl.DataFrame, args: argparse.Namespace) -> np.ndarray:
    params = IndexParams(exact_limit=args.exact_limit, hnsw_m=args.hnsw_m, ef_construction=args.ef_construction,
                         ef_search=args.ef_search)
    config = DedupConfig(text_threshold=args.threshold, k=args.k, index_params=params)
    result = find_duplicates(objects, vectors, np.zeros((len(vectors), 1), np.float32), config)
    return result.groups.select("asin", "kept_asin").to_numpy()


def _dedup_all_pairs(vectors: np.ndarray, objects: pl.DataFrame, args: argparse.Namespace) -> np.ndarray:
    n, width = len(vectors), args.k + 1
    neighbours = np.empty((n, width), dtype=np.int64)
    sims = np.empty((n, width), dtype=np.float32)
    for start in range(0, n, 1024):
        block = vectors[start:start + 1024] @ vectors.T
        top = np.argpartition(-block, width - 1, axis=1)[:, :width]
        neighbours[start:start + 1024] = top
        sims[start:start + 1024] = np.take_along_axis(block, top, axis=1)
    sets = UnionFind(n)
    for a, b in mutual_pairs(np.arange(n), neighbours, sims, args.threshold)[0].tolist():
        sets.union(a, b)
    labels = sets.labels()
    grouped = np.flatnonzero(np.bincount(labels, minlength=n)[labels] > 1)
    asins = objects["asin"].to_numpy()
    return np.stack([asins[grouped], asins[labels[grouped]]], axis=1)


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _measure(method: str, n: int, args: argparse.Namespace) -> tuple[float, float, float, float, int]:
    """Runs in a fresh process: (wall seconds, CPU seconds, peak RSS in MB, fraction of planted pairs grouped,
    listings removed)."""
    vectors, planted = synthetic_embeddings(n, args.duplicate_fraction, args.seed)
    objects = synthetic_objects(n)
    start, cpu_start = time.perf_counter(), _cpu_seconds()
    pairs = (_dedup_with_index if method == "hnsw" else _dedup_all_pairs)(vectors, objects, args)
    seconds, cpu = time.perf_counter() - start, _cpu_seconds() - cpu_start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    group_of = dict(zip(pairs[:, 0].tolist(), pairs[:, 1].tolist()))
    asins = objects["asin"].to_list()
    found = [group_of.get(asins[a], a) == group_of.get(asins[b], b) for a, b in planted.tolist()]
    removed = sum(member != kept for member, kept in group_of.items())
    return seconds, cpu, peak_mb, float(np.mean(found)) if found else 1.0, removed


def _in_child(method: str, n: int, args: argparse.Namespace) -> tuple[float, float, float, float, int]:
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(_measure, method, n, args).result()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000,1000000", help="comma-separated listing counts")
    parser.add_argument("--brute-max", type=int, default=100_000, help="largest size for the all-pairs baseline")
    parser.add_argument("--duplicate-fraction", type=float, default=0.03)
    parser.add_argument("--threshold", type=float, default=DedupConfig().text_threshold)
    parser.add_argument("--k", type=int, default=DedupConfig().k)
    parser.add_argument("--exact-limit", type=int, default=0,
                        help="index size below which search is exact (0: HNSW at every size, the large-n path)")
    parser.add_argument("--hnsw-m", type=int, default=IndexParams().hnsw_m)
    parser.add_argument("--ef-construction", type=int, default=IndexParams().ef_construction)
    parser.add_argument("--ef-search", type=int, default=IndexParams().ef_search)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    print(f"{'method':<8}{'listings':>10}{'wall s':>9}{'CPU s':>9}{'CPU x per 10x':>15}{'peak MB':>9}"
          f"{'planted found':>15}{'removed':>9}")
    cpu_of: dict[tuple[str, int], float] = {}
    result: dict[str, str] = {}
    for method in ("hnsw", "brute"):
        previous = None
        for n in sizes:
            if method == "brute" and n > args.brute_max:
                print(f"{method:<8}{n:>10}   skipped (all pairs: {n * n:.1e} dot products)")
                continue
            seconds, cpu, peak_mb, found, removed = _in_child(method, n, args)
            growth = ""
            if previous is not None:
                growth = f"{(cpu / cpu_of[method, previous]) ** (1 / math.log10(n / previous)):.1f}x"
            print(f"{method:<8}{n:>10}{seconds:>9.1f}{cpu:>9.1f}{growth:>15}{peak_mb:>9.0f}{found:>15.4f}"
                  f"{removed:>9}", flush=True)
            cpu_of[method, n], previous = cpu, n
            result |= {f"{method}_cpu_s_{n}": f"{cpu:.2f}", f"{method}_wall_s_{n}": f"{seconds:.2f}",
                       f"{method}_peak_mb_{n}": f"{peak_mb:.0f}", f"{method}_found_{n}": f"{found:.4f}"}
    for n in sizes:
        if ("brute", n) in cpu_of:
            ratio = cpu_of["brute", n] / cpu_of["hnsw", n]
            print(f"all pairs / hnsw CPU time at {n} listings: {ratio:.1f}x")
            result[f"brute_over_hnsw_cpu_{n}"] = f"{ratio:.2f}"
    if len(sizes) > 1:
        growth = (cpu_of["hnsw", sizes[-1]] / cpu_of["hnsw", sizes[0]]) ** (1 / math.log10(sizes[-1] / sizes[0]))
        result["hnsw_cpu_growth_per_10x"] = f"{growth:.2f}"
    print("RESULT " + " ".join(f"{k}={v}" for k, v in result.items()))


if __name__ == "__main__":
    main()
