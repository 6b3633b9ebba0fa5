"""The model tables as committed: ``model_predictions`` has one row per (model, object) for every model that was
built, probabilities in [0, 1], distributions summing to 1 and a value wherever the model had input;
``model_metrics`` has one row per key and, on the test split, every metric each model reported when it was trained.

Which models exist and what they predict come from the model assets' own rows (``text_model`` ... ``fusion_model``:
one row per artifact, ``test_metrics`` the metrics the artifact computed), not from the tables being checked.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping

import polars as pl

from emma_pipeline.checks.coverage import accounted_for
from emma_pipeline.checks.outcome import CheckOutcome, combined, outcome

SUM_TOLERANCE = 1e-3  # float32 softmax outputs of 3 to 5 entries sum to 1 within ~1e-6; 1e-3 flags real drift
PROBABILITY_COLUMNS = ("material_probs", "rating_probs", "modality_weights", "category_probs", "category_top_probs")
DISTRIBUTIONS = ("rating_probs", "modality_weights")  # each row a softmax: sums to 1
# the column that holds a task's prediction; a model that predicts the task has it on every row it had input for
TASK_COLUMNS = {"price": "price_usd", "mass": "mass_kg", "materials": "material_probs", "category": "category_ids",
                "ratings": "rating_probs"}  # fmt: skip
METRIC_KEY = ("model", "generation", "modality", "merger", "task", "split", "metric")


def reported_metrics(model_rows: Iterable[pl.DataFrame]) -> dict[str, dict[str, float]]:
    """Model name -> the test metrics its artifact reported (``test_metrics`` JSON of the model assets' rows)."""
    return {name: json.loads(text or "{}") for frame in model_rows
            for name, text in frame.select("model", "test_metrics").iter_rows()}  # fmt: skip


def tasks_of(metrics: Mapping[str, float]) -> set[str]:
    """The tasks behind metric names (``mnre_mass`` -> mass)."""
    return {name.rsplit("_", 1)[1] for name in metrics}


def _label(*columns: str) -> pl.Expr:
    return pl.concat_str([pl.col(c).cast(pl.Utf8).fill_null("") for c in columns], separator=":")


def predictions_well_formed(predictions: pl.DataFrame, objects: Iterable[str], tasks: Mapping[str, Iterable[str]]) -> CheckOutcome:
    """``tasks``: every built model -> the tasks it predicts. Rows: one per (model, object of ``objects``), nothing
    else. Values: every probability in [0, 1] and not NaN, rating and modality-weight rows summing to 1, along a
    category path no node likelier than its parent (marginals), the top candidates of one depth summing to at most
    1 (the full category distribution is not stored), and a value of every predicted task wherever ``available``."""
    asins = sorted(set(objects))
    wanted = [f"{m}:{a}" for m in tasks for a in asins]
    rows = accounted_for(wanted, {"model_predictions": predictions.select(_label("model", "asin"))[:, 0].to_list()})
    bad_range, bad_sum, path_grows, top_over, missing = set(), set(), set(), set(), set()
    keyed = predictions.with_columns(_label("model", "asin").alias("_key"))
    for column in PROBABILITY_COLUMNS:
        values = keyed.select("_key", column).explode(column).drop_nulls(column)
        outside = values.filter(~pl.col(column).is_between(0.0, 1.0) | pl.col(column).is_nan())
        bad_range |= {f"{k}:{column}" for k in outside["_key"].to_list()}
    for column in DISTRIBUTIONS:
        sums = keyed.filter(pl.col(column).is_not_null()).select("_key", pl.col(column).list.sum().alias("s"))
        bad_sum |= {f"{k}:{column}" for k in sums.filter((pl.col("s") - 1.0).abs() > SUM_TOLERANCE)["_key"].to_list()}
    paths = keyed.filter(pl.col("category_probs").is_not_null())
    grows = paths.select("_key", pl.col("category_probs").list.diff(null_behavior="drop").list.max().alias("up"))
    path_grows = set(grows.filter(pl.col("up") > SUM_TOLERANCE)["_key"].to_list())
    tops = keyed.filter(pl.col("category_top_probs").is_not_null())
    top_over = set(tops.filter(pl.col("category_top_probs").list.sum() > 1.0 + SUM_TOLERANCE)["_key"].to_list())
    for model, model_tasks in tasks.items():
        had_input = keyed.filter((pl.col("model") == model) & pl.col("available").fill_null(False))
        for task in model_tasks:
            column = TASK_COLUMNS[task]
            value = pl.col(column)
            absent = value.is_null() | (value.is_nan() if column in ("price_usd", "mass_kg") else value.list.len() == 0)
            missing |= {f"{k}:{task}" for k in had_input.filter(absent)["_key"].to_list()}
    values = outcome(
        {"rows": predictions.height, "models": len(tasks)},
        {"probability_out_of_range": bad_range, "distribution_not_summing_to_1": bad_sum,
         "category_child_likelier_than_parent": path_grows, "category_top_probs_over_1": top_over,
         "value_missing": missing},
    )  # fmt: skip
    return combined({"rows": rows, "values": values})


def _nan(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def metrics_complete(metrics: pl.DataFrame, reported: Mapping[str, Mapping[str, float]]) -> CheckOutcome:
    """``reported``: every built model -> the test metrics its artifact reported. Offences: ``repeated_keys`` (two
    rows of one (model, generation, modality, merger, task, split, metric)), ``unexpected_models``, ``missing``
    (a reported metric with no test row), and ``nan_value_with_finite_baseline``.

    A NaN value is legitimate where nothing could be scored: no object of the split is labeled for the task (MnRE,
    KL, F1 ... on a small build's test split), or, for ``r_at_p95_materials``, no material node has 5 positives there.
    The baseline is scored on the same objects and labels, so it is NaN too; a NaN value beside a finite baseline
    means the model left labeled objects unscored, and that fails."""
    counts = metrics.group_by(list(METRIC_KEY)).len().filter(pl.col("len") > 1)
    repeated = {":".join("" if v is None else str(v) for v in row[:-1]) for row in counts.iter_rows()}
    test = metrics.filter(pl.col("split") == "test")
    present = set(test.select("model", "metric").iter_rows())
    missing = {f"{m}:{name}" for m, names in reported.items() for name in names if (m, name) not in present}
    unexpected = set(metrics["model"].to_list()) - set(reported)
    nan_rows = metrics.filter(pl.col("value").is_null() | pl.col("value").is_nan())
    unscored = {f"{m}:{s}:{name}" for m, s, name, base in nan_rows.select("model", "split", "metric", "baseline").iter_rows()
                if not _nan(base)}  # fmt: skip
    return outcome(
        {"rows": metrics.height, "models": len(reported), "test_rows": test.height, "nan_values": nan_rows.height},
        {"repeated_keys": repeated, "unexpected_models": {"<null>" if m is None else m for m in unexpected},
         "missing": missing, "nan_value_with_finite_baseline": unscored},
    )  # fmt: skip
