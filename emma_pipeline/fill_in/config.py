"""Fill-in settings, each default justified."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FillInConfig:
    # the precision a synthetic value must reach on held-out observed values to pass its threshold (the bar)
    precision: float = 0.95
    # price / mass: a value is "correct" when max(p/t, t/p) <= 1 + tolerance. 0.5 (a factor of 1.5) because the
    # losses and the paper's MnRE live in ratio space, and the paper's generation-1 MnRE (~0.75 for mass) means a
    # typical ratio of ~1.33: a value within 1.5x is a typical-or-better prediction, one beyond it is not usable as
    # a physical quantity. A tighter tolerance leaves almost nothing above 95 % precision on the sample.
    regression_tolerance: float = 0.5
    # ratings: correct when the predicted mean star rating is within half a star of the listing's reviews
    rating_tolerance_stars: float = 0.5
    # a threshold is only trusted when at least this many held-out values reach it (else nothing passes)
    min_support: int = 5
    # which fusion merger fills (the other merger and the single-modality models only inform confidence)
    filler: str = "fusion_attention"
    # splits whose observed values tune thresholds: no model of any generation trains on them ("test" stays for
    # reporting how the tuned threshold holds up)
    tuning_splits: tuple[str, ...] = ("val", "calibration")
