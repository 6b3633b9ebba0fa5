"""One ingestion asset per source, partitioned by ingest batch: parse the batch's files into normalized
listings, and everything unparseable into that source's quarantine table. Both are written chunk by chunk to
Parquet and streamed into the lake (one snapshot each), so memory does not grow with the batch."""

import tempfile

from dagster import AssetCheckSpec, AssetExecutionContext, AssetOut, Output, multi_asset

from assets.check_results import check_result
from assets.metadata import counts_markdown
from assets.partitions import ingest_batches
from emma_pipeline.checks import records_accounted_for
from emma_pipeline.sources.batch import SOURCES
from emma_pipeline.sources.batch_tables import write_source_batch
from emma_pipeline.sources.record_count import count_records_by_file
from resources.landing_zone import LandingZone
from resources.lake import LakeResource
from resources.lake_io_manager import PARTITION_COLUMN

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
                blocking=True,
                description="Every input record is parsed or quarantined, as committed: per file, the records "
                "counted in the raw file (independently of the parsers) = the batch's listing rows (a review row "
                "counts the reviews it aggregates) + its quarantine rows, and no (file, line) in two rows.",
            )
        ],
    )
    def _ingest(context: AssetExecutionContext, landing: LandingZone, lake: LakeResource):
        batch = context.partition_key
        context.log.info(f"parsing {source} files of batch {batch} under {landing.batch_path(batch)}")
        with tempfile.TemporaryDirectory(prefix=f"emma_ingest_{source}_") as folder:  # the IO manager streams it
            tables = write_source_batch(source, landing.batch_path(batch), folder, progress=True)
            # Counted before anything is written: a count that failed after the outputs were committed would fail
            # every re-run the same way.
            counted = count_records_by_file(source, landing.batch_path(batch))
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
        # read back what the IO manager committed for this batch (the outputs above are stored as they are yielded)
        where, params = f'"{PARTITION_COLUMN}" = ?', [batch]
        written = lake.lake().read(listings, where=where, params=params, columns=["file", "line", "rating_hist"])
        held = lake.lake().read(quarantine, where=where, params=params, columns=["file", "line"])
        yield check_result(records_accounted_for(counted, written, held), asset_key=listings, check_name=ROWS_CHECK)

    return _ingest


ingest_assets = [build_ingest_asset(source) for source in SOURCES]
