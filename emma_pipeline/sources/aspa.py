"""Amazon Selling Partner API catalog items (Catalog Items API 2022-04-01 ``Item`` objects) to listing rows.

A file is JSON lines (``.jsonl``, ``.jsonl.gz``) or one JSON array of items. Each record's format is
detected on its own, because catalog dumps met in practice mix formats:

- SP-API ``Item``: ``asin`` plus any of ``attributes``, ``summaries``, ``images``, ``dimensions``, ... ;
- ABO listing record (Amazon Berkeley Objects): ``item_id`` (see ``abo``);
- scraped catalog record (``asin`` with ``title``/``name``, ``final_price``, ...; see ``scraped_catalog``).

Anything else (review or seller records) is quarantined as ``unknown_record_format``. Prices count only in
USD: other currencies give no price (never converted). The category path comes from ``classifications``
(each node's ``parent`` chain, reversed to root first), else from ``salesRanks`` (display group, then the
first classification) or the summary's browse classification; a lone classification without parents gets the
sales-rank display group as its root.
"""

from __future__ import annotations

from pathlib import Path

from emma_pipeline.sources.abo import abo_row
from emma_pipeline.sources.fields import (
    ListingBuffer,
    QuarantineBuffer,
    box_cm,
    check_asin,
    clean_text,
    dicts,
    parent_dir,
    resolve_ref,
    split_materials,
    tagged_values,
)
from emma_pipeline.sources.files import Progress, iter_json_records
from emma_pipeline.sources.records import ParseResult
from emma_pipeline.sources.scraped_catalog import scraped_row
from emma_pipeline.units import parse_price_usd, to_kg

SOURCE = "aspa"
_ITEM_KEYS = frozenset(
    ("attributes", "summaries", "productTypes", "dimensions", "identifiers", "images", "salesRanks",
     "classifications", "relationships", "vendorDetails")
)


def parse_aspa_file(path: str | Path, on_progress: Progress | None = None) -> ParseResult:
    """Parse one catalog file into listings and quarantine."""
    file, base_dir = str(path), parent_dir(path)
    listings, quarantine = ListingBuffer(), QuarantineBuffer(SOURCE, file)
    records_in = aspa_records(iter_json_records(path, on_progress), file, base_dir, listings, quarantine)
    q = quarantine.frame()
    return ParseResult(listings.frame(), q, records_in, records_in - q.height)


def aspa_records(records, file: str, base_dir: str, listings: ListingBuffer, quarantine: QuarantineBuffer) -> int:
    """Add each ``(line, offset, raw, value, error)`` record as a listing row or a quarantine row; returns the count."""
    records_in = 0
    for line, offset, raw, obj, error in records:
        records_in += 1
        row = None
        if error is None and not isinstance(obj, dict):
            error = "not_an_object"
        if error is None:
            try:
                row, error = _record_row(obj, base_dir)
            except (TypeError, ValueError, AttributeError) as err:
                error = f"bad_record: {type(err).__name__}: {err}"
        if error is not None:
            quarantine.add(line, offset, raw, error, obj)
            continue
        row.update(source=SOURCE, file=file, line=line)
        listings.add(row)
    return records_in


def _record_row(obj: dict, base_dir: str) -> tuple[dict | None, str | None]:
    if "item_id" in obj:
        return abo_row(obj, base_dir)
    if ("title" in obj or "name" in obj) and "attributes" not in obj and "summaries" not in obj:
        return scraped_row(obj, base_dir)
    if obj.keys() & _ITEM_KEYS or obj.keys() <= {"asin"}:
        return item_row(obj, base_dir)
    return None, f"unknown_record_format: keys {', '.join(sorted(obj))[:120]}"


def _weight(entries: object) -> float | None:
    return next((kg for e in dicts(entries) if (kg := to_kg(e.get("value"), e.get("unit")))), None)


