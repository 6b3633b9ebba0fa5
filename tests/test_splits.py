"""Splits (paper section 3.1): who may be held out, stability across rebuilds, and the near-train demotion."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from emma_pipeline.splits import NEAR_TRAIN, NO_LONGER_COMPLETE, NO_LONGER_HAS_MATERIALS, SplitConfig, assign_splits

COMPLETE = {
    "mass_kg": 0.4, "price_usd": 12.0, "materials_raw": ["ceramic"], "category_path": ["Home & Kitchen", "Mugs"],
    "review_count": 7, "image_urls": ["a.jpg", "b.jpg"],
}  # fmt: skip
# Each edge row lacks exactly one thing a held-out object needs.
EDGES = {
    "one_image": {"image_urls": ["a.jpg"]},
    "one_review": {"review_count": 1},
    "no_reviews": {"review_count": None},
    "no_mass": {"mass_kg": None},
    "no_price": {"price_usd": None},
    "empty_materials": {"materials_raw": []},
    "no_materials": {"materials_raw": None},
    "no_category": {"category_path": None},
    "empty_category": {"category_path": []},
    "no_images": {"image_urls": None},
}
SCHEMA = {
    "asin": pl.Utf8, "mass_kg": pl.Float64, "price_usd": pl.Float64, "materials_raw": pl.List(pl.Utf8),
    "category_path": pl.List(pl.Utf8), "review_count": pl.Int64, "image_urls": pl.List(pl.Utf8),
}  # fmt: skip
HALF = SplitConfig(val_fraction=0.5, test_fraction=0.5, calibration_fraction=0.0)  # draw every eligible object


def _objects(rows: list[tuple[str, dict]]) -> pl.DataFrame:
    return pl.DataFrame([{"asin": asin, **COMPLETE, **changes} for asin, changes in rows], schema=SCHEMA)


def _complete(n: int, prefix: str = "C") -> list[tuple[str, dict]]:
    return [(f"{prefix}{i:04d}", {}) for i in range(n)]


def _split_of(splits: pl.DataFrame) -> dict[str, str]:
    return dict(zip(splits["asin"], splits["split"]))


def test_only_complete_objects_are_held_out_and_val_test_share_a_short_pool():
    objects = _objects(_complete(20) + list(EDGES.items()))
    splits = assign_splits(objects, None, config=HALF)
    held_out = splits.filter(pl.col("split").is_in(["val", "test"]))
    assert sorted(held_out["asin"]) == [f"C{i:04d}" for i in range(20)]  # targets 15 + 15 exceed the pool of 20
    assert held_out["split"].value_counts().sort("split")["count"].to_list() == [10, 10]
    assert set(splits.filter(pl.col("asin").is_in(list(EDGES)))["split"]) == {"train"}
    assert splits["reason"].null_count() == splits.height


def test_calibration_comes_from_objects_with_materials_outside_val_and_test():
    rows = _complete(40) + [(f"M{i}", {"review_count": 0}) for i in range(40)] + [(f"N{i}", EDGES["no_materials"])
                                                                                  for i in range(20)]  # fmt: skip
    config = SplitConfig(val_fraction=0.1, test_fraction=0.1, calibration_fraction=0.3)
    splits = assign_splits(_objects(rows), None, config=config)
    counts = dict(splits["split"].value_counts().iter_rows())
    assert counts == {"val": 10, "test": 10, "calibration": 30, "train": 50}
    calibration = splits.filter(pl.col("split") == "calibration")["asin"]
    assert not calibration.str.starts_with("N").any()


def test_sizes_follow_fractions_and_caps():
    objects = _objects(_complete(200))
    counts = dict(assign_splits(objects, None, config=SplitConfig(test_max=3))["split"].value_counts().iter_rows())
    assert counts == {"val": 10, "test": 3, "calibration": 10, "train": 177}


def test_assignment_is_deterministic_and_independent_of_row_order():
    objects = _objects(_complete(150) + list(EDGES.items()))
    first = _split_of(assign_splits(objects, None))
    assert _split_of(assign_splits(objects.sample(fraction=1.0, shuffle=True, seed=5), None)) == first
    assert _split_of(assign_splits(objects, None, config=SplitConfig(seed=1))) != first  # the seed matters


def test_new_listings_leave_existing_splits_alone_and_fill_the_larger_targets():
    v1_objects = _objects(_complete(200))
    v1 = assign_splits(v1_objects, None)
    v2_objects = pl.concat([v1_objects, _objects(_complete(100, prefix="NEW"))])
    v2 = assign_splits(v2_objects, None, previous=v1, config=SplitConfig(seed=9))  # previous wins over the seed
    before, after = _split_of(v1), _split_of(v2)
    assert all(after[asin] == split for asin, split in before.items())
    counts = dict(v2["split"].value_counts().iter_rows())
    assert counts == {"val": 15, "test": 15, "calibration": 15, "train": 255}  # 5 % of 300 each
    grown = [a for a, s in after.items() if s != "train" and a.startswith("NEW")]
    assert len(grown) == 15  # exactly the 5 new members of each held-out split


def test_objects_that_lost_eligibility_go_to_train_with_a_reason():
    v1_objects = _objects(_complete(100))
    v1 = assign_splits(v1_objects, None)
    test_asin = v1.filter(pl.col("split") == "test")["asin"][0]
    calibration_asin = v1.filter(pl.col("split") == "calibration")["asin"][0]
    v2_objects = v1_objects.with_columns(
        pl.when(pl.col("asin") == test_asin).then(None).otherwise(pl.col("price_usd")).alias("price_usd"),
        pl.when(pl.col("asin") == calibration_asin).then(pl.lit([], dtype=pl.List(pl.Utf8)))
        .otherwise(pl.col("materials_raw")).alias("materials_raw"),
    )  # fmt: skip
    v2 = assign_splits(v2_objects, None, previous=v1).join(v1, on="asin", suffix="_v1")
    moved = v2.filter(pl.col("split") != pl.col("split_v1"))
    reasons = {r["asin"]: (r["split"], r["reason"]) for r in moved.to_dicts()}
    assert reasons == {test_asin: ("train", NO_LONGER_COMPLETE), calibration_asin: ("train", NO_LONGER_HAS_MATERIALS)}


def _unit(degrees: float) -> list[float]:
    return [np.cos(np.radians(degrees)), np.sin(np.radians(degrees)), 0.0]


def test_held_out_objects_near_a_train_object_are_demoted_including_knock_on_demotions():
    objects = _objects([("TRAIN_ANCHOR", EDGES["one_review"]), ("NEAR", {}), ("NEAR_NEAR", {}), ("FAR", {})])
    emb = np.array([_unit(0), _unit(20), _unit(40), [0.0, 0.0, 1.0]], dtype=np.float32)
    # cos(NEAR, anchor) = 0.94 -> demoted; cos(NEAR_NEAR, anchor) = 0.77 but cos(NEAR_NEAR, NEAR) = 0.94 -> demoted
    # once NEAR is train; FAR is orthogonal to everything.
    splits = assign_splits(objects, emb, config=HALF)
    got = {r["asin"]: (r["split"], r["reason"]) for r in splits.to_dicts()}
    assert got["NEAR"] == got["NEAR_NEAR"] == ("train", NEAR_TRAIN)
    assert got["FAR"][0] in {"val", "test"} and got["FAR"][1] is None
    assert got["TRAIN_ANCHOR"] == ("train", None)
    assert set(_split_of(assign_splits(objects, None, config=HALF)).values()) == {"train", "val", "test"}


def test_the_similarity_bar_is_inclusive_and_configurable():
    objects = _objects([("ANCHOR", EDGES["one_image"]), ("AT_BAR", {})])
    emb = np.array([[1.0, 0.0], [0.85, np.sqrt(1 - 0.85**2)]], dtype=np.float32)
    assert _split_of(assign_splits(objects, emb, config=HALF))["AT_BAR"] == "train"
    looser = SplitConfig(val_fraction=0.5, test_fraction=0.5, calibration_fraction=0.0, eval_train_similarity=0.9)
    assert _split_of(assign_splits(objects, emb, config=looser))["AT_BAR"] != "train"


def test_demoted_candidates_are_replaced_from_further_candidates():
    near = [(f"NEAR{i}", {}) for i in range(6)]
    far = [(f"FAR{i}", {}) for i in range(6)]
    objects = _objects([("ANCHOR", EDGES["no_price"])] + near + far)
    emb = np.zeros((objects.height, 8), dtype=np.float32)
    emb[0, 0] = 1.0
    emb[1:7, 0], emb[1:7, 1] = 1.0, 0.2  # every NEAR has cosine 0.98 with the anchor
    emb[7:13, 2:8] = np.eye(6)  # FARs are orthogonal to the anchor and to each other
    config = SplitConfig(val_fraction=2 / 13, test_fraction=2 / 13, calibration_fraction=0.0, refill_rounds=12)
    splits = assign_splits(objects, emb, config=config)
    held_out = splits.filter(pl.col("split").is_in(["val", "test"]))
    assert held_out.height == 4 and held_out["asin"].str.starts_with("FAR").all()
    demoted = splits.filter(pl.col("reason") == NEAR_TRAIN)["asin"]
    assert demoted.len() > 0 and demoted.str.starts_with("NEAR").all()
    no_refill = SplitConfig(val_fraction=2 / 13, test_fraction=2 / 13, calibration_fraction=0.0, refill_rounds=0)
    without = assign_splits(objects, emb, config=no_refill).filter(pl.col("split").is_in(["val", "test"]))
    assert 0 < without.height < 4 and without["asin"].str.starts_with("FAR").all()


def test_chunked_search_gives_the_same_splits_as_one_batch():
    rng = np.random.default_rng(0)
    objects = _objects(_complete(300) + [(f"I{i}", EDGES["one_image"]) for i in range(300)])
    base = rng.normal(size=(40, 16))
    emb = (base[rng.integers(0, 40, size=600)] + 0.3 * rng.normal(size=(600, 16))).astype(np.float32)
    one_batch = assign_splits(objects, emb)
    chunked = assign_splits(objects, emb, config=SplitConfig(search_chunk=47))
    assert one_batch.equals(chunked)
    assert (one_batch["reason"] == NEAR_TRAIN).sum() > 0  # the clusters make the check bite


def test_kept_held_out_objects_are_checked_against_new_train_listings():
    v1_objects = _objects(_complete(40))
    emb1 = np.eye(40, dtype=np.float32)
    v1 = assign_splits(v1_objects, emb1)
    test_row = v1["split"].to_list().index("test")
    v2_objects = pl.concat([v1_objects, _objects([("NEW_TWIN", EDGES["one_review"])])])
    emb2 = np.vstack([emb1, emb1[test_row : test_row + 1]])  # a new train listing identical in text
    v2 = assign_splits(v2_objects, emb2, previous=v1)
    assert v2.select("asin", "split", "reason").row(test_row, named=True) == {
        "asin": v1["asin"][test_row], "split": "train", "reason": NEAR_TRAIN
    }  # fmt: skip


def _keyed_case():
    """ANCHOR is train; H1..H5 complete (held out under HALF). H3 is near H2 (both held out, so never compared);
    H5 is at cosine 0.9 to ANCHOR, under a 0.95 bar."""
    objects = _objects([("ANCHOR", EDGES["one_review"])] + [(f"H{i}", {}) for i in range(1, 6)])
    emb = np.zeros((6, 8), dtype=np.float32)
    emb[0, 0] = emb[1, 1] = emb[2, 2] = emb[4, 4] = 1.0
    emb[3, 2], emb[3, 3] = 1.0, 0.2
    emb[5, 0], emb[5, 5] = 0.9, np.sqrt(1 - 0.81)
    keys = [f"k{i}" for i in range(6)]
    return objects, emb, keys


LOOSE_HALF = SplitConfig(val_fraction=0.5, test_fraction=0.5, calibration_fraction=0.0, eval_train_similarity=0.95)


def test_a_keyed_rebuild_catches_changed_text_rows_that_left_held_out_and_new_twins():
    objects, emb, keys = _keyed_case()
    v1 = assign_splits(objects, emb, config=LOOSE_HALF, text_keys=keys)
    assert v1.filter(pl.col("split") == "train")["asin"].to_list() == ["ANCHOR"]
    assert v1["text_key"].to_list() == [f"k{i}@0.95" for i in range(6)]
    emb2 = np.vstack([emb, emb[4:5]])  # NEW: a train listing with H4's text
    emb2[1] = 0.0
    emb2[1, 0], emb2[1, 1] = 1.0, 0.1  # H1's text changed to ANCHOR's
    keys2 = [*keys, "k_new"]
    keys2[1] = "k1_changed"
    objects2 = pl.concat([objects, _objects([("NEW", EDGES["one_image"])])]).with_columns(
        pl.when(pl.col("asin") == "H2").then(None).otherwise(pl.col("price_usd")).alias("price_usd")
    )  # H2 leaves val/test, so H3 now has a train object at cosine 0.98
    keyed = assign_splits(objects2, emb2, previous=v1, config=LOOSE_HALF, text_keys=keys2)
    got = {r["asin"]: (r["split"], r["reason"]) for r in keyed.to_dicts()}
    assert got["H1"] == got["H3"] == got["H4"] == ("train", NEAR_TRAIN)
    assert got["H2"] == ("train", NO_LONGER_COMPLETE) and got["H5"][0] in {"val", "test"}
    full = assign_splits(objects2, emb2, previous=v1.drop("text_key"), config=LOOSE_HALF)
    assert keyed.drop("text_key").equals(full.drop("text_key"))
    stricter = assign_splits(objects, emb, previous=v1, text_keys=keys, config=HALF)  # the bar fell to 0.85
    assert dict(zip(stricter["asin"], stricter["reason"]))["H5"] == NEAR_TRAIN


def test_a_keyed_rebuild_searches_kept_held_out_objects_only_against_new_train_rows(monkeypatch):
    import emma_pipeline.splits.near_train as near_train

    objects, emb, keys = _keyed_case()
    v1 = assign_splits(objects, emb, config=LOOSE_HALF, text_keys=keys)
    searched = []
    real = near_train._rows_near
    monkeypatch.setattr(near_train, "_rows_near", lambda e, t, s, *a: searched.append((t.size, s.size)) or real(e, t, s, *a))
    objects2 = pl.concat([objects, _objects([("NEW", EDGES["one_image"])])])
    emb2 = np.vstack([emb, np.eye(8, dtype=np.float32)[7:]])
    assign_splits(objects2, emb2, previous=v1, config=LOOSE_HALF, text_keys=[*keys, "k_new"])
    assert max(t * s for t, s in searched) == 5  # five kept held-out objects against the one new train row
    searched.clear()
    assign_splits(objects2, emb2, previous=v1, config=LOOSE_HALF)  # without keys: all of train again
    assert max(t * s for t, s in searched) == 10


@pytest.mark.parametrize(
    ("objects", "emb", "message"),
    [
        (_objects([("A", {}), ("A", {})]), None, "one row per ASIN"),
        (_objects([("A", {})]).drop("review_count"), None, "review_count"),
        (_objects([("A", {}), ("B", {})]), np.zeros((3, 4), dtype=np.float32), r"shape \(3, 4\) for 2 objects"),
    ],
    ids=["repeated_asin", "missing_column", "misaligned_embeddings"],
)
def test_unusable_input_gets_a_clear_error(objects, emb, message):
    with pytest.raises(ValueError, match=message):
        assign_splits(objects, emb)


def test_impossible_configs_are_refused():
    with pytest.raises(ValueError, match="sum to at most 1"):
        SplitConfig(val_fraction=0.6, test_fraction=0.6)
    with pytest.raises(ValueError, match="cosine"):
        SplitConfig(eval_train_similarity=1.5)
