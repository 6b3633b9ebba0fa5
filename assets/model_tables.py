"""Generation-1 tables over the model artifacts: every model's predictions per object, and the metrics table."""

import json

import polars as pl
from dagster import MetadataValue, Output, asset

from assets.models import MODEL_ASSET_OPTIONS, load_models, original_prepared
from emma_pipeline.models.pipeline import metrics_table, predictions_table
from emma_pipeline.models.report import table1_markdown

_TABLE_GROUP = {k: v for k, v in MODEL_ASSET_OPTIONS.items() if k != "required_resource_keys"}


@asset(group_name="models", **_TABLE_GROUP)
def model_predictions(text_model: pl.DataFrame, vision_model: pl.DataFrame, fusion_model: pl.DataFrame,
                      objects: pl.DataFrame, object_materials: pl.DataFrame, object_categories: pl.DataFrame,
                      material_taxonomy: pl.DataFrame, category_tree: pl.DataFrame, splits: pl.DataFrame):
    """Every model's predictions for every object (probabilistic for materials, category and ratings)."""
    prepared = original_prepared(locals())
    frame = pl.concat([predictions_table(m, asins, prepared) for m, asins in load_models(text_model, vision_model, fusion_model)])
    return Output(frame, metadata={"models": sorted(set(frame["model"].to_list())), "objects": prepared.objects.height})


@asset(group_name="models", **_TABLE_GROUP)
def model_metrics(text_model: pl.DataFrame, vision_model: pl.DataFrame, fusion_model: pl.DataFrame,
                  objects: pl.DataFrame, object_materials: pl.DataFrame, object_categories: pl.DataFrame,
                  material_taxonomy: pl.DataFrame, category_tree: pl.DataFrame, splits: pl.DataFrame):
    """One row per (model, generation, modality, merger, task, split, metric) with the trivial baseline's value."""
    prepared = original_prepared(locals())
    table = metrics_table([m for m, _ in load_models(text_model, vision_model, fusion_model)], prepared)
    test = table.filter(pl.col("split") == "test")
    better = test.with_columns(
        pl.when(pl.col("higher_is_better")).then(pl.col("value") > pl.col("baseline")).otherwise(pl.col("value") < pl.col("baseline")).alias("beats")
    ).filter(pl.col("metric").is_in(["mnre_price", "mnre_mass", "f1_materials", "accuracy_category", "kl_ratings"]))
    return Output(table, metadata={"table_1": MetadataValue.md(table1_markdown(table)),
                                   "beats_baseline": f"{int(better['beats'].sum())}/{better.height}",
                                   "cells": json.dumps(table.height)})  # fmt: skip
