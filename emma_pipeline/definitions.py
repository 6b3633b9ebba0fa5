"""The single Dagster Definitions object of the project (the only library module that imports dagster)."""

from __future__ import annotations

from dagster import AssetSelection, AutomationConditionSensorDefinition, DefaultSensorStatus, Definitions

from assets import all_assets
from assets.jobs import TRAINING_TAG, downstream_job, ingest_job, models_job
from assets.maintenance import daily_lake_maintenance, lake_maintenance
from assets.partitions import ingest_batches
from assets.sensors import landing_sensor
from assets.smart_labels import smart_label_assets, smart_labels_job, smart_labels_sensor
from emma_pipeline.settings import load_settings
from resources import build_resources
from resources.executor import build_executor
from resources.landing_zone import LandingZone

automation_sensor = AutomationConditionSensorDefinition(
    "emma_automation",
    target=AssetSelection.all(),
    default_status=DefaultSensorStatus.RUNNING,
    description="Updates downstream assets once their inputs changed (e.g. a new batch was ingested).",
    run_tags={TRAINING_TAG: "automation"},  # its runs refit models too: never beside another training run
)


def build_definitions() -> Definitions:
    settings = load_settings()
    return Definitions(
        assets=[*all_assets, *smart_label_assets],  # smart labels: per property, not part of the build graph
        jobs=[ingest_job, downstream_job, models_job, smart_labels_job, lake_maintenance],
        schedules=[daily_lake_maintenance],
        sensors=[landing_sensor, automation_sensor, smart_labels_sensor],
        resources=build_resources(settings),
        executor=build_executor(settings.executor),
    )


defs = build_definitions()


def run_build(reingest: bool = False, echo=print) -> None:
    """What ``emma build`` runs: register ready landing batches as partitions, ingest the new ones (all if
    ``reingest``), then rebuild everything downstream, all recorded in the current Dagster instance so the UI
    shows these materializations."""
    from dagster import AssetKey, DagsterInstance

    definitions = defs
    landing = LandingZone(root=load_settings().landing)
    quiet = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}
    with DagsterInstance.get() as instance:
        batches = landing.ready_batches()
        known = set(instance.get_dynamic_partitions(ingest_batches.name))
        instance.add_dynamic_partitions(ingest_batches.name, [b for b in batches if b not in known])
        done = instance.get_materialized_partitions(AssetKey("ucsd_listings"))
        todo = [b for b in batches if reingest or b not in done]
        echo(f"{len(batches)} ready batch(es) under {landing.root}; ingesting {len(todo)}: {', '.join(todo) or '-'}")
        for batch in todo:
            result = definitions.resolve_job_def(ingest_job.name).execute_in_process(
                instance=instance, partition_key=batch, run_config=quiet
            )
            _echo_materializations(result, echo, prefix=f"[{batch}] ")
        echo("rebuilding downstream assets")
        result = definitions.resolve_job_def(downstream_job.name).execute_in_process(instance=instance, run_config=quiet)
        _echo_materializations(result, echo)


def _echo_materializations(result, echo, prefix: str = "") -> None:
    for event in result.get_asset_materialization_events():
        materialization = event.event_specific_data.materialization
        rows = materialization.metadata.get("row_count")
        echo(f"  {prefix}{materialization.asset_key.to_user_string():<28} {rows.value if rows else '':>10} rows")
