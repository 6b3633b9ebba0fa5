import numpy as np

from emma_pipeline.fill_in.config import FillInConfig
from emma_pipeline.fill_in.thresholds import NEVER, category_correct, ratio_correct, threshold_at_precision


def test_threshold_is_the_lowest_score_with_enough_precision():
    scores = np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.4])
    correct = np.array([1, 1, 1, 1, 0, 0], bool)
    t = threshold_at_precision(scores, correct, precision=0.95, min_support=2)
    assert t.value == 0.6 and t.support == 4 and t.precision == 1.0


def test_no_threshold_when_precision_is_never_reached_or_support_too_small():
    scores, correct = np.array([0.9, 0.8, 0.7]), np.array([0, 1, 1], bool)
    assert threshold_at_precision(scores, correct, 0.95, 1).value == NEVER
    assert threshold_at_precision(np.array([0.9]), np.array([True]), 0.95, min_support=5).value == NEVER


def test_ties_pass_together():
    scores, correct = np.array([0.9, 0.9, 0.9, 0.1]), np.array([1, 1, 0, 1], bool)
    assert threshold_at_precision(scores, correct, 0.95, 1).value == NEVER


def test_correctness_rules():
    config = FillInConfig(regression_tolerance=0.5)
    assert ratio_correct(np.array([1.4, 0.6, 1.0]), np.array([1.0, 1.0, 1.0]), config).tolist() == [True, False, True]
    pred = np.array([[0, 1, -1], [0, 2, -1], [0, 1, 3]])
    true = np.array([[0, 1, -1], [0, 1, -1], [0, -1, -1]])
    assert category_correct(pred, true).tolist() == [True, False, True]
