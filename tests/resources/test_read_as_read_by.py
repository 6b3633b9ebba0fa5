"""A check compares its asset with the input versions that asset was built from, not with whatever was committed
since: Dagster's ``dagster/input_event_pointer/<input>`` tag names the input event a materialization read."""

import polars as pl
import pytest
from dagster import (
    AssetIn, AssetKey, AssetSelection, DagsterInstance, DynamicPartitionsDefinition, asset, materialize,
)  # fmt: skip

from assets.splits import splits_cover_objects
from resources.lake import LakeResource
from resources.lake_io_manager import INPUT_POINTER_TAG, DuckLakeIOManager, read_as_read_by

batches = DynamicPartitionsDefinition(name="batches")


@pytest.fixture
def resources(tmp_path):
    lake = LakeResource(catalog=str(tmp_path / "catalog.sqlite"), data_path=str(tmp_path / "data"))
    return {"lake": lake, "io_manager": DuckLakeIOManager(lake_resource=lake)}


def _objects_asset(asins: list[str]):
    @asset(name="objects")
    def objects() -> pl.DataFrame:
        return pl.DataFrame({"asin": asins})

    return objects


@asset(name="splits")
def _splits(objects: pl.DataFrame) -> pl.DataFrame:
    return objects.with_columns(split=pl.lit("train"))


def test_a_batch_committed_between_a_step_and_its_check_does_not_fail_the_check(resources):
    with DagsterInstance.ephemeral() as instance:
        assert materialize([_objects_asset(["A1", "A2"]), _splits], resources=resources, instance=instance).success
        # a new batch adds an object after splits was built, before its check runs
        assert materialize([_objects_asset(["A1", "A2", "A3"])], resources=resources, instance=instance).success
        [event] = instance.fetch_materializations(AssetKey("splits"), limit=1).records
        assert INPUT_POINTER_TAG + "objects" in event.asset_materialization.tags  # this Dagster version records it
        run = materialize([_objects_asset([]), _splits, splits_cover_objects], resources=resources, instance=instance,
                          selection=AssetSelection.checks(splits_cover_objects))  # fmt: skip
        [check] = run.get_asset_check_evaluations()
        assert check.passed, check.metadata  # reading the newest objects, A3 would be "missing" from splits
        assert check.metadata["keys_in"].value == 2


def test_a_lost_split_row_still_fails_when_read_as_built(resources):
    @asset(name="splits")
    def lossy(objects: pl.DataFrame) -> pl.DataFrame:
        return objects.head(1).with_columns(split=pl.lit("train"))

    with DagsterInstance.ephemeral() as instance:
        run = materialize([_objects_asset(["A1", "A2"]), lossy, splits_cover_objects], resources=resources,
                          instance=instance, raise_on_error=False)  # fmt: skip
        [check] = run.get_asset_check_evaluations()
        assert not check.passed and "A2" in check.metadata["sample/missing"].value


def _listings_asset(rows: dict[str, list[str]]):
    @asset(name="listings", partitions_def=batches)
    def listings(context) -> pl.DataFrame:
        return pl.DataFrame({"asin": rows[context.partition_key]})

    return listings


@asset(name="joined", ins={"listings": AssetIn("listings")})
def _joined(listings: pl.DataFrame) -> pl.DataFrame:
    return listings.select("asin").unique()


@asset(name="published")
def _published(joined: pl.DataFrame) -> pl.DataFrame:
    return joined


def test_a_partitioned_input_is_read_per_batch_as_the_reader_saw_it_and_a_chain_is_followed(resources):
    first = {"b1": ["A1"], "b2": ["A2"]}
    later = {"b1": ["A1", "A9"], "b3": ["A3"]}
    with DagsterInstance.ephemeral() as instance:
        instance.add_dynamic_partitions("batches", ["b1", "b2", "b3"])
        for batch in ("b1", "b2"):
            assert materialize([_listings_asset(first)], partition_key=batch, resources=resources, instance=instance).success
        assert materialize([_listings_asset(first), _joined, _published], resources=resources, instance=instance,
                           selection=[_joined, _published]).success  # fmt: skip
        for batch in ("b1", "b3"):  # b1 re-ingested with another row, b3 new: both after joined read them
            assert materialize([_listings_asset(later)], partition_key=batch, resources=resources, instance=instance).success
        lake = resources["lake"].lake()
        as_read = read_as_read_by(lake, instance, "listings", "joined", ["asin"])["asin"].to_list()
        assert sorted(as_read) == ["A1", "A2"]
        through = read_as_read_by(lake, instance, "listings", ("published", "joined"), ["asin"])["asin"].to_list()
        assert sorted(through) == ["A1", "A2"]
        # not an input of the reader: the newest committed version, as before
        newest = read_as_read_by(lake, instance, "listings", "published", ["asin"])["asin"].to_list()
        assert sorted(newest) == ["A1", "A2", "A3", "A9"]
