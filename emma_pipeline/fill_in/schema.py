"""The published ``dataset`` table: one row per object, every attribute with its value and its provenance.

Column contract (``emma export`` and the dataset card read exactly these names):

- ``asin``, ``split`` (train / val / test / calibration).
- per attribute ``<attr>`` in ``ATTRIBUTES`` the value, and
  ``<attr>_source``: ``original`` (stated by a source listing) or ``gen1`` / ``gen2`` / ``gen3`` (filled by the
  fusion model of that generation); ``<attr>_confidence``: the model's confidence in [0, 1], null for original
  values; ``<attr>_model_version``: the version of the trained model artifact whose network produced the
  value (a batch scored with it later names the same version), null for original values;
  ``<attr>_passes_threshold``: True when the value is original or its confidence reaches the attribute's
  95 %-precision threshold (see ``emma_pipeline/fill_in/thresholds.py``), False for a value written below it.
- value columns: ``price`` (USD, float), ``mass`` (kg, float); ``materials`` (list of material taxonomy ids, the
  most specific nodes at or above the filler's material decision threshold, itself chosen on held-out rows; the
  likeliest node when none reaches it) with ``materials_probs`` (list of 182 floats, one per
  ``material_taxonomy`` id in ascending id order, consistent with the taxonomy: a parent lies between its likeliest
  child and the sum of its children); ``category`` (deepest category_tree id) with ``category_path`` (ids, root
  first) and ``category_probs`` (the probability of each node of ``category_path``); ``ratings`` (5 floats, the
  1-5 star distribution).

An original value is never replaced. For original materials the probabilities of the labeled nodes and their
ancestors are 1; the descendants of a labeled internal node ("metal") carry the model's distribution over the
kinds of metal, from the generation's filler (``materials_source`` stays ``original``; the asset's metadata names
the filler's version).
"""

from __future__ import annotations

import polars as pl

ATTRIBUTES = ("price", "mass", "materials", "category", "ratings")
SOURCES = ("original", "gen1", "gen2", "gen3")
ORIGINAL = "original"

VALUE_COLUMNS: dict[str, pl.DataType] = {
    "price": pl.Float64,
    "mass": pl.Float64,
    "materials": pl.List(pl.Int64),
    "materials_probs": pl.List(pl.Float32),
    "category": pl.Int64,
    "category_path": pl.List(pl.Int64),
    "category_probs": pl.List(pl.Float64),
    "ratings": pl.List(pl.Float32),
}


def source_label(generation: int) -> str:
    return f"gen{generation}"


def provenance_columns(attr: str) -> dict[str, pl.DataType]:
    return {f"{attr}_source": pl.Utf8, f"{attr}_confidence": pl.Float64, f"{attr}_model_version": pl.Utf8,
            f"{attr}_passes_threshold": pl.Boolean}  # fmt: skip


def dataset_schema() -> dict[str, pl.DataType]:
    """Column order of the published table."""
    schema: dict[str, pl.DataType] = {"asin": pl.Utf8, "split": pl.Utf8}
    value_of = {"materials": ("materials", "materials_probs"), "category": ("category", "category_path", "category_probs")}
    for attr in ATTRIBUTES:
        for column in value_of.get(attr, (attr,)):
            schema[column] = VALUE_COLUMNS[column]
        schema.update(provenance_columns(attr))
    return schema
