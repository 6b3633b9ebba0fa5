"""One ingestion asset per source, partitioned by ingest batch: parse the batch's files into normalized
listings, and everything unparseable into that source's quarantine table. Both are written chunk by chunk to
Parquet and streamed into the lake (one snapshot each), so memory does not grow with the batch."""

import tempfile

from dagster import AssetCheckResult, AssetCheckSpec, AssetExecutionContext, AssetOut, Output, multi_asset

from assets.metadata import counts_markdown
from assets.partitions import ingest_batches
from emma_pipeline.sources.batch import SOURCES
from emma_pipeline.sources.batch_tables import write_source_batch
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
        with tempfile.TemporaryDirectory(prefix=f"emma_ingest_{source}_") as folder:  # the IO manager streams it
            tables = write_source_batch(source, landing.batch_path(batch), folder, progress=True)
            # Counted before anything is written: a count that failed after the outputs were committed would fail
            # every re-run the same way.
            counted = count_batch_records(source, landing.batch_path(batch))
            quarantined = tables.quarantine.row_count
            yield Output(
                tables.listings,
                output_name=listings,
                metadata={
                    "records_in": tables.records_in,
                    "records_parsed": tables.records_ok,
                    "records_quarantined": quarantined,
                    "files": tables.files,
                },
            )
            reasons = counts_markdown(tables.reason_codes, "reason_code")
            yield Output(tables.quarantine, output_name=quarantine, metadata={"reasons": reasons})
        yield AssetCheckResult(
            asset_key=listings,
            check_name=ROWS_CHECK,
            passed=counted == tables.records_ok + quarantined,
            metadata={
                "records_counted_in_files": counted,
                "records_in": tables.records_in,
                "parsed": tables.records_ok,
                "quarantined": quarantined,
            },
        )

    return _ingest


ingest_assets = [build_ingest_asset(source) for source in SOURCES]
