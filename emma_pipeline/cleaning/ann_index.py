"""A nearest-neighbour index over unit vectors keyed by string ids (ASINs), persisted as a folder.

Why HNSW (faiss ``IndexHNSWFlat``, inner product) by default rather than IVF: listings arrive batch by batch and
each batch is added to the index of the objects kept so far. HNSW takes additions at any time without training,
while IVF's centroids are trained once on a sample and fit worse as the catalogue drifts (and assigning n vectors
to ~sqrt(n) centroids costs n^1.5). Below ``exact_limit`` vectors a flat (exact) index is used instead: as fast
at that size, exact and reproducible; the index turns approximate when it grows past the limit (HNSW's
parallel build is not bit-reproducible between runs). ``IndexParams.kind`` picks IVF-Flat or IVF-PQ instead
(``ann_kinds``): for millions of wide vectors, where HNSW's build is too slow and its float32 copy too big.

Measured with bench/bench_dedup.py on a shared 2-core machine (dedup of synthetic 384-d embeddings, HNSW at
every size): 10k / 100k / 1M listings took 1.4 / 27 / 587 CPU seconds (5.3 min wall at 1M; ~19-21x per 10x,
above the ideal n log n because the 1.5 GB of vectors at 1M stream from memory), against 3 / 216 CPU seconds
for exact all-pairs at 10k / 100k (71x per 10x). Planted near-copies (cosine ~0.98) found: 1.0 / 0.993 /
0.971; the misses are near-copies the graph search does not reach.

Deleting an id (a kept object replaced by a better twin) only marks it: HNSW cannot drop a node without a
rebuild, so the node stays in the graph, keeping it connected, and is filtered out of every result.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import faiss
import numpy as np
import polars as pl

from emma_pipeline.cleaning.ann_kinds import KINDS, approximate_index, search_parameters


_CHUNK = 65_536  # rows normalized (and queries searched) at a time: bounded temporary memory


@dataclass(frozen=True)
class IndexParams:
    """Exact-search limit, the approximate index's kind (``ann_kinds.KINDS``) and its knobs (faiss names).
    HNSW: M=24 rather than 16: planted-pair recall 0.993 vs 0.981 at 100k for ~30 % more build time; efSearch 48
    leaves room above the k+1 = 6 neighbours dedup asks for. IVF: ``ivf_nlist`` cells (about sqrt(n) to 4 sqrt(n)),
    ``ivf_nprobe`` of them scanned per query, vectors in float16 if ``ivf_float16``; IVF-PQ: ``pq_m`` bytes per
    vector (must divide the width)."""

    exact_limit: int = 20_000
    hnsw_m: int = 24
    ef_construction: int = 40
    ef_search: int = 48
    kind: str = "hnsw"
    ivf_nlist: int = 1024
    ivf_nprobe: int = 16
    ivf_float16: bool = True
    pq_m: int = 64

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown index kind {self.kind!r}: one of {KINDS}")


class VectorIndex:
    """Live ids map to positions of the faiss index; ``scores`` hold one caller-defined integer per id."""

    def __init__(self, dim: int, params: IndexParams, index: faiss.Index, ids: list[str], scores: list[int],
                 deleted: np.ndarray) -> None:
        self.dim, self.params, self._index = dim, params, index
        self._ids, self._scores, self._deleted = ids, scores, deleted
        self._position = {asin: i for i, asin in enumerate(ids) if not deleted[i]}
        self._id_array: np.ndarray | None = None

    @classmethod
    def create(cls, dim: int, params: IndexParams = IndexParams()) -> VectorIndex:
        return cls(dim, params, faiss.IndexFlatIP(dim), [], [], np.zeros(0, dtype=bool))

    @property
    def exact(self) -> bool:
        """Whether searches are exact (flat index) rather than approximate (``params.kind``)."""
        return isinstance(self._index, faiss.IndexFlat)

    def __len__(self) -> int:
        return len(self._position)

    def contains(self, asin: str) -> bool:
        return asin in self._position

    def ids(self) -> list[str]:
        """The live ids, in insertion order."""
        return [asin for i, asin in enumerate(self._ids) if not self._deleted[i]]

    def add(self, ids: Sequence[str], vectors: np.ndarray, scores: Sequence[int] | None = None) -> None:
        """Add vectors (normalized here) under new ids; an id already live in the index is an error."""
        ids = list(ids)
        rows = _checked_rows(vectors, self.dim)
        if len(ids) != len(rows) or (scores is not None and len(scores) != len(ids)):
            raise ValueError(f"{len(ids)} ids for {len(rows)} vectors and {len(scores or ids)} scores")
        clashes = [asin for asin in ids if asin in self._position] or _repeated(ids)
        if clashes:
            raise ValueError(f"ids already in the index or repeated: {clashes[:3]}")
        start, unit = len(self._ids), _normalized(rows)
        # One add call per batch: faiss inserts a batch level by level, which links near-copies far more
        # reliably than several calls (planted-pair recall 0.995 vs 0.97 at 100k, bench/bench_dedup.py).
        if self.exact and self._index.ntotal + len(ids) > self.params.exact_limit:
            self._index = self._approximate_of(unit)
        else:
            self._index.add(unit)
        self._ids.extend(ids)
        self._scores.extend(int(s) for s in (scores if scores is not None else [0] * len(ids)))
        self._deleted = np.concatenate([self._deleted, np.zeros(len(ids), dtype=bool)])
        self._position.update((asin, start + i) for i, asin in enumerate(ids))
        self._id_array = None

    def delete(self, ids: Sequence[str]) -> None:
        """Remove ids from all later results; unknown ids raise KeyError."""
        missing = [asin for asin in ids if asin not in self._position]
        if missing:
            raise KeyError(f"ids not in the index: {missing[:3]}")
        for asin in dict.fromkeys(ids):
            self._deleted[self._position.pop(asin)] = True

    def vectors(self, ids: Sequence[str]) -> np.ndarray:
        """The stored (unit) vectors of live ids."""
        rows = np.array([self._position[asin] for asin in ids], dtype=np.int64)
        return self._index.reconstruct_batch(rows) if len(rows) else np.zeros((0, self.dim), np.float32)

    def scores(self, ids: Sequence[str]) -> np.ndarray:
        return np.array([self._scores[self._position[asin]] for asin in ids], dtype=np.int64)

    def search(self, vectors: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """The k most similar live ids per query (object array, None where fewer exist) and their cosines
        (float32, -inf where fewer exist), most similar first."""
        rows = _checked_rows(vectors, self.dim)
        found_ids = np.full((len(rows), k), None, dtype=object)
        sims = np.full((len(rows), k), -np.inf, dtype=np.float32)
        width = min(k, len(self))
        if width == 0:
            return found_ids, sims
        params = self._search_params(width)
        for start, unit in _unit_chunks(rows):
            found, positions = self._index.search(unit, width, params=params)
            valid, block = positions >= 0, slice(start, start + len(unit))
            found_ids[block, :width][valid] = self._all_ids()[positions[valid]]
            sims[block, :width][valid] = found[valid]
        return found_ids, sims

    def search_among(self, vectors: np.ndarray, k: int, ids: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """``search`` restricted to the live ``ids`` (a filter applied inside the graph search; an approximate
        index may return fewer than k although more ids exist: callers needing k score the ids exactly)."""
        rows = _checked_rows(vectors, self.dim)
        positions = np.array([self._position[asin] for asin in ids], dtype=np.int64)
        found_ids = np.full((len(rows), k), None, dtype=object)
        sims = np.full((len(rows), k), -np.inf, dtype=np.float32)
        width = min(k, len(positions))
        if width == 0:
            return found_ids, sims
        params = self._search_params(width)
        selector = faiss.IDSelectorBatch(positions)
        params.sel, params._selector = selector, selector
        for start, unit in _unit_chunks(rows):
            found, hit = self._index.search(unit, width, params=params)
            valid, block = hit >= 0, slice(start, start + len(unit))
            found_ids[block, :width][valid] = self._all_ids()[hit[valid]]
            sims[block, :width][valid] = found[valid]
        return found_ids, sims

    def write_folder(self, folder: Path) -> None:
        """The index files in ``folder`` (no atomicity: ``dedup_store`` writes into a fresh version folder)."""
        folder.mkdir(parents=True, exist_ok=True)
        faiss.write_index(self._index, str(folder / "index.faiss"))
        table = {"id": self._ids, "score": self._scores, "deleted": self._deleted}
        schema = {"id": pl.Utf8, "score": pl.Int64, "deleted": pl.Boolean}
        pl.DataFrame(table, schema=schema).write_parquet(folder / "ids.parquet")
        (folder / "meta.json").write_text(json.dumps({"dim": self.dim, "params": asdict(self.params)}))

    @classmethod
    def read_folder(cls, folder: Path) -> VectorIndex:
        meta = json.loads((folder / "meta.json").read_text())
        table = pl.read_parquet(folder / "ids.parquet")
        return cls(meta["dim"], IndexParams(**meta["params"]), faiss.read_index(str(folder / "index.faiss")),
                   table["id"].to_list(), table["score"].to_list(), table["deleted"].to_numpy().copy())

    def _approximate_of(self, unit: np.ndarray) -> faiss.Index:
        """An approximate index of ``params.kind`` holding the flat index's vectors followed by ``unit``."""
        if self._index.ntotal:
            unit = np.concatenate([self._index.reconstruct_n(0, self._index.ntotal), unit])
        return approximate_index(self.dim, self.params, unit)

    def _search_params(self, k: int) -> faiss.SearchParameters:
        selector = None
        if self._deleted.any():
            selector = faiss.IDSelectorNot(faiss.IDSelectorBatch(np.flatnonzero(self._deleted).astype(np.int64)))
        params = search_parameters(self._index, self.params, k)
        if selector is not None:
            params.sel = selector
            params._selector = selector  # faiss keeps a raw pointer: hold the Python object alive with params
        return params

    def _all_ids(self) -> np.ndarray:
        if self._id_array is None:
            self._id_array = np.array(self._ids, dtype=object)
        return self._id_array


