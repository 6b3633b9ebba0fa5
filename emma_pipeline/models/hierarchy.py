"""The category tree as index arrays for the per-level category loss and its decoding.

Nodes are indexed 0..N-1 in ``category_tree`` id order. A node's *group* is its parent's index + 1 (0 for the
roots): a softmax runs only inside a group, which is the paper's "only among the children of the correct parent".
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import polars as pl


# log P(node | parent) of a node a model has no output for (added to the tree after it was trained): exp() is 0
UNREACHABLE = -1e4


@dataclass(frozen=True)
class CategoryHierarchy:
    node_ids: np.ndarray  # (N,) category_tree ids, index order
    parent: np.ndarray  # (N,) parent index, -1 for roots
    depth: np.ndarray  # (N,) root = 0

    @classmethod
    def from_tree(cls, tree: pl.DataFrame) -> CategoryHierarchy:
        tree = tree.sort("id")
        ids = tree["id"].to_numpy().astype(np.int64)
        position = {int(node): i for i, node in enumerate(ids)}
        parent = np.array([-1 if p is None else position[int(p)] for p in tree["parent_id"].to_list()], dtype=np.int64)
        return cls(node_ids=ids, parent=parent, depth=tree["depth"].to_numpy().astype(np.int64))

    def prefix(self, n: int) -> CategoryHierarchy:
        """The first ``n`` nodes: the tree a model trained before later nodes were added knew (new nodes take ids
        after every earlier one, so an earlier tree is a prefix of the index order)."""
        if n > self.size or (self.parent[:n] >= n).any():
            raise ValueError(f"the first {n} of {self.size} category nodes are not a closed tree")
        return CategoryHierarchy(self.node_ids[:n], self.parent[:n], self.depth[:n])

    @property
    def size(self) -> int:
        return len(self.node_ids)

    @property
    def max_depth(self) -> int:
        return int(self.depth.max()) + 1 if self.size else 0

    @property
    def group(self) -> np.ndarray:
        return self.parent + 1

    @cached_property
    def index_of(self) -> dict[int, int]:
        return {int(node): i for i, node in enumerate(self.node_ids)}

    @cached_property
    def children(self) -> list[np.ndarray]:
        """children[g] = node indices of group g (g = parent index + 1; 0 = the roots)."""
        order = np.argsort(self.group, kind="stable")
        bounds = np.searchsorted(self.group[order], np.arange(self.size + 2))
        return [order[bounds[g] : bounds[g + 1]] for g in range(self.size + 1)]

    def paths_to_indices(self, id_paths: list[list[int] | None]) -> np.ndarray:
        """(n, max_depth) node indices root first, -1 where the object's path is shorter or missing."""
        out = np.full((len(id_paths), max(self.max_depth, 1)), -1, dtype=np.int64)
        for row, path in enumerate(id_paths):
            for level, node in enumerate(path or ()):
                out[row, level] = self.index_of[int(node)]
        return out

    def marginals(self, conditional_log_probs: np.ndarray) -> np.ndarray:
        """P(node) = product of P(ancestor | its parent) along the path, from per-group conditional log-probs."""
        log_marginal = conditional_log_probs.astype(np.float64).copy()
        for level in range(1, self.max_depth):
            nodes = np.flatnonzero(self.depth == level)
            log_marginal[:, nodes] += log_marginal[:, self.parent[nodes]]
        return np.exp(log_marginal)

    def greedy_paths(self, marginals: np.ndarray) -> np.ndarray:
        """(n, max_depth) predicted path: the most probable root, then its most probable child, down to a leaf."""
        n = marginals.shape[0]
        paths = np.full((n, max(self.max_depth, 1)), -1, dtype=np.int64)
        current = np.zeros(n, dtype=np.int64)  # group 0 = roots
        active = np.ones(n, dtype=bool)
        for level in range(self.max_depth):
            for group in np.unique(current[active]):
                rows = np.flatnonzero(active & (current == group))
                candidates = self.children[group]
                if len(candidates) == 0:
                    active[rows] = False
                    continue
                best = candidates[np.argmax(marginals[np.ix_(rows, candidates)], axis=1)]
                # probability 0: a node added after the model was trained (see ``UNREACHABLE``) ends the path
                reachable = marginals[rows, best] > 0
                paths[rows[reachable], level] = best[reachable]
                current[rows] = best + 1
            active &= paths[:, level] >= 0
        return paths
