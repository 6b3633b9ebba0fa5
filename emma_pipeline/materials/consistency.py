"""Make material probabilities agree with the taxonomy (paper, section 4).

A parent's probability must lie between its most likely child and the sum of its children: an object that is
steel is metal, and a chess board may be both cedar and pine, so the sum may exceed the parent's share of it but
never fall short of it. Some entries may be *clamped*: labels a person gave (smart labels of material nodes)
override model values, and the rest is made consistent around them.

The algorithm, vectorized over objects (each step loops over the ~182 nodes, never over objects):

1. Clamp bounds, bottom-up: every node gets the interval ``[lo, hi]`` its clamped descendants allow (a parent is
   at least any clamped child; at most the sum of what its children can reach). A clamp outside its interval
   contradicts a more specific clamp below it; it is moved to the nearest feasible value and counted as a
   conflict (the more specific label wins: "steel" implies "metal").
2. Bottom-up: every unclamped parent is clipped into ``[max(children), min(1, sum(children))]``.
3. Top-down (pre-order): every node's unclamped children are made to fit it: capped at the parent's value, and
   when they sum to less, raised in proportion to their current values up to what their own subtree allows.
   Children are never touched after their parent was processed, so one pass leaves every parent-children
   relation consistent; the loop repeats to a fixed point only as a guard against rounding.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

TOLERANCE = 1e-6


@dataclass(frozen=True)
class Forest:
    """Node ``j`` is column ``j``; ``parents[j]`` is its parent's column or -1 for a root."""

    parents: tuple[int, ...]

    @property
    def children(self) -> tuple[tuple[int, ...], ...]:
        kids: list[list[int]] = [[] for _ in self.parents]
        for node, parent in enumerate(self.parents):
            if parent >= 0:
                kids[parent].append(node)
        return tuple(tuple(k) for k in kids)

    def preorder(self) -> tuple[int, ...]:
        kids, out = self.children, []
        stack = [n for n, p in reversed(list(enumerate(self.parents))) if p < 0]
        while stack:
            node = stack.pop()
            out.append(node)
            stack.extend(reversed(kids[node]))
        if len(out) != len(self.parents):
            raise ValueError("parents do not form a forest (a cycle or an out-of-range parent)")
        return tuple(out)


def forest_of(taxonomy) -> Forest:
    """The forest of a ``MaterialTaxonomy``, columns in ``taxonomy.ids`` order."""
    column = {node_id: j for j, node_id in enumerate(taxonomy.ids)}
    parents = [taxonomy.parent(node_id) for node_id in taxonomy.ids]
    return Forest(tuple(-1 if p is None else column[p] for p in parents))


@dataclass(frozen=True)
class ConsistentMaterials:
    probabilities: np.ndarray  # (objects, nodes), consistent with the forest
    conflicts: np.ndarray  # (objects,) clamps moved because a more specific clamp contradicted them
    iterations: int


def make_consistent(
    probabilities: np.ndarray, forest: Forest, clamped: np.ndarray | None = None, max_iterations: int = 10
) -> ConsistentMaterials:
    """Consistent probabilities for ``probabilities`` (objects x nodes, values in [0, 1]); entries where the
    boolean ``clamped`` mask is set keep their value unless a more specific clamp contradicts them."""
    p = np.clip(np.nan_to_num(np.asarray(probabilities, dtype=np.float64), nan=0.0), 0.0, 1.0)
    if p.ndim != 2 or p.shape[1] != len(forest.parents):
        raise ValueError(f"probabilities must be (objects, {len(forest.parents)}), got {p.shape}")
    fixed = np.zeros(p.shape, dtype=bool) if clamped is None else np.asarray(clamped, dtype=bool)
    order, kids = forest.preorder(), forest.children
    lo, hi, conflicts = _clamp_bounds(p, fixed, order, kids)
    for iteration in range(1, max_iterations + 1):
        before = p.copy()
        _bottom_up(p, fixed, order, kids)
        _top_down(p, fixed, order, kids, hi)
        if np.max(np.abs(p - before), initial=0.0) <= TOLERANCE and violations(p, forest) == 0:
            return ConsistentMaterials(p, conflicts, iteration)
    return ConsistentMaterials(p, conflicts, max_iterations)


def violations(probabilities: np.ndarray, forest: Forest, tolerance: float = TOLERANCE) -> int:
    """How many (object, parent) pairs break ``max(children) <= parent <= sum(children)``."""
    p = np.asarray(probabilities, dtype=np.float64)
    count = 0
    for parent, children in enumerate(forest.children):
        if not children:
            continue
        below = p[:, children]
        high = np.minimum(below.sum(axis=1), 1.0)
        count += int(np.sum((p[:, parent] < below.max(axis=1) - tolerance) | (p[:, parent] > high + tolerance)))
    return count


def _clamp_bounds(p, fixed, order, kids):
    """Step 1: ``lo``/``hi`` per entry from clamped descendants; contradicted clamps moved into them."""
    lo, hi = np.zeros_like(p), np.ones_like(p)
    conflicts = np.zeros(p.shape[0], dtype=np.int64)
    for node in reversed(order):
        children = kids[node]
        if children:
            lo[:, node] = lo[:, children].max(axis=1)
            hi[:, node] = np.minimum(hi[:, children].sum(axis=1), 1.0)
        clamp = fixed[:, node]
        moved = clamp & ((p[:, node] < lo[:, node] - TOLERANCE) | (p[:, node] > hi[:, node] + TOLERANCE))
        conflicts += moved
        p[clamp, node] = np.clip(p[clamp, node], lo[clamp, node], hi[clamp, node])
        lo[clamp, node] = hi[clamp, node] = p[clamp, node]
    return lo, hi, conflicts


def _bottom_up(p, fixed, order, kids):
    for node in reversed(order):
        children = kids[node]
        if children:
            free = ~fixed[:, node]
            below = p[:, children]
            low, high = below.max(axis=1), np.minimum(below.sum(axis=1), 1.0)
            p[free, node] = np.clip(p[free, node], low[free], high[free])


def _top_down(p, fixed, order, kids, hi):
    for node in order:
        children = list(kids[node])
        if not children:
            continue
        value = p[:, node : node + 1]
        free = ~fixed[:, children]
        below = np.where(free, np.minimum(p[:, children], value), p[:, children])
        deficit = value[:, 0] - below.sum(axis=1)
        room = np.where(free, np.maximum(np.minimum(hi[:, children], value) - below, 0.0), 0.0)
        for _ in range(len(children)):  # water-filling: each round saturates at least one child or ends
            active = (deficit > TOLERANCE) & (room.sum(axis=1) > TOLERANCE)
            if not active.any():
                break
            weight = np.where(room > TOLERANCE, below + 1e-3, 0.0)[active]
            share = weight / weight.sum(axis=1, keepdims=True)
            add = np.minimum(share * deficit[active, None], room[active])
            below[active] += add
            room[active] -= add
            deficit[active] -= add.sum(axis=1)
        p[:, children] = below
