"""UCSD Amazon metadata (McAuley et al. 2014, Ni et al. 2018 and the 2023 release) and review JSON lines to
listing rows.

Files named ``meta_*`` hold metadata, anything else reviews (``ucsd_reviews``). The layout is decided per
record: 2018 records carry ``asin``, ``image``/``imageURL``/``imageURLHighRes``, ``category``, ``feature``,
string prices and weights hidden in ``details`` keys ("\\n    Product Dimensions: \\n    ",
"Shipping Weight:") or in the ``tech1``/``tech2`` HTML tables; 2023 records carry ``parent_asin``, ``images``
dicts, ``categories``, ``features``, a float ``price``, ``details`` with clean keys, ``average_rating`` and
``rating_number``. 2014 lines are Python dict literals (``python_literal`` reads them) with one ``imUrl``, a float
``price`` and ``categories`` as a list of paths (the first is the listing's).

Weights: "Item Weight", else the weight written after "Product Dimensions", is the item mass;
"Shipping Weight" / "Package Weight", else the weight after "Package Dimensions", is the package weight.
Dimensions are the item's when listed, else the package's.
"""

from __future__ import annotations

import posixpath
from pathlib import Path

from emma_pipeline.sources.fields import (
    ListingBuffer,
    QuarantineBuffer,
    check_asin,
    clean_list,
    clean_text,
    is_material_key,
    parent_dir,
    resolve_ref,
    split_materials,
    strip_html,
)
from emma_pipeline.sources.files import Progress, iter_json_records
from emma_pipeline.sources.html_table import parse_key_value_table
from emma_pipeline.sources.records import ParseResult
from emma_pipeline.sources.ucsd_reviews import parse_review_records
from emma_pipeline.units import parse_dimensions, parse_price_usd, parse_weight_kg

SOURCE = "ucsd"
_ITEM_DIMENSION_KEYS = ("Product Dimensions", "Item Dimensions LxWxH", "Item Dimensions")
_PACKAGE_WEIGHT_KEYS = ("Shipping Weight", "Package Weight")
_BRAND_KEYS = ("Brand", "Brand Name")
_MAX_CATEGORY_WORDS = 8


def parse_ucsd_file(path: str | Path, on_progress: Progress | None = None) -> ParseResult:
    """Parse one UCSD file; ``meta_*`` files give one row per product, review files one row per ASIN."""
    if is_meta_file(path):
        return parse_meta_records(path, on_progress)
    return parse_review_records(iter_json_records(path, on_progress), SOURCE, str(path))


def is_meta_file(path: str | Path) -> bool:
    return posixpath.basename(str(path)).startswith("meta_")


def parse_meta_records(path: str | Path, on_progress: Progress | None = None) -> ParseResult:
    """One metadata file, one row per product (``meta_records`` over every record of the file)."""
    file, base_dir = str(path), parent_dir(path)
    listings, quarantine = ListingBuffer(), QuarantineBuffer(SOURCE, file)
    records_in = meta_records(iter_json_records(path, on_progress), file, base_dir, listings, quarantine)
    q = quarantine.frame()
    return ParseResult(listings.frame(), q, records_in, records_in - q.height)


def meta_records(records, file: str, base_dir: str, listings: ListingBuffer, quarantine: QuarantineBuffer) -> int:
    """Add each ``(line, offset, raw, value, error)`` record as a listing row or a quarantine row; returns the count."""
    records_in = 0
    for line, offset, raw, obj, error in records:
        records_in += 1
        if error is None and not isinstance(obj, dict):
            error = "not_an_object"
        if error is None:
            asin, error = check_asin(obj.get("asin") if "asin" in obj else obj.get("parent_asin"))
        if error is None:
            try:
                row = meta_row(obj, base_dir)
            except (TypeError, ValueError, AttributeError) as err:
                error = f"bad_record: {type(err).__name__}: {err}"
        if error is not None:
            quarantine.add(line, offset, raw, error, obj)
            continue
        row.update(asin=asin, file=file, line=line)
        listings.add(row)
    return records_in


