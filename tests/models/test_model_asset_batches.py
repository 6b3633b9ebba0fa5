"""The model assets over two batches: the second build scores only the new objects with the first build's
networks (no training), the old objects keep their predictions in ``model_predictions``, and a model that is due
(``retrain_after_days``), or a run tagged ``emma/retrain``, trains again."""

import polars as pl
import pytest
from dagster import AssetIn, asset, materialize

from assets.jobs import RETRAIN_TAG
from assets.model_tables import model_predictions, model_predictions_valid
from assets.models import fusion_model, text_model, vision_model
from emma_pipeline.models.prepare import TABLES, ModelTables
from resources.lake import LakeResource
from resources.lake_io_manager import DuckLakeIOManager
from resources.models import ModelTrainingResource

NEW = ["A002", "A017", "A021"]
ARTIFACTS = ("text", "vision", "fusion_concat", "fusion_attention")


def _stand_ins(tables: ModelTables, drop=()):
    def table(name: str):
        frame = getattr(tables, name)
        frame = frame.filter(~pl.col("asin").is_in(list(drop))) if "asin" in frame.columns else frame

        @asset(name=name)
        def _table() -> pl.DataFrame:
            return frame

        return _table

    return [table(name) for name in TABLES]


def _build(tables: ModelTables, tmp_path, drop=(), days: float = 7.0, tags: dict | None = None):
    lake = LakeResource(catalog=str(tmp_path / "catalog.sqlite"), data_path=str(tmp_path / "data"))
    training = ModelTrainingResource(profile="tiny", root=str(tmp_path / "models"), cache_dir=str(tmp_path / "cache"),
                                     retrain_after_days=days, overrides='{"epochs": 1, "fusion_epochs": 1}')  # fmt: skip
    result = materialize([*_stand_ins(tables, drop), text_model, vision_model, fusion_model, model_predictions, model_predictions_valid],
                         resources={"lake": lake, "io_manager": DuckLakeIOManager(lake_resource=lake), "model_training": training},
                         tags=tags)  # fmt: skip
    assert result.success and all(c.passed for c in result.get_asset_check_evaluations())
    store = lake.lake()
    frames = pl.concat([store.read(t).select("model", "how", "uri") for t in ("text_model", "vision_model", "fusion_model")])
    metadata = {e.asset_key.path[-1]: e.event_specific_data.materialization.metadata for e in result.get_asset_materialization_events()}
    return dict(zip(frames["model"], frames["how"], strict=True)), metadata, store.read("model_predictions")


@pytest.mark.timeout(900)
def test_a_second_batch_is_scored_with_the_first_builds_networks(tiny_tables, tmp_path):
    how, _, before = _build(tiny_tables, tmp_path, drop=NEW)
    assert how == dict.fromkeys(ARTIFACTS, "trained")
    how, metadata, after = _build(tiny_tables, tmp_path)
    assert how == dict.fromkeys(ARTIFACTS, "extended")
    assert metadata["text_model"]["scored_objects"].value == metadata["vision_model"]["scored_objects"].value == len(NEW)
    assert metadata["fusion_model"]["fusion_attention:scored_objects"].value == len(NEW)
    assert metadata["model_predictions"]["rows_updated"].value == len(ARTIFACTS) * len(NEW)  # only the new objects' rows
    assert set(after["asin"]) - set(before["asin"]) == set(NEW) and after.height == 4 * tiny_tables.objects.height
    old = after.filter(~pl.col("asin").is_in(NEW)).drop("generation").sort("model", "asin")
    assert old.equals(before.drop("generation").sort("model", "asin"))  # old objects keep their predictions
    # a run tagged emma/retrain=true (the weekly schedule's) trains every model, though none is due
    how, metadata, _ = _build(tiny_tables, tmp_path, drop=["A004"], tags={RETRAIN_TAG: "true"})
    assert how == dict.fromkeys(ARTIFACTS, "trained") and "retrain_after_days <= 0" in metadata["text_model"]["why"].value
