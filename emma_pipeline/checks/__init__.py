"""Data checks, Dagster-free: each compares what a stage committed with what it was given, and says what is off.

``assets/`` turns each outcome into a blocking asset check on the stage's output.
"""

from emma_pipeline.checks.coverage import accounted_for
from emma_pipeline.checks.outcome import CheckOutcome, combined
from emma_pipeline.checks.records import records_accounted_for, rows_carried_over
from emma_pipeline.checks.references import ids_known

__all__ = ["CheckOutcome", "combined", "accounted_for", "ids_known", "records_accounted_for", "rows_carried_over"]
