"""What each column of the published dataset means, for the dataset card.

Known columns have a fixed sentence; the provenance columns of any attribute (``<attr>_source``, ...) are described
from their suffix, so an attribute added to the fill-in is described without touching this file. A column nobody
described is named as such in the card (and the tests fail for a contract column without a meaning).
"""

from __future__ import annotations

import polars as pl

from emma_pipeline.fill_in.schema import SOURCES

MEANINGS: dict[str, str] = {
    "asin": "Amazon Standard Identification Number of the object (one row per object).",
    "split": "train / val / test / calibration; stable across rebuilds (val and test hold only complete objects).",
    "price": "Price in USD (median across the sources that state one).",
    "mass": "Mass of the item in kg.",
    "materials": "Material taxonomy ids (see `materials.json`): the most specific nodes held at probability >= 0.5.",
    "materials_probs": "One probability per material taxonomy node, in the order of `materials.json` (ascending id); "
    "a parent lies between its likeliest child and the sum of its children.",
    "category": "Deepest category id (see `categories.json`).",
    "category_path": "Category ids from the root down to `category`.",
    "category_probs": "Probability of each node of `category_path`.",
    "ratings": "Distribution of 1-5 star ratings (5 fractions summing to 1).",
    "title": "Listing title.",
    "brand": "Brand as stated by a source listing.",
    "features": "Bullet-point features of the listing.",
    "description": "Listing description.",
    "product_type": "Marketplace product type as stated by a source listing.",
    "dimensions_cm": "Item dimensions in cm as stated by a source listing.",
    "review_count": "Number of reviews the ratings were counted from.",
    "image_sha256": "sha256 (hex) of each image's bytes, in listing order: the image's name in a content-addressed "
    "store (`images/<first two hex digits>/<sha256>` when exported with `--images`).",
}

SUFFIXES: dict[str, str] = {
    "_source": f"Where `{{attr}}` comes from: {' / '.join(SOURCES)} (original: stated by a source listing; genN: "
    "filled by the generation-N fusion model).",
    "_confidence": "Model confidence in `{attr}` in [0, 1]; null for original values.",
    "_model_version": "Version of the trained model artifact whose network produced `{attr}`; null for original values.",
    "_passes_threshold": "True when `{attr}` is original or its confidence reaches the attribute's 95 %-precision "
    "threshold; False for a value written below it.",
}

UNDESCRIBED = "(not described)"
NOT_FILLED = "as stated by the sources (never filled)"
FIXED_MIX = {"split": "assigned by the pipeline", "image_sha256": "computed from the images' bytes"}


def provenance_of(column: str, columns: list[str]) -> tuple[str, str] | None:
    """(attribute, suffix) when ``column`` is a provenance column of an attribute present in ``columns``."""
    for suffix in SUFFIXES:
        attr = column.removesuffix(suffix)
        if attr != column and attr in columns:
            return attr, suffix
    return None


def meaning(column: str, columns: list[str]) -> str:
    if column in MEANINGS:
        return MEANINGS[column]
    found = provenance_of(column, columns)
    return SUFFIXES[found[1]].format(attr=found[0]) if found else UNDESCRIBED


def source_column(column: str, columns: list[str]) -> str | None:
    """The ``<attr>_source`` column telling where ``column``'s values come from: its own companion, or, for a
    value's satellite (``materials_probs``, ``category_path``), that of the longest attribute name it extends."""
    if f"{column}_source" in columns:
        return f"{column}_source"
    if provenance_of(column, columns):
        return None
    owners = [c.removesuffix("_source") for c in columns if c.endswith("_source") and column.startswith(c.removesuffix("_source") + "_")]
    return f"{max(owners, key=len)}_source" if owners else None


def mix_note(column: str, columns: list[str]) -> str | None:
    """What stands in the source-mix cell of a column without its own source mix."""
    found = provenance_of(column, columns)
    return f"provenance of `{found[0]}`" if found else FIXED_MIX.get(column, NOT_FILLED)


def type_name(dtype: pl.DataType) -> str:
    """A short readable type: float64, string, list<int64>, ..."""
    if isinstance(dtype, pl.List):
        return f"list<{type_name(dtype.inner)}>"
    if isinstance(dtype, pl.Array):
        return f"list<{type_name(dtype.inner)}>[{dtype.size}]"
    names = {pl.Utf8: "string", pl.String: "string", pl.Boolean: "bool"}
    return names.get(dtype.base_type(), str(dtype).lower())
