"""Which objects state an attribute themselves (the original values the fill-in never replaces)."""

from __future__ import annotations

import numpy as np

from emma_pipeline.models.prepare import Prepared


def observed(prepared: Prepared, attr: str) -> np.ndarray:
    t = prepared.targets
    if attr in ("price", "mass"):
        values = getattr(t, attr)
        return np.isfinite(values) & (values > 0)
    if attr == "materials":
        return t.materials_mask.sum(axis=1) > 0
    if attr == "category":
        return (t.category >= 0).any(axis=1)
    if attr == "ratings":
        return np.isfinite(t.ratings).all(axis=1)
    raise KeyError(f"unknown attribute {attr!r}")
