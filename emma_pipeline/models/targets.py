"""Task targets aligned to a list of ASINs, built from the published tables (objects, object_materials,
object_categories, material_taxonomy, category_tree). NaN / -1 / an all-zero mask mean "unknown"."""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
import polars as pl

from emma_pipeline.models.hierarchy import CategoryHierarchy


@dataclass(frozen=True)
class MaterialIndex:
    node_ids: np.ndarray  # (M,) taxonomy ids in index order
    parent: np.ndarray  # (M,) parent index, -1 for roots

    @classmethod
    def from_taxonomy(cls, taxonomy: pl.DataFrame) -> MaterialIndex:
        taxonomy = taxonomy.sort("id")
        ids = taxonomy["id"].to_numpy().astype(np.int64)
        position = {int(node): i for i, node in enumerate(ids)}
        parent = [-1 if p is None else position[int(p)] for p in taxonomy["parent_id"].to_list()]
        return cls(node_ids=ids, parent=np.array(parent, dtype=np.int64))

    @property
    def size(self) -> int:
        return len(self.node_ids)

    def ancestors(self, index: int) -> list[int]:
        out, parent = [], self.parent[index]
        while parent >= 0:
            out.append(int(parent))
            parent = self.parent[parent]
        return out


def material_targets(labels: list[list[int] | None], index: MaterialIndex) -> tuple[np.ndarray, np.ndarray]:
    """(target, mask), each (n, M). A labeled node and its ancestors are positive; the other descendants of a
    labeled node are masked (the label says nothing about them); every other node is negative. Objects without
    labels are fully masked."""
    position = {int(node): i for i, node in enumerate(index.node_ids)}
    n, m = len(labels), index.size
    target, mask = np.zeros((n, m), np.float32), np.zeros((n, m), np.float32)
    ancestors = [set(index.ancestors(node)) for node in range(m)]
    for row, ids in enumerate(labels):
        if not ids:
            continue
        labeled = [position[int(node)] for node in ids]
        positive = set(labeled)
        for node in labeled:
            positive.update(index.ancestors(node))
        mask[row] = 1.0
        below_label = np.array([not ancestors[node].isdisjoint(labeled) for node in range(m)], dtype=bool)
        mask[row, below_label] = 0.0
        target[row, sorted(positive)] = 1.0
        mask[row, sorted(positive)] = 1.0
    return target, mask


@dataclass(frozen=True)
class Targets:
    price: np.ndarray  # (n,) USD
    mass: np.ndarray  # (n,) kg
    materials: np.ndarray  # (n, M)
    materials_mask: np.ndarray  # (n, M)
    category: np.ndarray  # (n, L) category node indices, -1 padded
    ratings: np.ndarray  # (n, 5) star distribution, NaN rows without reviews
    review_count: np.ndarray  # (n,)

    def subset(self, rows: np.ndarray) -> Targets:
        return Targets(**{f.name: getattr(self, f.name)[rows] for f in fields(self)})

    def __len__(self) -> int:
        return len(self.price)


def build_targets(asins: list[str], objects: pl.DataFrame, object_materials: pl.DataFrame,
                  object_categories: pl.DataFrame, materials: MaterialIndex, hierarchy: CategoryHierarchy) -> Targets:
    frame = (
        pl.DataFrame({"asin": asins})
        .join(objects.select("asin", "price_usd", "mass_kg", "rating_hist", "review_count"), on="asin", how="left")
        .join(object_materials.select("asin", "material_ids"), on="asin", how="left")
        .join(object_categories.select("asin", "category_ids"), on="asin", how="left")
    )
    hist = np.array([h if h is not None and sum(h) > 0 else [np.nan] * 5 for h in frame["rating_hist"].to_list()],
                    dtype=np.float64).reshape(-1, 5)  # fmt: skip
    counts = np.nansum(hist, axis=1)
    ratings = (hist / np.where(counts > 0, counts, 1)[:, None]).astype(np.float32)
    target, mask = material_targets(frame["material_ids"].to_list(), materials)
    return Targets(
        price=frame["price_usd"].cast(pl.Float64).fill_null(np.nan).to_numpy().astype(np.float32),
        mass=frame["mass_kg"].cast(pl.Float64).fill_null(np.nan).to_numpy().astype(np.float32),
        materials=target,
        materials_mask=mask,
        category=hierarchy.paths_to_indices(frame["category_ids"].to_list()),
        ratings=ratings,
        review_count=np.nan_to_num(counts).astype(np.float32),
    )
