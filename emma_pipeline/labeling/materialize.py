"""The final model of a property and its probabilistic label on every object (the ``smart_labels`` rows)."""

from __future__ import annotations

import hashlib

import numpy as np
import polars as pl

from emma_pipeline.labeling import model as lm
from emma_pipeline.labeling.features import FeatureSet
from emma_pipeline.labeling.keywords import keyword_matrix
from emma_pipeline.labeling.store import LabelStore

TEST_MODE = "test-set"


def training_data(store: LabelStore, features: FeatureSet, prop: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Design matrix of all objects, training rows and labels (test-set labels held out), and how many labels
    name objects the feature set does not have (reported, not silently dropped)."""
    patterns = [(kind, pattern) for _, kind, pattern in store.features(prop)]
    x = lm.design_matrix(features.embedding, keyword_matrix(features.texts, patterns))
    labels = store.current_labels(prop)
    pairs = [(features.row[o], v) for o, (v, mode) in labels.items() if mode != TEST_MODE and o in features.row]
    unknown = sum(1 for o in labels if o not in features.row)
    rows = np.array([r for r, _ in pairs], dtype=np.int64)
    return x, rows, np.array([v for _, v in pairs], dtype=np.int8), unknown


def model_version(fitted: lm.Model, source: str, patterns: list) -> str:
    digest = hashlib.sha256(fitted.coef.tobytes() + repr((fitted.intercept, source, patterns)).encode())
    return digest.hexdigest()[:16]


def smart_labels(store: LabelStore, features: FeatureSet, prop: str) -> tuple[pl.DataFrame, dict]:
    """One row per object: object_id, property, probability, model_version, label_store_version; plus metadata
    (label counts, cross-validated metrics, estimated positive rate)."""
    version = store.get_property(prop).version
    x, rows, y, unknown = training_data(store, features, prop)
    fitted = lm.fit(x[rows], y)
    p = fitted.predict_proba(x)
    mv = model_version(fitted, features.source, store.features(prop))
    frame = pl.DataFrame({
        "object_id": features.object_ids, "property": prop, "probability": p.astype(np.float64),
        "model_version": mv, "label_store_version": version,
    })  # fmt: skip
    cv = lm.cv_metrics(x[rows], y, folds=5) if len(rows) else None
    meta = {"positives": int((y == 1).sum()), "negatives": int((y == 0).sum()), "labels_for_unknown_objects": unknown,
            "model_version": mv, "label_store_version": version, "features": features.source,
            **lm.positive_rate(p), **({f"cv_{k}": v for k, v in cv.items()} if cv else {})}  # fmt: skip
    return frame, meta
