"""Seller strings the mapper must read the way a person would: a table of tricky inputs with expected nodes."""

from __future__ import annotations

import polars as pl
import pytest

from emma_pipeline.materials import MaterialMapper, MaterialTaxonomy, default_mapper, load_taxonomy, unmapped_report
from emma_pipeline.materials import _vocabulary as vocab
from emma_pipeline.materials._text import normalize_phrase


@pytest.fixture(scope="module")
def mapper() -> MaterialMapper:
    return default_mapper()


def _names(mapper: MaterialMapper, raw: str, context: str | None = None) -> set[str]:
    return set(mapper.names(mapper.map(raw, context)))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # lists, separators, percentages
        ("60% cotton, 40% polyester", {"cotton", "polyester"}),
        ("Cotton 95% Elastane 5%", {"cotton", "spandex"}),
        ("100 % Cotton", {"cotton"}),
        ("Plastic; Metal", {"plastic", "metal"}),
        ("Glass & Wood", {"glass", "wood"}),
        ("cotton and linen", {"cotton", "linen"}),
        ("Silicone + Stainless Steel", {"silicone", "stainless steel"}),
        ("Plastic/Ink", {"plastic", "liquid"}),
        ("rubber | foam", {"rubber", "foam"}),
        ("Terry Cloth (78% Cotton, 22% Polyester)", {"terry cloth", "cotton", "polyester"}),
        # grades, qualifiers and noise around a material
        ("18/8 stainless steel", {"stainless steel"}),
        ("304 Stainless", {"stainless steel"}),
        ("BPA-free plastic", {"plastic"}),
        ("solid wood", {"wood"}),
        ("food grade silicone", {"silicone"}),
        ("Premium High Quality Genuine Leather", {"genuine leather"}),
        ("Outer Material: PVC", {"pvc"}),
        ("Rubber Moulded", {"rubber"}),
        ("14K Gold", {"gold"}),
        ("925 Sterling Silver", {"silver"}),
        # faux versus genuine leather; plain leather stays the internal node
        ("faux leather", {"faux leather"}),
        ("PU Leather", {"faux leather"}),
        ("vegan leather", {"faux leather"}),
        ("Leatherette", {"faux leather"}),
        ("genuine leather", {"genuine leather"}),
        ("Full-Grain Leather", {"genuine leather"}),
        ("cowhide", {"genuine leather"}),
        ("Leather", {"leather"}),
        # case, plurals, typos, full chemical names, abbreviations
        ("PLASTICS", {"plastic"}),
        ("Acrylic Fibres", {"acrylic fabric"}),
        ("polyster", {"polyester"}),
        ("stainles steel", {"stainless steel"}),
        ("Acrylonitrile Butadiene Styrene (ABS)", {"abs"}),
        ("Polyvinyl Chloride (PVC)", {"pvc"}),
        ("Thermoplastic Polyurethane (TPU)", {"tpu"}),
        ("aluminium alloy", {"aluminum"}),
        ("Microfibre coral fleece", {"microfiber", "fleece"}),
        ("100% Cotton Printed", {"cotton"}),
        ("LED", {"electronics"}),
        # multilingual basics
        ("Holz", {"wood"}),
        ("madera", {"wood"}),
        ("bois", {"wood"}),
        ("Acero inoxidable", {"stainless steel"}),
        ("Edelstahl", {"stainless steel"}),
        ("coton", {"cotton"}),
        ("Algodón", {"cotton"}),
        ("Baumwolle", {"cotton"}),
        ("Kunststoff", {"plastic"}),
        ("plástico", {"plastic"}),
        ("cuero", {"leather"}),
        ("verre", {"glass"}),
        ("vidrio", {"glass"}),
        ("100 %   poliéster", {"polyester"}),
        # look-alikes, absence claims and colours do not name the material
        ("gold tone", set()),
        ("walnut finish MDF", {"mdf"}),
        ("latex free rubber", {"rubber"}),
        ("faux wood", set()),
        ("Faux Fur", {"faux fur"}),
        ("silica gel", {"silicone"}),
        ("carbide-tipped", {"tungsten carbide"}),
    ],
)
def test_tricky_seller_strings_map_to_the_expected_nodes(mapper, raw, expected):
    assert _names(mapper, raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Plastic Polypropylene (PP)", ("polypropylene",)),
        ("Stainless Steel, Alloy Steel, Metal", ("stainless steel", "alloy steel")),
        ("Leather, Faux Leather", ("faux leather",)),
        ("Metal", ("metal",)),
    ],
)
def test_result_keeps_the_most_specific_nodes_in_order(mapper, raw, expected):
    assert mapper.names(mapper.map(raw)) == expected


