"""Generation-1 models: text, vision and fusion artifacts, every model's predictions, and the metrics table.
Each model asset returns one row per artifact (uri, version); downstream assets load exactly that artifact."""

import json

import numpy as np
import polars as pl
from dagster import AssetExecutionContext, AutomationCondition, MetadataValue, Output, asset

from assets.metadata import png_markdown
from emma_pipeline.models import artifacts
from emma_pipeline.models.fusion_model import train_fusion_model
from emma_pipeline.models.pipeline import artifact_frame, metrics_table, predictions_table, train_or_reuse
from emma_pipeline.models.prepare import TABLES, ModelTables, prepare
from emma_pipeline.models.report import collapsed_share, modality_weights_png, table1_markdown
from emma_pipeline.models.text_model import train_text_model
from emma_pipeline.models.vision_model import train_vision_model
from resources.lake import LakeResource
from resources.models import ModelTrainingResource

_GROUP = {"group_name": "models", "kinds": {"pytorch", "duckdb"}, "automation_condition": AutomationCondition.eager()}


def _snapshots(lake: LakeResource) -> dict[str, int]:
    """The lake snapshot of every table the model reads (recorded in its artifact)."""
    store = lake.lake()
    return {t: int(store.versions(t)["snapshot_id"][-1]) for t in TABLES}


def _metadata(model, uri: str, reused: bool) -> dict:
    flat = {f"{split}/{name}": MetadataValue.float(float(v)) for split, values in model.metrics.items()
            for name, v in values.items() if np.isfinite(v)}  # fmt: skip
    return {**flat, "artifact": uri, "reused_artifact": reused,
            "info": MetadataValue.json({k: v for k, v in model.info.items() if not isinstance(v, np.ndarray)})}


def _train_single(kind: str, train_fn, tables: ModelTables, lake: LakeResource, training: ModelTrainingResource):
    prepared, config = prepare(tables), training.config()
    model, uri, reused = train_or_reuse(kind, lambda work: train_fn(prepared, config, work), prepared, config,
                                        _snapshots(lake), training.root, training.cache())  # fmt: skip
    return Output(artifact_frame([(model, uri, reused)]), metadata=_metadata(model, uri, reused))


@asset(**_GROUP)
def text_model(objects: pl.DataFrame, object_materials: pl.DataFrame, object_categories: pl.DataFrame,
               material_taxonomy: pl.DataFrame, category_tree: pl.DataFrame, splits: pl.DataFrame,
               lake: LakeResource, model_training: ModelTrainingResource):
    """Sentence encoder fine-tuned with one decoder per task (price, mass, materials, category, ratings)."""
    tables = ModelTables(objects, object_materials, object_categories, material_taxonomy, category_tree, splits)
    return _train_single("text", train_text_model, tables, lake, model_training)


@asset(**_GROUP)
def vision_model(objects: pl.DataFrame, object_materials: pl.DataFrame, object_categories: pl.DataFrame,
                 material_taxonomy: pl.DataFrame, category_tree: pl.DataFrame, splits: pl.DataFrame,
                 lake: LakeResource, model_training: ModelTrainingResource):
    """timm backbone fine-tuned on all of a listing's images (features summed), same decoders."""
    tables = ModelTables(objects, object_materials, object_categories, material_taxonomy, category_tree, splits)
    return _train_single("vision", train_vision_model, tables, lake, model_training)


@asset(**_GROUP)
def fusion_model(context: AssetExecutionContext, text_model: pl.DataFrame, vision_model: pl.DataFrame,
                 objects: pl.DataFrame, object_materials: pl.DataFrame, object_categories: pl.DataFrame,
                 material_taxonomy: pl.DataFrame, category_tree: pl.DataFrame, splits: pl.DataFrame,
                 lake: LakeResource, model_training: ModelTrainingResource):
    """Per task, a network on both fine-tuned embeddings plus all other attributes (masked when missing); one
    artifact per merger (concatenation, modality attention with KL-to-uniform)."""
    prepared = prepare(ModelTables(objects, object_materials, object_categories, material_taxonomy, category_tree, splits))
    config, upstream = model_training.config(), (text_model["uri"][0], vision_model["uri"][0])
    text, _ = artifacts.load(upstream[0])
    vision, _ = artifacts.load(upstream[1])
    built = []
    for merger in ("concat", "attention"):
        context.log.info(f"fusion model, {merger} merger")
        train = lambda work, m=merger: train_fusion_model(prepared, text, vision, config, work, m)  # noqa: E731
        built.append(train_or_reuse(f"fusion_{merger}", train, prepared, config, _snapshots(lake), model_training.root,
                                    model_training.cache(), upstream))  # fmt: skip
    attention = built[1][0]
    weights = attention.predictions.modality_weights
    metadata = {f"{m.name}:{k}": v for m, uri, reused in built for k, v in _metadata(m, uri, reused).items()}
    metadata["collapsed_share"] = MetadataValue.float(collapsed_share(weights))
    metadata["modality_weights"] = png_markdown(modality_weights_png(weights, attention.info["modalities"]), "modality weights")
    metadata["mean_modality_weights"] = MetadataValue.json(dict(zip(attention.info["modalities"], weights.mean(axis=0).round(3).tolist())))
    return Output(artifact_frame(built), metadata=metadata)


def _load_all(*frames: pl.DataFrame):
    return [artifacts.load(uri) for frame in frames for uri in frame["uri"].to_list()]


@asset(**_GROUP)
def model_predictions(text_model: pl.DataFrame, vision_model: pl.DataFrame, fusion_model: pl.DataFrame,
                      objects: pl.DataFrame, object_materials: pl.DataFrame, object_categories: pl.DataFrame,
                      material_taxonomy: pl.DataFrame, category_tree: pl.DataFrame, splits: pl.DataFrame):
    """Every model's predictions for every object (probabilistic for materials, category and ratings)."""
    prepared = prepare(ModelTables(objects, object_materials, object_categories, material_taxonomy, category_tree, splits))
    frame = pl.concat([predictions_table(m, asins, prepared) for m, asins in _load_all(text_model, vision_model, fusion_model)])
    return Output(frame, metadata={"models": sorted(set(frame["model"].to_list())), "objects": prepared.objects.height})


@asset(**_GROUP)
def model_metrics(text_model: pl.DataFrame, vision_model: pl.DataFrame, fusion_model: pl.DataFrame,
                  objects: pl.DataFrame, object_materials: pl.DataFrame, object_categories: pl.DataFrame,
                  material_taxonomy: pl.DataFrame, category_tree: pl.DataFrame, splits: pl.DataFrame):
    """One row per (model, generation, modality, merger, task, split, metric) with the trivial baseline's value."""
    prepared = prepare(ModelTables(objects, object_materials, object_categories, material_taxonomy, category_tree, splits))
    table = metrics_table([m for m, _ in _load_all(text_model, vision_model, fusion_model)], prepared)
    test = table.filter(pl.col("split") == "test")
    better = test.with_columns(
        pl.when(pl.col("higher_is_better")).then(pl.col("value") > pl.col("baseline")).otherwise(pl.col("value") < pl.col("baseline")).alias("beats")
    ).filter(pl.col("metric").is_in(["mnre_price", "mnre_mass", "f1_materials", "accuracy_category", "kl_ratings"]))
    return Output(table, metadata={"table_1": MetadataValue.md(table1_markdown(table)),
                                   "beats_baseline": f"{int(better['beats'].sum())}/{better.height}",
                                   "cells": json.dumps(table.height)})  # fmt: skip
