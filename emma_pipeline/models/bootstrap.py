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


def _scores(runs: list[Predictions], targets: Targets, hierarchy: CategoryHierarchy, rows: np.ndarray,
            metrics: list[str]) -> np.ndarray:
    """Each metric on ``rows``, averaged over the runs (seeds)."""
    values = [evaluate(p.subset(rows), targets.subset(rows), hierarchy) for p in runs]
    return np.array([np.nanmean([v.get(m, np.nan) for v in values]) for m in metrics])


def paired_gaps(a: list[Predictions], b: list[Predictions], targets: Targets, hierarchy: CategoryHierarchy,
                rows: np.ndarray, metrics: list[str], resamples: int = 300, seed: int = 0,
                level: float = 0.95) -> dict[str, tuple[float, float, float]]:
    """Per metric, (gap, low, high): how much better ``a`` is than ``b`` over ``rows`` (positive = better,
    whichever way the metric points), with the ``level`` percentile interval of the paired bootstrap. ``a`` and
    ``b`` hold one Predictions per training seed."""
    sign = np.array([1.0 if HIGHER_IS_BETTER[m] else -1.0 for m in metrics])
    gap = sign * (_scores(a, targets, hierarchy, rows, metrics) - _scores(b, targets, hierarchy, rows, metrics))
    rng = np.random.default_rng(seed)
    draws = []
    for _ in range(resamples):
        sample = rng.choice(rows, size=len(rows), replace=True)
        draws.append(sign * (_scores(a, targets, hierarchy, sample, metrics) - _scores(b, targets, hierarchy, sample, metrics)))
    low, high = np.nanpercentile(np.array(draws), [100 * (1 - level) / 2, 100 * (1 + level) / 2], axis=0)
    return {m: (float(g), float(lo), float(hi)) for m, g, lo, hi in zip(metrics, gap, low, high, strict=True)}
