"""Real UCSD records, parsed in place, their image URLs pointed at the loopback server: URL -> full-size
request -> stored by content -> embedded. (There is no internet here; the path layout is kept, only the host
changes.)"""

import re
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from emma_pipeline.encoders.image_encoder import ImageEncoder
from emma_pipeline.images import ImageStore, fetch_urls, listing_image_reason, pending_urls, remote_refs
from emma_pipeline.images import resolve_images, update_fetches
from emma_pipeline.join.asin_join import join_listings
from emma_pipeline.sources.ucsd import parse_ucsd_file

from .test_fetcher import FAST

REAL = Path(__file__).resolve().parents[3] / "shared" / "data" / "real"
FILES = [
    REAL / "ucsd2018_appliances_sample_CR3A7OR" / "meta_Appliances.json",  # 2018: image / imageURLHighRes
    REAL / "ucsd2023_health_personal_care_meta_shalinanvai" / "meta_Health_and_Personal_Care.jsonl",  # 2023 images[]
]

pytestmark = pytest.mark.real_data


def test_real_ucsd_urls_are_fetched_full_size_and_embedded(image_server, tmp_path):
    if not all(f.exists() for f in FILES):
        pytest.skip("../shared/data/real not present (a user's own clone)")
    parsed = [parse_ucsd_file(f).listings for f in FILES]
    sample = pl.concat([p.filter(pl.col("image_urls").list.len() > 0).head(2) for p in parsed], how="diagonal_relaxed")
    raw = [u for urls in sample["image_urls"].to_list() for u in urls]
    assert all(u.startswith("https://") for u in raw) and any("._" in u for u in raw)  # real thumbnails
    to_loopback = pl.col("image_urls").list.eval(pl.element().str.replace(r"^https?://[^/]+", image_server.base))
    joined = join_listings(sample.with_columns(to_loopback)).objects

    store = ImageStore(str(tmp_path / "_images"))
    refs = remote_refs(joined["image_urls"].to_list())
    fetches = update_fetches(refs, None, fetch_urls(pending_urls(refs, None), store, FAST))

    assert set(fetches["status"]) == {"ok"}
    requested = set(image_server.hits)
    assert requested and all(re.fullmatch(r"/images/I/[^./]+\.(jpg|png|gif)", p) for p in requested)
    ids = {re.search(r"/images/I/([^./]+)", u)[1] for u in raw}
    assert {re.search(r"/images/I/([^./]+)", p)[1] for p in requested} == ids  # every picture, once, full size
    resolved = resolve_images(joined["image_urls"].to_list(), fetches, store)
    vectors, reasons = ImageEncoder().encode_listings(resolved.paths)
    reasons = [listing_image_reason(r, f, len(p), n) for r, f, p, n in
               zip(reasons, resolved.fetch_reasons, resolved.paths, resolved.references)]  # fmt: skip
    assert reasons == [None] * joined.height
    assert vectors.shape == (joined.height, 1280) and np.isfinite(vectors).all() and (np.abs(vectors).sum(1) > 0).all()
