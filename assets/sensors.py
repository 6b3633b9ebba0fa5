"""New listing dumps in the landing zone become ingest partitions; downstream assets follow by automation."""


from dagster import DefaultSensorStatus, RunRequest, SensorEvaluationContext, SensorResult, SkipReason, sensor

from assets.jobs import ingest_job
from assets.partitions import ingest_batches
from resources.landing_zone import LandingZone


@sensor(job=ingest_job, minimum_interval_seconds=30, default_status=DefaultSensorStatus.RUNNING)
def landing_sensor(context: SensorEvaluationContext, landing: LandingZone):
    """Register each ready batch folder as an ``ingest_batches`` partition and ingest it once."""
    known = set(context.instance.get_dynamic_partitions(ingest_batches.name))
    new = [batch for batch in landing.ready_batches() if batch not in known]
    if not new:
        return SkipReason(f"no new ready batch under {landing.root}")
    return SensorResult(
        run_requests=[RunRequest(partition_key=batch, run_key=f"ingest:{batch}") for batch in new],
        dynamic_partitions_requests=[ingest_batches.build_add_request(new)],
    )
