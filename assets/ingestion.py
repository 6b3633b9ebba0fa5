"""One ingestion asset per source, partitioned by ingest batch: parse the batch's files into normalized
listings, and everything unparseable into that source's quarantine table."""

import polars as pl
from dagster import AssetCheckResult, AssetCheckSpec, AssetExecutionContext, AssetOut, Output, multi_asset

from assets.metadata import counts_markdown
from assets.partitions import ingest_batches
from emma_pipeline.sources.batch import SOURCES, parse_source_batch
from emma_pipeline.sources.record_count import count_batch_records
from resources.landing_zone import LandingZone

ROWS_CHECK = "rows_accounted_for"


def build_ingest_asset(source: str):
    listings, quarantine = f"{source}_listings", f"{source}_quarantine"

    @multi_asset(
        name=f"ingest_{source}",
        outs={
            listings: AssetOut(
                group_name="ingestion",
                kinds={"python", "duckdb"},
                description=f"{source} records normalized to one row each (kg, USD, cm), per ingest batch.",
            ),
            quarantine: AssetOut(
                group_name="quarantine",
                kinds={"duckdb"},
                description=f"{source} input records that could not be parsed: file, line, offset, raw text, reason.",
            ),
        },
        partitions_def=ingest_batches,
        check_specs=[
            AssetCheckSpec(
                ROWS_CHECK,
                asset=listings,
                description="Every input record is either parsed or quarantined: records counted in the raw files "
                "(independently of the parsers) = parsed + quarantined.",
            )
        ],
    )
    def _ingest(context: AssetExecutionContext, landing: LandingZone):
        batch = context.partition_key
        context.log.info(f"parsing {source} files of batch {batch} under {landing.batch_path(batch)}")
        result = parse_source_batch(source, landing.batch_path(batch), progress=True)
        # Counted before anything is written: a count that failed after the outputs were committed would fail
        # every re-run the same way.
        counted = count_batch_records(source, landing.batch_path(batch))
        quarantined = result.quarantine.with_columns(pl.lit(batch).alias("batch"))
        reasons = quarantined.with_columns(pl.col("reason").str.split(":").list.first().alias("reason_code"))
        yield Output(
            result.listings,
            output_name=listings,
            metadata={
                "records_in": result.records_in,
                "records_parsed": result.records_ok,
                "records_quarantined": quarantined.height,
                "files": result.listings["file"].n_unique() if result.listings.height else 0,
            },
        )
        yield Output(quarantined, output_name=quarantine, metadata={"reasons": counts_markdown(reasons, "reason_code")})
        yield AssetCheckResult(
            asset_key=listings,
            check_name=ROWS_CHECK,
            passed=counted == result.records_ok + quarantined.height,
            metadata={
                "records_counted_in_files": counted,
                "records_in": result.records_in,
                "parsed": result.records_ok,
                "quarantined": quarantined.height,
            },
        )

    return _ingest


ingest_assets = [build_ingest_asset(source) for source in SOURCES]
