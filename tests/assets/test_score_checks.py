"""object_scores, dedup_state (with dedup_versions) and smart_labels (per property) checks read the committed rows back and fail on a
corrupted table. Tiny stand-in assets under the real names feed the real checks."""

import polars as pl
import pytest
from dagster import AssetIn, DagsterInstance, MaterializeResult, Output, asset, materialize

from assets.cleaning import dedup_state_covers_joined, object_scores_cover_judged
from assets.smart_label_partitions import smart_label_properties, write_property
from assets.smart_labels import smart_labels_cover_objects
from resources.lake import LakeResource
from resources.lake_io_manager import DuckLakeIOManager

JOINED = ["A1", "A2", "A3", "A4"]  # A3 removed by a filter, A4 by dedup (never scored)
OBJECTS = ["A1", "A2"]


@pytest.fixture
def resources(tmp_path):
    lake = LakeResource(catalog=str(tmp_path / "catalog.sqlite"), data_path=str(tmp_path / "data"))
    return {"lake": lake, "io_manager": DuckLakeIOManager(lake_resource=lake)}


def _cleaning_graph(scored: list[str], state_asins: list[str], versions: list[str] = ("v1",)):
    @asset(name="joined_listings")
    def joined_listings() -> pl.DataFrame:
        return pl.DataFrame({"asin": JOINED})

    @asset(name="objects", deps=[joined_listings])
    def objects() -> pl.DataFrame:
        return pl.DataFrame({"asin": OBJECTS})

    @asset(name="removals", deps=[joined_listings])
    def removals() -> pl.DataFrame:
        return pl.DataFrame({"asin": ["A3", "A4"], "stage": ["filters", "dedup"]})

    @asset(name="object_scores", deps=[joined_listings])
    def object_scores() -> pl.DataFrame:
        return pl.DataFrame({"asin": scored, "non_physical_probability": [0.1] * len(scored)})

    @asset(name="dedup_state", ins={"joined_listings": AssetIn("joined_listings")})
    def dedup_state(joined_listings: pl.DataFrame) -> pl.DataFrame:
        return pl.DataFrame({"asin": state_asins, "text_hash": "t"})

    @asset(name="dedup_versions", deps=[joined_listings])
    def dedup_versions():
        rows = pl.DataFrame({"key": "cleaning", "index_version": list(versions)}, schema_overrides={"key": pl.Utf8})
        return Output(rows, metadata={"index_version": "v1"})

    return [joined_listings, objects, removals, object_scores, dedup_state, dedup_versions]


CHECKS = [object_scores_cover_judged, dedup_state_covers_joined]


def _evaluations(run) -> dict[str, object]:
    return {c.asset_check_key.to_user_string(): c for c in run.get_asset_check_evaluations()}


def test_scores_of_every_judged_listing_and_state_of_every_joined_one_pass(resources):
    run = materialize([*_cleaning_graph(["A1", "A2", "A3"], JOINED), *CHECKS], resources=resources)
    assert all(c.passed for c in _evaluations(run).values()) and len(_evaluations(run)) == 2


def test_a_duplicated_score_and_a_lost_state_row_fail(resources):
    run = materialize([*_cleaning_graph(["A1", "A2", "A3", "A3"], JOINED[:-1]), *CHECKS], resources=resources,
                      raise_on_error=False)  # fmt: skip
    checks = _evaluations(run)
    scores = checks["object_scores:covers_judged_listings"]
    assert not scores.passed and "A3" in scores.metadata["sample/rows/repeated"].value
    state = checks["dedup_state:covers_joined_listings"]
    assert not state.passed and "A4" in state.metadata["sample/rows/missing"].value


@pytest.mark.parametrize("versions, offence", [(["v2"], "index_version_not_recorded"), (["v1", "v1"], "version_rows_not_one")])
def test_a_versions_row_naming_another_index_or_a_second_row_fails(resources, versions, offence):
    run = materialize([*_cleaning_graph(["A1", "A2", "A3"], JOINED, versions), *CHECKS], resources=resources,
                      raise_on_error=False)  # fmt: skip
    state = _evaluations(run)["dedup_state:covers_joined_listings"]
    assert not state.passed and state.metadata[f"versions/{offence}"].value >= 1


def _smart_label_graph(probabilities: list[float]):
    @asset(name="objects")
    def objects() -> pl.DataFrame:
        return pl.DataFrame({"asin": OBJECTS})

    @asset(name="smart_labels", partitions_def=smart_label_properties, ins={"objects": AssetIn("objects")})
    def smart_labels(context, objects: pl.DataFrame, lake: LakeResource) -> MaterializeResult:
        frame = pl.DataFrame({"object_id": objects["asin"], "property": context.partition_key,
                              "probability": probabilities})  # fmt: skip
        return MaterializeResult(metadata={"lake_snapshot": write_property(lake, "smart_labels", frame, context.partition_key)})

    return [objects, smart_labels]


@pytest.mark.parametrize("probabilities, passed", [([0.2, 0.9], True), ([0.2, 1.2], False)])
def test_a_probability_outside_0_1_fails_the_property_check(resources, probabilities, passed):
    objects, smart_labels = _smart_label_graph(probabilities)
    with DagsterInstance.ephemeral() as instance:
        instance.add_dynamic_partitions(smart_label_properties.name, ["is_container"])
        assert materialize([objects], resources=resources, instance=instance).success
        run = materialize([objects, smart_labels, smart_labels_cover_objects], selection=[smart_labels, smart_labels_cover_objects],
                          partition_key="is_container", resources=resources, instance=instance, raise_on_error=False)  # fmt: skip
    [check] = run.get_asset_check_evaluations()
    assert check.passed is passed
    assert check.metadata["rows/keys_in"].value == 2
    if not passed:
        assert "A2" in check.metadata["sample/values/probability_out_of_range"].value
