"""model_predictions: one row per (model, object), probabilities and distributions valid, values where required;
model_metrics: one row per key, every reported test metric present, NaN only where nothing could be scored."""

import math

import polars as pl

from emma_pipeline.checks.model_outputs import metrics_complete, predictions_well_formed, reported_metrics, tasks_of
from emma_pipeline.models.pipeline import METRICS_SCHEMA

OBJECTS = ["A1", "A2"]
TASKS = {"text": {"price", "ratings", "category"}, "fusion_attention": {"mass", "materials"}}


def _row(asin: str, model: str, **values) -> dict:
    text = model == "text"
    row = {"asin": asin, "model": model, "available": True,
           "price_usd": 12.5 if text else None, "mass_kg": None if text else 0.4,
           "material_probs": None if text else [0.9, 0.2, 0.0], "rating_probs": [0.1, 0.1, 0.2, 0.2, 0.4] if text else None,
           "modality_weights": None if text else [0.5, 0.3, 0.2],
           "category_ids": [1, 4] if text else None, "category_probs": [0.8, 0.6] if text else None,
           "category_top_ids": [4, 5] if text else None, "category_top_probs": [0.6, 0.15] if text else None}  # fmt: skip
    return {**row, **values}


def _predictions(*rows: dict) -> pl.DataFrame:
    schema = {"asin": pl.Utf8, "model": pl.Utf8, "available": pl.Boolean, "price_usd": pl.Float64, "mass_kg": pl.Float64,
              "material_probs": pl.List(pl.Float32), "rating_probs": pl.List(pl.Float32),
              "modality_weights": pl.List(pl.Float32), "category_ids": pl.List(pl.Int64),
              "category_probs": pl.List(pl.Float64), "category_top_ids": pl.List(pl.Int64),
              "category_top_probs": pl.List(pl.Float64)}  # fmt: skip
    return pl.DataFrame(list(rows), schema=schema)


def _good() -> list[dict]:
    return [_row(a, m) for m in TASKS for a in OBJECTS]


def _failures(result) -> dict[str, list[str]]:
    return {k: v for k, v in result.samples.items() if v}


def test_one_valid_row_per_model_and_object_passes():
    result = predictions_well_formed(_predictions(*_good()), OBJECTS, TASKS)
    assert result.passed, result.describe()
    assert result.counts["rows/keys_in"] == 4


def test_a_lost_row_and_a_duplicated_row_fail():
    rows = _good()
    result = predictions_well_formed(_predictions(*rows[1:], rows[2]), OBJECTS, TASKS)
    assert not result.passed
    assert _failures(result) == {"rows/missing": ["text:A1"], "rows/repeated": ["fusion_attention:A1"]}


def test_a_model_that_was_not_built_and_an_unknown_object_are_unexpected():
    result = predictions_well_formed(_predictions(*_good(), _row("A1", "vision"), _row("Z9", "text")), OBJECTS, TASKS)
    assert _failures(result) == {"rows/unexpected": ["text:Z9", "vision:A1"]}


def test_a_probability_above_1_or_nan_fails():
    rows = _good()
    rows[0] = _row("A1", "text", category_probs=[1.2, 0.6])
    rows[2] = _row("A1", "fusion_attention", material_probs=[0.9, float("nan"), 0.0])
    result = predictions_well_formed(_predictions(*rows), OBJECTS, TASKS)
    assert _failures(result) == {"values/probability_out_of_range":
                                 ["fusion_attention:A1:material_probs", "text:A1:category_probs"]}  # fmt: skip


def test_a_rating_distribution_or_modality_weights_not_summing_to_1_fail():
    rows = _good()
    rows[1] = _row("A2", "text", rating_probs=[0.1, 0.1, 0.2, 0.2, 0.2])
    rows[3] = _row("A2", "fusion_attention", modality_weights=[0.5, 0.5, 0.5])
    result = predictions_well_formed(_predictions(*rows), OBJECTS, TASKS)
    assert _failures(result) == {"values/distribution_not_summing_to_1":
                                 ["fusion_attention:A2:modality_weights", "text:A2:rating_probs"]}  # fmt: skip


def test_a_child_likelier_than_its_parent_and_top_candidates_over_1_fail():
    rows = _good()
    rows[0] = _row("A1", "text", category_probs=[0.5, 0.7])
    rows[1] = _row("A2", "text", category_top_probs=[0.7, 0.6])
    result = predictions_well_formed(_predictions(*rows), OBJECTS, TASKS)
    assert _failures(result) == {"values/category_child_likelier_than_parent": ["text:A1"],
                                 "values/category_top_probs_over_1": ["text:A2"]}  # fmt: skip


def test_a_missing_value_fails_where_the_model_had_input_only():
    rows = _good()
    rows[0] = _row("A1", "text", price_usd=float("nan"))
    rows[2] = _row("A1", "fusion_attention", mass_kg=None)
    rows[3] = _row("A2", "fusion_attention", available=False, mass_kg=None, material_probs=None, modality_weights=None)
    result = predictions_well_formed(_predictions(*rows), OBJECTS, TASKS)
    assert _failures(result) == {"values/value_missing": ["fusion_attention:A1:mass", "text:A1:price"]}


def test_tasks_come_from_the_metric_names_a_model_reported():
    frame = pl.DataFrame({"model": ["text"], "test_metrics": ['{"mnre_price": 0.5, "r_at_p95_materials": NaN}']})
    reported = reported_metrics([frame])
    assert math.isnan(reported["text"]["r_at_p95_materials"])
    assert tasks_of(reported["text"]) == {"price", "materials"}


def _metric(model: str, metric: str, value: float, baseline: float, split: str = "test") -> dict:
    return {"model": model, "generation": 1, "modality": "text", "merger": None, "task": metric.rsplit("_", 1)[1],
            "split": split, "metric": metric, "value": value, "baseline": baseline, "higher_is_better": True}  # fmt: skip


REPORTED = {"text": {"mnre_price": 0.5, "r_at_p95_materials": float("nan")}}
NAN = float("nan")


def test_every_reported_metric_once_with_nan_only_where_the_baseline_is_nan_passes():
    rows = [_metric("text", "mnre_price", 0.5, 0.4), _metric("text", "r_at_p95_materials", NAN, NAN),
            _metric("text", "mnre_price", NAN, NAN, split="val")]  # fmt: skip
    result = metrics_complete(pl.DataFrame(rows, schema=METRICS_SCHEMA), REPORTED)
    assert result.passed, result.describe()


def test_a_duplicated_key_a_missing_metric_an_unknown_model_and_an_unscored_value_fail():
    rows = [_metric("text", "mnre_price", NAN, 0.4), _metric("text", "mnre_price", 0.5, 0.4),
            _metric("vision", "mnre_price", 0.5, 0.4)]  # fmt: skip
    result = metrics_complete(pl.DataFrame(rows, schema=METRICS_SCHEMA), REPORTED)
    assert _failures(result) == {"repeated_keys": ["text:1:text::price:test:mnre_price"],
                                 "unexpected_models": ["vision"], "missing": ["text:r_at_p95_materials"],
                                 "nan_value_with_finite_baseline": ["text:test:mnre_price"]}  # fmt: skip
