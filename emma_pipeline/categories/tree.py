"""The category tree implied by the objects' category paths, with ids that stay stable across rebuilds.

A node is identified by its full root-first path, so "Accessories" under two parents are two nodes. Names are
cleaned (HTML entities decoded, whitespace collapsed) and empty segments dropped. A segment that repeats its
parent is kept as given: Amazon's browse tree really has "Gift Cards > Gift Cards" beside "Gift Cards > Gift Card
Accessories", so collapsing it would move 1,500 real UCSD objects up a level and change what level 1 means.

Ids: without a previous tree, nodes are numbered in path order (a parent always before its children). With one,
every previous node keeps its id and stays in the tree (with ``n_objects`` 0 if no object reaches it any more),
and new nodes are numbered after the largest previous id, so an id never changes meaning or gets reused.
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Iterable, Sequence

import polars as pl

CATEGORY_TREE_SCHEMA: dict[str, pl.DataType] = {
    "id": pl.Int64,
    "name": pl.Utf8,
    "parent_id": pl.Int64,  # null for roots
    "depth": pl.Int64,  # root = 0
    "path": pl.List(pl.Utf8),  # root first, ending with ``name``
    "n_objects": pl.Int64,  # objects whose path passes through the node
    "n_children": pl.Int64,
}

NodePath = tuple[str, ...]


def clean_name(name: str) -> str:
    """Decode HTML entities (also double-encoded ones such as ``&amp;amp;``) and collapse whitespace."""
    for _ in range(3):
        decoded = html.unescape(name)
        if decoded == name:
            break
        name = decoded
    return " ".join(name.split())


def clean_path(path: Sequence[str | None] | None) -> NodePath:
    """Root-first cleaned names; empty or non-string segments are dropped (an all-empty path becomes ``()``)."""
    names = (clean_name(segment) for segment in path or () if isinstance(segment, str))
    return tuple(name for name in names if name)


def build_category_tree(paths: Iterable[Sequence[str] | None], previous: pl.DataFrame | None = None) -> pl.DataFrame:
    """One row per node (CATEGORY_TREE_SCHEMA), sorted by id. Objects without a path count toward no node."""
    counts: Counter[NodePath] = Counter()
    for path, n in Counter(tuple(p) if p is not None else () for p in paths).items():
        cleaned = clean_path(path)
        for depth in range(len(cleaned)):
            counts[cleaned[: depth + 1]] += n
    ids = _previous_ids(previous)
    next_id = max(ids.values(), default=-1) + 1
    for node in sorted(counts.keys() - ids.keys()):
        ids[node] = next_id
        next_id += 1
    n_children = Counter(node[:-1] for node in ids if len(node) > 1)
    rows = [
        {
            "id": node_id,
            "name": node[-1],
            "parent_id": ids[node[:-1]] if len(node) > 1 else None,
            "depth": len(node) - 1,
            "path": list(node),
            "n_objects": counts.get(node, 0),
            "n_children": n_children.get(node, 0),
        }
        for node, node_id in ids.items()
    ]
    return pl.DataFrame(rows, schema=CATEGORY_TREE_SCHEMA).sort("id")


def _previous_ids(previous: pl.DataFrame | None) -> dict[NodePath, int]:
    if previous is None or previous.is_empty():
        return {}
    ids = {tuple(path): int(node_id) for node_id, path in zip(previous["id"], previous["path"], strict=True)}
    if len(ids) != previous.height or len(set(ids.values())) != previous.height:
        raise ValueError("previous category tree has duplicate paths or ids; pass the table build_category_tree wrote")
    missing = [path for path in ids if len(path) > 1 and path[:-1] not in ids]
    if missing:
        raise ValueError(f"previous category tree lacks the parent of {list(missing[0])}")
    return ids


def assign_category_ids(paths: Iterable[Sequence[str] | None], tree: pl.DataFrame) -> list[list[int] | None]:
    """Each object's root-first node ids; None where the object has no (non-empty) path.

    Raises ValueError for a path the tree does not contain: the tree was built from other objects.
    """
    ids = {tuple(path): int(node_id) for node_id, path in zip(tree["id"], tree["path"], strict=True)}
    memo: dict[tuple, list[int] | None] = {}  # objects share few distinct paths
    out: list[list[int] | None] = []
    for path in paths:
        key = tuple(path) if path is not None else ()
        if key not in memo:
            memo[key] = _id_path(clean_path(key), ids)
        out.append(memo[key] if memo[key] is None else list(memo[key]))
    return out


def _id_path(path: NodePath, ids: dict[NodePath, int]) -> list[int] | None:
    if not path:
        return None
    try:
        return [ids[path[: depth + 1]] for depth in range(len(path))]
    except KeyError:
        message = f"category path {list(path)} is not in the tree; rebuild the tree from these objects"
        raise ValueError(message) from None
