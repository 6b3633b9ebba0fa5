"""Evaluation against the embedded sample's hidden ground truth (only where it exists; no stage reads it)."""

import polars as pl
from dagster import AssetIn, AutomationCondition, MetadataValue, Output, asset

from emma_pipeline.evaluation.dedup_eval import evaluate_dedup
from emma_pipeline.evaluation.fill_in_eval import evaluate_fill_in
from emma_pipeline.evaluation.filters_eval import evaluate_filters
from emma_pipeline.evaluation.join_eval import evaluate_join
from emma_pipeline.materials import load_taxonomy
from resources.ground_truth import GroundTruth

_NO_TRUTH = pl.DataFrame(schema={"metric": pl.Utf8, "value": pl.Float64})


def _metrics_output(metrics: dict) -> Output:
    table = pl.DataFrame({"metric": list(metrics), "value": [float(v) for v in metrics.values()]})
    return Output(table, metadata={k: MetadataValue.float(float(v)) for k, v in metrics.items()})


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
        return Output(_NO_TRUTH, metadata={"note": "no ground truth"})
    return _metrics_output(evaluate_join(joined_listings, join_removals, truth))


@asset(
    group_name="evaluation",
    kinds={"duckdb"},
    ins={"duplicate_groups": AssetIn(), "removals": AssetIn(), "joined_listings": AssetIn()},
    automation_condition=AutomationCondition.eager(),
)
def cleaning_evaluation(duplicate_groups: pl.DataFrame, removals: pl.DataFrame, joined_listings: pl.DataFrame,
                        ground_truth: GroundTruth):  # fmt: skip
    """Duplicate detection precision/recall (targets >= 0.98 / >= 0.95) and per-filter precision/recall,
    including the learned text-image mismatch detector and the non-physical classifier."""
    truth = ground_truth.load()
    if truth is None:
        return Output(_NO_TRUTH, metadata={"note": "no ground truth"})
    joined = joined_listings["asin"].to_list()
    dedup = evaluate_dedup(duplicate_groups, removals, truth.filter(pl.col("asin").is_in(joined)))
    dedup_removed = set(removals.filter(pl.col("stage") == "dedup")["asin"].to_list())
    entered = [a for a in joined if a not in dedup_removed]
    filters = evaluate_filters(removals, truth, asins=entered)
    return _metrics_output({**dedup, **filters})


@asset(
    group_name="evaluation",
    kinds={"duckdb"},
    ins={"dataset": AssetIn(), "category_tree": AssetIn()},
    automation_condition=AutomationCondition.eager(),
)
def fill_in_truth_evaluation(dataset: pl.DataFrame, category_tree: pl.DataFrame, ground_truth: GroundTruth):
    """The naturally missing values the fill-in wrote, against the sample's true values: per attribute the filled
    values' score, the imputation's on the same objects, and the precision of the values passing the threshold."""
    truth = ground_truth.load()
    if truth is None:
        return Output(pl.DataFrame(), metadata={"note": "no ground truth"})
    table = evaluate_fill_in(dataset, truth, category_tree, load_taxonomy())
    lines = ["| attribute | metric | objects | filled | imputation | passing | precision of passing |", "|---|---|---|---|---|---|---|"]
    lines += [f"| {r['attribute']} | {r['metric']} | {r['objects']} | {r['filled']:.3f} | {r['imputation']:.3f} | {r['passing']} | "
              f"{r['precision_passing']:.3f} |" for r in table.iter_rows(named=True)]  # fmt: skip
    return Output(table, metadata={"naturally_missing": MetadataValue.md("\n".join(lines))})
