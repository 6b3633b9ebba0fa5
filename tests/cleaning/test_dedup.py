"""find_duplicates on hand-made listings whose embeddings are chosen so the duplicate groups are known."""

import numpy as np
import polars as pl
import pytest

from emma_pipeline.cleaning.ann_index import VectorIndex
from emma_pipeline.cleaning.dedup import find_duplicates
from emma_pipeline.cleaning.dedup_config import DedupConfig
from emma_pipeline.cleaning.dedup_store import load_dedup_index, save_dedup_index
from emma_pipeline.cleaning.duplicate_groups import mutual_pairs
from emma_pipeline.removals import REMOVALS_SCHEMA

DIM = 8


def _axis(i: int, dim: int = DIM) -> np.ndarray:
    vector = np.zeros(dim, dtype=np.float32)
    vector[i] = 1.0
    return vector


def _tilted(i: int, j: int, cosine: float, dim: int = DIM) -> np.ndarray:
    """A unit vector at ``cosine`` to axis i, leaning towards axis j."""
    return cosine * _axis(i, dim) + np.sqrt(1 - cosine**2) * _axis(j, dim)


def _objects(asins, **columns) -> pl.DataFrame:
    n = len(asins)
    frame = {
        "asin": asins,
        "title": columns.pop("title", [f"listing {a}" for a in asins]),
        "features": columns.pop("features", [None] * n),
        "description": columns.pop("description", [None] * n),
        "image_urls": columns.pop("image_urls", [[f"{a}.jpg"] for a in asins]),
        "mass_kg": columns.pop("mass_kg", [None] * n),
        "review_count": columns.pop("review_count", [0] * n),
    }
    schema = {"title": pl.Utf8, "features": pl.List(pl.Utf8), "description": pl.Utf8,
              "image_urls": pl.List(pl.Utf8), "mass_kg": pl.Float64, "review_count": pl.Int64}
    return pl.DataFrame(frame, schema_overrides=schema)


def _distinct_images(n: int) -> np.ndarray:
    return np.stack([_axis(i, 16) for i in range(n)])


def _grouped(result) -> dict[str, set[str]]:
    """kept ASIN -> every ASIN of its group."""
    return {kept: set(rows["asin"]) for (kept,), rows in result.groups.group_by("kept_asin")}


def test_near_duplicate_text_pair_keeps_the_listing_with_more_attributes():
    objects = _objects(["A", "B", "C"], mass_kg=[None, 1.5, None])
    text = np.stack([_axis(0), _tilted(0, 1, 0.99), _axis(2)])
    result = find_duplicates(objects, text, _distinct_images(3))
    assert _grouped(result) == {"B": {"A", "B"}}
    assert result.kept["asin"].to_list() == ["B", "C"]
    removal = result.removals.row(0, named=True)
    assert (removal["asin"], removal["reason"], removal["kept_twin"]) == ("A", "near_duplicate", "B")
    assert "text cosine 0.99" in removal["detail"]
    assert result.removals.schema == pl.Schema(REMOVALS_SCHEMA)
    row = result.groups.filter(pl.col("asin") == "A").row(0, named=True)
    assert row["matched_by"] == "text" and row["similarity"] == pytest.approx(0.99, abs=1e-6)


def test_either_embedding_alone_makes_a_duplicate():
    objects = _objects(["A", "B"])
    text = np.stack([_axis(0), _axis(1)])  # unrelated texts
    images = np.stack([_axis(0, 16), 3 * _tilted(0, 1, 0.995, 16)])  # same picture up to scale and noise
    result = find_duplicates(objects, text, images, DedupConfig(image_threshold=0.99))
    assert result.groups.filter(~pl.col("is_kept"))["matched_by"].to_list() == ["image"]


def test_mutual_text_neighbours_with_nearly_the_same_title_of_one_brand_are_duplicates():
    # text cosine 0.8: one listing has only a title, its twin title + features (below the text threshold)
    titles = ["Acme Steel Pan 10 Inch", "Acme Steel Pan 10 Inch (Upgraded)", "Acme Steel Pan 12 Inch",
              "Acme Steel Pan 10 Inch", "Acme Steel Pan 10 Inch (Upgraded)"]  # fmt: skip
    brands = ["Acme", "ACME", None, "Acme", "Zenco"]
    text = np.stack([_axis(0), _tilted(0, 1, 0.8), _tilted(0, 2, 0.8), _tilted(0, 3, 0.6), _tilted(0, 4, 0.8)])
    objects = _objects(["A", "B", "C", "D", "E"], title=titles, features=[None, ["x"], None, ["y"], ["z"]])
    result = find_duplicates(objects.with_columns(brand=pl.Series(brands)), text, _distinct_images(5))
    # C differs by its size (a number is a word), D's text is too far, E is another brand's listing
    assert _grouped(result) == {"B": {"A", "B"}}
    row = result.groups.filter(pl.col("asin") == "A").row(0, named=True)
    assert row["matched_by"] == "title" and row["similarity"] == pytest.approx(0.8, abs=1e-6)
    assert "titles share 83% of their words" in result.removals["detail"].item()


