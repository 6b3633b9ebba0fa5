"""Catalog items: SP-API 2022-04-01 Items, ABO listing records and scraped catalog records, per record."""

from __future__ import annotations

import gzip
from pathlib import Path

import orjson
import pytest

from emma_pipeline.sources.aspa import parse_aspa_file

LB = 0.45359237
MP = "ATVPDKIKX0DER"


def _tagged(*values: str) -> list[dict]:
    return [{"language_tag": "en_US", "value": v, "marketplace_id": MP} for v in values]


SPAPI_ITEM = {
    "asin": "B07N4M94X4",
    "attributes": {
        "item_name": [{"language_tag": "de_DE", "value": "Fernseher"}, *_tagged("Samsung 82-Inch QLED TV")],
        "bullet_point": _tagged("SMART TV", "QUANTUM <b>HDR</b>"),
        "brand": _tagged("SAMSUNG"),
        "item_weight": [{"unit": "pounds", "value": 107.6, "marketplace_id": MP}],
        "item_package_weight": [{"unit": "kilograms", "value": 62.142, "marketplace_id": MP}],
        "material": _tagged("Plastic, Metal", "Tempered Glass"),
        "list_price": [{"currency": "USD", "value": 3799.99, "marketplace_id": MP}],
        "item_dimensions": [{"width": {"unit": "inches", "value": 72.4}, "length": {"unit": "inches", "value": 2.4},
                             "height": {"unit": "inches", "value": 41.4}, "marketplace_id": MP}],
    },
    "images": [{"marketplaceId": MP, "images": [
        {"variant": "PT01", "link": "https://img.example/pt01.jpg", "height": 500, "width": 500},
        {"variant": "MAIN", "link": "https://img.example/main_small.jpg", "height": 333, "width": 500},
        {"variant": "MAIN", "link": "https://img.example/main_big.jpg", "height": 1707, "width": 2560},
    ]}],
    "productTypes": [{"marketplaceId": MP, "productType": "TELEVISION"}],
    "classifications": [{"marketplaceId": MP, "classifications": [{
        "displayName": "QLED TVs", "classificationId": "21489946011",
        "parent": {"displayName": "Televisions", "classificationId": "172659",
                   "parent": {"displayName": "Electronics", "classificationId": "172282"}},
    }]}],
    "summaries": [{"marketplaceId": MP, "brand": "SAMSUNG", "itemName": "summary name",
                   "browseClassification": {"displayName": "QLED TVs", "classificationId": "21489946011"}}],
}
# Only summaries, the measured ``dimensions`` block, salesRanks and a non-USD price.
SPAPI_SPARSE = {
    "asin": "B000000SPA",
    "attributes": {"list_price": [{"currency": "EUR", "value_with_tax": 19.99}]},
    "summaries": [{"marketplaceId": MP, "itemName": "Sparse item", "brand": "Acme",
                   "browseClassification": {"displayName": "Mugs", "classificationId": "1"}}],
    "dimensions": [{"marketplaceId": MP,
                    "item": {"length": {"unit": "centimeters", "value": 10}, "width": {"unit": "centimeters",
                             "value": 8}, "weight": {"unit": "grams", "value": 350}},
                    "package": {"weight": {"unit": "pounds", "value": 1}}}],
    "salesRanks": [{"marketplaceId": MP,
                    "classificationRanks": [{"classificationId": "1", "title": "Coffee Mugs", "rank": 3}],
                    "displayGroupRanks": [{"websiteDisplayGroup": "home", "title": "Home & Kitchen", "rank": 9}]}],
}
ABO_RECORD = {
    "item_id": "B073P5PZ5P",
    "item_name": [{"language_tag": "zh_CN", "value": "椅子"}, {"language_tag": "en_US", "value": "Rivet Chairs Art"}],
    "bullet_point": [{"language_tag": "en_US", "value": "Printed on wood"}],
    "item_weight": [{"normalized_value": {"unit": "pounds", "value": 2.5}, "unit": "pounds", "value": 2.5}],
    "item_dimensions": {"height": {"unit": "inches", "value": 12}, "length": {"unit": "inches", "value": 12},
                        "width": {"unit": "inches", "value": 1.5}},
    "material": [{"language_tag": "en_US", "value": "Wood"}],
    "fabric_type": [{"language_tag": "en_US", "value": "Cotton"}],
    "product_type": [{"value": "HOME"}],
    "node": [{"node_id": 1, "node_name": "/Home & Kitchen/Wall Art"}],
    "main_image_id": "91e1hw35cDL",
    "other_image_id": ["71abcDEF12L"],
}
SCRAPED_RECORD = {
    "asin": "B01FV0F8H8", "title": "Copy Paper, 1 Ream", "brand": "Amazon Basics", "description": "Paper",
    "initial_price": 9.99, "final_price": 7.41, "currency": "USD", "reviews_count": 178695, "rating": 4.8,
    "categories": ["Office Products", "Paper"], "item_weight": "5 Pounds", "product_dimensions": '11"L x 8.5"W',
    "images": ["https://img.example/p1.jpg", "https://img.example/p2.jpg"], "features": ["500 sheets"],
    "product_details": [{"type": "Material", "value": "Paper"}, {"type": "Material Features", "value": "Recyclable"}],
}


