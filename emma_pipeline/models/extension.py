"""A later batch scored with a trained model instead of training again: objects whose inputs are unchanged keep
the predictions (and fine-tuned embeddings) the model gave them, new and changed objects are run through the
stored network and calibrated with the stored temperature, threshold and rating prior. Category nodes added to the
tree since the model was trained get probability 0 for every object until it is trained again. The metrics are those of
the merged predictions against the current targets, so a drift shows up in ``model_metrics`` before the next
training (``retrain.py`` says when that is)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields, replace

import numpy as np

from emma_pipeline.models.hierarchy import UNREACHABLE
from emma_pipeline.models.predictions import Predictions, from_outputs
from emma_pipeline.models.prepare import Prepared
from emma_pipeline.models.trained import TrainedModel, baseline_metrics, split_metrics

Scorer = Callable[[np.ndarray], tuple[dict[str, np.ndarray], np.ndarray]]  # rows -> (raw outputs, available)


def plan(previous_asins: list[str], previous_keys: np.ndarray, asins: list[str], keys: np.ndarray):
    """(rows to score, rows kept, the kept rows' positions in the previous artifact)."""
    position = {a: i for i, a in enumerate(previous_asins)}
    old = np.array([position.get(a, -1) for a in asins], dtype=np.int64)
    same = old >= 0
    same[same] = previous_keys[old[same]] == keys[same]
    return np.flatnonzero(~same), np.flatnonzero(same), old[same]


def calibrated_like(outputs: dict[str, np.ndarray], available: np.ndarray, previous: Predictions,
                    prior: np.ndarray | None) -> Predictions:  # fmt: skip
    """Raw outputs turned into predictions the way ``previous`` was calibrated (no refit)."""
    tasks = {"price", "mass", "materials", "category", "ratings", "modality_weights"}
    p = from_outputs({k: v for k, v in outputs.items() if k in tasks}, available)
    p = replace(p, temperature=previous.temperature, material_threshold=previous.material_threshold)
    if p.ratings is not None:
        if prior is None:
            raise ValueError("the stored model has no rating prior: train it again")
        p = p.with_rating_prior(prior, previous.rating_prior_weight)
    return p


def _merged(n: int, kept: np.ndarray, kept_from: np.ndarray, old: np.ndarray | None, scored: np.ndarray,
            new: np.ndarray | None, what: str) -> np.ndarray | None:  # fmt: skip
    if old is None:
        return None
    if len(scored) and new is None:
        raise ValueError(f"the stored network gave no {what} for the objects it scored")
    dtype = old.dtype if new is None else np.result_type(old.dtype, new.dtype)
    out = np.zeros((n, *old.shape[1:]), dtype=dtype)
    out[kept] = old[kept_from]
    if len(scored):
        out[scored] = new
    return out


def with_category_nodes(p: Predictions, n_nodes: int) -> Predictions:
    """``p`` over a category tree grown to ``n_nodes``: the nodes added after the model was trained (the last
    indexes) get probability 0 (``UNREACHABLE``) until the model is trained again."""
    if p.category_log_probs is None or p.category_log_probs.shape[1] == n_nodes:
        return p
    pad = np.full((len(p.category_log_probs), n_nodes - p.category_log_probs.shape[1]), UNREACHABLE, p.category_log_probs.dtype)
    return replace(p, category_log_probs=np.concatenate([p.category_log_probs, pad], axis=1))


def extended(previous: TrainedModel, previous_asins: list[str], prepared: Prepared, keys: np.ndarray,
             score: Scorer) -> TrainedModel:  # fmt: skip
    """``previous`` over ``prepared``'s objects: kept rows copied, the rest scored by ``score``."""
    n, nodes = len(prepared.asins), prepared.hierarchy.size
    scored, kept, kept_from = plan(previous_asins, previous.state["input_key"], prepared.asins, keys)
    new, embedding, old = None, None, with_category_nodes(previous.predictions, nodes)
    if len(scored):
        outputs, available = score(scored)
        new = with_category_nodes(calibrated_like(outputs, available, old, previous.state.get("rating_prior")), nodes)
        embedding = outputs.get("embedding")
    values = {}
    for f in fields(Predictions):
        stored = getattr(old, f.name)
        values[f.name] = (_merged(n, kept, kept_from, stored, scored, getattr(new, f.name) if new else None, f.name)
                          if isinstance(stored, np.ndarray) else stored)  # fmt: skip
    predictions = Predictions(**values)
    info = {**previous.info, "scored_objects": int(len(scored)), "kept_objects": int(len(kept))}
    return TrainedModel(
        previous.name, previous.modality, previous.merger, predictions,
        _merged(n, kept, kept_from, previous.embedding, scored, embedding, "embedding"),
        split_metrics(predictions, prepared), baseline_metrics(prepared, predictions.tasks), info,
        state={**previous.state, "input_key": keys},
    )  # fmt: skip
