"""Inputs are read at the lake snapshot their upstream materialization recorded, not at the newest version."""

import polars as pl
from dagster import DagsterInstance, StaticPartitionsDefinition, asset, materialize

from emma_pipeline.warehouse.lake import Lake, LakeConfig
from resources.lake import LakeResource
from resources.lake_io_manager import DuckLakeIOManager

BATCHES = StaticPartitionsDefinition(["b1", "b2"])


@asset
def listings() -> pl.DataFrame:
    return pl.DataFrame({"asin": ["A", "B"], "version": [1, 1]})


@asset(partitions_def=BATCHES)
def raw(context) -> pl.DataFrame:
    return pl.DataFrame({"asin": [f"{context.partition_key}-1"], "version": [1]})


@asset
def seen(listings: pl.DataFrame, raw: pl.DataFrame) -> pl.DataFrame:
    """What a downstream step loaded: both inputs' rows, tagged by table."""
    return pl.concat([listings.with_columns(table=pl.lit("listings")),
                      raw.select("asin", "version").with_columns(table=pl.lit("raw"))])  # fmt: skip


def test_a_newer_version_committed_after_the_recorded_materialization_is_not_read(tmp_path):
    config = LakeConfig.under(tmp_path)
    resources = {"io_manager": DuckLakeIOManager(lake_resource=LakeResource(catalog=config.catalog,
                                                                            data_path=config.data_path))}  # fmt: skip
    lake = Lake(config)
    with DagsterInstance.ephemeral() as instance:
        assert materialize([listings], resources=resources, instance=instance).success
        for batch in ("b1", "b2"):
            assert materialize([raw], partition_key=batch, resources=resources, instance=instance).success
        # another run commits newer versions that Dagster has not recorded (yet): a half-finished rebuild
        lake.write_table("listings", pl.DataFrame({"asin": ["A", "B", "C"], "version": [2, 2, 2]}))
        lake.write_partition("raw", pl.DataFrame({"asin": ["b1-2"], "version": [2]}), "batch", "b1")

        assert materialize([listings, raw, seen], selection=[seen], resources=resources, instance=instance).success
    loaded = lake.read("seen")
    assert loaded.filter(pl.col("table") == "listings")["version"].to_list() == [1, 1]
    assert sorted(loaded.filter(pl.col("table") == "raw")["asin"]) == ["b1-1", "b2-1"]


def test_without_a_recorded_materialization_the_newest_version_is_read(tmp_path):
    config = LakeConfig.under(tmp_path)
    resources = {"io_manager": DuckLakeIOManager(lake_resource=LakeResource(catalog=config.catalog,
                                                                            data_path=config.data_path))}  # fmt: skip
    lake = Lake(config)
    lake.write_table("listings", pl.DataFrame({"asin": ["A"], "version": [3]}))
    lake.write_partition("raw", pl.DataFrame({"asin": ["b2-3"], "version": [3]}), "batch", "b2")
    with DagsterInstance.ephemeral() as instance:
        assert materialize([listings, raw, seen], selection=[seen], resources=resources, instance=instance).success
    assert lake.read("seen")["version"].to_list() == [3, 3]


def test_a_keyed_update_replaces_only_its_rows_and_records_the_table_size(tmp_path):
    from emma_pipeline.warehouse.keyed_update import KeyedUpdate

    config = LakeConfig.under(tmp_path)
    resources = {"io_manager": DuckLakeIOManager(lake_resource=LakeResource(catalog=config.catalog,
                                                                            data_path=config.data_path))}  # fmt: skip
    lake = Lake(config)
    lake.write_table("prices", pl.DataFrame({"asin": ["A", "B", "C"], "price": [1.0, 2.0, 3.0]}))

    @asset
    def prices():
        return KeyedUpdate(pl.DataFrame({"asin": ["B", "D"], "price": [20.0, 4.0]}), deleted=["C"])

    with DagsterInstance.ephemeral() as instance:
        result = materialize([prices], resources=resources, instance=instance)
    assert lake.read("prices").sort("asin").to_dicts() == [
        {"asin": "A", "price": 1.0}, {"asin": "B", "price": 20.0}, {"asin": "D", "price": 4.0},
    ]  # fmt: skip
    metadata = result.asset_materializations_for_node("prices")[0].metadata
    assert (metadata["row_count"].value, metadata["rows_updated"].value, metadata["rows_deleted"].value) == (3, 2, 1)
