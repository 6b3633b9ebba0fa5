import numpy as np
import polars as pl
import pytest

from emma_pipeline.cleaning.filters import FilterConfig, apply_filters
from emma_pipeline.cleaning.generic_images import find_generic_images, image_signatures
from emma_pipeline.cleaning.text_image_match import MatcherConfig
from emma_pipeline.evaluation.filters_eval import evaluate_filters
from emma_pipeline.removals import REMOVALS_SCHEMA

FAST = MatcherConfig(hidden=64, epochs=30, batch_size=64, n_others=63)
_SCHEMA = {
    "asin": pl.Utf8, "title": pl.Utf8, "image_urls": pl.List(pl.Utf8), "mass_kg": pl.Float64,
    "dimensions_cm": pl.List(pl.Float64), "category_path": pl.List(pl.Utf8), "materials_raw": pl.List(pl.Utf8),
}  # fmt: skip


def _object(asin: str, **fields) -> dict:
    row = {"asin": asin, "title": f"Sturdy item {asin}", "image_urls": [f"img/{asin}.jpg"], "mass_kg": 1.0,
           "dimensions_cm": [10.0, 5.0, 2.0], "category_path": ["Home & Kitchen"], "materials_raw": None}  # fmt: skip
    return row | fields


def test_each_object_leaves_once_with_the_first_reason_that_applies(aligned_pairs):
    rows = [
        _object("blank-title", title="   "),
        _object("no-title-no-image", title=None, image_urls=None),
        _object("no-url", image_urls=[]),
        _object("unreadable"),
        _object("bare", mass_kg=None, category_path=None, materials_raw=["n/a", "blue"]),
        _object("materials-only", mass_kg=None, category_path=[], materials_raw=["60% Cotton"]),
        _object("gift", title="Amazon.com eGift Card", mass_kg=None, dimensions_cm=None, category_path=["Gift Cards"]),
        _object("mug", title="Ceramic Coffee Mug"),
    ]
    objects = pl.DataFrame(rows, schema=_SCHEMA)
    text, image, _ = aligned_pairs(len(rows), 0)
    image_ok = np.array([True, False, True, False, True, True, True, True])

    result = apply_filters(objects, text, image, image_ok)

    reasons = dict(zip(result.removals["asin"], result.removals["reason"]))
    assert reasons == {
        "blank-title": "no_title",
        "no-title-no-image": "no_title",
        "no-url": "no_image",
        "unreadable": "no_image",
        "bare": "no_core_attributes",
        "gift": "non_physical",
    }
    assert result.kept["asin"].to_list() == ["materials-only", "mug"]
    assert objects.height == result.kept.height + result.removals.height
    assert result.removals.schema == pl.Schema(REMOVALS_SCHEMA)
    assert set(result.removals["stage"]) == {"filters"}
    assert result.summary["non_physical_by_rule"] == 1 and not result.summary["non_physical_model_fitted"]
    assert result.summary["text_image_agreement_from"].startswith("skipped")
    assert result.scores["text_image_agreement"].null_count() == len(rows)
    assert result.scores.filter(pl.col("asin") == "gift")["non_physical_rule"].item() == "title: gift card"


def test_misaligned_arrays_are_refused(aligned_pairs):
    objects = pl.DataFrame([_object("a"), _object("b")], schema=_SCHEMA)
    text, image, _ = aligned_pairs(2, 0)
    with pytest.raises(ValueError, match="image_ok has 1 rows"):
        apply_filters(objects, text, image, np.array([True]))


def test_an_empty_batch_passes_through():
    empty = pl.DataFrame([], schema=_SCHEMA)
    result = apply_filters(empty, np.zeros((0, 24)), np.zeros((0, 48)), np.zeros(0, dtype=bool))
    assert result.kept.is_empty() and result.removals.is_empty() and result.scores.is_empty()
    assert result.removals.schema == pl.Schema(REMOVALS_SCHEMA)


