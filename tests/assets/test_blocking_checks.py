"""A failing blocking check stops the batch: downstream assets do not materialize in the same run, and the
project's automation policy does not request them on the next tick. A tiny graph around the real ``splits`` check."""

import polars as pl
import pytest
from dagster import AssetSelection, DagsterInstance, Definitions, asset, evaluate_automation_conditions, materialize

from assets.splits import splits_cover_objects
from emma_pipeline.definitions import AUTOMATION
from resources.lake import LakeResource
from resources.lake_io_manager import DuckLakeIOManager

OBJECTS = ["A1", "A2", "A3"]


def _graph(split_asins: list[str]):
    @asset(name="objects")
    def objects() -> pl.DataFrame:
        return pl.DataFrame({"asin": OBJECTS})

    @asset(name="splits", deps=[objects])
    def splits() -> pl.DataFrame:
        return pl.DataFrame({"asin": split_asins, "split": "train"})

    @asset(deps=[splits], automation_condition=AUTOMATION)
    def trained_on_splits() -> None:
        return None

    return [objects, splits, trained_on_splits]


@pytest.fixture
def resources(tmp_path):
    lake = LakeResource(catalog=str(tmp_path / "catalog.sqlite"), data_path=str(tmp_path / "data"))
    return {"lake": lake, "io_manager": DuckLakeIOManager(lake_resource=lake)}


def _build_then_tick(split_asins: list[str], resources, downstream_in_run: bool = True):
    """Materialize objects, splits and its check (and downstream, if asked and the check lets it), with an
    automation tick before and after, as the sensor would; returns the run and the second tick's requests."""
    graph = _graph(split_asins)
    defs = Definitions(assets=graph, asset_checks=[splits_cover_objects], resources=resources)
    downstream = AssetSelection.assets("trained_on_splits")
    with DagsterInstance.ephemeral() as instance:
        before = evaluate_automation_conditions(defs, instance, asset_selection=downstream)
        targets = [*(graph if downstream_in_run else graph[:2]), splits_cover_objects]
        run = materialize(targets, resources=resources, instance=instance, raise_on_error=False)
        after = evaluate_automation_conditions(defs, instance, asset_selection=downstream, cursor=before.cursor)
    return run, after.total_requested


def test_a_duplicated_split_row_fails_the_check_and_stops_everything_downstream(resources):
    run, requested = _build_then_tick(["A1", "A2", "A3", "A3"], resources)
    [check] = run.get_asset_check_evaluations()
    assert not check.passed
    assert check.metadata["repeated"].value == 1 and "A3" in check.metadata["sample/repeated"].value
    built = {e.asset_key.to_user_string() for e in run.get_asset_materialization_events()}
    assert built == {"objects", "splits"}  # the broken table was committed, and the run stopped there
    assert requested == 0  # nor does automation carry it downstream afterwards


def test_a_split_row_per_object_passes_and_automation_carries_it_downstream(resources):
    run, requested = _build_then_tick(OBJECTS, resources, downstream_in_run=False)
    assert run.success and all(c.passed for c in run.get_asset_check_evaluations())
    assert requested == 1
