"""Listing CSVs of the image2mass kind to listing rows; the layout is chosen by the header.

- listing layout: ``asin,title,weight,dimensions,image_url`` (weight "2.5 pounds", dimensions
  "10 x 5 x 2 inches"); numeric ``mass_kg`` / ``weight_lb`` columns win over ``weight`` when present, and a
  ``price`` column is read when present. ``image_url`` may hold several references separated by "|".
- 2020 product-table layout (``Uniq Id,Product Name,...,Product Url,...``): the ``Asin`` column is empty in the
  published sample, so the ASIN comes from ``Product Url`` (/dp/<ASIN>) or "ASIN:" in ``Product
  Specification``, whose "|"-separated "Key: value" pairs (spaces often squeezed out: "ItemWeight:12.8ounces")
  also give the item weight and dimensions; ``Shipping Weight`` is the package weight; "Material Type ..."
  inside the flattened ``Technical Details`` gives the materials.

``line`` is the physical line where the row starts (the header is line 1). A row with the wrong number of
fields, undecodable bytes or no usable ASIN is quarantined. In a damaged ``.gz`` every row before the damage is
read and the row the damage cut, with the rest of the file, is one quarantine row (see ``csv_lines``).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from pathlib import Path

from emma_pipeline.sources.csv_lines import CsvLines
from emma_pipeline.sources.fields import (
    ListingBuffer,
    QuarantineBuffer,
    check_asin,
    clean_text,
    parent_dir,
    resolve_ref,
    split_materials,
    strip_html,
)
from emma_pipeline.sources.files import Progress, open_binary
from emma_pipeline.sources.gzip_stream import Damage
from emma_pipeline.sources.records import ParseResult
from emma_pipeline.units import parse_dimensions, parse_price_usd, parse_weight_kg, to_kg

SOURCE = "image2mass"
_DP_RE = re.compile(r"/dp/([A-Za-z0-9]{10})(?:[/?#]|$)")
_SPEC_ASIN_RE = re.compile(r"ASIN\s*:\s*([A-Za-z0-9]{10})")
_SPACE_RE = re.compile(r"\s+")
# "... Item model number 841357 Material Type Paper Number of Items 1 ..." (a spec table flattened to text).
_TECH_MATERIAL_RE = re.compile(
    r"\bMaterial(?: Type)?:? (.+?) (?=Number of Items|Item Package Quantity|Number Of Pieces|Total Recycled"
    r"|Material Type|Shape)"
)
_PLACEHOLDER_IMAGE = "transparent-pixel"
_BOILERPLATE_FEATURE = "make sure this fits by entering your model number."

Row = dict[str, str]


def parse_image2mass_file(path: str | Path, on_progress: Progress | None = None) -> ParseResult:
    """Parse one listing CSV (either layout) into listings and quarantine."""
    file, base_dir = str(path), parent_dir(path)
    listings, quarantine = ListingBuffer(), QuarantineBuffer(SOURCE, file)
    records_in = 0
    with open_binary(path, on_progress) as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="surrogateescape", newline="")
        lines = CsvLines(text, lambda: raw.damage)
        reader = csv.reader(lines)
        header = _next_row(reader)
        if isinstance(header, csv.Error):
            return _unreadable(file, header)
        if header is None or lines.cut_row():
            return _tail_only(file, lines, raw.damage)
        lines.row_done()
        columns = [h.strip().lower() for h in header]
        row_fn = _layout(columns)
        line = reader.line_num + 1
        while (fields := _next_row(reader)) is not None:
            start, line = line, reader.line_num + 1
            if lines.cut_row():
                line = start
                break
            lines.row_done()
            if fields == []:
                continue
            records_in += 1
            raw_row = fields if isinstance(fields, csv.Error) else ",".join(fields)
            error = _row_error(fields, columns, row_fn)
            row = None
            if error is None:
                row, error = row_fn(dict(zip(columns, fields)), base_dir)
            if error is not None:
                quarantine.add(start, None, _raw_bytes(raw_row), error)
                continue
            row.update(source=SOURCE, file=file, line=start)
            listings.add(row)
        if raw.damage is not None:  # the unreadable tail, from the row the damage cut
            records_in += 1
            quarantine.add(line, lines.tail_offset(raw.damage), _raw_bytes(lines.tail_text()), raw.damage.reason)
    q = quarantine.frame()
    return ParseResult(listings.frame(), q, records_in, records_in - q.height)


def _next_row(reader) -> list[str] | csv.Error | None:
    try:
        return next(reader)
    except StopIteration:
        return None
    except csv.Error as err:
        return err


def _unreadable(file: str, err: csv.Error) -> ParseResult:
    quarantine = QuarantineBuffer(SOURCE, file)
    quarantine.add(1, None, "", f"bad_csv_header: {err}")
    return ParseResult(quarantine=quarantine.frame(), records_in=1, records_ok=0)


def _tail_only(file: str, lines: CsvLines, damage: Damage | None) -> ParseResult:
    """A file whose header row is cut by damage (or that is empty): its tail row, or nothing."""
    if damage is None:
        return ParseResult()
    quarantine = QuarantineBuffer(SOURCE, file)
    quarantine.add(1, lines.tail_offset(damage), _raw_bytes(lines.tail_text()), damage.reason)
    return ParseResult(quarantine=quarantine.frame(), records_in=1, records_ok=0)


def _raw_bytes(raw_row: str | csv.Error) -> bytes:
    return str(raw_row).encode("utf-8", errors="surrogateescape")


def _row_error(fields, columns: list[str], row_fn) -> str | None:
    if isinstance(fields, csv.Error):
        return f"bad_csv_row: {fields}"
    if row_fn is None:
        return f"unknown_csv_layout: header {','.join(columns)[:120]!r}"
    if len(fields) != len(columns):
        return f"bad_csv_row: expected {len(columns)} fields, got {len(fields)}"
    try:
        "".join(fields).encode("utf-8")
    except UnicodeEncodeError:
        return "invalid_utf8: row holds bytes that are not UTF-8"
    return None


def _layout(columns: list[str]) -> Callable[[Row, str], tuple[dict | None, str | None]] | None:
    names = set(columns)
    if {"product url", "product name"} <= names:
        return _table2020_row
    if "asin" in names and names & {"weight", "mass_kg", "weight_lb", "dimensions"}:
        return _listing_row
    return None


def _images(value: str | None, base_dir: str) -> list[str] | None:
    refs = [r.strip() for r in (value or "").split("|")]
    urls = [resolve_ref(r, base_dir) for r in refs if r and _PLACEHOLDER_IMAGE not in r]
    return list(dict.fromkeys(urls)) or None


def _listing_row(rec: Row, base_dir: str) -> tuple[dict | None, str | None]:
    asin, error = check_asin(rec.get("asin"))
    if error is not None:
        return None, error
    dims, dims_weight = parse_dimensions(rec.get("dimensions"))
    mass = (
        to_kg(rec.get("mass_kg"), "kg")
        or to_kg(rec.get("weight_lb"), "lb")
        or parse_weight_kg(rec.get("weight"))
        or dims_weight
    )
    return {
        "asin": asin,
        "title": clean_text(rec.get("title")),
        "image_urls": _images(rec.get("image_url"), base_dir),
        "mass_kg": mass,
        "price_usd": parse_price_usd(rec.get("price")),
        "dimensions_cm": dims,
    }, None


def _spec_pairs(text: str) -> dict[str, str]:
    """"Shipping Weight: 10.7 pounds (...)|ASIN: B07KMVJJK7" -> {"shippingweight": ..., "asin": ...}."""
    pairs: dict[str, str] = {}
    for part in text.split("|"):
        key, sep, value = part.partition(":")
        if sep:
            pairs.setdefault(_SPACE_RE.sub("", key).lower(), value.strip())
    return pairs


def _table2020_asin(rec: Row) -> tuple[str | None, str | None]:
    if rec.get("asin", "").strip():
        return check_asin(rec["asin"])
    for pattern, field in ((_DP_RE, "product url"), (_SPEC_ASIN_RE, "product specification")):
        if match := pattern.search(rec.get(field, "")):
            return check_asin(match.group(1))
    return None, "missing_asin"


def _table2020_row(rec: Row, base_dir: str) -> tuple[dict | None, str | None]:
    asin, error = _table2020_asin(rec)
    if error is not None:
        return None, error
    spec = _spec_pairs(rec.get("product specification", ""))
    item_dims, item_dims_weight = parse_dimensions(spec.get("productdimensions") or rec.get("product dimensions"))
    package_dims, _ = parse_dimensions(spec.get("packagedimensions"))
    features = [strip_html(f) for f in rec.get("about product", "").split("|")]
    category = [c.strip() for c in rec.get("category", "").split(" | ") if c.strip()]
    found = _TECH_MATERIAL_RE.findall(rec.get("technical details", ""))
    materials = [m for text in found for m in split_materials(text)]
    return {
        "asin": asin,
        "title": clean_text(rec.get("product name")),
        "brand": clean_text(rec.get("brand name")),
        "features": [f for f in features if f and f.lower() != _BOILERPLATE_FEATURE] or None,
        "description": clean_text(rec.get("product description")),
        "category_path": category or None,
        "price_usd": parse_price_usd(rec.get("selling price")) or parse_price_usd(rec.get("list price")),
        "mass_kg": parse_weight_kg(spec.get("itemweight")) or item_dims_weight,
        "package_weight_kg": parse_weight_kg(rec.get("shipping weight"))
        or parse_weight_kg(spec.get("shippingweight")),
        "dimensions_cm": item_dims or package_dims,
        "image_urls": _images(rec.get("image"), base_dir),
        "materials_raw": list(dict.fromkeys(materials)) or None,
    }, None
