"""image2mass listing CSVs and the 2020 product-table layout, chosen by header."""

from __future__ import annotations

import csv
import gzip
import io
from pathlib import Path

import pytest

from emma_pipeline.sources.image2mass import parse_image2mass_file

LB, OZ = 0.45359237, 0.028349523125

TABLE_2020_HEADER = [
    "Uniq Id", "Product Name", "Brand Name", "Asin", "Category", "Upc Ean Code", "List Price", "Selling Price",
    "Quantity", "Model Number", "About Product", "Product Specification", "Technical Details", "Shipping Weight",
    "Product Dimensions", "Image", "Variants", "Sku", "Product Url", "Stock", "Product Details", "Dimensions",
    "Color", "Ingredients", "Direction To Use", "Is Amazon Seller", "Size Quantity Variant", "Product Description",
]


def _csv(path: Path, header: list[str], rows: list[dict | list]) -> Path:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(h, "") for h in header] if isinstance(row, dict) else row)
    data = out.getvalue().encode()
    path.write_bytes(gzip.compress(data) if path.name.endswith(".gz") else data)
    return path


def _rows(result) -> dict[str, dict]:
    return {row["asin"]: row for row in result.listings.to_dicts()}


def test_listing_layout(tmp_path):
    header = ["asin", "title", "weight", "dimensions", "image_url"]
    rows = [
        ["B000000001", "Steel mug", "12 oz", "4 x 3 x 3 inches", "../images/mug.jpg"],
        ["B000000002", "Anvil", "2.5 pounds", "", "https://img.example/anvil.jpg"],
        ["B000000003", "Box", "", "10 x 5 x 2 cm; 500 g", ""],
        ["B000000004", "", "N/A", "big", ""],  # no title, nothing parsable: still a listing
    ]
    folder = tmp_path / "image2mass"
    folder.mkdir()
    result = parse_image2mass_file(_csv(folder / "listings.csv", header, rows))
    assert (result.records_in, result.records_ok) == (4, 4)
    got = _rows(result)
    assert got["B000000001"]["mass_kg"] == pytest.approx(12 * OZ)
    assert got["B000000001"]["dimensions_cm"] == pytest.approx([10.16, 7.62, 7.62])
    assert got["B000000001"]["image_urls"] == [str(tmp_path / "images" / "mug.jpg")]
    assert got["B000000002"]["mass_kg"] == pytest.approx(2.5 * LB)
    assert got["B000000003"]["mass_kg"] == pytest.approx(0.5)  # weight written with the dimensions
    assert got["B000000004"]["title"] is None and got["B000000004"]["mass_kg"] is None
    assert got["B000000001"]["line"] == 2 and got["B000000001"]["source"] == "image2mass"


def test_numeric_mass_columns_win(tmp_path):
    header = ["asin", "title", "weight", "dimensions", "image_url", "mass_kg", "weight_lb"]
    rows = [["B000000001", "a", "9 pounds", "", "", "1.25", ""], ["B000000002", "b", "9 pounds", "", "", "", "2"]]
    got = _rows(parse_image2mass_file(_csv(tmp_path / "l.csv", header, rows)))
    assert got["B000000001"]["mass_kg"] == pytest.approx(1.25)
    assert got["B000000002"]["mass_kg"] == pytest.approx(2 * LB)


def test_bad_rows_are_quarantined(tmp_path):
    path = tmp_path / "listings.csv"
    path.write_bytes(
        b"asin,title,weight,dimensions,image_url\n"
        b"B000000001,Mug,12 oz,,\n"
        b"B000000002,short row\n"
        b",No asin,1 lb,,\n"
        b"not-an-asin,Bad,1 lb,,\n"
        b"B000000005,Caf\xe9,1 lb,,\n"
        b'B000000006,"multi\nline title",1 lb,,\n'
        b"\n"
        b"B000000007,Last,1 lb,,\n"
    )
    result = parse_image2mass_file(path)
    assert (result.records_in, result.records_ok) == (7, 3)
    reasons = dict(zip(result.quarantine["line"], result.quarantine["reason"]))
    assert reasons == {
        3: "bad_csv_row: expected 5 fields, got 2",
        4: "missing_asin",
        5: "invalid_asin: 'not-an-asin'",
        6: "invalid_utf8: row holds bytes that are not UTF-8",
    }
    assert "Caf\ufffd" in result.quarantine.filter(line=6)["raw"][0]
    assert _rows(result)["B000000006"]["title"] == "multi line title"
    assert _rows(result)["B000000007"]["line"] == 10  # the quoted newline and the blank line count


