"""The ingestion assets write a batch through Parquet chunks: the lake then holds exactly the parser's rows, each
output is one snapshot, a re-run replaces its partition, and the accounting check passes."""

from __future__ import annotations

import polars as pl
from dagster import DagsterInstance, materialize
from polars.testing import assert_frame_equal

from assets.ingestion import ingest_assets
from assets.partitions import ingest_batches
from emma_pipeline.sample import generate_sample
from emma_pipeline.sources.batch import parse_source_batch
from emma_pipeline.warehouse.lake import Lake, LakeConfig
from emma_pipeline.warehouse.parquet_table import ParquetTableWriter
from resources.lake import LakeResource
from resources.lake_io_manager import DuckLakeIOManager
from resources.landing_zone import LandingZone


def test_a_parquet_table_is_one_snapshot_equal_to_the_frame_write(tmp_path):
    lake = Lake(LakeConfig.under(tmp_path / "lake"))
    frames = [pl.DataFrame({"asin": ["A", "B"], "n": [1, 2]}), pl.DataFrame({"asin": ["C"], "n": [3]})]
    writer = ParquetTableWriter(tmp_path / "t.parquet", frames[0].schema)
    for frame in frames:
        writer.write(frame)
    table = writer.close()
    first = lake.write_partition("t", table, "batch", "b1")
    second = lake.write_partition("t", table, "batch", "b1")  # a re-run replaces its partition
    lake.write_partition("frames", pl.concat(frames), "batch", "b1")
    assert table.row_count == 3 and second == first + 1  # one snapshot per write
    assert lake.versions("t")["snapshot_id"].to_list()[-2:] == [first, second]
    assert_frame_equal(lake.read("t").sort("asin"), lake.read("frames").sort("asin"))


def test_ingestion_assets_store_the_parsers_rows_and_pass_the_check(tmp_path):
    generate_sample(tmp_path, n_listings=120, seed=5, batch="b1", images=False)
    landing = tmp_path / "landing"
    config = LakeConfig.under(tmp_path)
    resources = {
        "io_manager": DuckLakeIOManager(lake_resource=LakeResource(catalog=config.catalog, data_path=config.data_path)),
        "landing": LandingZone(root=str(landing)),
    }
    with DagsterInstance.ephemeral() as instance:
        instance.add_dynamic_partitions(ingest_batches.name, ["b1"])
        result = materialize(ingest_assets, partition_key="b1", resources=resources, instance=instance)
        assert result.success
        checks = result.get_asset_check_evaluations()
    assert checks and all(c.passed for c in checks)
    lake = Lake(config)
    for source in ("ucsd", "image2mass", "aspa"):
        expected = parse_source_batch(source, landing / "b1", progress=False)
        order = ["file", "line", "asin"]
        stored = lake.read(f"{source}_listings")
        assert_frame_equal(stored.drop("batch").sort(order), expected.listings.sort(order), check_dtypes=False)
        quarantine = lake.read(f"{source}_quarantine").drop("batch")
        order = ["file", "line", "offset", "reason"]
        assert_frame_equal(quarantine.sort(order), expected.quarantine.sort(order), check_dtypes=False)
        assert set(stored["batch"]) == {"b1"} and stored.height > 0
