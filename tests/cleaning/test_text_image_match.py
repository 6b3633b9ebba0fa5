import numpy as np
import pytest
import torch

from emma_pipeline.cleaning.text_image_match import MatcherConfig, TextImageMatcher, cross_fit_agreement

FAST = MatcherConfig(hidden=64, epochs=30, batch_size=64, n_others=63)
THRESHOLD = 1.0  # the default margin: an unrelated pair is ~N(0, 1)


def test_cross_fitted_agreement_finds_planted_mismatches(aligned_pairs):
    text, image, _ = aligned_pairs(400, 20)
    agreement = cross_fit_agreement(text, image, folds=3, config=FAST, seed=0)
    assert agreement.shape == (400,) and np.isfinite(agreement).all()
    flagged = agreement < THRESHOLD
    assert flagged[:20].mean() >= 0.7  # recall on planted mismatches
    assert flagged[20:].mean() <= 0.02  # matching listings wrongly flagged
    assert np.median(agreement[20:]) > 1.5 and abs(np.median(agreement[:20])) < 0.7


def test_fit_is_seeded_and_save_load_reproduces_scores(tmp_path, aligned_pairs):
    text, image, _ = aligned_pairs(200, 0)
    first = TextImageMatcher(FAST).fit(text, image, seed=3)
    second = TextImageMatcher(FAST).fit(text, image, seed=3)
    np.testing.assert_array_equal(first.score(text, image), second.score(text, image))

    first.save(tmp_path / "matcher")
    loaded = TextImageMatcher.load(tmp_path / "matcher")
    assert loaded.config == FAST
    np.testing.assert_array_equal(loaded.score(text, image, seed=5), first.score(text, image, seed=5))


def test_a_small_new_batch_is_scored_against_reference_texts(aligned_pairs):
    text, image, _ = aligned_pairs(306, 1, seed=4)  # listing 0 shows another kind's picture
    matcher = TextImageMatcher(FAST).fit(text[6:], image[6:], seed=0)
    margin = matcher.score(text[:6], image[:6], reference_text=text[6:])
    assert margin[0] < THRESHOLD < margin[1:].min()
    assert np.isnan(matcher.score(text[:2], image[:2])).all()  # one other text in the batch: no spread


def test_score_rejects_unfitted_use_and_other_embedding_sizes(aligned_pairs):
    text, image, _ = aligned_pairs(50, 0)
    with pytest.raises(RuntimeError, match="not fitted"):
        TextImageMatcher(FAST).score(text, image)
    matcher = TextImageMatcher(FAST).fit(text, image)
    with pytest.raises(ValueError, match="dims"):
        matcher.score(text[:, :10], image)
    with pytest.raises(ValueError, match="dims"):
        matcher.score(text, image, reference_text=text[:, :10])
    with pytest.raises(ValueError, match="rows"):
        matcher.score(text[:5], image[:6])


def test_fitting_needs_two_listings_and_leaves_the_global_rng_alone(aligned_pairs):
    text, image, _ = aligned_pairs(50, 0)
    torch.manual_seed(1)
    expected = torch.rand(3)
    torch.manual_seed(1)
    TextImageMatcher(FAST).fit(text, image, seed=9)
    assert torch.equal(torch.rand(3), expected)
    with pytest.raises(ValueError, match="at least 2"):
        TextImageMatcher(FAST).fit(text[:1], image[:1])
