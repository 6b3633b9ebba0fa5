"""The ingestion assets write a batch through Parquet chunks: the lake then holds exactly the parser's rows, each
output is one snapshot, a re-run replaces its partition, and the accounting check passes (and fails when it should)."""

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


def _resources(config: LakeConfig, landing) -> dict:
    lake = LakeResource(catalog=config.catalog, data_path=config.data_path)
    return {"io_manager": DuckLakeIOManager(lake_resource=lake), "lake": lake, "landing": LandingZone(root=str(landing))}


def test_ingestion_assets_store_the_parsers_rows_and_pass_the_check(tmp_path):
    generate_sample(tmp_path, n_listings=120, seed=5, batch="b1", images=False)
    landing = tmp_path / "landing"
    config = LakeConfig.under(tmp_path)
    resources = _resources(config, landing)
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


def test_a_record_the_lake_does_not_hold_fails_the_blocking_check_naming_the_file(tmp_path, monkeypatch):
    """The check compares the independent per-file tally with the rows read back from the lake: one record more in
    a raw file than in the committed tables fails it, and a failed blocking check fails the run."""
    import assets.ingestion as ingestion
    from emma_pipeline.sources.record_count import count_records_by_file

    generate_sample(tmp_path, n_listings=40, seed=5, batch="b1", images=False)
    landing = tmp_path / "landing"

    def one_more(source, batch_dir):
        counted = count_records_by_file(source, batch_dir)
        first = sorted(counted)[0]
        return {**counted, first: counted[first] + 1}

    monkeypatch.setattr(ingestion, "count_records_by_file", one_more)
    with DagsterInstance.ephemeral() as instance:
        instance.add_dynamic_partitions(ingest_batches.name, ["b1"])
        ucsd = [a for a in ingest_assets if a.node_def.name == "ingest_ucsd"]
        result = materialize(ucsd, partition_key="b1", resources=_resources(LakeConfig.under(tmp_path), landing),
                             instance=instance, raise_on_error=False)  # fmt: skip
    [check] = result.get_asset_check_evaluations()
    assert not check.passed and not result.success
    assert check.metadata["files_miscounted"].value == 1
    assert "counted" in check.metadata["sample/files_miscounted"].value