def _checked_rows(vectors: np.ndarray, dim: int) -> np.ndarray:
    rows = np.asarray(vectors, dtype=np.float32)
    if rows.ndim != 2 or rows.shape[1] != dim:
        raise ValueError(f"expected vectors of shape (n, {dim}), got {rows.shape}")
    squared_norms = np.einsum("ij,ij->i", rows, rows)
    if not (np.isfinite(squared_norms).all() and (squared_norms > 0).all()):
        raise ValueError("vectors must be finite and non-zero (leave rows without an embedding out)")
    return rows


def _normalized(rows: np.ndarray) -> np.ndarray:
    """``rows`` scaled to unit length; the rows themselves (no copy) when they already are, as text embeddings."""
    if rows.flags.c_contiguous and np.allclose(np.einsum("ij,ij->i", rows, rows), 1.0, atol=1e-5):
        return rows
    unit = np.empty_like(rows)
    for start, block in _unit_chunks(rows):
        unit[start : start + len(block)] = block
    return unit


def _unit_chunks(rows: np.ndarray) -> Iterator[tuple[int, np.ndarray]]:
    """(first row, normalized contiguous block): bounded extra memory for millions of rows."""
    for start in range(0, len(rows), _CHUNK):
        block = rows[start : start + _CHUNK]
        yield start, np.ascontiguousarray(block / np.linalg.norm(block, axis=1, keepdims=True))


def _repeated(ids: list[str]) -> list[str]:
    seen: set[str] = set()
    repeated = []
    for asin in ids:
        if asin in seen:
            repeated.append(asin)
        seen.add(asin)
    return repeated
