"""What the model assets do, without Dagster: train, reuse or extend (score a batch's new objects with) a
versioned artifact, and turn artifacts into the ``model_predictions`` and ``model_metrics`` tables."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from emma_pipeline.models import artifacts
from emma_pipeline.models.checkpoints import local_folder, resolved_config
from emma_pipeline.models.config import ModelConfig
from emma_pipeline.models.extension import extended
from emma_pipeline.models.metrics import HIGHER_IS_BETTER, TASK_OF_METRIC
from emma_pipeline.models.prepare import Prepared
from emma_pipeline.models.retrain import retrain_reason
from emma_pipeline.models.trained import TrainedModel, baseline_metrics, split_metrics

GENERATION = 1  # models trained on the original values; generation k + 1 trains on generation k's filled table


@dataclass(frozen=True)
class Extension:
    """How a build may score its objects with the artifact the model asset wrote last instead of training:
    ``keys()`` gives the current objects' input keys; ``score(folder, state, rows)`` runs the trained network
    stored in ``folder`` on those rows (``state``: the stored model's, e.g. its scaling statistics);
    ``upstream_bases``: the trained artifacts the model's upstream artifacts descend from."""

    previous_uri: str | None
    keys: Callable[[], np.ndarray]
    score: Callable[[Path, dict, np.ndarray], tuple[dict, np.ndarray]]
    retrain_after_days: float
    upstream_bases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Built:
    model: TrainedModel
    uri: str
    how: str  # reused (same inputs), extended (new objects scored with a trained network), trained
    reason: str

    @property
    def reused(self) -> bool:
        return self.how == "reused"


def base_of(uri: str) -> str:
    """The trained artifact ``uri`` descends from (itself when it was trained)."""
    return resolved_config(uri).get("base", uri)


def train_or_reuse(name: str, train: Callable[[Path], TrainedModel], prepared: Prepared, config: ModelConfig,
                   snapshots: dict, root: str, cache_dir: Path, upstream: tuple[str, ...] = (),
                   extension: Extension | None = None) -> Built:  # fmt: skip
    """The version hashes config, input snapshots and upstream artifact uris (and, for an extension, the trained
    artifact it extends). An artifact of that version is reused; else, when ``extension`` allows
    (``retrain.retrain_reason``), the previous artifact scores the new and changed objects; else the model is
    trained. A model that cannot score (its checkpoints gone, a network that no longer loads) is trained."""
    uri = artifacts.artifact_uri(root, name, config.fingerprint(name, snapshots, *upstream))
    reused = _reusable(uri, prepared)
    if reused is not None:
        return Built(reused, uri, "reused", "an artifact of these inputs exists")
    resolved = {**config.as_dict(), "model": name, "upstream": list(upstream)}
    bases = list(extension.upstream_bases) if extension else [base_of(u) for u in upstream]
    reason = "no earlier artifact"
    if extension is not None and extension.previous_uri and artifacts.exists(extension.previous_uri):
        previous, previous_asins = artifacts.load(extension.previous_uri)
        earlier = resolved_config(extension.previous_uri)
        reason = retrain_reason(earlier, previous, config, prepared, bases, extension.retrain_after_days)
        if reason is None:
            base = earlier.get("base", extension.previous_uri)
            target = artifacts.artifact_uri(root, name, config.fingerprint(name, snapshots, *upstream, "extends", base))
            reused = _reusable(target, prepared, base)
            if reused is not None:
                return Built(reused, target, "reused", f"an extension of {base} to these inputs exists")
            try:
                folder = local_folder(base, cache_dir)
                model = extended(previous, previous_asins, prepared, extension.keys(),
                                 lambda rows: extension.score(folder, previous.state, rows))  # fmt: skip
            except (OSError, ValueError, KeyError, RuntimeError) as error:  # e.g. checkpoints deleted: train, say why
                reason = f"the stored network of {base} cannot score ({type(error).__name__}: {error})"
            else:
                lineage = {"base": base, "extends": extension.previous_uri, "trained_at": earlier["trained_at"], "upstream_bases": bases}
                artifacts.save(model, prepared.asins, target, artifacts.work_dir(target, cache_dir), {**resolved, **lineage}, snapshots)
                return Built(model, target, "extended", f"scored {model.info['scored_objects']} new or changed objects with {base}")
    local = artifacts.work_dir(uri, cache_dir)
    model = train(local)
    lineage = {"base": uri, "trained_at": time.time(), "upstream_bases": bases}
    artifacts.save(model, prepared.asins, uri, local, {**resolved, **lineage}, snapshots)
    return Built(model, uri, "trained", reason)


def _reusable(uri: str, prepared: Prepared, base: str | None = None) -> TrainedModel | None:
    """The complete artifact at ``uri`` when it covers ``prepared``'s objects and descends from ``base`` (None:
    a trained artifact, not an extension, so that retraining is never answered with an earlier extension)."""
    if not artifacts.exists(uri):
        return None
    model, asins = artifacts.load(uri)
    if asins != prepared.asins or resolved_config(uri).get("base", uri) != (base or uri):
        return None
    return model


def artifact_frame(models: list[Built], generation: int = GENERATION) -> pl.DataFrame:
    """One row per artifact: what downstream assets take as their declared input. ``base_version``: the trained
    artifact whose networks made the predictions (the artifact itself unless it extends one)."""
    return pl.DataFrame(
        [{"model": b.model.name, "generation": generation, "modality": b.model.modality, "merger": b.model.merger,
          "uri": b.uri, "version": _version(b.uri), "base_version": _version(base_of(b.uri)), "reused": b.reused,
          "how": b.how, "why": b.reason, "test_metrics": json.dumps(b.model.metrics.get("test", {}))} for b in models],
        schema={"model": pl.Utf8, "generation": pl.Int64, "modality": pl.Utf8, "merger": pl.Utf8, "uri": pl.Utf8,
                "version": pl.Utf8, "base_version": pl.Utf8, "reused": pl.Boolean, "how": pl.Utf8, "why": pl.Utf8,
                "test_metrics": pl.Utf8},
    )  # fmt: skip


def _version(uri: str) -> str:
    return uri.rstrip("/").rsplit("/", 1)[1]


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
            best = best[marginals[r, best] > 0]  # not nodes the model never knew (added to the tree after it)
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
