"""``image_fetches`` and ``image_embeddings`` materialized through Dagster against the loopback server:
disabled -> nothing requested and listings marked ``images_not_fetched``; enabled -> statuses, embeddings of
the fetched bytes; a re-run requests only the failed URL."""

import numpy as np
import polars as pl
import pytest
from dagster import AssetSpec, DagsterInstance, materialize

from assets.embeddings import image_embeddings
from assets.images import image_fetches
from emma_pipeline.encoders.image_encoder import ImageEncoder
from emma_pipeline.warehouse.lake import Lake, LakeConfig
from resources import DuckLakeIOManager, ImageEncoderResource, ImageStoreResource, LakeResource

from .conftest import CAP, picture

pytestmark = pytest.mark.integration
_ENCODER = ImageEncoder()  # loaded on first use, then shared by the three materializations


class SharedEncoder(ImageEncoderResource):
    def get(self) -> ImageEncoder:
        return _ENCODER


@pytest.fixture
def lake_home(tmp_path, image_server):
    config = LakeConfig.under(tmp_path)
    local = tmp_path / "local.png"
    local.write_bytes(picture("local"))
    joined = pl.DataFrame(
        {
            "asin": ["A", "B", "C"],
            "image_urls": [
                [image_server.url("/images/I/51abc._SS40_.jpg"), image_server.url("/missing.jpg")],
                [image_server.url("/truncated.jpg")],
                [str(local)],
            ],
        }
    )
    Lake(config).write_table("joined_listings", joined, "test fixture")
    return tmp_path, config


def _resources(home, config: LakeConfig, enabled: bool) -> dict:
    lake = LakeResource(catalog=config.catalog, data_path=config.data_path)
    store = ImageStoreResource(
        root=str(home / "landing" / "_images"), fetch_enabled=enabled, read_timeout=0.3, connect_timeout=1.0,
        max_bytes=CAP, retries=1, backoff_seconds=0.01, per_host_rate=0,
    )  # fmt: skip
    return {"io_manager": DuckLakeIOManager(lake_resource=lake), "lake": lake, "image_store": store,
            "image_encoder": SharedEncoder()}  # fmt: skip


def _build(home, config, enabled):
    with DagsterInstance.ephemeral() as instance:
        result = materialize(
            [AssetSpec("joined_listings"), image_fetches, image_embeddings], selection=[image_fetches, image_embeddings],
            resources=_resources(home, config, enabled), instance=instance,
        )  # fmt: skip
    assert result.success and all(c.passed for c in result.get_asset_check_evaluations())
    lake = Lake(config)
    reasons = dict(lake.read("image_embeddings").select("asin", "reason").iter_rows())
    return result, lake, reasons


def test_fetch_then_embed_incrementally(lake_home, image_server):
    home, config = lake_home

    _, lake, reasons = _build(home, config, enabled=False)
    assert image_server.hits == {} and lake.read("image_fetches").height == 0
    assert reasons["A"].startswith("images_not_fetched: ") and reasons["B"].startswith("images_not_fetched: ")
    assert reasons["C"] is None  # local files need no fetch

    result, lake, reasons = _build(home, config, enabled=True)
    fetches = lake.read("image_fetches")
    assert dict(zip(fetches["normalized_url"].str.replace(image_server.base, ""), fetches["status"])) == {
        "/images/I/51abc.jpg": "ok", "/missing.jpg": "http_error", "/truncated.jpg": "error"}  # fmt: skip
    assert reasons["A"].startswith("partial_images: 1/2 embedded; image_fetch_failed: http_error 404")
    assert reasons["B"].startswith("image_fetch_failed: error ")
    embeddings = lake.read("image_embeddings").sort("asin")
    vectors = np.stack(embeddings["embedding"].to_numpy())
    assert np.abs(vectors[0]).sum() > 0 and not vectors[1].any() and np.abs(vectors[2]).sum() > 0
    ok = fetches.filter(pl.col("status") == "ok")
    store_file = home / "landing" / "_images" / ok["content_hash"][0][:2] / ok["content_hash"][0]
    assert store_file.read_bytes() == picture("/images/I/51abc.jpg")

    hits = dict(image_server.hits)
    result, lake, _ = _build(home, config, enabled=True)
    fetched = result.asset_materializations_for_node("image_fetches")[0].metadata
    assert fetched["requested"].value == 2  # the two failures are retried; the OK image is not requested again
    assert image_server.hits["/images/I/51abc.jpg"] == hits["/images/I/51abc.jpg"] == 1
    assert image_server.hits["/missing.jpg"] == hits["/missing.jpg"] + 1
    computed = result.asset_materializations_for_node("image_embeddings")[0].metadata["computed"].value
    # the retried fetches failed again, so no listing's input changed: A (partial), B and C all come from the cache
    # (a fetch that succeeds changes the listing's key: sha256 instead of the failed status)
    assert computed == 0
