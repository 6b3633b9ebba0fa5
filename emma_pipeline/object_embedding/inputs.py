"""Assemble the embedding's feature blocks from the published tables, for objects and for any other listing
(a removed duplicate used as a search query) labeled the same way the pipeline labels objects."""

from __future__ import annotations

import numpy as np
import polars as pl

from emma_pipeline.categories import assign_category_ids, assign_product_type_ids, clean_path
from emma_pipeline.embeddings import as_matrix
from emma_pipeline.encoders.image_encoder import has_embedding
from emma_pipeline.materials.labels import label_objects
from emma_pipeline.materials.mapper import default_mapper
from emma_pipeline.materials.taxonomy import MaterialTaxonomy
from emma_pipeline.object_embedding.features import FeatureBlocks, object_blocks

_COLUMNS = ("asin", "price_usd", "mass_kg", "rating_hist")


def pretrained_blocks(asins: list[str], text_embeddings: pl.DataFrame, image_embeddings: pl.DataFrame) -> dict:
    """The pretrained text and image embedding blocks; a listing without a readable image lacks the image block."""
    reasons = pl.DataFrame({"asin": asins}).join(image_embeddings.select("asin", "reason"), on="asin", how="left")
    image_ok = np.array([has_embedding(r) for r in reasons["reason"].to_list()], dtype=bool)
    return {
        "text": (as_matrix(text_embeddings, asins), np.ones(len(asins), dtype=bool)),
        "image": (as_matrix(image_embeddings, asins), image_ok),
    }


def object_features(objects: pl.DataFrame, object_materials: pl.DataFrame, object_categories: pl.DataFrame,
                    text_embeddings: pl.DataFrame, image_embeddings: pl.DataFrame,
                    taxonomy: MaterialTaxonomy) -> FeatureBlocks:  # fmt: skip
    frame = (
        objects.select(_COLUMNS)
        .join(object_materials.select("asin", "material_ids"), on="asin", how="left")
        .join(object_categories.select("asin", "category_ids", "product_type_id"), on="asin", how="left")
    )
    asins = frame["asin"].to_list()
    return object_blocks(frame, pretrained_blocks(asins, text_embeddings, image_embeddings), taxonomy)


def listing_features(listings: pl.DataFrame, category_tree: pl.DataFrame, product_types: pl.DataFrame,
                     text_embeddings: pl.DataFrame, image_embeddings: pl.DataFrame,
                     taxonomy: MaterialTaxonomy) -> FeatureBlocks:  # fmt: skip
    """Blocks for joined listings that are not objects: materials mapped and categories looked up as for objects
    (a path or product type the tree does not know stays unknown)."""
    materials = label_objects(listings, default_mapper()).labels.select("asin", "material_ids")
    known = {tuple(p) for p in category_tree["path"].to_list()}
    paths = [_known_prefix(clean_path(p), known) if p else None for p in listings["category_path"].to_list()]
    frame = listings.select(_COLUMNS).join(materials, on="asin", how="left").with_columns(
        pl.Series("category_ids", assign_category_ids(paths, category_tree), dtype=pl.List(pl.Int64)),
        pl.Series("product_type_id", assign_product_type_ids(listings["product_type"].to_list(), product_types), dtype=pl.Int64),
    )
    asins = frame["asin"].to_list()
    return object_blocks(frame, pretrained_blocks(asins, text_embeddings, image_embeddings), taxonomy)


def _known_prefix(path: tuple[str, ...], known: set[tuple[str, ...]]) -> tuple[str, ...] | None:
    """The longest root-first part of ``path`` the tree holds (None if not even its root)."""
    while path and path not in known:
        path = path[:-1]
    return path or None
