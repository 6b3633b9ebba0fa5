"""The written files look like the real dumps: UCSD 2018 meta and reviews, image2mass CSV, SP-API items.

Every line parses except the injected malformed ones, whose number per file the summary states exactly.
"""

from __future__ import annotations

import csv
import gzip
import io
from pathlib import Path

import orjson
import pytest

REAL = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "real"
META_KEYS = {"category", "tech1", "description", "fit", "title", "also_buy", "tech2", "brand", "feature", "rank",
             "also_view", "details", "main_cat", "similar_item", "date", "price", "asin"}
REVIEW_KEYS = {"overall", "verified", "reviewTime", "reviewerID", "asin", "reviewerName", "reviewText", "summary",
               "unixReviewTime"}


def _lines(path: Path) -> list[bytes]:
    data = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    return data.splitlines()


def _records(path: Path) -> tuple[list[dict], int]:
    """(valid records with an ASIN, number of lines that are not)."""
    good, bad = [], 0
    for line in _lines(path):
        try:
            line.decode("utf-8")
            obj = orjson.loads(line)
        except (UnicodeDecodeError, orjson.JSONDecodeError):
            bad += 1
            continue
        if isinstance(obj, dict) and isinstance(obj.get("asin"), str):
            good.append(obj)
        else:
            bad += 1
    return good, bad


def test_json_files_are_valid_except_exactly_the_injected_lines(coverage_sample):
    files = coverage_sample.summary["files"]
    for rel, info in files.items():
        if rel.endswith(".csv"):
            continue
        good, bad = _records(coverage_sample.landing / rel)
        assert bad == info["malformed_total"], rel
        assert len(good) == info["records"], rel


def test_image2mass_csv_header_and_bad_rows(coverage_sample):
    path = coverage_sample.landing / "image2mass" / "listings.csv"
    lines = _lines(path)
    assert lines[0] == b"asin,title,weight,dimensions,image_url"
    bad = 0
    for line in lines[1:]:
        try:
            row = next(csv.reader([line.decode("utf-8")]))
        except UnicodeDecodeError:
            bad += 1
            continue
        bad += len(row) != 5 or not row[0]
    assert bad == coverage_sample.summary["files"]["image2mass/listings.csv"]["malformed_total"]


def test_ucsd_meta_records_have_the_2018_keys_and_both_image_layouts(with_images):
    records = [r for p in (with_images.landing / "ucsd").glob("meta_*.json.gz") for r in _records(p)[0]]
    layouts = {"image" in r for r in records}
    assert layouts == {True, False}
    for r in records:
        assert META_KEYS <= set(r)
        assert ("image" in r) != ("imageURL" in r and "imageURLHighRes" in r)
        assert r["price"] == "" or r["price"].startswith(("$", ".a-"))
    tech1 = [r["tech1"] for r in records if r["tech1"]]
    assert tech1 and all(t.startswith(' class="a-keyvalue prodDetTable"') for t in tech1)
    assert any("Item Weight" in t for t in tech1) and any("Material" in t for t in tech1)
    details = {k for r in records for k in r["details"]}
    assert {"\n    Product Dimensions: \n    ", "Shipping Weight:"} <= details


def test_ucsd_reviews_have_the_2018_keys(with_images):
    reviews = [r for p in (with_images.landing / "ucsd").glob("[!m]*.json.gz") for r in _records(p)[0]]
    assert reviews and all(REVIEW_KEYS <= set(r) for r in reviews)
    assert {r["overall"] for r in reviews} <= {1.0, 2.0, 3.0, 4.0, 5.0}
    assert any("vote" in r for r in reviews)


def test_aspa_items_follow_the_catalog_items_model(with_images):
    items, _ = _records(with_images.landing / "aspa" / "catalog_items.jsonl")
    assert items
    for item in items:
        assert {"asin", "attributes", "productTypes", "summaries", "images", "classifications"} <= set(item)
        assert "description" not in item["attributes"] and "product_description" not in item["attributes"]
        shown = item["images"][0]["images"]
        assert len(shown) <= 1 and all(i["variant"] == "MAIN" for i in shown)
        assert item["summaries"][0]["browseClassification"]["classificationId"].isdigit()
        for weight in item["attributes"].get("item_weight", []):
            assert set(weight) == {"unit", "value", "marketplace_id"} and weight["value"] > 0
    materials = [i["attributes"]["material"] for i in items if "material" in i["attributes"]]
    assert materials and all({"value", "language_tag", "marketplace_id"} <= set(m[0]) for m in materials)
    prices = [i["attributes"]["list_price"][0] for i in items if "list_price" in i["attributes"]]
    assert prices and all(p["currency"] == "USD" for p in prices)


def test_image_references_resolve_to_files_next_to_the_sources(with_images):
    landing = with_images.landing
    refs = []
    for rel in ("aspa/catalog_items.jsonl",):
        for item in _records(landing / rel)[0]:
            refs += [(landing / "aspa", i["link"]) for g in item["images"] for i in g["images"]]
    with (landing / "image2mass" / "listings.csv").open(encoding="utf-8", errors="replace") as fh:
        refs += [(landing / "image2mass", row["image_url"]) for row in csv.DictReader(fh) if row["image_url"]]
    assert refs and all(ref.startswith("../images/") for _, ref in refs)
    assert all((folder / ref).resolve().is_file() for folder, ref in refs)


def test_without_images_records_point_at_remote_urls(coverage_sample):
    items, _ = _records(coverage_sample.landing / "aspa" / "catalog_items.jsonl")
    links = [i["link"] for item in items for g in item["images"] for i in g["images"]]
    assert links and all(link.startswith("https://") for link in links)
    assert not (coverage_sample.landing / "images").exists()


def test_meta_keys_match_the_real_ucsd_2018_sample(with_images):
    real = REAL / "ucsd2018_appliances_sample_CR3A7OR" / "meta_Appliances.json"
    if not real.is_file():
        pytest.skip("../shared/data/real not present (a user's own clone)")
    real_keys = {k for line in io.BytesIO(real.read_bytes()) for k in orjson.loads(line)}
    ours = {k for p in (with_images.landing / "ucsd").glob("meta_*.json.gz") for r in _records(p)[0] for k in r}
    assert real_keys <= ours
