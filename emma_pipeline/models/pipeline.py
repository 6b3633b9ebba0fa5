"""What the model assets do, without Dagster: train (or reuse) a versioned artifact, and turn artifacts into the
``model_predictions`` and ``model_metrics`` tables."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import polars as pl

from emma_pipeline.models import artifacts
from emma_pipeline.models.config import ModelConfig
from emma_pipeline.models.metrics import HIGHER_IS_BETTER, TASK_OF_METRIC
from emma_pipeline.models.prepare import Prepared
from emma_pipeline.models.trained import TrainedModel, baseline_metrics, split_metrics

GENERATION = 1  # models trained on the original values; generation k + 1 trains on generation k's filled table


def train_or_reuse(name: str, train: Callable[[Path], TrainedModel], prepared: Prepared, config: ModelConfig,
                   snapshots: dict, root: str, cache_dir: Path, upstream: tuple[str, ...] = ()) -> tuple[TrainedModel, str, bool]:
    """(model, artifact uri, reused?). The version hashes config, input snapshots and upstream artifact uris."""
    version = config.fingerprint(name, snapshots, *upstream)
    uri = artifacts.artifact_uri(root, name, version)
    if artifacts.exists(uri):
        model, asins = artifacts.load(uri)
        if asins == prepared.asins:
            return model, uri, True
    local = artifacts.work_dir(uri, cache_dir)
    model = train(local)
    resolved = {**config.as_dict(), "model": name, "upstream": list(upstream)}
    artifacts.save(model, prepared.asins, uri, local, resolved, snapshots)
    return model, uri, False


def artifact_frame(models: list[tuple[TrainedModel, str, bool]], generation: int = GENERATION) -> pl.DataFrame:
    """One row per artifact: what downstream assets take as their declared input."""
    return pl.DataFrame(
        [{"model": m.name, "generation": generation, "modality": m.modality, "merger": m.merger, "uri": uri,
          "version": uri.rstrip("/").rsplit("/", 1)[1], "reused": reused,
          "test_metrics": json.dumps(m.metrics.get("test", {}))} for m, uri, reused in models],
        schema={"model": pl.Utf8, "generation": pl.Int64, "modality": pl.Utf8, "merger": pl.Utf8, "uri": pl.Utf8,
                "version": pl.Utf8, "reused": pl.Boolean, "test_metrics": pl.Utf8},
    )  # fmt: skip


def _list(values: np.ndarray | None, rows: np.ndarray, available: np.ndarray) -> list:
    if values is None:
        return [None] * len(rows)
    return [values[r].tolist() if available[r] else None for r in rows]


def predictions_table(model: TrainedModel, asins: list[str], prepared: Prepared, top: int = 5) -> pl.DataFrame:
    """Every object's predictions from one model: point values for price and mass, calibrated material
    probabilities (taxonomy id order), the predicted category path with each node's probability and the top
    candidates at its depth, the rating distribution, and the attention merger's modality weights."""
    if asins != prepared.asins:
        raise ValueError(f"model {model.name} was trained on other objects than the current tables: re-materialize it")
    p, h = model.predictions, prepared.hierarchy
    rows, ok = np.arange(len(asins)), p.available
    frame = {"asin": asins, "model": [model.name] * len(asins), "generation": [GENERATION] * len(asins),
             "modality": [model.modality] * len(asins), "merger": [model.merger] * len(asins), "available": ok.tolist()}  # fmt: skip
    for task, column in (("price", "price_usd"), ("mass", "mass_kg")):
        values = getattr(p, task)
        frame[column] = [float(values[r]) if values is not None and ok[r] else None for r in rows]
    frame["material_probs"] = _list(p.material_probs() if p.material_logits is not None else None, rows, ok)
    frame["rating_probs"] = _list(p.ratings, rows, ok)
    frame["modality_weights"] = _list(p.modality_weights, rows, ok)
    paths, probs, top_ids, top_probs = [], [], [], []
    if p.category_log_probs is not None:
        marginals = h.marginals(p.category_log_probs)
        greedy = h.greedy_paths(marginals)
        for r in rows:
            path = [int(i) for i in greedy[r] if i >= 0]
            depth_nodes = np.flatnonzero(h.depth == len(path) - 1)
            best = depth_nodes[np.argsort(-marginals[r, depth_nodes], kind="stable")[:top]]
            paths.append([int(h.node_ids[i]) for i in path] if ok[r] else None)
            probs.append([float(marginals[r, i]) for i in path] if ok[r] else None)
            top_ids.append([int(h.node_ids[i]) for i in best] if ok[r] else None)
            top_probs.append([float(marginals[r, i]) for i in best] if ok[r] else None)
    else:
        paths = probs = top_ids = top_probs = [None] * len(asins)
    frame.update(category_ids=paths, category_probs=probs, category_top_ids=top_ids, category_top_probs=top_probs)
    schema = {"asin": pl.Utf8, "model": pl.Utf8, "generation": pl.Int64, "modality": pl.Utf8, "merger": pl.Utf8,
              "available": pl.Boolean, "price_usd": pl.Float64, "mass_kg": pl.Float64,
              "material_probs": pl.List(pl.Float32), "rating_probs": pl.List(pl.Float32), "modality_weights": pl.List(pl.Float32),
              "category_ids": pl.List(pl.Int64), "category_probs": pl.List(pl.Float64),
              "category_top_ids": pl.List(pl.Int64), "category_top_probs": pl.List(pl.Float64)}  # fmt: skip
    return pl.DataFrame(frame, schema=schema)


def metrics_rows(model: TrainedModel, prepared: Prepared, splits=("val", "test"), generation: int = GENERATION) -> list[dict]:
    """Recomputed from the artifact's predictions against the current targets, with the baseline's value."""
    ours = split_metrics(model.predictions, prepared, splits)
    base = baseline_metrics(prepared, model.predictions.tasks, splits)
    return [{"model": model.name, "generation": generation, "modality": model.modality, "merger": model.merger,
             "task": TASK_OF_METRIC[metric], "split": split, "metric": metric, "value": value,
             "baseline": base[split].get(metric), "higher_is_better": HIGHER_IS_BETTER[metric]}
            for split in splits for metric, value in ours[split].items()]  # fmt: skip


METRICS_SCHEMA = {"model": pl.Utf8, "generation": pl.Int64, "modality": pl.Utf8, "merger": pl.Utf8, "task": pl.Utf8,
                  "split": pl.Utf8, "metric": pl.Utf8, "value": pl.Float64, "baseline": pl.Float64,
                  "higher_is_better": pl.Boolean}  # fmt: skip


def metrics_table(models: list[TrainedModel], prepared: Prepared, generation: int = GENERATION) -> pl.DataFrame:
    rows = [row for m in models for row in metrics_rows(m, prepared, generation=generation)]
    return pl.DataFrame(rows, schema=METRICS_SCHEMA)
