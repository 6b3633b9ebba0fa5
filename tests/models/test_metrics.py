"""Metrics on hand-computed cases."""

import math

import numpy as np
import polars as pl
import pytest

from emma_pipeline.models.calibration import fit_temperature, sigmoid
from emma_pipeline.models.hierarchy import CategoryHierarchy
from emma_pipeline.models.metrics import (
    category_metrics, expected_calibration_error, malde, material_f1, mnre, rating_kl, recall_at_precision,
)  # fmt: skip

TREE = pl.DataFrame({"id": [0, 1, 2, 3, 4, 5], "parent_id": [None, 0, 0, None, 3, 1], "depth": [0, 1, 1, 0, 1, 2]})


def test_mnre_and_malde():
    pred, true = np.array([2.0, 1.0, 3.0]), np.array([1.0, 4.0, np.nan])
    assert mnre(pred, true) == pytest.approx((0.5 + 0.25) / 2)
    assert malde(pred, true) == pytest.approx((math.log(2) + math.log(4)) / 2)


def test_material_f1_per_object_over_counted_nodes():
    prob = np.array([[0.9, 0.9, 0.1], [0.1, 0.9, 0.9], [0.1, 0.1, 0.1], [0.9, 0.9, 0.9]])
    target = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 0], [1, 1, 1]], dtype=float)
    mask = np.array([[1, 1, 1], [1, 1, 0], [1, 1, 1], [0, 0, 0]], dtype=float)
    # object 0: tp 1 fp 1 -> 2/3; object 1: node 2 masked -> perfect; object 2: nothing either way -> 1; 3 unlabeled
    assert material_f1(prob, target, mask) == pytest.approx((2 / 3 + 1 + 1) / 3)


def test_recall_at_95_precision():
    scores = np.array([0.9, 0.8, 0.7, 0.6, 0.5])
    labels = np.array([1, 1, 0, 1, 1])
    assert recall_at_precision(scores, labels) == pytest.approx(0.5)  # top 2 only
    assert recall_at_precision(scores, labels, precision=0.75) == pytest.approx(1.0)  # 4/5 = .8 at the end
    assert recall_at_precision(np.array([0.5, 0.5]), np.array([1, 0])) == 0.0  # a tie cannot be split
    assert recall_at_precision(scores, labels, n_relevant=10) == pytest.approx(0.2)


def test_ece_of_perfectly_and_badly_calibrated_probabilities():
    assert expected_calibration_error(np.array([0.25] * 4), np.array([1, 0, 0, 0])) == pytest.approx(0.0)
    assert expected_calibration_error(np.array([0.95, 0.95]), np.array([0, 0])) == pytest.approx(0.95)


def test_temperature_scaling_fixes_overconfident_logits():
    rng = np.random.default_rng(0)
    true_logit = rng.normal(0, 1.5, size=(4000, 1))
    label = (rng.random((4000, 1)) < sigmoid(true_logit)).astype(float)
    overconfident = 4.0 * true_logit
    t = fit_temperature(overconfident, label, np.ones_like(label))
    assert t == pytest.approx(4.0, rel=0.15)
    before = expected_calibration_error(sigmoid(overconfident), label)
    after = expected_calibration_error(sigmoid(overconfident / t), label)
    assert after < 0.03 < before


def test_rating_kl_skips_listings_without_reviews():
    pred = np.full((2, 5), 0.2)
    target = np.array([[0, 0, 0, 0, 1.0], [np.nan] * 5])
    assert rating_kl(pred, target) == pytest.approx(math.log(5))


def test_category_metrics_average_over_levels_then_objects():
    hierarchy = CategoryHierarchy.from_tree(TREE)
    paths = hierarchy.paths_to_indices([[0, 1, 5], [3, 4], None])
    marginals = np.zeros((3, 6))
    marginals[0] = [0.6, 0.2, 0.4, 0.4, 0.4, 0.2]  # Home right, then Bath (wrong), so level 3 wrong too
    marginals[1] = [0.3, 0.2, 0.1, 0.7, 0.7, 0.2]  # Auto > Parts: both right
    marginals[2] = [0.5, 0.5, 0.0, 0.5, 0.5, 0.5]
    out = category_metrics(marginals, paths, hierarchy)
    assert out["accuracy_category"] == pytest.approx((1 / 3 + 1) / 2)
    # object 0's true leaf Pans is the only depth-2 node: top-1; object 1's Parts ranks first of depth-1 nodes
    assert out["top1_category"] == 1.0 and out["top5_category"] == 1.0
    # predicted node at the true depth: object 1 right with 0.7, object 0 wrong (no depth-2 prediction, score 0)
    assert out["r_at_p95_category"] == pytest.approx(0.5)


def test_greedy_path_descends_to_a_leaf():
    hierarchy = CategoryHierarchy.from_tree(TREE)
    paths = hierarchy.greedy_paths(np.array([[0.9, 0.8, 0.1, 0.1, 0.1, 0.8]]))
    assert paths.tolist() == [[0, 1, 5]]
