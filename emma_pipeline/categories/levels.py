"""Per-level targets for the category loss: "cross entropy at each level of the taxonomy, only among the children
of the correct parent" (paper appendix, Losses).

At level k an object's target is the position of its level-k node among the children of its level-(k-1) node
(the roots at level 0). Children are ordered by id, so a node added by a later rebuild is appended after its
siblings and existing class positions never move.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import NamedTuple

import polars as pl

ChildrenIndex = Mapping[int | None, Sequence[int]]


class LevelTarget(NamedTuple):
    level: int  # depth of the target node (root = 0)
    parent_id: int | None  # whose children compete in this level's softmax
    child_index: int  # the target's position among those children
    n_siblings: int  # number of classes in this level's softmax


def children_index(tree: pl.DataFrame) -> dict[int | None, list[int]]:
    """parent id (None for the roots) -> child ids in id order."""
    index: dict[int | None, list[int]] = {}
    for node_id, parent_id in zip(tree["id"], tree["parent_id"], strict=True):
        index.setdefault(parent_id, []).append(int(node_id))
    return {parent: sorted(children) for parent, children in index.items()}


def level_targets(id_path: Sequence[int], tree: pl.DataFrame | ChildrenIndex) -> list[LevelTarget]:
    """One LevelTarget per node of ``id_path`` (root first). Pass ``children_index(tree)`` instead of the tree
    when calling this per object, so the index is built once."""
    index = children_index(tree) if isinstance(tree, pl.DataFrame) else tree
    targets: list[LevelTarget] = []
    parent: int | None = None
    for level, node_id in enumerate(id_path):
        siblings = index.get(parent, ())
        if node_id not in siblings:
            where = "a root" if parent is None else f"a child of node {parent}"
            raise ValueError(f"category id path {list(id_path)}: node {node_id} at level {level} is not {where}")
        targets.append(LevelTarget(level, parent, siblings.index(node_id), len(siblings)))
        parent = node_id
    return targets