def test_learned_filters_remove_planted_mismatches_and_a_shared_placeholder(aligned_pairs):
    n = 240
    text, image, _ = aligned_pairs(n, 12, seed=1)
    placeholder = list(range(200, 206))  # six unrelated listings show one logo picture
    image[placeholder] = image[0] * 2 + 5
    objects = pl.DataFrame([_object(f"A{i:03d}") for i in range(n)], schema=_SCHEMA)
    config = FilterConfig(mismatch_min_listings=100, matcher=FAST)

    result = apply_filters(objects, text, image, np.ones(n, dtype=bool), config)

    removed = result.removals.group_by("reason").agg(pl.col("asin"))
    by_reason = dict(zip(removed["reason"], removed["asin"].to_list()))
    assert sorted(by_reason["generic_image"]) == [f"A{i:03d}" for i in placeholder]
    mismatched = {f"A{i:03d}" for i in range(12)}
    caught = mismatched & set(by_reason["text_image_mismatch"])
    assert len(caught) >= 9 and len(set(by_reason["text_image_mismatch"]) - mismatched) <= 2
    assert objects.height == result.kept.height + result.removals.height
    assert result.summary["text_image_agreement_from"] == "cross_fit_3_folds"
    assert result.matcher is not None and result.scores["generic_image_group"].max() == 6

    again = apply_filters(objects, text, image, np.ones(n, dtype=bool), config, matcher=result.matcher)
    assert again.summary["text_image_agreement_from"] == "given_matcher"


def test_a_picture_shared_by_related_listings_is_not_generic(aligned_pairs):
    text, image, _ = aligned_pairs(12, 0, seed=2)
    variant_text = np.repeat(text[:1], 4, axis=0)  # four sizes of one product, one photo
    urls = [["shared.jpg"]] * 4 + [["logo.jpg"]] * 4 + [["pair.jpg"]] * 2 + [["own1.jpg"], ["own2.jpg"]]
    texts = np.vstack([variant_text, text[4:]])
    found = find_generic_images(urls, image, texts, np.ones(12, dtype=bool), min_listings=3, max_text_similarity=0.5)
    assert found.flagged.tolist() == [False] * 4 + [True] * 4 + [False] * 4
    assert found.group_size[4:8].tolist() == [4] * 4 and np.isnan(found.group_text_similarity[0])

    not_eligible = np.array([True] * 4 + [True, True, False, False] + [True] * 4)
    found = find_generic_images(urls, image, texts, not_eligible, min_listings=3, max_text_similarity=0.5)
    assert not found.flagged.any()  # only two eligible listings left sharing the logo


def test_signatures_match_the_same_picture_despite_inference_noise_and_not_other_photos():
    rng = np.random.default_rng(3)
    photo = np.abs(rng.normal(size=(1, 1280)))
    noisy = photo * (1 + 1e-6 * rng.normal(size=photo.shape))
    other = photo + 0.3 * np.abs(rng.normal(size=photo.shape))
    same, again, different, none = image_signatures(np.vstack([photo, noisy, other, np.zeros_like(photo)]))
    assert same == again and same != different
    assert none is None  # no picture matches nothing


def _truth(asin: str, **flags: bool) -> dict:
    defects = {"non_physical": False, "missing_title": False, "missing_image": False, "text_image_mismatch": False}
    return {"asin": asin, **defects, "listed_mass": True, "listed_materials": True, "listed_category": True} | flags


def test_evaluation_scores_each_reason_against_the_planted_defects():
    removals = pl.DataFrame(
        [
            {"asin": "mis1", "stage": "filters", "reason": "text_image_mismatch"},
            {"asin": "fine", "stage": "filters", "reason": "text_image_mismatch"},
            {"asin": "mis2", "stage": "filters", "reason": "no_core_attributes"},
            {"asin": "gift", "stage": "filters", "reason": "non_physical"},
            {"asin": "twin", "stage": "dedup", "reason": "near_duplicate"},
        ],
        schema=REMOVALS_SCHEMA,
    )
    truth = pl.DataFrame(
        [
            _truth("mis1", text_image_mismatch=True),
            _truth("mis2", text_image_mismatch=True),
            _truth("mis3", text_image_mismatch=True),
            _truth("fine"),
            _truth("gift", non_physical=True),
            _truth("twin"),
        ]
    )

    metrics = evaluate_filters(removals, truth)
    assert metrics["text_image_mismatch_precision"] == 0.5
    assert metrics["text_image_mismatch_recall"] == pytest.approx(1 / 3)
    assert metrics["text_image_mismatch_recall_any"] == pytest.approx(2 / 3)
    assert metrics["non_physical_precision"] == 1.0 and metrics["non_physical_recall"] == 1.0
    assert metrics["removed_total"] == 4  # the dedup row is another stage's
    assert np.isnan(metrics["no_title_precision"])  # nothing removed for it

    entered = evaluate_filters(removals, truth, asins=["mis1", "mis2", "fine", "gift"])
    assert entered["text_image_mismatch_recall"] == 0.5  # mis3 never reached the filters
