"""The model and fill-in checks read the committed tables back and fail on a corrupted one, blocking what is
downstream. Tiny stand-in assets under the real names feed the real checks (no model is trained)."""

import json

import polars as pl
import pytest
from dagster import AssetIn, Output, asset, materialize

from assets.fill_in import fill_in_checks
from assets.model_tables import model_table_checks
from resources.lake import LakeResource
from resources.lake_io_manager import DuckLakeIOManager

OBJECTS = ["A1", "A2"]
MODELS = {"text_model": ["text"], "vision_model": ["vision"], "fusion_model": ["fusion_concat", "fusion_attention"]}
METRICS = {"mnre_price": 0.5, "kl_ratings": 0.3}  # every model predicts price and ratings here


@pytest.fixture
def resources(tmp_path):
    lake = LakeResource(catalog=str(tmp_path / "catalog.sqlite"), data_path=str(tmp_path / "data"))
    return {"lake": lake, "io_manager": DuckLakeIOManager(lake_resource=lake)}


def _table(name: str, frame: pl.DataFrame, **ins):
    @asset(name=name, ins={i: AssetIn(i) for i in ins.get("inputs", ())})
    def _asset(**_inputs) -> pl.DataFrame:
        return frame

    return _asset


def _model_assets():
    return [_table(name, pl.DataFrame({"model": models, "test_metrics": json.dumps(METRICS)}))
            for name, models in MODELS.items()]  # fmt: skip


def _predictions(rating_of_a2: list[float] | None = None, drop_last: bool = False) -> pl.DataFrame:
    models = [m for names in MODELS.values() for m in names]
    rows = [{"asin": a, "model": m, "available": True, "price_usd": 10.0, "mass_kg": None, "material_probs": None,
             "rating_probs": [0.2] * 5, "modality_weights": None, "category_ids": None, "category_probs": None,
             "category_top_probs": None} for m in models for a in OBJECTS]  # fmt: skip
    if rating_of_a2 is not None:
        rows[1]["rating_probs"] = rating_of_a2
    schema = {"asin": pl.Utf8, "model": pl.Utf8, "available": pl.Boolean, "price_usd": pl.Float64, "mass_kg": pl.Float64,
              "material_probs": pl.List(pl.Float32), "rating_probs": pl.List(pl.Float32),
              "modality_weights": pl.List(pl.Float32), "category_ids": pl.List(pl.Int64),
              "category_probs": pl.List(pl.Float64), "category_top_probs": pl.List(pl.Float64)}  # fmt: skip
    return pl.DataFrame(rows[:-1] if drop_last else rows, schema=schema)


def _metrics(duplicate: bool = False) -> pl.DataFrame:
    rows = [{"model": m, "generation": 1, "modality": "x", "merger": None, "task": name.rsplit("_", 1)[1],
             "split": "test", "metric": name, "value": v, "baseline": v} for ms in MODELS.values() for m in ms
            for name, v in METRICS.items()]  # fmt: skip
    return pl.DataFrame(rows + rows[:1] if duplicate else rows)


def _model_graph(predictions: pl.DataFrame, metrics: pl.DataFrame):
    tables = [*MODELS, "objects"]
    return [_table("objects", pl.DataFrame({"asin": OBJECTS})), *_model_assets(),
            _table("model_predictions", predictions, inputs=tables), _table("model_metrics", metrics, inputs=tables)]


def _evaluations(run) -> dict[str, object]:
    return {c.asset_check_key.to_user_string(): c for c in run.get_asset_check_evaluations()}


def test_valid_model_tables_pass(resources):
    run = materialize([*_model_graph(_predictions(), _metrics()), *model_table_checks], resources=resources)
    checks = _evaluations(run)
    assert len(checks) == 2 and all(c.passed for c in checks.values()), {k: c.metadata for k, c in checks.items()}


