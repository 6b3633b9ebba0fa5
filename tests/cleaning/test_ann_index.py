"""VectorIndex: exact below the size limit, HNSW (or IVF-Flat, IVF-PQ) above it, deletions, and its folder format."""

import numpy as np
import pytest

from emma_pipeline.cleaning.ann_index import IndexParams, VectorIndex

# three unit vectors in 3-d: b is close to a (cosine 0.8), c is orthogonal to a
A, B, C = [1.0, 0.0, 0.0], [0.8, 0.6, 0.0], [0.0, 0.0, 1.0]


def _index(params: IndexParams = IndexParams()) -> VectorIndex:
    index = VectorIndex.create(3, params)
    index.add(["a", "b", "c"], np.array([A, B, C]), scores=[3, 2, 1])
    return index


def test_search_returns_most_similar_ids_with_cosines_and_pads_missing_slots():
    ids, sims = _index().search(np.array([[2.0, 0.0, 0.0]]), k=4)  # queries are normalized too
    assert ids[0].tolist() == ["a", "b", "c", None]
    np.testing.assert_allclose(sims[0, :3], [1.0, 0.8, 0.0], atol=1e-6)
    assert sims[0, 3] == -np.inf


def test_add_rejects_ids_already_present_repeated_ids_and_zero_vectors():
    index = _index()
    with pytest.raises(ValueError, match="already in the index"):
        index.add(["a"], np.array([C]))
    with pytest.raises(ValueError, match="repeated"):
        index.add(["d", "d"], np.array([A, C]))
    with pytest.raises(ValueError, match="non-zero"):
        index.add(["d"], np.zeros((1, 3)))
    with pytest.raises(ValueError, match="shape"):
        index.add(["d"], np.ones((1, 4)))
    assert len(index) == 3


def test_deleted_ids_leave_results_and_can_be_added_again():
    index = _index()
    index.delete(["a"])
    assert not index.contains("a") and len(index) == 2
    ids, _ = index.search(np.array([A]), k=3)
    assert ids[0].tolist() == ["b", "c", None]
    index.add(["a"], np.array([A]), scores=[9])
    assert index.search(np.array([A]), k=1)[0][0, 0] == "a"
    assert index.scores(["a", "b"]).tolist() == [9, 2]
    with pytest.raises(KeyError):
        index.delete(["zzz"])


def _planted(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """n random 32-d unit vectors and, for the first 20, a near copy (cosine > 0.99)."""
    rng = np.random.default_rng(seed)
    base = rng.standard_normal((n, 32)).astype(np.float32)
    copies = base[:20] + 0.05 * rng.standard_normal((20, 32)).astype(np.float32)
    return base, copies


KINDS = [IndexParams(exact_limit=100), IndexParams(exact_limit=100, kind="ivf_flat", ivf_nlist=8, ivf_nprobe=3),
         IndexParams(exact_limit=100, kind="ivf_pq", ivf_nlist=8, ivf_nprobe=3, pq_m=8)]


@pytest.mark.parametrize("params", KINDS, ids=["hnsw", "ivf_flat", "ivf_pq"])
def test_grows_into_an_approximate_index_past_the_exact_limit_and_still_finds_near_copies(params):
    base, copies = _planted(400)
    index = VectorIndex.create(32, params)
    index.add([f"x{i}" for i in range(50)], base[:50])
    assert index.exact
    index.add([f"x{i}" for i in range(50, 400)], base[50:])
    assert not index.exact and len(index) == 400
    index.add(["late"], base[:1] + 0.01)  # an IVF index assigns later vectors to its trained cells
    ids, sims = index.search(copies, k=2)
    assert ids[:, 0].tolist()[1:] == [f"x{i}" for i in range(1, 20)] and set(ids[0]) == {"x0", "late"}
    assert (sims[:, 0] > (0.85 if params.kind == "ivf_pq" else 0.99)).all()  # PQ scores are approximate


def test_unknown_index_kinds_are_refused():
    with pytest.raises(ValueError, match="unknown index kind"):
        IndexParams(kind="lsh")


@pytest.mark.parametrize("params", [IndexParams(exact_limit=1000), *(IndexParams(**{**p.__dict__, "exact_limit": 10})
                                                                     for p in KINDS)],
                         ids=["flat", "hnsw", "ivf_flat", "ivf_pq"])  # fmt: skip
def test_folder_round_trip_keeps_ids_scores_deletions_and_results(tmp_path, params):
    base, copies = _planted(60)
    index = VectorIndex.create(32, params)
    index.add([f"x{i}" for i in range(60)], base, scores=list(range(60)))
    index.delete(["x3"])
    index.write_folder(tmp_path / "idx")
    loaded = VectorIndex.read_folder(tmp_path / "idx")
    assert loaded.exact == index.exact and loaded.params == index.params
    assert loaded.ids() == index.ids() and not loaded.contains("x3")
    assert loaded.scores(["x0", "x59"]).tolist() == [0, 59]
    for got, expected in zip(loaded.search(copies, k=5), index.search(copies, k=5)):
        np.testing.assert_array_equal(got, expected)


def test_loaded_index_takes_new_vectors_incrementally(tmp_path):
    _index().write_folder(tmp_path / "idx")
    loaded = VectorIndex.read_folder(tmp_path / "idx")
    loaded.add(["d"], np.array([[0.0, 1.0, 0.0]]))
    assert loaded.search(np.array([[0.0, 1.0, 0.1]]), k=1)[0][0, 0] == "d"
    assert len(loaded) == 4
