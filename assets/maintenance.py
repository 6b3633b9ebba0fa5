"""Lake maintenance: expire old snapshots and delete the files only they used (``warehouse/retention``).

``lake_maintenance`` keeps the newest ``keep_last`` snapshots, those younger than ``keep_days``, the ``pinned``
ids, and every snapshot a latest materialization recorded (downstream steps read inputs at those). The daily
schedule is off by default (turn it on in the UI); at each tick it pins the ids listed in the environment
variable ``EMMA_LAKE_PINNED_SNAPSHOTS`` (comma-separated), read then, not at import.
"""

import os

from dagster import (
    AssetRecordsFilter,
    Config,
    DefaultScheduleStatus,
    OpExecutionContext,
    RunRequest,
    ScheduleEvaluationContext,
    job,
    op,
    schedule,
)

from emma_pipeline.warehouse.retention import Retention, apply_retention
from resources.lake import LakeResource

PINNED_ENV = "EMMA_LAKE_PINNED_SNAPSHOTS"


class LakeRetentionConfig(Config):
    keep_last: int = 20
    keep_days: float = 7.0
    pinned: list[int] = []


@op(description="Expire lake snapshots outside the retention policy and delete their files.")
def expire_lake_snapshots(context: OpExecutionContext, config: LakeRetentionConfig, lake: LakeResource) -> None:
    needed = recorded_snapshots(context.instance)
    policy = Retention(keep_last=config.keep_last, keep_days=config.keep_days, pinned=tuple(config.pinned))
    result = apply_retention(lake.lake(), policy, also_keep=needed)
    context.log.info(f"expired {len(result.expired)} snapshots, kept {len(result.kept)}, "
                     f"deleted {result.files_deleted} files")  # fmt: skip


def recorded_snapshots(instance) -> set[int]:
    """``lake_snapshot`` of the latest materialization of every asset (and partition) in the instance."""
    found = set()
    for key in instance.get_asset_keys():
        partitions = sorted(instance.get_materialized_partitions(key)) or [None]
        for partition in partitions:
            records = instance.fetch_materializations(
                AssetRecordsFilter(asset_key=key, asset_partitions=[partition] if partition else None), limit=1
            ).records
            materialization = records[0].asset_materialization if records else None
            value = materialization.metadata.get("lake_snapshot") if materialization else None
            if value is not None:
                found.add(int(value.value))
    return found


@job(description="Expire old lake snapshots and delete unreferenced data files (see assets/maintenance.py).")
def lake_maintenance():
    expire_lake_snapshots()


@schedule(job=lake_maintenance, cron_schedule="0 3 * * *", default_status=DefaultScheduleStatus.STOPPED)
def daily_lake_maintenance(context: ScheduleEvaluationContext) -> RunRequest:
    pinned = [int(p) for p in os.environ.get(PINNED_ENV, "").replace(" ", "").split(",") if p]
    return RunRequest(run_config={"ops": {"expire_lake_snapshots": {"config": {"pinned": pinned}}}})
