"""Macro Recall@k on hand-built cases, the query set from hidden product identity, diverse query sampling."""

import numpy as np
import polars as pl
import pytest

from emma_pipeline.search import diverse_queries, macro_recall, query_set, recall_at_k
from emma_pipeline.search.compare import compare_embeddings
from emma_pipeline.search.evaluation import paired_mean_gap


def test_recall_at_k_divides_by_min_of_k_and_matches():
    assert recall_at_k(["a", "x", "b"], {"a", "b"}, 1) == 1.0
    assert recall_at_k(["x", "a", "b"], {"a", "b"}, 1) == 0.0
    assert recall_at_k(["x", "a", "b"], {"a", "b"}, 5) == 1.0  # g = min(5, 2) = 2
    assert recall_at_k(["a", "x", "y"], {"a", "b", "c", "d", "e", "f"}, 5) == pytest.approx(1 / 5)
    with pytest.raises(ValueError):
        recall_at_k(["a"], set(), 1)


def test_macro_recall_averages_over_queries():
    ranked = [["a", "x"], ["y", "b"]]
    matches = [{"a"}, {"b"}]
    assert macro_recall(ranked, matches, ks=(1, 2)) == {1: 0.5, 2: 1.0}


def test_query_set_pairs_listings_with_other_listings_of_the_same_product():
    objects = pl.DataFrame({"asin": ["O1", "O2", "O3", "O4"], "leaf_category": [1, 1, 2, 2]})
    removed = pl.DataFrame({"asin": ["R1", "R2"], "leaf_category": [1, 2]})
    truth = pl.DataFrame({"asin": ["O1", "O2", "O3", "O4", "R1", "R2"], "product_id": [10, 10, 30, 40, 10, 99]})
    queries = query_set(objects, removed, truth).sort("asin")
    got = {a: sorted(m) for a, m in zip(queries["asin"], queries["matches"])}
    # O1/O2 are one product dedup missed (each finds the other), R1 a removed duplicate of it; O3, O4 and R2
    # have no other listing of their product among the objects
    assert got == {"O1": ["O2"], "O2": ["O1"], "R1": ["O1", "O2"]}


def test_diverse_queries_take_categories_in_turn_and_one_per_product():
    candidates = pl.DataFrame({"asin": [f"A{i}" for i in range(12)], "product_id": [i // 2 for i in range(12)],
                               "leaf_category": [0] * 8 + [1] * 2 + [2] * 2})
    picked = diverse_queries(candidates, max_queries=3, seed=0)
    assert sorted(picked["leaf_category"].to_list()) == [0, 1, 2]
    assert picked["product_id"].n_unique() == picked.height


def test_a_paired_mean_gap_is_sure_only_when_one_side_wins_on_most_queries():
    better, worse = np.ones(60), np.r_[np.zeros(40), np.ones(20)]
    gap, low, high = paired_mean_gap(better, worse)
    assert gap == pytest.approx(40 / 60) and 0 < low < gap < high <= 1
    # one query apart out of 87 (the sample's R@1 of object vs text: 82 and 83 hits), each missing queries the
    # other finds, is within noise
    a, b = np.ones(87), np.ones(87)
    a[[0, 1, 2, 3, 4]] = 0
    b[[2, 3, 4, 5]] = 0
    gap, low, high = paired_mean_gap(a, b)
    assert gap == pytest.approx(-1 / 87) and low < 0 < high
    assert paired_mean_gap(better, better) == (0.0, 0.0, 0.0)


def test_compare_embeddings_gives_the_reference_minus_each_other_embedding():
    """Ten products, each indexed twice (A<i>, B<i>); the query is A<i>, its match B<i>. The object embedding
    puts each pair together, the scrambled one pairs every A with the wrong B."""
    rng = np.random.default_rng(0)
    centres = rng.normal(size=(10, 8))
    asins = [f"A{i}" for i in range(10)] + [f"B{i}" for i in range(10)]
    good = np.vstack([centres, centres + 0.01 * rng.normal(size=(10, 8))])
    bad = np.vstack([centres, np.roll(centres, 1, axis=0)])
    usable = np.ones(20, dtype=bool)
    embeddings = {"object_embedding": (asins, good, usable), "scrambled": (asins, bad, usable)}
    queries = [f"A{i}" for i in range(10)]
    matches = [{f"B{i}"} for i in range(10)]
    table = compare_embeddings(embeddings, queries, matches, {"object_embedding": good[:10], "scrambled": bad[:10]})
    ref = table.filter(pl.col("embedding") == "object_embedding")
    assert ref["macro_recall"].to_list() == [1.0, 1.0, 1.0] and ref["gap_of_reference"].null_count() == 3
    one = table.filter((pl.col("embedding") == "scrambled") & (pl.col("k") == 1)).row(0, named=True)
    assert one["macro_recall"] == 0.0
    assert one["gap_of_reference"] == pytest.approx(1.0) and one["gap_low"] == pytest.approx(1.0)  # every query wins
