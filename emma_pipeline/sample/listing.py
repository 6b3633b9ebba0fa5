"""Listing plans: which ASINs describe a product, in which sources, with which fields and which defects.

A plan is a pure function of (seed, product index): re-planning an earlier product in a later batch (a
re-listed ASIN) gives the same listing. The per-source writers render plans into raw records; the ground
truth is derived from the plans, never from the written files.

Coverage targets (the paper's, over distinct physical products): mass 77 %, price 69 %, materials 30 %,
category 70 %, reviews 75 %. They are hit by construction: first the source set is drawn, then for each
attribute whether any source lists it, then which of the able sources carry it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace

from . import images, text
from .asin import AsinCodec
from .product import Product, brand_name, make_product
from .world import non_physical_archetypes, physical_archetypes, physical_cum_weights

SOURCES = ("ucsd", "aspa", "image2mass")
_SOURCE_SETS = ((("ucsd",), 0.36), (("aspa",), 0.14), (("image2mass",), 0.06), (("ucsd", "aspa"), 0.15),
                (("ucsd", "image2mass"), 0.11), (("aspa", "image2mass"), 0.05), (SOURCES, 0.13))
P_NON_PHYSICAL = 0.025
P_DUP_GROUP = 0.03  # products listed under 2-3 ASINs; about 6.5 % of listings end up in a group
P_EXACT_TWIN = 0.4
P_HIJACK_MULTI = 0.045  # among products in two or more sources; about 2 % of listings
P_MISSING_TITLE, P_MISSING_IMAGE, P_MISMATCH = 0.01, 0.012, 0.015
# What a hijacker or a wrong picture shows: another product of the same kind, of the same department, or anything
P_SAME_KIND, P_SAME_CATEGORY = 0.4, 0.3
P_IDENTICAL_PICTURE = 0.25  # exact-text twins whose pictures are byte-identical; the rest carry an edited copy
P_COPIED_PICTURE = 0.6  # same-colour near-duplicate twins showing an edited copy of their twin's photo
# P(attribute listed | the product is in a source able to list it), solved for the coverage targets above
Q_MASS_WITHOUT_I2M, Q_PRICE, Q_MATERIALS, Q_CATEGORY = 0.646, 0.734, 0.32, 0.933


@dataclass(frozen=True)
class ListingText:
    title: str
    aspa_title: str
    i2m_title: str
    features: tuple[str, ...]
    description: tuple[str, ...]


@dataclass
class Listing:
    asin: str
    product: Product  # the product the listing really is
    text: ListingText
    fields: dict[str, frozenset[str]]  # source -> the fields that source lists
    record_seed: int  # seeds per-source formatting choices (same seed -> identical records)
    image_seed: int
    n_views: int  # images in a UCSD record; ASPA and image2mass show the first one only; 0 = no image
    shown: Product  # what the images show (another product for a text-image mismatch)
    n_reviews: int = 0
    hijack_source: str | None = None
    hijacker: Product | None = None  # what the hijacking source describes instead
    hijacker_text: ListingText | None = None
    hijack_kind: str | None = None  # what the hijacker is: same_kind, same_category or other (see _other_product)
    dup_group: int | None = None
    is_exact_dup: bool = False
    is_near_dup: bool = False
    image_edit: str | None = None  # a twin's pictures: identical, own_photo or an images.EDITS edit of its twin's
    title_edit: str | None = None  # a near-duplicate twin's title: text.TITLE_EDITS
    missing_title: bool = False
    text_image_mismatch: bool = False
    mismatch_kind: str | None = None  # what the pictures show instead: same_kind, same_category or other
    relisted: bool = False
    relist_changed: bool = False
    related: tuple[str, ...] = field(default=())

    @property
    def sources(self) -> tuple[str, ...]:
        return tuple(s for s in SOURCES if s in self.fields)

    def described(self, source: str) -> tuple[Product, ListingText]:
        """What ``source`` says this ASIN is: the hijacker's product for the hijacked source."""
        if source == self.hijack_source and self.hijacker and self.hijacker_text:
            return self.hijacker, self.hijacker_text
        return self.product, self.text

    def listed(self, attribute: str) -> bool:
        """Whether a source that really describes this product lists the attribute."""
        return any(attribute in f for s, f in self.fields.items() if s != self.hijack_source)


