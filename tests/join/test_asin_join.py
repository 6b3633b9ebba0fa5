"""Join semantics: one row per ASIN, best source per field with provenance, median price, hijacks removed."""

import polars as pl
import pytest

from emma_pipeline.join.asin_join import join_listings
from emma_pipeline.join.hijack import HijackConfig
from emma_pipeline.sources.records import listings_frame


def _frame(rows, batch="b1"):
    return listings_frame(rows).with_columns(pl.lit(batch).alias("batch"))


def _knife(source, **fields):
    titles = {
        "ucsd": "Acme 8 inch Stainless Steel Chef Knife with Pakkawood Handle",
        "aspa": "ACME Chef Knife, 8-Inch, Stainless Steel",
        "image2mass": "Acme Chef Knife 8 in",
    }
    return {"asin": "B00KNIFE01", "source": source, "title": titles[source], "file": source, "line": 1, **fields}


@pytest.fixture
def joined():
    rows = [
        _knife("ucsd", price_usd=20.0, image_urls=["u1.jpg", "u2.jpg"], category_path=["Home", "Cutlery"],
               features=["Razor sharp"], description="A knife."),  # fmt: skip
        {"asin": "B00KNIFE01", "source": "ucsd", "rating_hist": [1, 0, 0, 2, 7], "review_count": 10, "file": "r", "line": 1},
        _knife("aspa", price_usd=30.0, mass_kg=0.21, image_urls=["a1.jpg", "u1.jpg"], materials_raw=["Stainless Steel"],
               product_type="KITCHEN"),  # fmt: skip
        _knife("image2mass", price_usd=26.0, mass_kg=0.25, dimensions_cm=[33.0, 5.0, 2.0]),
        {"asin": "B00HIJACK1", "source": "ucsd", "title": "Men's Cotton Crew Neck T-Shirt", "file": "u", "line": 2},
        {"asin": "B00HIJACK1", "source": "aspa", "title": "Bluetooth Speaker, Waterproof Portable", "file": "a", "line": 2},
        {"asin": "B00SINGLE1", "source": "image2mass", "title": "Garden Hose 50 ft", "mass_kg": 2.0, "file": "i", "line": 3},
    ]
    return join_listings(_frame(rows))


def test_one_row_per_asin_and_every_asin_accounted_for(joined):
    assert joined.objects["asin"].to_list() == ["B00KNIFE01", "B00SINGLE1"]
    assert joined.removals["asin"].to_list() == ["B00HIJACK1"]
    assert joined.asins_in == joined.objects.height + joined.removals.height


def test_price_is_median_across_sources(joined):
    knife = joined.objects.row(0, named=True)
    assert knife["price_usd"] == 26.0
    assert knife["provenance"]["price_usd"] == "aspa,image2mass,ucsd"


def test_each_field_from_preferred_source_with_provenance(joined):
    knife = joined.objects.row(0, named=True)
    assert knife["mass_kg"] == 0.21 and knife["provenance"]["mass_kg"] == "aspa"
    assert knife["title"].startswith("Acme 8 inch") and knife["provenance"]["title"] == "ucsd"
    assert knife["dimensions_cm"] == [33.0, 5.0, 2.0] and knife["provenance"]["dimensions_cm"] == "image2mass"
    assert knife["category_path"] == ["Home", "Cutlery"]
    assert knife["product_type"] == "KITCHEN"
    assert knife["image_urls"] == ["u1.jpg", "u2.jpg", "a1.jpg"]  # union, deduplicated, UCSD first
    assert knife["rating_hist"] == [1, 0, 0, 2, 7] and knife["review_count"] == 10
    assert knife["text"] == knife["title"] + "\nRazor sharp\nA knife."
    assert knife["sources"] == ["aspa", "image2mass", "ucsd"]


def test_hijack_removal_says_why(joined):
    removal = joined.removals.row(0, named=True)
    assert removal["reason"] == "hijacked" and removal["stage"] == "join"
    assert "T-Shirt" in removal["detail"] and "Speaker" in removal["detail"]


def test_threshold_is_configuration():
    rows = [
        {"asin": "B00HIJACK1", "source": "ucsd", "title": "Red Cotton Shirt", "file": "u", "line": 1},
        {"asin": "B00HIJACK1", "source": "aspa", "title": "Blue Cotton Pants", "file": "a", "line": 1},
    ]
    assert join_listings(_frame(rows), HijackConfig(min_title_similarity=0.3)).removals.height == 0
    assert join_listings(_frame(rows), HijackConfig(min_title_similarity=0.9)).removals.height == 1


def test_later_batch_wins_and_reviews_are_not_double_counted():
    old = _frame([_knife("aspa", price_usd=10.0), {"asin": "B00KNIFE01", "source": "ucsd", "rating_hist": [0, 0, 0, 0, 3],
                  "file": "r", "line": 1}], batch="b1")  # fmt: skip
    new = _frame([_knife("aspa", price_usd=12.0), {"asin": "B00KNIFE01", "source": "ucsd", "rating_hist": [0, 0, 0, 1, 4],
                  "file": "r", "line": 1}], batch="b2")  # fmt: skip
    knife = join_listings(pl.concat([new, old])).objects.row(0, named=True)
    assert knife["price_usd"] == 12.0
    assert knife["rating_hist"] == [0, 0, 0, 1, 4] and knife["review_count"] == 5
    assert knife["last_batch"] == "b2"


def test_records_without_asin_never_become_objects():
    rows = [{"asin": None, "source": "ucsd", "title": "x", "file": "u", "line": 1}]
    assert join_listings(_frame(rows)).objects.height == 0


def _pair(asin, ucsd_title, ucsd_brand, aspa_title, aspa_brand):
    return [{"asin": asin, "source": "ucsd", "title": ucsd_title, "brand": ucsd_brand, "file": "u", "line": 1},
            {"asin": asin, "source": "aspa", "title": aspa_title, "brand": aspa_brand, "file": "a", "line": 1}]


def test_another_makers_product_of_the_same_kind_is_a_hijack():
    rows = _pair("B0SAMEKIND", "Vorex Insulated Water Bottle 24 oz, Blue", "Vorex",
                 "Kelora BPA Free Water Bottle - Green", "Kelora")  # titles overlap 0.4: only the brands tell
    removals = join_listings(_frame(rows)).removals
    assert removals["asin"].to_list() == ["B0SAMEKIND"]
    assert "'Kelora' vs 'Vorex'" in removals["detail"][0]
    without_brands = _pair("B0SAMEKIND", rows[0]["title"], None, rows[1]["title"], None)
    assert join_listings(_frame(without_brands)).removals.height == 0


def test_one_brand_spelled_two_ways_or_a_placeholder_brand_is_no_hijack():
    rows = (_pair("B0SPELLING", "Amazon Basics Stainless Steel Water Bottle", "Amazon Basics",
                  "Stainless Steel Water Bottle by AmazonBasics", "AMAZONBASICS")
            + _pair("B0GENERIC1", "Vorex Insulated Water Bottle 24 oz", "Vorex", "Insulated Water Bottle, 24oz",
                    "Generic")
            + _pair("B0SUBBRAND", "Vorex Insulated Water Bottle 24 oz", "Vorex", "Vorex Home Insulated Bottle",
                    "Vorex Home"))
    assert join_listings(_frame(rows)).removals.height == 0
