"""Rebuilds judge only new or changed listings, against the persisted indexes; earlier decisions stand."""

import numpy as np
import polars as pl

from emma_pipeline.cleaning.dedup_versions import DEDUP_CONFIG, INDEX_VERSION, versions_row
from emma_pipeline.cleaning.incremental import deduplicate

DIM = 8


def _axis(i: int) -> np.ndarray:
    v = np.zeros(DIM, dtype=np.float32)
    v[i] = 1.0
    return v


def _near(i: int, j: int, cosine: float = 0.995) -> np.ndarray:
    return cosine * _axis(i) + np.sqrt(1 - cosine**2) * _axis(j)


def _objects(asins, mass=None):
    n = len(asins)
    return pl.DataFrame(
        {"asin": asins, "title": [f"listing {a}" for a in asins], "features": [None] * n, "description": [None] * n,
         "image_urls": [[f"{a}.jpg"] for a in asins], "mass_kg": mass or [None] * n, "review_count": [0] * n},
        schema_overrides={"features": pl.List(pl.Utf8), "description": pl.Utf8, "mass_kg": pl.Float64},
    )  # fmt: skip


def _hashes(asins, text_hash=None):
    return pl.DataFrame({"asin": asins, "text_hash": text_hash or [f"t-{a}" for a in asins],
                         "image_hash": [f"i-{a}" for a in asins]})  # fmt: skip


def _images(n):
    return np.stack([np.eye(16, dtype=np.float32)[i] for i in range(n)])


def test_second_run_checks_only_new_listings_and_keeps_old_decisions():
    first = deduplicate(_objects(["A", "B", "C"]), np.stack([_axis(0), _near(0, 1), _axis(2)]), _images(3), _hashes(["A", "B", "C"]))
    assert first.checked == 3 and first.removals["asin"].to_list() == ["B"]  # A and B: same product, A kept (smaller ASIN)

    asins = ["A", "B", "C", "D", "E"]
    text = np.stack([_axis(0), _near(0, 1), _axis(2), _near(2, 3), _axis(5)])  # D duplicates the old C
    second = deduplicate(_objects(asins), text, _images(5), _hashes(asins), first.state)
    assert second.checked == 2  # only D and E were judged
    assert sorted(second.removals["asin"].to_list()) == ["B", "D"]
    assert second.removals.filter(pl.col("asin") == "D")["kept_twin"].to_list() == ["C"]
    assert second.kept["asin"].to_list() == ["A", "C", "E"]


def test_changed_listing_is_judged_again_and_vanished_ones_leave_the_index():
    first = deduplicate(_objects(["A", "B", "C"]), np.stack([_axis(0), _near(0, 1), _axis(2)]), _images(3), _hashes(["A", "B", "C"]))
    # A's text changed (now unrelated to B) and C is gone: B must be judged again and kept
    asins = ["A", "B"]
    second = deduplicate(_objects(asins), np.stack([_axis(4), _near(0, 1)]), _images(2),
                         _hashes(asins, text_hash=["t-A2", "t-B"]), first.state)  # fmt: skip
    assert second.removals.height == 0 and second.kept["asin"].to_list() == ["A", "B"]
    assert sorted(second.state.index.text.ids()) == ["A", "B"]


def test_better_new_twin_replaces_the_old_kept_object():
    first = deduplicate(_objects(["A", "B"]), np.stack([_axis(0), _near(0, 1)]), _images(2), _hashes(["A", "B"]))
    asins = ["A", "B", "Z"]
    second = deduplicate(_objects(asins, mass=[None, None, 2.0]), np.stack([_axis(0), _near(0, 1), _near(0, 2)]),
                         _images(3), _hashes(asins), first.state)  # fmt: skip
    assert second.kept["asin"].to_list() == ["Z"]
    twins = dict(second.removals.select("asin", "kept_twin").iter_rows())
    assert twins == {"A": "Z", "B": "Z"}  # B, removed last time as A's twin, now points at the new keeper


def test_decisions_made_with_another_dedup_config_are_judged_again(tmp_path):
    from emma_pipeline.cleaning.dedup_config import DedupConfig
    from emma_pipeline.cleaning.dedup_store import load_previous_dedup, save_dedup_index
    from emma_pipeline.cleaning.fingerprint import fingerprint

    asins = ["A", "B", "C"]
    first = deduplicate(_objects(asins), np.stack([_axis(0), _near(0, 1), _axis(2)]), _images(3), _hashes(asins))
    version = save_dedup_index(first.state.index, tmp_path)
    state, versions = first.state.hashes, versions_row(version, fingerprint(DedupConfig()), None, "m")
    same = load_previous_dedup(state, versions, first.groups, first.removals, tmp_path, fingerprint(DedupConfig()))
    assert same.state is not None and same.version == version
    stricter = DedupConfig(text_threshold=0.999)  # B (cosine 0.995 to A) is no longer a duplicate
    changed = load_previous_dedup(state, versions, first.groups, first.removals, tmp_path, fingerprint(stricter))
    assert changed.state is None and "config changed" in changed.note
    again = deduplicate(_objects(asins), np.stack([_axis(0), _near(0, 1), _axis(2)]), _images(3), _hashes(asins),
                        changed.state, stricter)  # fmt: skip
    assert again.checked == 3 and again.removals.height == 0


def test_a_dedup_state_from_before_dedup_versions_or_a_lost_versions_row_means_judging_every_listing(tmp_path):
    from emma_pipeline.cleaning.dedup_store import load_previous_dedup, save_dedup_index

    first = deduplicate(_objects(["A", "B"]), np.stack([_axis(0), _near(0, 1)]), _images(2), _hashes(["A", "B"]))
    version = save_dedup_index(first.state.index, tmp_path)
    old = first.state.hashes.with_columns(pl.lit(version).alias(INDEX_VERSION), pl.lit("c").alias(DEDUP_CONFIG))
    from_old = load_previous_dedup(old, None, first.groups, first.removals, tmp_path, "c")
    assert from_old.state is None and "layout from before dedup_versions" in from_old.note
    for versions, note in ((None, "no dedup_versions table"), (versions_row(version, "c", None, "m").clear(), "0 rows"),
                           (versions_row(None, "c", None, "m"), "names no index version")):  # fmt: skip
        previous = load_previous_dedup(first.state.hashes, versions, first.groups, first.removals, tmp_path, "c")
        assert previous.state is None and note in previous.note, previous.note