def _jsonl(path: Path, records: list) -> Path:
    data = b"\n".join(r if isinstance(r, bytes) else orjson.dumps(r) for r in records) + b"\n"
    path.write_bytes(gzip.compress(data) if path.name.endswith(".gz") else data)
    return path


def _rows(result) -> dict[str, dict]:
    return {row["asin"]: row for row in result.listings.to_dicts()}


def test_spapi_item(tmp_path):
    row = _rows(parse_aspa_file(_jsonl(tmp_path / "catalog_items.jsonl", [SPAPI_ITEM])))["B07N4M94X4"]
    assert row["title"] == "Samsung 82-Inch QLED TV"  # English attribute value over summary and de_DE
    assert row["features"] == ["SMART TV", "QUANTUM HDR"]
    assert row["brand"] == "SAMSUNG"
    assert row["mass_kg"] == pytest.approx(107.6 * LB)
    assert row["package_weight_kg"] == pytest.approx(62.142)
    assert row["price_usd"] == pytest.approx(3799.99)
    assert row["dimensions_cm"] == pytest.approx([6.096, 183.896, 105.156])  # length, width, height
    assert row["materials_raw"] == ["Plastic", "Metal", "Tempered Glass"]
    assert row["image_urls"] == ["https://img.example/main_big.jpg", "https://img.example/pt01.jpg"]
    assert row["category_path"] == ["Electronics", "Televisions", "QLED TVs"]
    assert row["product_type"] == "TELEVISION" and row["source"] == "aspa"


def test_spapi_fallbacks_and_non_usd_price(tmp_path):
    row = _rows(parse_aspa_file(_jsonl(tmp_path / "c.jsonl", [SPAPI_SPARSE])))["B000000SPA"]
    assert (row["title"], row["brand"]) == ("Sparse item", "Acme")
    assert row["mass_kg"] == pytest.approx(0.35)
    assert row["package_weight_kg"] == pytest.approx(LB)
    assert row["dimensions_cm"] == pytest.approx([10, 8])
    assert row["price_usd"] is None  # EUR is never converted
    assert row["category_path"] is None  # only a leaf and a sales-rank group: no real path


def test_lone_classification_is_no_category_path(tmp_path):
    # a leaf without its parent chain would become a bogus root of the category tree
    item = {**SPAPI_SPARSE, "classifications": [{"marketplaceId": MP, "classifications": [
        {"displayName": "Travel Mugs", "classificationId": "2"}]}]}
    row = parse_aspa_file(_jsonl(tmp_path / "c.jsonl", [item])).listings.row(0, named=True)
    assert row["category_path"] is None


