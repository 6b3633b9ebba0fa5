"""The lake connection as a resource: where the catalog and data files live, and S3 access when data is on S3."""

from __future__ import annotations

from pathlib import Path

import polars as pl
from dagster import ConfigurableResource

from emma_pipeline.warehouse.lake import Lake, LakeConfig


class LakeResource(ConfigurableResource):
    """``catalog``: SQLite file or ``postgres:`` DSN; ``data_path``: local folder or ``s3://bucket/prefix``. The
    s3 fields configure DuckDB's S3 access (credentials come from EnvVar, never literal config)."""

    catalog: str
    data_path: str
    s3_key_id: str = ""
    s3_secret: str = ""
    s3_region: str = ""
    s3_endpoint: str = ""  # e.g. a MinIO or other S3-compatible host:port
    s3_url_style: str = ""  # "path" for most S3-compatible stores
    s3_use_ssl: bool = True

    def config(self) -> LakeConfig:
        s3 = {"key_id": self.s3_key_id, "secret": self.s3_secret, "region": self.s3_region,
              "endpoint": self.s3_endpoint, "url_style": self.s3_url_style}  # fmt: skip
        s3 = {k: v for k, v in s3.items() if v}
        if self.data_path.startswith("s3://") and not self.s3_use_ssl:
            s3["use_ssl"] = "false"
        return LakeConfig(catalog=self.catalog, data_path=self.data_path, s3=s3)

    def lake(self) -> Lake:
        return Lake(self.config())

    def latest(self, table: str, columns: list[str] | None = None) -> pl.DataFrame | None:
        """The current version of ``table`` (only ``columns`` when given), or None before its first
        materialization."""
        lake = self.lake()
        if not lake.config.catalog.startswith("postgres:") and not Path(lake.config.catalog).exists():
            return None
        return lake.read_if_exists(table, columns=columns)
