"""The whole asset graph materializes on a tiny sample, with its checks passing and rows accounted for."""

import numpy as np
import polars as pl
import pytest
from dagster import AssetCheckSeverity, DagsterInstance, Definitions, materialize

from assets import all_assets, all_checks
from assets.ingestion import ingest_assets
from assets.partitions import ingest_batches
from emma_pipeline.definitions import defs
from emma_pipeline.warehouse.lake import Lake, LakeConfig
from resources import build_resources
BATCH = "batch-0001"  # the conftest sample batch

pytestmark = pytest.mark.integration


def test_definitions_load():
    Definitions.validate_loadable(defs)
    groups = {spec.group_name for spec in defs.resolve_all_asset_specs()}
    assert {"ingestion", "quarantine", "join", "embeddings", "cleaning", "materials", "categories", "splits",
            "evaluation", "models", "fill_in", "fill_in_evaluation"} <= groups


@pytest.mark.timeout(3000)  # two model generations since the fill-in; 1,736 s measured with load ~44 on 2 cores
def test_ingest_then_downstream(settings, sample_home):
    _, summary = sample_home
    resources = build_resources(settings)
    with DagsterInstance.ephemeral() as instance:
        instance.add_dynamic_partitions(ingest_batches.name, [BATCH])
        ingested = materialize(ingest_assets, partition_key=BATCH, resources=resources, instance=instance)
        assert ingested.success
        checks = ingested.get_asset_check_evaluations()
        assert len(checks) == 3 and all(c.passed for c in checks)

        downstream = [a for a in all_assets if a not in ingest_assets]
        built = materialize(
            [*downstream, *ingest_assets, *all_checks], selection=[*downstream, *all_checks], resources=resources,
            instance=instance,
        )
        assert built.success
        evaluations = built.get_asset_check_evaluations()
        blocking = {c.asset_check_key.to_user_string() for c in evaluations if c.severity == AssetCheckSeverity.ERROR}
        assert {"joined_listings:asins_accounted_for", "objects:rows_accounted_for", "splits:covers_objects",
                "model_predictions:covers_objects_valid_probabilities", "model_metrics:one_row_per_key_covers_test_metrics",
                "filled_gen1:covers_objects_keeps_originals", "filled_gen2:covers_objects_keeps_originals",
                "dataset:covers_objects_keeps_originals", "object_scores:covers_judged_listings",
                "dedup_state:covers_joined_listings"} <= blocking  # fmt: skip
        # the evaluation targets warn (the tiny encoders do not reach them); every integrity check passes
        assert all(c.passed for c in evaluations if c.severity == AssetCheckSeverity.ERROR)
        joined_event = built.asset_materializations_for_node("asin_join")[0]
        assert "price_histogram" in joined_event.metadata and "log_mass_histogram" in joined_event.metadata

    lake = Lake(LakeConfig(catalog=settings.lake_catalog, data_path=settings.lake_data))
    objects = lake.read("joined_listings")
    removals = lake.read("join_removals")
    assert objects["asin"].is_unique().all()
    assert objects.height + removals.height == pl.concat(
        [lake.read(f"{s}_listings").select("asin") for s in ("ucsd", "image2mass", "aspa")]
    ).drop_nulls()["asin"].n_unique()
    # every malformed line the generator injected is in the quarantine table, none lost
    assert lake.read("quarantine").height == summary["malformed_total"]
    metrics = dict(lake.read("join_evaluation").iter_rows())
    assert metrics["hijack_recall"] >= 0.8
    assert metrics["clean_asins_wrongly_discarded"] <= 0.01 * objects.height

    cleaned = lake.read("objects")
    all_removals = lake.read("removals")
    assert cleaned.height + all_removals.filter(pl.col("stage") != "join").height == objects.height
    assert set(all_removals["stage"].unique()) <= {"join", "dedup", "filters"}
    assert lake.read("text_embeddings").height == objects.height
    assert lake.read("material_taxonomy").height == 182
    splits = lake.read("splits")
    assert sorted(splits["asin"].to_list()) == sorted(cleaned["asin"].to_list())
    assert set(splits["split"].unique()) <= {"train", "val", "test", "calibration"}
    quality = dict(lake.read("cleaning_evaluation").iter_rows())
    assert quality["dedup_precision"] >= 0.9
    # the table-wide cleaning values in one row beside the per-ASIN dedup_state, not on each of its rows
    assert lake.read("dedup_versions").height == 1 and "index_version" not in lake.read("dedup_state").columns

    embedded = lake.read("object_embeddings")
    assert sorted(embedded["asin"].to_list()) == sorted(cleaned["asin"].to_list())
    assert len(embedded["embedding"][0]) == 2048
    neighbors = lake.read("product_neighbors")
    assert (neighbors["asin"] != neighbors["neighbor_asin"]).all()
    assert neighbors.group_by("asin").len()["len"].max() <= 10
    assert set(neighbors["asin"]) == set(cleaned["asin"])
    search = lake.read("search_evaluation")
    assert set(search["embedding"]) == {"object_embedding", "text_pretrained", "image_pretrained"}
    assert set(search["k"]) == {1, 5, 10} and search["queries"].min() > 0
    # generation-1 models: one artifact per model, predictions for every object, metrics next to the baseline
    predictions = lake.read("model_predictions")
    assert set(predictions["model"].unique()) == {"text", "vision", "fusion_concat", "fusion_attention"}
    assert predictions.group_by("model").len()["len"].to_list() == [cleaned.height] * 4
    metrics = lake.read("model_metrics")
    assert {"mnre_mass", "f1_materials", "accuracy_category", "kl_ratings"} <= set(metrics["metric"].to_list())
    assert metrics["baseline"].null_count() == 0
    # fill-in: two generations, every object in the published table, original values untouched
    dataset = lake.read("dataset")
    assert sorted(dataset["asin"].to_list()) == sorted(cleaned["asin"].to_list())
    stated = dataset.join(cleaned.select("asin", "price_usd", "mass_kg"), on="asin")
    original = stated.filter(pl.col("price_source") == "original")
    assert original.height == stated["price_usd"].drop_nulls().len() and (original["price"] == original["price_usd"]).all()
    assert set(dataset["mass_source"]) <= {"original", "gen2"} and dataset["mass"].null_count() == 0
    assert set(lake.read("generation_metrics")["generation"]) == {1, 2}
    truth_scores = lake.read("fill_in_truth_evaluation")
    assert set(truth_scores["attribute"]) == {"price", "mass", "category", "materials"}

    # a later build embeds with the persisted model (the same vectors, no fit); refit_after_days=0 fits again
    version = embedded["model_version"][0]
    graph = [*downstream, *ingest_assets]
    with DagsterInstance.ephemeral() as instance:
        again = materialize(graph, selection=["object_embeddings"], resources=resources, instance=instance)
        event = again.asset_materializations_for_node("object_embeddings")[0]
        assert event.metadata["fitted_this_run"].value is False
        reused = lake.read("object_embeddings")
        assert reused["model_version"].unique().to_list() == [version]
        vectors = [np.asarray(t.sort("asin")["embedding"].to_list(), dtype=np.float32) for t in (reused, embedded)]
        np.testing.assert_allclose(vectors[0], vectors[1], atol=1e-5)
        refit = materialize(graph, selection=["object_embeddings"], resources=resources, instance=instance,
                            run_config={"ops": {"object_embeddings": {"config": {"refit_after_days": 0}}}})  # fmt: skip
        assert refit.asset_materializations_for_node("object_embeddings")[0].metadata["fitted_this_run"].value is True
        assert lake.read("object_embeddings")["model_version"][0] != version
