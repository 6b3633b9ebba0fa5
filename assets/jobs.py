"""Jobs: ingest one batch (all sources), and rebuild everything downstream of ingestion."""

from dagster import AssetSelection, define_asset_job

from assets.ingestion import ingest_assets

INGESTION = AssetSelection.assets(*ingest_assets)

ingest_job = define_asset_job(
    "ingest_batch", selection=INGESTION, description="Parse one landing batch of every source (one partition)."
)
downstream_job = define_asset_job(
    "build_downstream",
    selection=AssetSelection.all() - INGESTION - AssetSelection.groups("smart_labeling"),  # those run per property
    description="Rebuild every asset downstream of ingestion from all ingested batches.",
)
