"""The evaluation targets: met or missed per metric, reported as WARN-severity asset checks."""

from dagster import AssetCheckSeverity

from assets.evaluation.sample_truth import _targets_result
from emma_pipeline.evaluation.targets import DEDUP_TARGETS, JOIN_TARGETS, attained


def test_dedup_targets_are_the_papers_and_a_missed_one_is_named():
    results = attained({"dedup_precision": 0.97, "dedup_recall": 0.96}, DEDUP_TARGETS)
    assert [(str(r.target), r.met) for r in results] == [("dedup_precision >= 0.98", False), ("dedup_recall >= 0.95", True)]


def test_an_upper_bound_and_a_metric_not_computed():
    results = attained({"hijack_recall": 0.9}, JOIN_TARGETS)
    assert results[0].met and results[1].value is None and not results[1].met


def test_a_missed_target_is_a_warning_not_an_error():
    result = _targets_result("cleaning_evaluation", {"dedup_precision": 0.5, "dedup_recall": 1.0}, DEDUP_TARGETS)
    assert not result.passed and result.severity == AssetCheckSeverity.WARN
    assert result.metadata["missed"].value == "dedup_precision >= 0.98"


def test_without_ground_truth_there_is_nothing_to_miss():
    result = _targets_result("cleaning_evaluation", None, DEDUP_TARGETS)
    assert result.passed and "no ground truth" in result.metadata["note"].value
