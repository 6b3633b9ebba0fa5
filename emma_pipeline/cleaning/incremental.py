"""Deduplication across rebuilds, the one entry point of the dedup decision: ``deduplicate``.

How a listing ends up kept or removed, in reading order:

1. ``deduplicate`` (here): an ASIN whose input hashes are unchanged since the previous run keeps its decision
   (kept, or removed as the twin of an object that is still there). Every other ASIN (new, changed, or removed
   last time as the twin of one that changed or vanished) is judged, and vanished or changed ASINs first leave
   the index of kept objects.
2. ``dedup.find_duplicates``: the judged listings are grouped with each other and with earlier kept objects
   (exact text/picture keys, mutual nearest neighbours above the ``DedupConfig`` thresholds, the title rule);
   per group the listing with the most attributes is kept (an earlier object is replaced only by a strictly
   better one).
3. ``dedup_report.report_frames``: for each removed listing, the reason (``exact_duplicate`` or
   ``near_duplicate``), the evidence (which embedding, what cosine) and the kept twin.

The returned ``DedupState`` is the next run's ``previous``; ``dedup_store`` persists its index.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from emma_pipeline.cleaning.dedup import find_duplicates
from emma_pipeline.cleaning.dedup_config import DedupConfig
from emma_pipeline.cleaning.dedup_state import STATE_SCHEMA, DedupIndex, DedupState

__all__ = ["STATE_SCHEMA", "DedupIndex", "DedupOutcome", "DedupState", "deduplicate"]


@dataclass(frozen=True)
class DedupOutcome:
    kept: pl.DataFrame  # the input objects minus every dedup removal, in input order
    state: DedupState  # groups and removals of all objects, their hashes, the updated index
    checked: int  # ASINs judged in this run (the rest kept their earlier decision)

    @property
    def removals(self) -> pl.DataFrame:
        return self.state.removals

    @property
    def groups(self) -> pl.DataFrame:
        return self.state.groups


def deduplicate(
    objects: pl.DataFrame,
    text_emb: np.ndarray,
    image_emb: np.ndarray,
    hashes: pl.DataFrame,
    previous: DedupState | None = None,
    config: DedupConfig = DedupConfig(),
) -> DedupOutcome:
    """``hashes``: asin, text_hash, image_hash aligned with ``objects``. Without ``previous`` everything is
    judged (a full run)."""
    asins = objects["asin"]
    if previous is None:
        result = find_duplicates(objects, text_emb, image_emb, config)
        state = DedupState(hashes, result.groups, result.removals, result.index)
        return DedupOutcome(result.kept, state, objects.height)

    same = previous.hashes.select(list(STATE_SCHEMA))
    unchanged = set(hashes.join(same, on=["asin", "text_hash", "image_hash"], how="inner")["asin"].to_list())
    carried = previous.removals.filter(pl.col("asin").is_in(unchanged) & pl.col("kept_twin").is_in(unchanged))
    decided = unchanged - set(previous.removals["asin"].to_list()) | set(carried["asin"].to_list())
    for vector_index in previous.index:  # vanished or changed ASINs leave the indexes before anything is compared
        vector_index.delete([a for a in vector_index.ids() if a not in decided])
    todo = ~asins.is_in(list(decided)).to_numpy()
    result = find_duplicates(objects.filter(pl.Series(todo)), text_emb[todo], image_emb[todo], config, previous.index)

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
    return DedupOutcome(kept, DedupState(hashes, groups, removals, result.index), int(todo.sum()))
