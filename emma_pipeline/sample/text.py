"""Listing text: titles, bullet points and descriptions, plus the small per-source title differences.

Text carries signal the way real listings do: titles often state the material and size, bullets mention
materials, uses, dimensions and the property keywords the Smart Labeling presets look for (blade, clear,
soft, folding, battery, holds ...), but not always.
"""

from __future__ import annotations

import random
import re

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
                    "Activation code sent to your account within minutes",
                    "INSTANT ACCESS: Available in your account right after checkout",
                    "Print at home on Letter or A4 paper, as many copies as you like",
                    "Works on Windows 10 and 11; one license, one PC",
                    "Watch on your TV, phone, tablet or laptop",
                    "Valid for 12 months from the date of purchase",
                    "Sent as a printable PDF you can personalise with a message")


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


TITLE_EDITS = ("colour", "units", "reorder", "marketing")
_UNIT = re.compile(r"\b(\d+(?:\.\d+)?)[ -]?(oz|Inch|ft|lb|Quart|ml)\b")
_COUNT = re.compile(r"\b(?:Set of (\d+)|(\d+) Pack|(\d+)-Piece)\b")


def _other_units(match: re.Match) -> str:
    """The same size in the other unit system, rounded as sellers round it: 12 oz -> 340 g, 16 Inch -> 41 cm."""
    value, unit = float(match.group(1)), match.group(2)
    if unit == "oz":
        return f"{round(value * 28.35 / 5) * 5:.0f} g"
    if unit == "Inch":
        return f"{value * 2.54:.0f} cm"
    if unit == "ft":
        return f"{value * 0.3048:.1f} m".replace(".0 m", " m")
    if unit == "lb":
        return f"{value * 0.4536:.1f} kg".replace(".0 kg", " kg")
    if unit == "Quart":
        return f"{value * 0.946:.1f} L".replace(".0 L", " L")
    return f"{value / 29.57:.1f} fl oz"


def _count_again(match: re.Match) -> str:
    n = next(g for g in match.groups() if g)
    return f"{n} Pack" if match.group(1) else f"Set of {n}"


def _convert_units(title: str) -> str | None:
    """``title`` with its size written in other units (or a count worded otherwise); None if it states none."""
    converted = _COUNT.sub(_count_again, _UNIT.sub(_other_units, title))
    return converted if converted != title else None


def _reorder(title: str, p: Product, rng: random.Random) -> str | None:
    """The same words in another order, as another seller writes them: the brand last, the size or the colour
    first, the descriptive words the other way round; None when the title gives nothing to move."""
    words = title.replace(",", "").replace(" - ", " ").split()
    options = []
    if title.startswith(p.brand + " "):
        options.append(" ".join(words[1:]) + f" by {p.brand}")
    size = _UNIT.search(title) or _COUNT.search(title)
    if size:
        rest = " ".join((title[: size.start()] + title[size.end():]).split()).strip(" ,-")
        options.append(f"{p.brand} {size.group(0)} {rest.removeprefix(p.brand).strip()}")
    if len(words) > 3:
        middle = words[1:-1]
        options.append(" ".join([words[0], *reversed(middle), words[-1]]))
    return rng.choice(options) if options else None


def twin_title(text: str, p: Product, new_colour: str, rng: random.Random) -> tuple[str, str]:
    """A near-duplicate listing's title and how it was derived (``TITLE_EDITS`` joined by "+"): a colour
    variant's colour swapped, the words reordered, the size in other units (12 oz -> 340 g), or a word added."""
    out, edits = text, []
    if new_colour != p.colour and p.colour in text:
        out, edits = text.replace(p.colour, new_colour), ["colour"]
    if edits and rng.random() < 0.5:
        return out, "colour"
    for edit in rng.choice((("reorder",), ("units",), ("units", "reorder"), ("marketing",))):
        changed = _convert_units(out) if edit == "units" else _reorder(out, p, rng) if edit == "reorder" else None
        if changed:
            out, edits = changed, [*edits, edit]
    if out == text or not edits:
        out, edits = f"{out} {rng.choice(('(Upgraded)', '- New', '2-Pack', new_colour))}", [*edits, "marketing"]
    return out, "+".join(edits)


def features(p: Product, rng: random.Random) -> list[str]:
    arch = p.archetype
    if not arch.physical:
        out = rng.sample(_DIGITAL_BULLETS, k=rng.randint(1, 2)) + [f"Great for {', '.join(arch.uses)}"]
        return out + rng.sample(_GENERIC_BULLETS, k=rng.randint(0, 1))
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
