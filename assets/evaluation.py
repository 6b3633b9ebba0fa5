"""Evaluation against the embedded sample's hidden ground truth (only where it exists; no stage reads it)."""


import polars as pl
from dagster import AssetIn, AutomationCondition, MetadataValue, Output, asset

from emma_pipeline.evaluation.join_eval import evaluate_join
from resources.ground_truth import GroundTruth


@asset(
    group_name="evaluation",
    kinds={"duckdb"},
    ins={"joined_listings": AssetIn(), "join_removals": AssetIn()},
    automation_condition=AutomationCondition.eager(),
)
def join_evaluation(joined_listings: pl.DataFrame, join_removals: pl.DataFrame, ground_truth: GroundTruth):
    """Hijack detection on the sample: injected hijacks caught, clean ASINs wrongly discarded; price/mass fidelity."""
    truth = ground_truth.load()
    if truth is None:
        return Output(pl.DataFrame(schema={"metric": pl.Utf8, "value": pl.Float64}), metadata={"note": "no ground truth"})
    metrics = evaluate_join(joined_listings, join_removals, truth)
    table = pl.DataFrame({"metric": list(metrics), "value": [float(v) for v in metrics.values()]})
    return Output(table, metadata={k: MetadataValue.float(float(v)) for k, v in metrics.items()})
