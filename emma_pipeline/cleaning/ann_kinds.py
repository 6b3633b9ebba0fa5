"""The approximate index a ``VectorIndex`` turns into above its exact limit: HNSW, IVF-Flat or IVF-PQ (faiss).

- ``hnsw`` (default): takes additions at any time without training, the right kind for dedup's batch-by-batch
  growth and the sample's search index. Its build cost grows fast with the width: at 2048-d a million vectors
  take hours on two cores, and it keeps every vector in float32 (n x dim x 4 B).
- ``ivf_flat``: k-means coarse quantizer of ``ivf_nlist`` cells trained once on the vectors present when the index
  turns approximate (later additions are assigned to the trained cells), full vectors stored per cell, float16
  when ``ivf_float16`` (n x dim x 2 B: 4 GB at 1M x 2048-d). A query scans the ``ivf_nprobe`` nearest cells.
- ``ivf_pq``: the same cells with vectors compressed to ``pq_m`` bytes (8-bit product quantization): 1M x 2048-d
  in ~``pq_m`` MB; scores are approximate, so stored vectors read back (``VectorIndex.vectors``) are the
  quantized ones.

The cells drift from the data if the catalogue changes a lot after training; rebuilding the index retrains them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import faiss
import numpy as np

if TYPE_CHECKING:
    from emma_pipeline.cleaning.ann_index import IndexParams

KINDS = ("hnsw", "ivf_flat", "ivf_pq")
_TRAIN_PER_CELL = 64  # k-means training sample: this many vectors per cell at most (faiss warns below 39)


def approximate_index(dim: int, params: IndexParams, unit: np.ndarray) -> faiss.Index:
    """An index of ``params.kind`` holding ``unit`` (inner product on unit vectors), trained on them if IVF."""
    if params.kind == "hnsw":
        index = faiss.IndexHNSWFlat(dim, params.hnsw_m, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = params.ef_construction
    elif params.kind in ("ivf_flat", "ivf_pq"):
        index = _untrained_ivf(dim, params, len(unit))
        train = unit
        if len(unit) > _TRAIN_PER_CELL * index.nlist:
            rows = np.random.default_rng(0).choice(len(unit), _TRAIN_PER_CELL * index.nlist, replace=False)
            train = unit[np.sort(rows)]
        index.train(train)
        index.set_direct_map_type(faiss.DirectMap.Array)  # reconstruct by position, as the flat index does
    else:
        raise ValueError(f"unknown index kind {params.kind!r}: one of {KINDS}")
    index.add(unit)
    return index


def _untrained_ivf(dim: int, params: IndexParams, n: int) -> faiss.Index:
    nlist = max(1, min(params.ivf_nlist, n // 39))  # fewer cells than faiss needs training points for is moot
    quantizer = faiss.IndexFlatIP(dim)
    if params.kind == "ivf_pq":
        if dim % params.pq_m:
            raise ValueError(f"pq_m={params.pq_m} must divide the width {dim}")
        bits = min(8, max(1, n.bit_length() - 1))  # 2^bits codewords need as many training vectors
        index = faiss.IndexIVFPQ(quantizer, dim, nlist, params.pq_m, bits, faiss.METRIC_INNER_PRODUCT)
    elif params.ivf_float16:
        index = faiss.IndexIVFScalarQuantizer(quantizer, dim, nlist, faiss.ScalarQuantizer.QT_fp16,
                                              faiss.METRIC_INNER_PRODUCT)  # fmt: skip
    else:
        index = faiss.IndexIVFFlat(quantizer, dim, nlist, faiss.METRIC_INNER_PRODUCT)
    return index  # faiss's Python constructors keep the quantizer alive with the index


def search_parameters(index: faiss.Index, params: IndexParams, k: int) -> faiss.SearchParameters:
    """The per-query knobs of ``index``'s kind (efSearch for HNSW, nprobe for IVF)."""
    if isinstance(index, faiss.IndexHNSW):
        return faiss.SearchParametersHNSW(efSearch=max(params.ef_search, k))
    if isinstance(index, faiss.IndexIVF):
        return faiss.SearchParametersIVF(nprobe=min(params.ivf_nprobe, index.nlist))
    return faiss.SearchParameters()
