"""Mask-and-recover: hide a share of each attribute's observed train values, at random or not at random, as
tables the models then train on (the hidden values are gone from them, checked by ``Fold.check``)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import polars as pl

from emma_pipeline.fill_in.crossfit import Fold
from emma_pipeline.fill_in.observed import observed
from emma_pipeline.fill_in.schema import ATTRIBUTES
from emma_pipeline.fill_in.thresholds import mean_stars
from emma_pipeline.models.prepare import ModelTables, Prepared

SCENARIOS = ("random", "not_at_random")
# what "not at random" hides per attribute (the examples first): the share with the lowest / highest value
NOT_AT_RANDOM = {"price": "the cheapest listings", "mass": "the heaviest listings",
                 "materials": "every object of the category root with the most material labels",
                 "category": "the listings with the fewest reviews", "ratings": "the worst-rated listings"}  # fmt: skip


def _candidates(prepared: Prepared, attr: str) -> np.ndarray:
    return np.flatnonzero(observed(prepared, attr) & (prepared.split == "train"))


def random_mask(prepared: Prepared, share: float = 0.3, seed: int = 0) -> Fold:
    rng = np.random.default_rng(seed)
    hidden = {}
    for attr in ATTRIBUTES:
        rows = _candidates(prepared, attr)
        hidden[attr] = np.sort(rng.choice(rows, size=int(round(share * len(rows))), replace=False))
    return Fold(0, hidden)


def not_at_random_mask(prepared: Prepared, share: float = 0.3) -> Fold:
    t, hidden = prepared.targets, {}
    for attr in ATTRIBUTES:
        rows = _candidates(prepared, attr)
        take = int(round(share * len(rows)))
        if attr == "materials":
            roots = t.category[rows, 0]
            labeled_roots = roots[roots >= 0]
            root = np.bincount(labeled_roots).argmax() if len(labeled_roots) else -1
            hidden[attr] = rows[roots == root]
            continue
        key = {"price": t.price, "mass": -t.mass, "category": t.review_count,
               "ratings": mean_stars(np.nan_to_num(t.ratings))}[attr][rows]  # fmt: skip
        hidden[attr] = np.sort(rows[np.argsort(key, kind="stable")[:take]])
    return Fold(1, hidden)


def masked_tables(tables: ModelTables, prepared: Prepared, fold: Fold) -> ModelTables:
    """``tables`` with the fold's hidden values removed (as if the sources never stated them)."""
    asin = lambda attr: pl.Series(np.asarray(prepared.asins)[fold.hidden[attr]], dtype=pl.Utf8)  # noqa: E731
    objects = tables.objects.with_columns(
        pl.when(pl.col("asin").is_in(asin("price"))).then(None).otherwise(pl.col("price_usd")).alias("price_usd"),
        pl.when(pl.col("asin").is_in(asin("mass"))).then(None).otherwise(pl.col("mass_kg")).alias("mass_kg"),
        pl.when(pl.col("asin").is_in(asin("ratings"))).then(None).otherwise(pl.col("rating_hist")).alias("rating_hist"),
    )
    if "average_rating" in objects.columns:
        objects = objects.with_columns(pl.when(pl.col("asin").is_in(asin("ratings"))).then(None)
                                       .otherwise(pl.col("average_rating")).alias("average_rating"))  # fmt: skip
    materials = tables.object_materials.filter(~pl.col("asin").is_in(asin("materials")))
    categories = tables.object_categories.with_columns(
        pl.when(pl.col("asin").is_in(asin("category"))).then(None).otherwise(pl.col("category_ids")).alias("category_ids")
    )
    return replace(tables, objects=objects, object_materials=materials, object_categories=categories)


def stated(prepared: Prepared) -> dict[str, np.ndarray]:
    """attribute -> which rows the (masked) training data states: what ``Fold.check`` verifies."""
    return {attr: observed(prepared, attr) for attr in ATTRIBUTES}