def test_all_zero_image_rows_never_match_and_empty_texts_never_match():
    objects = _objects(["A", "B", "C", "D"], title=["x", "y", None, ""], image_urls=[None, None, ["c"], ["d"]])
    text = np.stack([_axis(0), _axis(1), _axis(2), _axis(2)])  # C and D: the embedding of an empty text
    images = np.stack([np.zeros(16), np.zeros(16), _axis(2, 16), _axis(3, 16)])
    result = find_duplicates(objects, text, images)
    assert result.groups.is_empty() and result.kept.height == 4
    assert len(result.index[0]) == 2 and len(result.index[1]) == 2


def test_non_finite_embedding_rows_are_left_out_instead_of_failing_the_run():
    objects = _objects(["A", "B", "C"])
    text = np.stack([_axis(0), np.full(DIM, np.nan), _axis(0)])
    images = np.stack([np.full(16, np.inf), _axis(1, 16), _axis(2, 16)])
    result = find_duplicates(objects, text, images)
    assert _grouped(result) == {"A": {"A", "C"}}
    assert sorted(result.index[0].ids()) == ["A"] and sorted(result.index[1].ids()) == ["B"]


def test_no_objects_give_empty_outputs():
    objects = _objects([])
    result = find_duplicates(objects, np.zeros((0, DIM)), np.zeros((0, 16)))
    assert result.kept.is_empty() and result.groups.is_empty() and result.removals.is_empty()


def test_exact_text_and_picture_duplicates_are_found_by_key():
    objects = _objects(
        ["A", "B", "C", "D"],
        title=["Steel Pan, 10 inch", "steel pan 10-inch!", "Red Mug", "Blue Bowl"],
        features=[["Oven safe"], ["OVEN  safe"], None, None],
    )
    text = np.stack([_axis(0), _axis(1), _axis(2), _axis(3)])  # keys alone must find them
    images = np.stack([_axis(0, 16), _axis(1, 16), _axis(2, 16), _axis(2, 16)])
    result = find_duplicates(objects, text, images)
    by_asin = {row["asin"]: row for row in result.removals.iter_rows(named=True)}
    assert by_asin["B"]["kept_twin"] == "A" and by_asin["D"]["kept_twin"] == "C"
    assert {row["reason"] for row in by_asin.values()} == {"exact_duplicate"}
    assert dict(result.groups.filter(~pl.col("is_kept")).select("asin", "matched_by").iter_rows()) == {
        "B": "exact_text", "D": "exact_image"
    }


def test_a_picture_shared_by_many_unrelated_listings_is_not_evidence():
    asins = [f"P{i}" for i in range(5)]
    images = np.tile(_axis(0, 16), (5, 1))  # one placeholder picture
    text = np.stack([_axis(i) for i in range(5)])
    result = find_duplicates(_objects(asins), text, images, DedupConfig(max_exact_group=4))
    assert result.groups.is_empty()


def test_mutual_top_k_stops_a_hub_from_chaining_its_neighbours_into_one_group():
    # H is within 0.985..0.982 of each spoke; spokes are ~0.967 from each other (below the threshold)
    asins = ["H", "S1", "S2", "S3", "S4"]
    text = np.stack([_axis(0)] + [_tilted(0, j, 0.986 - j / 1000) for j in range(1, 5)])
    config = DedupConfig(text_threshold=0.97, k=2)
    result = find_duplicates(_objects(asins, mass_kg=[1.0, None, None, None, None]), text,
                             _distinct_images(5), config)
    assert _grouped(result) == {"H": {"H", "S1", "S2"}}
    unguarded = find_duplicates(_objects(asins), text, _distinct_images(5), DedupConfig(k=4))
    assert result.kept.height == 3 and unguarded.kept.height == 1


@pytest.mark.parametrize(
    ("columns", "kept"),
    [
        ({"mass_kg": [None, None, 2.0]}, "C"),  # most attributes
        ({"image_urls": [["a"], ["b1", "b2"], ["c"]]}, "B"),  # then more images
        ({"review_count": [3, 9, 9]}, "B"),  # then more reviews, then the smallest ASIN
        ({}, "A"),
    ],
    ids=["attributes", "images", "reviews", "asin"],
)
def test_kept_listing_follows_attributes_then_images_then_reviews_then_asin(columns, kept):
    text = np.tile(_axis(0), (3, 1)) + np.array([[0], [0.01], [0.02]], dtype=np.float32) * _axis(1)
    result = find_duplicates(_objects(["A", "B", "C"], **columns), text, _distinct_images(3))
    assert result.kept["asin"].to_list() == [kept]


def test_result_does_not_depend_on_row_order():
    asins = ["A", "B", "C", "D", "E"]
    text = np.stack([_axis(0), _tilted(0, 1, 0.99), _axis(2), _tilted(2, 3, 0.98), _axis(4)])
    images = _distinct_images(5)
    first = find_duplicates(_objects(asins), text, images)
    order = [4, 2, 0, 3, 1]
    second = find_duplicates(_objects([asins[i] for i in order]), text[order], images[order])
    assert first.groups.equals(second.groups)
    assert first.removals.sort("asin").equals(second.removals.sort("asin"))


