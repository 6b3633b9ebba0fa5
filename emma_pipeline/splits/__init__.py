"""Train / val / test / calibration splits (paper section 3.1): held-out objects are complete, far from train in
text space, and keep their split across rebuilds."""

from emma_pipeline.splits.assign import (
    CALIBRATION,
    NEAR_TRAIN,
    NO_LONGER_COMPLETE,
    NO_LONGER_HAS_MATERIALS,
    SPLIT_SCHEMA,
    SPLITS,
    TEST,
    TRAIN,
    VAL,
    assign_splits,
)
from emma_pipeline.splits.config import SplitConfig
from emma_pipeline.splits.eligibility import has_materials, is_complete

__all__ = [
    "CALIBRATION",
    "NEAR_TRAIN",
    "NO_LONGER_COMPLETE",
    "NO_LONGER_HAS_MATERIALS",
    "SPLITS",
    "SPLIT_SCHEMA",
    "TEST",
    "TRAIN",
    "VAL",
    "SplitConfig",
    "assign_splits",
    "has_materials",
    "is_complete",
]
