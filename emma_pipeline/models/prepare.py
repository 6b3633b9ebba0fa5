"""The tables a model trains on, aligned once: ASIN order, split per row, targets, taxonomy indexes."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from emma_pipeline.models.hierarchy import CategoryHierarchy
from emma_pipeline.models.targets import MaterialIndex, Targets, build_targets

TABLES = ("objects", "object_materials", "object_categories", "material_taxonomy", "category_tree", "splits")


@dataclass(frozen=True)
class ModelTables:
    objects: pl.DataFrame
    object_materials: pl.DataFrame
    object_categories: pl.DataFrame
    material_taxonomy: pl.DataFrame
    category_tree: pl.DataFrame
    splits: pl.DataFrame


@dataclass(frozen=True)
class Prepared:
    asins: list[str]
    objects: pl.DataFrame  # rows in ``asins`` order, with product_type_id joined
    split: np.ndarray  # (n,) train / val / test / calibration
    targets: Targets
    hierarchy: CategoryHierarchy
    materials: MaterialIndex

    def rows(self, *splits: str) -> np.ndarray:
        return np.flatnonzero(np.isin(self.split, splits))


def prepare(tables: ModelTables) -> Prepared:
    objects = tables.objects.sort("asin")
    missing = objects.join(tables.splits, on="asin", how="anti")
    if missing.height:
        raise ValueError(f"{missing.height} objects have no split (e.g. {missing['asin'][0]}): rebuild `splits`")
    objects = objects.join(tables.splits.select("asin", "split"), on="asin", how="left").join(
        tables.object_categories.select("asin", "product_type_id"), on="asin", how="left"
    )
    asins = objects["asin"].to_list()
    hierarchy = CategoryHierarchy.from_tree(tables.category_tree)
    materials = MaterialIndex.from_taxonomy(tables.material_taxonomy)
    targets = build_targets(asins, objects, tables.object_materials, tables.object_categories, materials, hierarchy)
    return Prepared(asins, objects, objects["split"].to_numpy(), targets, hierarchy, materials)
