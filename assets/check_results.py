"""From the Dagster-free checks (``emma_pipeline.checks``) to asset check results, reading what was committed."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl
from dagster import AssetCheckExecutionContext, AssetCheckResult, MetadataValue

from emma_pipeline.checks import CheckOutcome
from resources.lake import LakeResource
from resources.lake_io_manager import read_as_read_by, read_committed


def committed(context: AssetCheckExecutionContext, lake: LakeResource, table: str, columns: list[str] | None,
              read_by: str | Sequence[str] | None = None) -> pl.DataFrame:  # fmt: skip
    """``columns`` of ``table`` at the snapshot its latest materialization recorded (what downstream will read).
    With ``read_by`` (the checked asset, or a chain of assets down to the one that reads ``table``): ``table`` as
    that asset's latest materialization read it, so a batch committed between a step and its check is not compared
    with a table built before it."""
    if read_by is None:
        return read_committed(lake.lake(), context.instance, table, columns)
    return read_as_read_by(lake.lake(), context.instance, table, read_by, columns)


def committed_asins(context: AssetCheckExecutionContext, lake: LakeResource, table: str,
                    read_by: str | Sequence[str] | None = None) -> list[str | None]:  # fmt: skip
    return committed(context, lake, table, ["asin"], read_by)["asin"].to_list()


def check_result(outcome: CheckOutcome, **kwargs) -> AssetCheckResult:
    """Counts as integers; each offence as a few sorted keys (``_none_`` when clean), so the UI names where to look."""
    samples = {f"sample/{k}": MetadataValue.md(", ".join(f"`{key}`" for key in v) or "_none_")
               for k, v in outcome.samples.items()}  # fmt: skip
    return AssetCheckResult(passed=outcome.passed, metadata={**outcome.counts, **samples}, **kwargs)
