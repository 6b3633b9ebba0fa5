"""Duplicate pairs from neighbour lists, and groups from pairs (union-find).

Chaining guard: a near-duplicate pair counts only when each listing is among the other's ``k`` most similar
(mutual top-k) and the cosine reaches the threshold. Every listing then has at most ``k`` partners per
embedding (barring exact ties), so a dense region of look-alike listings (one product line in many colours)
cannot grow a group through hub listings; a chain needs every link to be a mutual near-duplicate.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np


class UnionFind:
    """Disjoint sets over rows 0..n-1; a set's label is its smallest row, so labels do not depend on pair order."""

    def __init__(self, n: int) -> None:
        self._parent = np.arange(n, dtype=np.int64)

    def find(self, row: int) -> int:
        parent = self._parent
        while parent[row] != row:
            parent[row] = parent[parent[row]]
            row = parent[row]
        return int(row)

    def union(self, a: int, b: int) -> None:
        root_a, root_b = self.find(a), self.find(b)
        if root_a != root_b:
            self._parent[max(root_a, root_b)] = min(root_a, root_b)

    def union_rows(self, groups: Iterable[np.ndarray]) -> None:
        for rows in groups:
            for row in rows[1:]:
                self.union(int(rows[0]), int(row))

    def labels(self) -> np.ndarray:
        labels = self._parent.copy()
        while True:
            hop = labels[labels]
            if (hop == labels).all():
                return labels
            labels = hop


def representatives(labels: np.ndarray, rank: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """Per set, its best-ranked row among ``valid`` rows (sets without one are skipped); sorted by row."""
    rows = np.flatnonzero(valid)
    best_first = rows[np.argsort(rank[rows], kind="stable")]
    _, first = np.unique(labels[best_first], return_index=True)
    return np.sort(best_first[first])


def neighbour_rows(found_ids: np.ndarray, row_of: Mapping[str, int]) -> np.ndarray:
    """Row numbers of found ids that belong to this run; -1 for earlier objects and empty slots."""
    lookup = np.vectorize(lambda asin: row_of.get(asin, -1) if asin is not None else -1, otypes=[np.int64])
    return lookup(found_ids) if found_ids.size else np.zeros(found_ids.shape, dtype=np.int64)


def mutual_pairs(
    query_rows: np.ndarray, neighbours: np.ndarray, sims: np.ndarray, threshold: float
) -> tuple[np.ndarray, np.ndarray]:
    """(a, b) row pairs, a < b, with cosine >= threshold where each is among the other's k nearest, and their
    cosines.

    Each query's list holds itself and its k nearest, so its last cosine is its k-th neighbour's. Membership
    is tested by comparing the pair's cosine with both rows' k-th cosines rather than by finding each row in
    the other's list: that is the same test for exact search, and it keeps a pair the approximate search found
    from one side only (HNSW sometimes misses a near-copy inserted right next to its original).
    """
    if not len(query_rows):
        return np.zeros((0, 2), dtype=np.int64), np.zeros(0, dtype=np.float32)
    kth = np.full(int(max(query_rows.max(), neighbours.max())) + 1, np.inf, dtype=np.float32)
    kth[query_rows] = sims[:, -1]
    source = np.repeat(query_rows, neighbours.shape[1])
    target = neighbours.ravel()
    cosine = sims.ravel()
    keep = (target >= 0) & (target != source) & (cosine >= threshold)
    source, target, cosine = source[keep], target[keep], cosine[keep]
    keep = (cosine >= kth[source]) & (cosine >= kth[target])
    pairs = np.stack([np.minimum(source, target)[keep], np.maximum(source, target)[keep]], axis=1)
    pairs, first = np.unique(pairs, axis=0, return_index=True)
    return pairs, cosine[keep][first]


def earlier_matches(
    query_rows: np.ndarray, found_ids: np.ndarray, neighbours: np.ndarray, sims: np.ndarray, threshold: float
) -> dict[int, tuple[str, float]]:
    """Per query row, its most similar earlier object (not a row of this run) with cosine >= threshold."""
    earlier = found_ids != None  # noqa: E711 (elementwise on an object array)
    earlier &= (neighbours < 0) & (sims >= threshold)
    matches = {}
    for q, slot in zip(*np.nonzero(earlier)):
        if int(query_rows[q]) not in matches:  # slots are sorted by similarity: the first is the best
            matches[int(query_rows[q])] = (str(found_ids[q, slot]), float(sims[q, slot]))
    return matches
