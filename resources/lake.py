"""Direct read access to the lake, for assets that reuse an earlier version of their own table (caches)."""

from __future__ import annotations

import polars as pl
from dagster import ConfigurableResource

from emma_pipeline.warehouse.lake import Lake, LakeConfig


class LakeResource(ConfigurableResource):
    catalog: str
    data_path: str

    def lake(self) -> Lake:
        return Lake(LakeConfig(catalog=self.catalog, data_path=self.data_path))

    def latest(self, table: str) -> pl.DataFrame | None:
        """The current version of ``table``, or None before its first materialization."""
        lake = self.lake()
        if not lake.config.catalog.startswith("postgres:"):
            from pathlib import Path

            if not Path(lake.config.catalog).exists():
                return None
        return lake.read(table) if lake.exists(table) else None
