"""The paper's metrics plus R@P95 (Rakuten) and ECE, as pure numpy functions. One name per metric everywhere:
``METRIC_NAMES`` (Lightning logs prefix the split, ``val/mnre_mass``); every metric is a fraction or a
divergence, and ``HIGHER_IS_BETTER`` says which way is good."""

from __future__ import annotations

import numpy as np

from emma_pipeline.models.hierarchy import CategoryHierarchy

HIGHER_IS_BETTER = {
    "mnre_price": True, "malde_price": False, "mnre_mass": True, "malde_mass": False,
    "f1_materials": True, "r_at_p95_materials": True, "ece_materials": False,
    "accuracy_category": True, "top1_category": True, "top3_category": True, "top5_category": True,
    "r_at_p95_category": True, "kl_ratings": False,
}  # fmt: skip
METRIC_NAMES = tuple(HIGHER_IS_BETTER)
TASK_OF_METRIC = {name: name.rsplit("_", 1)[1] for name in METRIC_NAMES}


def _known(pred: np.ndarray, true: np.ndarray) -> np.ndarray:
    return np.isfinite(true) & (true > 0) & np.isfinite(pred) & (pred > 0)


def mnre(pred: np.ndarray, true: np.ndarray) -> float:
    """Mean min(p/t, t/p): 1 is perfect, 0 the worst (image2mass)."""
    known = _known(pred, true)
    if not known.any():
        return float("nan")
    return float(np.mean(np.minimum(pred[known] / true[known], true[known] / pred[known])))


def malde(pred: np.ndarray, true: np.ndarray) -> float:
    """Mean absolute log difference error (the ALDE loss as a metric)."""
    known = _known(pred, true)
    return float(np.mean(np.abs(np.log(pred[known]) - np.log(true[known])))) if known.any() else float("nan")


def material_f1(prob: np.ndarray, target: np.ndarray, mask: np.ndarray, threshold: float = 0.5) -> float:
    """Per-object F1 over its counted nodes (mask as in the loss), averaged over labeled objects. An object with
    no true and no predicted positive among its counted nodes scores 1."""
    labeled = mask.sum(axis=1) > 0
    if not labeled.any():
        return float("nan")
    predicted = (prob >= threshold) & (mask > 0)
    truth = (target > 0.5) & (mask > 0)
    tp = (predicted & truth).sum(axis=1)
    errors = (predicted & ~truth).sum(axis=1) + (~predicted & truth).sum(axis=1)
    f1 = np.where(2 * tp + errors > 0, 2 * tp / np.maximum(2 * tp + errors, 1), 1.0)
    return float(f1[labeled].mean())


def recall_at_precision(scores: np.ndarray, labels: np.ndarray, precision: float = 0.95,
                        n_relevant: int | None = None) -> float:
    """Largest recall whose precision is >= ``precision`` over score thresholds (ties move together).
    ``n_relevant`` is the recall denominator (default: the positives; all objects for coverage metrics)."""
    labels = np.asarray(labels, dtype=bool)
    total = int(labels.sum()) if n_relevant is None else n_relevant
    if total == 0 or len(scores) == 0:
        return float("nan")
    order = np.argsort(-scores, kind="stable")
    sorted_scores, hits = scores[order], np.cumsum(labels[order])
    cut = np.r_[np.flatnonzero(np.diff(sorted_scores) != 0), len(scores) - 1]  # last index of each tie block
    ok = hits[cut] / (cut + 1) >= precision - 1e-12
    return float(hits[cut][ok].max() / total) if ok.any() else 0.0


def material_r_at_p95(prob: np.ndarray, target: np.ndarray, mask: np.ndarray, min_positives: int = 5) -> float:
    """R@P95 per material node over the objects that count for it, averaged over nodes with enough positives."""
    values = []
    for node in range(prob.shape[1]):
        rows = mask[:, node] > 0
        if (target[rows, node] > 0.5).sum() >= min_positives:
            values.append(recall_at_precision(prob[rows, node], target[rows, node] > 0.5))
    return float(np.mean(values)) if values else float("nan")


def expected_calibration_error(prob: np.ndarray, label: np.ndarray, bins: int = 15) -> float:
    """Σ_b |B_b|/n · |mean label − mean probability| over equal-width probability bins."""
    prob, label = np.asarray(prob, dtype=np.float64).ravel(), np.asarray(label, dtype=np.float64).ravel()
    if prob.size == 0:
        return float("nan")
    which = np.minimum((prob * bins).astype(int), bins - 1)
    count = np.bincount(which, minlength=bins)
    gap = np.abs(np.bincount(which, label, bins) - np.bincount(which, prob, bins))
    return float(gap.sum() / prob.size) if count.sum() else float("nan")


def rating_kl(pred: np.ndarray, target: np.ndarray) -> float:
    """Mean KL(target || predicted) over listings with a rating distribution (NaN rows skipped)."""
    known = np.isfinite(target).all(axis=1)
    if not known.any():
        return float("nan")
    t, p = target[known], np.clip(pred[known], 1e-12, None)
    terms = np.where(t > 0, t * (np.log(np.where(t > 0, t, 1.0)) - np.log(p)), 0.0)
    return float(terms.sum(axis=1).mean())


def category_metrics(marginals: np.ndarray, paths: np.ndarray, hierarchy: CategoryHierarchy) -> dict[str, float]:
    """Accuracy averaged over the object's levels then over objects (greedy top-down prediction); top-1/3/5 of the
    true deepest node among all nodes of its depth; R@P95 as coverage: the share of objects whose predicted node
    at their true depth is trusted at 95 % precision (score = that node's probability)."""
    has = (paths >= 0).any(axis=1)
    if not has.any():
        return {name: float("nan") for name in ("accuracy_category", "top1_category", "top3_category",
                                                "top5_category", "r_at_p95_category")}  # fmt: skip
    marginals, paths = marginals[has], paths[has]
    predicted = hierarchy.greedy_paths(marginals)
    valid = paths >= 0
    accuracy = ((predicted == paths) & valid).sum(axis=1) / valid.sum(axis=1)
    deepest = valid.sum(axis=1) - 1
    rows = np.arange(len(paths))
    leaf = paths[rows, deepest]
    same_depth = hierarchy.depth[None, :] == deepest[:, None]
    scores = np.where(same_depth, marginals, -1.0)
    rank = (scores > scores[rows, leaf][:, None]).sum(axis=1)
    at_depth = predicted[rows, deepest]
    confidence = np.where(at_depth >= 0, marginals[rows, np.maximum(at_depth, 0)], 0.0)
    out = {"accuracy_category": float(accuracy.mean())}
    out.update({f"top{k}_category": float((rank < k).mean()) for k in (1, 3, 5)})
    out["r_at_p95_category"] = recall_at_precision(confidence, at_depth == leaf, n_relevant=len(paths))
    return out
