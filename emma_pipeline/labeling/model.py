"""The Smart Labeling model: logistic regression on the embedding plus keyword features (pure functions).

Metric names (precision, recall, f1, accuracy, positive_rate) are the same in the web tool, Dagster metadata and
the benchmark.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

C = 1.0  # L2 strength; the projected embedding's first component has unit variance (features.project)
# Keyword columns are scaled to unit standard deviation over all objects, so the L2 prior weighs a keyword that
# matches 3 % of listings like one that matches 30 % (0/1 columns shrank rare keywords' weights toward nothing);
# a keyword matching under about 1 % of objects is scaled as if it matched 1 %, so one rare word cannot dominate.
KEYWORD_MIN_STD = 0.1
MAX_ITER = 300


@dataclass(frozen=True)
class Design:
    """The model's input as column blocks (the embedding, the keyword features), never copied into one matrix:
    indexing rows gives a dense float32 array (for fitting, and for the labeled rows), scoring multiplies block by
    block. Copying a 100k-object embedding into a fresh design matrix took longer than the retrain it served."""

    blocks: tuple[np.ndarray, ...]

    def __len__(self) -> int:
        return len(self.blocks[0])

    @property
    def shape(self) -> tuple[int, int]:
        return len(self), sum(b.shape[1] for b in self.blocks)

    def __getitem__(self, rows) -> np.ndarray:
        return np.hstack([b[rows] for b in self.blocks]).astype(np.float32, copy=False)


def keyword_scale(keywords: np.ndarray) -> np.ndarray:
    """Per-column factor that gives each keyword column unit standard deviation (see KEYWORD_MIN_STD)."""
    return (1.0 / np.maximum(np.asarray(keywords, dtype=np.float64).std(axis=0), KEYWORD_MIN_STD)).astype(np.float32)


def design_matrix(embedding: np.ndarray, keywords: np.ndarray | None) -> Design:
    """The embedding block and the standardized keyword block of every object."""
    blocks = [np.asarray(embedding, dtype=np.float32)]
    if keywords is not None and keywords.shape[1]:
        blocks.append(np.asarray(keywords, dtype=np.float32) * keyword_scale(keywords))
    return Design(tuple(blocks))


@dataclass(frozen=True)
class Model:
    """A fitted linear model, or a constant when the labels hold one class only."""

    coef: np.ndarray
    intercept: float

    def decision(self, x: np.ndarray | Design, chunk: int = 262_144) -> np.ndarray:
        """``x @ coef + intercept`` in float32, one matrix-vector product per block and chunk of rows."""
        blocks = x.blocks if isinstance(x, Design) else (x,)
        coefs, start = [], 0
        for b in blocks:
            coefs.append(self.coef[start : start + b.shape[1]].astype(np.float32))
            start += b.shape[1]
        out = np.empty(len(blocks[0]), dtype=np.float32)
        for lo in range(0, len(out), chunk):
            z = np.full(min(chunk, len(out) - lo), self.intercept, dtype=np.float32)
            for b, w in zip(blocks, coefs):
                z += np.asarray(b[lo : lo + chunk], dtype=np.float32) @ w
            out[lo : lo + chunk] = z
        return out

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        z = np.clip(self.decision(x), -30, 30)
        return (1.0 / (1.0 + np.exp(-z))).astype(np.float32)


def fit(x: np.ndarray, y: np.ndarray, c: float = C) -> Model:
    y = np.asarray(y, dtype=np.int8)
    if len(y) == 0:
        return Model(np.zeros(x.shape[1], np.float32), 0.0)
    if y.min() == y.max():  # one class: the smoothed base rate, so nothing is ever certain from one side only
        rate = (y.sum() + 0.5) / (len(y) + 1.0)
        return Model(np.zeros(x.shape[1], np.float32), float(np.log(rate / (1 - rate))))
    clf = LogisticRegression(C=c, max_iter=MAX_ITER, tol=1e-4)
    clf.fit(x, y)
    return Model(clf.coef_[0].astype(np.float32), float(clf.intercept_[0]))


def out_of_fold(x: np.ndarray, y: np.ndarray, folds: int = 20, seed: int = 0) -> np.ndarray:
    """Out-of-fold positive probabilities (k-fold, stratified; fewer folds when a class has fewer members)."""
    y = np.asarray(y, dtype=np.int8)
    k = int(min(folds, np.bincount(y, minlength=2).min())) if len(y) else 0
    if k < 2:
        return np.full(len(y), np.nan, dtype=np.float32)
    oof = np.empty(len(y), dtype=np.float32)
    for train, test in StratifiedKFold(n_splits=k, shuffle=True, random_state=seed).split(x, y):
        oof[test] = fit(x[train], y[train]).predict_proba(x[test])
    return oof


def binary_metrics(y_true: np.ndarray, p: np.ndarray, threshold: float = 0.5) -> dict[str, float]:
    """precision, recall, f1, accuracy and the error count of ``p >= threshold`` against ``y_true``."""
    y_true = np.asarray(y_true, dtype=bool)
    pred = np.asarray(p) >= threshold
    tp = int((pred & y_true).sum())
    fp = int((pred & ~y_true).sum())
    fn = int((~pred & y_true).sum())
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    errors = fp + fn
    return {"precision": precision, "recall": recall, "f1": f1,
            "accuracy": 1 - errors / len(y_true) if len(y_true) else 0.0, "errors": float(errors)}  # fmt: skip


def cv_metrics(x: np.ndarray, y: np.ndarray, folds: int = 5, seed: int = 0) -> dict[str, float] | None:
    """Cross-validated metrics on the labeled examples (None until both classes have 2 members). Actively chosen
    labels are harder than average objects, so these understate the uniform test-set figures."""
    oof = out_of_fold(x, y, folds=folds, seed=seed)
    if len(oof) == 0 or np.isnan(oof).any():
        return None
    return binary_metrics(y, oof)


def positive_rate(p: np.ndarray) -> dict[str, float]:
    """Estimated share of positives over all objects: mean probability, and share above 0.5."""
    if len(p) == 0:
        return {"positive_rate": 0.0, "positive_share_above_half": 0.0}
    return {"positive_rate": float(np.mean(p)), "positive_share_above_half": float(np.mean(p >= 0.5))}
