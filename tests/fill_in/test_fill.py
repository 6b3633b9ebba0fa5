"""Bookkeeping of one generation's fill-in on a literal dataset with fake model outputs."""

import numpy as np
import polars as pl
import pytest

from emma_pipeline.fill_in.config import FillInConfig
from emma_pipeline.fill_in.crossfit import LeakError
from emma_pipeline.fill_in.generation import fill
from emma_pipeline.fill_in.schema import ATTRIBUTES, dataset_schema
from emma_pipeline.fill_in.training_data import filled_prepared
from emma_pipeline.fill_in.tuning import tune
from emma_pipeline.fill_in.candidates import candidates


@pytest.fixture(scope="module")
def filled(models, prepared, tables):
    return fill(models, prepared, tables.object_materials, FillInConfig(), generation=1, version="v1")


def test_original_values_are_never_overwritten(filled, tables):
    table = filled.table.join(tables.objects, on="asin").join(tables.object_materials, on="asin", how="left").join(
        tables.object_categories, on="asin", how="left")
    price = table.filter(pl.col("price_source") == "original")
    assert price.height == tables.objects["price_usd"].drop_nulls().len()
    assert (price["price"] == price["price_usd"]).all()
    mass = table.filter(pl.col("mass_source") == "original")
    assert (mass["mass"] == mass["mass_kg"]).all() and mass.height == tables.objects["mass_kg"].drop_nulls().len()
    materials = table.filter(pl.col("materials_source") == "original")
    assert materials["materials"].to_list() == materials["material_ids"].to_list() and materials.height == tables.object_materials.height
    category = table.filter(pl.col("category_source") == "original")
    assert category["category_path"].to_list() == category["category_ids"].to_list()
    assert category["category_probs"].to_list() == [[1.0] * len(p) for p in category["category_ids"].to_list()]
    ratings = table.filter(pl.col("ratings_source") == "original")
    for got, hist in zip(ratings["ratings"].to_list(), ratings["rating_hist"].to_list()):
        assert np.allclose(got, np.array(hist) / sum(hist))
    for attr in ATTRIBUTES:
        original = table.filter(pl.col(f"{attr}_source") == "original")
        assert original[f"{attr}_confidence"].null_count() == original.height
        assert original[f"{attr}_model_version"].null_count() == original.height


def test_every_missing_value_is_filled_with_provenance(filled):
    table = filled.table
    assert table.schema == pl.Schema(dataset_schema())
    for attr in ATTRIBUTES:
        synthetic = table.filter(pl.col(f"{attr}_source") != "original")
        assert synthetic.height > 0, attr
        assert set(synthetic[f"{attr}_source"]) == {"gen1"}
        assert synthetic[attr].null_count() == 0 and synthetic[f"{attr}_confidence"].null_count() == 0
        assert (synthetic[f"{attr}_model_version"] == "v1").all()


def test_materials_are_taxonomy_consistent_with_labels_clamped(filled, prepared):
    assert filled.consistency_violations == 0
    probs = np.array(filled.table["materials_probs"].to_list())
    counted = prepared.targets.materials_mask > 0
    assert np.allclose(probs[counted], prepared.targets.materials[counted])


def test_values_below_threshold_are_written_and_marked(models, prepared, tables):
    strict = fill(models, prepared, tables.object_materials, FillInConfig(precision=1.01), 1, "v1").table
    for attr in ATTRIBUTES:
        synthetic = strict.filter(pl.col(f"{attr}_source") != "original")
        assert not synthetic[f"{attr}_passes_threshold"].any() and synthetic[attr].null_count() == 0
        assert strict.filter(pl.col(f"{attr}_source") == "original")[f"{attr}_passes_threshold"].all()


def test_thresholds_are_never_tuned_on_training_rows(models, prepared):
    c = candidates(models, "fusion_attention", prepared)
    with pytest.raises(LeakError):
        tune(c, prepared, FillInConfig(), trained_rows=np.r_[prepared.rows("train"), prepared.rows("val")[:1]])
    tuned = tune(c, prepared, FillInConfig(), trained_rows=prepared.rows("train"))
    assert set(tuned.tuning_rows) == set(prepared.rows("val", "calibration"))


def test_next_generation_trains_on_filled_train_rows_only(filled, prepared):
    nxt = filled_prepared(prepared, filled.table)
    train, held = prepared.rows("train"), prepared.rows("val", "test", "calibration")
    assert np.isfinite(nxt.targets.price[train]).all() and np.isfinite(nxt.targets.mass[train]).all()
    assert (nxt.targets.materials_mask[train] == 1).all() and (nxt.targets.category[train, 0] >= 0).all()
    for field in ("price", "mass", "materials", "materials_mask", "category", "ratings", "review_count"):
        assert np.array_equal(getattr(nxt.targets, field)[held], getattr(prepared.targets, field)[held], equal_nan=True)
    known = np.isfinite(prepared.targets.price)
    assert np.array_equal(nxt.targets.price[known], prepared.targets.price[known])
