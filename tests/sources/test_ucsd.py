"""UCSD metadata (2018 and 2023 layouts) and review files, including the bad lines real dumps contain."""

from __future__ import annotations

import gzip
from pathlib import Path

import orjson
import pytest

from emma_pipeline.sources.ucsd import meta_row, parse_ucsd_file

OZ, LB = 0.028349523125, 0.45359237

TECH1 = (
    ' class="a-keyvalue prodDetTable" role="presentation">\n  <tr>\n <th class="a-color-secondary">\n'
    "   Item Weight\n  </th>\n  <td class=\"a-size-base\">\n   9.6 ounces\n  </td>\n </tr>\n <tr>\n"
    "  <th>\n <span><a href=\"/help\">\n Package Dimensions\n </a></span>\n </th>\n"
    "  <td>\n 8.2 x 5 x 4.5 inches\n </td>\n </tr>\n <tr><th>Material Type</th><td>Plastic</td></tr>"
)

META_2018_TECH1 = {
    "asin": "7301113188",
    "title": "Tupperware Freezer Container Set",
    "feature": ["Dishwasher <b>safe</b>.", "", "Set of 6"],
    "description": ["<p>Keeps food &amp; leftovers fresh.</p>"],
    "brand": "Tupperware",
    "category": ["Appliances", "Parts &amp; Accessories", "Vents"],
    "tech1": TECH1,
    "tech2": "",
    "details": {},
    "price": "$10.99 - $15.99",
    "imageURL": ["https://img.example/small.jpg"],
    "imageURLHighRes": ["https://img.example/large.jpg", "../images/local.jpg"],
}
META_2018_DETAILS = {
    "asin": "B001BKEWF2",
    "title": "Serendipity 3 $100.00 Gift Card",
    "feature": [],
    "description": [],
    "brand": "",
    "category": ["Gift Cards", "Gift Cards", "No expiration, no fees.", "Redeemable toward millions of items."],
    "tech1": "",
    "details": {
        "\n    Product Dimensions: \n    ": "3.4 x 2.1 inches ; 1.44 ounces",
        "Shipping Weight:": "3 ounces (View shipping rates and policies)",
        "ASIN: ": "B001BKEWF2",
    },
    "price": "",
    "image": ["https://img.example/thumb.jpg"],
}
META_2023 = {
    "parent_asin": "B075ZXP9XL",
    "title": "Pre Workout Powder",
    "features": ["Caffeine free"],
    "description": [],
    "store": "Buff Juice",
    "categories": [],
    "price": 24.99,
    "average_rating": 4.5,
    "rating_number": 18,
    "images": [
        {"thumb": "t1.jpg", "large": "https://img.example/pt01.jpg", "variant": "PT01", "hi_res": None},
        {"thumb": "t0.jpg", "large": "https://img.example/main.jpg", "variant": "MAIN",
         "hi_res": "https://img.example/main_hi.jpg"},
    ],
    "details": {
        "Brand": "Buff Juice",
        "Material": "Plastic, Metal",
        "Material Feature": "Caffeine Free",
        "Package Dimensions": "6.5 x 5.8 x 5.1 inches; 1.4 Pounds",
        "Item Weight": "0.07 Kilograms",
        "Nested": {"not": "a string"},
    },
}


def _write_lines(path: Path, lines: list[bytes]) -> Path:
    data = b"\n".join(lines) + b"\n"
    path.write_bytes(gzip.compress(data) if path.name.endswith(".gz") else data)
    return path


def _rows(result) -> dict[str, dict]:
    return {row["asin"]: row for row in result.listings.to_dicts()}


def test_2018_tech1_table_details_and_images(tmp_path):
    (tmp_path / "ucsd").mkdir()
    path = _write_lines(
        tmp_path / "ucsd" / "meta_Appliances.json", [orjson.dumps(META_2018_TECH1), orjson.dumps(META_2018_DETAILS)]
    )
    result = parse_ucsd_file(path)
    assert (result.records_in, result.records_ok, result.quarantine.height) == (2, 2, 0)
    rows = _rows(result)

    tupperware = rows["7301113188"]
    assert tupperware["mass_kg"] == pytest.approx(9.6 * OZ)
    assert tupperware["dimensions_cm"] == pytest.approx([20.828, 12.7, 11.43])  # package dims, no item dims
    assert tupperware["materials_raw"] == ["Plastic"]
    assert tupperware["price_usd"] == pytest.approx(13.49)
    assert tupperware["features"] == ["Dishwasher safe.", "Set of 6"]
    assert tupperware["description"] == "Keeps food & leftovers fresh."
    assert tupperware["category_path"] == ["Appliances", "Parts & Accessories", "Vents"]
    # high-res list preferred; the relative reference is resolved against the file's folder
    assert tupperware["image_urls"] == ["https://img.example/large.jpg", str((tmp_path / "images" / "local.jpg"))]
    assert tupperware["source"] == "ucsd" and tupperware["line"] == 1 and tupperware["file"] == str(path)

    gift = rows["B001BKEWF2"]
    assert gift["mass_kg"] == pytest.approx(1.44 * OZ)  # weight after the padded "Product Dimensions" key
    assert gift["package_weight_kg"] == pytest.approx(3 * OZ)  # "Shipping Weight:"
    assert gift["dimensions_cm"] == pytest.approx([8.636, 5.334])
    assert gift["price_usd"] is None and gift["brand"] is None
    assert gift["category_path"] == ["Gift Cards", "Gift Cards"]  # run-on feature sentences cut off
    assert gift["image_urls"] == ["https://img.example/thumb.jpg"]


