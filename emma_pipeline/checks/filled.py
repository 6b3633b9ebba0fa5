"""A filled table (``filled_gen<k>``, ``dataset``) as committed, against the tables that state the original values:
one row per object, every stated value kept as it was with source ``original`` (and ``original`` only where a
value was stated), sources from the allowed set, confidences in [0, 1], a value for every attribute.

"Stated" is read from the committed inputs, not from the fill-in code: a price or mass that is finite and > 0 in
``objects``, a non-empty ``material_ids`` in ``object_materials``, a non-empty ``category_ids`` path in
``object_categories``, a ``rating_hist`` with at least one review in ``objects`` (kept as its distribution).
"""

from __future__ import annotations

import math
from collections.abc import Collection

import polars as pl

from emma_pipeline.checks.coverage import accounted_for
from emma_pipeline.checks.outcome import CheckOutcome, combined, outcome

ATTRIBUTES = ("price", "mass", "materials", "category", "ratings")
ORIGINAL = "original"
RATING_TOLERANCE = 1e-5  # ratings are stored as float32 shares of the review histogram
RELATIVE_TOLERANCE = 1e-9  # price and mass are copied as float64


COLUMNS = ("asin", "split", "price", "mass", "materials", "category_path", "ratings",
           *(f"{a}_{part}" for a in ATTRIBUTES for part in ("source", "confidence")))  # what the check reads
STATED_IN = {"objects": ["asin", "price_usd", "mass_kg", "rating_hist"], "object_materials": ["asin", "material_ids"],
             "object_categories": ["asin", "category_ids"]}  # fmt: skip


def allowed_sources(generation: int) -> set[str]:
    """``original`` and the generations up to ``generation`` (a generation-k table holds no later generation)."""
    return {ORIGINAL, *(f"gen{g}" for g in range(1, generation + 1))}


def stated_values(objects: pl.DataFrame, object_materials: pl.DataFrame, object_categories: pl.DataFrame) -> dict[str, dict]:
    """Attribute -> {asin: the value the inputs state}, in the filled table's representation."""
    out: dict[str, dict] = {}
    for attr, column in (("price", "price_usd"), ("mass", "mass_kg")):
        out[attr] = {a: float(v) for a, v in objects.select("asin", column).iter_rows()
                     if v is not None and math.isfinite(v) and v > 0}  # fmt: skip
    out["materials"] = {a: sorted(v) for a, v in object_materials.select("asin", "material_ids").iter_rows() if v}
    out["category"] = {a: list(v) for a, v in object_categories.select("asin", "category_ids").iter_rows() if v}
    ratings = {}
    for asin, hist in objects.select("asin", "rating_hist").iter_rows():
        total = sum(hist) if hist else 0
        if total > 0:
            ratings[asin] = [h / total for h in hist]
    out["ratings"] = ratings
    return out


def _same(attr: str, stated, written) -> bool:
    if written is None:
        return False
    if attr in ("price", "mass"):
        return abs(written - stated) <= RELATIVE_TOLERANCE * abs(stated)
    if attr == "materials":
        return sorted(written) == stated
    if attr == "ratings":
        return len(written) == len(stated) and all(abs(w - s) <= RATING_TOLERANCE for w, s in zip(written, stated))
    return list(written) == stated


def _value_column(attr: str) -> str:
    return "category_path" if attr == "category" else attr


def _absent(attr: str, value) -> bool:
    """No value: null, NaN, an empty list, or a NaN share of the rating distribution."""
    if value is None:
        return True
    if attr in ("price", "mass"):
        return not math.isfinite(value)
    return len(value) == 0 or (attr == "ratings" and any(v is None or math.isnan(v) for v in value))


def originals_kept(filled: pl.DataFrame, stated: dict[str, dict], sources: Collection[str]) -> CheckOutcome:
    """Per attribute and object: a stated value is written unchanged with source ``original``; ``original`` only
    where a value was stated; the source in ``sources``; a synthetic value with a confidence in [0, 1] (any
    confidence written within [0, 1]); a value present and not NaN."""
    overwritten, unstated, unknown, confidence, absent = set(), set(), set(), set(), set()
    for attr in ATTRIBUTES:
        column = _value_column(attr)
        rows = filled.select("asin", column, f"{attr}_source", f"{attr}_confidence").iter_rows()
        for asin, value, source, conf in rows:
            key = f"{asin}:{attr}"
            if asin in stated[attr]:
                if source != ORIGINAL or not _same(attr, stated[attr][asin], value):
                    overwritten.add(key)
            elif source == ORIGINAL:
                unstated.add(key)
            if source not in sources:
                unknown.add(f"{key}={source}")
            if conf is not None and not (0.0 <= conf <= 1.0):  # NaN fails the comparison too
                confidence.add(key)
            elif conf is None and source != ORIGINAL:
                confidence.add(key)
            if _absent(attr, value):
                absent.add(key)
    return outcome(
        {"rows": filled.height, **{f"stated_{a}": len(v) for a, v in stated.items()}},
        {"original_overwritten": overwritten, "original_without_stated_value": unstated, "source_not_allowed": unknown,
         "confidence_missing_or_out_of_range": confidence, "value_missing": absent},
    )  # fmt: skip


def filled_well_formed(filled: pl.DataFrame, objects: pl.DataFrame, object_materials: pl.DataFrame,
                       object_categories: pl.DataFrame, generation: int, splits: pl.DataFrame | None = None) -> CheckOutcome:  # fmt: skip
    """One row per ASIN of ``objects`` (exactly once, no other), ``originals_kept``, and with ``splits`` (the
    published table) ``splits_agree``."""
    stated = stated_values(objects, object_materials, object_categories)
    parts = {
        "rows": accounted_for(objects["asin"].to_list(), {"filled": filled["asin"].to_list()}),
        "values": originals_kept(filled, stated, allowed_sources(generation)),
    }
    if splits is not None:
        parts["split"] = splits_agree(filled, splits)
    return combined(parts)


def splits_agree(table: pl.DataFrame, splits: pl.DataFrame) -> CheckOutcome:
    """Every row's ``split`` is the one ``splits`` assigns to its ASIN (``asin: written != assigned``)."""
    assigned = dict(splits.select("asin", "split").iter_rows())
    wrong = {f"{a}: {s} != {assigned.get(a)}" for a, s in table.select("asin", "split").iter_rows() if assigned.get(a) != s}
    return outcome({"rows": table.height, "split_rows": splits.height}, {"split_disagrees": wrong})
