"""Generation-1 tables over the model artifacts: every model's predictions per object, and the metrics table."""

import json

import polars as pl
from dagster import AssetCheckExecutionContext, MetadataValue, Output, asset, asset_check

from assets.check_results import check_result, committed, committed_asins
from assets.models import MODEL_ASSET_OPTIONS, load_models, original_prepared
from emma_pipeline.checks import metrics_complete, predictions_well_formed
from emma_pipeline.checks.model_outputs import reported_metrics, tasks_of
from emma_pipeline.models.pipeline import metrics_table, predictions_table
from emma_pipeline.models.report import table1_markdown
from emma_pipeline.warehouse.keyed_update import changed_groups
from resources.lake import LakeResource

MODEL_ASSETS = ("text_model", "vision_model", "fusion_model")
_TABLE_GROUP = {k: v for k, v in MODEL_ASSET_OPTIONS.items() if k != "required_resource_keys"}


@asset(group_name="models", **_TABLE_GROUP)
def model_predictions(text_model: pl.DataFrame, vision_model: pl.DataFrame, fusion_model: pl.DataFrame,
                      objects: pl.DataFrame, object_materials: pl.DataFrame, object_categories: pl.DataFrame,
                      material_taxonomy: pl.DataFrame, category_tree: pl.DataFrame, splits: pl.DataFrame,
                      lake: LakeResource):  # fmt: skip
    """Every model's predictions for every object (probabilistic for materials, category and ratings). Only the
    objects whose predictions changed are written (all of an object's rows, by ASIN): a batch scored with the
    current models leaves the earlier objects' rows as they were."""
    prepared = original_prepared(locals())
    frame = pl.concat([predictions_table(m, asins, prepared) for m, asins in load_models(text_model, vision_model, fusion_model)])
    update = changed_groups(frame, lake.latest("model_predictions"), "asin", ["asin", "model"])
    return Output(update, metadata={"models": sorted(set(frame["model"].to_list())), "objects": prepared.objects.height})


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


def _reported(context: AssetCheckExecutionContext, lake: LakeResource, read_by: str) -> dict[str, dict[str, float]]:
    """Every model the checked table was built from (the model assets' rows as it read them) -> its test metrics."""
    return reported_metrics([committed(context, lake, t, ["model", "test_metrics"], read_by) for t in MODEL_ASSETS])


@asset_check(asset="model_predictions", name="covers_objects_valid_probabilities", blocking=True,
             additional_deps=["objects", *MODEL_ASSETS],
             description="As committed: one row per (model, object) for every built model, nothing else; "
             "probabilities in [0, 1], rating and modality-weight distributions summing to 1, category marginals "
             "not growing along the path, and a value of every predicted task wherever the model had input.")  # fmt: skip
def model_predictions_valid(context: AssetCheckExecutionContext, lake: LakeResource):
    tasks = {m: tasks_of(metrics) for m, metrics in _reported(context, lake, "model_predictions").items()}
    objects = committed_asins(context, lake, "objects", read_by="model_predictions")
    return check_result(predictions_well_formed(committed(context, lake, "model_predictions", None), objects, tasks))


@asset_check(asset="model_metrics", name="one_row_per_key_covers_test_metrics", blocking=True,
             additional_deps=list(MODEL_ASSETS),
             description="As committed: one row per (model, generation, modality, merger, task, split, metric); every "
             "test metric each built model reported is there; NaN only where the baseline is NaN too (nothing to "
             "score on the split).")  # fmt: skip
def model_metrics_complete(context: AssetCheckExecutionContext, lake: LakeResource):
    return check_result(metrics_complete(committed(context, lake, "model_metrics", None), _reported(context, lake, "model_metrics")))


model_table_checks = [model_predictions_valid, model_metrics_complete]
