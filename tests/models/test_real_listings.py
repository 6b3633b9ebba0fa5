"""Real listings as a training set: targets from the parsed columns, materials mapped onto the taxonomy, a seeded
split by ASIN; the real public samples (when present next to the repository) read through the project's parsers."""

from pathlib import Path

import numpy as np
import polars as pl
import pytest

from emma_pipeline.models.real_listings import SHARES, prepared_from_listings, read_listings

REAL = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "real"


def _frame(n: int) -> pl.DataFrame:
    return pl.DataFrame({
        "asin": [f"B{i:09d}" for i in range(n)], "title": [f"item {i}" for i in range(n)],
        "mass_kg": [None if i % 3 == 0 else 0.5 + i for i in range(n)], "price_usd": [None if i % 4 == 0 else 9.99 for i in range(n)],
        "materials_raw": ["stainless steel" if i % 2 else None for i in range(n)], "text": [f"item {i}" for i in range(n)],
    })  # fmt: skip


def test_targets_and_split_come_from_the_listing_columns():
    prepared = prepared_from_listings(_frame(400), seed=3)
    t = prepared.targets
    assert np.isnan(t.mass[0]) and t.mass[1] == pytest.approx(1.5)
    assert np.isnan(t.price[0]) and t.price[1] == pytest.approx(9.99)
    labeled = t.materials_mask.sum(axis=1) > 0
    assert labeled[1::2].all() and not labeled[0::2].any()  # "stainless steel" mapped, missing strings unknown
    shares = {s: len(prepared.rows(s)) / 400 for s in SHARES}
    assert all(abs(shares[s] - SHARES[s]) < 0.08 for s in SHARES)
    again = prepared_from_listings(_frame(400), seed=3)
    assert (again.split == prepared.split).all()


def test_real_ucsd_meta_sample_reads_through_the_parser():
    path = REAL / "ucsd2018_appliances_sample_CR3A7OR" / "meta_Appliances.json"
    if not path.exists():
        pytest.skip("../shared/data/real not present (a user's own clone)")
    frame = read_listings([("ucsd", path), ("ucsd", path.with_name("Reviews.json"))], REAL)
    assert frame.height == 100  # reviews carry no title: no listing rows from them
    assert frame["origin"].unique().to_list() == ["ucsd2018_appliances_sample_CR3A7OR"]
    assert frame["mass_kg"].is_not_null().sum() > 50 and frame["text"].str.len_chars().min() > 0


def test_star_histograms_come_from_the_review_records_of_the_same_asin(tmp_path):
    meta, reviews = tmp_path / "meta_Kitchen.json", tmp_path / "Kitchen.json"
    meta.write_text('{"asin": "B000000001", "title": "Steel mug", "price": "$9.99"}\n'
                    '{"asin": "B000000002", "title": "Oak board", "price": "$19.99"}\n')
    reviews.write_text("".join(f'{{"asin": "B000000001", "overall": {s}.0, "reviewText": "ok"}}\n' for s in (5, 5, 4)))
    frame = read_listings([("ucsd", meta), ("ucsd", reviews)])
    assert frame["asin"].to_list() == ["B000000001", "B000000002"]  # the review file adds no listing rows
    assert frame["rating_hist"].to_list() == [[0, 0, 0, 1, 2], None] and frame["review_count"].to_list() == [3, None]
    t = prepared_from_listings(frame, seed=0).targets
    assert t.ratings[0] == pytest.approx([0, 0, 0, 1 / 3, 2 / 3]) and t.review_count[0] == 3
    assert np.isnan(t.ratings[1]).all() and t.review_count[1] == 0
