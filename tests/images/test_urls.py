"""Thumbnail URLs become the full image; other URLs and files are left alone; Python and polars agree."""

import json
from pathlib import Path

import polars as pl
import pytest

from emma_pipeline.images import is_remote, normalize_image_url, normalized_url_expr

REAL = Path(__file__).resolve().parents[3] / "shared" / "data" / "real"

CASES = {
    # the real shapes seen in the UCSD 2018 / 2023 samples and scraped catalog records
    "https://images-na.ssl-images-amazon.com/images/I/51abc._SS40_.jpg": "https://images-na.ssl-images-amazon.com/images/I/51abc.jpg",
    "https://images-na.ssl-images-amazon.com/images/I/51PvoOANRZL._SX38_SY50_CR,0,0,38,50_.jpg": "https://images-na.ssl-images-amazon.com/images/I/51PvoOANRZL.jpg",
    "https://images-na.ssl-images-amazon.com/images/I/31cvqMhdG2L._SR80,60_.jpg": "https://images-na.ssl-images-amazon.com/images/I/31cvqMhdG2L.jpg",
    "https://m.media-amazon.com/images/I/41ad7xYaIkL._AC_US40_.jpg": "https://m.media-amazon.com/images/I/41ad7xYaIkL.jpg",
    "https://m.media-amazon.com/images/I/71Qkm9ijF5L._AC_SL1500_.jpg": "https://m.media-amazon.com/images/I/71Qkm9ijF5L.jpg",
    "https://m.media-amazon.com/images/I/410Xmm+RLgL._SS50_.jpg": "https://m.media-amazon.com/images/I/410Xmm+RLgL.jpg",
    "https://images-na.ssl-images-amazon.com/images/I/41mc9%2BITupL._AC_SX150_SY75_CR,0,0,150,75_.jpg": "https://images-na.ssl-images-amazon.com/images/I/41mc9%2BITupL.jpg",
    "https://m.media-amazon.com/images/I/61Qv38mP-7L._AC_US40_.png": "https://m.media-amazon.com/images/I/61Qv38mP-7L.png",
    "https://m.media-amazon.com/images/I/61abc.__AC_SR160,160__.jpg": "https://m.media-amazon.com/images/I/61abc.jpg",
    "https://m.media-amazon.com/images/I/61abc._SY88.jpg": "https://m.media-amazon.com/images/I/61abc.jpg",
    "https://images-na.ssl-images-amazon.com/images/P/B004W8D0Y4.01._SS200_SCLZZZZZZZ_.jpg": "https://images-na.ssl-images-amazon.com/images/P/B004W8D0Y4.01.jpg",
    "http://127.0.0.1:8080/images/I/51abc._SS40_.jpg?x=1": "http://127.0.0.1:8080/images/I/51abc.jpg?x=1",
    # unchanged: already full size, not the CDN layout, local files
    "https://m.media-amazon.com/images/I/41ZQPVoZBEL.jpg": "https://m.media-amazon.com/images/I/41ZQPVoZBEL.jpg",
    "https://example.com/photos/a._v2_.jpg": "https://example.com/photos/a._v2_.jpg",
    "https://example.com/images/a.b.c.jpg": "https://example.com/images/a.b.c.jpg",
    "/data/landing/b1/images/I/a._SS40_.jpg": "/data/landing/b1/images/I/a._SS40_.jpg",
    "s3://bucket/images/I/a._SS40_.jpg": "s3://bucket/images/I/a._SS40_.jpg",
}  # fmt: skip


@pytest.mark.parametrize("url", list(CASES))
def test_normalize(url):
    assert normalize_image_url(url) == CASES[url]


def test_polars_expression_matches_python():
    urls = [*CASES, None, "  https://m.media-amazon.com/images/I/x._SS40_.jpg "]
    got = pl.DataFrame({"u": urls}).select(normalized_url_expr(pl.col("u")))["u"].to_list()
    assert got[: len(CASES)] == list(CASES.values())
    assert got[-2:] == [None, "https://m.media-amazon.com/images/I/x.jpg"]


def test_is_remote():
    assert is_remote("https://a/b.jpg") and is_remote("HTTP://a/b.jpg")
    assert not is_remote("/tmp/a.jpg") and not is_remote("s3://b/a.jpg") and not is_remote(None)


@pytest.mark.real_data
def test_every_real_ucsd_image_url_normalizes_identically_in_python_and_polars():
    sample = REAL / "ucsd2023_health_personal_care_meta_shalinanvai" / "meta_Health_and_Personal_Care.jsonl"
    if not sample.exists():
        pytest.skip("../shared/data/real not present (a user's own clone)")
    urls = []
    with sample.open() as lines:
        for _, line in zip(range(500), lines):
            for image in json.loads(line).get("images") or []:
                urls += [u for u in image.values() if isinstance(u, str)]
    got = pl.DataFrame({"u": urls}).select(normalized_url_expr(pl.col("u")))["u"].to_list()
    assert got == [normalize_image_url(u) for u in urls]
    assert not [u for u in got if "._" in u]  # every thumbnail / resized variant stripped
    assert len(set(got)) * 2 < len(urls)  # thumb, large and hi_res of one picture are one URL


def test_the_join_keeps_one_full_size_url_per_picture():
    from emma_pipeline.join.asin_join import join_listings
    from emma_pipeline.sources.records import LISTING_SCHEMA

    base = "https://m.media-amazon.com/images/I/"
    rows = [
        {"asin": "B000000001", "source": "ucsd", "title": "Kettle", "file": "a", "line": 1,
         "image_urls": [base + "51abc._SS40_.jpg", "/landing/b1/images/x.jpg"]},
        {"asin": "B000000001", "source": "aspa", "title": "Kettle", "file": "b", "line": 1,
         "image_urls": [base + "51abc._AC_SL1500_.jpg", base + "61def.jpg"]},
    ]  # fmt: skip
    listings = pl.DataFrame([{k: r.get(k) for k in LISTING_SCHEMA} for r in rows], schema=LISTING_SCHEMA)
    joined = join_listings(listings).objects
    assert joined["image_urls"].to_list() == [[base + "51abc.jpg", "/landing/b1/images/x.jpg", base + "61def.jpg"]]
