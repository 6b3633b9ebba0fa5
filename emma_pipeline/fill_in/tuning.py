"""Tune each attribute's threshold on held-out observed values (splits no model trained on) and check it on the
test split. Which rows were scored is recorded, so a test can prove no tuning row was a training row."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from emma_pipeline.fill_in.candidates import Candidates, most_specific_sets
from emma_pipeline.fill_in.config import FillInConfig
from emma_pipeline.fill_in.crossfit import assert_not_trained_on
from emma_pipeline.fill_in.observed import observed
from emma_pipeline.fill_in.schema import ATTRIBUTES
from emma_pipeline.fill_in.thresholds import (
    Threshold, category_correct, precision_at, ratings_correct, ratio_correct, threshold_at_precision,
)  # fmt: skip
from emma_pipeline.models.prepare import Prepared


@dataclass(frozen=True)
class Tuned:
    thresholds: dict[str, Threshold]
    test_precision: dict[str, float]  # precision of each tuned threshold on the test split's observed values
    test_support: dict[str, int]
    tuning_rows: np.ndarray  # object rows whose observed values were scored for tuning


def scored(c: Candidates, prepared: Prepared, rows: np.ndarray, attr: str, config: FillInConfig):
    """(confidence, correct) of the model's own prediction on ``rows`` where ``attr`` is observed."""
    t = prepared.targets
    rows = rows[observed(prepared, attr)[rows]]
    if attr in ("price", "mass"):
        return c.confidence[attr][rows], ratio_correct(getattr(c, attr)[rows], getattr(t, attr)[rows], config)
    if attr == "ratings":
        return c.confidence[attr][rows], ratings_correct(c.ratings[rows], t.ratings[rows], config)
    if attr == "category":
        return c.confidence[attr][rows], category_correct(c.category_paths[rows], t.category[rows])
    probs = c.model_material_probs[rows]
    sets = most_specific_sets(probs, prepared.materials.parent, c.material_cut)
    scores = np.array([probs[i, s].min() for i, s in enumerate(sets)])
    counted = t.materials_mask[rows] > 0
    correct = np.array([bool(counted[i, s].all() and (t.materials[rows][i, s] > 0.5).all()) for i, s in enumerate(sets)])
    return scores, correct


def tune(c: Candidates, prepared: Prepared, config: FillInConfig, trained_rows: np.ndarray) -> Tuned:
    """``trained_rows``: the rows the generation's models trained on (must not meet the tuning rows)."""
    rows = prepared.rows(*config.tuning_splits)
    assert_not_trained_on(trained_rows, rows, "threshold tuning")
    test = prepared.rows("test")
    thresholds, precision, support = {}, {}, {}
    for attr in ATTRIBUTES:
        thresholds[attr] = threshold_at_precision(*scored(c, prepared, rows, attr, config), config.precision,
                                                  config.min_support)  # fmt: skip
        precision[attr], support[attr] = precision_at(thresholds[attr].value, *scored(c, prepared, test, attr, config))
    return Tuned(thresholds, precision, support, rows)
