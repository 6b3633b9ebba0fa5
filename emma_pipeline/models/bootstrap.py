"""How sure a difference between two models on one test split is: a paired bootstrap over the test objects.

Both models are scored on the same resampled objects, so what the two share (hard objects, unrated ones) cancels
out; with several training seeds, each resample is scored for every seed and the seeds are averaged, as in Table 1.
A gap whose interval holds 0 is within what another draw of ~100 test objects would change.
"""

from __future__ import annotations

import numpy as np

from emma_pipeline.models.hierarchy import CategoryHierarchy
from emma_pipeline.models.metrics import HIGHER_IS_BETTER
from emma_pipeline.models.predictions import Predictions, evaluate
from emma_pipeline.models.targets import Targets


def _score(runs: list[Predictions], targets: Targets, hierarchy: CategoryHierarchy, rows: np.ndarray, metric: str) -> float:
    values = [evaluate(p.subset(rows), targets.subset(rows), hierarchy).get(metric, np.nan) for p in runs]
    return float(np.nanmean(values))


def paired_gap(a: list[Predictions], b: list[Predictions], targets: Targets, hierarchy: CategoryHierarchy,
               rows: np.ndarray, metric: str, resamples: int = 300, seed: int = 0,
               level: float = 0.95) -> tuple[float, float, float]:
    """(gap, low, high): how much better ``a`` is than ``b`` on ``metric`` over ``rows`` (positive = better,
    whichever way the metric points), with the ``level`` percentile interval of the paired bootstrap. ``a`` and
    ``b`` hold one Predictions per training seed."""
    sign = 1.0 if HIGHER_IS_BETTER[metric] else -1.0
    gap = sign * (_score(a, targets, hierarchy, rows, metric) - _score(b, targets, hierarchy, rows, metric))
    rng = np.random.default_rng(seed)
    draws = []
    for _ in range(resamples):
        sample = rng.choice(rows, size=len(rows), replace=True)
        draws.append(sign * (_score(a, targets, hierarchy, sample, metric) - _score(b, targets, hierarchy, sample, metric)))
    low, high = np.nanpercentile(draws, [100 * (1 - level) / 2, 100 * (1 + level) / 2])
    return gap, float(low), float(high)
