"""What the dedup stage remembers between runs: the decisions, the inputs they were made on, and the index of
every object kept so far. ``incremental.deduplicate`` takes the previous one and returns the next."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import polars as pl

from emma_pipeline.cleaning.ann_index import VectorIndex

STATE_SCHEMA = {"asin": pl.Utf8, "text_hash": pl.Utf8, "image_hash": pl.Utf8}


class DedupIndex(NamedTuple):
    """Nearest-neighbour indexes of the objects kept so far, one per embedding."""

    text: VectorIndex
    image: VectorIndex


@dataclass(frozen=True)
class DedupState:
    hashes: pl.DataFrame  # STATE_SCHEMA: per ASIN, the input hashes its decision was made on
    groups: pl.DataFrame  # find_duplicates' group table
    removals: pl.DataFrame  # dedup removals (REMOVALS_SCHEMA): who was removed, why, and the kept twin
    index: DedupIndex
