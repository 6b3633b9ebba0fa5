"""The training data of generation k + 1: generation k's filled table on the train split, the original values
everywhere else (val, test and calibration stay as the sources state them, so every generation is evaluated,
calibrated and thresholded on the same observed values, none of which any generation trained on)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import polars as pl

from emma_pipeline.models.prepare import Prepared

SYNTHETIC_REVIEW_COUNT = 1.0  # a filled rating distribution weighs like a one-review listing (log 2) in the loss


def filled_prepared(prepared: Prepared, filled: pl.DataFrame) -> Prepared:
    """``prepared`` with the train rows' targets (and the price / mass columns the fusion inputs read) taken from
    ``filled`` (a dataset-schema table)."""
    aligned = pl.DataFrame({"asin": prepared.asins}).join(filled, on="asin", how="left")
    if aligned["price_source"].null_count():
        raise ValueError("the filled table lacks objects of the current tables: rebuild the previous generation")
    train = prepared.split == "train"
    t = prepared.targets
    price = np.where(train, aligned["price"].to_numpy(), t.price).astype(np.float32)
    mass = np.where(train, aligned["mass"].to_numpy(), t.mass).astype(np.float32)
    probs = np.array(aligned["materials_probs"].to_list(), dtype=np.float32)
    materials = np.where(train[:, None], probs, t.materials).astype(np.float32)
    materials_mask = np.where(train[:, None], 1.0, t.materials_mask).astype(np.float32)
    paths = prepared.hierarchy.paths_to_indices(aligned["category_path"].to_list())
    category = np.where(train[:, None], paths, t.category)
    ratings = np.where(train[:, None], np.array(aligned["ratings"].to_list(), dtype=np.float32), t.ratings)
    synthetic_ratings = train & (aligned["ratings_source"] != "original").to_numpy()
    review_count = np.where(synthetic_ratings, SYNTHETIC_REVIEW_COUNT, t.review_count).astype(np.float32)
    targets = replace(t, price=price, mass=mass, materials=materials, materials_mask=materials_mask, category=category,
                      ratings=ratings.astype(np.float32), review_count=review_count)  # fmt: skip
    objects = prepared.objects.with_columns(pl.Series("price_usd", price.astype(np.float64)),
                                            pl.Series("mass_kg", mass.astype(np.float64)))  # fmt: skip
    return replace(prepared, objects=objects, targets=targets)
