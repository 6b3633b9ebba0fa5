"""Temperature scaling of material logits (one scalar T, fitted on the calibration split by minimizing the masked
binary cross entropy), so that ``expected_calibration_error`` of sigmoid(logit / T) is small on held-out data; and
the decision threshold of the material F1, chosen on held-out rows (calibrated probabilities of 182 mostly-negative
nodes rarely pass 0.5, so a fixed 0.5 predicts "nothing" and scores F1 0 even for a useful ranking)."""

from __future__ import annotations

import numpy as np


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -60, 60)))


def _masked_bce(logits: np.ndarray, target: np.ndarray, mask: np.ndarray, temperature: float) -> float:
    z = logits / temperature
    bce = np.maximum(z, 0) - z * target + np.log1p(np.exp(-np.abs(z)))
    return float((bce * mask).sum() / max(mask.sum(), 1.0))


def fit_temperature(logits: np.ndarray, target: np.ndarray, mask: np.ndarray,
                    bounds: tuple[float, float] = (0.05, 20.0), steps: int = 60) -> float:
    """The T in ``bounds`` minimizing the masked BCE (golden-section search on log T; the loss is unimodal in
    practice). Returns 1.0 when nothing is labeled."""
    if mask.sum() == 0:
        return 1.0
    lo, hi = np.log(bounds[0]), np.log(bounds[1])
    ratio = (np.sqrt(5) - 1) / 2
    a, b = hi - ratio * (hi - lo), lo + ratio * (hi - lo)
    fa, fb = (_masked_bce(logits, target, mask, np.exp(x)) for x in (a, b))
    for _ in range(steps):
        if fa < fb:
            hi, b, fb = b, a, fa
            a = hi - ratio * (hi - lo)
            fa = _masked_bce(logits, target, mask, np.exp(a))
        else:
            lo, a, fa = a, b, fb
            b = lo + ratio * (hi - lo)
            fb = _masked_bce(logits, target, mask, np.exp(b))
    return float(np.exp((lo + hi) / 2))


THRESHOLDS = np.round(np.arange(0.05, 0.951, 0.05), 2)


def fit_threshold(prob: np.ndarray, target: np.ndarray, mask: np.ndarray) -> float:
    """The probability threshold in ``THRESHOLDS`` with the best mean per-object material F1 on these rows (ties:
    the one closest to 0.5). Returns 0.5 when nothing is labeled."""
    from emma_pipeline.models.metrics import material_f1

    if mask.sum() == 0:
        return 0.5
    scores = np.array([material_f1(prob, target, mask, t) for t in THRESHOLDS])
    best = np.flatnonzero(scores >= scores.max() - 1e-12)
    return float(THRESHOLDS[best[np.argmin(np.abs(THRESHOLDS[best] - 0.5))]])


def fit_prior_weight(pred: np.ndarray, prior: np.ndarray, target: np.ndarray, steps: int = 40) -> float:
    """The weight w in [0, 1] of the mixture (1 - w) * pred + w * prior (rows are distributions) that minimizes
    the mean KL(target || mixture) on these rows: shrinkage of a noisy distribution toward the training prior,
    fitted on held-out rows. KL is convex in w, so a ternary search finds the minimum. Returns 0.0 when no row
    is rated."""
    from emma_pipeline.models.metrics import rating_kl

    known = np.isfinite(target).all(axis=1)
    if not known.any():
        return 0.0
    pred, target = pred[known], target[known]
    loss = lambda w: rating_kl((1 - w) * pred + w * prior, target)  # noqa: E731
    lo, hi = 0.0, 1.0
    for _ in range(steps):
        a, b = lo + (hi - lo) / 3, hi - (hi - lo) / 3
        lo, hi = (lo, b) if loss(a) <= loss(b) else (a, hi)
    w = (lo + hi) / 2
    return 0.0 if loss(0.0) <= loss(w) else 1.0 if loss(1.0) < loss(w) else float(w)
