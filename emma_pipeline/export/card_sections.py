"""The prose sections of the dataset card, each from the frame and the lake tables it describes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import polars as pl

from emma_pipeline.export.coverage import attributes, coverage
from emma_pipeline.export.published import IMAGE_COLUMN, ordered_splits

if TYPE_CHECKING:
    from emma_pipeline.export.card import LakeSource


@dataclass(frozen=True)
class ImageSummary:
    """What the export knows of the images: distinct hashes, references without bytes, whether they were copied."""

    distinct: int
    missing: dict[str, int] = field(default_factory=dict)
    copied: bool = False


def summary(frame: pl.DataFrame, files: dict[str, list[str]]) -> str:
    counts = dict(frame.group_by("split").len().iter_rows()) if frame.height else {}
    splits = ", ".join(f"{s} {counts[s]:,}" for s in ordered_splits(list(counts))) or "none"
    attrs = ", ".join(f"`{a}`" for a in attributes(frame)) or "none"
    n_files = sum(len(v) for v in files.values())
    return (
        f"Physical objects from marketplace listings (the EMMa dataset, built by the EMMa pipeline): "
        f"{frame.height:,} objects, one row per object, in {n_files} Parquet files under `data/`. Splits: {splits}.\n\n"
        f"Attributes with provenance: {attrs}. Each holds the value a source listing states (`original`) or, where "
        f"none does, one filled by a fusion model (`gen1`, `gen2`, `gen3`: the model generation), with the model's "
        f"confidence, its artifact version and whether the value reaches the attribute's 95 %-precision threshold. "
        f"An original value is never replaced."
    )


def loading(frame: pl.DataFrame, files: dict[str, list[str]]) -> str:
    patterns = {s: f"data/{s}-*.parquet" for s in ordered_splits(list(files))}
    first = next(iter(patterns.values()), "data/train-*.parquet")
    mapping = ", ".join(f'"{s}": "{p}"' for s, p in patterns.items())
    return (
        "## Loading\n\n```python\nimport polars as pl\n\n"
        f'rows = pl.read_parquet("{first}")\n'
        + _usable_example(frame) + "```\n\n"
        "```python\nfrom datasets import load_dataset\n\n"
        f'dataset = load_dataset("parquet", data_files={{{mapping}}})\n'
        "# or from the folder holding this card (its `configs` name every file): load_dataset(\"path/to/folder\")\n```"
    )


def _usable_example(frame: pl.DataFrame) -> str:
    attr = next((a for a in attributes(frame) if f"{a}_passes_threshold" in frame.columns), None)
    if attr is None:
        return ""
    return f'usable = rows.filter(pl.col("{attr}_passes_threshold"))  # {attr} original or filled at >= 95 % precision\n'


def lake_source(source: LakeSource | None) -> str:
    if source is None or source.snapshot is None:
        return "The lake snapshot of these rows is the `lake_snapshot` of the `dataset` materialization this card belongs to."
    lines = [f"Exported from lake snapshot **{source.snapshot}**"
             + (f"; the `dataset` table was last written at snapshot {source.dataset_snapshot}." if source.dataset_snapshot else ".")]  # fmt: skip
    if source.tables:
        read = ", ".join(f"`{t}` (written at {s})" for t, s in sorted(source.tables.items()))
        lines.append(f"Tables read at that snapshot: {read}.")
    lines.append(f"`emma export --snapshot {source.snapshot}` writes these files again, byte for byte, while the lake "
                 f"keeps that snapshot (`lake_maintenance` expires old ones unless pinned).")  # fmt: skip
    return " ".join(lines)


def coverage_note(frame: pl.DataFrame) -> str:
    example = next(iter(attributes(frame)), "mass")
    return (
        "Counts of all objects. original: stated by a source listing; synthetic: filled by a model (per generation "
        "in the next columns); synthetic passing threshold: filled values whose confidence reaches the attribute's "
        "threshold for 95 % precision on held-out observed values; original + passing: objects whose value is "
        "usable at that precision; no value: objects without any value. Values below the threshold are still "
        f"written, marked: keep the others with `{example}_passes_threshold`."
    )


def taxonomy(table: pl.DataFrame | None, file: str) -> str:
    if table is None:
        return f"`materials` holds ids of the material taxonomy, written beside this card as `{file}` by `emma export`."
    roots = table.filter(pl.col("parent_id").is_null()).sort("id")["name"].to_list()
    leaves = int(table["is_leaf"].sum()) if "is_leaf" in table.columns else None
    return (
        f"`{file}`: the {table.height} nodes of the material taxonomy in ascending id order (id, name, parent_id, "
        f"depth, is_leaf, path); `materials` holds node ids and `materials_probs[i]` is the probability of the i-th "
        f"node of the file. {len(roots)} roots: {', '.join(roots)}"
        + (f"; {leaves} leaves; depth up to {int(table['depth'].max())}." if leaves is not None else ".")
    )


def categories(table: pl.DataFrame | None, file: str) -> str:
    if table is None:
        return f"`category` and `category_path` hold ids of the category tree, written as `{file}` by `emma export`."
    columns = ", ".join(table.columns)
    return (f"`{file}`: the {table.height} nodes of the category tree ({columns}), ids stable across rebuilds of "
            f"this lake; `category` is the deepest node of an object, `category_path` its path from the root.")  # fmt: skip


def images(frame: pl.DataFrame, summary: ImageSummary | None) -> str:
    if IMAGE_COLUMN not in frame.columns:
        return "This table carries no image references; `emma export` adds `image_sha256` from the image store."
    with_images = int((frame[IMAGE_COLUMN].list.len().fill_null(0) > 0).sum())
    text = (f"`{IMAGE_COLUMN}` names each image by the sha256 of its bytes, its name in the pipeline's "
            f"content-addressed image store (`<landing>/_images/<first two hex digits>/<sha256>`). "
            f"{with_images:,} of {frame.height:,} objects have at least one image with bytes")  # fmt: skip
    if summary is not None:
        text += f"; {summary.distinct:,} distinct images"
        if summary.copied:
            text += ", copied beside this card as `images/<first two hex digits>/<sha256>`"
        else:
            text += ", not copied into this export (`emma export --images` copies them)"
    return text + "."


def limitations(frame: pl.DataFrame, image_summary: ImageSummary | None) -> str:
    items = [
        "Synthetic values are predictions of models trained on this dataset's observed values. The 95 %-precision "
        "thresholds are measured on held-out observed values; values that are missing for a reason (cheap items "
        "without a price, one category without materials) may be predicted less well than that.",
        "Values below the threshold are kept and marked (`<attr>_passes_threshold` false), not removed.",
        "Original values carry the sources' own errors (wrong units, mislabeled materials); cleaning removed "
        "duplicates, hijacked ASINs, non-physical and mismatched listings with measured, not perfect, precision.",
        "Category and material ids are this lake's (`categories.json`, `materials.json`), not a public standard.",
        "No license is granted by this export: the terms of the source marketplaces and datasets apply.",
    ]
    for row in coverage(frame).iter_rows(named=True):
        if row["no_value"]:
            items.append(f"{row['no_value']:,} objects have no `{row['attribute']}` value at all.")
    if image_summary is not None:
        items += [f"{n:,} image references without bytes: {why}." for why, n in sorted(image_summary.missing.items())]
    return "\n".join(f"- {item}" for item in items)
