"""evaluate_dedup's definitions on a literal example."""

import polars as pl
import pytest

from emma_pipeline.evaluation.dedup_eval import evaluate_dedup
from emma_pipeline.removals import removals_frame

# true group 10: A B C (product 1); true group 11: D E (product 2); F and G are unique products
TRUTH = pl.DataFrame(
    {
        "asin": ["A", "B", "C", "D", "E", "F", "G", "A"],  # A is listed again in a later batch
        "batch": ["b1"] * 7 + ["b2"],
        "product_id": [1, 1, 1, 2, 2, 3, 4, 1],
        "dup_group": [10, 10, 10, 11, 11, None, None, 10],
        "is_exact_dup": [False, True, False, False, False, False, False, False],
        "is_near_dup": [False, False, True, False, True, False, False, False],
    }
)


def _removals(pairs: list[tuple[str, str]], stage: str = "dedup") -> pl.DataFrame:
    return removals_frame([{"asin": a, "stage": stage, "reason": "near_duplicate", "kept_twin": k} for a, k in pairs])


def _groups(rows: list[tuple[int, str, str]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=["group_id", "asin", "kept_asin"], orient="row")


def test_precision_per_removal_and_recall_per_true_duplicate():
    removals = pl.concat([
        _removals([("B", "A"), ("C", "A"), ("D", "F"), ("X", "A")]),  # right, right, wrong twin, unknown ASIN
        _removals([("G", None)], stage="filters"),  # another stage's removal is not scored
    ])
    groups = _groups([(0, "A", "A"), (0, "B", "A"), (0, "C", "A"), (1, "F", "F"), (1, "D", "F")])
    metrics = evaluate_dedup(groups, removals, TRUTH)
    assert metrics["dedup_removals"] == 4 and metrics["dedup_correct_removals"] == 2
    assert metrics["dedup_precision"] == pytest.approx(2 / 4)
    assert metrics["dedup_true_duplicates"] == 3  # (3 - 1) + (2 - 1), A counted once
    assert metrics["dedup_recall"] == pytest.approx(2 / 3)
    assert metrics["dedup_pure_group_fraction"] == pytest.approx(1 / 2)
    assert metrics["dedup_max_group_size"] == 3


def test_a_group_counts_at_most_all_but_one_listing_as_caught():
    removals = _removals([("D", "E"), ("E", "D")])  # e.g. a twin replaced by its better copy in a later batch
    metrics = evaluate_dedup(_groups([(0, "D", "D"), (0, "E", "D")]), removals, TRUTH)
    assert metrics["dedup_precision"] == 1.0
    assert metrics["dedup_duplicates_caught"] == 1 and metrics["dedup_recall"] == pytest.approx(1 / 3)


def test_no_removals_scores_full_precision_and_zero_recall():
    metrics = evaluate_dedup(_groups([]).cast({"group_id": pl.Int64, "asin": pl.Utf8, "kept_asin": pl.Utf8}),
                             _removals([]), TRUTH)
    assert metrics["dedup_precision"] == 1.0 and metrics["dedup_recall"] == 0.0
