import numpy as np
import pytest

from emma_pipeline.cleaning.non_physical import (
    CATEGORY_RULES,
    CUE_WORDS,
    TITLE_RULES,
    cue_features,
    rule_match,
    score_non_physical,
)


@pytest.mark.parametrize(
    ("title", "category", "expected"),
    [
        ("Amazon.com eGift Card - Birthday", None, "title: gift card"),
        ("Norton 360 Deluxe [Download]", None, "title: download"),
        ("Galactic Tides (Kindle Edition)", None, "title: kindle edition"),
        ("3-Year Accident Protection Plan for Laptops", None, "title: protection plan"),
        ("Xbox Live 12 Month Digital Code", None, "title: digital code"),
        ("Bestselling Novel", ["Kindle Store", "Kindle eBooks"], "category: ebook"),
        ("PC Security Suite", ["Software", "Antivirus & Security"], "category: software"),
        # physical goods that merely mention the words
        ("Leather Gift Card Holder for Women", ["Clothing, Shoes & Jewelry"], None),
        ("Cordless Drill with 2-Year Warranty", ["Tools & Home Improvement"], None),
        ("Stainless Steel Coffee Mug", None, None),
        (None, None, None),
    ],
)
def test_rules_name_digital_goods_but_not_physical_goods_mentioning_them(title, category, expected):
    assert rule_match(title, category) == expected


def _first_rule(title, category_path):
    """The rule order, written out: every title rule in order, then every category rule."""
    for name, pattern in TITLE_RULES:
        if title and pattern.search(title):
            return f"title: {name}"
    category = " > ".join(category_path or ())
    for name, pattern in CATEGORY_RULES:
        if category and pattern.search(category):
            return f"category: {name}"
    return None


def test_the_first_rule_in_order_wins_not_the_leftmost_match():
    assert rule_match("Kindle Edition ebook, instant download", None) == "title: download"
    rng = np.random.default_rng(0)
    words = ["kindle edition", "ebook", "download", "gift card", "gift card holder", "warranty plan", "mug",
             "extended warranty", "2-year protection", "subscription", "steel", "activation code", "Audible"]  # fmt: skip
    categories = [None, [], ["Software"], ["Books", "Kindle Store"], ["Home", "Mugs"], ["Digital Music"]]
    for _ in range(500):
        title = " ".join(rng.choice(words, size=rng.integers(0, 4)))
        category = categories[rng.integers(len(categories))]
        assert rule_match(title, category) == _first_rule(title, category), (title, category)


def test_cue_features_mark_words_in_title_or_category():
    features = cue_features(["Email Delivery gift", "Oak Table"], [None, ["Home", "Digital Frames"]])
    assert features.shape == (2, len(CUE_WORDS))
    assert features[0, CUE_WORDS.index("email")] == 1 and features[0, CUE_WORDS.index("delivery")] == 1
    assert features[1, CUE_WORDS.index("digital")] == 1 and features[1, CUE_WORDS.index("email")] == 0
    assert cue_features([], []).shape == (0, len(CUE_WORDS))


def _embeddings(rng: np.random.Generator, direction: int, n: int) -> np.ndarray:
    emb = rng.normal(0, 0.3, size=(n, 8))
    emb[:, direction] += 3
    return emb / np.linalg.norm(emb, axis=1, keepdims=True)


def test_model_generalizes_from_rule_seeds_to_unnamed_digital_listings():
    rng = np.random.default_rng(0)
    titles = ["Email eGift Card"] * 10 + ["Sturdy Oak Table"] * 20 + ["Bestselling Novel", "Plain Wooden Chair"]
    cats = [None] * len(titles)
    emb = np.vstack([_embeddings(rng, 0, 10), _embeddings(rng, 1, 20), _embeddings(rng, 0, 1), _embeddings(rng, 1, 1)])
    physical = np.array([False] * 10 + [True] * 20 + [False, False])

    scores = score_non_physical(titles, cats, emb, physical, physical, threshold=0.5)

    assert scores.model_fitted
    assert scores.removed_by_rule[:10].all() and not scores.removed_by_rule[10:].any()
    assert scores.removed_by_model[30] and not scores.removed_by_model[31]  # the novel goes, the chair stays
    assert not scores.removed[10:30].any()
    assert scores.rule[0] == "title: gift card" and scores.rule[30] is None
    assert scores.probability[30] > 0.5 > scores.probability[31]


def test_too_few_seeds_leaves_the_decision_to_the_rules():
    titles = ["Email eGift Card", "Bestselling Novel", "Oak Table"]
    emb = np.eye(3)
    physical = np.array([False, False, True])
    scores = score_non_physical(titles, [None] * 3, emb, physical, physical, threshold=0.5, min_seeds=5)
    assert not scores.model_fitted
    assert scores.removed.tolist() == [True, False, False]
    assert scores.probability.tolist() == [1.0, 0.0, 0.0]


def test_a_rule_hit_on_a_listing_with_physical_measures_is_left_to_the_model():
    rng = np.random.default_rng(1)
    titles = ["Email eGift Card"] * 10 + ["Sturdy Oak Table"] * 20 + ["Pill Organizer with Bonus Gift Card"] * 2
    emb = np.vstack([_embeddings(rng, 0, 10), _embeddings(rng, 1, 22)])
    has_mass = np.array([False] * 10 + [True] * 20 + [False, True])
    has_dims = np.array([False] * 10 + [True] * 20 + [True, False])

    scores = score_non_physical(titles, [None] * 32, emb, has_mass, has_dims, threshold=0.5)

    assert scores.rule[30] == scores.rule[31] == "title: gift card"
    assert not scores.removed[30:].any()  # the model, which sees organizer-like embeddings, keeps them
    assert scores.removed_by_rule[:10].all()