def product_rng(seed: int, index: int) -> random.Random:
    return random.Random(seed * 0x9E3779B97F4A7C15 + index)


def listing_text(p: Product, rng: random.Random) -> ListingText:
    title = text.title(p, rng)
    return ListingText(title, text.aspa_title(title, p, rng), text.image2mass_title(title, rng),
                       tuple(text.features(p, rng)), tuple(text.description(p, rng)))


def _carriers(rng: random.Random, able: list[str], p_each: float) -> set[str]:
    chosen = {s for s in able if rng.random() < p_each}
    return chosen or {rng.choice(able)}


def _fields(rng: random.Random, sources: tuple[str, ...], physical: bool) -> dict[str, frozenset[str]]:
    f: dict[str, set[str]] = {s: {"title", "images"} for s in sources}
    optional = {"ucsd": (("features", 0.85), ("description", 0.84), ("brand", 0.9), ("dims", 0.5),
                         ("package_weight", 0.7)),
                "aspa": (("features", 0.6), ("brand", 0.98), ("dims", 0.8), ("package_weight", 0.75)),
                "image2mass": (("dims", 0.9),)}
    for s in sources:
        f[s].update(name for name, p in optional[s] if rng.random() < p)
    priced = [s for s in ("ucsd", "aspa") if s in sources]
    if physical:
        if "image2mass" in sources:
            f["image2mass"].add("mass")  # image2mass rows always carry a weight
            for s in priced:
                if rng.random() < 0.4:
                    f[s].add("mass")
        elif rng.random() < Q_MASS_WITHOUT_I2M:
            for s in _carriers(rng, priced, 0.65):
                f[s].add("mass")
        if priced and rng.random() < Q_MATERIALS:
            for s in _carriers(rng, priced, 0.65):
                f[s].add("materials")
    else:
        for s in sources:
            f[s] -= {"dims", "package_weight"}
    if priced and rng.random() < Q_PRICE:
        for s in _carriers(rng, priced, 0.75):
            f[s].add("price")
    elif "ucsd" in sources and rng.random() < 0.03:
        f["ucsd"].add("price_junk")
    if "ucsd" in sources and rng.random() < Q_CATEGORY:
        f["ucsd"].add("category")
    return {s: frozenset(v) for s, v in f.items()}


def _new_listing(rng: random.Random, p: Product, asin: str, text_: ListingText) -> Listing:
    sources = rng.choices([s for s, _ in _SOURCE_SETS], weights=[w for _, w in _SOURCE_SETS])[0]
    n_views = rng.choices((1, 2, 3, 4, 5), weights=(15, 25, 25, 20, 15))[0] if "ucsd" in sources else 1
    reviewed = rng.random() < (0.85 if "ucsd" in sources else 0.45)
    return Listing(asin=asin, product=p, text=text_, fields=_fields(rng, sources, p.archetype.physical),
                   record_seed=rng.getrandbits(48), image_seed=rng.getrandbits(48), n_views=n_views, shown=p,
                   n_reviews=min(200, 1 + int(rng.lognormvariate(1.1, 1.1))) if reviewed else 0)


def _other_product(rng: random.Random, seed: int, index: int, p: Product) -> tuple[Product, str]:
    """Another product, as hijackers and wrong pictures show them: often one of the same kind (another brand's
    water bottle for a water bottle) or of the same department, sometimes anything (any silhouette)."""
    u = rng.random()
    if u < P_SAME_KIND:
        kind, arch = "same_kind", p.archetype
    else:
        top = p.archetype.category_path[0]
        same_top = [a for a in physical_archetypes() if a.category_path[0] == top and a is not p.archetype]
        kind = "same_category" if u < P_SAME_KIND + P_SAME_CATEGORY and same_top else "other"
        pool = same_top if kind == "same_category" else [a for a in physical_archetypes() if a is not p.archetype]
        arch = rng.choice(pool)
    other = make_product(rng, index, arch, seed=seed)
    if other.brand == p.brand:
        other = replace(other, brand=brand_name(rng) + "s")  # another maker, so the truth is unambiguous
    if kind == "same_kind" and (other.colour, other.look) == (p.colour, p.look):
        other = other.with_colour(rng)  # a visibly different item of the same kind
    return other, kind


