"""The product-type vocabulary (paper appendix: "PILLOW", "WIRELESS_ACCESSORY", ... 1,296 heavily skewed classes),
the input of the 128-d product-type embedding.

Names are normalized to upper snake case so "Wireless Accessory", "wireless-accessory" and "WirelessAccessory"
are one type. Id 0 is reserved for unknown or rare types (missing, or seen fewer than ``min_count`` times), so a
model's embedding row 0 is the "no information" row. Ids are stable like the category tree's: a previous
vocabulary's types keep their ids (and stay, with count 0, when no object has them any more); new types are
numbered after the largest previous id, in name order.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

import polars as pl

UNKNOWN_ID = 0
UNKNOWN = "UNKNOWN"
PRODUCT_TYPE_SCHEMA: dict[str, pl.DataType] = {
    "id": pl.Int64,
    "product_type": pl.Utf8,  # upper snake case; UNKNOWN for id 0
    "count": pl.Int64,  # objects with this type; for id 0, objects without a type or with a rare one
}
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_NON_WORD = re.compile(r"[^A-Za-z0-9]+")


def normalize_product_type(value: str | None) -> str | None:
    """Upper snake case (``"wirelessAccessory"`` -> ``"WIRELESS_ACCESSORY"``); None for a missing, blank or
    literally unknown type."""
    if not isinstance(value, str):
        return None
    name = _NON_WORD.sub("_", _CAMEL.sub("_", value.strip())).strip("_").upper()
    return name if name and name != UNKNOWN else None


def product_type_vocabulary(
    product_types: Iterable[str | None], previous: pl.DataFrame | None = None, min_count: int = 1
) -> pl.DataFrame:
    """One row per known type plus the reserved row 0 (PRODUCT_TYPE_SCHEMA), sorted by id."""
    counts = Counter(normalize_product_type(value) for value in product_types)
    ids = _previous_ids(previous)
    next_id = max(ids.values(), default=UNKNOWN_ID) + 1
    for name in sorted(name for name, n in counts.items() if name and n >= min_count and name not in ids):
        ids[name] = next_id
        next_id += 1
    unknown = sum(n for name, n in counts.items() if name not in ids)
    rows = [{"id": UNKNOWN_ID, "product_type": UNKNOWN, "count": unknown}]
    rows += [{"id": i, "product_type": name, "count": counts.get(name, 0)} for name, i in ids.items()]
    return pl.DataFrame(rows, schema=PRODUCT_TYPE_SCHEMA).sort("id")


def _previous_ids(previous: pl.DataFrame | None) -> dict[str, int]:
    if previous is None:
        return {}
    known = previous.filter(pl.col("id") != UNKNOWN_ID)
    ids = dict(zip(known["product_type"], known["id"], strict=True))
    if len(ids) != known.height or len(set(ids.values())) != known.height:
        raise ValueError("previous product-type vocabulary has duplicate types or ids")
    return ids


def assign_product_type_ids(product_types: Iterable[str | None], vocabulary: pl.DataFrame) -> list[int]:
    """Each object's product-type id; UNKNOWN_ID for a missing type or one the vocabulary left out as rare."""
    ids = dict(zip(vocabulary["product_type"], vocabulary["id"], strict=True))
    ids.pop(UNKNOWN, None)
    return [ids.get(normalize_product_type(value), UNKNOWN_ID) for value in product_types]
