"""What training leaves behind: predictions for every object (temperature-calibrated materials), the fine-tuned
embedding (the fusion model's input), and the metrics per held-out split next to the trivial baseline's."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from emma_pipeline.models.baselines import baseline_predictions, priors
from emma_pipeline.models.calibration import fit_prior_weight, fit_temperature, fit_threshold
from emma_pipeline.models.predictions import Predictions, evaluate, from_outputs
from emma_pipeline.models.prepare import Prepared

EVAL_SPLITS = ("val", "test")


@dataclass
class TrainedModel:
    name: str  # text / vision / fusion_concat / fusion_attention
    modality: str
    merger: str | None
    predictions: Predictions
    embedding: np.ndarray | None  # (n, D) rows in Prepared.asins order
    metrics: dict[str, dict[str, float]] = field(default_factory=dict)  # split -> metric -> value
    baseline: dict[str, dict[str, float]] = field(default_factory=dict)
    info: dict = field(default_factory=dict)
    variants: dict[str, Predictions] = field(default_factory=dict)  # e.g. first_image_only, images_dropped_30
    # what scoring objects of a later batch needs besides the weights: per-row input keys (``input_key``), the
    # rating prior, the fusion inputs' scaling statistics (``scale.*``)
    state: dict[str, np.ndarray] = field(default_factory=dict)


def calibrated(predictions: Predictions, prepared: Prepared) -> Predictions:
    """Shrink the rating distributions toward the training mean, then calibrate the materials (below)."""
    return _calibrated_materials(_shrunk_ratings(predictions, prepared), prepared)


def _shrunk_ratings(predictions: Predictions, prepared: Prepared) -> Predictions:
    """Mix the predicted rating distributions with the training split's mean distribution, the weight fitted on
    the val and calibration splits (rows where the model had input; never the test split). A few ratings per
    brand make the network's distributions noisy; on held-out rows the mixture is never worse than either end."""
    if predictions.ratings is None:
        return predictions
    prior = rating_prior(prepared)
    held = prepared.rows("val", "calibration")
    held = held[predictions.available[held]]
    weight = fit_prior_weight(predictions.ratings[held], prior, prepared.targets.ratings[held])
    return predictions.with_rating_prior(prior, weight)


def rating_prior(prepared: Prepared) -> np.ndarray:
    """The training split's mean rating distribution (5 stars), what the predicted distributions are shrunk toward."""
    train = prepared.targets.subset(prepared.rows("train"))
    prior = np.exp(priors(train, prepared.hierarchy)["ratings"].astype(np.float64))
    return prior / prior.sum()


def _calibrated_materials(predictions: Predictions, prepared: Prepared) -> Predictions:
    """Fit the material temperature on the calibration split, then the F1 threshold of the calibrated
    probabilities on the val and calibration splits (rows where the model had input; never the test split)."""
    if predictions.material_logits is None:
        return predictions
    t = prepared.targets
    rows = prepared.rows("calibration")
    rows = rows[predictions.available[rows]]
    scaled = predictions.with_temperature(
        fit_temperature(predictions.material_logits[rows], t.materials[rows], t.materials_mask[rows])
    )
    held = prepared.rows("val", "calibration")
    held = held[scaled.available[held]]
    return scaled.with_threshold(fit_threshold(scaled.material_probs()[held], t.materials[held], t.materials_mask[held]))


def split_metrics(predictions: Predictions, prepared: Prepared, splits=EVAL_SPLITS) -> dict[str, dict[str, float]]:
    return {s: evaluate(predictions.subset(prepared.rows(s)), prepared.targets.subset(prepared.rows(s)), prepared.hierarchy)
            for s in splits}  # fmt: skip


def baseline_metrics(prepared: Prepared, tasks: tuple[str, ...], splits=EVAL_SPLITS) -> dict[str, dict[str, float]]:
    train = prepared.targets.subset(prepared.rows("train"))
    base = calibrated(baseline_predictions(train, prepared.hierarchy, len(prepared.asins)), prepared)
    base = Predictions(**{**base.__dict__, **{t: None for t in _fields_not_in(tasks)}})
    return split_metrics(base, prepared, splits)


def _fields_not_in(tasks: tuple[str, ...]) -> list[str]:
    fields = {"price": "price", "mass": "mass", "materials": "material_logits", "category": "category_log_probs",
              "ratings": "ratings"}  # fmt: skip
    return [f for task, f in fields.items() if task not in tasks]


def taxonomy_state(prepared: Prepared) -> dict[str, np.ndarray]:
    """What a model's output layers are shaped by; stored with it (``retrain.py`` compares it)."""
    h, m = prepared.hierarchy, prepared.materials
    return {"category_nodes": h.node_ids, "category_parents": h.parent, "material_nodes": m.node_ids, "material_parents": m.parent}


def finish(name: str, modality: str, merger: str | None, outputs: dict[str, np.ndarray], available: np.ndarray,
           prepared: Prepared, tasks: tuple[str, ...], info: dict | None = None) -> TrainedModel:
    predictions = calibrated(from_outputs({k: v for k, v in outputs.items() if k in (*tasks, "modality_weights")}, available), prepared)
    state = {**taxonomy_state(prepared), **({"rating_prior": rating_prior(prepared)} if predictions.ratings is not None else {})}
    return TrainedModel(name, modality, merger, predictions, outputs.get("embedding"),
                        split_metrics(predictions, prepared), baseline_metrics(prepared, tasks), info or {}, state=state)  # fmt: skip
