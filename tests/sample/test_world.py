"""The sample world's tables: archetypes, material strings and silhouettes are complete and consistent."""

from __future__ import annotations

import random
import re

from emma_pipeline.cleaning.non_physical import rule_match
from emma_pipeline.sample.asin import AsinCodec
from emma_pipeline.sample.materials import FAMILIES
from emma_pipeline.sample.product import make_product
from emma_pipeline.sample.shapes import SHAPES
from emma_pipeline.sample.world import TOP_CATEGORIES, archetypes, physical_archetypes

TAXONOMY_NODES = set(
    "plastic,thermoplastic,acrylic,polypropylene,polyethylene,abs,polycarbonate,nylon plastic,pvc,metal,steel,"
    "stainless steel,alloy steel,aluminum,iron,cast iron,copper,brass,gold,silver,titanium,wood,cherry,cedar,pine,"
    "oak,walnut,bamboo,plywood,fabric,cotton,polyester,nylon fabric,lace,faux fur,microfiber,wool,linen,spandex,"
    "fleece,leather,genuine leather,faux leather,glass,tempered glass,ceramic,porcelain,paper,cardboard,cardstock,"
    "stone,marble,granite,gemstone,diamond,rubber,silicone,foam,electronics,food,liquid".split(","))


def test_archetypes_cover_the_briefed_world():
    archs = archetypes()
    assert 60 <= len(archs) <= 110
    tops = {a.category_path[0] for a in physical_archetypes()}
    assert 8 <= len(tops) and tops <= set(TOP_CATEGORIES)
    assert all(2 <= len(a.category_path) <= 6 for a in archs)
    assert all(a.shape in SHAPES and len(a.uses) >= 3 and len(a.props) == 6 for a in archs)
    digital = [a for a in archs if not a.physical]
    assert {a.key for a in digital} >= {"software_download", "egift_card", "ebook", "warranty_plan"}
    # half the digital goods sit in departments and carry names no keyword rule of the cleaning stage knows
    unnamed = [a.key for a in digital if all(rule_match(noun, a.category_path) is None for noun in a.nouns)]
    assert len(unnamed) >= len(digital) // 2


def test_every_taxonomy_node_is_reachable_from_some_archetype():
    used = {family for a in physical_archetypes() for family, _ in a.materials}
    assert used <= set(FAMILIES)
    reachable = {node for family in used for _, nodes in FAMILIES[family].strings for node in nodes}
    assert reachable == TAXONOMY_NODES


def test_products_have_consistent_materials_and_dimensions():
    rng = random.Random(1)
    for arch in physical_archetypes():
        p = make_product(rng, 0, arch, seed=1)
        assert 1 <= len(p.material_strings) <= arch.max_materials
        assert set(p.materials) <= TAXONOMY_NODES
        assert p.mass_kg > 0 and p.price_usd > 0 and all(d > 0 for d in p.dims_cm)


def test_asins_are_well_formed_and_never_collide():
    codec = AsinCodec(seed=0)
    asins = [codec.asin(i, s) for i in range(20_000) for s in range(4)]
    assert len(set(asins)) == len(asins)
    assert all(re.fullmatch(r"B0[0-9A-Z]{8}", a) for a in asins[:1000])
    assert codec.asin(5) != AsinCodec(seed=1).asin(5)
