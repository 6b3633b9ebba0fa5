"""Network outputs as probabilistic predictions, and the metric set of a model on one split."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

import numpy as np

from emma_pipeline.models.calibration import sigmoid
from emma_pipeline.models.hierarchy import CategoryHierarchy
from emma_pipeline.models.metrics import (
    category_metrics, expected_calibration_error, malde, material_f1, material_r_at_p95, mnre, rating_kl,
)  # fmt: skip
from emma_pipeline.models.targets import Targets


@dataclass(frozen=True)
class Predictions:
    """Per object (rows aligned to an ASIN list); a task the model does not predict is None. ``available`` is
    False where the model had no input (e.g. no readable image): those rows carry no prediction."""

    available: np.ndarray  # (n,) bool
    price: np.ndarray | None = None  # (n,) USD
    mass: np.ndarray | None = None  # (n,) kg
    material_logits: np.ndarray | None = None  # (n, M), before temperature scaling
    category_log_probs: np.ndarray | None = None  # (n, N) log P(node | parent)
    ratings: np.ndarray | None = None  # (n, 5) distribution
    modality_weights: np.ndarray | None = None  # (n, k) attention merger only
    temperature: float = 1.0  # material temperature fitted on the calibration split
    material_threshold: float = 0.5  # decision threshold of the material F1, chosen on held-out rows
    rating_prior_weight: float = 0.0  # ``ratings`` = (1 - w) * network + w * training mean, w fitted on held-out rows

    def subset(self, rows: np.ndarray) -> Predictions:
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        return Predictions(**{k: (v[rows] if isinstance(v, np.ndarray) else v) for k, v in values.items()})

    def with_temperature(self, temperature: float) -> Predictions:
        return replace(self, temperature=float(temperature))

    def with_threshold(self, threshold: float) -> Predictions:
        return replace(self, material_threshold=float(threshold))

    def with_rating_prior(self, prior: np.ndarray, weight: float) -> Predictions:
        """Ratings shrunk toward ``prior`` (a distribution over the 5 stars) with ``weight`` in [0, 1]."""
        mixed = (1 - weight) * self.ratings + weight * np.asarray(prior)[None, :]
        return replace(self, ratings=mixed, rating_prior_weight=float(weight))

    @property
    def tasks(self) -> tuple[str, ...]:
        names = {"price": self.price, "mass": self.mass, "materials": self.material_logits,
                 "category": self.category_log_probs, "ratings": self.ratings}  # fmt: skip
        return tuple(task for task, value in names.items() if value is not None)

    def material_probs(self, calibrated: bool = True) -> np.ndarray:
        return sigmoid(self.material_logits / (self.temperature if calibrated else 1.0))


def from_outputs(outputs: dict[str, np.ndarray], available: np.ndarray) -> Predictions:
    """Raw stacked network outputs (log price/mass, material logits, category log P(node|parent), rating logits)."""
    ratings = outputs.get("ratings")
    if ratings is not None:
        ratings = np.exp(ratings - ratings.max(axis=1, keepdims=True))
        ratings = ratings / ratings.sum(axis=1, keepdims=True)
    return Predictions(
        available=available.astype(bool),
        price=np.exp(outputs["price"]) if "price" in outputs else None,
        mass=np.exp(outputs["mass"]) if "mass" in outputs else None,
        material_logits=outputs.get("materials"),
        category_log_probs=outputs.get("category"),
        ratings=ratings,
        modality_weights=outputs.get("modality_weights"),
    )


def evaluate(pred: Predictions, targets: Targets, hierarchy: CategoryHierarchy) -> dict[str, float]:
    """Every metric of every task ``pred`` holds, on the rows where the model had input."""
    keep = np.flatnonzero(pred.available)
    pred, targets = pred.subset(keep), targets.subset(keep)
    out: dict[str, float] = {}
    for task in ("price", "mass"):
        value = getattr(pred, task)
        if value is not None:
            out[f"mnre_{task}"], out[f"malde_{task}"] = mnre(value, getattr(targets, task)), malde(value, getattr(targets, task))
    if pred.material_logits is not None:
        prob, mask = pred.material_probs(), targets.materials_mask
        out["f1_materials"] = material_f1(prob, targets.materials, mask, pred.material_threshold)
        out["r_at_p95_materials"] = material_r_at_p95(prob, targets.materials, mask)
        out["ece_materials"] = expected_calibration_error(prob[mask > 0], targets.materials[mask > 0])
    if pred.category_log_probs is not None:
        out.update(category_metrics(hierarchy.marginals(pred.category_log_probs), targets.category, hierarchy))
    if pred.ratings is not None:
        out["kl_ratings"] = rating_kl(pred.ratings, targets.ratings)
    return out
