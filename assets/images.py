"""Listing images behind http(s) URLs, fetched into the content-addressed image store, with a status per URL."""

import polars as pl
from dagster import (
    AssetCheckResult,
    AssetCheckSpec,
    AssetExecutionContext,
    MetadataValue,
    Output,
    asset,
)

from assets.metadata import counts_markdown
from emma_pipeline.images import fetch_urls, pending_urls, remote_refs, update_fetches
from resources.image_store import ImageStoreResource
from resources.lake import LakeResource

FETCH_CHECK = "urls_accounted_for"


@asset(
    group_name="images",
    kinds={"python", "duckdb"},
    check_specs=[
        AssetCheckSpec(
            FETCH_CHECK,
            asset="image_fetches",
            blocking=True,
            description="Every remote image URL of joined_listings has a status row (when fetching is enabled), "
            "and every image fetched OK in this run is in the store under its sha256 with the recorded size.",
        )
    ],
)
def image_fetches(
    context: AssetExecutionContext, joined_listings: pl.DataFrame, image_store: ImageStoreResource, lake: LakeResource
):
    """Per remote image reference: the latest fetch (status ok / http_error / timeout / too_large / error, HTTP
    status, sha256 and size of the bytes, error). Only references not yet fetched OK are requested."""
    refs = remote_refs(joined_listings["image_urls"].to_list())
    previous = lake.latest("image_fetches")
    config, store = image_store.fetch_config(), image_store.store()
    todo = pending_urls(refs, previous) if config.enabled else []
    if refs and not config.enabled:
        context.log.warning(f"image fetching is disabled: {len(refs):,} remote image URLs are not requested")
    elif todo:
        context.log.info(f"fetching {len(todo):,} image URLs into {store.root} (concurrency {config.concurrency})")
    outcomes = fetch_urls(todo, store, config, progress=True) if todo else []
    table = update_fetches(refs, previous, outcomes)

    current = table.join(pl.DataFrame({"url": refs}, schema={"url": pl.Utf8}), on="url", how="semi")
    yield Output(table, metadata={
        "remote_urls": len(refs), "requested": len(todo), "fetching_enabled": config.enabled,
        "requested_ok": sum(o.status == "ok" for o in outcomes),
        "bytes_fetched": sum(o.bytes or 0 for o in outcomes if o.status == "ok"),
        "status_of_current_urls": counts_markdown(current, "status"), "store": store.root,
    })  # fmt: skip
    missing_rows = len(refs) - current.height
    fresh_ok = [o for o in outcomes if o.status == "ok"]
    absent = [o.url for o in fresh_ok if store.size(o.content_hash) != o.bytes]
    yield AssetCheckResult(
        asset_key="image_fetches",
        check_name=FETCH_CHECK,
        passed=(missing_rows == 0 or not config.enabled) and not absent,
        metadata={"remote_urls": len(refs), "urls_without_status": missing_rows, "fetched_ok_now": len(fresh_ok),
                  "fetched_ok_but_not_in_store": MetadataValue.md(", ".join(absent[:5]) or "_none_")},
    )  # fmt: skip
