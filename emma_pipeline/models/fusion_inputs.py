"""The fusion model's inputs: the fine-tuned text and image embeddings, standardized on the training split, and
every other attribute with an explicit missing-value mask (a 0 that means "unknown" is always paired with a 0 mask)."""

from __future__ import annotations

import numpy as np

from emma_pipeline.models.prepare import Prepared


def standardize(x: np.ndarray, train_rows: np.ndarray, valid: np.ndarray | None = None) -> np.ndarray:
    """(x − mean) / std with train statistics (over valid train rows); invalid rows become 0."""
    valid = np.ones(len(x), dtype=bool) if valid is None else valid
    fit_rows = train_rows[valid[train_rows]]
    mean, std = x[fit_rows].mean(axis=0), x[fit_rows].std(axis=0) + 1e-6
    return np.where(valid[:, None], (x - mean) / std, 0.0).astype(np.float32)


def _log_column(values: list, train_rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    raw = np.array([v if v is not None and v > 0 else np.nan for v in values], dtype=np.float64)
    known = np.isfinite(raw)
    logged = np.log(np.where(known, raw, 1.0))[:, None]
    return standardize(logged, train_rows, known)[:, 0], known.astype(np.float32)


def tabular_features(prepared: Prepared, inputs: tuple[str, ...]) -> np.ndarray:
    """(n, A) values and masks of the scalar / vector attributes named in ``inputs``."""
    objects, targets, train = prepared.objects, prepared.targets, prepared.rows("train")
    columns: list[np.ndarray] = []
    scalar = {"price": "price_usd", "mass": "mass_kg", "package_weight": "package_weight_kg"}
    for name, column in scalar.items():
        if name in inputs and column in objects.columns:
            value, mask = _log_column(objects[column].to_list(), train)
            columns += [value, mask]
    if "dimensions" in inputs and "dimensions_cm" in objects.columns:
        dims = [sorted(d, reverse=True)[:3] if d is not None and len(d) >= 3 and min(d) > 0 else None
                for d in objects["dimensions_cm"].to_list()]  # fmt: skip
        for k in range(3):
            value, mask = _log_column([d[k] if d else None for d in dims], train)
            columns.append(value)
        columns.append(mask)
    if "materials" in inputs:
        labeled = (targets.materials_mask.sum(axis=1) > 0).astype(np.float32)
        columns += list((targets.materials * targets.materials_mask).T) + [labeled]
    if "ratings" in inputs:
        known = np.isfinite(targets.ratings).all(axis=1)
        columns += list(np.where(known[:, None], np.nan_to_num(targets.ratings), 0.0).T)
        columns += [np.log1p(targets.review_count) * known, known.astype(np.float32)]
    if not columns:
        return np.zeros((len(prepared.asins), 0), dtype=np.float32)
    return np.stack(columns, axis=1).astype(np.float32)


def id_inputs(prepared: Prepared, inputs: tuple[str, ...]) -> dict[str, np.ndarray]:
    out = {}
    if "product_type" in inputs and "product_type_id" in prepared.objects.columns:
        out["product_type"] = prepared.objects["product_type_id"].fill_null(0).to_numpy().astype(np.int64)
    if "category" in inputs:
        paths = prepared.targets.category
        depth = (paths >= 0).sum(axis=1)
        deepest = np.where(depth > 0, paths[np.arange(len(paths)), np.maximum(depth - 1, 0)] + 1, 0)
        out["category_node"] = deepest.astype(np.int64)
    return out
