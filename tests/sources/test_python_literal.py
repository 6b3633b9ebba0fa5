"""The UCSD 2014 dumps hold Python dict literals, one per line: read as listings, never evaluated as code."""

from __future__ import annotations

import gzip

import pytest

from emma_pipeline.sources.python_literal import python_literal
from emma_pipeline.sources.ucsd import parse_ucsd_file

# A line as the 2014 metadata dump writes it (single quotes, a float price, one imUrl, several category paths).
META_2014 = (b"{'asin': '0000031852', 'title': 'Girls Ballet Tutu Zebra Hot Pink', 'price': 3.17, "
             b"'imUrl': 'http://ecx.images-amazon.com/images/I/51fAmVkTbyL._SY300_.jpg', "
             b"'related': {'also_bought': ['B00JHONN1S', 'B002BZX8Z6']}, 'salesRank': {'Toys & Games': 211836}, "
             b"'brand': 'Coxlures', 'categories': [['Sports & Outdoors', 'Other Sports', 'Dance'], ['Toys & Games']], "
             b"'description': 'A tutu \\xe9l\\xe9gant'}")  # fmt: skip


def test_a_2014_line_is_a_listing_with_its_picture_price_and_first_category_path(tmp_path):
    path = tmp_path / "meta_Toys.json.gz"
    path.write_bytes(gzip.compress(META_2014 + b"\n"))
    result = parse_ucsd_file(path)
    assert (result.records_in, result.records_ok, result.quarantine.height) == (1, 1, 0)
    row = result.listings.row(0, named=True)
    assert row["asin"] == "0000031852" and row["price_usd"] == 3.17 and row["brand"] == "Coxlures"
    assert row["image_urls"] == ["http://ecx.images-amazon.com/images/I/51fAmVkTbyL._SY300_.jpg"]
    assert row["category_path"] == ["Sports & Outdoors", "Other Sports", "Dance"]
    assert row["description"] == "A tutu \u00e9l\u00e9gant"


@pytest.mark.parametrize("line", [
    b"{'asin': __import__('os').getcwd()}",  # a call: never evaluated
    b"{'asin': 'B000000001', 'title': b'bytes'}",  # bytes mean nothing to a listing
    b"{'asin': 'B000000001', 'tags': {'a', 'b'}}",  # a set
    b"{1: 'B000000001'}",  # a key JSON cannot hold
    b"{'asin': 'B000000001', 'price': float('nan')}",
    b"{'asin': 'B000000001', 'title': 'cut sh",  # truncated
    b"['not', 'a', 'dict']",
    b"{'asin': 'caf\xe9'}",  # not UTF-8
])  # fmt: skip
def test_what_is_not_a_json_like_dict_literal_stays_a_json_error(line):
    assert python_literal(line) is None


def test_tuples_become_lists_and_nested_values_survive():
    assert python_literal(b"{'a': (1, 2.5, None, True), 'b': {'c': ['x']}}") == {"a": [1, 2.5, None, True], "b": {"c": ["x"]}}


def test_bad_literal_lines_are_quarantined_beside_good_ones(tmp_path):
    path = tmp_path / "meta_Mixed.json"
    path.write_bytes(b"\n".join([META_2014, b"{'asin': open('x')}", b'{"asin": "B000000002", "title": "json"}']) + b"\n")
    result = parse_ucsd_file(path)
    assert result.listings["asin"].to_list() == ["0000031852", "B000000002"]
    assert result.quarantine["line"].to_list() == [2]
    assert result.quarantine["reason"][0].startswith("invalid_json: ")
