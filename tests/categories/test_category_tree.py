"""Category tree: node identity by full path, name cleaning, stable ids across rebuilds, per-level loss targets."""

from __future__ import annotations

import io
import random
from pathlib import Path

import polars as pl
import pytest
from PIL import Image

from emma_pipeline.categories import (
    LevelTarget,
    assign_category_ids,
    build_category_tree,
    children_index,
    clean_path,
    level_targets,
)
from emma_pipeline.categories.treemap import squarify, treemap_png

REAL = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "real"
HK, KD, COOK = "Home & Kitchen", "Kitchen & Dining", "Cookware"
PATHS = [
    [HK, KD, COOK, "All Pans"],
    [HK, KD, COOK, "Woks"],
    [HK, "Bath", "Towels"],
    [HK, "Bath", "Accessories"],
    ["Automotive", "Replacement Parts"],
    ["Automotive", "Accessories"],
    [HK, KD],  # stops at an internal node
    None,  # no category
    [],  # empty list: no category either
]


def _node(tree: pl.DataFrame, *path: str) -> dict:
    rows = tree.filter(pl.col("path") == pl.lit(list(path), dtype=pl.List(pl.Utf8))).to_dicts()
    assert len(rows) == 1, f"{path}: {len(rows)} nodes"
    return rows[0]


def test_nodes_are_identified_by_full_path_with_counts_and_structure():
    tree = build_category_tree(PATHS)
    bath_acc, auto_acc = _node(tree, HK, "Bath", "Accessories"), _node(tree, "Automotive", "Accessories")
    assert bath_acc["id"] != auto_acc["id"]
    assert bath_acc["parent_id"] == _node(tree, HK, "Bath")["id"] and bath_acc["depth"] == 2
    assert auto_acc["parent_id"] == _node(tree, "Automotive")["id"] and auto_acc["depth"] == 1
    home = _node(tree, HK)
    assert (home["parent_id"], home["depth"], home["n_objects"], home["n_children"]) == (None, 0, 5, 2)
    assert _node(tree, HK, KD)["n_objects"] == 3  # two pans and the object that stops at Kitchen & Dining
    assert _node(tree, HK, KD, COOK)["n_children"] == 2
    assert tree.height == 11 and tree["id"].to_list() == list(range(11))


def test_ids_follow_path_order_and_ignore_row_order():
    tree = build_category_tree(PATHS)
    assert [tuple(p) for p in tree["path"]] == sorted(tuple(p) for p in tree["path"])
    shuffled = PATHS[:]
    random.Random(3).shuffle(shuffled)
    assert build_category_tree(shuffled).equals(tree)


def test_names_are_cleaned_and_empty_segments_dropped():
    messy = ["  Home &amp; Kitchen ", "", "Kitchen\t &amp;amp;  Dining", None, "   "]
    assert clean_path(messy) == (HK, KD)
    tree = build_category_tree([messy, [HK, KD], ["", "  "]])
    assert tree.height == 2 and _node(tree, HK, KD)["n_objects"] == 2


def test_a_segment_repeating_its_parent_is_a_node_of_its_own():
    """UCSD Gift Cards: "Gift Cards > Gift Cards" sits beside "Gift Cards > Gift Card Accessories"."""
    tree = build_category_tree([["Gift Cards", "Gift Cards"], ["Gift Cards", "Gift Card Accessories"]])
    inner = _node(tree, "Gift Cards", "Gift Cards")
    assert inner["depth"] == 1 and inner["parent_id"] == _node(tree, "Gift Cards")["id"]
    assert assign_category_ids([["Gift Cards", "Gift Cards"]], tree) == [[_node(tree, "Gift Cards")["id"], inner["id"]]]


def test_rebuild_keeps_ids_appends_new_nodes_and_never_reuses_ids():
    v1 = build_category_tree(PATHS)
    # Woks disappear, a new leaf and a new root arrive
    v2_paths = [p for p in PATHS if p is None or "Woks" not in p] + [[HK, "Bath", "Mats"], ["Toys & Games"]]
    v2 = build_category_tree(v2_paths, previous=v1)
    old = v1.select("path", "id").join(v2.select("path", "id"), on="path", suffix="_v2")
    assert old.height == v1.height and (old["id"] == old["id_v2"]).all()
    woks = _node(v2, HK, KD, COOK, "Woks")
    assert woks["n_objects"] == 0 and woks["id"] == _node(v1, HK, KD, COOK, "Woks")["id"]
    assert _node(v2, HK, "Bath")["n_children"] == 3
    new_ids = sorted(set(v2["id"]) - set(v1["id"]))
    assert new_ids == [v1["id"].max() + 1, v1["id"].max() + 2]
    assert _node(v2, HK, "Bath", "Mats")["id"] in new_ids and _node(v2, "Toys & Games")["parent_id"] is None
    v3 = build_category_tree([[HK, "Garden"]], previous=v2)
    assert _node(v3, HK, "Garden")["id"] == v2["id"].max() + 1


