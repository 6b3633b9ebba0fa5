"""The paired bootstrap of a gap between two models: sign, a sure gap, no gap."""

import numpy as np

from emma_pipeline.models.bootstrap import paired_gaps
from emma_pipeline.models.predictions import Predictions


def _mass(prepared, factor):
    n = len(prepared.asins)
    truth = np.nan_to_num(prepared.targets.mass, nan=1.0)
    return Predictions(available=np.ones(n, bool), mass=truth * factor)


def test_a_model_better_on_every_object_has_an_interval_above_zero(prepared):
    rows = np.flatnonzero(np.isfinite(prepared.targets.mass))
    close, far = _mass(prepared, 1.1), _mass(prepared, 2.0)
    gaps = paired_gaps([close], [far], prepared.targets, prepared.hierarchy, rows, ["mnre_mass", "malde_mass"], resamples=100)
    for metric in ("mnre_mass", "malde_mass"):  # higher- and lower-is-better: the sign follows the metric
        gap, low, high = gaps[metric]
        assert gap > 0 and 0 < low <= gap <= high
    # the other way round: the same gap, negative
    back, _, high_b = paired_gaps([far], [close], prepared.targets, prepared.hierarchy, rows, ["malde_mass"], resamples=100)["malde_mass"]
    assert back < 0 and high_b < 0


def test_the_same_model_twice_has_no_gap(prepared):
    rows = np.flatnonzero(np.isfinite(prepared.targets.mass))
    one = _mass(prepared, 1.3)
    assert paired_gaps([one, one], [one], prepared.targets, prepared.hierarchy, rows, ["mnre_mass"], resamples=50) == {"mnre_mass": (0.0, 0.0, 0.0)}


def test_a_noisy_gap_straddles_zero(prepared):
    rng = np.random.default_rng(1)
    rows = np.flatnonzero(np.isfinite(prepared.targets.mass))
    n = len(prepared.asins)
    truth = np.nan_to_num(prepared.targets.mass, nan=1.0)
    a = Predictions(available=np.ones(n, bool), mass=truth * np.exp(rng.normal(0, 0.5, n)))
    b = Predictions(available=np.ones(n, bool), mass=truth * np.exp(rng.normal(0, 0.5, n)))
    _, low, high = paired_gaps([a], [b], prepared.targets, prepared.hierarchy, rows, ["mnre_mass"], resamples=200)["mnre_mass"]
    assert low < 0 < high