def _usd_price(entries: object) -> float | None:
    for entry in dicts(entries):
        if str(entry.get("currency", "")).upper() == "USD":
            price = parse_price_usd(entry.get("value", entry.get("value_with_tax")))
            if price is not None:
                return price
    return None


def _pixels(value: object) -> int:
    return value if isinstance(value, int) and value > 0 else 0


def _image_urls(groups: object, base_dir: str) -> list[str] | None:
    """One link per image variant (the largest size offered), MAIN first."""
    best: dict[str, tuple[int, str]] = {}
    for group in dicts(groups):
        for image in dicts(group.get("images")):
            link = image.get("link")
            if not isinstance(link, str) or not link.strip():
                continue
            key = str(image.get("variant") or link)
            area = _pixels(image.get("height")) * _pixels(image.get("width"))
            if key not in best or area > best[key][0]:
                best[key] = (area, link.strip())
    order = sorted(best, key=lambda v: v != "MAIN")
    return [resolve_ref(best[v][1], base_dir) for v in order] or None


def _classification_chain(obj: dict) -> list[str]:
    """The first classification's ``parent`` chain, root first."""
    for group in dicts(obj.get("classifications")):
        for node in dicts(group.get("classifications")):
            chain: list[str] = []
            while isinstance(node, dict) and isinstance(node.get("displayName"), str) and node["displayName"].strip():
                chain.append(node["displayName"].strip())
                node = node.get("parent")
            if chain:
                return chain[::-1]
    return []


def _category_path(obj: dict) -> list[str] | None:
    """Only a classification with its parent chain is a category path. A lone browse node or a sales-rank
    [display group, leaf] pair skips levels: as a path it would invent roots and shortcuts in the category tree,
    so such items have no category here (another source may supply it)."""
    chain = _classification_chain(obj)
    return chain if len(chain) > 1 else None


def item_row(obj: dict, base_dir: str) -> tuple[dict | None, str | None]:
    """Listing fields of one SP-API Item (attributes first, summaries and ``dimensions`` as fallbacks)."""
    asin, error = check_asin(obj.get("asin"))
    if error is not None:
        return None, error
    attrs = obj.get("attributes") if isinstance(obj.get("attributes"), dict) else {}
    summary = next(iter(dicts(obj.get("summaries"))), {})
    measured = next(iter(dicts(obj.get("dimensions"))), {})
    item_box, package_box = measured.get("item") or {}, measured.get("package") or {}
    titles, brands = tagged_values(attrs.get("item_name")), tagged_values(attrs.get("brand"))
    values = tagged_values(attrs.get("material")) + tagged_values(attrs.get("fabric_type"))
    materials = [m for value in values for m in split_materials(value)]
    product_type = next((p.get("productType") for p in dicts(obj.get("productTypes"))), None)
    return {
        "asin": asin,
        "title": titles[0] if titles else clean_text(summary.get("itemName")),
        "features": tagged_values(attrs.get("bullet_point")) or None,
        "description": "\n".join(tagged_values(attrs.get("product_description"))) or None,
        "brand": brands[0] if brands else clean_text(summary.get("brand")),
        "image_urls": _image_urls(obj.get("images"), base_dir),
        "mass_kg": _weight(attrs.get("item_weight")) or _weight([item_box.get("weight")]),
        "package_weight_kg": _weight(attrs.get("item_package_weight")) or _weight([package_box.get("weight")]),
        "price_usd": _usd_price(attrs.get("list_price")),
        "dimensions_cm": next((box for d in dicts(attrs.get("item_dimensions")) if (box := box_cm(d))), None)
        or box_cm(item_box)
        or next((box for d in dicts(attrs.get("item_package_dimensions")) if (box := box_cm(d))), None)
        or box_cm(package_box),
        "category_path": _category_path(obj),
        "product_type": product_type if isinstance(product_type, str) else None,
        "materials_raw": list(dict.fromkeys(materials)) or None,
    }, None
