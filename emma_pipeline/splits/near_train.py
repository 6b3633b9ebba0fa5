"""The stricter duplicate check between held-out objects and train: exact cosine search with faiss.

The index holds only the held-out vectors (a few percent of the objects); train vectors are streamed through it
in chunks, so memory stays bounded by the held-out set plus one chunk even at millions of objects.
"""

from __future__ import annotations

import faiss
import numpy as np

_ROUNDING = 1e-5  # float32 inner products of unit vectors; makes the bar inclusive (>=) in practice


def demote_near_train(
    emb: np.ndarray,
    held_out: np.ndarray,
    unchecked: np.ndarray,
    threshold: float,
    chunk: int,
    fresh: np.ndarray | None = None,
) -> np.ndarray:  # fmt: skip
    """Mask of held-out rows to move to train, to a fixed point.

    ``held_out``/``unchecked``/``fresh`` are row masks. Rows in ``held_out & unchecked`` are checked against every
    train row; rows in ``held_out & ~unchecked`` were already checked against every train row except the ``fresh``
    ones (new, changed, or newly train), so they face only those: a batch costs in proportion to what it touched.
    Demoting a row makes it train, so the remaining held-out rows are checked against the newly demoted ones
    until no more fall.
    """
    held_out = held_out.copy()
    demoted = np.zeros(len(held_out), dtype=bool)
    hits = _rows_near(emb, np.flatnonzero(unchecked & held_out), np.flatnonzero(~held_out), threshold, chunk)
    if fresh is not None:
        kept = np.flatnonzero(held_out & ~unchecked)
        hits = np.union1d(hits, _rows_near(emb, kept, np.flatnonzero(fresh & ~held_out), threshold, chunk))
    while hits.size:
        demoted[hits] = True
        held_out[hits] = False
        hits = _rows_near(emb, np.flatnonzero(held_out), hits, threshold, chunk)
    return demoted


def _rows_near(emb: np.ndarray, targets: np.ndarray, sources: np.ndarray, threshold: float, chunk: int) -> np.ndarray:
    """The ``targets`` rows with cosine >= threshold to at least one ``sources`` row."""
    if not targets.size or not sources.size:
        return np.empty(0, dtype=np.int64)
    index = faiss.IndexFlatIP(emb.shape[1])
    index.add(_unit(emb[targets]))
    found = np.zeros(targets.size, dtype=bool)
    for start in range(0, sources.size, chunk):
        _, _, labels = index.range_search(_unit(emb[sources[start : start + chunk]]), threshold - _ROUNDING)
        found[labels] = True
    return targets[found]


def _unit(vectors: np.ndarray) -> np.ndarray:
    """Float32 unit rows; zero or non-finite rows become zero, so they match nothing."""
    vectors = np.array(vectors, dtype=np.float32)
    vectors[~np.isfinite(vectors).all(axis=1)] = 0.0
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.ascontiguousarray(np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0))
