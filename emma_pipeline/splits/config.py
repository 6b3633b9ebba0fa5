"""Split sizes and the eval-versus-train similarity bar, as one frozen config."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SplitConfig:
    """Each split's size is ``fraction`` of all objects, capped at ``max`` when set, and limited by its eligible
    pool (complete objects for val/test, objects with materials for calibration). The paper's full-scale sets were
    ~0.9 % each (26.5k val, 26.9k test, 23.4k calibration of 2.88M); 5 % suits a sample of a few thousand."""

    val_fraction: float = 0.05
    test_fraction: float = 0.05
    calibration_fraction: float = 0.05
    val_max: int | None = None
    test_max: int | None = None
    calibration_max: int | None = None
    # A val/test object whose text embedding has cosine >= this with any train object is demoted to train; a lower
    # bar than the duplicate filter's (~0.95), as the paper applies "more aggressive duplicate-detection" here.
    eval_train_similarity: float = 0.85
    seed: int = 0  # salts the ASIN hash that orders candidates
    refill_rounds: int = 3  # times val/test are topped up from fresh candidates after near-train demotions
    search_chunk: int = 8192  # train vectors per similarity search batch (bounds memory)

    def __post_init__(self) -> None:
        fractions = (self.val_fraction, self.test_fraction, self.calibration_fraction)
        if any(not 0.0 <= f <= 1.0 for f in fractions) or sum(fractions) > 1.0:
            raise ValueError(f"split fractions must lie in [0, 1] and sum to at most 1, got {fractions}")
        caps = (self.val_max, self.test_max, self.calibration_max)
        if any(cap is not None and cap < 0 for cap in caps):
            raise ValueError(f"split caps must be non-negative, got {caps}")
        if not -1.0 <= self.eval_train_similarity <= 1.0:
            raise ValueError(f"eval_train_similarity is a cosine in [-1, 1], got {self.eval_train_similarity}")
        if self.refill_rounds < 0 or self.search_chunk < 1:
            raise ValueError("refill_rounds must be >= 0 and search_chunk >= 1")

    def targets(self, n_objects: int) -> dict[str, int]:
        """Wanted size per held-out split for ``n_objects`` objects, before pool limits."""
        sizes = {
            "val": (self.val_fraction, self.val_max),
            "test": (self.test_fraction, self.test_max),
            "calibration": (self.calibration_fraction, self.calibration_max),
        }
        return {name: round(f * n_objects) if cap is None else min(round(f * n_objects), cap)
                for name, (f, cap) in sizes.items()}  # fmt: skip
