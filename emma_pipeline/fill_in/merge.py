"""Original values plus a generation's candidates as the published table (``schema.dataset_schema``): an
observed value is copied from the sources and never replaced; every other value is the generation's candidate,
written with its confidence, model version and whether it passes the attribute's threshold."""

from __future__ import annotations

import numpy as np
import polars as pl

from emma_pipeline.fill_in.candidates import Candidates
from emma_pipeline.fill_in.observed import observed
from emma_pipeline.fill_in.schema import ATTRIBUTES, ORIGINAL, dataset_schema, source_label
from emma_pipeline.models.prepare import Prepared


def _provenance(attr: str, known: np.ndarray, confidence: np.ndarray, threshold: float, generation: int,
                version: str) -> dict[str, list]:  # fmt: skip
    conf = np.nan_to_num(confidence, nan=0.0)
    return {
        f"{attr}_source": np.where(known, ORIGINAL, source_label(generation)).tolist(),
        f"{attr}_confidence": [None if k else float(v) for k, v in zip(known, conf)],
        f"{attr}_model_version": [None if k else version for k in known],
        f"{attr}_passes_threshold": (known | (conf >= threshold)).tolist(),
    }


def _path_ids(paths: np.ndarray, node_ids: np.ndarray) -> list[list[int]]:
    return [[int(node_ids[i]) for i in row if i >= 0] for row in paths]


def merge(prepared: Prepared, original_materials: list[list[int] | None], c: Candidates, thresholds: dict[str, float],
          generation: int, version: str) -> pl.DataFrame:  # fmt: skip
    """One row per object in ``prepared.asins`` order. ``original_materials``: the object's material ids as the
    mapper labeled them (None when it has none)."""
    t, h, m = prepared.targets, prepared.hierarchy, prepared.materials
    known = {attr: observed(prepared, attr) for attr in ATTRIBUTES}
    frame: dict[str, list] = {"asin": list(prepared.asins), "split": prepared.split.tolist()}
    for attr, column in (("price", "price_usd"), ("mass", "mass_kg")):
        stated = prepared.objects[column].cast(pl.Float64).fill_null(np.nan).to_numpy()  # float64, not the float32 target
        frame[attr] = np.where(known[attr], stated, getattr(c, attr)).astype(np.float64).tolist()
        frame.update(_provenance(attr, known[attr], c.confidence[attr], thresholds[attr], generation, version))
    predicted_sets = [[int(m.node_ids[i]) for i in s] for s in c.material_sets]
    frame["materials"] = [list(o) if k else p for k, o, p in zip(known["materials"], original_materials, predicted_sets)]
    frame["materials_probs"] = list(c.material_probs)
    frame.update(_provenance("materials", known["materials"], c.confidence["materials"], thresholds["materials"],
                             generation, version))  # fmt: skip
    original_paths, predicted_paths = _path_ids(t.category, h.node_ids), _path_ids(c.category_paths, h.node_ids)
    paths = [o if k else p for k, o, p in zip(known["category"], original_paths, predicted_paths)]
    frame["category"] = [path[-1] if path else None for path in paths]
    frame["category_path"] = paths
    frame["category_probs"] = [[1.0] * len(o) if k else [float(v) for v in probs if np.isfinite(v)]
                               for k, o, probs in zip(known["category"], original_paths, c.category_probs)]  # fmt: skip
    frame.update(_provenance("category", known["category"], c.confidence["category"], thresholds["category"],
                             generation, version))  # fmt: skip
    frame["ratings"] = list(np.where(known["ratings"][:, None], np.nan_to_num(t.ratings), c.ratings).astype(np.float32))
    frame.update(_provenance("ratings", known["ratings"], c.confidence["ratings"], thresholds["ratings"], generation, version))
    return pl.DataFrame(frame, schema=dataset_schema())


def coverage(dataset: pl.DataFrame) -> dict[str, dict[str, float]]:
    """Per attribute: share original, share synthetic, and the share of synthetic values passing the threshold
    (the coverage at the target precision)."""
    out = {}
    for attr in ATTRIBUTES:
        synthetic = dataset.filter(pl.col(f"{attr}_source") != ORIGINAL)
        out[attr] = {
            "original": 1.0 - synthetic.height / max(dataset.height, 1),
            "synthetic": synthetic.height / max(dataset.height, 1),
            "synthetic_passing": synthetic[f"{attr}_passes_threshold"].mean() if synthetic.height else float("nan"),
        }
    return out
