"""The packaged material taxonomy: its size and shape, the nodes the paper and the generator rely on, and the
validation that refuses a broken file."""

from __future__ import annotations

import pytest

from emma_pipeline.materials import MaterialTaxonomy, TaxonomyError, load_taxonomy
from emma_pipeline.materials.taxonomy import TAXONOMY_CSV

# Section 3.2 of the paper: the nodes refined by smart labeling.
PAPER_SMART_LABELED = [
    "nylon plastic", "nylon fabric", "cardboard", "cardstock", "diamond", "liquid", "electronics", "food", "gold",
    "genuine leather", "lace", "marble", "faux fur", "cherry", "leather", "fabric", "wood", "metal", "plastic",
]
GENERATOR_NAMES = [
    "plastic", "thermoplastic", "acrylic", "polypropylene", "polyethylene", "abs", "polycarbonate", "nylon plastic",
    "pvc", "metal", "steel", "stainless steel", "alloy steel", "aluminum", "iron", "cast iron", "copper", "brass",
    "gold", "silver", "titanium", "wood", "cherry", "cedar", "pine", "oak", "walnut", "bamboo", "plywood", "fabric",
    "cotton", "polyester", "nylon fabric", "lace", "faux fur", "microfiber", "wool", "linen", "spandex", "fleece",
    "leather", "genuine leather", "faux leather", "glass", "tempered glass", "ceramic", "porcelain", "paper",
    "cardboard", "cardstock", "stone", "marble", "granite", "gemstone", "diamond", "rubber", "silicone", "foam",
    "electronics", "food", "liquid",
]
BROAD_ROOTS = {
    "plastic", "metal", "wood", "fabric", "leather", "glass", "ceramic", "paper", "stone", "gemstone", "rubber",
    "silicone", "foam", "composite", "plant fiber", "wax", "feather", "electronics", "food", "liquid",
}


@pytest.fixture(scope="module")
def taxonomy() -> MaterialTaxonomy:
    return load_taxonomy()


def test_taxonomy_has_exactly_182_nodes_with_unique_ids_and_names(taxonomy):
    assert len(taxonomy.ids) == 182
    assert len(set(taxonomy.ids)) == 182
    assert len(set(taxonomy.names)) == 182


@pytest.mark.parametrize("name", sorted(set(PAPER_SMART_LABELED + GENERATOR_NAMES)))
def test_paper_and_generator_nodes_are_present(taxonomy, name):
    taxonomy.id_of(name)


def test_roots_are_the_broad_material_classes(taxonomy):
    assert {taxonomy.name_of(r) for r in taxonomy.roots} == BROAD_ROOTS


@pytest.mark.parametrize(
    ("name", "path"),
    [
        ("acrylic", "plastic > thermoplastic > acrylic"),
        ("stainless steel", "metal > steel > stainless steel"),
        ("cast iron", "metal > iron > cast iron"),
        ("cherry", "wood > hardwood > cherry"),
        ("bamboo", "wood > bamboo"),
        ("bamboo viscose", "fabric > rayon > bamboo viscose"),
        ("faux leather", "leather > faux leather"),
        ("faux fur", "fabric > faux fur"),
        ("nylon fabric", "fabric > synthetic fiber > nylon fabric"),
    ],
)
def test_nodes_sit_under_the_class_a_seller_would_expect(taxonomy, name, path):
    assert taxonomy.path(taxonomy.id_of(name)) == path


def test_tree_navigation_is_consistent(taxonomy):
    metal, steel = taxonomy.id_of("metal"), taxonomy.id_of("steel")
    stainless = taxonomy.id_of("stainless steel")
    assert taxonomy.parent(stainless) == steel
    assert taxonomy.ancestors(stainless) == (steel, metal)
    assert stainless in taxonomy.children(steel)
    assert {steel, stainless} <= set(taxonomy.descendants(metal))
    assert taxonomy.depth(metal) == 0 and taxonomy.depth(stainless) == 2
    assert taxonomy.is_leaf(stainless) and not taxonomy.is_leaf(steel)
    for node_id in taxonomy.ids:
        for child in taxonomy.children(node_id):
            assert taxonomy.parent(child) == node_id


def test_as_frame_is_one_row_per_node_with_parent_ids_and_paths(taxonomy):
    frame = taxonomy.as_frame()
    assert frame.columns == ["id", "name", "parent_id", "depth", "is_leaf", "path"]
    assert frame.height == 182
    assert frame.filter(frame["parent_id"].is_null()).height == len(taxonomy.roots)
    row = frame.filter(frame["name"] == "acrylic").row(0, named=True)
    assert row["parent_id"] == taxonomy.id_of("thermoplastic")
    assert row["is_leaf"] and row["depth"] == 2 and row["path"] == "plastic > thermoplastic > acrylic"


def test_unknown_ids_and_names_fail_with_a_clear_message(taxonomy):
    with pytest.raises(KeyError, match="unknown material name 'plush toy'"):
        taxonomy.id_of("plush toy")
    with pytest.raises(KeyError, match="unknown material node id 9999"):
        taxonomy.parent(9999)


def test_load_taxonomy_is_cached_per_file(taxonomy):
    assert load_taxonomy() is taxonomy
    assert load_taxonomy(TAXONOMY_CSV) is taxonomy


def _write(tmp_path, rows: list[str]):
    path = tmp_path / "taxonomy.csv"
    path.write_text("id,name,parent,synonyms\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (["1,metal,,", "1,wood,,"], "id 1 appears 2 times"),
        (["1,metal,,", "2,metal,,"], "name 'metal' appears 2 times"),
        (["1,metal,,", "2,steel,metals,"], "'steel' has unknown parent 'metals'"),
        (["1,a,b,", "2,b,a,"], "'a' is its own ancestor"),
        (["1,metal,,alloy", "2,steel,metal,Alloy"], "spelling 'alloy' is claimed by \\['metal', 'steel'\\]"),
        (["1,metal,,", "2,steel,metal,metal"], "spelling 'metal' is claimed by"),
        (["1,Metal,,"], "name 'Metal' is not canonical"),
        (["x,metal,,"], "id 'x' is not an integer"),
    ],
)
def test_validation_rejects_broken_files_naming_the_problem(tmp_path, rows, message):
    with pytest.raises(TaxonomyError, match=message):
        MaterialTaxonomy.from_csv(_write(tmp_path, rows))


def test_validation_rejects_a_file_without_the_expected_columns(tmp_path):
    path = tmp_path / "taxonomy.csv"
    path.write_text("id,name\n1,metal\n", encoding="utf-8")
    with pytest.raises(TaxonomyError, match="missing column"):
        MaterialTaxonomy.from_csv(path)


def test_a_small_valid_file_loads(tmp_path):
    small = MaterialTaxonomy.from_csv(_write(tmp_path, ["1,metal,,alloy|metall", "2,steel,metal,stahl"]))
    assert small.synonyms(1) == ("alloy", "metall")
    assert small.ancestors(2) == (1,)