def _inject_defect(rng: random.Random, seed: int, lst: Listing, index: int) -> None:
    p = lst.product
    if len(lst.sources) > 1 and rng.random() < P_HIJACK_MULTI:
        lst.hijack_source = rng.choice(lst.sources)
        lst.hijacker, lst.hijack_kind = _other_product(rng, seed, index, p)
        lst.hijacker_text = listing_text(lst.hijacker, rng)
        return
    u = rng.random()
    if u < P_MISSING_TITLE:
        lst.missing_title = True
        lst.text = replace(lst.text, title="", aspa_title="", i2m_title="")
    elif u < P_MISSING_TITLE + P_MISSING_IMAGE:
        lst.n_views = 0
        lst.fields = {s: f - {"images"} for s, f in lst.fields.items()}
    elif u < P_MISSING_TITLE + P_MISSING_IMAGE + P_MISMATCH:
        lst.text_image_mismatch = True
        lst.shown, lst.mismatch_kind = _other_product(rng, seed, index, p)


def _twin(rng: random.Random, main: Listing, asin: str) -> Listing:
    """A second listing of ``main``'s product. Sellers copy each other's pictures, so a twin often shows its
    twin's photo re-encoded, resized, cropped or watermarked; byte-identical copies are the minority."""
    if rng.random() < P_EXACT_TWIN:
        edit = "identical" if rng.random() < P_IDENTICAL_PICTURE else rng.choice(images.EDITS)
        return replace(main, asin=asin, is_exact_dup=True, image_edit=edit,
                       n_reviews=min(200, 1 + int(rng.lognormvariate(1.1, 1.1))) if rng.random() < 0.7 else 0)
    p = main.product.with_colour(rng) if rng.random() < 0.5 else main.product
    title, title_edit = text.twin_title(main.text.title, main.product, p.colour, rng)
    twin = _new_listing(rng, p, asin, replace(main.text, title=title, aspa_title=title,
                                              i2m_title=text.image2mass_title(title, rng)))
    twin.dup_group, twin.is_near_dup, twin.title_edit = main.dup_group, True, title_edit
    if p is main.product and rng.random() < P_COPIED_PICTURE:  # a colour variant needs photos of its own
        twin.image_seed, twin.image_edit = main.image_seed, rng.choice(images.EDITS)
    else:
        twin.image_edit = "own_photo"
    return twin


def plan_product(seed: int, index: int, codec: AsinCodec) -> list[Listing]:
    """All listings of product ``index``: its main listing first, then any duplicate listings."""
    rng = product_rng(seed, index)
    if rng.random() < P_NON_PHYSICAL:
        arch = rng.choice(non_physical_archetypes())
    else:
        arch = rng.choices(physical_archetypes(), cum_weights=physical_cum_weights())[0]
    product = make_product(rng, index, arch, seed=seed)
    main = _new_listing(rng, product, codec.asin(index, 0), listing_text(product, rng))
    if rng.random() < 0.4:
        offsets = rng.sample((-6, -5, -4, -3, -2, -1, 1, 2, 3, 4, 5, 6), k=rng.randint(1, 4))
        main.related = tuple(codec.asin(index + d) for d in offsets if index + d >= 0)  # also_buy / also_view
    if not product.archetype.physical:
        return [main]
    if rng.random() < P_DUP_GROUP:
        main.dup_group = index
        n_twins = 1 if rng.random() < 0.7 else 2
        return [main] + [_twin(rng, main, codec.asin(index, slot)) for slot in range(1, n_twins + 1)]
    _inject_defect(rng, seed, main, index)
    return [main]


def relist(seed: int, index: int, codec: AsinCodec, rng: random.Random) -> Listing:
    """Product ``index``'s main listing again, as a later dump shows it: sometimes with a new price or title."""
    main = plan_product(seed, index, codec)[0]
    main.relisted, main.n_reviews = True, rng.randint(0, 12)
    if rng.random() < 0.5:
        p = replace(main.product, price_usd=round(main.product.price_usd * rng.uniform(0.8, 1.2), 2))
        new_title = text.twin_title(main.text.title, p, p.colour, rng)[0] if main.text.title else ""
        main.product, main.relist_changed, main.record_seed = p, True, rng.getrandbits(48)
        main.text = replace(main.text, title=new_title, aspa_title=new_title or main.text.aspa_title)
    return main
