"""A rebuild scores only new or changed listings with the saved filter models; a changed threshold re-judges
every listing from the stored scores; changed model settings fit the models again."""

import numpy as np
import polars as pl

from emma_pipeline.cleaning.dedup_versions import versions_row
from emma_pipeline.cleaning.filter_models import (
    FilterModels,
    known_scores,
    load_filter_models,
    model_fingerprint,
    previous_filter_models,
    save_filter_models,
)
from emma_pipeline.cleaning.filters import FilterConfig, KnownScores, apply_filters
from emma_pipeline.cleaning.text_image_match import MatcherConfig, TextImageMatcher

FAST = MatcherConfig(hidden=64, epochs=30, batch_size=64, n_others=63)
CONFIG = FilterConfig(mismatch_min_listings=100, matcher=FAST)
_SCHEMA = {
    "asin": pl.Utf8, "title": pl.Utf8, "image_urls": pl.List(pl.Utf8), "mass_kg": pl.Float64,
    "dimensions_cm": pl.List(pl.Float64), "category_path": pl.List(pl.Utf8), "materials_raw": pl.List(pl.Utf8),
}  # fmt: skip


def _objects(n: int) -> pl.DataFrame:
    rows = [{"asin": f"A{i:03d}", "title": f"Sturdy item {i}", "image_urls": [f"img/{i}.jpg"], "mass_kg": 1.0,
             "dimensions_cm": [10.0, 5.0, 2.0], "category_path": ["Home"], "materials_raw": None} for i in range(n)]  # fmt: skip
    return pl.DataFrame(rows, schema=_SCHEMA)


def _first_run(aligned_pairs, n=160):
    text, image, _ = aligned_pairs(n, 8, seed=2)
    objects = _objects(n)
    return objects, text, image, apply_filters(objects, text, image, np.ones(n, dtype=bool), CONFIG)


def test_saved_models_score_only_the_listings_without_a_known_score(aligned_pairs, monkeypatch, tmp_path):
    objects, text, image, first = _first_run(aligned_pairs)
    version = save_filter_models(FilterModels(first.non_physical_model, first.matcher), tmp_path, keep=[])
    models = load_filter_models(tmp_path, version)
    scored = []
    score = TextImageMatcher.score
    monkeypatch.setattr(TextImageMatcher, "score", lambda self, t, *a, **k: scored.append(len(t)) or score(self, t, *a, **k))

    agreement = first.scores["text_image_agreement"].fill_null(np.nan).to_numpy().copy()
    agreement[:5] = np.nan  # five listings changed since: they have no known score
    known = KnownScores(np.full(objects.height, np.nan), agreement)
    again = apply_filters(objects, text, image, np.ones(objects.height, dtype=bool), CONFIG,
                          matcher=models.matcher, known=known)  # fmt: skip
    assert scored == [5] and again.matcher is models.matcher
    unchanged = first.scores.slice(5).select("asin", "text_image_agreement")
    assert again.scores.slice(5).select("asin", "text_image_agreement").equals(unchanged)
    old = set(first.removals.filter(~pl.col("asin").is_in([f"A{i:03d}" for i in range(5)]))["asin"])
    assert old <= set(again.removals["asin"])  # earlier decisions of unchanged listings stand


def test_a_changed_threshold_rejudges_every_listing_from_the_stored_scores(aligned_pairs):
    objects, text, image, first = _first_run(aligned_pairs)
    agreement = first.scores["text_image_agreement"].fill_null(np.nan).to_numpy()
    known = KnownScores(np.full(objects.height, np.nan), agreement)
    stricter = FilterConfig(mismatch_min_listings=100, matcher=FAST, mismatch_threshold=2.0)
    again = apply_filters(objects, text, image, np.ones(objects.height, dtype=bool), stricter,
                          matcher=first.matcher, known=known)  # fmt: skip
    mismatched = lambda result: set(result.removals.filter(pl.col("reason") == "text_image_mismatch")["asin"])  # noqa: E731
    assert mismatched(first) < mismatched(again)  # old listings between the thresholds are removed now
    assert mismatched(again) == {a for a, s in zip(objects["asin"], agreement) if s < 2.0}


def test_changed_model_settings_or_lost_models_mean_fitting_again(tmp_path):
    version = save_filter_models(FilterModels(None, None), tmp_path, keep=[])
    versions = versions_row("v-index", "dedup", version, model_fingerprint(CONFIG))
    assert previous_filter_models(versions, tmp_path, CONFIG).models == FilterModels(None, None)
    stricter = FilterConfig(mismatch_min_listings=100, matcher=FAST, mismatch_threshold=2.0)
    assert previous_filter_models(versions, tmp_path, stricter).version == version  # a threshold is not a model setting
    other = FilterConfig(mismatch_min_listings=100, matcher=MatcherConfig(epochs=3))
    assert previous_filter_models(versions, tmp_path, other).models is None
    assert previous_filter_models(versions.with_columns(filter_models=pl.lit("v-gone")), tmp_path, CONFIG).models is None
    # no versions row (a first run, or a lake from before dedup_versions): fit again, not crash
    assert previous_filter_models(None, tmp_path, CONFIG).models is None
    assert previous_filter_models(versions.clear(), tmp_path, CONFIG).models is None


def test_known_scores_are_those_of_listings_whose_row_hash_is_unchanged():
    state = pl.DataFrame({"asin": ["A", "B", "C"], "row_hash": ["a", "b", "c"]})
    scores = pl.DataFrame({"asin": ["A", "B", "C"], "non_physical_probability": [0.1, 0.2, None],
                           "text_image_agreement": [1.5, 2.5, 3.5]})  # fmt: skip
    known = known_scores(["C", "B", "A", "D"], ["c", "b-changed", "a", "d"], state, scores)
    assert np.array_equal(known.text_image_agreement, [3.5, np.nan, 1.5, np.nan], equal_nan=True)
    assert np.array_equal(known.non_physical_probability, [np.nan, np.nan, 0.1, np.nan], equal_nan=True)
