"""The per-property Dagster assets on a tiny lake: labels export, smart_labels on every object, Table 3, sensor."""

import json

import numpy as np
import polars as pl
import pytest
from dagster import AssetMaterialization, AssetSpec, DagsterInstance, build_sensor_context, materialize

from assets.smart_labels import smart_label_assets, smart_label_checks, smart_label_properties, smart_labels_sensor
from emma_pipeline.labeling.store import LabelStore
from emma_pipeline.warehouse.lake import Lake, LakeConfig
from resources import DuckLakeIOManager, GroundTruth, LabelStoreResource, LakeResource

from .conftest import tiny_features

pytestmark = pytest.mark.integration


def write_tiny_lake(home, feats) -> LakeResource:
    """objects + text/image embeddings tables as the cleaning and embedding stages would leave them."""
    config = LakeConfig.under(home)
    lake = Lake(config)
    lake.write_table("objects", pl.DataFrame({"asin": feats.object_ids, "title": feats.titles, "text": feats.texts,
                                              "image_urls": feats.images}, schema_overrides={"image_urls": pl.List(pl.Utf8)}))  # fmt: skip
    rng = np.random.default_rng(1)
    text = [list(map(float, v)) for v in feats.embedding]
    image = [list(map(float, rng.normal(0, 1, 4))) for _ in feats.object_ids]  # images carry no signal here
    lake.write_table("text_embeddings", pl.DataFrame({"asin": feats.object_ids, "embedding": text}))
    lake.write_table("image_embeddings", pl.DataFrame({"asin": feats.object_ids, "embedding": image}))
    return LakeResource(catalog=config.catalog, data_path=config.data_path)


def resources_for(lake: LakeResource, store_path, truth_dir) -> dict:
    return {"io_manager": DuckLakeIOManager(lake_resource=lake), "lake": lake,
            "label_store": LabelStoreResource(path=str(store_path)), "ground_truth": GroundTruth(directory=str(truth_dir))}  # fmt: skip


def test_smart_labels_label_every_object_and_evaluate_on_held_out_test_labels(tmp_path):
    feats = tiny_features()
    lake = write_tiny_lake(tmp_path, feats)
    store = LabelStore(tmp_path / "labels.sqlite")
    store.create_property("req-create-0001", "is_container", "holds things")
    for i in range(6):  # training labels
        store.add_label(f"req-train-B{i:03d}", "is_container", f"B{i:04d}", 1, "word-search")
        store.add_label(f"req-train-K{i:03d}", "is_container", f"K{i:04d}", 0, "word-search")
    store.add_label("req-train-fix0", "is_container", "K0005", 1, "review")  # a mistake...
    store.add_label("req-train-fix1", "is_container", "K0005", 0, "review")  # ...corrected: latest wins
    for i in range(10, 20):  # uniform test labels, held out of training
        store.add_label(f"req-test-B{i:03d}", "is_container", f"B{i:04d}", 1, "test-set")
        store.add_label(f"req-test-K{i:03d}", "is_container", f"K{i:04d}", 0, "test-set")
    with DagsterInstance.ephemeral() as instance:
        instance.add_dynamic_partitions(smart_label_properties.name, ["is_container"])
        upstream = [AssetSpec(n).with_io_manager_key("io_manager") for n in ("objects", "text_embeddings", "image_embeddings")]
        result = materialize([*upstream, *smart_label_assets, *smart_label_checks], partition_key="is_container",
                             instance=instance, resources=resources_for(lake, store.path, tmp_path / "no_truth"))  # fmt: skip
        assert result.success
        [check] = result.get_asset_check_evaluations()  # the property's rows as committed, one per object
        assert check.passed and check.metadata["rows/keys_in"].value == len(feats.object_ids)
    smart = lake.lake().read("smart_labels")
    assert smart.height == len(feats.object_ids) and smart["object_id"].n_unique() == smart.height
    assert smart["label_store_version"].unique().to_list() == [store.get_property("is_container").version]
    by_id = dict(zip(smart["object_id"], smart["probability"]))
    assert by_id["B0015"] > 0.5 > by_id["K0015"]
    exported = lake.lake().read("labels")
    assert exported.height == 34 and exported.filter(pl.col("is_current")).height == 32
    table3 = lake.lake().read("smart_label_evaluation").row(0, named=True)
    assert table3["test_source"] == "test-set labels" and table3["n_test"] == 20 and table3["n_train"] == 12
    assert table3["f1"] == 1.0 and table3["errors"] == 0


def test_the_sensor_requests_a_property_when_its_labels_change(tmp_path):
    store = LabelStore(tmp_path / "labels.sqlite")
    store.create_property("req-create-0001", "is_container", "holds things")
    store.create_property("req-create-0002", "sharp", "cuts")
    resources = {"label_store": LabelStoreResource(path=str(store.path))}
    with DagsterInstance.ephemeral() as instance:
        skipped = smart_labels_sensor(build_sensor_context(instance=instance, resources=resources))
        assert "no objects" in skipped.skip_message
        instance.report_runless_asset_event(AssetMaterialization("objects"))
        first = smart_labels_sensor(build_sensor_context(instance=instance, resources=resources))
        assert sorted(r.partition_key for r in first.run_requests) == ["is_container", "sharp"]
        assert first.dynamic_partitions_requests[0].partition_keys == ["is_container", "sharp"]
        quiet = smart_labels_sensor(build_sensor_context(instance=instance, cursor=first.cursor, resources=resources))
        assert quiet.run_requests == []
        store.add_label("req-label-0001", "sharp", "K0001", 1, "word-search")
        moved = smart_labels_sensor(build_sensor_context(instance=instance, cursor=quiet.cursor, resources=resources))
        assert [r.partition_key for r in moved.run_requests] == ["sharp"]
        assert json.loads(moved.cursor)["versions"]["sharp"] == store.get_property("sharp").version
