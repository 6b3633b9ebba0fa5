"""From the Dagster-free checks (``emma_pipeline.checks``) to asset check results, reading what was committed."""

from __future__ import annotations

import polars as pl
from dagster import AssetCheckExecutionContext, AssetCheckResult, MetadataValue

from emma_pipeline.checks import CheckOutcome
from resources.lake import LakeResource
from resources.lake_io_manager import read_committed


def committed(context: AssetCheckExecutionContext, lake: LakeResource, table: str, columns: list[str]) -> pl.DataFrame:
    """``columns`` of ``table`` at the snapshot its latest materialization recorded (what downstream will read)."""
    return read_committed(lake.lake(), context.instance, table, columns)


def committed_asins(context: AssetCheckExecutionContext, lake: LakeResource, table: str) -> list[str | None]:
    return committed(context, lake, table, ["asin"])["asin"].to_list()


def check_result(outcome: CheckOutcome, **kwargs) -> AssetCheckResult:
    """Counts as integers; each offence as a few sorted keys (``_none_`` when clean), so the UI names where to look."""
    samples = {f"sample/{k}": MetadataValue.md(", ".join(f"`{key}`" for key in v) or "_none_")
               for k, v in outcome.samples.items()}  # fmt: skip
    return AssetCheckResult(passed=outcome.passed, metadata={**outcome.counts, **samples}, **kwargs)
