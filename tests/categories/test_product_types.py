"""Product-type vocabulary: upper-snake normalization, reserved id 0, rare types, stable ids across rebuilds."""

from __future__ import annotations

import polars as pl
import pytest

from emma_pipeline.categories import (
    UNKNOWN_ID,
    assign_product_type_ids,
    normalize_product_type,
    product_type_vocabulary,
)


def _ids(vocabulary: pl.DataFrame) -> dict[str, int]:
    return dict(zip(vocabulary["product_type"], vocabulary["id"]))


def _counts(vocabulary: pl.DataFrame) -> dict[str, int]:
    return dict(zip(vocabulary["product_type"], vocabulary["count"]))


SPELLINGS = [
    "WIRELESS_ACCESSORY", " Wireless Accessory ", "wireless-accessory", "WirelessAccessory", "wireless__accessory"
]


@pytest.mark.parametrize("raw", SPELLINGS)
def test_spellings_of_one_type_normalize_to_upper_snake_case(raw):
    assert normalize_product_type(raw) == "WIRELESS_ACCESSORY"


@pytest.mark.parametrize("raw", [None, "", "   ", "--", "unknown", 42])
def test_missing_blank_or_unknown_types_normalize_to_none(raw):
    assert normalize_product_type(raw) is None


def test_vocabulary_reserves_id_0_for_missing_and_rare_types():
    types = ["PILLOW", "pillow", "Pillow", "KITCHEN", "KITCHEN", "LAMP", None, "", "unknown"]
    vocabulary = product_type_vocabulary(types, min_count=2)
    assert vocabulary["id"].to_list() == [0, 1, 2]
    assert _ids(vocabulary) == {"UNKNOWN": UNKNOWN_ID, "KITCHEN": 1, "PILLOW": 2}  # name order
    assert _counts(vocabulary) == {"UNKNOWN": 4, "KITCHEN": 2, "PILLOW": 3}  # LAMP is rare: counted as unknown
    assert product_type_vocabulary(types)["product_type"].to_list() == ["UNKNOWN", "KITCHEN", "LAMP", "PILLOW"]


def test_rebuild_keeps_ids_and_appends_new_types():
    v1 = product_type_vocabulary(["PILLOW", "LAMP", "KITCHEN"])
    v2 = product_type_vocabulary(["PILLOW", "BOTTLE", "ZIPPER", "ZIPPER", "ABIS_BOOK"], previous=v1, min_count=1)
    ids1, ids2 = _ids(v1), _ids(v2)
    assert all(ids2[name] == i for name, i in ids1.items())
    assert [ids2[name] for name in ("ABIS_BOOK", "BOTTLE", "ZIPPER")] == [4, 5, 6]  # after LAMP 1 .. PILLOW 3
    assert _counts(v2)["LAMP"] == 0  # vanished types stay, so their ids are never reused
    v3 = product_type_vocabulary(["PILLOW", "TENT"], previous=v2, min_count=2)
    assert _ids(v3)["LAMP"] == 2 and "TENT" not in _ids(v3)  # known types stay even below min_count; TENT is rare


def test_assign_maps_spellings_and_sends_missing_or_rare_types_to_0():
    vocabulary = product_type_vocabulary(["PILLOW", "PILLOW", "LAMP"], min_count=2)
    assert assign_product_type_ids(["Pillow", "LAMP", None, "SOFA", "unknown"], vocabulary) == [1, 0, 0, 0, 0]


def test_previous_vocabulary_with_duplicate_ids_is_refused():
    bad = pl.DataFrame({"id": [0, 1, 1], "product_type": ["UNKNOWN", "LAMP", "PILLOW"], "count": [0, 1, 1]})
    with pytest.raises(ValueError, match="duplicate"):
        product_type_vocabulary(["LAMP"], previous=bad)
