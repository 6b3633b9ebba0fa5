"""Selling Partner API Catalog Items (2022-04-01) ``Item`` objects, one per line.

Follows the official model (amzn/selling-partner-api-models, catalogItems_2022-04-01.json): attribute values
are lists of ``{value, language_tag?, marketplace_id}``; ``dimensions``, ``images`` (a single MAIN image, as
the paper's crawl had), ``productTypes``, ``salesRanks``, ``summaries`` and ``classifications`` are lists
keyed by ``marketplaceId``. Like the real crawl it has no description, no category path (only the browse
node) and no ratings.
"""

from __future__ import annotations

import random

from . import formats
from .images import IMAGE_SIZE
from .listing import Listing
from .world import classification_id

MARKETPLACE = "ATVPDKIKX0DER"


def _text(value: str) -> dict:
    return {"language_tag": "en_US", "value": value, "marketplace_id": MARKETPLACE}


def _plain(value: object) -> dict:
    return {"value": value, "marketplace_id": MARKETPLACE}


def _measure(value: float, unit: str) -> dict:
    return {"unit": unit, "value": value}


def _dimensions(dims_cm: tuple[float, float, float], rng: random.Random) -> dict:
    if rng.random() < 0.7:
        values, unit = formats.dims_inches(dims_cm), "inches"
    else:
        values, unit = dims_cm, "centimeters"
    return {k: _measure(v, unit) for k, v in zip(("length", "width", "height"), values)}


def catalog_item(lst: Listing, refs: list[str], rng: random.Random) -> dict:
    p, t = lst.described("aspa")
    f = lst.fields["aspa"]
    arch = p.archetype
    leaf = arch.category_path[-1]
    node = {"displayName": leaf, "classificationId": classification_id(arch.category_path)}
    attrs: dict[str, list] = {}
    item_dims: dict = {}
    package: dict = {}
    if t.title:
        attrs["item_name"] = [_text(t.aspa_title)]
    if "brand" in f:
        attrs["brand"] = [_text(p.brand)]
    if "features" in f:
        attrs["bullet_point"] = [_text(b) for b in t.features]
    if "mass" in f and p.mass_kg:
        value, unit = formats.weight_value(p.mass_kg, rng)
        attrs["item_weight"] = [{"unit": unit, "value": value, "marketplace_id": MARKETPLACE}]
        item_dims["weight"] = _measure(value, unit)
    if "package_weight" in f and p.mass_kg:
        value, unit = formats.weight_value(p.mass_kg * rng.uniform(1.05, 1.3) + 0.03, rng)
        attrs["item_package_weight"] = [{"unit": unit, "value": value, "marketplace_id": MARKETPLACE}]
        package["weight"] = _measure(value, unit)
    if "materials" in f:
        attrs["material"] = [_text(s) for s in p.material_strings]
    if "price" in f:
        attrs["list_price"] = [{"currency": "USD", "value": formats.jitter_price(p.price_usd, rng),
                                "marketplace_id": MARKETPLACE}]
    if "dims" in f and p.dims_cm:
        dims = _dimensions(p.dims_cm, rng)
        attrs["item_dimensions"] = [dims | {"marketplace_id": MARKETPLACE}]
        item_dims |= dims
    attrs["color"] = [_text(p.colour)]
    attrs["item_type_keyword"] = [_plain(p.noun.lower().replace(" ", "-"))]
    attrs["model_number"] = [_plain(p.model_number)]
    summary = {"marketplaceId": MARKETPLACE}
    if "brand" in f:
        summary["brand"] = p.brand
    summary |= {"browseClassification": node, "color": p.colour, "itemClassification": "BASE_PRODUCT"}
    if t.title:
        summary["itemName"] = t.aspa_title
    summary |= {"manufacturer": p.brand, "modelNumber": p.model_number, "packageQuantity": 1,
                "websiteDisplayGroup": arch.top.display_group, "websiteDisplayGroupName": arch.category_path[0]}
    item: dict = {"asin": lst.asin, "attributes": attrs,
                  "classifications": [{"marketplaceId": MARKETPLACE, "classifications": [node]}]}
    if item_dims or package:
        item["dimensions"] = [{"marketplaceId": MARKETPLACE} | ({"item": item_dims} if item_dims else {})
                              | ({"package": package} if package else {})]
    shown = [{"variant": "MAIN", "link": refs[0], "height": IMAGE_SIZE, "width": IMAGE_SIZE}] if refs else []
    item["images"] = [{"marketplaceId": MARKETPLACE, "images": shown}]
    item["productTypes"] = [{"marketplaceId": MARKETPLACE, "productType": arch.product_type}]
    if rng.random() < 0.8:
        group = arch.top.display_group
        item["salesRanks"] = [{
            "marketplaceId": MARKETPLACE,
            "classificationRanks": [{"classificationId": node["classificationId"], "title": leaf,
                                     "link": f"http://www.amazon.com/gp/bestsellers/{node['classificationId']}",
                                     "rank": rng.randint(1, 90_000)}],
            "displayGroupRanks": [{"websiteDisplayGroup": group, "title": arch.category_path[0],
                                   "link": f"http://www.amazon.com/gp/bestsellers/{group}",
                                   "rank": rng.randint(1_000, 3_000_000)}],
        }]
    item["summaries"] = [summary]
    return item
