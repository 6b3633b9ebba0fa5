"""The single Dagster Definitions object of the project (``emma build``'s runner is ``emma_pipeline/build.py``)."""

from __future__ import annotations

from dagster import AssetSelection, AutomationConditionSensorDefinition, DefaultSensorStatus, Definitions

from assets import base_assets
from assets.fill_in import fill_in_assets
from assets.evaluation import fill_in_truth_evaluation
from assets.fill_in_evaluation import fill_in_evaluation
from assets.jobs import TRAINING_TAG, downstream_job, fill_in_evaluation_job, ingest_job, models_job
from assets.maintenance import daily_lake_maintenance, lake_maintenance
from assets.partitions import ingest_batches
from assets.sensors import landing_sensor
from assets.smart_labels import smart_label_assets, smart_labels_job, smart_labels_sensor
from emma_pipeline.settings import load_settings
from resources import build_resources
from resources.executor import build_executor

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
        assets=[*base_assets, *fill_in_assets(settings.fill_generations), fill_in_evaluation,
                fill_in_truth_evaluation, *smart_label_assets],  # smart labels: per property, not part of the build graph
        jobs=[ingest_job, downstream_job, models_job, fill_in_evaluation_job, smart_labels_job, lake_maintenance],
        schedules=[daily_lake_maintenance],
        sensors=[landing_sensor, automation_sensor, smart_labels_sensor],
        resources=build_resources(settings),
        executor=build_executor(settings.executor),
    )


defs = build_definitions()

