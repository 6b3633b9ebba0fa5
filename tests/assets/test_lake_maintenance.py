"""The maintenance job expires unneeded snapshots but keeps those Dagster's latest materializations recorded."""

import polars as pl
import pytest
from dagster import DagsterInstance, asset, materialize

from assets.maintenance import lake_maintenance
from emma_pipeline.warehouse.lake import Lake, LakeConfig
from resources.lake import LakeResource
from resources.lake_io_manager import DuckLakeIOManager


@asset
def listings() -> pl.DataFrame:
    return pl.DataFrame({"asin": ["A"]})


def test_maintenance_keeps_recorded_and_pinned_snapshots(tmp_path):
    config = LakeConfig.under(tmp_path)
    lake_resource = LakeResource(catalog=config.catalog, data_path=config.data_path)
    lake = Lake(config)
    scratch = [lake.write_table("scratch", pl.DataFrame({"v": [v]})) for v in range(2)]
    with DagsterInstance.ephemeral() as instance:
        run = materialize([listings], resources={"io_manager": DuckLakeIOManager(lake_resource=lake_resource)},
                          instance=instance)  # fmt: skip
        recorded = run.get_asset_materialization_events()[0].materialization.metadata["lake_snapshot"].value
        later = [lake.write_table("scratch", pl.DataFrame({"v": [v]})) for v in range(2, 5)]
        result = lake_maintenance.execute_in_process(
            instance=instance, resources={"lake": lake_resource},
            run_config={"ops": {"expire_lake_snapshots": {"config": {"keep_last": 1, "keep_days": 0,
                                                                     "pinned": [scratch[1]]}}}},
        )  # fmt: skip
    assert result.success
    assert lake.read("listings", version=recorded)["asin"].to_list() == ["A"]
    assert lake.read("scratch", version=scratch[1])["v"].to_list() == [1]
    for gone in (scratch[0], later[0], later[1]):
        with pytest.raises(Exception, match="No snapshot found"):
            lake.read("scratch", version=gone)
    assert lake.read("scratch")["v"].to_list() == [4]
