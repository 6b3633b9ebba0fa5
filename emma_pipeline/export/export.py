"""``emma export``: the published ``dataset`` at one lake snapshot as plain Parquet plus its dataset card.

Writes into ``out``: ``data/<split>-NNNNN-of-NNNNN.parquet``, ``README.md`` (the card), ``materials.json`` (the
material taxonomy), ``categories.json`` (the category tree) and, with ``copy_images``, ``images/<aa>/<sha256>``.
Parquet files of an earlier export in ``out/data`` are removed first, so the folder holds exactly one version.
Everything written is a function of the snapshot: exporting it again gives byte-identical files.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from emma_pipeline.export.card import CATEGORIES_FILE, MATERIALS_FILE, LakeSource, dataset_card
from emma_pipeline.export.card_models import combined_metrics
from emma_pipeline.export.card_sections import ImageSummary
from emma_pipeline.export.images import copy_images, hash_images
from emma_pipeline.export.lake_read import DATASET, METRICS_TABLES, ExportError, read_state
from emma_pipeline.export.parquet_files import DATA_DIR, write_splits
from emma_pipeline.export.published import IMAGE_COLUMN, published_frame
from emma_pipeline.images.store import ImageStore
from emma_pipeline.warehouse.lake import Lake

CARD_FILE = "README.md"


@dataclass(frozen=True)
class ExportResult:
    out: Path
    snapshot: int
    rows: int
    files: dict[str, list[str]]
    images_copied: int


def export_dataset(lake: Lake, out: Path, image_store: ImageStore, snapshot: int | None = None,
                   with_images: bool = False) -> ExportResult:  # fmt: skip
    state = read_state(lake, snapshot)
    dataset, objects = state.frames[DATASET], state.frames["objects"]
    try:
        hashes = _image_hashes(dataset, objects, state.frames["image_fetches"], image_store)
        frame = published_frame(dataset, objects, hashes[0] if hashes else None)
    except ValueError as exc:
        raise ExportError(f"cannot export snapshot {state.snapshot}: {exc}") from exc
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    for stale in sorted((out / DATA_DIR).glob("*-of-*.parquet")):
        stale.unlink()
    files = write_splits(frame, out)
    copied = copy_images(hashes[1].sources, out) if hashes and with_images else 0
    summary = ImageSummary(hashes[1].referenced, hashes[1].missing, copied=with_images) if hashes else None
    _write_json(out / MATERIALS_FILE, state.frames["material_taxonomy"])
    _write_json(out / CATEGORIES_FILE, state.frames["category_tree"])
    source = LakeSource(snapshot=state.snapshot, dataset_snapshot=state.written_at.get(DATASET),
                        tables={t: s for t, s in state.written_at.items() if t != DATASET})  # fmt: skip
    metrics = combined_metrics([state.frames[t] for t in METRICS_TABLES])
    card = dataset_card(frame, source=source, taxonomy=state.frames["material_taxonomy"],
                        categories=state.frames["category_tree"], metrics=metrics, images=summary, files=files)  # fmt: skip
    (out / CARD_FILE).write_text(card, encoding="utf-8")
    return ExportResult(out=out, snapshot=state.snapshot, rows=frame.height, files=files, images_copied=copied)


def _image_hashes(dataset: pl.DataFrame, objects: pl.DataFrame | None, fetches, store: ImageStore):
    """(asin -> image_sha256 frame, ImageHashes) from the objects' image references, or None without them."""
    if objects is None or "image_urls" not in objects.columns or IMAGE_COLUMN in dataset.columns:
        return None
    rows = objects.join(dataset.select("asin"), on="asin", how="semi").sort("asin")
    hashes = hash_images(rows["image_urls"].to_list(), fetches, store)
    frame = pl.DataFrame({"asin": rows["asin"], IMAGE_COLUMN: pl.Series(hashes.hashes, dtype=pl.List(pl.Utf8))})
    return frame, hashes


def _write_json(path: Path, table: pl.DataFrame | None) -> None:
    """The table as a JSON list of records in id order (stable bytes); nothing when the lake lacks it."""
    if table is None:
        path.unlink(missing_ok=True)
        return
    rows = table.sort("id").to_dicts() if "id" in table.columns else table.to_dicts()
    path.write_text(json.dumps(rows, indent=1, sort_keys=True, ensure_ascii=False, default=str) + "\n", encoding="utf-8")


__all__ = ["CARD_FILE", "ExportError", "ExportResult", "export_dataset"]
