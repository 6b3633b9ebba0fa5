"""Evaluation assets: the only assets that read the sample's hidden ground truth (tests/test_truth_leaks.py)."""

from assets.evaluation.sample_truth import cleaning_evaluation, fill_in_truth_evaluation, join_evaluation
from assets.evaluation.search import search_evaluation

__all__ = ["cleaning_evaluation", "fill_in_truth_evaluation", "join_evaluation", "search_evaluation"]
