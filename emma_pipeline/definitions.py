"""The single Dagster Definitions object of the project (``emma build``'s runner is ``emma_pipeline/build.py``)."""

from __future__ import annotations

import warnings

from dagster import (
    AssetSelection,
    AssetSpec,
    AutomationCondition,
    AutomationConditionSensorDefinition,
    DefaultSensorStatus,
    Definitions,
    PreviewWarning,
)

from assets import base_assets, base_checks
from assets.fill_in import fill_in_assets, fill_in_checks
from assets.evaluation import fill_in_truth_evaluation
from assets.fill_in_evaluation import fill_in_evaluation
from assets.jobs import INGESTION, TRAINING_TAG, downstream_job, fill_in_evaluation_job, ingest_job, models_job
from assets.maintenance import daily_lake_maintenance, lake_maintenance
from assets.schedules import weekly_retrain
from assets.partitions import ingest_batches
from assets.sensors import landing_sensor
from assets.smart_labels import smart_label_assets, smart_label_checks, smart_labels_job, smart_labels_sensor
from emma_pipeline.settings import load_settings
from resources import build_resources
from resources.executor import build_executor

# The automation policy, for every asset it covers: update once an input changed, but never on top of an input whose
# blocking check failed (a bad batch stops where it was found). Ingestion runs per landed batch (landing_sensor);
# the taxonomy is a packaged file; smart labels and the mask-and-recover evaluation run on request.
AUTOMATION = (AutomationCondition.eager() & AutomationCondition.all_deps_blocking_checks_passed()).with_label(
    "eager, inputs' blocking checks passed"
)
AUTOMATED = (
    AssetSelection.all()
    - INGESTION
    - AssetSelection.assets("material_taxonomy")
    - AssetSelection.groups("smart_labeling", "fill_in_evaluation")
)

automation_sensor = AutomationConditionSensorDefinition(
    "emma_automation",
    target=AssetSelection.all(),
    default_status=DefaultSensorStatus.RUNNING,
    description="Updates downstream assets once their inputs changed (e.g. a new batch was ingested).",
    run_tags={TRAINING_TAG: "automation"},  # its runs refit models too: never beside another training run
)


def _automated(spec: AssetSpec) -> AssetSpec:
    return spec.replace_attributes(automation_condition=AUTOMATION)


def build_definitions() -> Definitions:
    settings = load_settings()
    definitions = Definitions(
        assets=[*base_assets, *fill_in_assets(settings.fill_generations), fill_in_evaluation,
                fill_in_truth_evaluation, *smart_label_assets],  # smart labels: per property, not part of the build graph
        asset_checks=[*base_checks, *fill_in_checks(settings.fill_generations), *smart_label_checks],
        jobs=[ingest_job, downstream_job, models_job, fill_in_evaluation_job, smart_labels_job, lake_maintenance],
        schedules=[daily_lake_maintenance, weekly_retrain],
        sensors=[landing_sensor, automation_sensor, smart_labels_sensor],
        resources=build_resources(settings),
        executor=build_executor(settings.executor),
    )
    with warnings.catch_warnings():  # map_resolved_asset_specs is a preview API in Dagster 1.13
        warnings.simplefilter("ignore", PreviewWarning)
        return definitions.map_resolved_asset_specs(func=_automated, selection=AUTOMATED)


defs = build_definitions()
