"""The trivial baseline every model must beat: median price and mass, material and category priors, the mean rating
distribution, all from the training split, predicted for every object alike. They also initialize the heads."""

from __future__ import annotations

import numpy as np

from emma_pipeline.models.hierarchy import CategoryHierarchy
from emma_pipeline.models.predictions import Predictions
from emma_pipeline.models.targets import Targets


def priors(train: Targets, hierarchy: CategoryHierarchy) -> dict[str, np.ndarray]:
    """Per task, the raw output that predicts the prior: log medians, material logits, category log P(node|parent),
    log mean rating distribution."""
    out: dict[str, np.ndarray] = {}
    for task in ("price", "mass"):
        values = getattr(train, task)
        values = values[np.isfinite(values) & (values > 0)]
        out[task] = np.array([np.log(np.median(values)) if len(values) else 0.0], dtype=np.float32)
    counted = train.materials_mask.sum(axis=0)
    frequency = (train.materials * train.materials_mask).sum(axis=0) + 0.5
    p = np.clip(frequency / (counted + 1.0), 1e-4, 1 - 1e-4)
    out["materials"] = np.log(p / (1 - p)).astype(np.float32)
    node_counts = np.bincount(train.category[train.category >= 0], minlength=hierarchy.size).astype(np.float64) + 0.5
    group_totals = np.bincount(hierarchy.group, weights=node_counts, minlength=hierarchy.size + 1)
    out["category"] = np.log(node_counts / group_totals[hierarchy.group]).astype(np.float32)
    rated = train.ratings[np.isfinite(train.ratings).all(axis=1)]
    mean = rated.mean(axis=0) if len(rated) else np.full(5, 0.2)
    out["ratings"] = np.log(np.clip(mean, 1e-6, None)).astype(np.float32)
    return out


def baseline_predictions(train: Targets, hierarchy: CategoryHierarchy, n: int) -> Predictions:
    prior = priors(train, hierarchy)
    ratings = np.exp(prior["ratings"])
    return Predictions(
        available=np.ones(n, dtype=bool),
        price=np.full(n, np.exp(prior["price"][0])),
        mass=np.full(n, np.exp(prior["mass"][0])),
        material_logits=np.tile(prior["materials"], (n, 1)),
        category_log_probs=np.tile(prior["category"], (n, 1)),
        ratings=np.tile(ratings / ratings.sum(), (n, 1)),
    )
