"""Product search: filters return exactly k whenever k objects pass, on exact, HNSW and IVF indexes; persistence."""

import numpy as np
import polars as pl
import pytest

from emma_pipeline.cleaning.ann_index import IndexParams
from emma_pipeline.search import ProductSearch, SearchFilter


def _catalog(n=400, dim=16, seed=0):
    rng = np.random.default_rng(seed)
    asins = [f"B{i:09d}" for i in range(n)]
    vectors = rng.normal(size=(n, dim)).astype(np.float32)
    attributes = pl.DataFrame({
        "asin": asins,
        "category_ids": [[0, 1 + i % 4] for i in range(n)],
        "material_ids": [[7] if i % 10 == 0 else ([8] if i % 3 == 0 else None) for i in range(n)],
        "price_usd": [None if i % 11 == 0 else float(i) for i in range(n)],
    })
    return asins, vectors, attributes


@pytest.mark.parametrize("params", [IndexParams(), IndexParams(exact_limit=10, hnsw_m=4, ef_search=4),
                                    IndexParams(exact_limit=10, kind="ivf_flat", ivf_nlist=8, ivf_nprobe=1),
                                    IndexParams(exact_limit=10, kind="ivf_pq", ivf_nlist=8, ivf_nprobe=1, pq_m=4)],
                         ids=["exact", "hnsw", "ivf_flat", "ivf_pq"])  # fmt: skip
@pytest.mark.parametrize("where", [SearchFilter(), SearchFilter(category_id=3), SearchFilter(material_ids=(7,)),
                                   SearchFilter(min_price=100, max_price=130), SearchFilter(category_id=2, material_ids=(7, 8))])
def test_filtered_search_returns_exactly_k_of_the_passing_objects(params, where):
    asins, vectors, attributes = _catalog()
    search = ProductSearch.build(asins, vectors, attributes, "m1", params)
    search.exact_below = 20  # force the in-graph filter path for larger filtered sets
    passing = set(attributes.filter(pl.Series(where.mask(attributes)))["asin"]) if not where.empty else set(asins)
    for k in (1, 10, 50):
        hits = search.search(vectors[5], k, where)
        assert len(hits) == min(k, len(passing))
        assert {a for a, _ in hits} <= passing
        sims = [s for _, s in hits]
        assert sims == sorted(sims, reverse=True)


def test_exact_results_match_brute_force_and_exclude_the_query():
    asins, vectors, attributes = _catalog()
    search = ProductSearch.build(asins, vectors, attributes, "m1")
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    expected = [asins[i] for i in np.argsort(-(unit @ unit[3]))[1:6]]
    assert [a for a, _ in search.search(vectors[3], 5, exclude=(asins[3],))] == expected


def test_a_filter_nothing_passes_returns_nothing():
    asins, vectors, attributes = _catalog()
    search = ProductSearch.build(asins, vectors, attributes, "m1")
    assert search.search(vectors[0], 5, SearchFilter(min_price=1e9)) == []


def test_saved_index_loads_with_the_same_results(tmp_path):
    asins, vectors, attributes = _catalog()
    search = ProductSearch.build(asins, vectors, attributes, "m1")
    search.save(tmp_path / "search")
    again = ProductSearch.load(tmp_path / "search")
    assert again.model_version == "m1"
    where = SearchFilter(category_id=4)
    assert again.search(vectors[9], 7, where) == search.search(vectors[9], 7, where)
