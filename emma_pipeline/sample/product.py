"""The physical truth of one product: what it is, what it is made of, how heavy and expensive it is.

Everything here is drawn from a ``random.Random`` so a product is a pure function of (seed, index); the
listings that describe it (possibly badly) are built from it in ``listing.py``.

Quality (what the star ratings of its reviews are drawn from) is not independent of what a listing shows: as on
real marketplaces, a brand has a reputation and some kinds of product are rated better than others. On the logit
scale quality is a brand effect + a smaller product-kind effect + the product's own noise. The two effects come
from streams of their own, keyed by a stable hash of (brand or kind, world seed), so adding them changed no
other draw of the generator: a product's brand, title, price, mass, ... are what they were.
"""

from __future__ import annotations

import bisect
import hashlib
import math
import random
from dataclasses import dataclass, replace
from functools import lru_cache

from .materials import FAMILIES, Look
from .world import PROPERTIES, Archetype

COLOURS: tuple[tuple[str, tuple[int, int, int]], ...] = (
    ("Black", (35, 35, 38)), ("White", (240, 240, 238)), ("Red", (200, 40, 45)), ("Blue", (40, 90, 190)),
    ("Navy", (30, 45, 90)), ("Green", (50, 140, 70)), ("Grey", (128, 128, 132)), ("Pink", (235, 130, 170)),
    ("Purple", (120, 60, 160)), ("Yellow", (240, 200, 50)), ("Orange", (240, 130, 40)), ("Teal", (30, 150, 150)),
    ("Beige", (215, 195, 160)), ("Brown", (120, 80, 50)),
)
_BRAND_HEADS = ("Vor", "Kel", "Ami", "Zen", "Tru", "Nova", "Lux", "Pro", "Eco", "Ever", "Hom", "Aqua", "Terra",
                "Vita", "Max", "Pure", "Sol", "Bright", "Oak", "Nord", "Kin", "Alto", "Mira", "Dura", "Flex")
_BRAND_TAILS = ("ex", "ora", "ify", "ly", "co", "tek", "wise", "mate", "craft", "line", "one", "io", "ware",
                "gear", "nest", "haus", "ix", "umo")
# (relative length, width, height) and effective density in kg/m^3 (air included) per silhouette
_FORMS: dict[str, tuple[tuple[float, float, float], float]] = {
    "knife": ((1, 0.15, 0.03), 1800), "rod": ((1, 0.03, 0.03), 600), "pen": ((1, 0.08, 0.08), 700),
    "ring": ((1, 1, 0.3), 6000), "necklace": ((1, 0.6, 0.05), 2500), "dumbbell": ((1, 0.4, 0.4), 5000),
    "hammer": ((1, 0.4, 0.1), 1500), "wrench": ((1, 0.25, 0.05), 2500), "scissors": ((1, 0.4, 0.05), 1500),
    "plate": ((1, 1, 0.2), 1200), "board": ((1, 0.7, 0.05), 700), "card": ((1, 0.7, 0.05), 1500),
    "phone": ((1, 0.5, 0.08), 1300), "frame": ((1, 0.75, 0.05), 700), "book": ((1, 0.7, 0.15), 600),
    "tire": ((1, 1, 0.3), 400), "cable": ((1, 1, 0.2), 400), "laptop": ((1, 0.7, 0.06), 1100),
    "screen": ((1, 0.2, 0.6), 250), "boat": ((1, 0.25, 0.15), 150), "bike": ((1, 0.3, 0.6), 150),
}
# Quality on the logit scale. A product's own noise is its beta(5, 2) draw (what quality alone used to be),
# centred and shrunk; the brand effect is the larger part, the kind effect smaller. The total spread (sd ~0.96)
# stays close to the old beta(5, 2)'s on the logit scale (0.93), so the star histograms look as they did.
_LOGIT_BETA_5_2_MEAN = 1.0833  # E[logit(X)], X ~ beta(5, 2): digamma(5) - digamma(2)
BRAND_EFFECT_SD, KIND_EFFECT_SD, OWN_NOISE_SCALE = 0.7, 0.35, 0.6


@dataclass(frozen=True)
class Product:
    product_id: int
    archetype: Archetype
    brand: str
    noun: str
    adjectives: tuple[str, ...]
    colour: str
    colour_rgb: tuple[int, int, int]
    material_strings: tuple[str, ...]  # seller strings as a seller would write them
    materials: tuple[str, ...]  # taxonomy node names those strings mean
    look: Look  # appearance of the main material
    mass_kg: float | None  # None for non-physical items
    price_usd: float
    dims_cm: tuple[float, float, float] | None
    props: tuple[bool, ...]  # aligned with world.PROPERTIES
    quality: float  # 0..1, drives the star distribution of reviews
    model_number: str
    year: int  # first listed

    def prop(self, name: str) -> bool:
        return self.props[PROPERTIES.index(name)]

    def with_colour(self, rng: random.Random) -> Product:
        """A colour variant of the same product (near-duplicate listings are often exactly this)."""
        name, rgb = rng.choice([c for c in COLOURS if c[0] != self.colour])
        return replace(self, colour=name, colour_rgb=rgb)


def _keyed_stream(*key: object) -> random.Random:
    """A random stream of its own for ``key`` (Python's ``hash`` is salted per process; sha256 is not)."""
    digest = hashlib.sha256(":".join(str(k) for k in key).encode("utf-8")).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