def test_2023_layout(tmp_path):
    result = parse_ucsd_file(_write_lines(tmp_path / "meta_Health.jsonl", [orjson.dumps(META_2023)]))
    row = _rows(result)["B075ZXP9XL"]
    assert row["package_weight_kg"] == pytest.approx(1.4 * LB)
    assert row["mass_kg"] == pytest.approx(0.07)
    assert row["dimensions_cm"] == pytest.approx([16.51, 14.732, 12.954])
    assert row["materials_raw"] == ["Plastic", "Metal"]  # "Material Feature" is not a material
    assert row["image_urls"] == ["https://img.example/main_hi.jpg", "https://img.example/pt01.jpg"]
    assert row["price_usd"] == 24.99 and row["brand"] == "Buff Juice"
    assert (row["average_rating"], row["review_count"], row["category_path"]) == (4.5, 18, None)


def test_a_record_without_title_is_still_a_listing(tmp_path):
    result = parse_ucsd_file(_write_lines(tmp_path / "meta_X.json", [b'{"asin": "B000000001", "title": ""}']))
    assert result.records_ok == 1 and result.listings["title"].to_list() == [None]


def test_bad_lines_are_quarantined_with_reasons(tmp_path):
    good = orjson.dumps(META_2018_DETAILS)
    lines = [
        good,
        good[:40],  # truncated
        b'{"asin": "B000000002", "title": "caf\xe9"}',  # Latin-1 byte, not UTF-8
        b'{"title": "no asin"}',
        b'["an", "array"]',
        b'{"asin": "xyz", "title": "bad asin"}',
        b"",  # blank lines hold no record
    ]
    result = parse_ucsd_file(_write_lines(tmp_path / "meta_Bad.json", lines))
    assert (result.records_in, result.records_ok) == (6, 1)
    reasons = dict(zip(result.quarantine["line"], result.quarantine["reason"]))
    assert reasons[2].startswith("invalid_json: ")
    assert reasons[3].startswith("invalid_json: ")
    assert reasons[4] == "missing_asin"
    assert reasons[5] == "not_an_object"
    assert reasons[6] == "invalid_asin: 'xyz'"
    quarantined = result.quarantine.filter(line=3).row(0, named=True)
    assert "caf\ufffd" in quarantined["raw"]  # undecodable byte replaced in the raw text only
    assert quarantined["offset"] == len(good) + 1 + 40 + 1
    assert quarantined["source"] == "ucsd"


def test_empty_file(tmp_path):
    result = parse_ucsd_file(_write_lines(tmp_path / "meta_Empty.json", []))
    assert (result.records_in, result.listings.height, result.quarantine.height) == (0, 0, 0)


def test_gzip_meta_file(tmp_path):
    result = parse_ucsd_file(_write_lines(tmp_path / "meta_A.json.gz", [orjson.dumps(META_2018_TECH1)] * 3))
    assert result.records_ok == 3 and result.listings["mass_kg"].to_list() == pytest.approx([9.6 * OZ] * 3)


def test_reviews_aggregate_per_asin(tmp_path):
    reviews = [
        {"overall": 5.0, "asin": "B00009W3I4", "reviewText": "great", "unixReviewTime": 1377129600},
        {"overall": 4.0, "asin": "B00009W3I4", "reviewText": "ok"},
        {"overall": 5.0, "asin": "B00009W3I4", "summary": "Five Stars"},
        {"overall": 1.0, "asin": "B00009W3PA"},
        {"rating": 4.5, "asin": "B0VARIANT1", "parent_asin": "B0PARENT01", "text": "2023 layout"},  # rounds up
        {"rating": 2, "asin": "B0VARIANT2", "parent_asin": "B0PARENT01", "text": "2023 layout"},
        {"overall": 0.0, "asin": "B00009W3PA"},
        {"asin": "B00009W3PA", "reviewText": "no rating"},
        {"overall": 5.0, "reviewText": "no asin"},
    ]
    path = _write_lines(tmp_path / "Appliances_5.json.gz", [orjson.dumps(r) for r in reviews] + [b"[1]"])
    result = parse_ucsd_file(path)
    assert (result.records_in, result.records_ok) == (10, 6)
    rows = _rows(result)
    assert rows["B00009W3I4"]["rating_hist"] == [0, 0, 0, 1, 2]
    assert rows["B00009W3I4"]["review_count"] == 3 and rows["B00009W3I4"]["line"] == 1
    assert rows["B00009W3PA"]["rating_hist"] == [1, 0, 0, 0, 0]
    assert rows["B0PARENT01"]["rating_hist"] == [0, 1, 0, 0, 1]  # 2023 reviews grouped by parent_asin
    assert rows["B0PARENT01"]["title"] is None
    assert sorted(result.quarantine["reason"]) == ["invalid_rating: 0.0", "missing_asin", "missing_rating",
                                                  "not_an_object"]


@pytest.mark.parametrize(
    ("details", "expected_kg"),
    [
        ({"Shipping Weight:": "2 pounds", "Package Weight:": "3 pounds"}, 2 * LB),  # the first key wins
        ({"Shipping Weight:": "see label", "Package Weight:": "3 pounds"}, 3 * LB),  # unparsable: the next key
        ({"Shipping Weight:": "see label"}, None),
        ({"Package Dimensions:": "10 x 5 x 2 inches; 12 ounces"}, 12 * OZ),  # else the weight after the sizes
        ({}, None),
    ],
)
def test_package_weight_falls_back_key_by_key(details, expected_kg):
    row = meta_row({"asin": "B000000001", "details": details}, "/tmp")
    assert row["package_weight_kg"] == (pytest.approx(expected_kg) if expected_kg else None)
