"""Deduplication across rebuilds: only new or changed listings are checked, against the persisted indexes.

The state of a run is (per ASIN) the hashes of the inputs its embeddings were computed from, the duplicate groups
and the dedup removals. On the next run an ASIN whose hashes are unchanged keeps its decision; every other ASIN
(new, changed, or removed last time as the twin of one that changed or vanished) is judged by ``find_duplicates``
against the indexes of the objects kept so far, which are never rebuilt from scratch.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from emma_pipeline.cleaning.ann_index import VectorIndex
from emma_pipeline.cleaning.dedup import DedupConfig, find_duplicates

STATE_SCHEMA = {"asin": pl.Utf8, "text_hash": pl.Utf8, "image_hash": pl.Utf8}


@dataclass(frozen=True)
class DedupState:
    state: pl.DataFrame  # STATE_SCHEMA: input hashes the decisions were made on
    groups: pl.DataFrame  # find_duplicates' group table
    removals: pl.DataFrame  # dedup removals (REMOVALS_SCHEMA)


@dataclass(frozen=True)
class IncrementalDedup:
    kept: pl.DataFrame
    groups: pl.DataFrame
    removals: pl.DataFrame
    state: pl.DataFrame
    index: tuple[VectorIndex, VectorIndex]
    checked: int  # ASINs judged in this run (the rest kept their earlier decision)


def deduplicate(
    objects: pl.DataFrame,
    text_emb: np.ndarray,
    image_emb: np.ndarray,
    hashes: pl.DataFrame,
    previous: DedupState | None = None,
    index: tuple[VectorIndex, VectorIndex] | None = None,
    config: DedupConfig = DedupConfig(),
) -> IncrementalDedup:
    """``hashes``: asin, text_hash, image_hash aligned with ``objects``. Without ``previous`` and ``index``
    everything is judged (a full run)."""
    asins = objects["asin"]
    if previous is None or index is None:
        result = find_duplicates(objects, text_emb, image_emb, config)
        return IncrementalDedup(result.kept, result.groups, result.removals, hashes, result.index, objects.height)

    unchanged = set(hashes.join(previous.state, on=["asin", "text_hash", "image_hash"], how="inner")["asin"].to_list())
    carried = previous.removals.filter(pl.col("asin").is_in(unchanged) & pl.col("kept_twin").is_in(unchanged))
    decided = unchanged - set(previous.removals["asin"].to_list()) | set(carried["asin"].to_list())
    for vector_index in index:  # vanished or changed ASINs leave the indexes before anything is compared
        vector_index.delete([a for a in vector_index.ids() if a not in decided])
    todo = ~asins.is_in(list(decided)).to_numpy()
    result = find_duplicates(objects.filter(pl.Series(todo)), text_emb[todo], image_emb[todo], config, index)

    replaced = set(result.replaced)
    # listings removed earlier as twins of an object now replaced by a better new listing point to the new one
    new_twin = dict(result.removals.filter(pl.col("asin").is_in(list(replaced))).select("asin", "kept_twin").iter_rows())
    carried = carried.with_columns(pl.col("kept_twin").replace(new_twin))
    old_groups = previous.groups.filter(
        pl.col("asin").is_in(list(unchanged)).all().over("group_id") & ~pl.col("asin").is_in(list(replaced)).any().over("group_id")
    )
    offset = int(old_groups["group_id"].max() or 0) + 1 if old_groups.height else 0
    groups = pl.concat([old_groups, result.groups.with_columns(pl.col("group_id") + offset)], how="vertical_relaxed")
    removals = pl.concat([carried, result.removals], how="vertical_relaxed")
    kept = objects.filter(~pl.col("asin").is_in(removals["asin"].to_list()))
    return IncrementalDedup(kept, groups, removals, hashes, result.index, int(todo.sum()))
