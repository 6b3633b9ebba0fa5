"""Which objects to show next, per mode (pure functions over row indices and probabilities).

- uncertainty: probability nearest 0.5 (Lewis & Gale 1994), with a near-duplicate guard so colour variants of
  one listing do not fill a page;
- probability range: correction mode (0.5-1.0 hunts false positives, 0.1-0.5 false negatives of a rare property);
- review: labeled examples ordered by how likely each is mislabeled under k-fold cross-validation;
- more-like-this: nearest neighbours of chosen objects (ProductNet's KNN local model), via faiss;
- verify: the most confident unlabeled positives.
"""

from __future__ import annotations

import numpy as np

NEAR_DUPLICATE_COSINE = 0.97


def _unit(x: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.where(norms > 0, norms, 1.0)


def diverse(order: np.ndarray, embedding: np.ndarray, k: int, threshold: float = NEAR_DUPLICATE_COSINE) -> list[int]:
    """The first ``k`` rows of ``order`` skipping any whose cosine similarity to an already chosen row exceeds
    ``threshold``. Looks at most 20k rows ahead; a page may come out short only when everything left is a
    near-duplicate of what is shown."""
    chosen: list[int] = []
    picked = np.zeros((0, embedding.shape[1]), dtype=np.float32)
    window = order[: max(20 * k, 200)]
    vectors = _unit(embedding[window])
    for pos, row in enumerate(window):
        v = vectors[pos]
        if picked.shape[0] and float((picked @ v).max()) > threshold:
            continue
        chosen.append(int(row))
        picked = np.vstack([picked, v[None, :]])
        if len(chosen) == k:
            break
    return chosen


def uncertainty(p: np.ndarray, candidates: np.ndarray, embedding: np.ndarray, k: int) -> list[int]:
    """Candidates (row indices) with probability nearest 0.5, near-duplicates guarded."""
    order = candidates[np.argsort(np.abs(p[candidates] - 0.5), kind="stable")]
    return diverse(order, embedding, k)


def probability_range(p: np.ndarray, candidates: np.ndarray, low: float, high: float, k: int, page: int = 0,
                      seed: int = 0) -> tuple[list[int], int]:  # fmt: skip
    """Candidates with ``low <= p <= high`` in a seeded random order, one page of ``k``; also the total."""
    inside = candidates[(p[candidates] >= low) & (p[candidates] <= high)]
    order = np.random.default_rng(seed).permutation(inside)
    return [int(r) for r in order[page * k : (page + 1) * k]], int(len(inside))


def mislabel_order(labels: np.ndarray, oof: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions of labeled examples, most suspicious first, and each one's score: the out-of-fold probability
    of the *other* class (1 - p for a positive label, p for a negative one)."""
    score = np.where(np.asarray(labels) == 1, 1.0 - oof, oof)
    order = np.argsort(-score, kind="stable")
    return order, score[order]


def most_confident(p: np.ndarray, candidates: np.ndarray, embedding: np.ndarray, k: int) -> list[int]:
    """Verify mode: the unlabeled candidates the model is surest are positive."""
    order = candidates[np.argsort(-p[candidates], kind="stable")]
    return diverse(order, embedding, k)


def nearest(embedding: np.ndarray, queries: np.ndarray, exclude: set[int], k: int) -> list[int]:
    """More-like-this: rows nearest (cosine) to the mean of the query rows, skipping ``exclude``."""
    import faiss

    vectors = np.ascontiguousarray(_unit(embedding).astype(np.float32))
    index = faiss.IndexFlatIP(vectors.shape[1])
    index.add(vectors)
    centre = _unit(vectors[queries].mean(axis=0, keepdims=True)).astype(np.float32)
    depth = min(len(vectors), k + len(exclude) + len(queries))
    _, found = index.search(centre, depth)
    skip = exclude | set(int(q) for q in queries)
    return [int(r) for r in found[0] if r >= 0 and int(r) not in skip][:k]
