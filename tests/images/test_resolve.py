"""References to encoder inputs, and the cleaning reason of a listing whose images were not fetched."""

import numpy as np
import polars as pl

from emma_pipeline.cleaning.filters import FilterConfig, apply_filters
from emma_pipeline.images import (
    ImageStore, fetch_urls, listing_image_reason, pending_urls, resolve_images, update_fetches,
)  # fmt: skip

from .test_fetcher import FAST


def _objects(image_lists: dict[str, list[str] | None]) -> pl.DataFrame:
    n = len(image_lists)
    return pl.DataFrame(
        {
            "asin": list(image_lists), "title": [f"Steel kettle {i}" for i in range(n)], "image_urls": list(image_lists.values()),
            "mass_kg": [1.0] * n, "category_path": [["Kitchen"]] * n, "materials_raw": [None] * n,
            "dimensions_cm": [[10.0, 10.0, 10.0]] * n,
        },
        schema_overrides={"image_urls": pl.List(pl.Utf8), "materials_raw": pl.List(pl.Utf8)},
    )  # fmt: skip


def test_a_listing_with_only_failed_urls_is_removed_as_fetch_failed_not_as_no_image(image_server, tmp_path):
    store = ImageStore(str(tmp_path / "_images"))
    good, gone, cut = (image_server.url(p) for p in ("/ok.jpg", "/missing.jpg", "/truncated.jpg"))
    listings = {"fetched": [good], "failed": [gone, cut], "half": [good, gone], "none": None, "later": ["http://h/x.jpg"]}
    refs = [good, gone, cut]  # "later" was never requested (e.g. it arrived while fetching was disabled)
    fetches = update_fetches(refs, None, fetch_urls(pending_urls(refs, None), store, FAST))

    resolved = resolve_images(list(listings.values()), fetches, store)
    ok_hash = fetches.filter(pl.col("url") == good)["content_hash"].item()
    assert resolved.paths[0] == [store.path(ok_hash)] and resolved.paths[1] == [] and resolved.paths[4] == []
    assert resolved.fetch_reasons[1].startswith("image_fetch_failed: http_error 404 ")
    assert resolved.fetch_reasons[4] == "images_not_fetched: http://h/x.jpg"
    assert resolved.fetch_reasons[0] is None and resolved.fetch_reasons[3] is None

    embed_reasons = [None if paths else "no_images" for paths in resolved.paths]  # the encoder's contract
    reasons = [listing_image_reason(r, f, len(p), n) for r, f, p, n in
               zip(embed_reasons, resolved.fetch_reasons, resolved.paths, resolved.references)]  # fmt: skip
    assert reasons[2].startswith("partial_images: 1/2 embedded; image_fetch_failed")
    image_ok = np.array([r is None or r.startswith("partial_images") for r in reasons])
    text = np.eye(5, 8, dtype=np.float32)
    result = apply_filters(_objects(listings), text, text, image_ok, image_reasons=reasons)

    removed = dict(zip(result.removals["asin"], result.removals["reason"]))
    assert removed == {"failed": "image_fetch_failed", "none": "no_image", "later": "images_not_fetched"}
    detail = result.removals.filter(pl.col("asin") == "failed")["detail"].item()
    assert "404" in detail and gone in detail
    assert sorted(result.kept["asin"]) == ["fetched", "half"]

    text_only = apply_filters(_objects(listings), text, text, image_ok, FilterConfig(require_images=False),
                              image_reasons=reasons)  # fmt: skip
    assert text_only.removals.height == 0 and text_only.kept.height == len(listings)


def test_the_cache_key_changes_when_a_failed_url_is_fetched_later(image_server, tmp_path):
    store = ImageStore(str(tmp_path / "_images"))
    url = image_server.url("/ok.jpg")
    before = resolve_images([[url]], update_fetches([url], None, []), store)
    fetched = update_fetches([url], None, fetch_urls([url], store, FAST))
    after = resolve_images([[url]], fetched, store)
    assert before.keys != after.keys and after.keys[0][0].startswith("sha256:")
    local = resolve_images([["/data/a.jpg"]], fetched, store)
    assert local.paths == [["/data/a.jpg"]] and local.fetch_reasons == [None]
