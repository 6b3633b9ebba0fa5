"""Data checks, Dagster-free: each compares what a stage committed with what it was given, and says what is off.

``assets/`` turns each outcome into a blocking asset check on the stage's output.
"""

from emma_pipeline.checks.coverage import accounted_for
from emma_pipeline.checks.filled import filled_well_formed, splits_agree
from emma_pipeline.checks.model_outputs import metrics_complete, predictions_well_formed
from emma_pipeline.checks.outcome import CheckOutcome, combined
from emma_pipeline.checks.records import records_accounted_for, rows_carried_over
from emma_pipeline.checks.references import ids_known
from emma_pipeline.checks.scores import dedup_state_covers, object_scores_cover, smart_labels_cover

__all__ = [
    "CheckOutcome", "combined", "accounted_for", "ids_known", "records_accounted_for", "rows_carried_over",
    "predictions_well_formed", "metrics_complete", "filled_well_formed", "splits_agree", "smart_labels_cover",
    "object_scores_cover", "dedup_state_covers",
]  # fmt: skip
