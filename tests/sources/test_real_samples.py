"""Every real public sample next to the repository parses in place, with facts checked against the raw files."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from emma_pipeline.sources.aspa import parse_aspa_file
from emma_pipeline.sources.image2mass import parse_image2mass_file
from emma_pipeline.sources.records import ParseResult
from emma_pipeline.sources.ucsd import parse_ucsd_file

REAL = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "real"
OZ, LB = 0.028349523125, 0.45359237

pytestmark = pytest.mark.real_data

# Parser per sample folder (the ABO Java-map dumps under samples/ are not catalog files and are skipped).
SAMPLES = {
    "ucsd2018_appliances_sample_CR3A7OR": (parse_ucsd_file, "*.json"),
    "ucsd2018_appliances_5core_Miggy070498": (parse_ucsd_file, "*.json"),
    "ucsd2018_gift_cards_full_ncloud50": (parse_ucsd_file, "*.json"),
    "ucsd2023_health_personal_care_meta_shalinanvai": (parse_ucsd_file, "*.jsonl"),
    "promptcloud_amazon2020_sample_WSU": (parse_image2mass_file, "*.csv"),
    "brightdata_amazon_samples_luminati": (parse_aspa_file, "output_data/*.json"),
    "abo_samples_aws_smart_product_onboarding": (parse_aspa_file, "*.json"),
}


def _require_real() -> None:
    if not REAL.is_dir():
        pytest.skip("../shared/data/real not present (a user's own clone)")


@cache
def _parsed(folder: str, name: str) -> ParseResult:
    _require_real()
    parse, _ = SAMPLES[folder]
    return parse(REAL / folder / name)


def _rows(folder: str, name: str) -> dict[str, dict]:
    return {row["asin"]: row for row in _parsed(folder, name).listings.to_dicts()}


def _sample_files() -> list[tuple[str, str]]:
    if not REAL.is_dir():
        return []
    return [
        (folder, str(path.relative_to(REAL / folder)))
        for folder, (_, pattern) in SAMPLES.items()
        for path in sorted((REAL / folder).glob(pattern))
    ]


@pytest.mark.parametrize(("folder", "name"), _sample_files() or [("missing", "missing")])
def test_every_sample_file_parses_and_accounts_for_every_record(folder, name):
    _require_real()
    result = _parsed(folder, name)
    assert result.records_in > 0
    assert result.records_in == result.records_ok + result.quarantine.height
    assert result.listings["asin"].str.len_chars().eq(10).all()
    catalog_record_files = {"amazon_reviews_data.json", "amazon_seller_data.json"}
    if Path(name).name not in catalog_record_files:
        assert result.quarantine.height == 0, result.quarantine["reason"].to_list()


def test_ucsd_2018_appliances_tupperware_weight_from_tech1():
    row = _rows("ucsd2018_appliances_sample_CR3A7OR", "meta_Appliances.json")["7301113188"]
    assert row["mass_kg"] == pytest.approx(0.272, abs=5e-4)  # "9.6 ounces" in the tech1 table
    assert row["dimensions_cm"] == pytest.approx([20.828, 12.7, 11.43])  # "8.2 x 5 x 4.5 inches"


def test_ucsd_2018_gift_card_shipping_weight_from_details():
    row = _rows("ucsd2018_gift_cards_full_ncloud50", "meta_Gift_Cards.json")["B001BKEWF2"]
    assert row["package_weight_kg"] == pytest.approx(3 * OZ)  # details["Shipping Weight:"] = "3 ounces"
    assert row["mass_kg"] == pytest.approx(1.44 * OZ)  # "3.4 x 2.1 inches ; 1.44 ounces"


def test_ucsd_2018_review_files_aggregate_every_review():
    result = _parsed("ucsd2018_appliances_5core_Miggy070498", "Appliances_5.json")
    assert result.listings.height == 48  # PROVENANCE: 2,277 review lines, 48 ASINs
    assert result.listings["review_count"].sum() == 2277
    assert result.listings["rating_hist"].list.sum().sum() == 2277


def test_ucsd_2023_package_dimensions_weight():
    row = _rows("ucsd2023_health_personal_care_meta_shalinanvai", "meta_Health_and_Personal_Care.jsonl")["B075ZXP9XL"]
    assert row["package_weight_kg"] == pytest.approx(1.4 * LB)  # "6.5 x 5.8 x 5.1 inches; 1.4 Pounds"
    assert row["dimensions_cm"] == pytest.approx([16.51, 14.732, 12.954])
    assert (row["average_rating"], row["review_count"]) == (4.5, 18)
    assert row["image_urls"][0] == "https://m.media-amazon.com/images/I/71Qkm9ijF5L._AC_SL1500_.jpg"  # MAIN hi_res


def test_2020_product_table_recovers_every_asin():
    result = _parsed("promptcloud_amazon2020_sample_WSU", "sample_NinjaO9.csv")
    assert (result.records_in, result.records_ok) == (1999, 1999)  # the Asin column is empty in every row
    assert result.listings["asin"].n_unique() == 1999
    row = _rows("promptcloud_amazon2020_sample_WSU", "sample_NinjaO9.csv")["B07KMVJJK7"]
    assert row["package_weight_kg"] == pytest.approx(10.7 * LB)  # Shipping Weight "10.7 pounds"
    assert row["price_usd"] == pytest.approx(237.68)
    assert row["category_path"][0] == "Sports & Outdoors" and row["category_path"][-1] == "Longboards"


def test_scraped_catalog_record():
    row = _rows("brightdata_amazon_samples_luminati", "output_data/amazon_bestsellers.json")["B01FV0F8H8"]
    assert row["mass_kg"] == pytest.approx(5 * LB)  # item_weight "5 Pounds"
    assert row["price_usd"] == pytest.approx(7.41)  # final_price, USD
    assert row["review_count"] == 178695


def test_scraped_non_catalog_records_are_quarantined_not_dropped():
    result = _parsed("brightdata_amazon_samples_luminati", "output_data/amazon_reviews_data.json")
    assert result.records_ok == 0 and result.quarantine.height == result.records_in == 8
    assert result.quarantine["reason"].str.starts_with("unknown_record_format").all()


def test_abo_record():
    row = _rows("abo_samples_aws_smart_product_onboarding", "ABO_record_example_from_code_comment.json")["B073P5PZ5P"]
    assert row["mass_kg"] == pytest.approx(2.5 * LB)
    assert row["title"].startswith("Amazon Brand – Rivet")  # en_US name, not the zh_CN one
    assert row["product_type"] == "HOME"