def test_new_batch_is_checked_against_the_saved_index_of_earlier_kept_objects(tmp_path):
    old = _objects(["OLD1", "OLD2", "OLD3"], mass_kg=[1.0, None, 1.0])
    old_text = np.stack([_axis(0), _axis(1), _axis(2)])
    first = find_duplicates(old, old_text, _distinct_images(3))
    version = save_dedup_index(first.index, tmp_path / "dedup_index")
    index = load_dedup_index(tmp_path / "dedup_index", version)
    assert [len(vector_index) for vector_index in index] == [3, 3]

    # NEW1 copies OLD1 with fewer attributes, NEW2 copies OLD2 with more, NEW3 copies OLD3 with as many
    new = _objects(["NEW1", "NEW2", "NEW3", "NEW4"], mass_kg=[None, 2.0, 1.0, None])
    new_text = np.stack([_tilted(0, 5, 0.99), _tilted(1, 5, 0.99), _tilted(2, 6, 0.99), _axis(7)])
    new_images = np.stack([_axis(i, 16) for i in range(8, 12)])
    second = find_duplicates(new, new_text, new_images, index=index)

    assert second.kept["asin"].to_list() == ["NEW2", "NEW4"]
    assert second.replaced == ["OLD2"]
    twins = dict(second.removals.select("asin", "kept_twin").iter_rows())
    assert twins == {"NEW1": "OLD1", "OLD2": "NEW2", "NEW3": "OLD3"}
    assert "replaced by NEW2" in second.removals.filter(pl.col("asin") == "OLD2")["detail"].item()
    text_index = second.index[0]
    assert sorted(text_index.ids()) == ["NEW2", "NEW4", "OLD1", "OLD3"]


def test_a_killed_save_of_the_index_pair_keeps_the_previous_pair_and_the_next_save_sweeps(tmp_path, monkeypatch):
    first = find_duplicates(_objects(["A"]), np.stack([_axis(0)]), _distinct_images(1))
    committed = save_dedup_index(first.index, tmp_path)
    second = find_duplicates(_objects(["B"]), np.stack([_axis(1)]), _distinct_images(1), index=first.index)
    write_folder = VectorIndex.write_folder

    def dies_on_the_image_index(self, folder):
        if folder.name == "image":
            raise KeyboardInterrupt("killed")
        write_folder(self, folder)

    monkeypatch.setattr(VectorIndex, "write_folder", dies_on_the_image_index)
    with pytest.raises(KeyboardInterrupt):
        save_dedup_index(second.index, tmp_path, keep=[committed])
    monkeypatch.undo()
    assert [index.ids() for index in load_dedup_index(tmp_path, committed)] == [["A"], ["A"]]
    newer = save_dedup_index(second.index, tmp_path, keep=[committed])  # sweeps the half-written folder
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([committed, newer])
    assert [index.ids() for index in load_dedup_index(tmp_path, newer)] == [index.ids() for index in second.index]
    with pytest.raises(FileNotFoundError, match="no saved dedup index"):
        load_dedup_index(tmp_path, "v-gone")


def test_a_redelivered_asin_is_judged_again_not_matched_with_itself():
    objects = _objects(["A", "B"])
    text = np.stack([_axis(0), _axis(1)])
    first = find_duplicates(objects, text, _distinct_images(2))
    again = find_duplicates(objects.head(1), text[:1], _distinct_images(1), index=first.index)
    assert again.groups.is_empty() and again.kept["asin"].to_list() == ["A"]
    assert sorted(again.index[0].ids()) == ["A", "B"]


def test_misaligned_embeddings_are_a_clear_error():
    with pytest.raises(ValueError, match="one row per object"):
        find_duplicates(_objects(["A", "B"]), np.ones((3, DIM)), np.ones((2, 16)))
    with pytest.raises(ValueError, match="one row per ASIN"):
        find_duplicates(_objects(["A", "A"]), np.ones((2, DIM)), np.ones((2, 16)))


def test_a_pair_found_from_one_side_only_still_counts_when_it_is_mutually_near():
    # row 0's list misses row 1 (an approximate-search miss); row 1's list finds row 0; k = 1
    query_rows = np.array([0, 1, 2])
    neighbours = np.array([[0, 2], [1, 0], [2, 0]])
    sims = np.array([[1.0, 0.90], [1.0, 0.99], [1.0, 0.90]], dtype=np.float32)
    pairs, cosines = mutual_pairs(query_rows, neighbours, sims, threshold=0.95)
    assert pairs.tolist() == [[0, 1]] and cosines.tolist() == pytest.approx([0.99])
    # once row 2 is closer to row 0 (0.995 > 0.99), row 1 is no longer among row 0's k nearest
    sims[0, 1] = sims[2, 1] = 0.995
    assert mutual_pairs(query_rows, neighbours, sims, threshold=0.95)[0].tolist() == [[0, 2]]
