"""The fusion model's rating distributions as a convex blend of its own head and the single-modality models it
reads (their calibrated predictions), the weights fitted on held-out rows.

Ratings are the task where a fusion head learns least: a few reviews per brand, and a head on ~900 inputs fits the
training histograms. The single models' predictions are already inputs of the fusion (their embeddings are), so
falling back on them where they predict better is late fusion, not a second model: the weights are chosen on the
val and calibration splits (never the test split) by a grid over the simplex, and where a single model had no input
(a listing without a readable image for vision) its share goes to the fusion head's own prediction.
"""

from __future__ import annotations

from itertools import product

import numpy as np

from emma_pipeline.models.metrics import rating_kl
from emma_pipeline.models.predictions import Predictions

GRID_STEP = 0.05


def blend(own: np.ndarray, anchors: list[tuple[np.ndarray, np.ndarray]], weights: tuple[float, ...]) -> np.ndarray:
    """``weights[0] * own + sum weights[i] * anchor_i``, per row; an anchor's weight goes to ``own`` on rows
    where it is not available. ``anchors``: (ratings, available) pairs."""
    mixed = weights[0] * own
    for (ratings, available), w in zip(anchors, weights[1:], strict=True):
        mixed = mixed + w * np.where(available[:, None], ratings, own)
    return mixed


def simplex(parts: int, step: float = GRID_STEP) -> list[tuple[float, ...]]:
    """Every weight vector of ``parts`` non-negative multiples of ``step`` summing to 1."""
    n = round(1 / step)
    return [tuple(k / n for k in (*ks, n - sum(ks))) for ks in product(range(n + 1), repeat=parts - 1) if sum(ks) <= n]


def fit_stack_weights(own: np.ndarray, anchors: list[tuple[np.ndarray, np.ndarray]], target: np.ndarray,
                      rows: np.ndarray) -> tuple[float, ...]:
    """The blend weights (own first) with the lowest mean rating KL on ``rows`` that have a rating; all weight on
    ``own`` when none has, and on ties the weights that give ``own`` the most (the earlier grid point)."""
    known = rows[np.isfinite(target[rows]).all(axis=1)]
    start = (1.0,) + (0.0,) * len(anchors)
    if known.size == 0:
        return start
    cut = [(r[known], a[known]) for r, a in anchors]
    best, best_loss = start, rating_kl(own[known], target[known])
    for weights in sorted(simplex(len(anchors) + 1), key=lambda w: -w[0]):
        loss = rating_kl(blend(own[known], cut, weights), target[known])
        if loss < best_loss - 1e-12:
            best, best_loss = weights, loss
    return best


def stacked(predictions: Predictions, anchors: list[tuple[np.ndarray, np.ndarray]],
            weights: tuple[float, ...]) -> Predictions:
    """``predictions`` with its ratings blended (unchanged without ratings)."""
    if predictions.ratings is None:
        return predictions
    return predictions.with_ratings(blend(predictions.ratings, anchors, weights))
