"""Material labels per object: its seller strings mapped onto taxonomy nodes, plus what could not be mapped.

Incremental: each row carries a hash of what its mapping was made from (the strings, the title, the taxonomy
and the mapper's code), so a rebuild maps only objects that are new or whose inputs changed, keeps the rest and
drops the rows of objects that left or lost their strings; a rebuild from nothing gives the same table.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from emma_pipeline.materials import _text, _vocabulary, mapper as mapper_module
from emma_pipeline.materials.mapper import MaterialMapper
from emma_pipeline.warehouse.keyed_update import KeyedUpdate

LABELS_SCHEMA = {
    "asin": pl.Utf8,
    "material_ids": pl.List(pl.Int64),  # most specific nodes; internal nodes when the seller was not specific
    "material_names": pl.List(pl.Utf8),
    "unmapped": pl.List(pl.Utf8),  # parts of the seller strings that look like materials but matched nothing
    "strings": pl.Int64,  # seller strings of the object
    "strings_mapped": pl.Int64,  # of them, those that map onto some node on their own
    "input_hash": pl.Utf8,  # of the strings, title, taxonomy and mapper code the row was mapped from
}


@dataclass(frozen=True)
class MaterialLabels:
    labels: pl.DataFrame  # one row per object that has seller material strings
    # what changed against the previous labels (the rows mapped now, the rows dropped); ``whole`` without a
    # previous table of this schema
    update: KeyedUpdate
    unmapped: pl.DataFrame  # raw part, count: the list a person extends synonyms from
    stats: dict[str, float]


def mapping_fingerprint(mapper: MaterialMapper) -> str:
    """Of everything a mapping depends on besides the object: the taxonomy (names, parents, synonyms) and the
    source of the mapper and its vocabulary, so editing either maps every object again."""
    digest = hashlib.blake2b(repr(mapper.taxonomy.nodes).encode("utf-8"), digest_size=8)
    for module in (mapper_module, _vocabulary, _text):
        digest.update(Path(module.__file__).read_bytes())
    return digest.hexdigest()


def label_objects(objects: pl.DataFrame, mapper: MaterialMapper, previous: pl.DataFrame | None = None) -> MaterialLabels:
    """All of an object's strings are mapped together (joined by ", ") with its title as context, so a listing's
    other materials and words disambiguate e.g. nylon plastic vs nylon fabric. Rows of ``previous`` (the table an
    earlier call returned) whose inputs are unchanged are kept as they are."""
    with_strings = objects.filter(pl.col("materials_raw").list.len().fill_null(0) > 0)
    with_strings = with_strings.select("asin", "materials_raw", "title")
    base = mapping_fingerprint(mapper)
    hashes = [_input_hash(base, raws, title) for _, raws, title in with_strings.iter_rows()]
    with_strings = with_strings.with_columns(pl.Series("input_hash", hashes, dtype=pl.Utf8))
    if previous is not None and set(previous.columns) == set(LABELS_SCHEMA):
        todo = with_strings.join(previous.select("asin", "input_hash"), on=["asin", "input_hash"], how="anti")
    else:
        previous, todo = None, with_strings
    rows = [_label(mapper, *row) for row in todo.select("asin", "materials_raw", "title", "input_hash").iter_rows()]
    rows = pl.DataFrame(rows, schema=LABELS_SCHEMA)
    if previous is None:
        update = KeyedUpdate(rows, whole=True)
    else:
        update = KeyedUpdate(rows, previous.filter(~pl.col("asin").is_in(with_strings["asin"].implode()))["asin"].to_list())
    labels = update.apply_to(None if previous is None else previous.select(*LABELS_SCHEMA)).sort("asin")
    return MaterialLabels(labels, update, _unmapped(labels), _stats(labels, objects.height))


def _input_hash(base: str, raws: list[str], title: str | None) -> str:
    text = json.dumps([base, list(raws), title], ensure_ascii=False)
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


def _label(mapper: MaterialMapper, asin: str, raws: list[str], title: str | None, input_hash: str) -> dict:
    result = mapper.map(", ".join(raws), context=title)
    return {
        "asin": asin, "material_ids": list(result.node_ids), "material_names": list(mapper.names(result)),
        "unmapped": list(result.unmapped), "strings": len(raws),
        "strings_mapped": sum(bool(mapper.map(raw, context=title).node_ids) for raw in raws), "input_hash": input_hash,
    }  # fmt: skip


def _unmapped(labels: pl.DataFrame) -> pl.DataFrame:
    counts = Counter(part for parts in labels["unmapped"].to_list() for part in parts or ())
    report = pl.DataFrame({"raw": list(counts), "count": list(counts.values())}, schema={"raw": pl.Utf8, "count": pl.Int64})
    return report.sort(["count", "raw"], descending=[True, False])


def _stats(labels: pl.DataFrame, n_objects: int) -> dict[str, float]:
    n_labels = labels["material_ids"].list.len()
    mapped = int((n_labels > 0).sum())
    occurrences, mapped_occurrences = int(labels["strings"].sum() or 0), int(labels["strings_mapped"].sum() or 0)
    return {
        "objects_with_material_strings": labels.height,
        "objects_with_material_labels": mapped,
        "share_of_objects_labeled": mapped / n_objects if n_objects else 0.0,
        "string_occurrences": occurrences,
        "share_of_occurrences_mapped": mapped_occurrences / occurrences if occurrences else 1.0,
        "mean_labels_per_labeled_object": n_labels.filter(n_labels > 0).mean() or 0.0,
    }
