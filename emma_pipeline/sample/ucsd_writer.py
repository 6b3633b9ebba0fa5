"""UCSD Amazon Review Data (2018) product metadata records, shaped like the real dumps.

Weights hide where they hide in the real data: an "Item Weight" row of the ``tech1`` HTML table, the part after
";" of ``details["\\n    Product Dimensions: \\n    "]``, or ``details["\\n    Item Weight: \\n    "]``; the
shipping weight (a package weight) sits in ``details["Shipping Weight:"]``. Materials appear only as a
``tech1`` "Material" row. Both image layouts occur: ``image`` (thumbnails) or ``imageURL`` + ``imageURLHighRes``.
"""

from __future__ import annotations

import html
import random

from . import formats
from .listing import Listing

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")
_TECH1_HEAD = ' class="a-keyvalue prodDetTable" role="presentation">\n         \n           \n           \n'
_TECH1_ROW = (
    "           \n           <tr>\n            \n            \n              \n              \n               \n"
    '                <th class="a-color-secondary a-size-base prodDetSectionEntry">\n                  {k}\n'
    "                </th>\n                \n              \n            \n            \n           \n"
    '            <td class="a-size-base">\n              {v}\n            </td>\n            \n'
    "           </tr>\n           \n           \n"
)
_TECH1_TAIL = "          \n        "
_DIMS_KEY = "\n    Product Dimensions: \n    "
_WEIGHT_KEY = "\n    Item Weight: \n    "


def tech1_table(rows: list[tuple[str, str]]) -> str:
    """The product-details HTML fragment the 2018 crawl stored in ``tech1``."""
    body = "".join(_TECH1_ROW.format(k=k, v=html.escape(v, quote=False)) for k, v in rows)
    return _TECH1_HEAD + body + _TECH1_TAIL


def _thumb(ref: str, rng: random.Random) -> str:
    if not ref.startswith("http"):
        return ref
    return ref.replace(".jpg", rng.choice(("._SS40_.jpg", "._SX38_SY50_CR,0,0,38,50_.jpg")))


def meta_record(lst: Listing, refs: list[str], rng: random.Random) -> dict:
    p, t = lst.described("ucsd")
    f = lst.fields["ucsd"]
    arch, top = p.archetype, p.archetype.top
    tech1_rows: list[tuple[str, str]] = [("Brand Name", p.brand)] if "brand" in f else []
    details: dict[str, str] = {}
    use_tech1 = "materials" in f or rng.random() < 0.35
    mass_text = formats.weight_text(p.mass_kg, rng) if "mass" in f and p.mass_kg else None
    dims_text = formats.dims_text(p.dims_cm, rng) if "dims" in f and p.dims_cm else None
    if mass_text and use_tech1 and rng.random() < 0.7:
        tech1_rows.append(("Item Weight", mass_text))
        mass_text = None
    if dims_text and use_tech1 and rng.random() < 0.5:
        tech1_rows.append(("Product Dimensions", dims_text))
        dims_text = None
    if "materials" in f:
        tech1_rows.append((rng.choice(("Material", "Material Type")), ", ".join(p.material_strings)))
    if dims_text:
        details[_DIMS_KEY] = dims_text + (f" ; {mass_text}" if mass_text else "")
    elif mass_text:
        details[_WEIGHT_KEY] = mass_text
    if "package_weight" in f and p.mass_kg:
        pkg = p.mass_kg * rng.uniform(1.05, 1.3) + 0.03
        details["Shipping Weight:"] = formats.weight_text(pkg, rng) + rng.choice(
            (" (View shipping rates and policies)", " (", ""))
    if details or rng.random() < 0.5:
        details[rng.choice(("ASIN: ", "ASIN:"))] = lst.asin
        details["Item model number:"] = p.model_number
    if "price" in f:
        price = formats.price_text(formats.jitter_price(p.price_usd, rng), rng)
    else:
        price = formats.CSS_PRICE if "price_junk" in f else ""
    related = list(lst.related)
    rank = rng.randint(1_000, 3_500_000)
    layout_b = rng.random() < 0.4
    record = {
        "category": list(arch.category_path) if "category" in f else [],
        "tech1": tech1_table(tech1_rows) if use_tech1 and tech1_rows else "",
        "description": list(t.description) if "description" in f else [],
        "fit": "",
        "title": t.title,
        "also_buy": related[: len(related) // 2],
    }
    if not layout_b:
        record["image"] = [_thumb(r, rng) for r in refs]
    record |= {
        "tech2": "",
        "brand": p.brand if "brand" in f else "",
        "feature": list(t.features) if "features" in f else [],
        "rank": f"{rank:,} in {arch.category_path[0]} (" if layout_b else
        [f">#{rank:,} in {html.escape(arch.category_path[0])} (See top 100)"],
        "also_view": related[len(related) // 2:],
        "details": details,
        "main_cat": top.main_cat,
        "similar_item": "",
        "date": "" if rng.random() < 0.3 else f"{rng.choice(_MONTHS)} {rng.randint(1, 28)}, {p.year}",
        "price": price,
        "asin": lst.asin,
    }
    if layout_b:
        record["imageURL"] = [_thumb(r, rng) for r in refs]
        record["imageURLHighRes"] = list(refs)
    return record
