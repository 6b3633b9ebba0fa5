"""The product archetypes of the sample marketplace, loaded from ``archetypes.csv``.

An archetype is a kind of product (coffee mug, cordless drill, ...) with everything needed to invent listings
of it: its category path, product type, image silhouette, nouns and adjectives for titles, the material
families it is made of, lognormal mass and price medians, and per-item probabilities of the binary properties.
Non-physical archetypes have no materials and no mass: some in departments and words a keyword rule would name
(software, e-gift cards, e-books, warranty plans), others not (license keys, streaming passes, printable planners,
spa vouchers, filed under electronics, office products and beauty as real marketplaces file them).
"""

from __future__ import annotations

import csv
import itertools
import zlib
from dataclasses import dataclass
from functools import cache
from importlib import resources

PROPERTIES = ("electronic", "sharp", "transparent", "deformable", "articulating", "is_container")


@dataclass(frozen=True)
class TopCategory:
    ucsd_file: str  # the UCSD 2018 per-category file stem, e.g. "Home_and_Kitchen"
    main_cat: str  # UCSD "main_cat" value
    display_group: str  # ASPA websiteDisplayGroup


TOP_CATEGORIES: dict[str, TopCategory] = {
    "Home & Kitchen": TopCategory("Home_and_Kitchen", "Amazon Home", "home_display_on_website"),
    "Tools & Home Improvement": TopCategory("Tools_and_Home_Improvement", "Tools & Home Improvement",
                                            "home_improvement_display_on_website"),
    "Clothing, Shoes & Jewelry": TopCategory("Clothing_Shoes_and_Jewelry", "AMAZON FASHION",
                                             "apparel_display_on_website"),
    "Sports & Outdoors": TopCategory("Sports_and_Outdoors", "Sports & Outdoors", "sports_display_on_website"),
    "Electronics": TopCategory("Electronics", "All Electronics", "ce_display_on_website"),
    "Toys & Games": TopCategory("Toys_and_Games", "Toys & Games", "toy_display_on_website"),
    "Office Products": TopCategory("Office_Products", "Office Products", "office_product_display_on_website"),
    "Beauty & Personal Care": TopCategory("All_Beauty", "All Beauty", "beauty_display_on_website"),
    "Automotive": TopCategory("Automotive", "Automotive", "automotive_display_on_website"),
    "Arts, Crafts & Sewing": TopCategory("Arts_Crafts_and_Sewing", "Arts, Crafts & Sewing",
                                         "arts_and_crafts_display_on_website"),
    "Patio, Lawn & Garden": TopCategory("Patio_Lawn_and_Garden", "Amazon Home", "lawn_and_garden_display_on_website"),
    "Grocery & Gourmet Food": TopCategory("Grocery_and_Gourmet_Food", "Grocery", "grocery_display_on_website"),
    "Software": TopCategory("Software", "Software", "software_display_on_website"),
    "Gift Cards": TopCategory("Gift_Cards", "Gift Cards", "gift_card_display_on_website"),
    "Kindle Store": TopCategory("Kindle_Store", "Buy a Kindle", "ebooks_display_on_website"),
    "Movies & TV": TopCategory("Movies_and_TV", "Movies & TV", "movie_display_on_website"),
}


@dataclass(frozen=True)
class Archetype:
    key: str
    category_path: tuple[str, ...]  # root first
    product_type: str
    shape: str
    nouns: tuple[str, ...]
    adjectives: tuple[str, ...]
    materials: tuple[tuple[str, float], ...]  # (material family key, weight)
    material_cum: tuple[float, ...]  # cumulative weights of ``materials`` (for fast weighted draws)
    max_materials: int
    mass_kg: float  # median; 0 for non-physical
    mass_sigma: float
    price_usd: float  # median
    price_sigma: float
    props: tuple[float, ...]  # probability of each of PROPERTIES
    size: str  # size phrase kind used in titles (oz, inch, count, clothing, ...)
    uses: tuple[str, ...]

    @property
    def physical(self) -> bool:
        return self.mass_kg > 0

    @property
    def top(self) -> TopCategory:
        return TOP_CATEGORIES[self.category_path[0]]


def _parse(row: dict[str, str]) -> Archetype:
    materials = tuple((k, float(w)) for k, w in (m.split(":") for m in row["materials"].split()))
    return Archetype(
        key=row["key"],
        category_path=tuple(row["path"].split(">")),
        product_type=row["product_type"],
        shape=row["shape"],
        nouns=tuple(row["nouns"].split("|")),
        adjectives=tuple(row["adjectives"].split("|")),
        materials=materials,
        material_cum=tuple(itertools.accumulate(w for _, w in materials)),
        max_materials=int(row["max_materials"]),
        mass_kg=float(row["mass_kg"]),
        mass_sigma=float(row["mass_sigma"]),
        price_usd=float(row["price_usd"]),
        price_sigma=float(row["price_sigma"]),
        props=tuple(float(p) for p in row["props"].split()),
        size=row["size"],
        uses=tuple(row["uses"].split("|")),
    )


@cache
def archetypes() -> tuple[Archetype, ...]:
    """All archetypes in file order (the order is part of the seeded world: do not sort)."""
    text = resources.files(__package__).joinpath("archetypes.csv").read_text(encoding="utf-8")
    return tuple(_parse(row) for row in csv.DictReader(text.splitlines()))


@cache
def physical_archetypes() -> tuple[Archetype, ...]:
    return tuple(a for a in archetypes() if a.physical)


@cache
def non_physical_archetypes() -> tuple[Archetype, ...]:
    return tuple(a for a in archetypes() if not a.physical)


@cache
def physical_cum_weights() -> tuple[float, ...]:
    """Cumulative draw weights of the physical archetypes: cheap everyday goods are listed more often than
    sofas and laptops (weight ~ price^-0.3), which puts about 9 % of products above $200 as in the paper."""
    return tuple(itertools.accumulate((30.0 / a.price_usd) ** 0.3 for a in physical_archetypes()))


def classification_id(path: tuple[str, ...]) -> str:
    """A stable browse-node id for a category path (the real ids are opaque integers too)."""
    return str(1_000_000 + zlib.crc32(">".join(path).encode("utf-8")) % 2_000_000_000)
