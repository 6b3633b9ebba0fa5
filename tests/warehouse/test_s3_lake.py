"""The lake's data files on S3 (an S3-compatible server on loopback), through DuckDB's packaged httpfs; with a local
SQLite catalog, and with the catalog on a real PostgreSQL server (the multi-machine layout)."""

import polars as pl

from emma_pipeline.warehouse.lake import Lake, LakeConfig


def test_versions_on_s3_with_local_catalog(tmp_path, s3_server):
    data = f"s3://{s3_server.bucket}/lake/"
    lake = Lake(LakeConfig(catalog=str(tmp_path / "catalog.sqlite"), data_path=data, s3=s3_server.options))
    first = lake.write_table("objects", pl.DataFrame({"asin": [f"A{i}" for i in range(20_000)]}))
    lake.write_table("objects", pl.DataFrame({"asin": ["B"]}))
    assert lake.read("objects")["asin"].to_list() == ["B"]
    assert lake.read("objects", version=first).height == 20_000
    keys = s3_server.keys()
    assert keys and all(k.startswith("lake/") and k.endswith(".parquet") for k in keys)


def test_postgres_catalog_with_data_on_s3(tmp_path, s3_server, pg_catalog):
    """Nothing on local disk: a second machine given the same two settings sees every version."""
    data = f"s3://{s3_server.bucket}/shared/"
    writer = Lake(LakeConfig(catalog=pg_catalog, data_path=data, s3=s3_server.options))
    first = writer.write_partition("listings", pl.DataFrame({"asin": [f"A{i}" for i in range(5_000)]}), "batch", "b1")
    writer.write_partition("listings", pl.DataFrame({"asin": [f"Z{i}" for i in range(50)]}), "batch", "b2")
    other_machine = Lake(LakeConfig(catalog=pg_catalog, data_path=data, s3=s3_server.options))
    counts = other_machine.query("SELECT batch, count(*) AS n FROM listings GROUP BY batch ORDER BY batch")
    assert counts.rows() == [("b1", 5_000), ("b2", 50)]
    assert other_machine.read("listings", version=first).height == 5_000
    assert [v for v in other_machine.versions("listings")["snapshot_id"]][0] == first
    keys = s3_server.keys()  # (writes under ~10 rows would be inlined in the catalog instead)
    assert len(keys) >= 2 and all(k.startswith("shared/") and k.endswith(".parquet") for k in keys)
    assert not any(tmp_path.iterdir()), "a PostgreSQL + S3 lake writes nothing locally"
