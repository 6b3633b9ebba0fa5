"""The learning core on literal data: each mode picks what the paper says it should."""

import numpy as np
import polars as pl

from emma_pipeline.labeling import model as lm
from emma_pipeline.labeling.keywords import keyword_matrix
from emma_pipeline.labeling.presets import PRESETS
from emma_pipeline.labeling.sampling import diverse, mislabel_order, most_confident, nearest, probability_range, uncertainty
from emma_pipeline.labeling.search import TextIndex
from emma_pipeline.labeling.stopping import cohen_kappa, stopping_hint


def _separable(n=40, seed=0):
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    x = rng.normal(0, 0.5, (n, 10)).astype(np.float32)
    x[:, 0] += np.where(y == 1, 2.0, -2.0)
    return x, y


def test_logistic_regression_learns_and_one_class_gives_a_base_rate():
    x, y = _separable()
    p = lm.fit(x, y).predict_proba(x)
    assert lm.binary_metrics(y, p)["f1"] == 1.0
    only_negatives = lm.fit(x[y == 0], y[y == 0]).predict_proba(x)
    assert np.allclose(only_negatives, only_negatives[0]) and 0 < only_negatives[0] < 0.1


def test_cross_validated_metrics_and_positive_rate():
    x, y = _separable()
    assert lm.cv_metrics(x, y)["f1"] == 1.0
    assert lm.cv_metrics(x[:3], y[:3]) is None  # one positive: cannot cross-validate
    assert lm.cv_metrics(x[:0], y[:0]) is None  # no labels yet: no figures (not an F1 of 0)
    assert lm.positive_rate(np.array([0.2, 0.9, 0.7, 0.1]))["positive_share_above_half"] == 0.5


def test_review_ranks_flipped_labels_first():
    x, y = _separable(n=80)
    noisy = y.copy()
    flipped = [3, 10, 41]
    noisy[flipped] = 1 - noisy[flipped]
    order, score = mislabel_order(noisy, lm.out_of_fold(x, noisy, folds=20))
    assert set(order[:3]) == set(flipped) and score[0] >= score[-1]


def test_uncertainty_picks_the_middle_and_guards_near_duplicates():
    p = np.array([0.01, 0.49, 0.51, 0.52, 0.9, 0.5], dtype=np.float32)
    emb = np.array([[1, 0], [0, 1], [0, 1.001], [1, 1], [1, 0.2], [-1, 0.3]], dtype=np.float32)
    picked = uncertainty(p, np.arange(6), emb, k=3)
    assert picked == [5, 1, 3]  # row 2 (p 0.51) is a near-duplicate of row 1 and is skipped
    assert diverse(np.array([1, 2]), emb, k=2) == [1]


def test_probability_range_pages_through_every_object_in_range():
    p = np.linspace(0, 1, 101).astype(np.float32)
    seen, total = [], 0
    for page in range(10):
        rows, total = probability_range(p, np.arange(101), 0.1, 0.5, k=7, page=page)
        seen += rows
    assert total == 41 and sorted(seen) == list(range(10, 51))


def test_verify_and_more_like_this():
    x, y = _separable()
    p = lm.fit(x, y).predict_proba(x)
    assert all(y[r] == 1 for r in most_confident(p, np.arange(len(y)), x, k=5))
    near = nearest(x, np.array([1]), exclude={3}, k=5)
    assert 1 not in near and 3 not in near and all(y[r] == 1 for r in near)


def test_keywords_match_at_word_starts_case_insensitively():
    texts = pl.Series(["Electric Kettle", "free shipping", "a PIN badge", None])
    m = keyword_matrix(texts, [("keyword", "electr"), ("keyword", "pin"), ("regex", r"ship+ing")])
    assert m.tolist() == [[1, 0, 0], [0, 0, 1], [0, 1, 0], [0, 0, 0]]


def test_word_search_pages_reach_every_match_once():
    titles = [f"item {i}" for i in range(50)]
    texts = pl.Series([("wicker baskets" if i % 3 == 0 else "steel knife") for i in range(50)])
    index = TextIndex([str(i) for i in range(50)], titles, texts)
    pages = [index.page("basket", page, 4, seed=5) for page in range(6)]
    seen = [r for rows, _ in pages for r in rows]
    assert pages[0][1] == 17 and sorted(seen) == list(range(0, 50, 3))
    assert seen != sorted(seen)  # random order, not the index order


def test_stopping_hint_needs_labels_then_stable_predictions():
    a = np.array([1, 0, 0, 1] * 50, dtype=bool)
    b = a.copy()
    b[:20] = ~b[:20]
    assert cohen_kappa(a, a) == 1.0 and cohen_kappa(a, b) < 0.99
    assert not stopping_hint([a, a, a, a], positives=5, negatives=100).stop
    assert not stopping_hint([a, b, a, a], positives=30, negatives=30).stop
    assert stopping_hint([b, a, a, a, a], positives=30, negatives=30).stop


def test_presets_hold_the_papers_six_properties_with_transparent_fixed():
    assert set(PRESETS) == {"sharp", "transparent", "deformable", "articulating", "electronic", "is_container"}
    assert set(PRESETS["transparent"].keywords).isdisjoint(PRESETS["sharp"].keywords)
    assert "copy error" in PRESETS["transparent"].notes
    assert PRESETS["is_container"].keywords[:3] == ("cup", "mug", "box")


def test_the_design_blocks_score_like_one_matrix_without_copying_it():
    rng = np.random.default_rng(3)
    emb = rng.normal(size=(50, 6)).astype(np.float32)
    kw = (rng.random((50, 2)) < 0.3).astype(np.float32)
    design = lm.design_matrix(emb, kw)
    dense = np.hstack([emb, kw * lm.keyword_scale(kw)])
    assert design.shape == (50, 8) and np.array_equal(design[[3, 7]], dense[[3, 7]])
    y = (dense[:, 0] + dense[:, 6] > 0.5).astype(np.int8)
    fitted = lm.fit(design[np.arange(40)], y[:40])
    assert np.allclose(fitted.predict_proba(design), fitted.predict_proba(dense), atol=1e-6)
    assert np.allclose(fitted.decision(design, chunk=7), fitted.decision(dense), atol=1e-5)


def test_keyword_columns_are_standardized_and_a_rare_keyword_is_capped():
    kw = np.zeros((1000, 3), dtype=np.float32)
    kw[:300, 0] = 1  # common
    kw[:30, 1] = 1  # rare: 3 %
    kw[:2, 2] = 1  # 0.2 %: scaled as if it were 1 %
    scaled = lm.design_matrix(np.zeros((1000, 1), np.float32), kw)[np.arange(1000)][:, 1:]
    assert np.allclose(scaled[:, :2].std(axis=0), 1.0, atol=1e-5)
    assert np.isclose(scaled[:, 2].max(), 1 / lm.KEYWORD_MIN_STD)