@pytest.mark.parametrize(
    "raw", ["multi", "Multicolor", "N/A", "other", "See description", "Black", "100% natural", "-"]
)
def test_non_materials_map_to_nothing_and_are_not_reported_unmapped(mapper, raw):
    result = mapper.map(raw)
    assert result.node_ids == () and result.unmapped == ()


@pytest.mark.parametrize(("raw", "unmapped"), [("Thermobounded", "thermobounded"), ("faux wood", "faux wood")])
def test_material_attempts_it_cannot_place_are_reported_unmapped(mapper, raw, unmapped):
    assert mapper.map(raw).unmapped == (unmapped,)


def test_a_mapped_string_still_reports_its_unknown_part(mapper):
    result = mapper.map("adhesive/paper")
    assert mapper.names(result) == ("paper",)
    assert result.unmapped == ("adhesive",)


@pytest.mark.parametrize("raw", ["silky", "golden", "rocky", "Steer", "cultivation"])
def test_typo_correction_does_not_turn_ordinary_words_into_materials(mapper, raw):
    assert mapper.map(raw).node_ids == ()


@pytest.mark.parametrize(
    ("raw", "context", "expected"),
    [
        ("nylon", None, {"nylon fabric"}),  # default: sellers mostly write it for bags, straps and apparel
        ("nylon", "Heavy Duty Cable Zip Ties", {"nylon plastic"}),
        ("nylon", "Men's Running Jacket", {"nylon fabric"}),
        ("Nylon, ABS", None, {"nylon plastic", "abs"}),
        ("Nylon, Cotton", None, {"nylon fabric", "cotton"}),
        ("acrylic", None, {"acrylic"}),
        ("100% Acrylic", "Fabric Type", {"acrylic fabric"}),
        ("bamboo", None, {"bamboo"}),
        ("70% Bamboo, 30% Cotton", None, {"bamboo viscose", "cotton"}),
        ("Bamboo", "Fabric Type", {"bamboo viscose"}),
        ("poly", "Storage Bottle", {"polyethylene"}),
        ("Synthetic", None, {"plastic"}),
        ("synthetic", "fabric type", {"synthetic fiber"}),
    ],
)
def test_context_and_co_materials_pick_the_textile_or_hard_reading(mapper, raw, context, expected):
    assert _names(mapper, raw, context) == expected


def test_none_and_non_string_input_never_crash(mapper):
    assert mapper.map(None).node_ids == ()
    assert mapper.map(304).node_ids == ()  # a number alone names no material


def test_map_many_maps_each_string_with_its_context(mapper):
    results = mapper.map_many(["nylon", "nylon"], contexts=["zip ties", "dress"])
    assert [mapper.names(r) for r in results] == [("nylon plastic",), ("nylon fabric",)]
    with pytest.raises(ValueError, match="2 strings but 1 contexts"):
        mapper.map_many(["a", "b"], contexts=["c"])


def test_unmapped_report_counts_unknown_parts_most_frequent_first(mapper):
    report = unmapped_report(["Thermobounded", "cotton, unobtainium", "Unobtainium", "Other", None], mapper)
    assert report.to_dicts() == [{"raw": "unobtainium", "count": 2}, {"raw": "thermobounded", "count": 1}]


def test_unmapped_report_of_nothing_is_an_empty_typed_frame():
    report = unmapped_report([])
    assert report.height == 0
    assert dict(report.schema) == {"raw": pl.String, "count": pl.Int64}


def test_no_taxonomy_spelling_is_also_a_stopword():
    taxonomy = load_taxonomy()
    spellings = {normalize_phrase(s) for n in taxonomy.nodes for s in (n.name, *n.synonyms)}
    assert spellings & (vocab.QUALIFIERS | vocab.NON_MATERIALS) == set()


@pytest.mark.parametrize("word", sorted(vocab.CONTEXT_READINGS))
def test_each_context_dependent_word_is_owned_by_one_of_its_readings(word):
    taxonomy = load_taxonomy()
    owner = next(n.name for n in taxonomy.nodes if word in (n.name, *n.synonyms))
    textile, hard = vocab.CONTEXT_READINGS[word]
    assert owner in (textile, hard)
    taxonomy.id_of(textile), taxonomy.id_of(hard)


def test_mapper_reads_a_users_extended_taxonomy(tmp_path):
    path = tmp_path / "taxonomy.csv"
    path.write_text("id,name,parent,synonyms\n1,composite,,\n2,fiberglass,composite,glass fibre\n", encoding="utf-8")
    mapper = MaterialMapper(MaterialTaxonomy.from_csv(path))
    assert mapper.names(mapper.map("Glass Fibres")) == ("fiberglass",)
    assert mapper.map("nylon").unmapped == ("nylon",)  # no nylon nodes here: reported, not guessed
