"""Material labels per object: its seller strings mapped onto taxonomy nodes, plus what could not be mapped."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import polars as pl

from emma_pipeline.materials.mapper import MaterialMapper

LABELS_SCHEMA = {
    "asin": pl.Utf8,
    "material_ids": pl.List(pl.Int64),  # most specific nodes; internal nodes when the seller was not specific
    "material_names": pl.List(pl.Utf8),
    "unmapped": pl.List(pl.Utf8),  # parts of the seller strings that look like materials but matched nothing
}


@dataclass(frozen=True)
class MaterialLabels:
    labels: pl.DataFrame  # one row per object that has seller material strings
    unmapped: pl.DataFrame  # raw part, count: the list a person extends synonyms from
    stats: dict[str, float]


def label_objects(objects: pl.DataFrame, mapper: MaterialMapper) -> MaterialLabels:
    """All of an object's strings are mapped together (joined by ", ") with its title as context, so a listing's
    other materials and words disambiguate e.g. nylon plastic vs nylon fabric."""
    rows, unmapped = [], Counter()
    occurrences = mapped_occurrences = 0
    with_strings = objects.filter(pl.col("materials_raw").list.len().fill_null(0) > 0)
    for asin, raws, title in with_strings.select("asin", "materials_raw", "title").iter_rows():
        result = mapper.map(", ".join(raws), context=title)
        for raw in raws:
            occurrences += 1
            mapped_occurrences += bool(mapper.map(raw, context=title).node_ids)
        unmapped.update(result.unmapped)
        rows.append({"asin": asin, "material_ids": list(result.node_ids), "material_names": list(mapper.names(result)),
                     "unmapped": list(result.unmapped)})  # fmt: skip
    labels = pl.DataFrame(rows, schema=LABELS_SCHEMA)
    mapped = labels.filter(pl.col("material_ids").list.len() > 0).height
    stats = {
        "objects_with_material_strings": with_strings.height,
        "objects_with_material_labels": mapped,
        "share_of_objects_labeled": mapped / objects.height if objects.height else 0.0,
        "string_occurrences": occurrences,
        "share_of_occurrences_mapped": mapped_occurrences / occurrences if occurrences else 1.0,
        "mean_labels_per_labeled_object": labels["material_ids"].list.len().filter(labels["material_ids"].list.len() > 0).mean() or 0.0,
    }
    report = pl.DataFrame({"raw": list(unmapped), "count": list(unmapped.values())}, schema={"raw": pl.Utf8, "count": pl.Int64})
    return MaterialLabels(labels=labels, unmapped=report.sort(["count", "raw"], descending=[True, False]), stats=stats)
