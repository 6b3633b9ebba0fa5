"""The lake's data files on S3 (an S3-compatible server on loopback), through DuckDB's packaged httpfs."""

import polars as pl
import pytest

from emma_pipeline.warehouse.lake import Lake, LakeConfig

moto_server = pytest.importorskip("moto.server", reason="moto (test extra) provides the local S3 server")
boto3 = pytest.importorskip("boto3")


@pytest.fixture
def s3_endpoint():
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    client = boto3.client("s3", endpoint_url=f"http://{host}:{port}", aws_access_key_id="test",
                          aws_secret_access_key="test", region_name="us-east-1")  # fmt: skip
    client.create_bucket(Bucket="emma")
    yield f"{host}:{port}", client
    server.stop()


def test_versions_on_s3_with_local_catalog(tmp_path, s3_endpoint):
    endpoint, client = s3_endpoint
    s3 = {"key_id": "test", "secret": "test", "region": "us-east-1", "endpoint": endpoint, "url_style": "path",
          "use_ssl": "false"}  # fmt: skip
    lake = Lake(LakeConfig(catalog=str(tmp_path / "catalog.sqlite"), data_path="s3://emma/lake/", s3=s3))
    first = lake.write_table("objects", pl.DataFrame({"asin": [f"A{i}" for i in range(20_000)]}))
    lake.write_table("objects", pl.DataFrame({"asin": ["B"]}))
    assert lake.read("objects")["asin"].to_list() == ["B"]
    assert lake.read("objects", version=first).height == 20_000
    keys = [o["Key"] for o in client.list_objects_v2(Bucket="emma")["Contents"]]
    assert keys and all(k.startswith("lake/") and k.endswith(".parquet") for k in keys)
