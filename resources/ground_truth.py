"""Read access to the embedded sample's hidden ground truth, for evaluation assets only (no stage uses it)."""

from __future__ import annotations

from pathlib import Path

import polars as pl
from dagster import ConfigurableResource


class GroundTruth(ConfigurableResource):
    directory: str

    def load(self) -> pl.DataFrame | None:
        """All batches' ground-truth rows, or None where the data is not the generated sample."""
        files = sorted(Path(self.directory).glob("*.parquet"))
        return pl.concat([pl.read_parquet(f) for f in files], how="diagonal_relaxed") if files else None
