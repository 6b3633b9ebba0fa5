"""Per-attribute confidence thresholds that reach a target precision on held-out observed values, and what
"correct" means per attribute (classification: the predicted label; regression: within a relative tolerance)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from emma_pipeline.fill_in.config import FillInConfig

NEVER = float("inf")  # the threshold when no confidence level reaches the precision: nothing passes


@dataclass(frozen=True)
class Threshold:
    value: float  # confidence >= value passes
    precision: float  # on the tuning rows at that threshold (nan when none pass)
    support: int  # tuning rows at or above the threshold
    tuning_rows: int  # held-out observed values scored


def threshold_at_precision(scores: np.ndarray, correct: np.ndarray, precision: float = 0.95,
                           min_support: int = 5) -> Threshold:
    """The lowest confidence threshold whose passing values are at least ``precision`` correct (maximum coverage),
    over tie blocks of scores; at least ``min_support`` values must pass it."""
    scores, correct = np.asarray(scores, dtype=np.float64), np.asarray(correct, dtype=bool)
    keep = np.isfinite(scores)
    scores, correct = scores[keep], correct[keep]
    if len(scores) == 0:
        return Threshold(NEVER, float("nan"), 0, 0)
    order = np.argsort(-scores, kind="stable")
    s, hits = scores[order], np.cumsum(correct[order])
    ends = np.r_[np.flatnonzero(np.diff(s) != 0), len(s) - 1]
    passing = ends + 1
    ok = (hits[ends] / passing >= precision - 1e-12) & (passing >= min_support)
    if not ok.any():
        return Threshold(NEVER, float("nan"), 0, len(s))
    best = ends[ok][-1]  # the lowest score with enough precision covers the most
    return Threshold(float(s[best]), float(hits[best] / (best + 1)), int(best + 1), len(s))


def ratio_correct(pred: np.ndarray, true: np.ndarray, config: FillInConfig) -> np.ndarray:
    ratio = np.maximum(pred / true, true / pred)
    return np.isfinite(ratio) & (ratio <= 1 + config.regression_tolerance)


def mean_stars(distribution: np.ndarray) -> np.ndarray:
    return np.asarray(distribution, dtype=np.float64) @ np.arange(1, 6)


def ratings_correct(pred: np.ndarray, true: np.ndarray, config: FillInConfig) -> np.ndarray:
    return np.abs(mean_stars(pred) - mean_stars(true)) <= config.rating_tolerance_stars


def category_correct(pred_paths: np.ndarray, true_paths: np.ndarray) -> np.ndarray:
    """The predicted path agrees with the true one on every level the truth has."""
    valid = true_paths >= 0
    return ((pred_paths == true_paths) | ~valid).all(axis=1) & valid.any(axis=1)


def precision_at(threshold: float, scores: np.ndarray, correct: np.ndarray) -> tuple[float, int]:
    """(precision, passing count) of ``threshold`` on other rows (e.g. the test split)."""
    passing = np.asarray(scores) >= threshold
    return (float(np.asarray(correct)[passing].mean()) if passing.any() else float("nan")), int(passing.sum())
