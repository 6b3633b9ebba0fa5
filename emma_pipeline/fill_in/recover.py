"""Score filled values at the hidden positions against the hidden (true) values, next to mode / median imputation
fitted on the values the masked tables still state."""

from __future__ import annotations

from collections import Counter

import numpy as np
import polars as pl

from emma_pipeline.fill_in.crossfit import Fold
from emma_pipeline.fill_in.observed import observed
from emma_pipeline.models.metrics import material_f1, mnre, rating_kl
from emma_pipeline.models.prepare import Prepared
from emma_pipeline.models.targets import material_targets

METRIC = {"price": "mnre", "mass": "mnre", "materials": "f1", "category": "accuracy", "ratings": "kl"}
HIGHER_IS_BETTER = {"mnre": True, "f1": True, "accuracy": True, "kl": False}


def _level_accuracy(pred: np.ndarray, true: np.ndarray) -> float:
    valid = true >= 0
    return float((((pred == true) & valid).sum(axis=1) / valid.sum(axis=1)).mean())


def imputation(attr: str, masked: Prepared, rows: np.ndarray, material_ids: list[list[int] | None]) -> np.ndarray:
    """The same value for every hidden row: median (price, mass), mode (materials set, category path), mean
    distribution (ratings), from the masked train split."""
    t, train = masked.targets, masked.rows("train")
    known = train[observed(masked, attr)[train]]
    if attr in ("price", "mass"):
        return np.full(len(rows), np.median(getattr(t, attr)[known]))
    if attr == "ratings":
        return np.tile(t.ratings[known].mean(axis=0), (len(rows), 1))
    if attr == "category":
        mode = Counter(tuple(p) for p in t.category[known].tolist()).most_common(1)[0][0]
        return np.tile(np.array(mode), (len(rows), 1))
    mode = Counter(tuple(sorted(material_ids[r])) for r in known).most_common(1)[0][0]
    target, _ = material_targets([list(mode)], masked.materials)
    return np.tile(target[0], (len(rows), 1))


def _filled_values(attr: str, filled: pl.DataFrame, rows: np.ndarray, truth: Prepared) -> np.ndarray:
    picked = filled[rows.tolist()]
    if attr in ("price", "mass"):
        return picked[attr].to_numpy()
    if attr == "ratings":
        return np.array(picked["ratings"].to_list(), dtype=np.float64)
    if attr == "category":
        return truth.hierarchy.paths_to_indices(picked["category_path"].to_list())
    target, _ = material_targets(picked["materials"].to_list(), truth.materials)  # the published list, ancestors implied
    return target.astype(np.float64)


def _score(attr: str, values: np.ndarray, truth: Prepared, rows: np.ndarray) -> float:
    t = truth.targets.subset(rows)
    if attr in ("price", "mass"):
        return mnre(values, getattr(t, attr))
    if attr == "ratings":
        return rating_kl(values, t.ratings)
    if attr == "category":
        return _level_accuracy(values, t.category)
    return material_f1(values, t.materials, t.materials_mask)


def recover_scores(fold: Fold, scenario: str, truth: Prepared, masked: Prepared, filled: pl.DataFrame,
                   material_ids: list[list[int] | None], generation: int) -> list[dict]:  # fmt: skip
    """One row per attribute: the filled values' metric on the hidden values and the imputation's. ``filled`` is
    the masked run's table (rows in ``truth.asins`` order); every hidden value must be synthetic in it."""
    if filled["asin"].to_list() != truth.asins:
        raise ValueError("the filled table is not in the objects' order")
    out = []
    for attr, rows in fold.hidden.items():
        if len(rows) == 0:
            continue
        if (filled[rows.tolist()][f"{attr}_source"] == "original").any():
            raise AssertionError(f"{scenario}: a hidden {attr} value came back as original: the mask leaked")
        model = _score(attr, _filled_values(attr, filled, rows, truth), truth, rows)
        base = _score(attr, imputation(attr, masked, rows, material_ids), truth, rows)
        metric = METRIC[attr]
        better = model >= base if HIGHER_IS_BETTER[metric] else model <= base
        out.append({"scenario": scenario, "generation": generation, "attribute": attr, "hidden": int(len(rows)),
                    "metric": metric, "filled": float(model), "imputation": float(base), "beats_imputation": bool(better)})
    return out


RECOVER_SCHEMA = {"scenario": pl.Utf8, "generation": pl.Int64, "attribute": pl.Utf8, "hidden": pl.Int64, "metric": pl.Utf8,
                  "filled": pl.Float64, "imputation": pl.Float64, "beats_imputation": pl.Boolean,
                  "generation_minutes": pl.Float64}  # wall time of the masked run's generation (training + fill)  # fmt: skip