@lru_cache(maxsize=1 << 16)
def brand_effect(brand: str, seed: int) -> float:
    """The brand's reputation on the quality logit scale; the same maker however its name is cased."""
    return _keyed_stream("brand", brand.casefold(), seed).gauss(0.0, BRAND_EFFECT_SD)


@lru_cache(maxsize=1 << 12)
def kind_effect(kind: str, seed: int) -> float:
    """How well this kind of product (an archetype key) tends to be rated, on the quality logit scale."""
    return _keyed_stream("kind", kind, seed).gauss(0.0, KIND_EFFECT_SD)


def product_quality(own: float, brand: str, kind: str, seed: int) -> float:
    """Quality in (0, 1) from the product's own beta(5, 2) draw ``own`` and its brand's and kind's effects."""
    own = min(max(own, 1e-9), 1 - 1e-9)
    noise = OWN_NOISE_SCALE * (math.log(own / (1 - own)) - _LOGIT_BETA_5_2_MEAN)
    logit = _LOGIT_BETA_5_2_MEAN + brand_effect(brand, seed) + kind_effect(kind, seed) + noise
    return 1 / (1 + math.exp(-logit))


def brand_name(rng: random.Random) -> str:
    name = rng.choice(_BRAND_HEADS) + rng.choice(_BRAND_TAILS)
    return name.upper() if rng.random() < 0.2 else name


def _draw_materials(rng: random.Random, arch: Archetype) -> tuple[tuple[str, ...], tuple[str, ...], Look]:
    n = 1 + min(arch.max_materials - 1, int(rng.expovariate(1.3)))
    families: list[str] = []
    for _ in range(n * 3):
        key = arch.materials[bisect.bisect(arch.material_cum, rng.random() * arch.material_cum[-1])][0]
        if key not in families:
            families.append(key)
        if len(families) == n:
            break
    strings, nodes = [], []
    for key in families:
        options = FAMILIES[key].strings
        text, text_nodes = options[0] if rng.random() < 0.4 else rng.choice(options)  # the plain name is commonest
        strings.append(text)
        nodes.extend(n for n in text_nodes if n not in nodes)
    return tuple(strings), tuple(nodes), FAMILIES[families[0]].look


def _dims(rng: random.Random, arch: Archetype, mass_kg: float) -> tuple[float, float, float]:
    (a, b, c), density = _FORMS.get(arch.shape, ((1, 0.7, 0.5), 300))
    litres = mass_kg / density * 1000 * rng.uniform(0.8, 1.25)
    scale = (litres * 1000 / (a * b * c)) ** (1 / 3)
    return (round(a * scale, 1), round(max(b * scale, 0.1), 1), round(max(c * scale, 0.1), 1))


def _props(rng: random.Random, arch: Archetype, nodes: tuple[str, ...], look: Look) -> tuple[bool, ...]:
    probs = list(arch.props)
    if look[0] == "glass":
        probs[2] = max(probs[2], 0.6)
    if look[0] in ("fabric", "foam"):
        probs[3] = max(probs[3], 0.85)
    flags = [rng.random() < p for p in probs]
    if "electronics" in nodes:
        flags[0] = True
    return tuple(flags)


def make_product(rng: random.Random, product_id: int, arch: Archetype, *, seed: int) -> Product:
    """Product ``product_id`` of the world ``seed``, drawn from ``rng`` (quality's effects from their own streams)."""
    colour, colour_rgb = rng.choice(COLOURS)
    brand = brand_name(rng)
    noun = rng.choice(arch.nouns)
    adjectives = tuple(rng.sample(arch.adjectives, k=min(len(arch.adjectives), rng.choice((0, 1, 1, 2)))))
    z_mass, z_price = rng.gauss(0, 1), rng.gauss(0, 1)
    price = arch.price_usd * math.exp(arch.price_sigma * (0.45 * z_mass + 0.89 * z_price))
    model = f"{rng.choice('ABCDEFGHJKMNPRSTVWXZ')}{rng.choice('ABCDEFGHJKMNPRSTVWXZ')}-{rng.randint(100, 9999)}"
    common = dict(product_id=product_id, archetype=arch, brand=brand, noun=noun, adjectives=adjectives,
                  colour=colour, colour_rgb=colour_rgb, price_usd=_shelf_price(rng, price),
                  quality=product_quality(rng.betavariate(5, 2), brand, arch.key, seed), model_number=model,
                  year=rng.randint(2004, 2018))
    if not arch.physical:
        return Product(**common, material_strings=(), materials=(), look=("card", None), mass_kg=None,
                       dims_cm=None, props=(False,) * len(PROPERTIES))
    strings, nodes, look = _draw_materials(rng, arch)
    mass = round(arch.mass_kg * math.exp(arch.mass_sigma * z_mass), 4)
    return Product(**common, material_strings=strings, materials=nodes, look=look, mass_kg=mass,
                   dims_cm=_dims(rng, arch, mass), props=_props(rng, arch, nodes, look))


def _shelf_price(rng: random.Random, price: float) -> float:
    """Prices end like shelf prices do: 12.99, 24.95, 7.49, 150.00."""
    if price < 1:
        return round(max(price, 0.49), 2)
    cents = rng.choice((0.99, 0.99, 0.99, 0.95, 0.49, 0.0))
    return round(max(math.floor(price), 1) + cents, 2)
