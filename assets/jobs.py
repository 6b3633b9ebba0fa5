"""Jobs: ingest one batch (all sources), and rebuild everything downstream of ingestion."""

from dagster import AssetSelection, define_asset_job

from assets.ingestion import ingest_assets

INGESTION = AssetSelection.assets(*ingest_assets)
# Runs carrying this tag fit models; dagster.yaml limits them to one at a time (tag_concurrency_limits).
TRAINING_TAG = "emma/training"
# A run tagged with this (value "true") trains every model again instead of scoring new objects with the current
# ones: the weekly schedule sets it, and so can a person launching a run in the UI.
RETRAIN_TAG = "emma/retrain"

ingest_job = define_asset_job(
    "ingest_batch", selection=INGESTION, description="Parse one landing batch of every source (one partition)."
)
downstream_job = define_asset_job(
    "build_downstream",
    # smart labels run per property; the mask-and-recover evaluation retrains every model per scenario (own job)
    selection=AssetSelection.all() - INGESTION - AssetSelection.groups("smart_labeling", "fill_in_evaluation"),
    description="Rebuild every asset downstream of ingestion from all ingested batches (fits the models too).",
    tags={TRAINING_TAG: "build"},
)
models_job = define_asset_job(
    "train_models",
    selection=AssetSelection.groups("models"),
    description="Retrain (or reuse, when inputs and config are unchanged) the generation-1 models and their tables.",
    tags={TRAINING_TAG: "models"},
)
fill_in_evaluation_job = define_asset_job(
    "evaluate_fill_in",
    selection=AssetSelection.groups("fill_in_evaluation"),
    description="Mask-and-recover: retrain the fill-in with 30 % of each attribute hidden and score what it recovers.",
    tags={TRAINING_TAG: "fill_in_evaluation"},
)