def meta_row(obj: dict, base_dir: str) -> dict:
    """The listing fields of one metadata record of either layout (no asin/file/line)."""
    specs = _specs(obj)
    item_dims, item_dims_weight = parse_dimensions(_first(specs, _ITEM_DIMENSION_KEYS))
    package_dims, package_dims_weight = parse_dimensions(specs.get("Package Dimensions"))
    package_weight = None
    for key in _PACKAGE_WEIGHT_KEYS:  # a plain loop: a generator per record costs more than the lookups
        if key in specs and (package_weight := parse_weight_kg(specs[key])):
            break
    materials: list[str] = []
    for key, value in specs.items():
        if is_material_key(key):
            materials.extend(m for m in split_materials(value) if m not in materials)
    rating_number = obj.get("rating_number")
    average_rating = obj.get("average_rating")
    return {
        "source": SOURCE,
        "title": clean_text(obj.get("title")),
        "features": clean_list(obj["feature"] if "feature" in obj else obj.get("features")),
        "description": clean_text(obj.get("description")),
        "brand": clean_text(obj.get("brand")) or clean_text(obj.get("store")) or _first(specs, _BRAND_KEYS),
        "image_urls": _image_urls(obj, base_dir),
        "mass_kg": parse_weight_kg(specs.get("Item Weight")) or item_dims_weight,
        "package_weight_kg": package_weight or package_dims_weight,
        "price_usd": parse_price_usd(obj.get("price")),
        "dimensions_cm": item_dims or package_dims,
        "category_path": category_path(obj["category"] if "category" in obj else obj.get("categories")),
        "materials_raw": materials or None,
        "review_count": rating_number if _is_number(rating_number, int) and rating_number >= 0 else None,
        "average_rating": float(average_rating) if _is_number(average_rating, int | float) else None,
    }


def _is_number(value: object, kind) -> bool:
    return isinstance(value, kind) and not isinstance(value, bool)


def _first(specs: dict[str, str], keys: tuple[str, ...]) -> str | None:
    for key in keys:
        if key in specs:
            return specs[key]
    return None


def _specs(obj: dict) -> dict[str, str]:
    """``details`` (keys de-padded, trailing colon dropped) merged with the tech1/tech2 tables; first wins."""
    specs: dict[str, str] = {}
    details = obj.get("details")
    if isinstance(details, dict):
        for key, value in details.items():
            if isinstance(value, str) and (text := " ".join(value.split())):
                specs.setdefault(" ".join(key.split()).rstrip(":").rstrip(), text)
    for table in ("tech1", "tech2"):
        html = obj.get(table)
        if isinstance(html, str) and html:
            for key, value in parse_key_value_table(html).items():
                specs.setdefault(key, value)
    return specs


def category_path(values: object) -> list[str] | None:
    """Root-first category names, HTML decoded; cut where 2018 lists run on into feature sentences."""
    path: list[str] = []
    if isinstance(values, list) and values and isinstance(values[0], list):  # 2014: several paths, first is primary
        values = values[0]
    for value in values if isinstance(values, list) else []:
        name = strip_html(value) if isinstance(value, str) else ""
        if not name:
            continue
        if name[-1] in ".!?" or name.count(" ") >= _MAX_CATEGORY_WORDS:
            break
        path.append(name)
    return path or None


def _image_urls(obj: dict, base_dir: str) -> list[str] | None:
    refs: list[str] = []
    images = obj.get("images")
    if isinstance(images, list) and images and isinstance(images[0], dict):  # 2023: MAIN first, largest size
        ordered = sorted((i for i in images if isinstance(i, dict)), key=lambda i: i.get("variant") != "MAIN")
        refs = [i.get("hi_res") or i.get("large") or i.get("thumb") for i in ordered]
    else:
        for key in ("imageURLHighRes", "imageURL", "image", "images"):
            if isinstance(obj.get(key), list) and obj[key]:
                refs = obj[key]
                break
        if not refs and isinstance(obj.get("imUrl"), str):  # 2014: one picture URL
            refs = [obj["imUrl"]]
    urls = [resolve_ref(r.strip(), base_dir) for r in refs if isinstance(r, str) and r.strip()]
    return list(dict.fromkeys(urls)) or None