def test_empty_and_header_only_files(tmp_path):
    (tmp_path / "empty.csv").write_bytes(b"")
    (tmp_path / "header.csv").write_bytes(b"asin,title,weight,dimensions,image_url\n")
    for name in ("empty.csv", "header.csv"):
        result = parse_image2mass_file(tmp_path / name)
        assert (result.records_in, result.listings.height) == (0, 0)


def test_unknown_header_quarantines_every_row(tmp_path):
    result = parse_image2mass_file(_csv(tmp_path / "x.csv", ["id", "name"], [["1", "a"], ["2", "b"]]))
    assert (result.records_in, result.records_ok) == (2, 0)
    assert result.quarantine["reason"].str.starts_with("unknown_csv_layout").all()


def test_2020_product_table_layout(tmp_path):
    rows = [
        {
            "Uniq Id": "4c69b61d",
            "Product Name": "DB Longboards CoreFlex Crossbow 41\" Longboard",
            "Category": "Sports & Outdoors | Outdoor Recreation | Skateboarding",
            "Selling Price": "$74.99 - $249.99",
            "About Product": "Make sure this fits by entering your model number. | Bamboo core | Fiberglass",
            "Product Specification": "ProductDimensions:10.3x3.4x0.8inches|ItemWeight:12.8ounces|"
            "ShippingWeight:13.4ounces(Viewshippingratesandpolicies)|ASIN:B07D36747F",
            "Technical Details": "Color Multi Material Type Cardboard Number of Items 1",
            "Shipping Weight": "10.7 pounds",
            "Image": "https://img.example/a.jpg|https://img.example/b.jpg|"
            "https://images-na.ssl-images-amazon.com/images/G/01/x-locale/common/transparent-pixel.jpg",
            "Product Url": "https://www.amazon.com/DB-Longboards-CoreFlex/dp/B07KMVJJK7",
        },
        {  # no /dp/ in the URL: the ASIN comes from the specification
            "Product Name": "Kit",
            "Product Specification": "Shipping Weight: 1.2 pounds (View shipping rates and policies)|ASIN: B008AK6DAS",
            "Product Url": "https://www.amazon.com/s?k=kit",
        },
        {"Product Name": "No ASIN anywhere", "Product Url": "https://www.amazon.com/s?k=x"},
    ]
    result = parse_image2mass_file(_csv(tmp_path / "sample.csv", TABLE_2020_HEADER, rows))
    assert (result.records_in, result.records_ok) == (3, 2)
    assert result.quarantine["reason"].to_list() == ["missing_asin"]
    got = _rows(result)
    board = got["B07KMVJJK7"]  # the URL's ASIN wins over the specification's
    assert board["category_path"] == ["Sports & Outdoors", "Outdoor Recreation", "Skateboarding"]
    assert board["price_usd"] == pytest.approx((74.99 + 249.99) / 2)
    assert board["mass_kg"] == pytest.approx(12.8 * OZ)
    assert board["package_weight_kg"] == pytest.approx(10.7 * LB)
    assert board["dimensions_cm"] == pytest.approx([26.162, 8.636, 2.032])
    assert board["features"] == ["Bamboo core", "Fiberglass"]
    assert board["image_urls"] == ["https://img.example/a.jpg", "https://img.example/b.jpg"]
    assert board["materials_raw"] == ["Cardboard"]
    assert got["B008AK6DAS"]["package_weight_kg"] == pytest.approx(1.2 * LB)


def test_gzip_csv(tmp_path):
    header = ["asin", "title", "weight", "dimensions", "image_url"]
    result = parse_image2mass_file(_csv(tmp_path / "l.csv.gz", header, [["B000000001", "a", "1 kg", "", ""]]))
    assert result.listings["mass_kg"].to_list() == [1.0]
