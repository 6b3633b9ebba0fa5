"""One generation's fill-in: candidates from its models, thresholds tuned on held-out observed values, merged
with the original values into the published table, plus what its metadata reports."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from emma_pipeline.fill_in.candidates import candidates, material_forest
from emma_pipeline.fill_in.config import FillInConfig
from emma_pipeline.fill_in.merge import coverage, merge
from emma_pipeline.fill_in.tuning import Tuned, tune
from emma_pipeline.materials.consistency import violations
from emma_pipeline.models.prepare import Prepared
from emma_pipeline.models.trained import TrainedModel


@dataclass(frozen=True)
class Filled:
    table: pl.DataFrame  # dataset schema
    tuned: Tuned
    coverage: dict[str, dict[str, float]]
    consistency_violations: int
    consistency_conflicts: int

    def report(self) -> dict:
        """Flat figures for asset metadata and benches."""
        out = {"consistency_violations": self.consistency_violations, "consistency_conflicts": self.consistency_conflicts}
        for attr, t in self.tuned.thresholds.items():
            out[f"{attr}/threshold"] = t.value
            out[f"{attr}/tuning_precision"] = t.precision
            out[f"{attr}/tuning_support"] = t.support
            out[f"{attr}/test_precision_at_threshold"] = self.tuned.test_precision[attr]
            out[f"{attr}/synthetic_share"] = self.coverage[attr]["synthetic"]
            out[f"{attr}/coverage_at_precision"] = self.coverage[attr]["synthetic_passing"]
        return out


def original_material_ids(prepared: Prepared, object_materials: pl.DataFrame) -> list[list[int] | None]:
    frame = pl.DataFrame({"asin": prepared.asins}).join(object_materials.select("asin", "material_ids"), on="asin", how="left")
    return frame["material_ids"].to_list()


def fill(models: dict[str, TrainedModel], prepared: Prepared, object_materials: pl.DataFrame, config: FillInConfig,
         generation: int, version: str) -> Filled:  # fmt: skip
    """``models`` of one generation by name; ``prepared``: the original values (never the filled ones)."""
    c = candidates(models, config.filler, prepared)
    tuned = tune(c, prepared, config, trained_rows=prepared.rows("train"))
    thresholds = {attr: t.value for attr, t in tuned.thresholds.items()}
    table = merge(prepared, original_material_ids(prepared, object_materials), c, thresholds, generation, version)
    probs = np.array(table["materials_probs"].to_list(), dtype=np.float64)
    return Filled(table, tuned, coverage(table), violations(probs, material_forest(prepared)), c.consistency_conflicts)
