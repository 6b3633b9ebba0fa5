"""Scraped catalog records (product-page scrapes such as Bright Data's Amazon dataset) to listing fields.

Records carry ``asin`` (else ``input_asin`` or /dp/<ASIN> in ``url``), ``title`` (keyword-search results:
``name``), ``brand``, ``description``, ``features``, ``categories``, ``images`` (or ``image_url``/``image``),
``final_price``/``initial_price`` with ``currency``, ``item_weight`` and ``product_dimensions`` strings,
``product_details[{type, value}]`` (materials, weights, sizes), ``rating`` and ``reviews_count``
(``num_ratings``). Prices in other currencies than USD are dropped, never converted.
"""

from __future__ import annotations

import re

from emma_pipeline.sources.fields import (
    check_asin,
    clean_list,
    clean_text,
    is_material_key,
    resolve_ref,
    split_materials,
)
from emma_pipeline.units import parse_dimensions, parse_price_usd, parse_weight_kg

_DP_RE = re.compile(r"/dp/([A-Za-z0-9]{10})(?:[/?#]|$)")
_ITEM_DIMENSION_PREFIXES = ("Product Dimensions", "Item Dimensions")


def _asin(obj: dict) -> tuple[str | None, str | None]:
    for key in ("asin", "input_asin"):
        if isinstance(obj.get(key), str) and obj[key].strip():
            return check_asin(obj[key])
    url = obj.get("url")
    if isinstance(url, str) and (match := _DP_RE.search(url)):
        return check_asin(match.group(1))
    return None, "missing_asin"


def _details(obj: dict) -> dict[str, str]:
    pairs: dict[str, str] = {}
    entries = obj.get("product_details")
    for entry in entries if isinstance(entries, list) else []:
        if isinstance(entry, dict) and isinstance(entry.get("type"), str) and isinstance(entry.get("value"), str):
            pairs.setdefault(" ".join(entry["type"].split()), " ".join(entry["value"].split()))
    return pairs


def _price(obj: dict) -> float | None:
    if str(obj.get("currency") or "").upper() != "USD":
        return None
    return parse_price_usd(obj.get("final_price")) or parse_price_usd(obj.get("initial_price"))


def _image_urls(obj: dict, base_dir: str) -> list[str] | None:
    images = obj.get("images")
    refs = images if isinstance(images, list) and images else [obj.get("image_url") or obj.get("image")]
    urls = [resolve_ref(r.strip(), base_dir) for r in refs if isinstance(r, str) and r.strip()]
    return list(dict.fromkeys(urls)) or None


def _int_or_none(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def scraped_row(obj: dict, base_dir: str) -> tuple[dict | None, str | None]:
    """Listing fields of one scraped record, or a quarantine reason."""
    asin, error = _asin(obj)
    if error is not None:
        return None, error
    details = _details(obj)
    dims_text = obj.get("product_dimensions") or next(
        (v for k, v in details.items() if k.startswith(_ITEM_DIMENSION_PREFIXES)), None
    )
    dims, dims_weight = parse_dimensions(dims_text)
    package_dims, package_weight = parse_dimensions(details.get("Package Dimensions"))
    materials: list[str] = []
    for key, value in details.items():
        if is_material_key(key):
            materials.extend(m for m in split_materials(value) if m not in materials)
    rating = obj.get("rating")
    review_count = _int_or_none(obj.get("reviews_count"))
    return {
        "asin": asin,
        "title": clean_text(obj.get("title") or obj.get("name")),
        "features": clean_list(obj.get("features")),
        "description": clean_text(obj.get("description")),
        "brand": clean_text(obj.get("brand")),
        "image_urls": _image_urls(obj, base_dir),
        "mass_kg": parse_weight_kg(obj.get("item_weight")) or parse_weight_kg(details.get("Item Weight"))
        or dims_weight,
        "package_weight_kg": parse_weight_kg(details.get("Package Weight")) or package_weight,
        "price_usd": _price(obj),
        "dimensions_cm": dims or package_dims,
        "category_path": clean_list(obj.get("categories")),
        "materials_raw": materials or None,
        "review_count": review_count if review_count is not None else _int_or_none(obj.get("num_ratings")),
        "average_rating": float(rating) if isinstance(rating, int | float) and not isinstance(rating, bool) else None,
    }, None