def test_previous_tree_with_duplicate_paths_is_refused():
    v1 = build_category_tree(PATHS)
    with pytest.raises(ValueError, match="duplicate"):
        build_category_tree(PATHS, previous=pl.concat([v1, v1.head(1)]))


def test_assign_category_ids_gives_root_first_ids_and_none_without_path():
    tree = build_category_tree(PATHS)
    ids = assign_category_ids([[HK, "Bath", "Towels"], None, [" ", ""], ["Home &amp; Kitchen"]], tree)
    assert ids == [[_node(tree, HK)["id"], _node(tree, HK, "Bath")["id"], _node(tree, HK, "Bath", "Towels")["id"]],
                   None, None, [_node(tree, HK)["id"]]]  # fmt: skip
    with pytest.raises(ValueError, match="not in the tree"):
        assign_category_ids([[HK, "Garden"]], tree)


def test_level_targets_score_only_among_children_of_the_correct_parent():
    tree = build_category_tree(PATHS)
    [path] = assign_category_ids([[HK, KD, COOK, "Woks"]], tree)
    index = children_index(tree)
    assert index[None] == [_node(tree, "Automotive")["id"], _node(tree, HK)["id"]]
    assert level_targets(path, tree) == [
        LevelTarget(0, None, 1, 2),  # Home & Kitchen among the two roots
        LevelTarget(1, path[0], 1, 2),  # Kitchen & Dining among Bath, Kitchen & Dining
        LevelTarget(2, path[1], 0, 1),  # Cookware is the only child
        LevelTarget(3, path[2], 1, 2),  # Woks after All Pans
    ]
    assert level_targets(path, index) == level_targets(path, tree)


def test_level_targets_keep_class_positions_when_a_sibling_is_added():
    v1 = build_category_tree(PATHS)
    v2 = build_category_tree(PATHS + [[HK, "Appliances"]], previous=v1)  # sorts before Bath by name
    [path] = assign_category_ids([[HK, "Bath", "Towels"]], v2)
    assert level_targets(path, v2)[1] == LevelTarget(1, path[0], 0, 3)  # Bath stays first, Appliances appended


def test_level_targets_reject_an_inconsistent_id_path():
    tree = build_category_tree(PATHS)
    towels = _node(tree, HK, "Bath", "Towels")["id"]
    with pytest.raises(ValueError, match="not a child"):
        level_targets([_node(tree, "Automotive")["id"], towels], tree)


def test_squarify_tiles_the_rectangle_in_proportion():
    rects = squarify([6, 6, 4, 3, 2, 2, 1], (0, 0, 6, 4))
    areas = [w * h for _, _, w, h in rects]
    assert areas == pytest.approx([6, 6, 4, 3, 2, 2, 1])
    assert all(x >= -1e-9 and y >= -1e-9 and x + w <= 6 + 1e-9 and y + h <= 4 + 1e-9 for x, y, w, h in rects)
    four = squarify([1, 1, 1, 1], (0, 0, 2, 2))
    assert all(w == pytest.approx(1) and h == pytest.approx(1) for _, _, w, h in four)  # a 2x2 grid, not strips


def test_treemap_png_draws_the_second_level_and_survives_an_empty_tree():
    tree = build_category_tree(PATHS * 5)
    one, two = treemap_png(tree, max_depth=1), treemap_png(tree, max_depth=2)
    image = Image.open(io.BytesIO(two))
    assert image.format == "PNG" and image.size[0] > 1000
    assert one != two
    assert Image.open(io.BytesIO(treemap_png(build_category_tree([None])))).format == "PNG"


@pytest.mark.real_data
def test_real_ucsd_gift_cards_tree():
    if not REAL.is_dir():
        pytest.skip("../shared/data/real not present (a user's own clone)")
    from emma_pipeline.sources.ucsd import parse_ucsd_file

    listings = parse_ucsd_file(REAL / "ucsd2018_gift_cards_full_ncloud50" / "meta_Gift_Cards.json").listings
    tree = build_category_tree(listings["category_path"].to_list())
    assert _node(tree, "Gift Cards")["n_objects"] == listings["category_path"].drop_nulls().len()
    assert _node(tree, "Gift Cards", "Gift Cards")["n_objects"] > 1500
    assert _node(tree, "Gift Cards", "Gift Card Accessories")["depth"] == 1
