"""Listing text: titles, bullet points and descriptions, plus the small per-source title differences.

Text carries signal the way real listings do: titles often state the material and size, bullets mention
materials, uses, dimensions and the property keywords the Smart Labeling presets look for (blade, clear,
soft, folding, battery, holds ...), but not always.
"""

from __future__ import annotations

import random

from . import formats
from .product import Product

_PROP_BULLETS = {
    "electronic": ("USB RECHARGEABLE: Built-in rechargeable battery with LED charging indicator",
                   "SMART POWER: Plug in and power on; automatic shut-off saves energy",
                   "Powered by a long-lasting lithium battery, charge via USB-C"),
    "sharp": ("RAZOR SHARP: Precision-honed blade cuts cleanly through anything",
              "Serrated edge and sharp point; keep away from children",
              "Sharp blade stays keen longer, sharpener friendly"),
    "transparent": ("CRYSTAL CLEAR: See-through design shows the contents at a glance",
                    "Clear, transparent body so you always know what is inside"),
    "deformable": ("SOFT AND FLEXIBLE: Bends, folds and squishes without losing its shape",
                   "Soft, stretchy and comfortable; machine washable"),
    "articulating": ("FOLDING DESIGN: Sturdy hinge folds flat for easy storage",
                     "ADJUSTABLE: Telescoping, twist-lock joints adjust to any position",
                     "Hinged lid and swivel joints move smoothly"),
    "is_container": ("GENEROUS CAPACITY: Holds everything you need in one place",
                     "Roomy interior holds and stores more than you expect"),
}
_GENERIC_BULLETS = (
    "100% SATISFACTION GUARANTEE: Contact us any time, we respond within 24 hours",
    "EASY TO CLEAN: Wipe clean with a damp cloth",
    "GREAT GIFT IDEA: Perfect for birthdays, holidays and housewarmings",
    "Backed by a 1-year manufacturer warranty",
    "Designed in the USA, quality tested",
)
_MATERIAL_LEADS = ("PREMIUM MATERIAL", "DURABLE CONSTRUCTION", "HIGH QUALITY MATERIALS", "BUILT TO LAST")
_DIGITAL_BULLETS = ("Delivered instantly by email; no physical item will be shipped",
                    "Redeemable online; download link provided after purchase",
                    "Activation code sent to your account within minutes")


def size_phrase(p: Product, rng: random.Random) -> str:
    """The size/count part of a title; scaled from the true mass so bigger listings read bigger."""
    arch, kind = p.archetype, p.archetype.size
    ratio = (p.mass_kg or 1.0) / arch.mass_kg if arch.physical else 1.0
    length_in = formats.dims_inches(p.dims_cm)[0] if p.dims_cm else 0.0
    if kind == "oz":
        return f"{max(4, round(16 * ratio / 2) * 2)} oz"
    if kind in ("count", "sheets", "pieces"):
        n = max(1, round({"count": 4, "sheets": 500, "pieces": 1000}[kind] * ratio))
        return {"count": rng.choice((f"Set of {n}", f"{n} Pack", f"{n}-Piece")) if n > 1 else "1 Pack",
                "sheets": f"{n} Sheets", "pieces": f"{n} Piece"}[kind]
    if kind in ("inch", "ft"):
        return f"{max(1, round(length_in))} Inch" if kind == "inch" else f"{max(1, round(length_in / 12))} ft"
    if kind == "lb":
        return f"{max(1, round((p.mass_kg or 0) / formats.KG_PER_LB))} lb"
    if kind == "quart":
        return f"{max(1, round(8 * ratio))} Quart"
    if kind == "ml":
        return f"{max(10, round((p.mass_kg or 0) * 330 / 10) * 10)} ml"
    if kind == "watt":
        return f"{max(100, round(1000 * ratio / 50) * 50)}W"
    fixed = {"volt": ("12V", "18V", "20V"), "gb": ("32GB", "64GB", "128GB", "256GB"),
             "clothing": ("Small", "Medium", "Large", "X-Large"), "shoe": ("Size 8", "Size 9.5", "Size 11"),
             "ring": ("Size 6", "Size 7", "Size 8")}
    return rng.choice(fixed[kind]) if kind in fixed else ""