def test_abo_record(tmp_path):
    row = _rows(parse_aspa_file(_jsonl(tmp_path / "abo.json", [ABO_RECORD])))["B073P5PZ5P"]
    assert row["title"] == "Rivet Chairs Art"
    assert row["mass_kg"] == pytest.approx(2.5 * LB)
    assert row["dimensions_cm"] == pytest.approx([30.48, 3.81, 30.48])
    assert row["materials_raw"] == ["Wood", "Cotton"]
    assert row["product_type"] == "HOME"
    assert row["category_path"] == ["Home & Kitchen", "Wall Art"]
    assert row["image_urls"] == ["https://m.media-amazon.com/images/I/91e1hw35cDL.jpg",
                                 "https://m.media-amazon.com/images/I/71abcDEF12L.jpg"]


def test_scraped_records_in_a_json_array_file(tmp_path):
    euro = {**SCRAPED_RECORD, "asin": "B000000EUR", "currency": "EUR"}
    keyword_hit = {"asin": "", "url": "https://www.amazon.com/x/dp/B08H75RTZ8/ref=sr_1_1", "name": "Console",
                   "final_price": 479, "currency": "USD", "num_ratings": 28675, "image": "https://img.example/x.jpg"}
    review = {"asin": "B01FV0F8H8", "review_id": "R1", "review_text": "nice", "product_name": "Paper"}
    path = tmp_path / "scraped.json"
    path.write_bytes(orjson.dumps([SCRAPED_RECORD, euro, keyword_hit, review, "not an object"]))
    result = parse_aspa_file(path)
    assert (result.records_in, result.records_ok) == (5, 3)
    rows = _rows(result)
    paper = rows["B01FV0F8H8"]
    assert paper["price_usd"] == pytest.approx(7.41)
    assert paper["mass_kg"] == pytest.approx(5 * LB)
    assert paper["dimensions_cm"] == pytest.approx([27.94, 21.59])
    assert paper["materials_raw"] == ["Paper"]
    assert (paper["review_count"], paper["average_rating"]) == (178695, 4.8)
    assert paper["category_path"] == ["Office Products", "Paper"] and paper["line"] == 1
    assert rows["B000000EUR"]["price_usd"] is None
    assert rows["B08H75RTZ8"]["title"] == "Console" and rows["B08H75RTZ8"]["review_count"] == 28675
    reasons = dict(zip(result.quarantine["line"], result.quarantine["reason"]))
    assert reasons[4].startswith("unknown_record_format: keys asin, product_name")
    assert reasons[5] == "not_an_object"
    assert result.quarantine.filter(line=4)["raw"][0].startswith('{"asin":"B01FV0F8H8"')


def test_bad_lines_and_gzip(tmp_path):
    good = orjson.dumps(SPAPI_ITEM)
    lines = [good, good[:-30], b"[1, 2]", orjson.dumps({"attributes": {}}), b'{"asin": "B0\xff\xfe"}', b"{}"]
    result = parse_aspa_file(_jsonl(tmp_path / "catalog_items.jsonl.gz", lines))
    assert (result.records_in, result.records_ok) == (6, 1)
    reasons = dict(zip(result.quarantine["line"], result.quarantine["reason"]))
    assert reasons[2].startswith("invalid_json: ") and reasons[5].startswith("invalid_json: ")
    assert (reasons[3], reasons[4], reasons[6]) == ("not_an_object", "missing_asin", "missing_asin")


def test_jsonl_file_starting_with_an_array_line_is_still_json_lines(tmp_path):
    result = parse_aspa_file(_jsonl(tmp_path / "c.jsonl", [b"[1]", orjson.dumps(SPAPI_ITEM)]))
    assert (result.records_in, result.records_ok) == (2, 1)
    assert result.quarantine["reason"].to_list() == ["not_an_object"]


def test_relative_image_links_resolve_against_the_file(tmp_path):
    item = {"asin": "B000000REL", "images": [{"marketplaceId": MP, "images": [
        {"variant": "MAIN", "link": "../images/B000000REL_0.jpg", "height": 96, "width": 96}]}]}
    (tmp_path / "aspa").mkdir()
    row = parse_aspa_file(_jsonl(tmp_path / "aspa" / "c.jsonl", [item])).listings.row(0, named=True)
    assert row["image_urls"] == [str(tmp_path / "images" / "B000000REL_0.jpg")]
