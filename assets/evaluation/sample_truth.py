"""Evaluation against the embedded sample's hidden ground truth (only where it exists; no stage reads it), with the
quality targets as asset checks of WARN severity: the sample's truth is not a user's data, so a missed target is
reported, never a reason to stop the build."""

import polars as pl
from dagster import AssetCheckResult, AssetCheckSeverity, AssetCheckSpec, AssetIn, MetadataValue, Output, asset

from emma_pipeline.evaluation.dedup_eval import evaluate_dedup
from emma_pipeline.evaluation.fill_in_eval import evaluate_fill_in
from emma_pipeline.evaluation.filters_eval import evaluate_filters
from emma_pipeline.evaluation.join_eval import evaluate_join
from emma_pipeline.evaluation.targets import DEDUP_TARGETS, FILL_IN_PASSING_PRECISION, JOIN_TARGETS, Target, attained
from emma_pipeline.materials import load_taxonomy
from resources.ground_truth import GroundTruth

_NO_TRUTH = pl.DataFrame(schema={"metric": pl.Utf8, "value": pl.Float64})
TARGETS_CHECK = "meets_targets"


def _metrics_output(metrics: dict) -> Output:
    table = pl.DataFrame({"metric": list(metrics), "value": [float(v) for v in metrics.values()]})
    return Output(table, metadata={k: MetadataValue.float(float(v)) for k, v in metrics.items()})


def _targets_spec(asset: str, targets: tuple[Target, ...] | str) -> AssetCheckSpec:
    wanted = targets if isinstance(targets, str) else ", ".join(str(t) for t in targets)
    return AssetCheckSpec(TARGETS_CHECK, asset=asset, description=f"On the sample's truth (warning only): {wanted}.")


def _targets_result(asset: str, metrics: dict | None, targets: tuple[Target, ...]) -> AssetCheckResult:
    """Passed when every target is met; without ground truth there is nothing to compare (passed, with a note)."""
    if metrics is None:
        return AssetCheckResult(asset_key=asset, check_name=TARGETS_CHECK, passed=True, severity=AssetCheckSeverity.WARN,
                                metadata={"note": "no ground truth: nothing to compare"})  # fmt: skip
    results = attained(metrics, targets)
    metadata = {str(r.target): MetadataValue.float(r.value) if r.value is not None else "not computed" for r in results}
    missed = [str(r.target) for r in results if not r.met]
    return AssetCheckResult(asset_key=asset, check_name=TARGETS_CHECK, passed=not missed, severity=AssetCheckSeverity.WARN,
                            metadata={**metadata, "missed": ", ".join(missed) or "none"})  # fmt: skip


@asset(
    group_name="evaluation",
    kinds={"duckdb"},
    ins={"joined_listings": AssetIn(), "join_removals": AssetIn()},
    check_specs=[_targets_spec("join_evaluation", JOIN_TARGETS)],
)
def join_evaluation(joined_listings: pl.DataFrame, join_removals: pl.DataFrame, ground_truth: GroundTruth):
    """Hijack detection on the sample: injected hijacks caught, clean ASINs wrongly discarded; price/mass fidelity."""
    truth = ground_truth.load()
    if truth is None:
        yield Output(_NO_TRUTH, metadata={"note": "no ground truth"})
        yield _targets_result("join_evaluation", None, JOIN_TARGETS)
        return
    metrics = evaluate_join(joined_listings, join_removals, truth)
    yield _metrics_output(metrics)
    share = metrics["clean_asins_wrongly_discarded"] / max(joined_listings.height, 1)
    yield _targets_result("join_evaluation", {**metrics, "clean_asins_wrongly_discarded_share": share}, JOIN_TARGETS)


@asset(
    group_name="evaluation",
    kinds={"duckdb"},
    ins={"duplicate_groups": AssetIn(), "removals": AssetIn(), "joined_listings": AssetIn()},
    check_specs=[_targets_spec("cleaning_evaluation", DEDUP_TARGETS)],
)
def cleaning_evaluation(duplicate_groups: pl.DataFrame, removals: pl.DataFrame, joined_listings: pl.DataFrame,
                        ground_truth: GroundTruth):  # fmt: skip
    """Duplicate detection precision/recall (targets >= 0.98 / >= 0.95) and per-filter precision/recall,
    including the learned text-image mismatch detector and the non-physical classifier."""
    truth = ground_truth.load()
    if truth is None:
        yield Output(_NO_TRUTH, metadata={"note": "no ground truth"})
        yield _targets_result("cleaning_evaluation", None, DEDUP_TARGETS)
        return
    joined = joined_listings["asin"].to_list()
    dedup = evaluate_dedup(duplicate_groups, removals, truth.filter(pl.col("asin").is_in(joined)))
    dedup_removed = set(removals.filter(pl.col("stage") == "dedup")["asin"].to_list())
    entered = [a for a in joined if a not in dedup_removed]
    filters = evaluate_filters(removals, truth, asins=entered)
    yield _metrics_output({**dedup, **filters})
    yield _targets_result("cleaning_evaluation", dedup, DEDUP_TARGETS)


@asset(
    group_name="evaluation",
    kinds={"duckdb"},
    ins={"dataset": AssetIn(), "category_tree": AssetIn()},
    check_specs=[_targets_spec("fill_in_truth_evaluation", f"per attribute, {FILL_IN_PASSING_PRECISION} (values "
                                                           "passing their threshold)")],
)  # fmt: skip
def fill_in_truth_evaluation(dataset: pl.DataFrame, category_tree: pl.DataFrame, ground_truth: GroundTruth):
    """The naturally missing values the fill-in wrote, against the sample's true values: per attribute the filled
    values' score, the imputation's on the same objects, and the precision of the values passing the threshold."""
    truth = ground_truth.load()
    if truth is None:
        yield Output(pl.DataFrame(), metadata={"note": "no ground truth"})
        yield _targets_result("fill_in_truth_evaluation", None, ())
        return
    table = evaluate_fill_in(dataset, truth, category_tree, load_taxonomy())
    lines = ["| attribute | metric | objects | filled | imputation | passing | precision of passing |", "|---|---|---|---|---|---|---|"]
    lines += [f"| {r['attribute']} | {r['metric']} | {r['objects']} | {r['filled']:.3f} | {r['imputation']:.3f} | {r['passing']} | "
              f"{r['precision_passing']:.3f} |" for r in table.iter_rows(named=True)]  # fmt: skip
    yield Output(table, metadata={"naturally_missing": MetadataValue.md("\n".join(lines))})
    # an attribute with no value passing its threshold has no precision to hold
    passing = table.filter(pl.col("passing") > 0)
    metrics = {f"{r['attribute']}/precision_passing": r["precision_passing"] for r in passing.iter_rows(named=True)}
    targets = tuple(Target(m, at_least=FILL_IN_PASSING_PRECISION.at_least) for m in metrics)
    yield _targets_result("fill_in_truth_evaluation", metrics, targets)