def title(p: Product, rng: random.Random) -> str:
    mat = p.material_strings[0] if p.material_strings and rng.random() < 0.55 else ""
    size = size_phrase(p, rng) if rng.random() < 0.75 else ""
    head = " ".join(w for w in (p.brand, *p.adjectives, mat, p.noun) if w)
    tail = rng.choice((f", {p.colour}", f" - {p.colour}", f" for {rng.choice(p.archetype.uses).title()}", "", ""))
    return (f"{head} {size}" if size else head) + tail


def aspa_title(text: str, p: Product, rng: random.Random) -> str:
    """The catalog's item name: the same product, worded a little differently."""
    choice = rng.random()
    if choice < 0.3:
        return text
    if choice < 0.5:
        return text.replace(f", {p.colour}", "").replace(f" - {p.colour}", "") + f" ({p.colour})"
    if choice < 0.7:
        return text.removeprefix(p.brand).strip() + f" by {p.brand}"
    if choice < 0.85:
        return text.title()
    return f"{text}, {rng.choice(('1 Count', 'Pack of 1', 'New Version'))}"


def image2mass_title(text: str, rng: random.Random) -> str:
    """image2mass stores titles cut short at a word boundary."""
    if len(text) <= 45 or rng.random() < 0.4:
        return text
    return text[: rng.randint(40, min(len(text), 80))].rsplit(" ", 1)[0]


def near_dup_title(text: str, p: Product, new_colour: str, rng: random.Random) -> str:
    """A lightly edited copy: colour swapped, words reordered or a marketing word added."""
    if p.colour in text:
        return text.replace(p.colour, new_colour)
    words = text.split()
    if len(words) > 3 and rng.random() < 0.5:
        i = rng.randrange(1, len(words) - 1)
        words[i], words[i + 1] = words[i + 1], words[i]
        return " ".join(words)
    return f"{text} {rng.choice(('(Upgraded)', '- New', '2-Pack', new_colour))}"


def features(p: Product, rng: random.Random) -> list[str]:
    arch = p.archetype
    if not arch.physical:
        return [rng.choice(_DIGITAL_BULLETS), f"Great for {', '.join(arch.uses)}"]
    uses = rng.sample(arch.uses, k=len(arch.uses))
    out = [f"PERFECT FOR {uses[0].upper()}: Ideal for {uses[0]}, {uses[1]} and {uses[2]}"]
    if rng.random() < 0.65:
        mats = " and ".join(s.lower() for s in p.material_strings)
        out.insert(0, f"{rng.choice(_MATERIAL_LEADS)}: Made of {mats}, built for years of everyday use")
    if p.dims_cm and rng.random() < 0.35:
        out.append(f"DIMENSIONS: Measures {formats.dims_text(p.dims_cm, rng)}")
    if p.mass_kg and rng.random() < 0.12:
        out.append(f"LIGHTWEIGHT: Weighs only {formats.weight_text(p.mass_kg, rng)}")
    for name, bullets in _PROP_BULLETS.items():
        if p.prop(name) and rng.random() < 0.7:
            out.append(rng.choice(bullets))
    out.extend(rng.sample(_GENERIC_BULLETS, k=rng.randint(1, 2)))
    return out


def description(p: Product, rng: random.Random) -> list[str]:
    arch = p.archetype
    use = rng.choice(arch.uses)
    first = f"The {p.brand} {p.noun.lower()} is made for {use}."
    if p.material_strings and rng.random() < 0.6:
        first += f" Crafted from {p.material_strings[0].lower()} in {p.colour.lower()}."
    parts = [first]
    if rng.random() < 0.5:
        parts.append(f"{p.brand} has been making {arch.category_path[-1].lower()} since {p.year - rng.randint(1, 30)}.")
    if rng.random() < 0.15:
        parts = ["<b>Product Description</b><br>" + " ".join(parts)]
    return parts