def test_a_probability_of_1_2_a_lost_row_and_a_duplicated_metric_fail(resources):
    graph = _model_graph(_predictions(rating_of_a2=[1.2, 0.0, 0.0, 0.0, 0.0], drop_last=True), _metrics(duplicate=True))
    run = materialize([*graph, *model_table_checks], resources=resources, raise_on_error=False)
    checks = _evaluations(run)
    predictions = checks["model_predictions:covers_objects_valid_probabilities"]
    assert not predictions.passed
    assert predictions.metadata["values/probability_out_of_range"].value == 1
    assert predictions.metadata["values/distribution_not_summing_to_1"].value == 1
    assert "fusion_attention:A2" in predictions.metadata["sample/rows/missing"].value
    metrics = checks["model_metrics:one_row_per_key_covers_test_metrics"]
    assert not metrics.passed and metrics.metadata["repeated_keys"].value == 1


# A1 states a price; A2 states nothing
STATED = {
    "objects": pl.DataFrame({"asin": OBJECTS, "price_usd": [19.99, None], "mass_kg": [None, None],
                             "rating_hist": [None, None]}, schema_overrides={"rating_hist": pl.List(pl.Int64),
                                                                             "mass_kg": pl.Float64}),
    "object_materials": pl.DataFrame({"asin": ["A1"], "material_ids": [[3]]}),
    "object_categories": pl.DataFrame({"asin": OBJECTS, "category_ids": [None, None]},
                                      schema_overrides={"category_ids": pl.List(pl.Int64)}),
    "splits": pl.DataFrame({"asin": OBJECTS, "split": ["train", "test"]}),
}  # fmt: skip


def _filled(generation: int, price_of_a1: float = 19.99, split_of_a2: str = "test") -> pl.DataFrame:
    source = f"gen{generation}"
    return pl.DataFrame({
        "asin": OBJECTS, "split": ["train", split_of_a2],
        "price": [price_of_a1, 5.0], "price_source": ["original", source], "price_confidence": [None, 0.5],
        "mass": [1.0, 2.0], "mass_source": [source, source], "mass_confidence": [0.5, 0.5],
        "materials": [[3], [4]], "materials_source": ["original", source], "materials_confidence": [None, 0.9],
        "category_path": [[1], [2]], "category_source": [source, source], "category_confidence": [0.8, 0.7],
        "ratings": [[0.2] * 5, [0.2] * 5], "ratings_source": [source, source], "ratings_confidence": [0.1, 0.1],
    }, schema_overrides={"price_confidence": pl.Float64, "materials_confidence": pl.Float64})  # fmt: skip


def _fill_in_graph(gen1: pl.DataFrame, dataset: pl.DataFrame):
    inputs = list(STATED)
    published = _table("dataset", dataset, inputs=["filled_gen2", "objects"])

    @asset(deps=[published])
    def exported() -> None:
        return None

    stated = [_table(name, frame) for name, frame in STATED.items()]
    return [*stated, _table("filled_gen1", gen1, inputs=inputs), _table("filled_gen2", _filled(2), inputs=inputs),
            published, exported]  # fmt: skip


def test_filled_tables_and_the_dataset_that_keep_originals_pass(resources):
    run = materialize([*_fill_in_graph(_filled(1), _filled(2)), *fill_in_checks(2)], resources=resources)
    checks = _evaluations(run)
    assert len(checks) == 3 and all(c.passed for c in checks.values()), {k: c.metadata for k, c in checks.items()}


def test_an_overwritten_original_and_a_wrong_split_fail_and_stop_the_export(resources):
    graph = _fill_in_graph(_filled(1, price_of_a1=18.0), _filled(2, split_of_a2="val"))
    run = materialize([*graph, *fill_in_checks(2)], resources=resources, raise_on_error=False)
    checks = _evaluations(run)
    gen1 = checks["filled_gen1:covers_objects_keeps_originals"]
    assert not gen1.passed and "A1:price" in gen1.metadata["sample/values/original_overwritten"].value
    assert checks["filled_gen2:covers_objects_keeps_originals"].passed
    dataset = checks["dataset:covers_objects_keeps_originals"]
    assert not dataset.passed and dataset.metadata["split/split_disagrees"].value == 1
    built = {e.asset_key.to_user_string() for e in run.get_asset_materialization_events()}
    assert "dataset" in built and "exported" not in built  # the bad dataset was committed, and nothing after it
