"""The ASIN join (one object row per ASIN, hijacked ASINs removed) and the union of all quarantine tables."""


import polars as pl
from dagster import AssetCheckExecutionContext, AssetIn, AssetOut, MetadataValue, Output, asset, asset_check, multi_asset

from assets.check_results import committed_asins, check_result, committed
from assets.metadata import counts_markdown, png_markdown, save_png
from emma_pipeline.checks import accounted_for, rows_carried_over
from emma_pipeline.join.asin_join import join_listings
from emma_pipeline.reports.coverage import coverage
from emma_pipeline.reports.figures import log_mass_histogram, price_histogram
from resources.folders import OutputFolders
from resources.lake import LakeResource

JOIN_CHECK = "asins_accounted_for"
QUARANTINE_CHECK = "rows_accounted_for"
LISTINGS = ("ucsd_listings", "image2mass_listings", "aspa_listings")
QUARANTINES = ("ucsd_quarantine", "image2mass_quarantine", "aspa_quarantine")


@multi_asset(
    outs={
        "joined_listings": AssetOut(
            group_name="join",
            kinds={"polars", "duckdb"},
            description="One row per ASIN across UCSD, image2mass and ASPA, with per-field provenance; price is the "
            "median across sources.",
        ),
        "join_removals": AssetOut(
            group_name="join",
            kinds={"duckdb"},
            description="ASINs discarded by the join (hijacked listings: sources describe different products).",
        ),
    },
    ins={name: AssetIn(name) for name in LISTINGS},
)
def asin_join(
    context, ucsd_listings: pl.DataFrame, image2mass_listings: pl.DataFrame, aspa_listings: pl.DataFrame,
    folders: OutputFolders,
):  # fmt: skip
    listings = pl.concat([ucsd_listings, image2mass_listings, aspa_listings], how="diagonal_relaxed")
    context.log.info(f"joining {listings.height:,} source records")
    result = join_listings(listings)
    objects = result.objects
    figures = folders.reports_dir
    price_png = price_histogram(objects["price_usd"].drop_nulls().to_numpy())
    mass_png = log_mass_histogram(objects["mass_kg"].drop_nulls().to_numpy())
    metadata = {
        "source_records": listings.height,
        "distinct_asins_in": result.asins_in,
        "objects": objects.height,
        "hijacked_removed": result.removals.height,
        **{f"coverage/{k}": MetadataValue.float(v) for k, v in coverage(objects).items()},
        "price_histogram": png_markdown(price_png, "price histogram"),
        "log_mass_histogram": png_markdown(mass_png, "log-mass histogram"),
        "price_histogram_file": save_png(price_png, figures, "price_histogram.png"),
        "log_mass_histogram_file": save_png(mass_png, figures, "log_mass_histogram.png"),
    }
    yield Output(objects, output_name="joined_listings", metadata=metadata)
    yield Output(result.removals, output_name="join_removals", metadata={"reasons": counts_markdown(result.removals, "reason")})


@asset_check(
    asset="joined_listings", name=JOIN_CHECK, blocking=True, additional_deps=[*LISTINGS, "join_removals"],
    description="As committed: the distinct ASINs of ucsd/image2mass/aspa_listings = the ASINs of joined_listings "
    "and join_removals, each ASIN in exactly one row of one of them.",
)  # fmt: skip
def joined_asins_accounted_for(context: AssetCheckExecutionContext, lake: LakeResource):
    listed = [asin for table in LISTINGS for asin in committed_asins(context, lake, table)]
    outputs = {table: committed_asins(context, lake, table) for table in ("joined_listings", "join_removals")}
    return check_result(accounted_for(listed, outputs))


@asset(group_name="quarantine", kinds={"duckdb"}, ins={name: AssetIn(name) for name in QUARANTINES})
def quarantine(ucsd_quarantine: pl.DataFrame, image2mass_quarantine: pl.DataFrame, aspa_quarantine: pl.DataFrame):
    """Every input record of every source and batch that could not be parsed, with its reason."""
    rows = pl.concat([ucsd_quarantine, image2mass_quarantine, aspa_quarantine], how="diagonal_relaxed")
    codes = rows.with_columns(pl.col("reason").str.split(":").list.first().alias("reason_code"))
    return Output(rows, metadata={"by_reason": counts_markdown(codes, "reason_code"), "by_source": counts_markdown(rows, "source")})


@asset_check(
    asset="quarantine", name=QUARANTINE_CHECK, blocking=True, additional_deps=list(QUARANTINES),
    description="As committed: every row of each source's quarantine table is in quarantine once per "
    "(source, file, line), and quarantine holds no other row.",
)  # fmt: skip
def quarantine_rows_accounted_for(context: AssetCheckExecutionContext, lake: LakeResource):
    key = ("source", "file", "line")
    parts = {table: committed(context, lake, table, list(key)) for table in QUARANTINES}
    return check_result(rows_carried_over(parts, committed(context, lake, "quarantine", list(key)), key))


join_checks = [joined_asins_accounted_for, quarantine_rows_accounted_for]
