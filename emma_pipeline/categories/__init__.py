"""Categories: the category tree built from the objects' category paths (stable ids, per-level loss targets) and
the product-type vocabulary. The Figure 3 treemap is ``categories.treemap.treemap_png`` (kept out of this import so
loss code does not load matplotlib)."""

from emma_pipeline.categories.levels import LevelTarget, children_index, level_targets
from emma_pipeline.categories.product_types import (
    UNKNOWN_ID,
    assign_product_type_ids,
    normalize_product_type,
    product_type_vocabulary,
)
from emma_pipeline.categories.tree import CATEGORY_TREE_SCHEMA, assign_category_ids, build_category_tree, clean_path

__all__ = [
    "CATEGORY_TREE_SCHEMA",
    "UNKNOWN_ID",
    "LevelTarget",
    "assign_category_ids",
    "assign_product_type_ids",
    "build_category_tree",
    "children_index",
    "clean_path",
    "level_targets",
    "normalize_product_type",
    "product_type_vocabulary",
]
